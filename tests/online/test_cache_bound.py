"""The cache stays under its bound across runs: least recently used units out first."""

from __future__ import annotations

import os

import pytest

from envslim.errors import EnvslimError
from envslim.online.cache import Cache, enforce_bound
from envslim.online.limits import cache_max


def _unit(path, size: int, used: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    for p in (path, path.parent):  # a unit's last use: the newest time of it and what it holds
        os.utime(p, (used, used))


A, B = "a" * 64 + ".json", "b" * 64 + ".json"  # (an entry's name: the SHA-256 of its key)
H1 = "1" * 20  # (a channel's folder: 20 hex digits of its URL's SHA-256)


def test_the_least_recently_used_units_leave_first(tmp_path):
    root = tmp_path / "cache"
    _unit(root / A, 400, 1000)  # an http entry
    _unit(root / "repodata" / H1 / "noarch" / "repodata.json", 500, 3000)  # a channel subdir, whole
    _unit(root / "repodata" / H1 / "linux-64" / "repodata.json", 300, 2000)
    _unit(root / "solve" / "uv" / "wheels" / "w.bin", 200, 4000)
    os.utime(root / "solve" / "uv", (4000, 4000))
    os.utime(root, (0, 0))
    _unit(root / "http" / B, 100, 5000)
    removed = enforce_bound(root, 900)
    assert [p.relative_to(root).as_posix() for p in removed] == [A, f"repodata/{H1}/linux-64"]
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == [
        f"http/{B}", f"repodata/{H1}/noarch/repodata.json", "solve/uv/wheels/w.bin"]
    assert enforce_bound(root, 900) == []


def test_reading_an_entry_makes_it_recent(tmp_path):
    cache = Cache(tmp_path, clock=lambda: 1000.0)
    cache.put("https://example.org/old", "1")
    cache.put("https://example.org/new", "2")
    os.utime(cache._path("https://example.org/old"), (1, 1))
    os.utime(cache._path("https://example.org/new"), (2, 2))
    assert cache.get("https://example.org/old").body == "1"  # used now
    size = cache._path("https://example.org/new").stat().st_size
    assert enforce_bound(tmp_path, size) == [cache._path("https://example.org/new")]


@pytest.mark.parametrize("value, expected", [("", 2_000_000_000), ("500M", 500_000_000), ("4G", 4_000_000_000),
                                             ("1GiB", 1 << 30), ("12345", 12345)])
def test_cache_max_from_the_environment(value, expected):
    assert cache_max({"ENVSLIM_CACHE_MAX": value}) == expected


def test_a_bad_cache_max_is_one_line():
    with pytest.raises(EnvslimError) as info:
        cache_max({"ENVSLIM_CACHE_MAX": "lots"})
    assert str(info.value) == "envslim: error: ENVSLIM_CACHE_MAX='lots' is not a size (bytes, or with K, M or G)"


def test_cache_writes_count_against_the_run_budget(tmp_path, monkeypatch):
    from envslim.online import limits

    monkeypatch.setattr(limits, "BUDGET", limits.Budget(1000))
    cache = Cache(tmp_path)
    cache.put("https://example.org/a", "x" * 500)
    assert cache.get("https://example.org/a").body == "x" * 500
    cache.put("https://example.org/b", "y" * 600)  # past the budget: not written, the cache is off
    assert cache.get("https://example.org/b") is None
    assert cache.error == "cache disabled: this run has written 1,000 bytes, its limit"
