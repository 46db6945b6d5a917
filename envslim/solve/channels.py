"""Channel names of an environment file -> the channel URLs the solver reads, in priority order.

``channel_urls(["conda-forge", "nodefaults"]) == ["https://conda.anaconda.org/conda-forge"]``

- A name (``conda-forge``, ``bioconda``, ``conda-forge/label/dev``) resolves against the channel alias,
  ``https://conda.anaconda.org`` unless ``alias`` says otherwise (``ENVSLIM_CONDA_URL``, config key
  ``channel-alias``).
- ``defaults`` expands to its real channels, conda's default channels on Linux and macOS:
  ``https://repo.anaconda.com/pkgs/main`` and ``.../pkgs/r`` (conda's ``DEFAULT_CHANNELS_UNIX``);
  ``defaults_url`` (``ENVSLIM_DEFAULTS_URL``) replaces ``https://repo.anaconda.com/pkgs``.
- A full URL (``https://...``, ``file://...``) is used as given.
- ``nodefaults`` is dropped. No channel is ever added that the file does not name: the file's list is
  the whole list, as micromamba and pixi read it (conda would append the channels of ``.condarc``).
  A file that names no channel is solved against ``conda-forge`` (the default of miniforge and of
  micromamba images) and :func:`channel_urls` says so in ``notes``.

Priority is strict (conda-forge's recommendation, rattler's default, what the offline rules assume):
a package is taken from the first channel in this list that has it, whatever later channels offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CHANNEL_ALIAS = "https://conda.anaconda.org"
DEFAULTS_BASE = "https://repo.anaconda.com/pkgs"
DEFAULTS_CHANNELS = ("main", "r")
FALLBACK_CHANNEL = "conda-forge"

__all__ = ["CHANNEL_ALIAS", "DEFAULTS_BASE", "Channels", "channel_urls"]


@dataclass(frozen=True)
class Channels:
    urls: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())


def _is_url(name: str) -> bool:
    return "://" in name


def channel_urls(
    names: list[str] | tuple[str, ...], *, alias: str | None = None, defaults_url: str | None = None
) -> Channels:
    """The URLs of ``names`` in order, each once (see the module docstring)."""
    alias = (alias or CHANNEL_ALIAS).rstrip("/")
    defaults = (defaults_url or DEFAULTS_BASE).rstrip("/")
    urls: list[str] = []
    notes: list[str] = []
    named = [n.strip() for n in names if n and n.strip()]
    if not [n for n in named if n != "nodefaults"]:
        named = [FALLBACK_CHANNEL]
        notes.append(f"no channels listed: solved against {FALLBACK_CHANNEL}")
    for name in named:
        if name == "nodefaults":
            continue
        if name == "defaults":
            found = [f"{defaults}/{sub}" for sub in DEFAULTS_CHANNELS]
        elif _is_url(name):
            found = [name.rstrip("/")]
        else:
            found = [f"{alias}/{name.strip('/')}"]
        for url in found:
            if url not in urls:
                urls.append(url)
    return Channels(tuple(urls), tuple(notes))
