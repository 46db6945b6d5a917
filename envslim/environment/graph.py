"""The offline graph snapshot: conda packages by name -> builds, with depends and sizes, per platform and channel.

The snapshot (``knowledge/graph/conda.jsonl``, built by ``tools/build_graph.py`` from public lock files and
rebuilt against live channels by ``envslim knowledge refresh --graph``) ships in the wheel with the knowledge
base. Its first line is an index; each name's builds are one line read only when a file reaches that name,
so the hook pays for the names it uses and nothing else.

A :class:`Build` is one artifact: its depends as repodata has them, its archive bytes, and its installed
bytes, exact where measured (a committed ``conda-meta``) or else an estimate from the archive bytes with
its range (:attr:`Graph.method` says how). Every build keeps the source it was seen in.
"""

from __future__ import annotations

import os

from envslim._paths import knowledge_root
from envslim._record import dataclass

FILE = os.path.join("graph", "conda.jsonl")
FORMAT = 5


class Ratios:
    """Installed/archive ratios measured on real packages: a package's own ratio where measured (range: the
    population's interquartile spread around it), else the population's median (range: q10..q90)."""

    def __init__(self, by_name: dict[str, float], q: dict[str, float], source: str,
                 by_channel: dict[str, float] | None = None) -> None:
        self.by_name = by_name
        self.q = q
        self.source = source
        # ``name@channel``: a ratio measured for one channel's archives of a package the population does not
        # describe (NVIDIA's CUDA libraries: GPU code that compresses far less than the median package)
        self.by_channel = by_channel or {}
        self._channel_names = frozenset(k.rpartition("@")[0] for k in self.by_channel)

    @classmethod
    def from_pairs(cls, pairs, source: str) -> "Ratios":
        """``pairs``: (name, archive bytes, installed bytes) of measured packages."""
        by_name = {n: i / a for n, a, i in pairs if a and i}
        pop = sorted(by_name.values())
        n = len(pop)
        if not n:
            return cls({}, {}, source)
        mid = (pop[(n - 1) // 2] + pop[n // 2]) / 2
        q = {"q10": pop[n // 10], "q25": pop[n // 4], "median": mid, "q75": pop[3 * n // 4], "q90": pop[9 * n // 10],
             "n": n}
        return cls(by_name, q, source)

    @classmethod
    def from_json(cls, data: dict) -> "Ratios":
        return cls(data.get("by_name", {}), data.get("q", {}), data.get("source", ""), data.get("by_channel", {}))

    def as_json(self) -> dict:
        out = {"by_name": {k: round(v, 4) for k, v in sorted(self.by_name.items())}, "q": self.q,
               "source": self.source}
        if self.by_channel:
            out["by_channel"] = {k: round(v, 4) for k, v in sorted(self.by_channel.items())}
        return out

    def estimate(self, name: str, archive: int, channel: str = "") -> tuple[int, int, int] | None:
        """(installed, low, high) estimated from ``archive`` bytes (of ``channel``'s build); None without
        ratios."""
        q = self.q
        if not q:
            return None
        r = self.by_channel.get(f"{name}@{channel}") if name in self._channel_names else None
        if r is None:
            r = self.by_name.get(name)
        if r is not None:
            return (round(archive * r), round(archive * r * q["q25"] / q["median"]),
                    round(archive * r * q["q75"] / q["median"]))
        return round(archive * q["median"]), round(archive * q["q10"]), round(archive * q["q90"])

    def method(self) -> str:
        q = self.q
        if not q:
            return "installed bytes: exact where measured; no ratios to estimate the rest (unknown)"
        return (f"installed bytes: exact where measured from a committed conda-meta; else estimated from the "
                f"archive bytes by the package's measured installed/archive ratio (range by the interquartile "
                f"spread) or the median {q['median']:.2f} of {q['n']} measured pairs (range q10 {q['q10']:.2f} .. "
                f"q90 {q['q90']:.2f}); ratios from {self.source}")


@dataclass(frozen=True)
class Build:
    name: str
    version: str
    build: str
    subdir: str  # "linux-64", "noarch", ...
    channel: str  # "conda-forge", "defaults", "pytorch", ...
    depends: tuple[str, ...]  # MatchSpec strings as in repodata
    archive_bytes: int | None
    installed_bytes: int | None  # exact where measured, else None
    installed_range: tuple[int, int] | None  # an estimate's range where not measured
    source: str  # "repository path @commit (date)" it was seen in
    estimate_bytes: int | None = None  # the estimate's point value (installed_range holds its range)
    date: str = ""  # the date of the source it was seen in
    days: int = 0  # the artifact's timestamp (days since 1970), 0 when not recorded
    python: str | None = None  # the Python minor version the build is for ("3.11"): see python_of

    @property
    def build_number(self) -> int:
        return build_number(self.build)

    @property
    def known(self) -> bool:
        """Whether the build has an installed figure (measured or estimated)."""
        return self.installed_bytes is not None or self.installed_range is not None

    @property
    def figure(self) -> tuple[int, int, int] | None:
        """(installed, low, high): exact (low == high) or the estimate and its range; None when unknown."""
        if self.installed_bytes is not None:
            return self.installed_bytes, self.installed_bytes, self.installed_bytes
        if self.installed_range is not None:
            lo, hi = self.installed_range
            return (self.estimate_bytes if self.estimate_bytes is not None else (lo + hi) // 2), lo, hi
        return None

    @property
    def estimate(self) -> bool:
        return self.installed_bytes is None and self.installed_range is not None

    def as_record(self) -> dict:
        """The build as a repodata record (what :meth:`envslim.conda.MatchSpec.match` reads)."""
        return {"name": self.name, "version": self.version, "build": self.build,
                "build_number": self.build_number, "subdir": self.subdir}


def python_of(name: str, version: str, build: str, depends) -> str | None:
    """The Python minor version a build is for (``"3.11"``), from its ``python_abi`` depends or its
    ``pyXY`` build string; None for a build that is not tied to one (noarch, C libraries)."""
    if name == "python":
        return ".".join(version.split(".")[:2])
    for dep in depends:
        if dep.startswith("python_abi "):
            rest = dep[len("python_abi "):]
            if rest[:1].isdigit():
                return ".".join(rest.split(" ")[0].split(".")[:2])
    import re

    m = re.search(r"(?:^|_|np\d+)py(\d)\.?(\d+)", build)
    return f"{m.group(1)}.{m.group(2)}" if m else None


def version_only(spec) -> bool:
    """Whether a MatchSpec constrains nothing but the version (so a build's version alone decides a match)."""
    return spec.build is None and spec.build_number is None and not spec.fields and not spec.subdir


PYTHON_DEPENDS = ("python ", "python_abi ")  # how a depends on a version of Python starts


def fits_python(build: Build, python: str | None) -> bool:
    """Whether ``build`` installs beside Python ``python`` ("3.11"): its python depends allow that minor
    version (noarch ``python >=3.9`` does for 3.11); always for a build without python depends."""
    if python is None:
        return True
    if build.name == "python":
        return build.version == python or build.version.startswith(python + ".")
    own = build.python
    if own is not None:
        return own == python
    if not any(d.startswith(PYTHON_DEPENDS) for d in build.depends):
        return True
    from envslim import conda as condaspec

    for dep in build.depends:
        name = dep.partition(" ")[0]
        if name not in ("python", "python_abi"):
            continue
        try:
            spec = condaspec.parse(dep)
        except condaspec.CondaSpecError:
            continue
        if name == "python_abi":
            if not (spec.matches_version(python) or spec.matches_version(python + ".0")):
                return False
        elif not (spec.matches_version(python + ".0") or spec.matches_version(python + ".99")):
            return False
    return True


class Builds:
    """A read-only list of builds made from the snapshot's rows only when read (a walk reads few of them):
    ``key``, ``python_of_row`` and ``dep_names`` read a row without making its build."""

    __slots__ = ("_rows", "_at", "_one", "_make", "_made", "_names", "_marked", "_ranks")

    def __init__(self, rows: list, at, make) -> None:
        """``rows``: newest first; ``at``: the (subdir, line) they all come from, or a list of one for each row
        (two subdirs merged)."""
        self._rows = rows
        self._at = at if isinstance(at, list) else None
        self._one = None if isinstance(at, list) else at
        self._make = make
        self._made: list = [None] * len(rows)
        self._names: list = [None] * len(rows)
        self._marked: bool | None = None
        self._ranks: int | None = None

    def _where(self, i: int) -> tuple:
        return self._one if self._at is None else self._at[i]

    def key(self, i: int) -> tuple[str, str, str]:
        """(version, build, subdir) of the i-th build."""
        row = self._rows[i]
        return row[0], row[1], (self._one if self._at is None else self._at[i])[0]

    def rank(self, i: int) -> int:
        """The i-th build's version rank (its place among every version of the name: graphfile)."""
        return self._rows[i][9]

    def ranks_mask(self) -> int:
        """The version ranks of these builds as one mask (bit r set: a build of the version of rank r is here)."""
        got = self._ranks
        if got is None:
            got = 0
            for row in self._rows:
                got |= 1 << row[9]
            self._ranks = got
        return got

    def python_of_row(self, i: int) -> str | None:
        return self._rows[i][8]

    def dep_names(self, i: int) -> list[str]:
        """The names the i-th build depends on (read once; a walk asks again)."""
        got = self._names[i]
        if got is None:
            names = dep_names_of(self._where(i)[1])
            got = self._names[i] = [names[j] for j in self._rows[i][3]]
        return got

    def os_marked(self) -> bool:
        """Whether a build here may depend on an OS virtual package (``__unix``, ``__win``...): read once from
        the depends tables of its lines (nearly every package has none)."""
        got = self._marked
        if got is None:
            lines = [self._one[1]] if self._at is None else list({id(at[1]): at[1] for at in self._at}.values())
            got = self._marked = any(d[:2] == "__" and d.partition(" ")[0] in OS_VIRTUAL
                                     for line in lines for d in line["d"])
        return got

    def names_of(self, idx) -> set[str]:
        """The names the builds ``idx`` (indexes) depend on, together."""
        if self._at is None:
            names = dep_names_of(self._one[1])
            rows = self._rows
            js: set[int] = set()
            for i in idx:
                js.update(rows[i][3])
            return {names[j] for j in js}
        out: set[str] = set()
        for i in idx:
            out.update(self.dep_names(i))
        return out

    def python_depends(self, i: int) -> tuple[str, ...]:
        """The i-th build's depends on ``python`` or ``python_abi`` that say a version (what decides whether a
        build without a Python of its own installs beside a given one: see :func:`fits_python`)."""
        line = self._where(i)[1]
        ix = line.get("p")
        if ix is None:
            ix = line["p"] = frozenset(j for j, d in enumerate(line["d"]) if d.startswith(PYTHON_DEPENDS))
        if not ix:
            return ()
        deps = line["d"]
        return tuple(deps[j] for j in self._rows[i][3] if j in ix)

    def depends(self, i: int) -> list[str]:
        deps = self._where(i)[1]["d"]
        return [deps[j] for j in self._rows[i][3]]

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self._rows)))]
        b = self._made[i]
        if b is None:
            subdir, line = self._where(i)
            b = self._made[i] = self._make(subdir, line, self._rows[i])
        return b

    def __iter__(self):
        for i in range(len(self._rows)):
            yield self[i]

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def __repr__(self) -> str:
        return repr(list(self))


# The virtual packages that mark a build for one operating system (a noarch package's __win, __unix and __osx
# variants, as conda-forge's noarch recipes publish them: the solver installs only the one whose virtual
# package the target has), and the operating systems each installs on
OS_VIRTUAL = {"__win": ("win",), "__unix": ("linux", "osx"), "__linux": ("linux",), "__osx": ("osx",)}


def dep_names_of(line: dict) -> list[str]:
    """The package name of each of a decoded line's depends strings (worked out once a line: its rows share
    them)."""
    got = line.get("n")
    if got is None:
        got = line["n"] = [d.partition(" ")[0] for d in line["d"]]
    return got


def build_number(build: str) -> int:
    """The build number a build string ends in (``py311h1_3`` -> 3; 0 where it ends in none)."""
    tail = build.rsplit("_", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def header_ok(header: dict) -> bool:
    """Whether a snapshot's header has the outline the reader relies on (checked once, when it is read: a
    damaged compiled file is passed over here rather than met in a walk); its contents are checked by
    :func:`header_damage` only after an unexpected error."""
    def strings(value) -> bool:
        return type(value) is list and all(type(v) is str for v in value)

    names, ratios = header.get("names"), header.get("ratios", {})
    return (type(names) is dict  # (each name's entry is checked when it is read)
            and (not names or ("subdirs" in header and "channels" in header))
            and strings(header.get("subdirs", [])) and strings(header.get("channels", []))
            and type(header.get("sources", [])) is list and type(ratios) is dict
            and type(ratios.get("by_name", {})) is dict and type(ratios.get("q", {})) is dict
            and all(type(header.get(k, "")) is str for k in ("date", "method")))


def header_damage(header: dict) -> str | None:
    """What in a header (of the outline :func:`header_ok` checks) is of the wrong shape, or None."""
    def numbers(value: dict) -> bool:
        return all(type(v) in (int, float) for v in value.values())

    ratios = header.get("ratios", {})
    if not all(type(x) is list and len(x) == 4 and all(type(v) is str for v in x) for x in header.get("sources", ())):
        return "a source of the wrong shape"
    if not (type(ratios.get("by_channel", {})) is dict and numbers(ratios.get("by_channel", {}))
            and numbers(ratios.get("by_name", {})) and numbers(ratios.get("q", {}))
            and (not ratios.get("q") or {"q25", "median", "q75"} <= set(ratios["q"]))
            and type(ratios.get("source", "")) is str):
        return "ratios of the wrong shape"
    return None


class Graph:
    """The snapshot, read lazily: only the names asked for are decoded."""

    def __init__(self, path: str | None = None, data: bytes | None = None, binary: bool = False) -> None:
        """``path`` or ``data``: the JSONL snapshot, or with ``binary`` its compiled form (:mod:`graphbin`)."""
        self.path = path
        self._data = data
        self.binary = binary
        self._header: dict | None = None
        self._offset = 0
        self._raw: dict[tuple[str, str], dict | None] = {}
        self._channels: dict[str, set[str]] = {}
        self._masks_of: dict[str, int] = {}  # name -> its channels' mask (knows)
        self._bits: dict[str, int] = {}  # channel -> its bit in a channels' mask
        self._all: dict[str, tuple[Build, ...]] = {}
        self._with_build: dict[tuple[str, str], frozenset[tuple[str, str]]] = {}
        self._ratios: Ratios | None = None
        self._sources: dict[int, tuple[str, str]] = {}
        self._index: dict[str, list] = {}
        self._subdir_masks: dict[str, list] = {}
        self._cache: dict[tuple, list[Build]] = {}
        self.memo: dict = {}  # what readers of this graph remember between environments (model's matches)
        # from the lines read so far: a depends string -> the ranks of its name's versions it allows (only
        # the strings that constrain the version alone), and a name -> version -> its rank (graphfile)
        self.masks: dict[str, int] = {}
        self.ranks: dict[str, dict[str, int]] = {}

    # -- the index ------------------------------------------------------------------------------
    def _load_header(self) -> dict:
        if self._header is not None:
            return self._header
        if self.binary:
            header, self._offset = self._binary_header()
        else:
            import json

            if self._data is not None:
                line, _, _ = self._data.partition(b"\n")
            elif self.path is not None and os.path.exists(self.path):
                with open(self.path, "rb") as f:
                    line = f.readline().rstrip(b"\n")
            else:
                line = b""
            header = json.loads(line) if line.strip() else {}
            self._offset = len(line) + 1
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            header = {"format": FORMAT, "names": {}, "sources": [], "channels": []}
        elif not header_ok(header):
            if self.binary:
                raise ValueError("a header of the wrong shape")
            header = {"format": FORMAT, "names": {}, "sources": [], "channels": []}
        self._header = header
        return header

    def _binary_header(self) -> tuple[dict, int]:
        from envslim.environment import graphbin

        if self._data is not None:
            return graphbin.read_header(self._data)
        with open(self.path, "rb") as f:  # type: ignore[arg-type]
            prefix = f.read(graphbin.FIXED)
            end = graphbin.header_length(prefix)
            if end > os.fstat(f.fileno()).st_size:  # (a damaged length: never a read of that many bytes)
                raise ValueError("a header longer than the file")
            return graphbin.read_header(prefix + f.read(max(0, end - len(prefix))))

    @property
    def date(self) -> str:
        """The snapshot's date: the newest source it was built from (when the measured artifacts existed)."""
        return self._load_header().get("date", "")

    @property
    def ratios(self) -> Ratios:
        """The measured installed/archive ratios the snapshot's estimates are made with."""
        if self._ratios is None:
            self._ratios = Ratios.from_json(self._load_header().get("ratios", {}))
        return self._ratios

    @property
    def method(self) -> str:
        """How installed bytes were estimated where they were not measured."""
        return self._load_header().get("method", "")

    @property
    def sources(self) -> list[list[str]]:
        """[repository, path, commit, date] of every lock file or conda-meta the snapshot was built from."""
        return self._load_header().get("sources", [])

    def names(self) -> list[str]:
        return list(self._load_header()["names"])

    # -- one name -------------------------------------------------------------------------------
    def _line(self, name: str, subdir: str) -> dict | None:
        """The decoded line of ``name`` on ``subdir`` (depends table and rows), None when there is none."""
        key = (name, subdir)
        if key in self._raw:
            return self._raw[key]
        header = self._load_header()
        line = None
        for ix, start, length, _mask in self._entries(name):
            if not 0 <= ix < len(header["subdirs"]):
                raise self.damaged(f"{name}: its entry in the header is not one")
            if header["subdirs"][ix] != subdir:
                continue
            if self._data is None:
                # the file mapped once (a few MB; only the pages of the lines read are touched): cheaper
                # than an open and a seek for each of the few hundred lines a file reaches
                import mmap

                with open(self.path, "rb") as f:  # type: ignore[arg-type]
                    self._data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # type: ignore[assignment]
            end = self._offset + start + length
            if start < 0 or length < 0 or end > len(self._data):  # type: ignore[arg-type]
                raise self.damaged(f"{name} on {subdir}: its data lies past the end of the file")
            blob = self._data[self._offset + start:end]
            try:
                if self.binary:
                    import marshal

                    line = marshal.loads(blob)
                else:
                    import json

                    line = json.loads(blob.decode("utf-8"))  # (str: json would look for the encoding itself)
                masks = self.masks
                if not (type(line) is dict and type(line["d"]) is list and type(line["m"]) is list
                        and len(line["d"]) == len(line["m"]) and type(line["b"]) is list):
                    raise TypeError("not a line of the snapshot")
                for d, m in zip(line["d"], line["m"]):
                    if m is not None:
                        masks[d] = m
                ranks = self.ranks.setdefault(name, {})
                for row in line["b"]:
                    ranks[row[0]] = row[9]
            except (ValueError, EOFError, TypeError, KeyError, IndexError) as e:  # (UnicodeDecodeError: a ValueError)
                raise self.damaged(f"{name} on {subdir}: {type(e).__name__}: {e}") from None
        self._raw[key] = line
        return line

    def _make(self, name: str, subdir: str, line: dict, row: list) -> Build:
        header = self._header
        version, build, ch, dep_ix, archive, installed, src, days, python, _rank = row
        est = lo = hi = None
        if installed is None and archive:
            est, lo, hi = self.ratios.estimate(name, archive, header["channels"][ch]) or (None, None, None)
        source, date = self._source(src)
        deps = line["d"]
        depends = tuple(deps[i] for i in dep_ix)
        return Build(name, version, build, subdir, header["channels"][ch], depends,  # type: ignore[index]
                     archive, installed, (lo, hi) if installed is None and lo is not None else None,
                     source, est if installed is None else None, date, days, python)

    def _source(self, src: int) -> tuple[str, str]:
        got = self._sources.get(src)
        if got is None:
            repo, path, commit, date = self._load_header()["sources"][src]
            text = f"{repo} {path} @{commit[:7]} ({date})" if commit else f"{repo} {path} ({date})"
            got = self._sources[src] = (text, date)
        return got

    def _entries(self, name: str) -> list[tuple[int, int, int, int]]:
        """(subdir index, start, length, channel mask) of each line of ``name``."""
        got = self._index.get(name)
        if got is None:
            try:  # (a subdir index out of range is met where it is used)
                text = self._load_header()["names"].get(name, "").strip(";")
                nums = iter(map(int, text.replace(";", ",").split(","))) if text else iter(())
                got = self._index[name] = list(zip(nums, nums, nums, nums))  # (4 numbers an entry)
            except (ValueError, AttributeError):
                raise self.damaged(f"{name}: its entry in the header is not one") from None
        return got  # type: ignore[return-value]

    def damage(self) -> str | None:
        """What is damaged in the lines decoded so far (see :func:`damage`), or None."""
        header = self._header or {}
        what = header_damage(header)
        if what is not None:
            return str(self.damaged(f"its header: {what}"))
        nch, nsrc = len(header.get("channels", ())), len(header.get("sources", ()))
        for (name, subdir), line in self._raw.items():
            if line is None:
                continue
            nd = len(line["d"])
            if not all(type(d) is str for d in line["d"]) or not all(_row_ok(r, nd, nch, nsrc) for r in line["b"]):
                return str(self.damaged(f"{name} on {subdir}: a row of the wrong shape"))
        return None

    def damaged(self, what: str) -> Exception:
        """The error that says this snapshot's file is damaged (``what``: where, and how)."""
        from envslim.errors import EnvslimError

        where = self.path or "the graph snapshot"
        return EnvslimError(f"{where}: damaged ({what}); reinstall envslim" if self.binary
                            else f"{where}: damaged ({what})")

    def _subdirs(self, name: str) -> list[tuple[str, int]]:
        """(subdir, channel mask) of each line of ``name`` (read once: every question about a name asks)."""
        got = self._subdir_masks.get(name)
        if got is None:
            entries = self._entries(name)
            subdirs = self._load_header()["subdirs"] if entries else ()
            try:
                got = self._subdir_masks[name] = [(subdirs[ix], mask) for ix, _start, _length, mask in entries]
            except IndexError:
                raise self.damaged(f"{name}: its entry in the header is not one") from None
        return got

    def all_builds(self, name: str) -> tuple[Build, ...]:
        """Every build of ``name`` in the snapshot, any platform and channel."""
        got = self._all.get(name)
        if got is None:
            out = []
            for subdir, _mask in self._subdirs(name):
                line = self._line(name, subdir)
                out += [self._make(name, subdir, line, row) for row in line["b"]]  # type: ignore[index]
            got = self._all[name] = tuple(out)
        return got

    def with_build(self, name: str, build: str) -> set[tuple[str, str]]:
        """(subdir, channel) of every build of ``name`` whose build string is ``build``, any platform and
        channel: :meth:`all_builds` read from the rows (no build is made); remembered (a file's platform is read
        from its build strings for each environment of it)."""
        got = self._with_build.get((name, build))
        if got is None:
            header = self._load_header()
            out = set()
            for subdir, _mask in self._subdirs(name):
                line = self._line(name, subdir)
                for row in line["b"]:  # type: ignore[index]
                    if row[1] == build:
                        out.add((subdir, header["channels"][row[2]]))
            got = self._with_build[(name, build)] = frozenset(out)
        return set(got)

    def channels_of(self, name: str) -> set[str]:
        """The channels the snapshot has ``name`` on (any platform), read from the index alone."""
        got = self._channels.get(name)
        if got is None:
            chans = self._load_header()["channels"]
            mask = self._channel_mask(name)
            got = self._channels[name] = {c for i, c in enumerate(chans) if mask >> i & 1}
        return got

    def _channel_mask(self, name: str) -> int:
        """The channels the snapshot has ``name`` on, as a mask of the header's channels (bit i: channel i)."""
        got = self._masks_of.get(name)
        if got is None:
            got = 0
            for _subdir, m in self._subdirs(name):
                got |= m
            self._masks_of[name] = got
        return got

    def knows(self, name: str, channel: str = "conda-forge") -> bool:
        """Whether the snapshot has ``name`` on ``channel`` (any platform)."""
        bit = self._bits.get(channel)
        if bit is None:
            chans = self._load_header()["channels"]
            bit = self._bits[channel] = 1 << chans.index(channel) if channel in chans else 0
        return self._channel_mask(name) & bit != 0

    def platforms(self, name: str, channel: str | None = None) -> set[str]:
        chans = self._load_header()["channels"]
        bit = 1 << chans.index(channel) if channel in chans else 0
        return {subdir for subdir, mask in self._subdirs(name) if channel is None or mask & bit}

    def builds(self, name: str, *, platform: str, channel: str, python: str | None = None) -> "Builds | list[Build]":
        """The builds of ``name`` for ``platform`` (its own subdir or noarch) on ``channel``, newest first
        (version, then build number, then timestamp); with ``python``, only those built for that Python or
        for none in particular (the rows of other Pythons are not even decoded into builds)."""
        key = (name, platform, channel, python)
        got = self._cache.get(key)
        if got is not None:
            return got
        chans = self._load_header()["channels"]
        ch = chans.index(channel) if channel in chans else -1
        parts: list[tuple[str, dict, list]] = []
        for subdir, mask in self._subdirs(name):
            if ch < 0 or subdir not in (platform, "noarch") or not mask >> ch & 1:
                continue
            line = self._line(name, subdir)
            rows = line["b"] if mask == 1 << ch else [row for row in line["b"] if row[2] == ch]  # type: ignore[index]
            if python is not None:
                if name == "python":
                    rows = [row for row in rows if row[0] == python or row[0].startswith(python + ".")]
                else:
                    rows = [row for row in rows if row[8] is None or row[8] == python]
            parts.append((subdir, line, rows))  # type: ignore[arg-type]
        if len(parts) == 1:
            subdir, line, rows = parts[0]
            got = Builds(rows, (subdir, line), lambda subdir, line, row: self._make(name, subdir, line, row))
        else:  # two subdirs (a package built per platform and as noarch), each ordered: merge them
            entries = [((subdir, line), row) for subdir, line, rows in parts for row in rows]
            entries.sort(key=lambda e: (e[1][9], build_number(e[1][1]), e[1][7]), reverse=True)
            got = Builds([row for _at, row in entries], [at for at, _row in entries],
                         lambda subdir, line, row: self._make(name, subdir, line, row))
        self._cache[key] = got
        return got

    def candidates(self, spec, *, platform: str, channel: str, python: str | None = None) -> list[Build]:
        """The builds that satisfy ``spec`` (a MatchSpec or its text) for the target, newest first."""
        if isinstance(spec, str):
            from envslim import conda as condaspec

            spec = condaspec.parse(spec)
        return [b for b in self.builds(spec.name, platform=platform, channel=channel)
                if spec.match(b.as_record()) and fits_python(b, python)]


@dataclass(frozen=True)
class Requires:
    """A PyPI release's Requires-Dist as the snapshot read it (extras left out)."""

    project: str
    version: str
    requires: tuple[str, ...]
    url: str
    date: str  # when the snapshot read it


_PYPI: dict | None = None


def pypi_requires(project: str) -> Requires | None:
    """The Requires-Dist of ``project``'s release in the snapshot (knowledge/graph/pypi.json, from the PyPI
    JSON API); None when the snapshot does not have the project."""
    global _PYPI
    if _PYPI is None:
        from envslim import knowledge

        try:  # (from the knowledge index where it holds the file as it is)
            _PYPI = knowledge.read("graph/pypi.json")
        except (OSError, ValueError):
            _PYPI = {}
    import re

    p = _PYPI.get("projects", {}).get(re.sub(r"[-_.]+", "-", project).lower())
    if p is None:
        return None
    return Requires(project, p["version"], tuple(p["requires"]), p["url"], _PYPI.get("read", ""))


_SNAPSHOT: Graph | None = None


def snapshot() -> Graph:
    """The snapshot shipped with envslim (an empty graph when it is missing): its compiled form beside the
    package where there is one (:mod:`graphbin`; an installed wheel's), else the JSONL."""
    global _SNAPSHOT
    if _SNAPSHOT is None:
        _SNAPSHOT = _compiled() or Graph(os.path.join(knowledge_root(), FILE))
    return _SNAPSHOT


def damage() -> str | None:
    """What is damaged in the lines the shipped snapshot has decoded so far, as one line naming its file; None
    when they are whole (or none were read). Asked only after an unexpected error (the CLI's last resort):
    the reader checks a line's outline when it decodes it, and this checks every field of every row, which
    the hook path does not pay for."""
    return None if _SNAPSHOT is None else _SNAPSHOT.damage()


def _row_ok(row, nd: int, nch: int, nsrc: int) -> bool:
    if type(row) is not list or len(row) != 10:
        return False
    version, build, ch, dep, archive, installed, src, days, python, rank = row
    whole = (int, type(None))
    return (type(version) is str and type(build) is str and type(rank) is int and type(ch) is int
            and 0 <= ch < nch and type(src) is int and 0 <= src < nsrc and type(dep) is list
            and all(type(i) is int and 0 <= i < nd for i in dep) and isinstance(archive, whole)
            and isinstance(installed, whole) and isinstance(days, whole) and isinstance(python, (str, type(None))))


def _compiled(package: str | None = None, root: str | None = None) -> Graph | None:
    """The compiled snapshot beside the package (``package``: envslim's folder), where it is trusted: always in
    an installed wheel (which carries no JSONL), and in a checkout (``root``: its knowledge folder) while the
    JSONL it was compiled from is unchanged. None where there is none, or it cannot be read."""
    from envslim.environment import graphbin

    package = package or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(package, graphbin.FILE)
    try:
        with open(path, "rb") as f:
            recorded = graphbin.source_stamp(f.read(graphbin.FIXED))
    except OSError:
        return None
    if recorded is None:
        return None
    root = root or knowledge_root()
    if os.path.basename(root) != "_knowledge":  # a checkout
        try:
            if graphbin.stamp(os.path.join(root, FILE)) != recorded:
                return None
        except OSError:
            return None
    got = Graph(path, binary=True)
    try:  # (read now: a damaged file, or one of another format, is passed over here, not met in a walk)
        names = got._load_header()["names"]
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return got if names else None
