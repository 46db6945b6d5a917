"""``report --solve`` against hostile channels: every download capped (sent and decoded), nothing partial
kept, one run's writes bounded, every wait bounded by the connect and stall bounds; one line, exit 2.

The caps are patched small where the test is about the mechanism (a 4 MiB repodata cap against a
64 MiB bomb); the stall bound is injected through ENVSLIM_HTTP_TIMEOUT (1 s), so no test depends on
the machine's speed beyond a generous upper bound.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import time
from pathlib import Path

import pytest

from envslim import cli
from envslim.online import limits
from tests.hostile import HostileServer, body, endless, silent, trickle, trickle_headers

zstandard = pytest.importorskip("zstandard")
pytest.importorskip("rattler")

MiB = 1 << 20


@pytest.fixture
def hostile():
    with HostileServer() as srv:
        yield srv


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv("ENVSLIM_CACHE_DIR", str(path))
    monkeypatch.setenv("ENVSLIM_RETRY_BACKOFF", "0")
    monkeypatch.setattr(limits, "BUDGET", limits.Budget())  # a fresh run's budget for each test
    return path


def envfile(tmp_path: Path, *channels: str, deps: tuple[str, ...] = ("python=3.11",)) -> Path:
    path = tmp_path / "environment.yml"
    path.write_text("name: x\nchannels:\n" + "".join(f"  - {c}\n" for c in channels)
                    + "dependencies:\n" + "".join(f"  - {d}\n" for d in deps))
    return path


def solve(capsys, path: Path) -> tuple[int, str]:
    rc = cli.main(["report", "--solve", str(path)])
    out, err = capsys.readouterr()
    assert out == ""
    return rc, err


def kept(cache: Path) -> list[str]:
    """Every repodata file left in the cache (parts included)."""
    root = cache / "repodata"
    return sorted(p.name for p in root.rglob("*") if p.is_file() and "repodata" in p.name) if root.exists() else []


def test_endless_repodata_is_cut_at_its_cap_and_nothing_is_kept(hostile, cache, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(limits, "REPODATA_MAX", 4 * MiB)
    hostile.routes["/c/noarch/repodata.json"] = endless()
    path = envfile(tmp_path, f"{hostile.url}/c")
    rc, err = solve(capsys, path)
    assert rc == 2
    assert err == (f"{path}: cannot be solved: linux-64: cannot read the channels: {hostile.url}/c/noarch/"
                   "repodata.json: larger than its 4 MiB limit; nothing kept\n")
    assert kept(cache) == ["repodata.json"]  # linux-64's: the channel has none, an empty one
    [empty] = (cache / "repodata").rglob("repodata.json")
    assert empty.stat().st_mode & 0o777 == 0o600  # a private channel's repodata is nobody else's
    assert (cache / "repodata").rglob("*.part-*") is not None and not list((cache / "repodata").rglob("*.part-*"))


@pytest.mark.parametrize("kind", ["gzip", "zstd", "bz2"])
def test_compression_bombs_are_capped_on_their_decoded_size(kind, hostile, cache, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(limits, "REPODATA_MAX", 4 * MiB)
    zeros = b"\0" * (64 * MiB)
    if kind == "gzip":  # Content-Encoding on the plain file
        bomb = gzip.compress(zeros, compresslevel=9)
        hostile.routes["/c/noarch/repodata.json"] = body(bomb, headers={"Content-Encoding": "gzip"})
        name = "repodata.json"
    elif kind == "zstd":
        bomb = zstandard.ZstdCompressor(level=19).compress(zeros)
        hostile.routes[f"/c/noarch/{(name := 'repodata.json.zst')}"] = body(bomb)
    else:
        bomb = bz2.compress(zeros, 9)
        hostile.routes[f"/c/noarch/{(name := 'repodata.json.bz2')}"] = body(bomb)
    assert len(bomb) < 256 * 1024  # small on the wire, 64 MiB decoded
    path = envfile(tmp_path, f"{hostile.url}/c")
    rc, err = solve(capsys, path)
    assert rc == 2
    assert err == (f"{path}: cannot be solved: linux-64: cannot read the channels: {hostile.url}/c/noarch/"
                   f"{name}: larger than its 4 MiB limit; nothing kept\n")
    assert not list((cache / "repodata").rglob("*.part-*"))


def test_one_run_writes_at_most_its_budget(hostile, cache, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(limits, "REPODATA_MAX", 8 * MiB)
    monkeypatch.setattr(limits, "BUDGET", limits.Budget(10 * MiB))
    for sub in ("noarch", "linux-64"):
        hostile.routes[f"/c/{sub}/repodata.json"] = endless()
    path = envfile(tmp_path, f"{hostile.url}/c")
    rc, err = solve(capsys, path)
    assert rc == 2
    assert "cannot read the channels" in err and ("limit; nothing kept" in err or "its limit" in err)
    assert limits.BUDGET.written <= 10 * MiB + 2 * MiB  # at most one decode step past the limit
    assert not list((cache / "repodata").rglob("*.part-*"))


def test_a_channel_that_refuses_is_cannot_reach_once_per_host_without_credentials(cache, tmp_path, capsys):
    path = envfile(tmp_path, "http://user:s3cret@127.0.0.1:9/conda-forge", "http://127.0.0.1:9/t/tok-123/other")
    rc, err = solve(capsys, path)
    assert rc == 2
    assert err.startswith(f"{path}: cannot reach 127.0.0.1:9 (channel http://***@127.0.0.1:9/conda-forge,"
                          " http://127.0.0.1:9/t/***/other): cannot connect")
    assert err.count("cannot reach") == 1 and err.count("\n") == 1
    assert "s3cret" not in err and "tok-123" not in err


def test_the_stall_bound_must_be_a_positive_number(cache, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ENVSLIM_HTTP_TIMEOUT", "soon")
    rc, err = solve(capsys, envfile(tmp_path, "conda-forge"))
    assert (rc, err) == (2, "envslim: error: ENVSLIM_HTTP_TIMEOUT='soon' is not a positive number of seconds\n")


@pytest.mark.slow
@pytest.mark.parametrize("behaviour, problem", [
    (silent, "no answer within 1 s"),
    (trickle_headers, "no answer within 1 s"),
    (lambda: trickle(zstandard.ZstdCompressor().compress(b'{"packages": {}} ' * 500)),
     "stalled: less than 1024 bytes a second for 1 s"),
], ids=["silent", "trickle_headers", "trickle"])
def test_a_server_that_stalls_ends_within_the_bound(behaviour, problem, hostile, cache, tmp_path, capsys,
                                                    monkeypatch):
    monkeypatch.setenv("ENVSLIM_HTTP_TIMEOUT", "1")
    hostile.routes["/c/noarch/repodata.json.zst"] = behaviour()
    path = envfile(tmp_path, f"{hostile.url}/c")
    start = time.monotonic()
    rc, err = solve(capsys, path)
    elapsed = time.monotonic() - start
    assert rc == 2
    assert err == f"{path}: cannot reach 127.0.0.1:{hostile.port} (channel {hostile.url}/c): {problem}\n"
    assert elapsed < 15  # the bound is 1-2 s of stall (+ start-up); generous for a loaded machine
    assert not list((cache / "repodata").rglob("*.part-*"))


@pytest.mark.slow
def test_endless_repodata_at_the_real_cap_writes_at_most_the_cap(hostile, cache, tmp_path, capsys):
    assert limits.REPODATA_MAX == 1 << 30 and limits.RUN_WRITE_MAX == 2_000_000_000
    hostile.routes["/c/noarch/repodata.json"] = endless(b"0" * (1 << 20))
    path = envfile(tmp_path, f"{hostile.url}/c")
    rc, err = solve(capsys, path)
    assert rc == 2
    assert err.endswith("repodata.json: larger than its 1024 MiB limit; nothing kept\n")
    assert limits.BUDGET.written <= (1 << 30) + (1 << 20)
    assert not list((cache / "repodata").rglob("*.part-*"))


def _conda_with_paths(n: int) -> bytes:
    from tests.online.pkgserver import build_conda

    return build_conda("huge", "1.0", "0", "noarch", {f"share/huge/f{i:06d}": b"" for i in range(n)})


def test_a_huge_info_paths_json_is_capped(hostile, cache, tmp_path, capsys, monkeypatch):
    from envslim.online import condainfo

    assert condainfo.MAX_INFO_BYTES == 128 * MiB  # the README's promise; patched small below
    monkeypatch.setattr(condainfo, "MAX_INFO_BYTES", 1 * MiB)
    data = _conda_with_paths(12_000)  # paths.json of about 2 MB
    filename = "huge-1.0-0.conda"
    record = {"name": "huge", "version": "1.0", "build": "0", "build_number": 0, "depends": [],
              "subdir": "noarch", "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
              "md5": hashlib.md5(data).hexdigest()}
    repodata = {"info": {"subdir": "noarch"}, "packages": {}, "packages.conda": {filename: record}}
    hostile.routes["/c/noarch/repodata.json"] = body(json.dumps(repodata).encode())
    hostile.routes[f"/c/noarch/{filename}"] = body(data)
    path = envfile(tmp_path, f"{hostile.url}/c", deps=("huge",))
    rc, err = solve(capsys, path)
    assert rc == 2
    info = next(line for line in err.split(": ") if line.startswith("unreadable info-"))
    assert err == (f"{path}: cannot be solved: {hostile.url}/c/noarch/{filename}: {info}: decompresses to"
                   f" more than 1 MiB ({hostile.url}/c/noarch/{filename})\n")


@pytest.mark.slow
@pytest.mark.parametrize("behaviour", ["silent", "trickle"])
def test_uv_against_an_index_that_stalls_ends_within_its_bound(behaviour, world, env, hostile, tmp_path, capsys,
                                                              monkeypatch):
    """uv gets the stall bound as UV_HTTP_TIMEOUT (a silent index); one that sends a byte a second never
    trips uv's read timeout, so its process group is killed after 20 stall bounds."""
    monkeypatch.setenv("ENVSLIM_HTTP_TIMEOUT", "1")
    monkeypatch.setenv("ENVSLIM_PYPI_URL", hostile.url)
    monkeypatch.setattr(limits, "BUDGET", limits.Budget())
    page = b'<html><body><a href="x">x</a></body></html>' * 50
    hostile.routes["/simple/tqdm/"] = silent() if behaviour == "silent" else trickle(
        page, headers={"Content-Type": "text/html"})
    path = tmp_path / "environment.yml"
    path.write_text("name: x\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip\n"
                    "  - pip:\n    - tqdm\n")
    start = time.monotonic()
    rc, err = solve(capsys, path)
    elapsed = time.monotonic() - start
    assert rc == 2
    assert err.startswith(f"{path}: cannot be solved: ") and err.count("\n") == 1
    assert "pip side" in err and "127.0.0.1" in err  # uv's own timeout (UV_HTTP_TIMEOUT=1) ends both
    assert elapsed < 30


def test_the_uv_process_group_is_killed_at_its_wall_clock(monkeypatch, tmp_path):
    """The backstop for a uv that its own timeouts do not end: 20 stall bounds, then its whole group."""
    import asyncio
    import os
    import sys

    from envslim.solve import pip
    from envslim.solve.errors import SolveUnavailable

    monkeypatch.setenv("ENVSLIM_HTTP_TIMEOUT", "0.1")
    pidfile = tmp_path / "grandchild"
    script = ("import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', 'import time;"
              f" time.sleep(120)']); open({str(pidfile)!r}, 'w').write(str(p.pid)); time.sleep(120)")
    start = time.monotonic()
    with pytest.raises(SolveUnavailable) as info:
        asyncio.run(pip._run_uv([sys.executable, "-c", script], ""))
    assert time.monotonic() - start < 30
    assert info.value.message == "pip side: uv did not finish within 2 s (20 x the 0.1 s stall bound)"
    grandchild = int(pidfile.read_text())
    for _ in range(100):  # gone (or a zombie waiting for its reaper) once the kill has landed
        try:
            os.kill(grandchild, 0)
            with open(f"/proc/{grandchild}/stat") as fh:
                if fh.read().rpartition(")")[2].split()[0] == "Z":
                    break
        except (ProcessLookupError, FileNotFoundError):
            break
        time.sleep(0.05)
    else:
        pytest.fail("the grandchild outlived the kill")


@pytest.mark.slow
def test_an_artifact_host_that_stalls_is_cannot_reach(hostile, cache, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ENVSLIM_HTTP_TIMEOUT", "1")
    filename = "quiet-1.0-0.conda"
    record = {"name": "quiet", "version": "1.0", "build": "0", "build_number": 0, "depends": [],
              "subdir": "noarch", "size": 1000, "sha256": "0" * 64, "md5": "0" * 32}
    repodata = {"info": {"subdir": "noarch"}, "packages": {}, "packages.conda": {filename: record}}
    hostile.routes["/c/noarch/repodata.json"] = body(json.dumps(repodata).encode())
    hostile.routes[f"/c/noarch/{filename}"] = silent()
    path = envfile(tmp_path, f"{hostile.url}/c", deps=("quiet",))
    rc, err = solve(capsys, path)
    assert (rc, err) == (2, f"{path}: cannot reach 127.0.0.1:{hostile.port} ({hostile.url}/c/noarch/{filename}):"
                            " no answer within 1 s\n")


def test_knowledge_refresh_graph_reads_repodata_within_the_caps(hostile, cache, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(limits, "REPODATA_MAX", 4 * MiB)
    hostile.routes["/c/noarch/repodata.json"] = endless()
    out = tmp_path / "conda.jsonl"
    rc = cli.main(["knowledge", "refresh", "--graph", "numpy", "--channel", f"{hostile.url}/c", "--out", str(out)])
    _, err = capsys.readouterr()
    assert rc == 2 and not out.exists()
    assert err == (f"{out}: cannot read the channels: {hostile.url}/c/noarch/repodata.json: larger than its"
                   " 4 MiB limit; nothing kept; snapshot kept\n")


def test_a_304_to_an_unconditional_request_is_an_error_not_an_empty_channel(hostile, cache, tmp_path, capsys):
    hostile.routes["/c/noarch/repodata.json.zst"] = body(b"", status=304)
    path = envfile(tmp_path, f"{hostile.url}/c")
    rc, err = solve(capsys, path)
    assert (rc, err) == (2, f"{path}: cannot be solved: linux-64: cannot read the channels: {hostile.url}/c/noarch/"
                            "repodata.json.zst: answered 304 Not Modified to a request for a copy it never gave\n")


def test_local_copies_are_revalidated_and_replaced_only_when_changed(tmp_path, monkeypatch):
    import asyncio

    from envslim.online import Session
    from envslim.solve.repodata import Localizer
    from tests.online.pkgserver import PackageServer

    monkeypatch.setattr(limits, "BUDGET", limits.Budget())
    first = json.dumps({"info": {"subdir": "noarch"}, "packages": {}, "packages.conda": {}}).encode()
    with PackageServer() as server:
        server.json_docs["/c/noarch/repodata.json"] = first

        def localize() -> list[str]:
            async def go():
                async with Session(cache=False, bound_cache=False) as session:
                    return await Localizer(session, tmp_path).channels([server.url + "/c"], ["linux-64", "noarch"])
            return asyncio.run(go())

        [local] = localize()
        copy = Path(local[len("file://"):]) / "noarch" / "repodata.json"
        assert copy.read_bytes() == first
        assert [h.get("if-none-match") for h in server.requests_to("/c/noarch/repodata.json")] == [None]
        localize()  # no max-age: asked again, conditionally; 304 keeps the copy
        etags = [h.get("if-none-match") for h in server.requests_to("/c/noarch/repodata.json")]
        assert etags[0] is None and etags[1] is not None and copy.read_bytes() == first
        server.json_docs["/c/noarch/repodata.json"] = second = first.replace(b"{}}", b"{}, \"removed\": []}")
        localize()
        assert copy.read_bytes() == second
        assert len(server.requests_to("/c/noarch/repodata.json.zst")) == 1  # the variant is remembered
