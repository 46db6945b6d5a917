"""PyPI: the wheel pip would pick for a target, with its download and installed size.

API::

    async def lookup_wheels(names_or_reqs, *, python="3.11", platform="linux-64", session,
                            installed=True) -> dict[str, WheelInfo | None]

``names_or_reqs`` are project names or PEP 508 requirements (``"numpy"``, ``"pyarrow>=12,<13"``,
``"Pillow[extra]==10.0.0"``; environment markers are ignored, URL requirements are not looked up).
The result is keyed by the PEP 503 normalised name. Each value is a ``WheelInfo`` or ``None`` (no
matching release, no wheel for the target, or a failure: one warning each in ``session.warnings``).
``installed=False`` skips the range reads (``installed_bytes`` is then ``None``).

Data: the JSON API, ``{pypi_url}/pypi/{name}/json`` (``releases``: version -> files with ``filename``,
``size``, ``url``, ``requires_python``, ``yanked``, ``packagetype``). ``installed_bytes`` is the sum of
the uncompressed sizes in the wheel's zip central directory, read with HTTP range requests
(``envslim.online.remotezip``): what ``pip install`` unpacks, before byte-compilation.

Choice, as pip makes it for ``pip install --python-version X.Y --platform ...``: the highest version
that satisfies the specifier (pre-releases only when the specifier names one or nothing else matches;
yanked releases only when pinned with ``==``/``===``) and has a file installable on the target (a
wheel with a supported tag, or an sdist; ``requires_python`` honoured). If that version's best file is
an sdist there is no wheel to report. Among the wheels, the one whose best tag comes earliest in the
target's tag list (``target_tags``) wins, then the higher build number.

Targets: ``python`` is ``"3.11"`` (or ``"3.11.7"``; ``"3.13t"`` for free-threaded). ``platform`` is a
conda subdir, optionally with the libc or OS version after a colon:

- ``linux-64``, ``linux-aarch64``, ``linux-ppc64le``, ``linux-s390x``, ``linux-32``: manylinux for
  glibc 2.36 by default (Debian 12, the base of the usual conda Docker images); ``linux-64:glibc2.28``
  sets the glibc, ``linux-64:musl1.2`` targets musllinux instead.
- ``osx-64``, ``osx-arm64``: macOS 14.0 by default, ``osx-arm64:12.0`` sets it.
- ``win-64``, ``win-32``, ``win-arm64``.

The PEP 440 versions and specifiers, the PEP 425/600/656 tags and the macOS rules are implemented
here (``Version``, ``SpecifierSet``, ``target_tags``); nothing outside the standard library is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import urljoin

from envslim.online import remotezip

if TYPE_CHECKING:
    from envslim.online.http import Session


@dataclass(frozen=True)
class WheelInfo:
    name: str
    version: str
    filename: str
    url: str
    wheel_bytes: int
    installed_bytes: int | None


def normalize(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


# -- PEP 440 versions ------------------------------------------------------------------------------

_VERSION = re.compile(
    r"""
    ^\s*v?
    (?:(?P<epoch>\d+)!)?
    (?P<release>\d+(?:\.\d+)*)
    (?:[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>\d+)?)?
    (?:-(?P<post_n1>\d+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>\d+)?)?
    (?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>\d+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    \s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}


class InvalidVersion(ValueError):
    pass


class Version:
    """A PEP 440 version; ordering and equality follow the specification."""

    __slots__ = ("text", "epoch", "release", "pre", "post", "dev", "local", "_key")

    def __init__(self, text: str) -> None:
        m = _VERSION.match(text)
        if not m:
            raise InvalidVersion(f"invalid version {text!r}")
        self.text = text.strip()
        self.epoch = int(m["epoch"] or 0)
        self.release = tuple(int(x) for x in m["release"].split("."))
        self.pre = (_PRE_RANK[m["pre_l"].lower()], int(m["pre_n"] or 0)) if m["pre_l"] else None
        if m["post_n1"] is not None:
            self.post: int | None = int(m["post_n1"])
        elif m["post_l"]:
            self.post = int(m["post_n2"] or 0)
        else:
            self.post = None
        self.dev = int(m["dev_n"] or 0) if m["dev_l"] else None
        self.local = tuple(
            int(p) if p.isdigit() else p.lower() for p in re.split(r"[-_.]", m["local"] or "") if p
        )
        self._key = self._make_key(self.local)

    def _make_key(self, local: tuple[Any, ...]) -> tuple[Any, ...]:
        release = list(self.release)
        while len(release) > 1 and release[-1] == 0:
            release.pop()
        if self.pre is None and self.post is None and self.dev is not None:
            pre: tuple[int, ...] = (-1,)  # 1.0.dev0 sorts before 1.0a0
        elif self.pre is None:
            pre = (1,)
        else:
            pre = (0, *self.pre)
        post = (-1,) if self.post is None else (0, self.post)
        dev = (1,) if self.dev is None else (0, self.dev)
        local_key = tuple((1, p, "") if isinstance(p, int) else (0, 0, p) for p in local)
        return (self.epoch, tuple(release), pre, post, dev, local_key)

    @property
    def public_key(self) -> tuple[Any, ...]:
        return self._key[:5]

    @property
    def base(self) -> tuple[Any, ...]:
        return self._key[:2]

    @property
    def is_prerelease(self) -> bool:
        return self.pre is not None or self.dev is not None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key == other._key

    def __lt__(self, other: Version) -> bool:
        return self._key < other._key

    def __le__(self, other: Version) -> bool:
        return self._key <= other._key

    def __gt__(self, other: Version) -> bool:
        return self._key > other._key

    def __ge__(self, other: Version) -> bool:
        return self._key >= other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        return f"Version({self.text!r})"


def _parse_version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


# -- PEP 440 specifiers ----------------------------------------------------------------------------

_SPEC = re.compile(r"^\s*(~=|===|==|!=|<=|>=|<|>)\s*([^\s,;]+)\s*$")


class InvalidSpecifier(ValueError):
    pass


class SpecifierSet:
    """A comma-separated PEP 440 specifier set (``">=1.2,!=1.3.*"``)."""

    def __init__(self, text: str) -> None:
        self.text = text.strip()
        self.clauses: list[tuple[str, str, Version | None, bool]] = []
        for part in self.text.split(",") if self.text else []:
            m = _SPEC.match(part)
            if not m:
                raise InvalidSpecifier(f"invalid specifier {part.strip()!r}")
            op, value = m.groups()
            wildcard = value.endswith(".*") and op in ("==", "!=")
            if op == "===":
                version = _parse_version(value)
            else:
                version = _parse_version(value[:-2] if wildcard else value)
                bad_local = version is not None and version.local and (op not in ("==", "!=") or wildcard)
                if version is None or bad_local or (op == "~=" and len(version.release) < 2):
                    raise InvalidSpecifier(f"invalid specifier {part.strip()!r}")
            self.clauses.append((op, value, version, wildcard))

    @property
    def mentions_prerelease(self) -> bool:
        return any(v is not None and v.is_prerelease and op != "!=" for op, _, v, _ in self.clauses)

    @property
    def pins(self) -> bool:
        """True when an ``==`` (no wildcard) or ``===`` clause names one version."""
        return any(op == "===" or (op == "==" and not wc) for op, _, _, wc in self.clauses)

    def contains(self, version: Version) -> bool:
        return all(_clause(op, value, spec, wc, version) for op, value, spec, wc in self.clauses)


def _prefix_match(spec: Version, version: Version) -> bool:
    if spec.epoch != version.epoch:
        return False
    n = len(spec.release)
    padded = (version.release + (0,) * n)[:n]
    if padded != spec.release:
        return False
    if spec.pre is not None and version.pre != spec.pre:
        return False
    if spec.post is not None and version.post != spec.post:
        return False
    return True


def _clause(op: str, value: str, spec: Version | None, wildcard: bool, v: Version) -> bool:
    if op == "===":
        return v.text.lower() == value.lower()
    assert spec is not None
    if op in ("==", "!="):
        if wildcard:
            equal = _prefix_match(spec, v)
        elif spec.local:
            equal = v._key == spec._key
        else:
            equal = v.public_key == spec.public_key
        return equal if op == "==" else not equal
    if op == "~=":
        prefix = Version(".".join(str(x) for x in spec.release[:-1]))
        prefix = Version(f"{spec.epoch}!{prefix.text}") if spec.epoch else prefix
        return v.public_key >= spec.public_key and _prefix_match(prefix, v)
    if op == "<=":
        return v.public_key <= spec.public_key
    if op == ">=":
        return v.public_key >= spec.public_key
    same_release = v.base == spec.base
    if op == "<":
        # <V excludes V's own pre- and dev releases unless V is one: below V.dev0 when V is final
        if spec.pre is not None or spec.dev is not None or not same_release:
            return v.public_key < spec.public_key
        return spec.post is not None and v.public_key < spec._key[:4] + ((0, 0),)
    if op == ">":
        # >V excludes V's post releases (and local versions of V) unless V is a post or dev release
        if spec.dev is not None or spec.post is not None or not same_release:
            return v.public_key > spec.public_key
        return v.public_key > spec.public_key and v.pre != spec.pre
    raise AssertionError(op)


def python_allows(requires_python: str | None, python: Version) -> bool:
    """pip's check: an unparsable ``requires_python`` does not exclude the file."""
    if not requires_python or not requires_python.strip():
        return True
    try:
        return SpecifierSet(requires_python).contains(python)
    except InvalidSpecifier:
        return True


# -- requirements ----------------------------------------------------------------------------------

_REQ = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$", re.S)


@dataclass(frozen=True)
class Requirement:
    name: str
    specifier: SpecifierSet


def parse_requirement(text: str) -> Requirement:
    """``name[extras] specifier ; marker`` (markers are dropped). Raises ``ValueError``."""
    m = _REQ.match(text.split(";", 1)[0])
    if not m:
        raise ValueError(f"invalid requirement {text.strip()!r}")
    rest = m.group(3).strip()
    if rest.startswith("@"):
        raise ValueError(f"URL requirement {text.strip()!r} is not looked up")
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    try:
        return Requirement(m.group(1), SpecifierSet(rest))
    except InvalidSpecifier as exc:
        raise ValueError(f"{exc} in {text.strip()!r}") from None


# -- tags ------------------------------------------------------------------------------------------

DEFAULT_GLIBC = (2, 36)
DEFAULT_MACOS = (14, 0)

_LINUX_ARCH = {
    "linux-64": "x86_64",
    "linux-aarch64": "aarch64",
    "linux-ppc64le": "ppc64le",
    "linux-s390x": "s390x",
    "linux-32": "i686",
    "linux-armv7l": "armv7l",
}
_MAC_ARCH = {"osx-64": "x86_64", "osx-arm64": "arm64"}
_WIN_PLATFORM = {"win-64": "win_amd64", "win-32": "win32", "win-arm64": "win_arm64"}
_LEGACY_MANYLINUX = {
    (2, 17): ("manylinux2014", {"x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x"}),
    (2, 12): ("manylinux2010", {"x86_64", "i686"}),
    (2, 5): ("manylinux1", {"x86_64", "i686"}),
}


class UnknownTarget(ValueError):
    pass


def _two_numbers(text: str, what: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+)\.(\d+)(?:\.\d+)?", text)
    if not m:
        raise UnknownTarget(f"bad {what} {text!r}")
    return int(m.group(1)), int(m.group(2))


def platform_tags(platform: str) -> list[str]:
    """Platform tags for a conda subdir (``"linux-64"``, ``"osx-arm64:12.0"``...), best first."""
    subdir, _, option = platform.partition(":")
    if subdir in _LINUX_ARCH:
        arch = _LINUX_ARCH[subdir]
        tags = []
        if option.startswith("musl"):
            major, minor = _two_numbers(option[4:], "musl version")
            tags += [f"musllinux_{major}_{m}_{arch}" for m in range(minor, -1, -1)]
        else:
            glibc = _two_numbers(option[5:], "glibc version") if option else DEFAULT_GLIBC
            if option and not option.startswith("glibc"):
                raise UnknownTarget(f"bad libc {option!r} (use glibc2.N or musl1.N)")
            lowest = 5 if arch in ("x86_64", "i686") else 17
            for minor in range(glibc[1], lowest - 1, -1):
                tags.append(f"manylinux_{glibc[0]}_{minor}_{arch}")
                legacy = _LEGACY_MANYLINUX.get((glibc[0], minor))
                if legacy and arch in legacy[1]:
                    tags.append(f"{legacy[0]}_{arch}")
        return tags + [f"linux_{arch}"]
    if subdir in _MAC_ARCH:
        arch = _MAC_ARCH[subdir]
        version = _two_numbers(option, "macOS version") if option else DEFAULT_MACOS
        return _mac_platforms(version, arch)
    if subdir in _WIN_PLATFORM and not option:
        return [_WIN_PLATFORM[subdir]]
    raise UnknownTarget(f"unknown platform {platform!r}")


def _mac_formats(version: tuple[int, int], arch: str) -> list[str]:
    formats = [arch]
    if arch == "x86_64":
        if version < (10, 4):
            return []
        formats += ["intel", "fat64", "fat3"]
    formats.append("universal2")
    if arch == "x86_64":
        formats.append("universal")
    return formats


def _mac_platforms(version: tuple[int, int], arch: str) -> list[str]:
    out = []
    if (10, 0) <= version < (11, 0):
        for minor in range(version[1], -1, -1):
            out += [f"macosx_10_{minor}_{f}" for f in _mac_formats((10, minor), arch)]
    if version >= (11, 0):
        for major in range(version[0], 10, -1):
            out += [f"macosx_{major}_0_{f}" for f in _mac_formats((major, 0), arch)]
        for minor in range(16, 3, -1):
            if arch == "x86_64":
                out += [f"macosx_10_{minor}_{f}" for f in _mac_formats((10, minor), arch)]
            else:
                out.append(f"macosx_10_{minor}_universal2")
    return out


def _parse_python(python: str) -> tuple[int, int, bool, Version]:
    threaded = python.endswith("t")
    text = python[:-1] if threaded else python
    m = re.fullmatch(r"(\d+)\.(\d+)(?:\.\d+)?", text)
    if not m:
        raise UnknownTarget(f"bad python version {python!r}")
    return int(m.group(1)), int(m.group(2)), threaded, Version(text)


def target_tags(python: str, platform: str) -> list[str]:
    """Supported ``interpreter-abi-platform`` tags for CPython ``python`` on ``platform``, best first."""
    major, minor, threaded, _ = _parse_python(python)
    plats = platform_tags(platform)
    nodot = f"{major}{minor}"
    interp = f"cp{nodot}"
    abi = interp + ("t" if threaded else "m" if (major, minor) < (3, 8) else "")
    abi3 = major == 3 and minor >= 2 and not threaded
    tags = [f"{interp}-{abi}-{p}" for p in plats]
    if abi3:
        tags += [f"{interp}-abi3-{p}" for p in plats]
    tags += [f"{interp}-none-{p}" for p in plats]
    if abi3:
        for older in range(minor - 1, 1, -1):
            tags += [f"cp{major}{older}-abi3-{p}" for p in plats]
    pys = [f"py{nodot}", f"py{major}"] + [f"py{major}{m}" for m in range(minor - 1, -1, -1)]
    for py in pys:
        tags += [f"{py}-none-{p}" for p in plats]
    tags.append(f"{interp}-none-any")
    tags += [f"{py}-none-any" for py in pys]
    return tags


def wheel_tags(filename: str) -> tuple[set[str], tuple[int, str]] | None:
    """The tags a wheel file name declares, and its build tag; ``None`` if not a wheel name."""
    if not filename.endswith(".whl"):
        return None
    parts = filename[:-4].split("-")
    if len(parts) not in (5, 6):
        return None
    build: tuple[int, str] = (-1, "")
    if len(parts) == 6:
        m = re.fullmatch(r"(\d+)(.*)", parts[2])
        if not m:
            return None
        build = (int(m.group(1)), m.group(2))
    py, abi, plat = parts[-3:]
    tags = {f"{i}-{a}-{p}" for i in py.split(".") for a in abi.split(".") for p in plat.split(".")}
    return tags, build


# -- choosing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    version: str
    file: dict[str, Any] | None  # the wheel, or None when pip would use the sdist
    problem: str | None = None  # why there is no wheel, when file is None


def choose(
    releases: dict[str, list[dict[str, Any]]], spec: SpecifierSet, python: str, platform: str
) -> Choice:
    """Pick the release and the wheel pip would install (see the module docstring)."""
    _, _, _, py_version = _parse_python(python)
    rank = {tag: i for i, tag in enumerate(target_tags(python, platform))}
    candidates = []
    for text, files in releases.items():
        version = _parse_version(text)
        if version is None or not spec.contains(version):
            continue
        usable = [f for f in files if not f.get("yanked") or spec.pins]
        usable = [f for f in usable if python_allows(f.get("requires_python"), py_version)]
        wheels = []
        sdist = False
        for f in usable:
            parsed = wheel_tags(f.get("filename", ""))
            if parsed is None:
                sdist = sdist or f.get("packagetype") == "sdist"
                continue
            tags, build = parsed
            best = min((rank[t] for t in tags if t in rank), default=None)
            if best is not None:
                wheels.append(((-best, build), f))
        if wheels or sdist:
            candidates.append((version, text, wheels))
    if not candidates:
        if not any(_parse_version(t) and spec.contains(_parse_version(t)) for t in releases):
            return Choice("", None, "no release matches" + (f" {spec.text!r}" if spec.text else ""))
        return Choice("", None, f"no file for Python {python} on {platform}")
    finals = [c for c in candidates if not c[0].is_prerelease]
    if finals and not spec.mentions_prerelease:
        candidates = finals
    version, text, wheels = max(candidates, key=lambda c: c[0])
    if not wheels:
        return Choice(text, None, f"no wheel for Python {python} on {platform} (sdist only)")
    return Choice(text, max(wheels, key=lambda w: w[0])[1])


# -- lookups ---------------------------------------------------------------------------------------


async def lookup_wheels(
    names_or_reqs: Iterable[str],
    *,
    python: str = "3.11",
    platform: str = "linux-64",
    session: Session,
    installed: bool = True,
) -> dict[str, WheelInfo | None]:
    """The wheel pip would pick for each requirement; see the module docstring."""
    try:
        target_tags(python, platform)
    except UnknownTarget as exc:
        session.warn(f"PyPI: {exc}")
        return {normalize(_name_of(r)): None for r in names_or_reqs}
    keys, jobs = [], []
    for text in names_or_reqs:
        keys.append(normalize(_name_of(text)))
        jobs.append(_lookup_one(text, python, platform, session, installed))
    results = await session.gather_ordered(jobs)
    return dict(zip(keys, results))


def _name_of(text: str) -> str:
    m = _REQ.match(text)
    return m.group(1) if m else text.strip()


async def _lookup_one(
    text: str, python: str, platform: str, session: Session, installed: bool
) -> WheelInfo | None:
    try:
        req = parse_requirement(text)
    except ValueError as exc:
        session.warn(f"PyPI: {exc}")
        return None
    what = f"PyPI {req.name}"
    url = f"{session.pypi_url}/pypi/{normalize(req.name)}/json"
    data = await session.get_json(url, what=what)
    if data is None:
        return None
    try:
        name = data["info"]["name"]
        releases = data.get("releases")
        if not isinstance(releases, dict):
            releases = {data["info"]["version"]: data["urls"]}
        choice = choose(releases, req.specifier, python, platform)
    except (KeyError, TypeError, AttributeError) as exc:
        session.warn(f"{what}: unexpected JSON ({type(exc).__name__}: {exc}) ({url})")
        return None
    if choice.file is None:
        release = f" {choice.version}" if choice.version else ""
        session.warn(f"{what}{release}: {choice.problem}")
        return None
    f = choice.file
    size = f.get("size")
    wheel_url = f.get("url")
    if not isinstance(size, int) or not isinstance(wheel_url, str):
        session.warn(f"{what}: unexpected JSON (file without size or url) ({url})")
        return None
    wheel_url = urljoin(url, wheel_url)  # some indexes and mirrors give relative URLs
    installed_size = None
    if installed:
        installed_size = await remotezip.installed_bytes(
            session, wheel_url, what=f"PyPI {f['filename']}", size=size
        )
    return WheelInfo(name, choice.version, f["filename"], wheel_url, size, installed_size)
