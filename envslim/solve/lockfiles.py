"""The solved set from a lockfile, without a solve: exact offline inputs for ``report --lockfile``.

``await solution_from_lockfile(path, run, platforms=None, requested=()) -> dict[str, Solution]``

- ``pixi.lock`` (any name ending in ``.lock``, or a file whose first key is ``version`` with
  ``environments``): read with rattler's ``LockFile``; the named (default: ``default``) environment's conda records (with
  their sha256, archive size and noarch kind) and PyPI packages (``requires_dist``) per platform.
- ``conda-lock.yml``: read with :func:`envslim.lockfile.read` (conda-lock's own models): conda and
  pip packages per platform, with URL, sha256 and dependencies. conda-lock records no archive size,
  so a ``.tar.bz2`` artifact's size is unknown, and no noarch kind: a noarch package that depends on
  python is taken as ``noarch: python``.

Installed bytes come from the same cache as a solve (by sha256), so a lockfile whose artifacts were
measured once is reported with no network at all. ``requested`` (manager, name, spec) names the
file's specs for attribution.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from envslim.solve.errors import SolveUnavailable
from envslim.solve.model import Solution
from envslim.solve.pip import PipPick
from envslim.solve.sizes import Artifact

__all__ = ["is_pixi_lock", "read_locked", "solution_from_lockfile"]


def is_pixi_lock(path: str | Path) -> bool:
    from envslim.document import lock_format

    if lock_format(Path(path).name) == "pixi":
        return True
    try:
        head = Path(path).read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return False
    return "environments:" in head and "conda-lock" not in head


def _pixi(path: str | Path, environment: str = "default") -> dict[str, tuple[list[Artifact], list[PipPick]]]:
    import rattler

    try:
        lock = rattler.LockFile.from_path(str(path))
    except Exception as exc:  # rattler's ParseCondaLockError and IO errors
        from envslim.solve.errors import one_line

        raise SolveUnavailable(f"{path}: not a readable pixi.lock: {one_line(str(exc))}") from None
    env = lock.environment(environment)
    out: dict[str, tuple[list[Artifact], list[PipPick]]] = {}
    if env is None:
        raise SolveUnavailable(f"{path}: locks no environment '{environment}'"
                               f" (it locks: {', '.join(sorted(n for n, _ in lock.environments()))})")
    for platform in env.platforms():
        records = env.conda_repodata_records_for_platform(platform) or []
        pypi = env.pypi_packages_for_platform(platform) or []
        picks = []
        for p in pypi:
            url, _, frag = p.location.partition("#")
            try:
                sha = p.hashes.sha256.hex()
            except AttributeError:  # no hashes recorded: the URL's #sha256= fragment, if any
                sha = frag.partition("=")[2] if frag.startswith("sha256=") else ""
            picks.append(PipPick(p.name, str(p.version), url, sha))
        out[platform.name] = ([Artifact.from_record(r) for r in records], picks)
    return out


def _conda_lock(path: str | Path) -> dict[str, tuple[list[Artifact], list[PipPick]]]:
    from envslim import lockfile

    lock = lockfile.read(str(path))
    out: dict[str, tuple[list[Artifact], list[PipPick]]] = {p: ([], []) for p in lock.platforms}
    for p in lock.packages:
        conda, pip = out.setdefault(p.platform, ([], []))
        if p.manager == "conda":
            subdir = PurePosixPath(urlsplit(p.url).path).parent.name
            noarch = ("python" if "python" in p.dependencies else "generic") if subdir == "noarch" else ""
            channel = p.url.rsplit("/", 2)[0]
            conda.append(Artifact(p.name, p.version, p.build or "", p.url, p.filename, p.sha256 or "", None,
                                  noarch, channel, tuple(sorted(set(p.dependencies)))))
        else:
            pip.append(PipPick(p.name, p.version, p.url, p.sha256 or ""))
    return out


def read_locked(path: str | Path, environment: str = "default") -> dict[str, tuple[list[Artifact], list[PipPick]]]:
    """Per platform: the locked conda artifacts and wheels (of ``environment``, in a pixi.lock)."""
    return _pixi(path, environment) if is_pixi_lock(path) else _conda_lock(path)


async def solution_from_lockfile(
    path: str | Path, run: Any, *, platforms: list[str] | None = None,
    requested: list[tuple[str, str, str]] | tuple = (), environment: str = "default",
) -> dict[str, Solution]:
    """``run`` is an open :class:`envslim.solve.engine.Run` (its session holds the size cache)."""
    locked = read_locked(path, environment)
    out: dict[str, Solution] = {}
    for platform in platforms or list(locked):
        if platform not in locked:
            raise SolveUnavailable(f"{path}: the lockfile has no {platform} packages "
                                   f"(it locks {', '.join(locked) or 'no platform'})")
        artifacts, picks = locked[platform]
        packages = await run.measure(platform, artifacts, picks)
        out[platform] = Solution(platform, packages, list(requested))
    return out
