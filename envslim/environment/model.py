"""The environment of one file for one target: the packages its lines reach, as the snapshot knows them.

:meth:`Environment.from_document` reads the file's conda lines and pip items and its target (platform from
build strings, platform-only packages and explicit subdirs; channel order; python pin), then walks the
graph from the requested specs with the builds a solver would choose: for each name, the first channel in
strict priority order that has it, the newest version every spec seen so far allows, built for the target's
Python, and among builds of that version the one that brings in the fewest new packages (so an optional
variant, such as a libsqlite build linking icu, never brings its extra members in). A name the snapshot
does not have on the serving channel, or has no build the specs allow, is unknown: it is listed, never
priced, and nothing is walked beyond it.

``--solve``/``--verify`` fill the same model from solved records (:meth:`Environment.from_records`), so
offline and online differ only in where the graph comes from.
"""

from __future__ import annotations

import re
from collections import deque

from envslim import conda as condaspec
from envslim.conda.python import DEFAULT_PYTHON, python_minor
from envslim._record import dataclass
from envslim.environment.graph import (OS_VIRTUAL, PYTHON_DEPENDS, Build, Builds, Graph, build_number, fits_python,
                                       python_of, snapshot, version_only)

DEFAULT_PLATFORM = "linux-64"
PLATFORMS = ("linux-64", "linux-aarch64", "linux-ppc64le", "osx-64", "osx-arm64", "win-64")
# the channels defaults stands for, as names and as path tails of mirrors (.../anaconda/pkgs/main)
DEFAULTS_ALIASES = {"defaults", "anaconda", "main", "pkgs/main", "r", "pkgs/r", "msys2", "pkgs/msys2", "free",
                    "pkgs/free", "anaconda/pkgs/main", "anaconda/pkgs/free", "anaconda/pkgs/r"}
# packages that exist (or that an export lists) on one platform family only
_PLATFORM_NAMES = {
    "win": ("vc", "vs2015_runtime", "vc14_runtime", "ucrt", "msys2-conda-epoch", "m2w64-gcc-libs", "m2w64-gmp",
            "m2w64-libwinpthread-git", "m2w64-gcc-libs-core", "m2w64-gcc-libgfortran", "pywin32", "pywinpty",
            "wincertstore", "win_inet_pton", "winpty", "pywin32-ctypes", "vs2017_win-64", "vs2019_win-64"),
    "osx": ("appnope", "libcxx", "libcxxabi", "pyobjc-core", "pyobjc-framework-cocoa", "tapi", "cctools",
            "ld64", "clang_osx-64", "clang_osx-arm64", "__osx", "python.app"),
    "linux": ("_libgcc_mutex", "libgcc-ng", "libstdcxx-ng", "libgomp", "ld_impl_linux-64", "libgfortran-ng",
              "sysroot_linux-64", "kernel-headers_linux-64", "_sysroot_linux-64_curr_repodata_hack", "__glibc",
              "ld_impl_linux-aarch64", "sysroot_linux-aarch64"),
}
# what a requested metapackage of a channel the snapshot may lack asks of the rest: the pytorch channel's
# cpuonly depends on pytorch-mutex 1.0 cpu (pytorch/builder conda/cpuonly/meta.yaml), which its CUDA
# builds of pytorch, torchvision and torchaudio conflict with (they depend on pytorch-mutex 1.0 cuda)
IMPLIED_SPECS = {"cpuonly": ("pytorch-mutex 1.0 cpu",)}
# libraries that conda-forge builds some packages with and without (libsqlite and libxml2 have icu variants):
# a build that links one is taken only where something else brings the library in
OPTIONAL_VARIANT_DEPS = frozenset({"icu"})
_OPTIONAL_PREFIXES = tuple(OPTIONAL_VARIANT_DEPS)
# build-string hashes of packages without compiled code that defaults builds per platform
_DEFAULTS_HASH = {"h06a4308": "linux-64", "hecd8cb5": "osx-64", "hca03da5": "osx-arm64", "haa95532": "win-64"}
# a build string's hash (of its variant's pins, which differ by platform): ``qt6_py310h681cb09_603``, ``h4bc722e_7``
_HASHED = re.compile(r"h[0-9a-f]{6,}(?:_|$)")


def channel_id(text: str) -> str:
    """A channel as written (a name, ``conda-forge/label/x``, a URL, a mirror of defaults such as
    ``https://mirrors.example.org/anaconda/pkgs/main``) reduced to the name envslim judges by:
    ``conda-forge``, ``defaults`` (and its aliases and mirrors), ``pytorch``, ..."""
    c = text.strip().lower().rstrip("/")
    if "://" in c:
        c = c.split("://", 1)[1]
        host, _, c = c.partition("/")
        if host in ("repo.anaconda.com", "repo.continuum.io"):
            return "defaults"
        if not c:
            return host
    c = c.split("/label/", 1)[0]
    if c in DEFAULTS_ALIASES:
        return "defaults"
    for tail in ("anaconda/pkgs/main", "anaconda/pkgs/free", "anaconda/pkgs/r", "pkgs/main", "pkgs/free", "pkgs/r"):
        if c.endswith("/" + tail):
            return "defaults"
    if c.startswith("anaconda/cloud/") or "/anaconda/cloud/" in c:  # a mirror of anaconda.org channels
        return c.rsplit("/anaconda/cloud/", 1)[-1].removeprefix("anaconda/cloud/").split("/")[0]
    return c.rsplit("/", 1)[-1] if "/" in c else c


@dataclass(frozen=True)
class Target:
    platform: str
    channels: tuple[str, ...]  # strict priority order, as channel_id names them; "defaults" appended by conda
    python: str | None  # the Python minor version ("3.11"), None when the file does not pin one
    platform_from: str = "default"  # "the file's build strings", "the file's packages", "--platform", ...


def python_pin(specs) -> str | None:
    """``"3.9"`` when the file pins python to one minor version (``python=3.9``, ``python==3.9.7``), or bounds it
    away from the default (``python>=3.7,<3.9``: the newest minor the bound admits, ``"3.8"``)."""
    spec = specs.get("python")
    if spec is None:
        return None
    return python_minor(spec.raw_version, DEFAULT_PYTHON)


def file_channels(channel_names) -> tuple[str, ...]:
    """The channel order a solve of the file sees: the listed channels, then defaults (conda appends its
    default channels unless the file says ``nodefaults``); no channel list means defaults only."""
    names = [channel_id(c) for c in channel_names]
    out: list[str] = []
    for c in names:
        if c != "nodefaults" and c not in out:
            out.append(c)
    if "nodefaults" not in names and "defaults" not in out:
        out.append("defaults")
    return tuple(out)


def platform_of(specs, graph: Graph | None = None) -> tuple[str | None, str]:
    """The platform an export is for, read from the file: an explicit subdir (``conda-forge/osx-arm64::x``),
    build strings the snapshot (or defaults' per-platform hashes) knows on one platform only, or packages
    that exist on one platform family only. (None, "") when the file does not say."""
    votes: dict[str, int] = {}
    why = ""
    for name, spec in specs.items():
        if spec.subdir and spec.subdir in PLATFORMS:
            return spec.subdir, "the file's subdirs"
    built = [(name, spec.build) for name, spec in specs.items() if spec.build and "*" not in spec.build]
    for k, (name, build) in enumerate(built):
        if votes:  # (a platform more votes ahead than builds are left: no other can reach it, nor tie)
            top = sorted(votes.values(), reverse=True) + [0]
            if top[0] - top[1] > len(built) - k:
                break
        head = build.split("_")[0]
        if head in _DEFAULTS_HASH:
            votes[_DEFAULTS_HASH[head]] = votes.get(_DEFAULTS_HASH[head], 0) + 1
            continue
        if graph is not None and _HASHED.search(build) and not graph.platforms(name) <= {"noarch"}:
            # (from the index: a name built for noarch alone, or not in the snapshot, casts no vote, and its
            # builds need not be read; nor does a build string without a hash, ``blas=1.1=openblas`` or
            # ``py35_0``: the same string names the build of every platform, whichever the snapshot has)
            subdirs = {subdir for subdir, _channel in graph.with_build(name, build)} - {"noarch"}
            if len(subdirs) == 1:
                p = subdirs.pop()
                votes[p] = votes.get(p, 0) + 1
    if votes:
        best = max(sorted(votes), key=lambda p: votes[p])
        return best, "the file's build strings"
    families = {fam for fam, names in _PLATFORM_NAMES.items() for n in names if n in specs}
    if len(families) == 1:
        fam = families.pop()
        return {"win": "win-64", "osx": "osx-64" if "osx-arm64" not in _arm_hint(specs) else "osx-arm64",
                "linux": "linux-64"}[fam], "the file's packages"
    return None, why


def unselected_specs(lines) -> dict:
    """The specs of (selector, spec) lines that carry no selector, by name: what may say which platform a file
    is for (``pywin32  # [win]`` in a file for several platforms says nothing of the one it is built for)."""
    out: dict = {}
    for sel, spec, *_ in lines:
        if not sel:
            out.setdefault(spec.name, spec)
    return out


def doc_platform(doc, specs, graph: Graph | None = None) -> tuple[str | None, str]:
    """The platform ``doc`` is for when none is given: the one a pixi manifest's platforms list says its
    lines are judged on (``doc.platform``), else what the file's specs say (:func:`platform_of`), else the
    one of an environment file's ``platforms:`` key (conda-lock's) it is judged on."""
    listed = getattr(doc, "platform", None)
    if listed:
        return listed, "the manifest's platforms"
    platform, why = platform_of(specs, graph)
    keyed = getattr(doc, "listed_platform", None)  # (an environment file's conda-lock platforms: key)
    return (platform, why) if platform or not keyed else (keyed, "the file's platforms key")


def scope_python(doc) -> dict:
    """``{"python": spec}`` of the python line a pixi scope's environment uses (``doc.python_line``), or {}."""
    line = getattr(doc, "python_line", None)
    spec = condaspec.parse_line(line) if line else None
    return {"python": spec} if spec is not None else {}


def _arm_hint(specs) -> str:
    for spec in specs.values():
        if spec.build and "arm64" in spec.build:
            return "osx-arm64"
    return ""


def selector_allows(selector: str | None, platform: str) -> bool:
    """Whether a line's conda-build selector (``linux``, ``not win``, ``osx and arm64``) keeps it on
    ``platform``; an expression this reader cannot judge keeps the line."""
    if not selector:
        return True
    os_name = platform.split("-")[0]
    arch = platform.split("-", 1)[1] if "-" in platform else ""
    names = {"linux": os_name == "linux", "osx": os_name == "osx", "win": os_name == "win",
             "unix": os_name in ("linux", "osx"), "linux64": platform == "linux-64", "win64": platform == "win-64",
             "osx64": platform == "osx-64", "arm64": arch in ("arm64", "aarch64"), "aarch64": arch == "aarch64",
             "x86_64": arch == "64", "x86": arch == "64", "ppc64le": arch == "ppc64le"}
    expr = selector.strip()
    tokens = re.findall(r"[A-Za-z_][A-Za-z0-9_]*|[()]", expr)
    out = []
    for tok in tokens:
        if tok in ("and", "or", "not", "(", ")"):
            out.append(tok)
        elif tok in names:
            out.append(str(names[tok]))
        else:
            return True
    try:
        return bool(eval(" ".join(out), {"__builtins__": {}}, {}))  # only True/False/and/or/not/()
    except SyntaxError:
        return True


@dataclass(frozen=True)
class Figure:
    """What one package costs on the target: installed bytes, the estimate's range, and where it comes from."""

    name: str
    bytes: int
    low: int
    high: int
    estimate: bool
    build: Build
    stand_in: str = ""  # why another Python's build of the same version stands in ("" when it fits)

    @property
    def source(self) -> str:
        return self.build.source


class Environment:
    """One file's environment for one target (see the module docstring)."""

    def __init__(self, target: Target, requested: dict, pip: dict, graph: Graph) -> None:
        self.target = target
        self.graph = graph
        self.requested: dict = requested  # conda name -> MatchSpec (the file's lines)
        self.pip: dict[str, str] = pip  # PyPI name (normalised) -> requirement text
        self.packages: dict[str, Build | None] = {}  # chosen builds, walked transitively (None: unknown)
        self.unknown: set[str] = set()
        self.stand_in: dict[str, str] = {}  # name -> why its build is a stand-in
        self.why_unknown: dict[str, str] = {}
        self._serving: dict[str, str | None] = {}
        self._edges: dict[str, tuple[frozenset[str], bool]] = {}
        # spec text -> (MatchSpec, version only, answers): kept on the graph, so the environments of one
        # file (a rename's walk again) share what was matched
        self._spec_info: dict[str, tuple] = graph.memo.setdefault("spec_info", {})
        self._fits_memo: dict[tuple, bool] = graph.memo.setdefault("fits_python", {})
        # (name, its line, target) -> what its rows may depend on (edges): shared by the environments on the graph
        self._rows_edges: dict[tuple, tuple] = graph.memo.setdefault("rows_edges", {})
        self._masks, self._ranks = graph.masks, graph.ranks
        self._specs: dict[str, list] = {}  # name -> every spec seen for it in the walk
        self._implied: dict[str, list] = {}  # name -> specs a requested metapackage implies (IMPLIED_SPECS)
        self._own: dict[str, list] = {}  # name -> the file's own specs: its line, then what _implied holds
        self._hard: dict[str, bool] = {}  # a depends string -> whether it can hold with the file's own specs
        self._hard_builds: dict[tuple, bool] = {}  # a build -> whether its depends hold with the file's own specs
        self._depends_of: dict[str, tuple] = {}  # name -> (its chosen build, the names it depends on)
        self._searches: dict[tuple, list] = {}  # path's searches: (from, without) -> [prev, queue, next]
        self._soft: dict[tuple, bool] = {}  # (depends string, how many specs its name has) -> can they hold
        self._held: dict[str, object] = {}  # name -> the lock's pin the walk holds it to
        self._asked: dict[tuple, int] = {}  # (name, depends string) -> how many chosen builds ask it, where more than one
        self.pins: tuple = ()  # specs a lock file holds its packages to (``name version build``): hard, not roots
        self._pin_texts: tuple[str, ...] = ()  # (their texts)

    # -- building -------------------------------------------------------------------------------
    @classmethod
    def from_document(cls, doc, target: Target | None = None, graph: Graph | None = None,
                      pins: tuple[str, ...] = ()) -> "Environment":
        """The environment of ``doc`` (anything with ``deps``, ``pip_items`` and ``channel_names``: an
        environment file or one pixi environment's lines). ``target`` defaults to what the file says
        (platform, channels, python pin), linux-64 where it does not say. ``pins``: the exact builds a lock
        file installs (``numpy 2.3.4 py312h33ff503_0``): a package it holds is that build or unknown."""
        env = cls.lines_of(doc, target, graph)
        env.pins = tuple(condaspec.parse(p) for p in pins)
        env._pin_texts = tuple(pins)
        return env._walked()

    def _walked(self) -> "Environment":
        """This environment walked, or the one walked before for the same lines: the same lines (in the same
        order) walked for the same target on the same graph give the same environment. The rules' walk and
        the report's share it, and so do a rename's walk (:meth:`replaced`) and the plan's next round, which
        reads the renamed file."""
        key = (self.target, tuple((n, str(s)) for n, s in self.requested.items()), tuple(sorted(self.pip.items())),
               self._pin_texts)
        walked = self.graph.memo.setdefault("environments", {})  # (the last few only)
        got = walked.get(key)
        if got is not None:
            return got
        self._walk()
        walked[key] = self
        if len(walked) > 8:
            del walked[next(iter(walked))]
        return self

    @classmethod
    def lines_of(cls, doc, target: Target | None = None, graph: Graph | None = None) -> "Environment":
        """:meth:`from_document` before its walk: the target, the requested specs and pip lines, and what the
        graph's index alone says (:meth:`serving_channel`); no package is chosen yet."""
        graph = graph if graph is not None else snapshot()
        lines = []
        for item in doc.deps:
            spec = condaspec.parse_line(item.text)
            if spec is not None and not spec.name.startswith("__"):
                lines.append((getattr(item, "selector", None), spec, getattr(item, "only_on", ())))
        everything = {}
        for _sel, spec, _on in lines:
            everything.setdefault(spec.name, spec)
        if target is None:
            # (a line under a selector, ``pywin32  # [win]``, says the file serves several platforms: no vote)
            platform, why = doc_platform(doc, unselected_specs(lines), graph)
            target = Target(platform or DEFAULT_PLATFORM, file_channels(doc.channel_names),
                            python_pin(scope_python(doc) or everything), why or "default")
        requested: dict = {}
        for sel, spec, only_on in lines:  # (only_on: a pixi target table's line, installed on those platforms)
            if selector_allows(sel, target.platform) and (not only_on or target.platform in only_on):
                requested.setdefault(spec.name, spec)
        pip: dict[str, str] = {}
        for item in getattr(doc, "pip_items", ()):
            text = item.text.strip()
            if text.startswith("-"):
                continue
            m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
            if m and "://" not in text.split(";")[0].split("@")[0]:
                pip.setdefault(re.sub(r"[-_.]+", "-", m.group(1)).lower(), text)
        return cls(target, requested, pip, graph)

    @classmethod
    def from_specs(cls, specs, target: Target, graph: Graph | None = None) -> "Environment":
        """The environment of the given conda specs (text or MatchSpec) alone, for ``target``."""
        parsed = [condaspec.parse(s) if isinstance(s, str) else s for s in specs]
        env = cls(target, {s.name: s for s in parsed}, {}, graph if graph is not None else snapshot())
        env._walk()
        return env

    @classmethod
    def from_records(cls, records, target: Target, graph: Graph | None = None) -> "Environment":
        """An environment from solved records (``--solve``/``--verify``): each record a mapping (or object)
        with name, version, build, subdir, channel, depends, size and, where known, installed bytes."""
        env = cls(target, {}, {}, graph if graph is not None else Graph(data=b""))
        for r in records:
            get = r.get if isinstance(r, dict) else (lambda k, _r=r: getattr(_r, k, None))
            name = get("name")
            installed = get("installed_bytes")
            version, build, depends = str(get("version")), str(get("build") or ""), tuple(get("depends") or ())
            b = Build(name, version, build, str(get("subdir") or target.platform),
                      channel_id(str(get("channel") or "conda-forge")), depends,
                      get("size") or get("archive_bytes"), installed, None, str(get("source") or "the solve"),
                      python=python_of(name, version, build, depends))
            env.packages[name] = b
        env.requested = {}
        return env

    def _serving_channel(self, name: str, spec) -> str | None:
        """The channel a strict-priority solve takes ``name`` from, or None when the snapshot cannot say."""
        if spec is not None and getattr(spec, "channel", None):
            return channel_id(spec.channel)
        if name in self._serving:
            return self._serving[name]
        found: str | None = None
        for c in self.target.channels:
            if self.graph.knows(name, c):
                found = c
                break
            if c in ("conda-forge", "defaults"):  # serve (nearly) everything: no data is unknown, not "absent"
                found = None if not self.graph.knows(name, c) else c
                break
            if not _third_party_may_carry(c, name):
                continue
            found = None  # a channel that may carry it, without data
            break
        self._serving[name] = found
        return found

    def _choices(self, name: str) -> int:
        """How many builds the snapshot has for ``name`` on its channel for the target."""
        channel = self._serving.get(name)
        if channel is None:
            return 0
        return len(self.graph.builds(name, platform=self.target.platform, channel=channel, python=self.target.python))

    def _match_key(self, spec, name: str, version: str, build: str, subdir: str) -> bool:
        """:meth:`_match` on a build's name, version, build string and subdir (before it is made)."""
        if spec.__class__ is str:  # a depends string: the snapshot's mask of the versions it allows
            bits = self._masks.get(spec)
            if bits is not None:
                rank = self._ranks.get(name, _NO_RANKS).get(version)
                if rank is not None:
                    return bits >> rank & 1 == 1
            text = spec
        else:
            text = _spec_key(spec)
        info = self._spec_info.get(text)
        if info is None:
            info = self._info(text, spec)
        parsed, version_only, cache = info
        if parsed is None:
            return True
        key = version if version_only else (version, build, subdir)
        got = cache.get(key)
        if got is None:
            if version_only:
                got = parsed.matches_version(version)
            else:
                got = parsed.match({"name": name, "version": version, "build": build, "subdir": subdir,
                                    "build_number": build_number(build)})
            cache[key] = got
        return got

    def _info(self, text: str, spec) -> tuple:
        """(the parsed spec or None where conda cannot read it, whether only its version counts, the
        remembered answers), shared by every environment on the same graph."""
        if spec.__class__ is str:
            try:
                spec = condaspec.parse(spec)
            except condaspec.CondaSpecError:
                spec = None
        info = self._spec_info[text] = (spec, spec is not None and version_only(spec), {})
        return info

    def serving_channel(self, name: str) -> str | None:
        """The channel a strict-priority solve of this file takes ``name`` from (None: the snapshot cannot say)."""
        return self._serving_channel(name, self.requested.get(name))

    def replaced(self, old: str, new: str, new_spec=None) -> "Environment":
        """This environment with the requested ``old`` replaced by ``new`` (``new_spec``, default the bare
        name), walked again for the same target: what a rename leaves behind."""
        spec = new_spec if new_spec is not None else condaspec.parse(new)
        listed = new in self.requested  # (then the fix drops ``old``; else ``new`` takes its line)
        requested = {(new if n == old else n): (spec if n == old else s) for n, s in self.requested.items()
                     if n != old or not listed}  # (in the file's order: the renamed file's lines)
        env = Environment(self.target, requested, dict(self.pip), self.graph)
        env.pins, env._pin_texts = self.pins, self._pin_texts
        return env._walked()

    def _pin_in_snapshot(self, spec):
        """A lock's pin as the snapshot can hold it: the exact build where the snapshot has it, else another build
        of that version of the same variant (:func:`loose_pin`: a rebuild stands in; a CPU build never stands in
        for a CUDA one), else the pin itself where the snapshot has that version only in other variants (the
        package is then unknown, never priced as the other variant), else None (the version is not in the
        snapshot: holding it would leave everything that depends on it unknown, so the snapshot's choice stands,
        labelled a stand-in)."""
        channel = self._serving_channel(spec.name, None)
        pool = self.graph.builds(spec.name, platform=self.target.platform, channel=channel) if channel else []
        if any(self._match(spec, b) for b in pool):
            return spec
        if not spec.raw_version:
            return None
        loose = condaspec.parse(loose_pin(f"{spec.name} {spec.raw_version} {spec.build or ''}".strip()))
        if any(self._match(loose, b) for b in pool):
            return loose
        version = condaspec.parse(f"{spec.name} =={spec.raw_version}")
        return spec if any(self._match(version, b) for b in pool) else None

    def _match(self, spec, b: Build) -> bool:
        """``spec.match(b)``, remembered: a walk asks the same spec about the same versions many times.
        ``spec`` may be a depends string, parsed here (once per process); one conda cannot read matches."""
        return self._match_key(spec, b.name, b.version, b.build, b.subdir)

    def _choose(self, name: str, specs: list, channel: str) -> tuple[Build | None, str]:
        """The build a solver would take for ``name`` given every spec seen for it, and why it is a
        stand-in ("" when it fits the target)."""
        platform, python = self.target.platform, self.target.python

        def allowed(builds):  # newest first, lazily: most choices are made in the newest release series
            if len(builds) == 1 and name not in self.requested and name not in self._implied:
                # one build to take: the depends that name it need not be read
                yield from (b for b in builds if for_platform(b, platform))
                return
            if isinstance(builds, Builds):  # specs read the version and build: a build is made only if it passes
                match = self._match_key
                mask, rest = self._joint_mask(specs)
                if mask is not None and not mask & builds.ranks_mask():
                    return  # (no version here is one the depends strings allow)
                checks = specs if mask is None else rest
                marked = builds.os_marked()
                for i in range(len(builds)):
                    # the depends strings with a mask, read at once from the version's rank
                    if mask is not None and not mask >> builds.rank(i) & 1:
                        continue
                    version, build, subdir = builds.key(i)
                    for s in checks:
                        if not match(s, name, version, build, subdir):
                            break
                    else:
                        if not marked or os_allows(builds.dep_names(i), platform):
                            yield builds[i]
                return
            for b in builds:
                if for_platform(b, platform) and all(self._match(s, b) for s in specs):
                    yield b

        # the target's Python's builds (and those of no Python in particular) first; the others are read
        # only for a stand-in: another Python's build of a version the specs allow (a noarch package that
        # does not install beside the target's Python is unknown)
        best = self._series(b for b in allowed(self.graph.builds(name, platform=platform, channel=channel,
                                                                 python=python)) if self._fits(b))
        if best is not None:
            return best, ""
        every = self.graph.builds(name, platform=platform, channel=channel)
        if python is not None:
            best = self._series(b for b in allowed(every) if b.python)
            if best is not None:
                return best, f"stand-in: {best.version} {best.build} is built for Python {best.python}, not {python}"
        if every and len(specs) > 1 and not any(True for _ in allowed(every)):
            # specs from builds of different lock files may disagree: the builds most of them allow
            requested = self.requested.get(name)
            held = self._held.get(name)  # (a lock's build is held, never outvoted)
            # (a depends string counts once for each chosen build that asks it: pytorch's and libtorch's mkl <2025
            # outweigh the one libblas build's mkl >=2026)
            asked = self._asked
            match = self._match_key  # (read from the rows: only the builds of the pool are made)
            keys = [every.key(i) for i in range(len(every))] if isinstance(every, Builds) else [
                (b.version, b.build, b.subdir) for b in every]
            scored = [(sum(asked.get((name, s), 1) if s.__class__ is str else 1 for s in specs if match(s, name, *k)), i)
                      for i, k in enumerate(keys) if (requested is None or match(requested, name, *k))
                      and (held is None or match(held, name, *k))]
            if scored:
                top = max(n for n, _ in scored)
                pool = [every[i] for n, i in scored if n == top]
                best = self._series(b for b in pool if self._fits(b))
                if best is not None:
                    return best, ""
        return None, ""

    def _joint_mask(self, specs: list) -> tuple[int | None, list]:
        """The versions (by rank, as :meth:`_match_key` reads a mask) that every one of ``specs`` with a mask
        in the snapshot allows, one mask for them all (None when none has one), and the other specs."""
        masks = self._masks
        mask = None
        rest = []
        for s in specs:
            m = masks.get(s) if s.__class__ is str else None
            if m is None:
                rest.append(s)
            else:
                mask = m if mask is None else mask & m
        return mask, rest

    def _fits(self, b: Build) -> bool:
        """:func:`fits_python` for the target's Python, remembered for builds without a Python of their own
        (noarch: the answer depends only on their python depends)."""
        if self.target.python is None or b.name == "python" or b.python is not None:
            return fits_python(b, self.target.python)
        return self._fits_depends(b.depends, lambda: b)

    def _fits_depends(self, depends, make) -> bool:
        """:func:`fits_python` of a build without a Python of its own, from its depends (``make`` makes the
        build where the answer is not yet known); shared by the environments on the same graph."""
        return self._fits_pydeps(tuple(d for d in depends if d.startswith(PYTHON_DEPENDS)), make)

    def _fits_pydeps(self, pydeps: tuple[str, ...], make) -> bool:
        """:meth:`_fits_depends` from the build's depends on a version of Python alone."""
        if not pydeps:
            return True
        key = (self.target.python, pydeps)
        got = self._fits_memo.get(key)
        if got is None:
            got = self._fits_memo[key] = fits_python(make(), self.target.python)
        return got

    def _series(self, candidates) -> Build | None:
        """The build to take from ``candidates`` (newest first), release series by series: one whose depends
        agree with what the file asks for (a torchvision built for another pytorch than the file pins is not
        installable with it; cpuonly's pytorch-mutex cpu rules out a CUDA build); within the series, one that
        agrees with what the other builds ask for, not a tracked variant (MKL BLAS), without an optional
        variant's extra library (icu of libsqlite, which comes in only where something else brings it), then
        the newest version and, among its builds, the one that brings in the fewest new packages."""
        it = iter(candidates)
        b = next(it, None)
        while b is not None:
            series = ".".join(b.version.split(".")[:2])
            group = [b]
            b = next(it, None)
            while b is not None and b.version == group[0].version:  # the series' newest version first
                group.append(b)
                b = next(it, None)
            if b is not None and (b.version == series or b.version.startswith(series + ".")):
                # the series goes on: where one of the newest version's builds wins on everything but the
                # version, no older build of the series can beat it, and they are not read (nor made)
                good = [g for g in group if self._consistent(g, hard=True)]
                if good:
                    if len(good) == 1:
                        best, preference = good[0], self._preference(good[0])
                    else:
                        preference, _new, best = min(((self._preference(g), self._new_names(g), g) for g in good),
                                                     key=lambda t: t[:2])
                    if not any(preference):
                        return best
                while b is not None and (b.version == series or b.version.startswith(series + ".")):
                    group.append(b)
                    b = next(it, None)
            good = [g for g in group if self._consistent(g, hard=True)]
            if good:
                top = good[0].version
                return (min(good, key=lambda g: self._preference(g) + (g.version != top, self._new_names(g)))
                        if len(good) > 1 else good[0])
        return None

    def _preference(self, b: Build) -> tuple[bool, bool, bool]:
        """What :meth:`_series` prefers before the version (False is better): agreeing with what the other
        builds ask for, not a tracked variant, without an optional variant's extra library."""
        return not self._consistent(b), _tracked(b), self._optional(b)

    def _optional(self, b: Build) -> bool:
        """Whether ``b`` is the variant of its package that links an optional library the environment does
        not otherwise have (OPTIONAL_VARIANT_DEPS)."""
        for d in b.depends:
            if d.startswith(_OPTIONAL_PREFIXES):  # (a cheap look first: few depends could be one)
                n = d.partition(" ")[0]
                if n in OPTIONAL_VARIANT_DEPS and n not in self._specs:
                    return True
        return False

    def _new_names(self, b: Build) -> int:
        return sum(1 for d in b.depends if d.partition(" ")[0] not in self.packages and not d.startswith("__"))

    def _consistent(self, b: Build, hard: bool = False) -> bool:
        """Whether every depends of ``b`` on a name the environment already has specs for can be met by
        a build the snapshot has that also meets those specs (names it has no builds of are not judged).
        ``hard``: only the file's own specs (and what its metapackages imply) count, which a solver cannot
        break; the specs other builds brought are a preference (the snapshot mixes lock files)."""
        if hard:  # the file's own specs do not change during a walk: one answer per build
            key = (b.name, b.version, b.build, b.subdir, b.channel)
            got = self._hard_builds.get(key)
            if got is None:
                got = self._hard_builds[key] = self._consistent_with(b, True)
            return got
        return self._consistent_with(b, False)

    def _consistent_with(self, b: Build, hard: bool) -> bool:
        specs = self._own if hard else self._specs
        for dep in b.depends:
            dn = dep.partition(" ")[0]
            others = specs.get(dn)
            if not others or dn in _PYTHON_NAMES or dn == b.name or dn.startswith("__"):
                continue  # the target's Python is judged by fits_python
            if hard:
                ok = self._hard.get(dep)
                if ok is None:
                    channel = self._serving_channel(dn, self.requested.get(dn))
                    pool = self.graph.builds(dn, platform=self.target.platform, channel=channel) if channel else []
                    ok = self._hard[dep] = _readable(dep, self._masks) and _compatible(dep, dn, others, pool,
                                                                                      self._match_key)
                if not ok:
                    return False
                continue
            # the specs seen for a name only grow during a walk (appended): the answer for this many of them
            soft = (dep, len(others))
            ok = self._soft.get(soft)
            if ok is None:
                ok = self._soft[soft] = self._meets(dep, dn, others)
            if not ok:
                return False
        return True

    def _meets(self, dep: str, dn: str, others) -> bool:
        """Whether some build of ``dn`` on its serving channel meets ``dep`` and every spec in ``others``
        (read from the rows: the builds need not be made); True where the snapshot has none."""
        channel = self._serving_channel(dn, self.requested.get(dn))
        pool = self.graph.builds(dn, platform=self.target.platform, channel=channel) if channel else []
        if not pool:
            return True
        match = self._match_key
        if isinstance(pool, Builds):
            mask, rest = self._joint_mask([dep, *others])
            if mask is not None:  # the depends strings with a mask, read at once for every version the pool has
                mask &= pool.ranks_mask()
                if not mask:
                    return False
                if not rest:
                    return True
            for i in range(len(pool)):
                version, build, subdir = pool.key(i)
                if mask is not None and not mask >> pool.rank(i) & 1:
                    continue
                if all(match(o, dn, version, build, subdir) for o in (rest if mask is not None else (dep, *others))):
                    return True
            return False
        return any(self._match(dep, x) and all(self._match(o, x) for o in others) for x in pool)

    def _walk(self) -> None:
        specs: dict[str, list] = {}
        self._specs = specs
        for name in list(self.requested):
            for implied in IMPLIED_SPECS.get(name, ()):
                spec = condaspec.parse(implied)
                specs.setdefault(spec.name, []).append(spec)
                self._implied.setdefault(spec.name, []).append(spec)
        unheld = {}  # name -> the lock's version the snapshot does not have (the walk's choice stands in)
        for pin in self.pins:  # (a lock file's builds: held like an implied spec, never a root)
            spec = self._pin_in_snapshot(pin)
            if spec is not None:
                specs.setdefault(spec.name, []).append(spec)
                self._implied.setdefault(spec.name, []).append(spec)
                self._held[spec.name] = spec
            elif pin.raw_version:
                unheld[pin.name] = pin.raw_version
        for name, spec in self.requested.items():
            specs.setdefault(name, []).append(spec)
        own = self._own = {name: [spec] for name, spec in self.requested.items()}
        for name, implied in self._implied.items():
            own.setdefault(name, []).extend(implied)
        if self.target.python:  # the target's Python, for whatever brings python in
            specs.setdefault("python", []).append(condaspec.parse(f"python {self.target.python}.*"))
        roots = list(self.requested)
        queue = deque(roots)
        queued = set(roots)
        texts: dict[str, set] = {}  # name -> the texts of its specs (a depends string is added once)
        seen_rounds: dict[str, int] = {}
        while queue:
            name = queue.popleft()
            queued.discard(name)
            channel = self._serving_channel(name, self.requested.get(name))
            if channel is None:
                self.packages[name] = None
                self.why_unknown[name] = self._unknown_reason(name)
                continue
            chosen, why = self._choose(name, specs[name], channel)
            if chosen is None:
                self.packages[name] = None
                py = f" (Python {self.target.python})" if self.target.python else ""
                self.why_unknown[name] = (f"no {self.target.platform}{py} build on {channel} in the snapshot for "
                                          + " and ".join(sorted({str(s) for s in specs[name]})))
                continue
            old = self.packages.get(name)
            if old == chosen:
                continue
            self.packages[name] = chosen
            self.why_unknown.pop(name, None)
            if why:
                self.stand_in[name] = why
            else:
                self.stand_in.pop(name, None)
            seen_rounds[name] = seen_rounds.get(name, 0) + 1
            for dep in chosen.depends:
                dn = dep.partition(" ")[0]
                if dn.startswith("__"):
                    continue
                if why and dn in ("python", "python_abi"):  # a stand-in's own Python is not the file's
                    dep = dn
                bucket = specs.setdefault(dn, [])  # depends stay text until a choice needs them parsed
                seen = texts.get(dn)
                if seen is None:
                    seen = texts[dn] = {x if isinstance(x, str) else x.original for x in bucket}
                if dep not in seen:
                    seen.add(dep)
                    bucket.append(dep)
                else:
                    self._asked[(dn, dep)] = self._asked.get((dn, dep), 1) + 1
                have = self.packages.get(dn, False)
                if have is False or (have is not None and seen_rounds.get(dn, 0) < 3 and self._choices(dn) > 1
                                     and not self._match(dep, have)):
                    if dn not in queued:
                        queued.add(dn)
                        queue.append(dn)
        # keep only what the roots reach through the chosen builds (a re-chosen build's old depends go)
        reach = self.closure(roots)
        self.packages = {n: b for n, b in self.packages.items() if n in reach}
        self.unknown = {n for n, b in self.packages.items() if b is None}
        for name, version in unheld.items():  # another version than the lock's: a stand-in, said so
            b = self.packages.get(name)
            if b is not None and b.version != version and name not in self.stand_in:
                self.stand_in[name] = (f"stand-in: {b.version} {b.build} for {version}, the version the lock"
                                       " holds (not in the snapshot)")

    def _unknown_reason(self, name: str) -> str:
        chans = ", ".join(self.target.channels)
        have = sorted(self.graph.channels_of(name))
        if have:
            return f"the snapshot has {name} on {', '.join(have)} only; the file's channels are {chans}"
        return f"not in the snapshot ({self.graph.date})"

    # -- reading --------------------------------------------------------------------------------
    def depends_of(self, name: str) -> set[str]:
        """The names the chosen build of ``name`` depends on (virtual packages left out)."""
        return set(self._dep_names(name))

    def _dep_names(self, name: str) -> frozenset[str]:
        """:meth:`depends_of`, read once per chosen build (closures ask again and again)."""
        b = self.packages.get(name)
        if b is None:
            return frozenset()
        got = self._depends_of.get(name)
        if got is None or got[0] is not b:
            got = self._depends_of[name] = (b, frozenset(d.partition(" ")[0] for d in b.depends
                                                         if not d.startswith("__")))
        return got[1]

    def closure(self, roots, *, without=()) -> set[str]:
        """Every name reached from ``roots`` through the chosen builds, not walking through ``without``
        (the roots themselves included, unless excluded)."""
        return self._reach(roots, without, self._dep_names)

    def kept(self, roots, *, without=()) -> set[str]:
        """What ``roots`` keep installed, conservatively: :meth:`closure` through the chosen builds, and from a
        package without one that fits (unknown, a stand-in, or a name the walk never chose) what its
        :meth:`edges` reach, the union over every version the file's pins allow, else over every version the
        snapshot has (issue 22: a package reaches another if any version allowed does). What leaves is what
        the environment has beyond this; a name the snapshot does not know at all keeps what cannot be seen
        (:meth:`unseen`)."""
        return self._reach(roots, without, self._keeps)

    def _keeps(self, name: str) -> frozenset[str]:
        if self.packages.get(name) is not None and name not in self.stand_in:
            return self._dep_names(name)
        return self.edges(name)[0]

    @staticmethod
    def _reach(roots, without, step) -> set[str]:
        skip = set(without)
        out: set[str] = set()
        stack = [r for r in roots if r not in skip]
        while stack:
            n = stack.pop()
            if n in out:
                continue
            out.add(n)
            stack.extend(d for d in step(n) if d not in out and d not in skip)
        return out

    def unseen(self, names) -> list[str]:
        """Those of ``names`` the snapshot does not know at all for the target (on any channel): what they keep
        cannot be judged offline."""
        return sorted(n for n in names if not self.knows_name(n))

    def forced(self, kept, leaving, worth: int = 0) -> list[tuple[str, str, str, str]]:
        """Those of ``kept`` whose chosen build a package of ``leaving`` forced on the walk against a spec of a
        package that stays (or of the file's own line), where another build meets every staying spec: (name, the
        staying package, the spec of it the build breaks, the leaving package whose spec it meets), by name.
        The walk meets such a conflict where the snapshot's builds disagree (libopencv 4.10 asks ``qt6-main >=6.8.1,<6.9.0a0``, pyside6 6.11.1 asks
        ``qt6-main 6.11.1.*``) and takes the build most specs allow; a solver would change the leaving package's
        build instead. Without the leaving package the staying one is chosen again, so what stays of it is not
        what this environment holds. Only where that matters: the build the staying specs would take instead
        differs by ``worth`` bytes or more, or depends on a name the environment does not have (qt6-main 6.8.3
        brings libllvm20 where 6.11.1 did not), not a rebuild of about the same size (libpq 18.4 against 17.7)."""
        if not leaving:
            return []
        kept = set(kept)
        by_name: dict[str, list] = {}  # a name that stays, which a leaving package depends on -> (package, spec)
        for p in sorted(leaving):  # (by name: the text names the first, the same in every process)
            if self.packages.get(p) is not None and self._dep_names(p) & kept:
                for d in self.packages[p].depends:
                    n = d.partition(" ")[0]
                    if n in kept:
                        by_name.setdefault(n, []).append((p, d))
        if not by_name:
            return []
        names = set(by_name)
        for p in sorted(kept):  # (the specs of the packages that stay, on those names)
            if self.packages.get(p) is not None and self._dep_names(p) & names:
                for d in self.packages[p].depends:
                    n = d.partition(" ")[0]
                    if n in names and n != p:
                        by_name[n].append((p, d))
        out = []
        for x in sorted(names - {"python", "python_abi"}):  # (the file's target decides the Python)
            chosen = self.packages.get(x)
            if chosen is None:
                continue
            specs = by_name[x]
            forcing = [(p, d) for p, d in specs if p in leaving and self._match(d, chosen)]
            if not forcing:
                continue
            staying = [(p, d) for p, d in specs if p not in leaving and p not in self.stand_in]  # (a stand-in's
            # specs are another build's: cpython 3.14.6 standing in beside python 3.12 asks python 3.14)
            if x in self.requested:
                staying.append(("the file", self.requested[x]))
            broken = [(p, d) for p, d in staying if not self._match(d, chosen)]
            if not broken:
                continue
            channel = self._serving.get(x)
            others = self.graph.builds(x, platform=self.target.platform, channel=channel) if channel else ()
            alt = next((b for b in others if all(self._match(d, b) for _p, d in staying)), None)
            if alt is None:
                continue
            size, other = (chosen.figure or (None,))[0], (alt.figure or (None,))[0]
            new = {d.partition(" ")[0] for d in alt.depends if not d.startswith("__")} - set(self.packages)
            if size is None or other is None or abs(size - other) >= worth or new:
                p, d = broken[0]
                out.append((x, p, d if isinstance(d, str) else d.original, forcing[0][0]))
        return out

    def edges(self, name: str) -> tuple[frozenset[str], bool]:
        """The names ``name`` may depend on, conservatively: the union over every build the file's pins
        allow for the target (platform, channel, Python), or, where the snapshot has none of those, over
        every build it has on that platform (then the second value is True: a stand-in)."""
        got = self._edges.get(name)
        if got is not None:
            return got
        spec = self.requested.get(name)
        # what the rows give depends on the name, its line and the target alone: the environments of one file
        # (a rename's, the plan's next round) share it; the chosen build's depends are this environment's
        key = (name, None if spec is None else str(spec), self.target)
        shared = self._rows_edges.get(key)
        if shared is None:
            shared = self._rows_edges[key] = self._edges_from_rows(name, spec)
        names, stand_in = shared
        chosen = self.packages.get(name)
        if chosen is not None:
            names |= self._dep_names(name)
        got = (names, stand_in)
        self._edges[name] = got
        return got

    def _edges_from_rows(self, name: str, spec) -> tuple[frozenset[str], bool]:
        """:meth:`edges` before the chosen build's depends are added: the union over the rows."""
        channel = self._serving_channel(name, spec)
        platform, python = self.target.platform, self.target.python
        allowed: list = []
        rows: list = []
        stand_in = False
        if channel and python is not None and name != "python":
            # the rows of the target's Python (and of none in particular) first: the walk has read them already
            mine = self.graph.builds(name, platform=platform, channel=channel, python=python)
            allowed = self._allowed_rows(name, spec, _os_rows([mine], platform))
        if not allowed:  # every build on the platform (not on its channel: another channel's stand in)
            own = self.graph.builds(name, platform=platform, channel=channel) if channel else []
            sources = [own] if len(own) else [self.graph.builds(name, platform=platform, channel=c) for c in
                                               sorted(self.graph.channels_of(name), key=lambda c: c != "conda-forge")]
            rows = _os_rows(sources, platform)
            allowed = self._allowed_rows(name, spec, rows)
            stand_in = not allowed or channel is None or not len(own)
        pool = _undominated(allowed or rows)
        union: set[str] = set()
        by_builds: dict[int, tuple] = {}  # (the rows of each list of builds, read together)
        for bs, i in pool:
            by_builds.setdefault(id(bs), (bs, []))[1].append(i)
        for bs, idx in by_builds.values():
            union |= bs.names_of(idx)
        return frozenset(d for d in union if not d.startswith("__")), stand_in and bool(rows)

    def _allowed_rows(self, name: str, spec, rows: list) -> list:
        """Those of ``rows`` (``(builds, i)``) the file's pin ``spec`` allows for the target's Python, read from
        the rows (the builds need not be made)."""
        python = self.target.python
        allowed = []
        for bs, i in rows:
            if spec is not None and not self._match_key(spec, name, *bs.key(i)):
                continue
            if python is not None:
                tag = bs.python_of_row(i)
                if tag is not None:
                    if tag != python:
                        continue
                elif not self._fits_pydeps(bs.python_depends(i), lambda bs=bs, i=i: bs[i]):
                    continue  # (a build that names no version of python fits any)
            allowed.append((bs, i))
        return allowed

    def knows(self, name: str) -> bool:
        """Whether the snapshot has ``name`` on the channel that serves it for this file."""
        channel = self._serving_channel(name, self.requested.get(name))
        return channel is not None and bool(self.graph.builds(name, platform=self.target.platform, channel=channel))

    def knows_name(self, name: str) -> bool:
        """Whether the snapshot has ``name`` for the target platform on any channel: its depends there stand in
        for the serving channel's when that one is missing (issue 22: "the snapshot knows a package when it
        has its name")."""
        return not self.graph.platforms(name).isdisjoint((self.target.platform, "noarch"))  # (read from the index)

    def path(self, frm, to: str, *, without=()) -> list[str] | None:
        """The shortest chain of names from one of ``frm`` to ``to`` (both ends included), conservatively:
        an edge exists if ANY build the file's pins allow depends on it (:meth:`edges`). None when none
        reaches it. Names in ``without`` are not walked through."""
        skip = frozenset(without)
        start = tuple(n for n in sorted(frm) if n not in skip)
        # one breadth-first search per (from, without), resumed where the last question left it: a name's
        # predecessor is fixed when it is first seen, so the chain is the same as a search of its own
        state = self._searches.get((start, skip))
        if state is None:
            state = self._searches[(start, skip)] = [{n: None for n in start}, list(start), 0]
        prev, queue, head = state
        while to not in prev and head < len(queue):
            n = queue[head]
            head += 1
            for d in sorted(self.edges(n)[0]):
                if d not in prev and d not in skip:
                    prev[d] = n
                    queue.append(d)
        state[2] = head
        if to not in prev:
            return None
        chain = [to]
        while prev[chain[-1]] is not None:
            chain.append(prev[chain[-1]])  # type: ignore[arg-type]
        return chain[::-1]

    def unknown_reached(self, frm, *, without=()) -> set[str]:
        """The names reached conservatively from ``frm`` that the snapshot does not know for this file
        (whatever lies beyond them cannot be judged offline)."""
        skip = set(without)
        seen: set[str] = set()
        stack = [n for n in frm if n not in skip]
        out: set[str] = set()
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            if not self.knows_name(n):
                out.add(n)
                continue
            stack.extend(d for d in self.edges(n)[0] if d not in seen and d not in skip)
        return out

    # -- pricing --------------------------------------------------------------------------------
    def figure(self, name: str) -> Figure | None:
        """The installed figure of ``name``'s chosen build on the target; None when unknown."""
        b = self.packages.get(name)
        if b is None or b.figure is None:
            return None
        n, lo, hi = b.figure
        return Figure(name, n, lo, hi, b.estimate, b, self.stand_in.get(name, ""))

    def total(self, names) -> tuple[int, int, int, set[str]]:
        """(installed, low, high, unknown names) of ``names``: a union, each package once."""
        n = lo = hi = 0
        unknown: set[str] = set()
        for name in set(names):
            f = self.figure(name)
            if f is None:
                unknown.add(name)
                continue
            n, lo, hi = n + f.bytes, lo + f.low, hi + f.high
        return n, lo, hi, unknown

    def price(self, names) -> tuple[int, int, set[str]]:
        """(low, high, unknown names) of ``names``: a union, each package once."""
        _n, lo, hi, unknown = self.total(names)
        return lo, hi, unknown


_NO_RANKS: dict = {}


def loose_pin(pin: str) -> str:
    """A lock's ``name version build`` pin loosened to another build of that version of the same variant: the
    build string with its hashes, build numbers and Python tag as wildcards (another Python's build is a stand-in
    the walk labels): ``pytorch 2.8.0 cuda129_mkl_py313_h7947483_302`` -> ``pytorch 2.8.0 cuda129_mkl_*``;
    ``libcblas 3.11.0 8_hfef963f_mkl`` -> ``libcblas 3.11.0 *_mkl``; ``mkl 2024.2.2 ha957f24_16`` -> ``mkl 2024.2.2``."""
    name, version, build = (pin.split(" ") + ["", ""])[:3]
    tokens = [re.sub(r"h[0-9a-f]{7,}", "*", t) for t in build.split("_")]
    tokens = ["*" if t.isdigit() or re.fullmatch(r"(?:np\d+)?py[\d.]*\*?", t) else t for t in tokens]
    glob = re.sub(r"\*(?:_?\*)+", "*", "_".join(tokens))
    return f"{name} {version} {glob}" if glob.strip("*") else f"{name} {version}"


def _spec_key(spec) -> object:
    """What a MatchSpec's remembered answers are filed under: its text where it is what that text parses
    to (so a depends string and the same line of the file share them), else its canonical form."""
    try:
        if condaspec.parse(spec.original) is spec:
            return spec.original
    except condaspec.CondaSpecError:
        pass
    return ("spec", str(spec))


# Build variants that carry track_features on conda-forge, which a solver takes only when asked for (lock
# files do not record track_features): the BLAS implementations other than the platform's default
# (conda-forge's blas-feedstock, recipe/conda_build_config.yaml: blas_default_impl is openblas, and mkl on
# Windows; every other variant of libblas/libcblas/liblapack/blas is tracked), and PyPy builds.
_BLAS_NAMES = ("libblas", "libcblas", "liblapack", "liblapacke", "blas", "blas-devel")
_TRACKED_BLAS = ("mkl", "blis", "accelerate", "netlib", "newaccelerate")
_TRACKED_BLAS_WIN = ("openblas", "blis", "netlib")


def _tracked(b: Build) -> bool:
    if b.name in _BLAS_NAMES:
        tracked = _TRACKED_BLAS_WIN if b.subdir.startswith("win-") else _TRACKED_BLAS
        if any(t in b.build for t in tracked):
            return True
    return "pypy" in b.build


def for_platform(b: Build, platform: str) -> bool:
    """Whether ``b`` can install on ``platform`` as far as its OS virtual packages say (a noarch build that
    depends on ``__win`` never does on linux-64)."""
    return os_allows([dep.partition(" ")[0] for dep in b.depends], platform)


_PYTHON_NAMES = frozenset(("python", "python_abi"))


def os_allows(dep_names, platform: str) -> bool:
    """:func:`for_platform` on a build's depends names."""
    if OS_VIRTUAL.keys().isdisjoint(dep_names):  # (nearly every build: no OS marker)
        return True
    os_name = platform.split("-")[0]
    return not any(n in OS_VIRTUAL and os_name not in OS_VIRTUAL[n] for n in dep_names)


def _os_rows(sources, platform: str) -> list:
    """``(builds, i)`` of every build in ``sources`` (lists of builds) that may install on ``platform`` as far as
    its OS virtual packages say (:func:`os_allows`)."""
    out = []
    for bs in sources:
        if bs.os_marked():
            out += [(bs, i) for i in range(len(bs)) if os_allows(bs.dep_names(i), platform)]
        else:
            out += [(bs, i) for i in range(len(bs))]
    return out


def _undominated(rows: list) -> list:
    """The rows (``(builds, i)``, each allowed on the target) a solver could take, where a noarch package's
    builds are OS variants: without a build of a version that has an OS-marked build (``__unix``, ``__win``, ...)
    of higher build number depending on nothing more (its depends, less the marker the target has, all among
    the other's). Whenever such a build would install, the marked one does and is preferred:
    pywin32-on-windows 0.1.0's pywin32 build (number 2; its recipe marks only the unix build, number 3, with
    ``__unix``) is never installed on Linux or macOS."""
    if not any(bs.os_marked() for bs in {id(bs): bs for bs, _i in rows}.values()):
        return rows
    marked = {(id(bs), bs.key(i)[0]) for bs, i in rows if not OS_VIRTUAL.keys().isdisjoint(bs.dep_names(i))}
    if not marked:
        return rows
    groups: dict = {}
    for bs, i in rows:
        if (id(bs), bs.key(i)[0]) in marked:
            groups.setdefault((id(bs), bs.key(i)[0]), []).append((bs, i))
    gone = set()
    for group in groups.values():
        sets = [(build_number(bs.key(i)[1]), {d for d in bs.depends(i) if d.partition(" ")[0] not in OS_VIRTUAL},
                 bs, i) for bs, i in group]
        for number, deps, bs, i in sets:
            if any(n > number and d <= deps and not _tracked(obs[oi]) for n, d, obs, oi in sets):
                gone.add((id(bs), i))
    return [(bs, i) for bs, i in rows if (id(bs), i) not in gone]


def _readable(dep: str, masks) -> bool:
    """Whether conda can read a depends string (one the snapshot has a mask for was read when it was built)."""
    if dep in masks:
        return True
    try:
        condaspec.parse(dep)
    except condaspec.CondaSpecError:
        return False
    return True


def _compatible(dep: str, name: str, specs, builds, match_key) -> bool:
    """Whether a depends ``dep`` (readable) on ``name`` can hold together with ``specs`` (the file's own) on one
    build: some build the snapshot has (any platform) meets them all, or, where it has none of the name, the
    versions the file's specs name (``pytorch=2.2`` -> 2.2) meet ``dep``'s version. ``match_key``:
    :meth:`Environment._match_key` (the builds' rows are read; no build is made)."""
    keys = (builds.key(i) for i in range(len(builds))) if isinstance(builds, Builds) else (
        (b.version, b.build, b.subdir) for b in builds)
    if any(match_key(dep, name, *k) and all(match_key(s, name, *k) for s in specs) for k in keys):
        return True
    if builds:
        return False
    dep = condaspec.parse(dep)
    for s in specs:
        raw = (s.raw_version or "").lstrip("=<>!~").rstrip("*").rstrip(".")
        if raw and re.match(r"^[0-9][0-9.]*$", raw) and not dep.matches_version(raw) and not dep.matches_version(raw + ".0"):
            return False
    return True


def conda_forge_first(name: str, raw_version: str | None, remaining) -> str:
    """conda-forge's first version of ``name`` where every version ``raw_version`` admits comes before it and no
    other of the ``remaining`` channels may carry ``name`` (``defaults_only`` of knowledge/variants.toml:
    conda-forge's tensorflow-gpu starts at 2.6.0, the 1.x packages are defaults'), else "": such a line is served by
    defaults only."""
    from envslim import conda as condaspec
    from envslim import knowledge

    if not raw_version or "conda-forge" not in remaining:
        return ""
    first = knowledge.variants().get("defaults_only", {}).get(name, {}).get("below")
    if not first or condaspec.merge_pin(raw_version, f">={first}").status != "conflict":
        return ""
    if any(c != "conda-forge" and _third_party_may_carry(c, name) for c in remaining):
        return ""
    return first


def _third_party_may_carry(channel: str, name: str) -> bool:
    """Whether a channel other than conda-forge and defaults may serve ``name`` (knowledge/variants.toml:
    pytorch and nvidia serve only their own packages)."""
    from envslim import knowledge

    table = knowledge.variants().get("channels", {}).get(channel)
    if table is None:
        return True
    if "carries_none_of" in table:
        return name not in table["carries_none_of"]
    return name in table.get("carries", ()) or name.startswith(tuple(table.get("carries_prefix", ())))
