"""The graph snapshot compiled for reading: the lines of ``knowledge/graph/conda.jsonl`` as marshal data.

A walk reads a few hundred of the snapshot's lines, and decoding their JSON was the largest single cost of
the walk in ``envslim rewrite --check`` (about 7 ms of the geo stack's walk of 371 packages, measured
in-process). marshal decodes the same lists, strings and integers about 2.5 times faster; the standard
library has nothing faster for plain data, and pickle is slower. The data is written in marshal's format
2 (:data:`VERSION`), which every CPython 3 reads: it stores values only, so the same snapshot always
compiles to the same bytes (formats 3 and 4 mark objects for reuse by their reference counts at the time,
which differ from one process to the next), and it decodes as fast as format 4. Only plain data is
stored, never code.

The wheel's build hook (hatch_build.py) compiles it into the package as ``envslim/_graph_snapshot.bin`` in
place of the JSONL (which stays the checkout's reviewable source); bench/bench_hook.py compiles one beside
the checkout's package the same way, and ``python -m envslim.environment.graphbin [OUT]`` by hand. Nothing
is written at run time. In a checkout a compiled file is used only while the JSONL it was compiled from is
unchanged (its modification time and size); an installed wheel's is trusted as it is.

Format::

    MAGIC, then three 8-byte little-endian integers: the source JSONL's mtime_ns and size, and the length
    of the header; the header (marshal): the JSONL's line 1 with each name's entries pointing into the
    body ("subdir index,start,length,channel mask;..."); then the body: each line's marshal data.

This module imports nothing from envslim: the build hook loads it by path, before envslim is installed.
"""

from __future__ import annotations

import marshal
import os

VERSION = 2  # marshal's format: values only, so the bytes are reproducible
MAGIC = b"envslim graph snapshot, marshal 2\n"
FILE = "_graph_snapshot.bin"
FIXED = len(MAGIC) + 24  # the magic, the source stamp and the header length


def stamp(path: str) -> tuple[int, int]:
    """(mtime_ns, size) of ``path``."""
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size


def compile_snapshot(jsonl: bytes, source: tuple[int, int] = (0, 0)) -> bytes:
    """The compiled form of a snapshot's JSONL bytes; ``source``: the JSONL file's :func:`stamp`."""
    import json

    first, _, body = jsonl.partition(b"\n")
    header = json.loads(first)
    names = {}
    blobs: list[bytes] = []
    at = 0
    for name, text in header.get("names", {}).items():
        entries = []
        for part in text.strip(";").split(";") if text.strip(";") else ():
            ix, start, length, mask = (int(x) for x in part.split(","))
            blob = marshal.dumps(json.loads(body[start:start + length]), VERSION)
            entries.append(f"{ix},{at},{len(blob)},{mask}")
            blobs.append(blob)
            at += len(blob)
        names[name] = ";".join(entries)  # (text, as in the JSONL: one string decodes faster than tuples)
    head = marshal.dumps({**header, "names": names}, VERSION)
    fixed = b"".join(n.to_bytes(8, "little") for n in (source[0], source[1], len(head)))
    return MAGIC + fixed + head + b"".join(blobs)


def source_stamp(prefix: bytes) -> tuple[int, int] | None:
    """The source :func:`stamp` a compiled file's first bytes record; None when they are not one."""
    if len(prefix) < FIXED or not prefix.startswith(MAGIC):
        return None
    return (int.from_bytes(prefix[len(MAGIC):len(MAGIC) + 8], "little"),
            int.from_bytes(prefix[len(MAGIC) + 8:len(MAGIC) + 16], "little"))


def read_header(data) -> tuple[dict, int]:
    """(the header, where the body starts) of compiled bytes (or the file's first bytes, up to the body)."""
    prefix = bytes(data[:FIXED])
    if source_stamp(prefix) is None:
        raise ValueError("not a compiled graph snapshot")
    end = header_length(prefix)
    if end > len(data):
        raise ValueError("a header longer than the file")
    return marshal.loads(data[FIXED:end]), end


def header_length(prefix: bytes) -> int:
    """How many bytes a reader needs up to the body, from the file's first :data:`FIXED` bytes."""
    return FIXED + int.from_bytes(prefix[FIXED - 8:FIXED], "little")


def main(argv: list[str] | None = None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else argv
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # envslim/
    source = os.path.join(os.path.dirname(package), "knowledge", "graph", "conda.jsonl")
    out = args[0] if args else os.path.join(package, FILE)
    with open(source, "rb") as f:
        data = compile_snapshot(f.read(), stamp(source))
    with open(out, "wb") as f:
        f.write(data)
    print(f"{out}: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
