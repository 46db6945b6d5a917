"""The knowledge index: every knowledge file compiled into one JSON file, read without a TOML parser.

The wheel's build hook (hatch_build.py) compiles ``knowledge/`` into ``envslim/_knowledge_index.json``;
nothing is ever written at run time. Format (portable across Python versions: JSON only)::

    line 1: {"format": 1, "names": <names.toml>, "files": {"<file>": [mtime_ns, size], ...},
             "entries": {"<package>": [start, length], ...}, "data": {"<file>.toml": [start, length], ...}}
    then:   each entry's (and each top-level data file's) JSON, at ``start`` bytes after the end of line 1

A reader parses line 1 and then only the entries it is asked for. In a checkout (an editable install,
or the tests) the index is optional: a knowledge file whose modification time or size differs from the
index's record, or that the index does not have, is read from its TOML instead (and so is everything
when there is no index), so an edit shows at once and a stale index is never believed.
``python -m envslim.knowledge.index [OUT]`` compiles one by hand (bench/bench_hook.py does).

This module imports nothing from envslim: the build hook loads it by path, before envslim is installed.
"""

from __future__ import annotations

import os

FORMAT = 1
FILE = "_knowledge_index.json"


def _json():
    import json  # only when there is an index to read (or to write)

    return json


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


def compile_index(root: str) -> bytes:
    """The index of the knowledge directory ``root`` (``names.toml`` and ``packages/*.toml``)."""
    files = {"names.toml": _stamp(os.path.join(root, "names.toml"))}
    entries: dict[str, list[int]] = {}
    body: list[bytes] = []
    at = 0
    folder = os.path.join(root, "packages")
    for file in sorted(os.listdir(folder)):
        if not file.endswith(".toml"):
            continue
        path = os.path.join(folder, file)
        blob = _json().dumps(read_toml(path), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        entries[file[: -len(".toml")]] = [at, len(blob)]
        files[f"packages/{file}"] = _stamp(path)
        body.append(blob)
        at += len(blob)
    data: dict[str, list[int]] = {}
    for file in sorted(os.listdir(root)):  # the data files beside names.toml (variants, reverse dependencies...)
        path = os.path.join(root, file)
        if not file.endswith(".toml") or file == "names.toml" or not os.path.isfile(path):
            continue
        blob = _json().dumps(read_toml(path), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        data[file] = [at, len(blob)]
        files[file] = _stamp(path)
        body.append(blob)
        at += len(blob)
    header = {"format": FORMAT, "names": read_toml(os.path.join(root, "names.toml")), "files": files,
              "entries": entries, "data": data}
    return _json().dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" + b"".join(body)


class Index:
    """A compiled index read from bytes; ``root`` is the knowledge directory it is checked against, or
    None to trust it as it is (an installed wheel: its files cannot have changed)."""

    def __init__(self, data: bytes, root: str | None) -> None:
        end = data.index(b"\n")
        self.header = _json().loads(data[:end])
        if self.header.get("format") != FORMAT:
            raise ValueError(f"knowledge index format {self.header.get('format')!r}, not {FORMAT}")
        self.body = memoryview(data)[end + 1:]
        self.root = root

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
        start, length = self.header["entries"][name]
        return _json().loads(bytes(self.body[start:start + length]))

    def data(self, file: str) -> dict:
        """A top-level data file (``variants.toml``, ``reverse_deps.toml``) as the index holds it."""
        start, length = self.header["data"][file]
        return _json().loads(bytes(self.body[start:start + length]))


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
