"""The knowledge index: every knowledge file compiled into one file, read without a TOML parser.

The wheel's build hook (hatch_build.py) compiles ``knowledge/`` into ``envslim/_knowledge_index.bin``;
nothing is ever written at run time. Format::

    MAGIC, then the header's length (8 bytes, little-endian), then the header (marshal):
        {"format": 2, "names": <names.toml>, "files": {"<file>": [mtime_ns, size], ...},
         "entries": {"<package>": [start, length], ...}, "data": {"<file>": [start, length], ...}}
    then the body: each entry's (and each data file's) data (marshal), at ``start`` bytes into it

The data files are the TOML files beside names.toml (variants, reverse dependencies...) and the graph
snapshot's PyPI requirements (``graph/pypi.json``). The data is plain (dicts, lists, strings, numbers,
booleans, dates as ISO text), written by marshal's format 2, which every CPython 3 reads (values only, so
the same files always compile to the same bytes; graphbin.py says why not format 4): it decodes
several times faster than JSON, and the hook path then never imports json (about 1.3 ms of CPU: a fresh
interpreter importing re and argparse, with json and without, medians of 25 runs, 2026-12-07).

A reader parses the header and then only the entries it is asked for. In a checkout (an editable install,
or the tests) the index is optional: a knowledge file whose modification time or size differs from the
index's record, or that the index does not have, is read from its TOML (or JSON) instead (and so is
everything when there is no index), so an edit shows at once and a stale index is never believed.
``python -m envslim.knowledge.index [OUT]`` compiles one by hand (bench/bench_hook.py does).

This module imports nothing from envslim: the build hook loads it by path, before envslim is installed.
"""

from __future__ import annotations

import marshal
import os

FORMAT = 2
FILE = "_knowledge_index.bin"
MAGIC = b"envslim knowledge index, marshal 2\n"
VERSION = 2  # marshal's format
# the data files in JSON (those in TOML are found beside names.toml)
JSON_DATA = ("graph/pypi.json",)


def plain(value):
    """TOML data as JSON has it: dates and times become their ISO text (what the loader shows anyway)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def read_toml(path: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib
    with open(path, "rb") as f:
        return plain(tomllib.load(f))


def _stamp(path: str) -> list[int]:
    st = os.stat(path)
    return [st.st_mtime_ns, st.st_size]


def read_json(path: str) -> dict:
    import json

    with open(path, encoding="utf-8") as f:
        return json.load(f)


def compile_index(root: str) -> bytes:
    """The index of the knowledge directory ``root`` (``names.toml``, ``packages/*.toml``, the data files)."""
    files = {"names.toml": _stamp(os.path.join(root, "names.toml"))}
    entries: dict[str, list[int]] = {}
    body: list[bytes] = []
    at = 0
    folder = os.path.join(root, "packages")
    for file in sorted(os.listdir(folder)):
        if not file.endswith(".toml"):
            continue
        path = os.path.join(folder, file)
        blob = marshal.dumps(read_toml(path), VERSION)
        entries[file[: -len(".toml")]] = [at, len(blob)]
        files[f"packages/{file}"] = _stamp(path)
        body.append(blob)
        at += len(blob)
    data: dict[str, list[int]] = {}
    tomls = [f for f in sorted(os.listdir(root))  # the data files beside names.toml (variants, reverse dependencies...)
             if f.endswith(".toml") and f != "names.toml" and os.path.isfile(os.path.join(root, f))]
    for file in tomls + [f for f in JSON_DATA if os.path.isfile(os.path.join(root, f))]:
        path = os.path.join(root, file)
        blob = marshal.dumps(read_json(path) if file.endswith(".json") else read_toml(path), VERSION)
        data[file] = [at, len(blob)]
        files[file] = _stamp(path)
        body.append(blob)
        at += len(blob)
    header = marshal.dumps({"format": FORMAT, "names": read_toml(os.path.join(root, "names.toml")), "files": files,
                            "entries": entries, "data": data}, VERSION)
    return MAGIC + len(header).to_bytes(8, "little") + header + b"".join(body)


class Index:
    """A compiled index read from bytes; ``root`` is the knowledge directory it is checked against, or
    None to trust it as it is (an installed wheel: its files cannot have changed)."""

    def __init__(self, data: bytes, root: str | None) -> None:
        if not data.startswith(MAGIC):
            raise ValueError("not a knowledge index")
        start = len(MAGIC) + 8
        end = start + int.from_bytes(data[len(MAGIC):start], "little")
        if end > len(data):
            raise ValueError("a header longer than the file")
        self.header = marshal.loads(data[start:end])
        if type(self.header) is not dict or self.header.get("format") != FORMAT:
            raise ValueError(f"knowledge index format {getattr(self.header, 'get', dict().get)('format')!r}, not {FORMAT}")
        self.body = memoryview(data)[end:]
        if not _header_ok(self.header):  # (checked once: a damaged index is passed over)
            raise ValueError("a knowledge index header of the wrong shape")
        self.root = root
        self.path = ""  # (where it was read from, for a message)
        self.read: set[str] = set()  # the entries read (checked whole only after an unexpected error)

    def fresh(self, file: str) -> bool:
        """True when the index's copy of ``file`` (``names.toml``, ``packages/x.toml``) can be used."""
        record = self.header["files"].get(file)
        if record is None:
            return False
        if self.root is None:
            return True
        try:
            return _stamp(os.path.join(self.root, file)) == record
        except OSError:
            return False

    def names(self) -> set[str]:
        return set(self.header["entries"])

    def entry(self, name: str) -> dict:
        return self._read("entries", name)

    def data(self, file: str) -> dict:
        """A data file (``variants.toml``, ``reverse_deps.toml``, ``graph/pypi.json``) as the index holds it."""
        return self._read("data", file)

    def damage(self, check) -> str | None:
        """What is damaged in the entries read so far, as one line naming the file: ``check(data, name)`` gives
        an entry's problems (``envslim.knowledge.schema.validate_entry``); None when there are none."""
        for name in self.read:
            problems = check(self.entry(name), name)
            if problems:
                return f"{self.path or FILE}: damaged ({name}: {problems[0]}); reinstall envslim"
        return None

    def _read(self, part: str, key: str) -> dict:
        if part == "entries":
            self.read.add(key)
        try:
            start, length = self.header[part][key]
            if not (type(start) is int and type(length) is int and 0 <= start and 0 <= length
                    and start + length <= len(self.body)):
                raise ValueError("its data lies outside the file")
            got = marshal.loads(self.body[start:start + length])
        except (ValueError, EOFError, TypeError, KeyError) as e:
            got = e
        if type(got) is not dict:
            raise Damaged(f"{self.path or FILE}: damaged ({key}: "
                          f"{f'{type(got).__name__}: {got}' if isinstance(got, Exception) else 'not a table'});"
                          " reinstall envslim")
        return got


class Damaged(ValueError):
    """A compiled index whose data for a file does not decode, or is not a table: one line naming the file."""


def _header_ok(header: dict) -> bool:
    """Whether an index header has the outline the reader relies on (each span is checked when it is read)."""
    return (all(type(header.get(k)) is dict for k in ("names", "files", "entries"))
            and type(header.get("data", {})) is dict)


def main(argv: list[str] | None = None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else argv
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # envslim/
    out = args[0] if args else os.path.join(here, FILE)
    data = compile_index(os.path.join(os.path.dirname(here), "knowledge"))
    with open(out, "wb") as f:
        f.write(data)
    print(f"{out}: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
