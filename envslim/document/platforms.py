"""The platform a file that lists several is judged on (pixi manifests, environment files locked with
conda-lock)."""

from __future__ import annotations


def judged_platform(platforms: tuple[str, ...]) -> str | None:
    """The platform a file that lists ``platforms`` (a pixi manifest's, conda-lock's ``platforms:`` key of an
    environment file) is judged and priced on when none is given: linux-64 where it is one of them (a Docker
    image's), else the first Linux one listed, else the first listed (a file for Windows and macOS only is
    priced for Windows or macOS, never for a Linux it cannot be installed on); None when it lists none."""
    if not platforms or "linux-64" in platforms:
        return "linux-64" if platforms else None
    return next((p for p in platforms if p.startswith("linux-")), platforms[0])
