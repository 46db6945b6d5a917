"""``envslim report``: the seed env's report (golden table, markdown, JSON), online figures from a real
local index, failures that fall back to the knowledge base, --offline, the progress line, bad input."""

from __future__ import annotations

import datetime
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from envslim import knowledge
from envslim.knowledge import footprint
from tests.onlinekit import add_conda, add_wheels, conda_pkg, index, run_cli, run_json  # noqa: F401
from tests.online.pkgserver import Fault

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = ROOT / "tests" / "golden" / "report"
TODAY = datetime.date.today().isoformat()

DEMO_ENV = """\
name: demo
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - libfoo>=1.2
  - pyarrow>=15
  - pip:
    - tinylib==1.0
"""


# -- the seed environment, knowledge base only ------------------------------------------------------------------


@pytest.mark.parametrize("fmt, golden", [("table", "seed.txt"), ("markdown", "seed.md"), ("json", "seed.json")])
def test_seed_report_is_exact(capsys, monkeypatch, fmt, golden):
    monkeypatch.chdir(ROOT)
    rc, out, err = run_cli(capsys, "report", "--format", fmt, "examples/environment.yml")
    assert (rc, err) == (0, "")
    assert out == (GOLDEN / golden).read_text(encoding="utf-8")


def test_seed_totals_and_sources(capsys, monkeypatch):
    """The bundled example is linux-64, Python 3.9: every conda figure is the graph snapshot's closure for
    linux-64 (or noarch) on Python 3.9 (pyarrow 19.0.1 is the newest with a py39 build; numpy<2 gives
    1.26.4), its pip side the wheel pip picks for 3.9 (21.0.0); a noarch package whose snapshot versions all
    need Python >= 3.10 (s3fs, aiobotocore) and pandas<2 (no py39 build in the snapshot) are unknown,
    not another version's figure; the totals are unions of closure members (each package counted once)."""
    monkeypatch.chdir(ROOT)
    rc, data, err = run_json(capsys, "report", "--format", "json", "--select", "ES001", "examples/environment.yml")
    (report,) = data["files"]
    est = report["estimate"]
    assert (est["before_bytes"], est["after_bytes"], est["saving_bytes"]) == (502_965_572, 379_720_264, 123_245_308)
    assert est["saving_range"] == [41_278_583, 203_143_313]
    assert (est["before_range"], est["after_range"]) == ([344_108_703, 657_661_289], [302_830_120, 454_517_976])
    assert (est["counted_before"], est["counted_after"], est["left_out"]) == (100, 40, [])
    assert (est["unknown_before"], est["unknown_after"]) == (3, 3)
    assert report["snapshot"]["date"] == "2026-08-17"
    rows = {p["name"]: p for p in report["packages"]}
    counted = [s for p in report["packages"] for s in (p["before"], p["after"]) if s and s["bytes"] is not None]
    assert {s["platform"] for s in counted} == {"linux-64", "noarch", "cp39-cp39-manylinux_2_28_x86_64"}
    assert all(s["estimate"] == (s["kind"] == "closure") for s in counted)
    assert rows["pyarrow"]["before"]["source"] == (
        "graph snapshot 2026-08-17: pyarrow 19.0.1 py39hf3d152e_0 (conda-forge linux-64) and 63 more package(s)"
        " beyond python's closure; pyarrow seen in github.com/Deltares/xugrid pixi.lock @4aec63e (2025-03-03)")
    assert rows["pyarrow"]["before"]["url"] == (
        "https://github.com/Deltares/xugrid/blob/4aec63ed19cff48ac2eb9ee7f9c1d1506d7b78ee/pixi.lock")
    assert rows["pyarrow"]["before"]["range"] == [193_233_348, 382_039_906]
    assert (rows["pyarrow"]["after"]["version"], rows["pyarrow"]["after"]["bytes"]) == ("21.0.0", 141_197_952)
    assert rows["pyarrow"]["after"]["source"].startswith("knowledge/packages/pyarrow.toml pypi-wheel-21.0.0-cp39 [PW1]")
    assert (rows["numpy"]["before"]["version"], rows["python"]["before"]["version"]) == ("1.26.4", "3.9.23")
    assert [n for n in rows if rows[n]["before"] and rows[n]["before"]["bytes"] is None] == [
        "aiobotocore", "pandas", "s3fs"]
    assert rows["boto3"]["before"]["version"] == "1.34.60"  # the newest boto3 the snapshot has for Python 3.9


def test_seed_nomkl_is_a_guard_with_no_mkl_row(capsys, monkeypatch):
    """conda-forge is listed before defaults in the example, so numpy comes with OpenBLAS: ES002 adds no nomkl
    (issue 22), the opt-in ES010 adds it as a guard that saves nothing, and no implied mkl row is counted
    (issue 13: no phantom MKL)."""
    monkeypatch.chdir(ROOT)
    _, data, _ = run_json(capsys, "report", "--format", "json", "examples/environment.yml")
    assert [f["rule"] for f in data["files"][0]["findings"]] == ["ES007", "ES001"]
    _, data, _ = run_json(capsys, "report", "--format", "json", "--extend-select", "ES010", "examples/environment.yml")
    rows = {p["name"]: p for p in data["files"][0]["packages"]}
    assert "mkl" not in rows
    (es010,) = [f for f in data["files"][0]["findings"] if f["rule"] == "ES010"]
    assert (es010["saving_bytes"], es010["applied"]) == (0, True)
    assert data["files"][0]["estimate"]["saving_bytes"] == 123_245_308


def test_an_mkl_row_is_the_linux_64_defaults_figure(capsys, tmp_path, monkeypatch):
    """Where defaults serves numpy (listed first), ES002 fires for real and the implied mkl row is priced with
    the defaults linux-64 figures (mkl and intel-openmp, measured); what the snapshot has no defaults data for
    is named, not counted."""
    monkeypatch.chdir(tmp_path)
    Path("environment.yml").write_text("channels:\n  - defaults\ndependencies:\n  - python=3.11\n  - numpy\n")
    _, data, _ = run_json(capsys, "report", "--format", "json", "environment.yml")
    rows = {p["name"]: p for p in data["files"][0]["packages"]}
    assert (rows["mkl"]["before"]["platform"], rows["mkl"]["before"]["bytes"]) == ("linux-64", 799_360_504 + 71_628_660)
    assert (rows["mkl"]["before"]["channel"], rows["mkl"]["before"]["estimate"]) == ("defaults", False)
    assert rows["mkl"]["before"]["unknown_members"] == ["tbb", "zlib"]
    # nomkl's OpenBLAS side, on the same row: conda-forge's libopenblas stands in (no defaults openblas in the snapshot)
    assert rows["mkl"]["implied"] and (rows["mkl"]["after"]["name"], rows["mkl"]["after"]["bytes"]) == ("libopenblas", 21_286_098)
    assert rows["mkl"]["change"] == "replaced by libopenblas (ES002)"
    assert rows["numpy"]["before"]["bytes"] is None  # no defaults numpy in the snapshot: never conda-forge's


def test_json_shape_has_the_required_keys(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    _, data, _ = run_json(capsys, "report", "--format", "json", "examples/environment.yml", "examples/environment.yml")
    assert len(data["files"]) == 2
    for f in data["files"]:
        assert {"path", "findings", "estimate"} <= set(f)
        assert {"before_bytes", "after_bytes"} <= set(f["estimate"])
        for finding in f["findings"]:
            assert {"rule", "package", "action", "saving_bytes", "source"} <= set(finding)


def test_unsafe_fixes_count_as_applied(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    _, data, _ = run_json(capsys, "report", "--format", "json", "--unsafe-fixes", "examples/environment.yml")
    es007 = next(f for f in data["files"][0]["findings"] if f["rule"] == "ES007")
    assert (es007["applied"], es007["status"]) == (True, "applied by rewrite")


def test_select_limits_the_plan(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    _, data, _ = run_json(capsys, "report", "--format", "json", "--select", "ES001", "examples/environment.yml")
    (report,) = data["files"]
    assert [f["rule"] for f in report["findings"]] == ["ES001"]
    assert report["estimate"]["before_bytes"] - report["estimate"]["after_bytes"] == 123_245_308


def test_nothing_due_and_empty(capsys, tmp_path, monkeypatch):
    """numpy priced from the graph snapshot for the default target (linux-64, Python 3.11); python, which the
    file does not name, is an implied row holding python's own closure (numpy's is beyond it)."""
    monkeypatch.chdir(tmp_path)
    Path("env.yml").write_text("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - numpy\n")
    Path("empty.yml").write_text("name: x\ndependencies: []\n")
    rc, out, err = run_cli(capsys, "report", "env.yml", "empty.yml")
    assert (rc, err) == (0, "")
    assert out.splitlines()[:5] == [
        "env.yml (Python 3.11 from default, linux-64)",
        "  package           before                           after                            change",
        "  numpy             conda 101.0 MB closure est. [1]  conda 101.0 MB closure est. [1]",
        "  python (implied)  conda 166.4 MB closure est. [2]  conda 166.4 MB closure est. [2]",
        "  total             267.3 MB, 0 unknown              267.3 MB, 0 unknown",
    ]
    assert "python (implied): not in the file: installed for the packages that depend on it" in out
    assert out.endswith("\nempty.yml (Python 3.11 from default, linux-64)\nno packages\n")


# -- online, against the local index -----------------------------------------------------------------------------


@pytest.fixture
def demo(index, tmp_path, monkeypatch):
    """environment.yml with a move (pyarrow), a conda package without a knowledge entry (libfoo), python, pip
    and a pip requirement (tinylib), all served by the local index."""
    monkeypatch.chdir(tmp_path)
    Path("environment.yml").write_text(DEMO_ENV)
    pkgs = {
        "pyarrow": add_wheels(index, "pyarrow", {"15.0.0": 30_000, "16.1.0": 40_000}),
        "tinylib": add_wheels(index, "tinylib", {"1.0": 5_000}, tag="py3-none-any"),
        "libfoo": conda_pkg("libfoo", "1.2.3", 20_000),
        "libfoo-old": conda_pkg("libfoo", "1.1", 10_000),
        "python": conda_pkg("python", "3.11.9", 50_000),
        "pip": conda_pkg("pip", "24.0", 3_000, build="pyh0_0", subdir="noarch"),
    }
    add_conda(index, pkgs["libfoo"], pkgs["libfoo-old"], pkgs["python"], pkgs["pip"])
    return index, pkgs


def by_name(data: dict) -> dict:
    return {p["name"]: p for p in data["files"][0]["packages"]}


def test_online_figures(capsys, demo):
    """libfoo is not in the graph snapshot, so whether it pulls pyarrow back cannot be judged offline: the move is
    refused (issue 22) and pyarrow stays a conda closure; libfoo's own figure comes from the local anaconda.org."""
    server, pkgs = demo
    rc, data, err = run_json(capsys, "report", "--online", "--format", "json", "environment.yml")
    assert (rc, err) == (0, "")
    rows = by_name(data)
    (es001,) = [f for f in data["files"][0]["findings"] if f["rule"] == "ES001"]
    assert (es001["outcome"], es001["reason"]) == ("refused", "a package the snapshot does not know")
    assert "not moved: libfoo is not in the snapshot, so whether it pulls pyarrow back cannot be judged" in es001["message"]
    # conda-forge pyarrow has a closure in the graph snapshot: a single online package would understate it
    assert rows["pyarrow"]["before"] == rows["pyarrow"]["after"]
    assert (rows["pyarrow"]["before"]["origin"], rows["pyarrow"]["before"]["kind"]) == ("snapshot", "closure")
    libfoo = pkgs["libfoo"]  # the newest file matching libfoo>=1.2
    assert rows["libfoo"]["before"] == rows["libfoo"]["after"] == {
        "manager": "conda", "name": "libfoo", "spec": "libfoo>=1.2", "bytes": libfoo.installed, "kind": "package",
        "origin": "anaconda.org", "version": "1.2.3", "platform": "linux-64",
        "source": "anaconda.org conda-forge/linux-64/libfoo-1.2.3-h0_0.conda: installed = sum of its info/paths.json"
                  " sizes", "url": libfoo.url(server), "date": TODAY, "archive_bytes": len(libfoo.data),
        "channel": "conda-forge", "estimate": False}
    # python and pip have closures for linux-64 3.11 in the snapshot: a single online package would understate them
    assert (rows["python"]["before"]["origin"], rows["python"]["before"]["kind"]) == ("snapshot", "closure")
    assert (rows["pip"]["before"]["origin"], rows["pip"]["before"]["kind"]) == ("snapshot", "closure")
    assert rows["tinylib"]["before"]["bytes"] == pkgs["tinylib"]["1.0"].installed
    before = sum(rows[n]["before"]["bytes"] for n in rows)  # the closures share no member: the union is the sum
    assert data["files"][0]["estimate"]["before_bytes"] == data["files"][0]["estimate"]["after_bytes"] == before
    assert data["files"][0]["unknown"] == {"before": [], "after": []}


def test_online_table_is_exact(capsys, demo):
    server, pkgs = demo
    rc, out, err = run_cli(capsys, "report", "--online", "environment.yml")
    assert (rc, err) == (0, "")
    u = server.url
    expected = f"""\
environment.yml (Python 3.11 from the file, linux-64)
  package  before                           after                            change
  libfoo   conda 0.0 MB package [1]         conda 0.0 MB package [1]
  pip      conda 8.7 MB closure est. [2]    conda 8.7 MB closure est. [2]
  pyarrow  conda 300.6 MB closure est. [3]  conda 300.6 MB closure est. [3]
  python   conda 166.4 MB closure est. [4]  conda 166.4 MB closure est. [4]
  tinylib  pip 0.0 MB wheel [5]             pip 0.0 MB wheel [5]
  total    475.7 MB, 0 unknown              475.7 MB, 0 unknown
estimate: before 475,732,916 B (320.4 to 626.7 MB), after 475,732,916 B (320.4 to 626.7 MB); 0 of 5 packages before and 0 of 5 after have no figure for the target and are not counted
image (modeled, estimate): before ~552.6 MB (397.3 to 703.5 MB); after the rewrite ~552.6 MB (397.3 to 703.5 MB), with the default prune ~473.1 MB (326.1 to 633.3 MB) on debian:bookworm-slim (76.8 MB), ~417.0 MB (270.0 to 577.8 MB) on distroless
Totals are a union: each package counted once, priced for the target platform, Python and the file's versions; a figure marked est. is estimated (its range is given), stand-in is a figure of another Python's build or another version, named in its source line.
conda figures: the offline graph snapshot of 2026-08-17 (depends and archive bytes from public lock files; installed bytes measured where a committed conda-meta has them, else estimated from the archive bytes, with a range), walked with the builds a solver would choose for the target
figures:
  [1] libfoo: 20,013 B installed (conda-forge package 1.2.3 linux-64); anaconda.org conda-forge/linux-64/libfoo-1.2.3-h0_0.conda: installed = sum of its info/paths.json sizes <{u}/conda/conda-forge/linux-64/libfoo-1.2.3-h0_0.conda> ({TODAY})
  [2] pip: 8,722,979 B installed (conda-forge closure 26.2 noarch, 4 packages, estimate 5.0 to 12.3 MB); graph snapshot 2026-08-17: pip 26.2 pyh8b19718_0 (conda-forge noarch) and 3 more package(s) beyond python's closure; pip seen in github.com/Quantco/dataframely pixi.lock @efff0ec (2026-08-03) <https://github.com/Quantco/dataframely/blob/efff0ec0fae6d02fa3b2792ef12e1d967584ac99/pixi.lock> (2026-08-03)
  [3] pyarrow: 300,622,862 B installed (conda-forge closure 25.0.0 linux-64, 65 packages, estimate 197.5 to 400.6 MB); graph snapshot 2026-08-17: pyarrow 25.0.0 py311h38be061_0 (conda-forge linux-64) and 64 more package(s) beyond python's closure; pyarrow seen in github.com/Quantco/dataframely pixi.lock @efff0ec (2026-08-03) <https://github.com/Quantco/dataframely/blob/efff0ec0fae6d02fa3b2792ef12e1d967584ac99/pixi.lock> (2026-08-03)
  [4] python: 166,361,577 B installed (conda-forge closure 3.11.15 linux-64, 22 packages, estimate 117.9 to 213.8 MB); graph snapshot 2026-08-17: python 3.11.15 h7508c33_1_cpython (conda-forge linux-64) and 21 more package(s) python and its closure; python seen in github.com/Quantco/dataframely pixi.lock @efff0ec (2026-08-03) <https://github.com/Quantco/dataframely/blob/efff0ec0fae6d02fa3b2792ef12e1d967584ac99/pixi.lock> (2026-08-03)
  [5] tinylib: 5,485 B installed (pypi wheel 1.0 py3-none-any); PyPI tinylib-1.0-py3-none-any.whl (pip's pick for Python 3.11 on linux-64): installed = sum of the file sizes in its zip central directory <{u}/files/tinylib-1.0-py3-none-any.whl> ({TODAY})
other findings:
  environment.yml:3:3: ES007 defaults: conda-forge without nodefaults: a .condarc can add defaults back [unsafe fix, use --unsafe-fixes]
  environment.yml:8:3: ES001 pyarrow: conda-forge pyarrow 25.0 pulls 65 packages beyond python on linux-64 (AWS/Azure/GCS SDKs, gRPC, protobuf: 51.4 MB of archives, an estimated 187 to 364 MB installed); the PyPI wheel is one self-contained package (157 MB installed for 25.0, 171 MB for 26.0.1); not moved: libfoo is not in the snapshot, so whether it pulls pyarrow back cannot be judged [not fixed: a package the snapshot does not know]
"""
    assert out == expected


def test_python_and_platform_choose_the_wheel(capsys, demo):
    server, _ = demo
    add_wheels(server, "osxonly", {"2.0": 1_000}, tag="cp312-cp312-macosx_11_0_arm64")
    Path("environment.yml").write_text("channels: [conda-forge]\ndependencies:\n  - pip:\n    - osxonly\n")
    rc, data, err = run_json(capsys, "report", "--online", "--format", "json", "--python", "3.12", "--platform",
                             "osx-arm64", "environment.yml")
    assert (rc, err) == (0, "")
    assert data["files"][0]["target"] == {"python": "3.12", "python_from": "--python", "platform": "osx-arm64"}
    assert by_name(data)["osxonly"]["before"]["platform"] == "cp312-cp312-macosx_11_0_arm64"
    rc, data, err = run_json(capsys, "report", "--online", "--format", "json", "environment.yml")
    assert by_name(data)["osxonly"]["before"]["bytes"] is None
    assert err == "envslim: warning: PyPI osxonly: no file for Python 3.11 on linux-64; using the knowledge " \
                  "base's figure, if any\n"


def test_failures_warn_once_and_fall_back_to_the_knowledge_base(capsys, demo):
    server, pkgs = demo
    server.add_fault("/pypi/pyarrow/json", *[Fault("status", 500)] * 3)
    server.add_fault("/pypi/tinylib/json", Fault("malformed"))
    server.add_fault("/package/conda-forge/libfoo/files", *[Fault("drop")] * 3)
    rc, data, err = run_json(capsys, "report", "--online", "--format", "json", "environment.yml")
    u = server.url
    lines = err.splitlines()
    assert rc == 0
    assert len(lines) == 2  # (pyarrow is not moved here, so its wheel is not looked up: test_online_figures)
    assert lines[0].startswith("envslim: warning: PyPI tinylib: malformed JSON: ")
    assert lines[0].endswith(f"({u}/pypi/tinylib/json); using the knowledge base's figure, if any")
    assert lines[1].startswith("envslim: warning: anaconda.org conda-forge/libfoo: connection dropped")
    assert lines[1].endswith(f"gave up after 3 attempts ({u}/package/conda-forge/libfoo/files); using the "
                             "knowledge base's figure, if any")
    rows = by_name(data)
    assert rows["tinylib"]["before"]["bytes"] is None  # no knowledge entry either: unknown, and counted as such
    assert rows["libfoo"]["before"]["bytes"] is None
    assert rows["pip"]["before"]["origin"] == "snapshot"
    assert data["files"][0]["unknown"] == {"before": ["libfoo", "tinylib"], "after": ["libfoo", "tinylib"]}


def test_offline_uses_the_cache_and_never_the_network(capsys, demo):
    server, pkgs = demo
    _, online, _ = run_json(capsys, "report", "--online", "--format", "json", "environment.yml")
    before = len(server.log)
    rc, offline, err = run_json(capsys, "report", "--offline", "--format", "json", "environment.yml")
    assert (rc, err) == (0, "")
    assert len(server.log) == before
    assert offline == online


def test_offline_without_cache_says_so_once(capsys, demo):
    server, _ = demo
    rc, data, err = run_json(capsys, "report", "--offline", "--format", "json", "environment.yml")
    assert rc == 0
    assert server.log == []
    assert err == "envslim: warning: --offline: 2 lookup(s) had no cached data; using the knowledge figures\n"
    assert by_name(data)["libfoo"]["before"]["bytes"] is None


def test_refresh_bypasses_the_cache(capsys, demo):
    server, _ = demo
    run_cli(capsys, "report", "--online", "environment.yml")
    count = len(server.requests_to("/pypi/tinylib/json"))
    run_cli(capsys, "report", "--online", "environment.yml")
    assert len(server.requests_to("/pypi/tinylib/json")) == count  # fresh in the cache
    run_cli(capsys, "report", "--online", "--refresh", "environment.yml")
    assert len(server.requests_to("/pypi/tinylib/json")) == count + 1


def test_progress_line_on_a_terminal(demo, tmp_path):
    """The server holds every response until the progress line has been drawn, then lets them finish: the
    lookups outlast the line's delay on any machine, however fast or slow, and the test never sleeps."""
    server, _ = demo
    server.hold()
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "envslim.cli", "report", "--online", "environment.yml"],
                            stdout=subprocess.PIPE, stderr=slave, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    os.close(slave)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            if b"\renvslim: looking up package sizes online: " in seen:
                server.release()
    finally:
        server.release()
        out, _ = proc.communicate(timeout=120)
        os.close(master)
    assert proc.returncode == 0
    assert out.startswith(b"environment.yml (Python 3.11 from the file, linux-64)\n")
    assert b"\renvslim: looking up package sizes online: 0/" in seen  # drawn while every lookup was held
    assert seen.endswith(b"\r\x1b[K")  # erased when done; nothing else went to stderr


def test_no_progress_line_when_stderr_is_not_a_terminal(demo, tmp_path):
    server, _ = demo
    server.latency = 0.4
    proc = subprocess.run([sys.executable, "-m", "envslim.cli", "report", "--online", "environment.yml"],
                          capture_output=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert (proc.returncode, proc.stderr) == (0, b"")


# -- bad input ---------------------------------------------------------------------------------------------------


def test_bad_env_file_is_one_line_and_exit_2(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bad.yml").write_text("dependencies:\n  - numpy\n  bad: [\n")
    Path("good.yml").write_text("dependencies:\n  - numpy\n")
    rc, out, err = run_cli(capsys, "report", "--format", "json", "bad.yml", "good.yml")
    assert rc == 2
    assert len(err.splitlines()) == 1 and err.startswith("bad.yml:3:")
    assert [f["path"] for f in json.loads(out)["files"]] == ["good.yml"]


@pytest.mark.parametrize("argv, message", [
    (["--refresh"], "envslim: error: --refresh needs --online\n"),
    (["--platform", "amiga-68k"], "envslim: error: unknown platform 'amiga-68k'\n"),
    (["--python", "three"], "envslim: error: bad python version 'three'\n"),
    (["--online", "--offline"], None),
])
def test_bad_options_exit_2(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    Path("env.yml").write_text("dependencies:\n  - numpy\n")
    if message is None:
        with pytest.raises(SystemExit) as e:
            run_cli(capsys, "report", *argv, "env.yml")
        assert e.value.code == 2
        assert "not allowed with argument" in capsys.readouterr().err
        return
    rc, out, err = run_cli(capsys, "report", *argv, "env.yml")
    assert (rc, out, err) == (2, "", message)


def test_missing_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, out, err = run_cli(capsys, "report", "nope.yml")
    assert rc == 2
    assert err == "nope.yml: No such file or directory\n"


# -- the hook path stays light -----------------------------------------------------------------------------------


def test_rewrite_imports_no_network_or_lock_modules(tmp_path):
    env = tmp_path / "env.yml"
    env.write_text("dependencies:\n  - pyarrow\n")
    code = ("import sys, envslim.cli; envslim.cli.main(['rewrite', '--check', sys.argv[1]]); "
            "print([m for m in ('httpx', 'platformdirs', 'conda_lock', 'envslim.commands.report') if m in sys.modules])")
    proc = subprocess.run([sys.executable, "-c", code, str(env)], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.splitlines()[-1] == "[]"
    proc = subprocess.run([sys.executable, "-c", "import envslim.cli, sys; print([m for m in ('httpx','platformdirs',"
                           "'conda_lock') if m in sys.modules])"], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout == "[]\n"


def test_offline_report_imports_no_network_modules(tmp_path):
    env = tmp_path / "env.yml"
    env.write_text("dependencies:\n  - pyarrow\n")
    code = ("import sys, io, contextlib, envslim.cli\nwith contextlib.redirect_stdout(io.StringIO()):\n"
            "    envslim.cli.main(['report', sys.argv[1]])\n"
            "print([m for m in ('httpx', 'platformdirs', 'conda_lock') if m in sys.modules])")
    proc = subprocess.run([sys.executable, "-c", code, str(env)], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout == "[]\n"


def test_a_wheels_own_requirements_are_counted_or_named(capsys, tmp_path, monkeypatch):
    """Issue 22: a wheel's own dependencies are counted (where the knowledge base has a wheel figure for the
    target) or named unknown; what the conda side provides (setuptools beside pip) is left to it, and a
    marker that rules a requirement out on the target (tzdata: win32 only) drops it."""
    monkeypatch.chdir(tmp_path)
    Path("pd.yml").write_text("channels: [conda-forge, nodefaults]\ndependencies:\n  - python=3.11\n  - pip\n"
                              "  - pip:\n    - pandas==3.1.1\n")
    _, data, _ = run_json(capsys, "report", "--format", "json", "pd.yml")
    pandas = {p["name"]: p for p in data["files"][0]["packages"]}["pandas"]["before"]
    wheel = footprint.pick(knowledge.load("pandas"), ("pypi",), ("wheel",), footprint.Target("linux-64", "3.11"),
                           project="pandas")
    numpy = footprint.pick(knowledge.load("numpy"), ("pypi",), ("wheel",), footprint.Target("linux-64", "3.11"),
                           project="numpy")
    assert (pandas["version"], pandas["packages"]) == ("3.1.1", 2)
    assert pandas["bytes"] == wheel.bytes + numpy.bytes  # numpy>=2.0.2: the cp311 wheel the knowledge base has
    assert pandas["unknown_members"] == ["python-dateutil"]
    Path("torch.yml").write_text("channels: [conda-forge]\ndependencies:\n  - python=3.12\n  - pip\n"
                                 "  - pip:\n    - torch==2.15.0\n")
    _, data, _ = run_json(capsys, "report", "--format", "json", "torch.yml")
    torch = {p["name"]: p for p in data["files"][0]["packages"]}["torch"]["before"]
    assert torch["unknown_members"] == [  # the Linux wheel's CUDA stack: shown, never counted as zero
        "filelock", "typing-extensions", "sympy", "networkx", "jinja2", "fsspec", "cuda-toolkit", "cuda-bindings",
        "nvidia-cudnn-cu13", "nvidia-cusparselt-cu13", "nvidia-nccl-cu13", "nvidia-nvshmem-cu13", "triton"]
    Path("torch.yml").write_text("channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip\n"
                                 "  - pip:\n    - torch==2.13.0\n")
    _, data, _ = run_json(capsys, "report", "--format", "json", "torch.yml")
    torch = {p["name"]: p for p in data["files"][0]["packages"]}["torch"]["before"]
    if torch["bytes"] is not None:  # another release than the snapshot read: its requirements are not guessed
        assert torch["unknown_members"] == ["torch 2.13.0's requirements (the snapshot has 2.15.0's)"]


def test_tensorflow_1_4_is_never_priced_with_2_21s_figure(capsys, tmp_path, monkeypatch):
    """Issue 22: a pinned version is priced with a figure of that version (or another Python's build of it),
    else unknown; the newest figure never stands in for an old pin, on either side."""
    monkeypatch.chdir(tmp_path)
    Path("tf.yml").write_text("channels: [conda-forge, nodefaults]\ndependencies:\n  - python=3.6\n"
                              "  - tensorflow==1.4.0\n  - pip\n  - pip:\n    - tensorflow-cpu==1.4.0\n")
    _, data, _ = run_json(capsys, "report", "--format", "json", "tf.yml")
    rows = {p["name"]: p for p in data["files"][0]["packages"]}
    assert rows["tensorflow"]["before"]["bytes"] is None
    assert rows["tensorflow-cpu"]["before"]["bytes"] is None
    Path("tf.yml").write_text("channels: [conda-forge, nodefaults]\ndependencies:\n  - python=3.11\n  - pip\n"
                              "  - pip:\n    - tensorflow==2.21.0\n")
    _, data, _ = run_json(capsys, "report", "--format", "json", "tf.yml")
    tf = {p["name"]: p for p in data["files"][0]["packages"]}["tensorflow"]["before"]
    assert tf["version"] == "2.21.0" and tf["bytes"] >= 1_872_386_629  # the measured wheel, and what it requires
