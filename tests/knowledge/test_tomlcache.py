"""The marshal cache of envslim's own TOML data: same documents as tomllib, stale or broken caches ignored."""

from __future__ import annotations

import os
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import pytest

from envslim import _tomlcache
from envslim._paths import knowledge_dir


@pytest.fixture
def caching(tmp_path, monkeypatch):
    """Caches written under a scratch pycache_prefix, whatever PYTHONDONTWRITEBYTECODE says."""
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "prefix"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return tmp_path / "prefix" / "envslim-data"


def cached_files(root) -> list[str]:
    return sorted(os.listdir(root)) if root.is_dir() else []


def without_tomllib(monkeypatch):
    """From here on, a load that needs to parse fails: only the cache can answer."""
    monkeypatch.setitem(sys.modules, "tomllib", None)
    monkeypatch.setitem(sys.modules, "tomli", None)


def test_every_shipped_file_reads_as_tomllib_reads_it(caching, monkeypatch):
    files = sorted((knowledge_dir() / "packages").glob("*.toml")) + [knowledge_dir() / "names.toml"]
    expected = [tomllib.loads(f.read_text(encoding="utf-8")) for f in files]
    assert [_tomlcache.load(f) for f in files] == expected  # parsed, caches written
    assert len(cached_files(caching)) == len(files)
    without_tomllib(monkeypatch)
    assert [_tomlcache.load(f) for f in files] == expected  # from the caches


def test_a_changed_source_is_parsed_again(caching, tmp_path, monkeypatch):
    src = tmp_path / "entry.toml"
    src.write_text('name = "a"\n')
    assert _tomlcache.load(src) == {"name": "a"}
    [cache] = cached_files(caching)
    assert cache.startswith("entry.toml.") and cache.endswith(f".{sys.implementation.cache_tag}.marshal")
    src.write_text('name = "bb"\n')  # another size
    assert _tomlcache.load(src) == {"name": "bb"}
    os.utime(src, ns=(1_000_000_000, 1_000_000_000))
    src.write_text('name = "cc"\n')  # the same size, another mtime
    os.utime(src, ns=(2_000_000_000, 2_000_000_000))
    assert _tomlcache.load(src) == {"name": "cc"}
    without_tomllib(monkeypatch)
    assert _tomlcache.load(src) == {"name": "cc"}


def test_broken_or_foreign_caches_are_ignored_and_replaced(caching, tmp_path):
    src = tmp_path / "entry.toml"
    src.write_text("figures = [{ id = 'x', installed_bytes = 12 }]\n")
    doc = {"figures": [{"id": "x", "installed_bytes": 12}]}
    assert _tomlcache.load(src) == doc
    cache = caching / cached_files(caching)[0]
    header = cache.read_bytes().split(b"\n", 1)[0] + b"\n"
    for junk in (b"", b"garbage", header + b"\xff\x00", header + b"N", header[:-3] + b"9\n" + b"\x00"):
        cache.write_bytes(junk)
        assert _tomlcache.load(src) == doc
        assert cache.read_bytes().startswith(header)


def test_what_is_not_cached(tmp_path, monkeypatch, caching):
    dated = tmp_path / "dated.toml"
    dated.write_text("date = 2024-03-01\n")  # a TOML date: not marshallable
    assert str(_tomlcache.load(dated)["date"]) == "2024-03-01"
    assert cached_files(caching) == []
    plain = tmp_path / "plain.toml"
    plain.write_text("a = 1\n")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert _tomlcache.load(plain) == {"a": 1}
    assert cached_files(caching) == []
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    caching.parent.mkdir(parents=True)
    caching.write_text("a file where the cache folder would go")
    assert _tomlcache.load(plain) == {"a": 1}  # cannot write: no error
    bad = tmp_path / "bad.toml"
    bad.write_text("a = \n")
    with pytest.raises(tomllib.TOMLDecodeError):
        _tomlcache.load(bad)
    with pytest.raises(FileNotFoundError):
        _tomlcache.load(tmp_path / "missing.toml")
