"""Which files envslim reads: the one list of names that both a directory search (``envslim rewrite DIR``,
``report DIR``) and the pre-commit hooks' ``files:`` use (``.pre-commit-hooks.yaml`` holds these same
expressions; tests/test_hooks.py asserts that they agree).

Environment files (matched against the path relative to the directory searched, with ``/``):

- ``environment*.yml``, ``*environment*.yaml`` (``environment-dev.yml``, ``ci/rtd_environment.yml``)
- ``env.yml``, ``env-*.yml``, ``env_*.yaml``, ``conda.yml``, ``conda-*.yaml``
- ``*.env.yml``, ``*-env.yaml``, ``*_env.*.yml`` (``test_env.yml``, ``env_dqc.cpu.yml``)
- ``*.devenv.yml`` (conda-devenv), and every YAML file in an ``envs/`` or ``environments/`` folder
  (snakemake's conda environments)
- never ``conda-lock.yml``, ``*.lock.yml`` or ``conda_build_config.yaml``

pixi manifests: ``pixi.toml``, and ``pyproject.toml`` where it has a ``[tool.pixi]`` table.

A directory search goes down every folder except hidden ones (``.git``, ``.venv``, ``.pixi``),
``node_modules``, and what a ``.gitignore`` (in the folder searched, below it, or above it up to the
repository's root) excludes. The configuration's ``include`` adds gitignore-style patterns to the
names above, and ``exclude`` takes paths away; both are relative to the configuration file's folder.
A file named on the command line is always read, whatever its name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence

# (pre-commit matches these with re.search against the path from the repository root)
ENV_FILES = (r"(^|/)((envs|environments)/[^/]+|[^/]*environment[^/]*|[^/]*\.devenv|(env|conda)([-_.][^/]*)?"
             r"|[^/]*[-_.]env([-_.][^/]*)?)\.ya?ml$")
ENV_EXCLUDE = r"(^|/)(conda-lock|conda_build_config|[^/]*\.lock)\.ya?ml$"
PIXI_FILES = r"(^|/)(pixi|pyproject)\.toml$"

SKIPPED_FOLDERS = ("node_modules",)  # besides every hidden folder (.git, .pixi, .venv, .tox ...)

_ENV, _EXCLUDE, _PIXI = re.compile(ENV_FILES), re.compile(ENV_EXCLUDE), re.compile(PIXI_FILES)


def by_name(relpath: str) -> bool:
    """True when a path (relative, with ``/``) names an environment file or a pixi manifest."""
    return bool((_ENV.search(relpath) and not _EXCLUDE.search(relpath)) or _PIXI.search(relpath))


def find(directory: str, include: Sequence[str] = (), exclude: Sequence[str] = (), base: str | None = None) -> list[str]:
    """The environment files and pixi manifests under ``directory``, sorted, each as
    ``os.path.join(directory, relative path)`` (normalised). ``include`` and ``exclude`` are gitignore-style
    patterns relative to ``base`` (the configuration's folder; default ``directory``)."""
    import pathspec

    base = os.path.abspath(base or directory)
    top = os.path.abspath(directory)
    extra = pathspec.GitIgnoreSpec.from_lines(include) if include else None
    drop = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None

    def configured(path: str, spec, folder: bool) -> bool:
        rel = os.path.relpath(path, base)
        if rel.startswith(".."):
            rel = os.path.relpath(path, top)
        rel = rel.replace(os.sep, "/") + ("/" if folder else "")
        return spec is not None and bool(spec.match_file(rel))

    found = []
    for folder, files, ignores in _walk(top, pathspec):
        for name in files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, top).replace(os.sep, "/")
            if _ignored(ignores, path, False) or configured(path, drop, False):
                continue
            if not (by_name(rel) or configured(path, extra, False)):
                continue
            if name == "pyproject.toml" and not configured(path, extra, False) and not _has_pixi(path):
                continue
            found.append(os.path.normpath(os.path.join(directory, rel)))
    return sorted(found)


def _walk(top: str, pathspec) -> Iterator[tuple[str, list[str], list]]:
    """(folder, its file names, the gitignore specs in force there) for every folder searched."""
    ignores = [(d, spec) for d in _above(top) if (spec := _gitignore(d, pathspec)) is not None]
    yield from _down(top, ignores, pathspec)


def _down(top: str, ignores: list, pathspec) -> Iterator[tuple[str, list[str], list]]:
    """The folders under ``top`` depth first, each before what it holds, in name order: with a stack of its
    own, not by recursion (a tree a thousand folders deep ended in RecursionError)."""
    stack = [(top, ignores)]
    while stack:
        folder, ignores = stack.pop()
        here = _gitignore(folder, pathspec)
        if here is not None and not any(d == folder for d, _ in ignores):
            ignores = [*ignores, (folder, here)]
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        files = [e.name for e in entries if e.is_file()]
        yield folder, files, ignores
        below = [e.path for e in entries if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")
                 and e.name not in SKIPPED_FOLDERS and not _ignored(ignores, e.path, True)]
        stack.extend((path, ignores) for path in reversed(below))


def _above(top: str) -> list[str]:
    """The folders above ``top`` up to the git repository's root (the one holding ``.git``), outermost
    first; none when ``top`` is not inside a repository."""
    chain, folder = [], top
    while not os.path.exists(os.path.join(folder, ".git")):
        parent = os.path.dirname(folder)
        if parent == folder:
            return []
        folder = parent
        chain.append(folder)
    return list(reversed(chain))


def _gitignore(folder: str, pathspec):
    path = os.path.join(folder, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read(1 << 20).splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignored(ignores: list, path: str, folder: bool) -> bool:
    """Whether the gitignore files in force exclude ``path`` (the deepest file that has a say wins)."""
    verdict = False
    for d, spec in ignores:
        rel = os.path.relpath(path, d).replace(os.sep, "/") + ("/" if folder else "")
        result = spec.check_file(rel).include
        if result is not None:
            verdict = result
    return verdict


def _has_pixi(path: str) -> bool:
    from envslim.document.envfile import read_bytes
    from envslim.document.pixi import is_pixi_pyproject
    from envslim.errors import EnvslimError

    try:
        return is_pixi_pyproject(read_bytes(path).decode("utf-8", "replace"))
    except EnvslimError:
        return True  # unreadable: named, so that its error is said
