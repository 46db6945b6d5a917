"""Read envslim's own TOML data (knowledge entries, names.toml) through a marshal cache.

Parsing TOML in pure Python, and importing tomllib to do it, is a sixth of what ``envslim rewrite
--check`` costs on a small file (bench/bench_hook.py). Python keeps compiled modules in ``__pycache__``;
the shipped data is kept the same way: the parsed document is marshalled to
``envslim/__pycache__/<file>.<crc32 of its path>.<cache tag>.marshal`` (or under ``sys.pycache_prefix``),
keyed by the source's modification time and size, and read back while they match. The TOML files stay
the only source of truth: a stale, unreadable or foreign cache file is ignored and rewritten. Like byte-code,
nothing is written when ``sys.dont_write_bytecode`` is set (PYTHONDONTWRITEBYTECODE), and a folder that cannot
be written is no error. Only envslim's own data goes through here, never a user's configuration.
"""

from __future__ import annotations

import marshal
import os
import sys

_MAGIC = b"envslim-toml-cache 1 "


def _cache_file(path: str) -> str:
    import zlib

    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.join(sys.pycache_prefix, "envslim-data") if sys.pycache_prefix else os.path.join(here, "__pycache__")
    tag = sys.implementation.cache_tag or "python"
    name = os.path.basename(path)
    return os.path.join(root, f"{name}.{zlib.crc32(os.path.abspath(path).encode()):08x}.{tag}.marshal")


def load(path) -> dict:
    """The TOML document at ``path`` (a dict, as ``tomllib.load`` returns it)."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        key = b"%s%d %d %d\n" % (_MAGIC, marshal.version, st.st_mtime_ns, st.st_size)
        cache = _cache_file(path)
        try:
            with open(cache, "rb") as c:
                blob = c.read()
            if blob.startswith(key):
                doc = marshal.loads(memoryview(blob)[len(key):])
                if isinstance(doc, dict):
                    return doc
        except (OSError, ValueError, EOFError, TypeError):
            pass
        data = f.read()
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    doc = tomllib.loads(data.decode("utf-8"))
    if not sys.dont_write_bytecode:
        _write(cache, key, doc)
    return doc


def _write(cache: str, key: bytes, doc: dict) -> None:
    try:
        blob = key + marshal.dumps(doc)
    except ValueError:  # a TOML date or time: not marshallable, so not cached
        return
    tmp = f"{cache}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(blob)
        os.replace(tmp, cache)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
