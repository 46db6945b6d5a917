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

PEP 440 versions and specifiers, PEP 508 requirements, wheel file names, the PEP 425 tag order and the
macOS platform rules are ``packaging``'s (the ``online`` extra). The manylinux/musllinux platform list
for a *target* glibc or musl is built here: packaging's own reads the running system's libc.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import urljoin

from envslim.knowledge import names
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


# -- PEP 440 and PEP 508, by packaging ----------------------------------------------------------------
# ``packaging`` (the reference implementation pip vendors) is imported on first use: ``envslim report``
# without --online checks its --python and --platform without it.


def _version(text: str):
    """A ``packaging.version.Version``, or None for a version PEP 440 cannot read."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except (InvalidVersion, ValueError):  # (ValueError: a number of more than 4,300 digits)
        return None


def specifier_set(text: str):
    """A ``packaging.specifiers.SpecifierSet``; ``ValueError("invalid specifier '...'")`` naming the clause."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        pass
    from packaging.specifiers import Specifier

    for part in text.split(","):
        try:
            Specifier(part.strip())
        except InvalidSpecifier:
            raise ValueError(f"invalid specifier {part.strip()!r}") from None
    raise ValueError(f"invalid specifier {text.strip()!r}")


def _pins(spec) -> bool:
    """True when an ``==`` (no wildcard) or ``===`` clause names one version (a yanked file may then do)."""
    return any(s.operator == "===" or (s.operator == "==" and not s.version.endswith(".*")) for s in spec)


def python_allows(requires_python: str | None, python) -> bool:
    """pip's check: an unparsable ``requires_python`` does not exclude the file."""
    if not requires_python or not requires_python.strip():
        return True
    try:
        return specifier_set(requires_python).contains(python, prereleases=True)
    except ValueError:
        return True


_REQ = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$", re.S)


def parse_requirement(text: str):
    """A ``packaging.requirements.Requirement`` (markers are not evaluated). Raises ``ValueError`` with one
    line naming what is wrong; URL requirements are not looked up."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(text.strip())
    except InvalidRequirement:
        m = _REQ.match(text.split(";", 1)[0])
        rest = m.group(3).strip() if m else ""
        if m and rest and not rest.startswith("@"):
            try:
                specifier_set(rest[1:-1] if rest.startswith("(") and rest.endswith(")") else rest)
            except ValueError as exc:
                raise ValueError(f"{exc} in {text.strip()!r}") from None
        raise ValueError(f"invalid requirement {text.strip()!r}") from None
    if req.url:
        raise ValueError(f"URL requirement {text.strip()!r} is not looked up")
    return req


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
    m = re.fullmatch(r"([0-9]+)\.([0-9]+)(?:\.[0-9]+)?", text)  # (ASCII: `３.11` passed `\d` and crashed later)
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
        version = _two_numbers(option, "macOS version") if option else DEFAULT_MACOS
        from packaging.tags import mac_platforms

        return list(mac_platforms(version, _MAC_ARCH[subdir]))
    if subdir in _WIN_PLATFORM and not option:
        return [_WIN_PLATFORM[subdir]]
    raise UnknownTarget(f"unknown platform {platform!r}")


def check_target(python: str, platform: str) -> None:
    """Raise ``UnknownTarget`` for a Python or platform :func:`target_tags` cannot target (no packaging)."""
    _parse_python(python)
    subdir, _, option = platform.partition(":")
    if subdir in _MAC_ARCH:
        if option:
            _two_numbers(option, "macOS version")
        return
    platform_tags(platform)


def _parse_python(python: str) -> tuple[int, int, bool]:
    threaded = python.endswith("t")
    text = python[:-1] if threaded else python
    m = re.fullmatch(r"([0-9]+)\.([0-9]+)(?:\.[0-9]+)?", text)  # (ASCII: `３.11` passed `\d` and crashed later)
    if not m:
        raise UnknownTarget(f"bad python version {python!r}")
    return int(m.group(1)), int(m.group(2)), threaded


def target_tags(python: str, platform: str) -> list[str]:
    """Supported ``interpreter-abi-platform`` tags for CPython ``python`` on ``platform``, best first: the
    order of packaging's ``cpython_tags`` then ``compatible_tags``, as pip ranks them."""
    from packaging.tags import compatible_tags, cpython_tags

    major, minor, threaded = _parse_python(python)
    plats = platform_tags(platform)
    interp = f"cp{major}{minor}"
    abi = interp + ("t" if threaded else "m" if (major, minor) < (3, 8) else "")
    tags = [str(t) for t in cpython_tags((major, minor), [abi], plats)]
    return tags + [str(t) for t in compatible_tags((major, minor), interp, plats)]


def wheel_tags(filename: str) -> tuple[set[str], tuple[int, str]] | None:
    """The tags a wheel file name declares, and its build tag ((-1, "") for none); ``None`` if the name is
    not a valid wheel file name (pip skips those too)."""
    if not filename.endswith(".whl"):
        return None
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    try:
        _, _, build, tags = parse_wheel_filename(filename)
    except (InvalidWheelFilename, ValueError):
        return None
    return {str(t) for t in tags}, (build if build else (-1, ""))


# -- choosing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    version: str
    file: dict[str, Any] | None  # the wheel, or None when pip would use the sdist
    problem: str | None = None  # why there is no wheel, when file is None


def choose(releases: dict[str, list[dict[str, Any]]], spec, python: str, platform: str) -> Choice:
    """Pick the release and the wheel pip would install (see the module docstring). ``spec`` is a
    ``packaging.specifiers.SpecifierSet`` (``specifier_set``)."""
    from packaging.version import Version

    major, minor, _ = _parse_python(python)
    py_version = Version(python.rstrip("t"))
    rank = {tag: i for i, tag in enumerate(target_tags(python, platform))}
    pins = _pins(spec)
    candidates = []
    matching = False
    for text, files in releases.items():
        version = _version(text)
        if version is None or not spec.contains(version, prereleases=True):
            continue
        matching = True
        usable = [f for f in files if not f.get("yanked") or pins]
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
        if not matching:
            return Choice("", None, "no release matches" + (f" {str(spec)!r}" if str(spec) else ""))
        return Choice("", None, f"no file for Python {python} on {platform}")
    # pre-releases only when the specifier names one, or when nothing else is left (packaging's filter)
    allowed = set(spec.filter([c[0] for c in candidates]))
    candidates = [c for c in candidates if c[0] in allowed] or candidates
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
        return {names.normalize(_name_of(r)): None for r in names_or_reqs}
    keys, jobs = [], []
    for text in names_or_reqs:
        keys.append(names.normalize(_name_of(text)))
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
    url = f"{session.pypi_url}/pypi/{names.normalize(req.name)}/json"
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
