"""Lock-based builds for ``envslim dockerfile``: when a ``conda-lock.yml`` sits beside the environment file
and still matches it, the build stage installs from the lock (exact versions, builds and hashes: the same
image every time) instead of solving the environment file again.

"Matches" is checked against the file as it is, on linux-64 (the platform the image is built for):

- every conda line of the file is locked, and the locked version and build satisfy its spec;
- every pip line is locked as a pip package whose version its specifier allows;
- nothing is locked that no line of the file asks for, directly or through the locked dependencies (a
  package the rewrite moved to pip, or removed, still sitting in the lock as a conda package).

A line envslim cannot check (a URL, Jinja, a pip option) counts as a mismatch: the build then uses the file.
``envslim rewrite`` makes a lock stale until it is re-locked; the Dockerfile says so and builds from the file.

micromamba installs a conda-lock file given with ``--file`` when its name ends in ``-lock.yml`` (mamba
documentation, "conda-lock YAML spec files", docs/source/user_guide/micromamba.rst), pip packages included
(conda-lock #360, 2023-02-19: micromamba for lockfiles with pip packages). conda (miniforge) cannot without
conda-lock itself, and micromamba cannot read a pixi.lock (mamba-org/mamba#3460, open since 2024-09-18): these
are refused with the reason, and the build uses the environment file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

PLATFORM = "linux-64"
CONDA_LOCK = "conda-lock.yml"
PIXI_LOCK = "pixi.lock"
LOCK_IN_IMAGE = "/tmp/conda-lock.yml"  # micromamba reads a file ending in -lock.yml as a conda-lock file


@dataclass(frozen=True)
class LockUse:
    """What the build stage does with a lockfile found beside the environment file."""

    path: str  # the lockfile as found (for messages)
    source: str  # its path inside the build context (what COPY uses); "" when not used
    used: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)  # why it is not used (stale, refused)

    def warning(self, envfile: str) -> str | None:
        if self.used:
            return None
        return (f"envslim: warning: {self.path} is not used, the build installs {envfile}: "
                + "; ".join(self.reasons))


def find(envfile: str) -> list[str]:
    """The lockfiles beside ``envfile``: conda-lock.yml, then pixi.lock."""
    folder = os.path.dirname(os.path.abspath(envfile))
    return [os.path.join(os.path.dirname(envfile), n) for n in (CONDA_LOCK, PIXI_LOCK)
            if os.path.isfile(os.path.join(folder, n))]


def mismatches(env, lock, platform: str = PLATFORM) -> list[str]:
    """Why ``lock`` (``envslim.lockfile.Lock``) does not install ``env`` (``EnvFile``) on ``platform``: one
    line per reason, none when the lock matches the file."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    from envslim import conda as condaspec

    if platform not in lock.platforms:
        return [f"it locks no {platform} packages (it locks {', '.join(lock.platforms) or 'none'})"]
    out: list[str] = []
    locked = [p for p in lock.packages if p.platform == platform]
    roots: set[tuple[str, str]] = set()
    for item in env.deps:
        text = item.text.strip()
        spec = condaspec.parse_line(text)
        if spec is None:
            out.append(f"line {item.line + 1}: cannot check {text!r} against the lock")
            continue
        name = spec.name.lower()
        pkg = lock.get("conda", name, platform)
        if pkg is None:
            out.append(f"{text} is not in the lock")
            continue
        roots.add(("conda", name))
        record = {**pkg.record(), "build": pkg.build or _build_of(pkg)}
        if not spec.match(record):
            out.append(f"{text} is not satisfied by the locked {name} {pkg.version} {record['build']}".rstrip())
    for item in env.pip_items:
        text = item.text.strip()
        try:
            req = Requirement(text)
        except InvalidRequirement:
            out.append(f"line {item.line + 1}: cannot check pip {text!r} against the lock")
            continue
        name = canonicalize_name(req.name)
        pkg = next((p for p in locked if p.manager == "pip" and canonicalize_name(p.name) == name), None)
        if pkg is None:
            conda_pkg = lock.get("conda", req.name, platform)
            out.append(f"pip {text} is not in the lock" + (f" (it locks conda {conda_pkg.name} {conda_pkg.version})"
                                                            if conda_pkg else ""))
            continue
        roots.add(("pip", name))
        if not req.specifier.contains(pkg.version, prereleases=True):
            out.append(f"pip {text} is not satisfied by the locked {pkg.name} {pkg.version}")
    if out:
        return out
    out += [f"it locks {m} {p.name} {p.version}, which no line of the file asks for"
            for m, p in _unasked(locked, roots)]
    return out


def _build_of(pkg) -> str:
    """The build string from a conda file name (``name-version-build.conda``): a v1 lock records no build."""
    stem = pkg.filename.removesuffix(".conda").removesuffix(".tar.bz2")
    prefix = f"{pkg.name}-{pkg.version}-"
    return stem[len(prefix):] if stem.lower().startswith(prefix.lower()) else ""


def _unasked(locked: list, roots: set) -> list:
    """The locked packages not reached from ``roots`` through the locked dependencies."""
    from packaging.utils import canonicalize_name

    def key(manager: str, name: str) -> tuple[str, str]:
        return (manager, canonicalize_name(name) if manager == "pip" else name.lower())

    by_key = {key(p.manager, p.name): p for p in locked}
    seen = set(roots)
    todo = [by_key[k] for k in roots if k in by_key]
    while todo:
        pkg = todo.pop()
        for dep in pkg.dependencies:
            for manager in (pkg.manager, "conda"):  # a pip package's dependency may be a conda package
                k = key(manager, dep.split()[0] if dep.split() else dep)
                if k in by_key and k not in seen:
                    seen.add(k)
                    todo.append(by_key[k])
    return [(m, p) for (m, _), p in sorted(by_key.items()) if (m, _) not in seen]


def decide(envfile: str, env, installer: str, context_source) -> LockUse | None:
    """The lockfile to build from, or why not; None when no lockfile sits beside ``envfile``.
    ``context_source(path)`` gives a file's path inside the build context (raises when it is outside)."""
    found = find(envfile)
    if not found:
        return None
    path = found[0]
    if os.path.basename(path) == PIXI_LOCK:
        return LockUse(path, "", False, (
            "micromamba and conda cannot install a pixi.lock (mamba-org/mamba#3460); build with pixi install"
            " --frozen in a pixi image, or lock the file with conda-lock",))
    if installer != "micromamba":
        return LockUse(path, "", False, (
            f"the {installer} installer cannot install a conda-lock file without conda-lock itself; use the"
            " micromamba installer to build from it",))
    import importlib.util

    if importlib.util.find_spec("conda_lock") is None:
        return LockUse(path, "", False, ("reading it needs conda-lock: pip install 'envslim[lock]'",))
    from envslim import lockfile
    from envslim.errors import EnvslimError

    try:
        lock = lockfile.read(path)
    except EnvslimError as e:
        return LockUse(path, "", False, (str(e),))
    reasons = mismatches(env, lock)
    if reasons:
        return LockUse(path, "", False, (f"it is stale against {envfile}: " + "; ".join(reasons)
                                         + f"; re-lock it (conda-lock -f {envfile} -p {PLATFORM})",))
    return LockUse(path, context_source(path), True)
