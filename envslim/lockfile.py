"""conda-lock lockfiles (``conda-lock.yml``, format v1 or v2), read with conda-lock's own models.

``read(path) -> Lock`` parses and validates the file with ``conda_lock.lockfile.parse_conda_lock_file``
(conda-lock converts v1 files to its v2 model) and keeps what envslim needs: per platform, each locked
package's manager (conda or pip), exact version, build, URL, hashes and dependencies. conda-lock is
imported here only, when a lockfile is given (it is the ``envslim[lock]`` extra; importing it takes a
couple of seconds). A file conda-lock rejects is an ``InputError`` (``path:line:col: message``, the
position of the offending node when the YAML locates it).

``Lock.closure(name, platform)`` walks the lock's dependency graph; ``stale(lock, plan)`` says, one
line per change, where a rewrite would leave the lockfile out of date on the conda side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from envslim.errors import EnvslimError, InputError


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str
    manager: str  # "conda" | "pip"
    platform: str
    url: str
    build: str | None = None
    md5: str | None = None
    sha256: str | None = None
    dependencies: tuple[str, ...] = ()  # names of what it depends on (virtual packages left out)

    @property
    def filename(self) -> str:
        return PurePosixPath(urlsplit(self.url).path).name

    @property
    def subdir(self) -> str:
        """The conda subdir the URL points into (``noarch`` for noarch packages)."""
        return PurePosixPath(urlsplit(self.url).path).parent.name

    @property
    def channel(self) -> str:
        """The channel name: the path segment before the subdir (``conda-forge``)."""
        return PurePosixPath(urlsplit(self.url).path).parent.parent.name

    def record(self) -> dict:
        """The package as a record for ``condaspec.MatchSpec.match``."""
        return {"name": self.name, "version": self.version, "build": self.build or "", "subdir": self.subdir,
                "channel": self.channel}


@dataclass
class Lock:
    path: str
    platforms: list[str]
    packages: list[LockedPackage] = field(default_factory=list)

    def get(self, manager: str, name: str, platform: str) -> LockedPackage | None:
        for p in self.packages:
            if p.manager == manager and p.platform == platform and p.name.lower() == name.lower():
                return p
        return None

    def pins_conda(self, name: str) -> list[LockedPackage]:
        """The conda packages called ``name``, one per platform that has it."""
        return [p for p in self.packages if p.manager == "conda" and p.name.lower() == name.lower()]

    def conda_pins(self, platform: str) -> tuple[str, ...]:
        """Each conda package the lock installs on ``platform`` as an exact spec (``numpy 2.3.4 py312h33ff503_0``;
        the version alone where the lock records no build), in the lock's order."""
        return tuple(f"{p.name} {p.version}" + (f" {p.build}" if p.build else "")
                     for p in self.packages if p.manager == "conda" and p.platform == platform)

    def python_version(self, platform: str) -> str | None:
        """``"3.11"`` for a lock that pins python 3.11.x on ``platform``."""
        py = self.get("conda", "python", platform)
        if py is None:
            return None
        parts = py.version.split(".")
        return ".".join(parts[:2]) if len(parts) >= 2 and all(x.isdigit() for x in parts[:2]) else None

    def closure(self, name: str, platform: str) -> list[LockedPackage]:
        """``name`` and everything it pulls in on ``platform`` (conda packages), in walk order."""
        conda = {p.name.lower(): p for p in self.packages if p.manager == "conda" and p.platform == platform}
        start = conda.get(name.lower())
        if start is None:
            return []
        seen = {start.name.lower()}
        order = [start]
        for pkg in order:  # grows while walking
            for dep in pkg.dependencies:
                target = conda.get(dep.lower())
                if target is not None and target.name.lower() not in seen:
                    seen.add(target.name.lower())
                    order.append(target)
        return order


def read(path: str) -> Lock:
    try:
        import conda_lock  # noqa: F401  # conda-lock's package init must run before its submodules
        from conda_lock.lockfile import MissingLockfileVersion, UnknownLockfileVersion, parse_conda_lock_file
    except ImportError:
        raise EnvslimError("envslim: error: --lockfile needs conda-lock: pip install 'envslim[lock]'") from None
    import pydantic
    import yaml
    from pathlib import Path

    from envslim.document.envfile import read_bytes

    text = read_bytes(path).decode("utf-8", errors="replace")
    try:
        model = parse_conda_lock_file(Path(path))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise InputError(path, line, col, f"invalid YAML: {problem}") from None
    except RecursionError:  # (ruamel composes nested collections by recursion)
        raise InputError(path, 1, 1, "invalid YAML: nested too deeply") from None
    except MissingLockfileVersion:
        raise InputError(path, 1, 1, "not a conda-lock lockfile: no 'version' key") from None
    except UnknownLockfileVersion:
        line, col = _locate(text, ("version",))
        raise InputError(path, line, col, "unknown conda-lock lockfile version (envslim reads 1 and 2)") from None
    except pydantic.ValidationError as e:
        err = e.errors()[0]
        line, col = _locate(text, tuple(err.get("loc", ())))
        where = ".".join(str(x) for x in err.get("loc", ()))
        raise InputError(path, line, col, f"not a valid conda-lock lockfile: {where}: {err.get('msg', '')}") from None
    except (AttributeError, TypeError):  # conda-lock expects a mapping at the top
        raise InputError(path, 1, 1, "not a conda-lock lockfile: expected a mapping with version, metadata and"
                                     " package") from None
    except (ValueError, KeyError) as e:  # e.g. a dependency graph conda-lock cannot sort
        raise InputError(path, 1, 1, f"not a conda-lock lockfile: {type(e).__name__}: {e}") from None
    packages = [
        LockedPackage(
            name=p.name, version=p.version, manager=p.manager, platform=p.platform, url=p.url, build=p.build,
            md5=p.hash.md5, sha256=p.hash.sha256,
            dependencies=tuple(d for d in p.dependencies if not d.startswith("__")),
        )
        for p in model.package
    ]
    return Lock(path=path, platforms=list(model.metadata.platforms), packages=packages)


_CONDA_FILE = re.compile(r"(?P<name>.+)-(?P<version>[^-]+)-(?P<build>[^-]+)\.(?:conda|tar\.bz2)$")


def read_pixi(path: str, environment: str) -> Lock | None:
    """The conda packages a ``pixi.lock`` (format 4 to 7) installs for ``environment``, per platform (name,
    version and build from each artifact's file name, as the lock's URLs give them); None when the lock does
    not hold that environment. A file that is not a readable pixi.lock is an ``InputError``."""
    import yaml

    from envslim.document.envfile import read_bytes

    try:
        data = yaml.load(read_bytes(path), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise InputError(path, line, col, f"not a readable pixi.lock: {getattr(e, 'problem', None) or 'invalid YAML'}") from None
    envs = data.get("environments") if isinstance(data, dict) else None
    env = envs.get(environment) if isinstance(envs, dict) else None
    per_platform = env.get("packages") if isinstance(env, dict) else None
    if not isinstance(per_platform, dict):
        return None
    subdirs = _platform_subdirs(data.get("platforms"), per_platform)
    packages = []
    for key, entries in per_platform.items():
        platform = subdirs.get(str(key))
        if platform is None:
            continue
        for e in entries if isinstance(entries, list) else []:
            url = e.get("conda") or (e.get("url") if e.get("kind") == "conda" else None) if isinstance(e, dict) else None
            m = _CONDA_FILE.match(str(url).rsplit("/", 1)[-1]) if url else None
            if m is not None:
                packages.append(LockedPackage(name=m["name"], version=m["version"], manager="conda",
                                              platform=platform, url=str(url), build=m["build"]))
    return Lock(path=path, platforms=list(dict.fromkeys(subdirs.values())), packages=packages)


def _platform_subdirs(platforms, per_platform: dict) -> dict[str, str]:
    """The subdir each of an environment's platform keys stands for. A pixi.lock of format 7 keys them by the
    platform's name and lists ``platforms: [{name: p1, subdir: linux-64, virtual-packages: [...]}]`` (pixi names
    a manifest platform written as a table, ``{ platform = "linux-64", glibc = "2.34" }``, ``p1``); earlier
    formats key them by the subdir. Where several keys share a subdir (``linux-64`` and a CUDA ``p2``), the one
    named as the subdir stands for it, and none where no key is (which of them the target means is not known)."""
    named = {}
    for p in platforms if isinstance(platforms, list) else []:
        if isinstance(p, dict) and isinstance(p.get("name"), str):
            named[p["name"]] = str(p.get("subdir") or p["name"])
    keys: dict[str, list[str]] = {}
    for key in per_platform:
        keys.setdefault(named.get(str(key), str(key)), []).append(str(key))
    out = {}
    for subdir, ks in keys.items():
        if subdir in ks:
            out[subdir] = subdir
        elif len(ks) == 1:
            out[ks[0]] = subdir
    return out


def _locate(text: str, loc: tuple) -> tuple[int, int]:
    """1-based line and column of the node at ``loc`` (keys and list indexes), as deep as it exists."""
    from ruamel.yaml import YAML

    try:
        node = YAML(typ="rt").load(text)
    except Exception:  # noqa: BLE001  # conda-lock's YAML parser accepted it; ours is only for positions
        return 1, 1
    line, col = 0, 0
    for key in loc:
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        try:
            if isinstance(node, list) and isinstance(key, int) and key < len(node):
                line, col = lc.item(key)
                node = node[key]
            elif isinstance(node, dict) and key in node:
                line, col = lc.key(key)
                node = node[key]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    return line + 1, col + 1


def stale(lock: Lock, plan) -> list[str]:
    """One line per applied change that leaves ``lock`` out of date on the conda side."""
    from envslim import conda as condaspec
    from envslim.document.envfile import conda_sort_key

    out: list[str] = []

    def pinned(name: str) -> str:
        pins = lock.pins_conda(name)
        versions = sorted({p.version for p in pins})
        return f"{name} {', '.join(versions)}"

    for o in plan.applied:
        rule, package = o.finding.rule, o.finding.package
        for c in o.changes:
            if c.kind in ("remove", "replace") and c.section != "dependencies":
                continue
            if c.kind == "remove":
                name = conda_sort_key(c.old) or ""
                if lock.pins_conda(name):
                    what = "moves it to pip" if o.action == "move-to-pip" else "removes it"
                    out.append(f"{rule} {package} {what}, but the lockfile pins conda {pinned(name)}")
            elif c.kind == "replace":
                old = conda_sort_key(c.old) or ""
                new_text = c.new
                try:
                    spec = condaspec.parse(new_text)
                except condaspec.CondaSpecError:
                    spec = None
                pins = lock.pins_conda(old)
                if not pins:
                    continue
                if spec is None or spec.name.lower() != old.lower():
                    out.append(f"{rule} {package} replaces it by {new_text.strip()}, but the lockfile pins conda {pinned(old)}")
                elif any(not spec.match(p.record()) for p in pins):
                    out.append(f"{rule} {package} changes the spec to {new_text.strip()}, which the locked {pinned(old)} does not satisfy")
            elif c.kind == "insert-conda":
                try:
                    spec = condaspec.parse(c.new)
                except condaspec.CondaSpecError:
                    continue
                pins = lock.pins_conda(spec.name)
                if not pins:
                    out.append(f"{rule} {package} adds conda {c.new.strip()}, which the lockfile does not have")
                elif any(not spec.match(p.record()) for p in pins):
                    out.append(f"{rule} {package} adds {c.new.strip()}, which the locked {pinned(spec.name)} does not satisfy")
    return out
