"""Knowledge: the curated facts about conda packages, read on demand.

Takes a package name; gives its :class:`Entry` (figures with sources, advice, slim variants, ABI facts)
or None. Entries come from the knowledge index compiled into the wheel (:mod:`envslim.knowledge.index`),
or from ``knowledge/packages/<name>.toml`` in a checkout when the index is absent or older than the
file. Only the entries a command asks about are decoded. ``names`` maps conda and PyPI names;
``footprint`` picks the figure a rule uses; ``schema`` checks an entry (knowledge/README.md).
"""

from __future__ import annotations

import os
from functools import lru_cache
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the hook path

from envslim._paths import knowledge_dir, knowledge_root
from envslim._record import dataclass

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Figure:
    id: str
    side: str
    kind: str
    version: str
    platform: str
    archive_bytes: int | None
    installed_bytes: int | None
    packages: int | None
    heavy: tuple[str, ...]
    note: str
    source: "Source"
    date: str
    python: str = ""  # the Python minor version a conda build is for ("" when it holds for any)
    estimate: bool = False  # installed bytes estimated (installed_low..installed_high), not measured
    installed_low: int | None = None
    installed_high: int | None = None
    pypi_name: str = ""  # the PyPI project of a wheel figure, when it is not the entry's own


@dataclass(frozen=True)
class Member:
    """One package of a closure figure."""

    name: str
    version: str
    installed_bytes: int
    low: int
    high: int


@lru_cache(maxsize=None)
def _members_file(name: str) -> dict:
    try:
        data = read(f"members/{name}.toml")
    except FileNotFoundError:
        return {}
    out = {}
    for c in data.get("closures", ()):
        out[c["figure"]] = tuple(
            Member(m["name"], str(m.get("version", "")), m["installed_bytes"],
                   m.get("installed_low", m["installed_bytes"]), m.get("installed_high", m["installed_bytes"]))
            for m in c.get("members", ()))
    return out


def members(name: str, figure_id: str) -> tuple[Member, ...]:
    """The packages of closure figure ``figure_id`` of entry ``name`` (``knowledge/members/<name>.toml``), or
    ``()``. Read only when a report unites closures: the rules, on the hook path, never need them."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return ()
    return _members_file(name.lower()).get(figure_id, ())


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str
    date: str

    def cite(self) -> str:
        return f"{self.title} <{self.url}> ({self.date})" if self.url else f"{self.title} ({self.date})"


class Entry:
    """One package's facts, as loaded from ``knowledge/packages/<name>.toml``."""

    def __init__(self, data: dict, path: str | Path) -> None:
        self.data = data
        self._path = os.fspath(path)
        self.name: str = data["name"]
        self.summary: str = data.get("summary", "")
        self.pypi_name: str | None = data.get("pypi_name") or None
        self.tags: frozenset[str] = frozenset(data.get("tags", ()))
        self.pulled_by: tuple[str, ...] = tuple(data.get("pulled_by", ()))
        # conda packages whose conda-forge builds depend on this one only below a version (name -> that version)
        self.pulled_by_below: dict[str, str] = dict(data.get("pulled_by_below", {}))
        self.links_native: tuple[str, ...] = tuple(data.get("links_native", ()))
        self.sources: dict[str, Source] = {
            s["id"]: Source(s["id"], s.get("title", ""), s.get("url", ""), str(s.get("date", "")))
            for s in data.get("sources", ())
        }
        self.advice: dict = data.get("advice", {})
        self.slim_variants: list[dict] = list(data.get("slim_variants", ()))
        self.numpy_abi: dict = data.get("numpy_abi", {})
        self.figures: list[Figure] = [
            Figure(
                id=f["id"], side=f.get("side", ""), kind=f.get("kind", ""), version=str(f.get("version", "")),
                platform=f.get("platform", ""), archive_bytes=f.get("archive_bytes"),
                installed_bytes=f.get("installed_bytes"), packages=f.get("packages"),
                heavy=tuple(f.get("heavy", ())), note=f.get("note", ""),
                source=self.sources.get(f.get("source", ""), Source(f.get("source", ""), "", "", "")),
                date=str(f.get("date", "")), python=str(f.get("python", "")),
                estimate=bool(f.get("estimate", False)), installed_low=f.get("installed_low"),
                installed_high=f.get("installed_high"), pypi_name=f.get("pypi_name", ""),
            )
            for f in data.get("figures", ())
        ]

    @property
    def path(self) -> Path:
        from pathlib import Path

        return Path(self._path)

    @property
    def action(self) -> str:
        return self.advice.get("action", "none")

    def cite(self, ids) -> list[Source]:
        return [self.sources[i] for i in ids if i in self.sources]


def packages_dir() -> Path:
    return knowledge_dir() / "packages"


@lru_cache(maxsize=None)
def compiled():
    """The compiled index beside the package (``envslim/_knowledge_index.bin``), or None. It is checked
    file by file against a checkout's knowledge directory, and trusted as it is in an installed wheel."""
    from envslim.knowledge.index import FILE, Index

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), FILE)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    root = knowledge_root()
    bundled = os.path.basename(root) == "_knowledge"
    try:
        got = Index(data, None if bundled else root)
    except (ValueError, EOFError, TypeError, KeyError, IndexError):  # (damaged, or of another format)
        return None
    got.path = path
    return got


def damage() -> str | None:
    """What is damaged in the entries read so far from the compiled index, as one line naming it; None when
    they are whole. Asked only after an unexpected error (the CLI's last resort): reading an entry checks
    only that it is a table."""
    idx = compiled()
    if idx is None:
        return None
    from envslim.knowledge.schema import validate_entry

    return idx.damage(validate_entry)


def read(file: str) -> dict:
    """A knowledge file's data (``names.toml``, ``packages/<name>.toml``, a data file such as ``variants.toml``
    or ``graph/pypi.json``): from the index when it holds this file as it is, else parsed from the TOML (or
    JSON). Raises FileNotFoundError."""
    idx = compiled()
    if idx is not None and idx.fresh(file):
        from envslim.knowledge.index import Damaged

        try:
            if file == "names.toml":
                return idx.header["names"]
            if file.startswith("packages/"):
                return idx.entry(file[len("packages/"):-len(".toml")])
            if file in idx.header.get("data", {}):
                return idx.data(file)
        except Damaged as e:  # (one line, exit 2: never passed over as if the file had nothing)
            from envslim.errors import EnvslimError

            raise EnvslimError(str(e)) from None
    from envslim.knowledge.index import read_json, read_toml

    path = os.path.join(knowledge_root(), file)
    return read_json(path) if file.endswith(".json") else read_toml(path)


@lru_cache(maxsize=None)
def _listing() -> frozenset[str]:
    """The entries' file names, read once: a name without an entry (most of a file's packages) costs a
    set lookup, not a failed open. An installed wheel's come from its index."""
    idx = compiled()
    if idx is not None and idx.root is None:
        return frozenset(f"{n}.toml" for n in idx.names())
    try:
        return frozenset(os.listdir(os.path.join(knowledge_root(), "packages")))
    except OSError:
        return frozenset()


@lru_cache(maxsize=None)
def load(name: str) -> Entry | None:
    """The entry for conda package ``name``, or None. Decodes that one entry only."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    file = f"{name.lower()}.toml"
    if file not in _listing():
        return None
    try:
        data = read(f"packages/{file}")
    except FileNotFoundError:
        return None
    return Entry(data, os.path.join(knowledge_root(), "packages", file))


@lru_cache(maxsize=None)
def _data_file(file: str) -> dict:
    try:
        return read(file)
    except FileNotFoundError:
        return {}


def variants() -> dict:
    """``knowledge/variants.toml``: from which version each variant exists per channel
    (``{package: {channel: fact}}``) and which channels serve only their own packages (``channels``)."""
    data = _data_file("variants.toml")
    if "_by_package" not in data:  # (computed once per process; the cache holds the TOML as read)
        by: dict[str, dict[str, dict]] = {}
        for fact in data.get("variants", ()):
            by.setdefault(fact["package"], {})[fact["channel"]] = fact
        data["_by_package"] = by
    return data


def pip_requirers(project: str) -> dict[str, dict]:
    """The PyPI projects whose Requires-Dist names ``project`` (``knowledge/pip_requires.toml``), each with
    the release it was read from, its upload date and the JSON API URL."""
    return _data_file("pip_requires.toml").get("requires", {}).get(project.lower(), {})


def first_wheel(project: str, python: str, platform: str) -> tuple[str, dict] | None:
    """The first release of the PyPI ``project`` with a CPython ``python`` wheel for the conda ``platform``
    (``knowledge/wheels.toml``), with the project's facts (``url``, ``read``); None where it is not recorded."""
    facts = _data_file("wheels.toml").get("wheels", {}).get(project.lower())
    first = (facts or {}).get("first", {}).get(python, {}).get(platform)
    return (first, facts) if first else None


def _reverse_deps(name: str) -> dict:
    return _data_file("reverse_deps.toml").get("packages", {}).get(name.lower(), {})


def reverse_deps(name: str) -> dict[str, str]:
    """The conda packages seen to depend on ``name`` (generated by tools/reverse_deps.py into
    ``knowledge/reverse_deps.toml``), each with where it was seen."""
    return _reverse_deps(name).get("by", {})


def pypi_requirers(name: str) -> dict[str, str]:
    """The conda packages whose PyPI counterpart's latest release requires ``name``'s PyPI project outside
    an extra (``pypi_by`` of ``knowledge/reverse_deps.toml``), each with the release and its JSON API URL."""
    return _reverse_deps(name).get("pypi_by", {})


def native_family(name: str) -> tuple[str, ...]:
    """The names that tie a conda package to ``name`` (``via``: its Python core, its native libraries such
    as ``libarrow*`` and the defaults name ``arrow-cpp``); a trailing ``*`` is a prefix."""
    return tuple(_reverse_deps(name).get("via", ()))
