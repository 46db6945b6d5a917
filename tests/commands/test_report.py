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
    """The bundled example is linux-64, Python 3.9: every counted figure is for linux-64 (or a manylinux
    x86_64 cp39 wheel), numpy is priced for numpy<2 on Python 3.9, pyarrow's conda side is a labelled
    stand-in (no pyarrow 25 build for 3.9), its pip side the wheel pip picks for 3.9 (21.0.0), and the totals
    are unions of closure members (numpy counted once)."""
    monkeypatch.chdir(ROOT)
    rc, data, err = run_json(capsys, "report", "--format", "json", "--select", "ES001", "examples/environment.yml")
    (report,) = data["files"]
    est = report["estimate"]
    assert (est["before_bytes"], est["after_bytes"], est["saving_bytes"]) == (638_106_537, 503_090_839, 135_015_698)
    assert est["saving_range"] == [45_590_921, 222_223_246]
    assert (est["before_range"], est["after_range"]) == ([418_389_134, 835_560_251], [372_767_381, 613_367_837])
    assert (est["counted_before"], est["counted_after"], est["left_out"]) == (101, 39, [])
    assert (est["unknown_before"], est["unknown_after"]) == (5, 5)
    rows = {p["name"]: p for p in report["packages"]}
    counted = [s for p in report["packages"] for s in (p["before"], p["after"]) if s and s["bytes"] is not None]
    assert {s["platform"] for s in counted} == {"linux-64", "cp39-cp39-manylinux_2_28_x86_64"}
    assert all(s["estimate"] == (s["kind"] == "closure") for s in counted)
    assert rows["pyarrow"]["before"]["source"].startswith(
        "knowledge/packages/pyarrow.toml cf-closure-25.0.0-py310-linux-64-est [S2] Quantco/dataframely")
    assert rows["pyarrow"]["before"]["stand_in"] == "stand-in: 25.0.0 is not built for Python 3.9"
    assert rows["pyarrow"]["before"]["range"] == [186_873_800, 363_589_570]
    assert (rows["pyarrow"]["after"]["version"], rows["pyarrow"]["after"]["bytes"]) == ("21.0.0", 141_197_952)
    assert rows["pyarrow"]["after"]["source"].startswith("knowledge/packages/pyarrow.toml pypi-wheel-21.0.0-cp39 [PW1]")
    assert (rows["numpy"]["before"]["version"], rows["python"]["before"]["version"]) == ("1.26.4", "3.9.23")
    assert rows["pandas"]["before"]["stand_in"] == "stand-in: no linux-64 figure for a version the file allows"
    (es001,) = report["findings"]
    assert es001["saving_bytes"] == 276_343_365 - 141_197_952


def test_seed_nomkl_is_a_guard_with_no_mkl_row(capsys, monkeypatch):
    """conda-forge is listed before defaults in the example, so numpy comes with OpenBLAS: nomkl is added as a
    guard that saves nothing, and no implied mkl row is counted (issue 13: no phantom MKL)."""
    monkeypatch.chdir(ROOT)
    _, data, _ = run_json(capsys, "report", "--format", "json", "examples/environment.yml")
    rows = {p["name"]: p for p in data["files"][0]["packages"]}
    assert "mkl" not in rows
    (es002,) = [f for f in data["files"][0]["findings"] if f["rule"] == "ES002"]
    assert (es002["saving_bytes"], es002["applied"]) == (0, True)
    assert data["files"][0]["estimate"]["saving_bytes"] == 135_015_698


def test_an_mkl_row_is_the_linux_64_defaults_figure(capsys, tmp_path, monkeypatch):
    """Where defaults serves numpy (listed first), ES002 fires for real and the implied mkl row is priced with
    the defaults linux-64 figure."""
    monkeypatch.chdir(tmp_path)
    Path("environment.yml").write_text("channels:\n  - defaults\ndependencies:\n  - python=3.11\n  - numpy\n")
    _, data, _ = run_json(capsys, "report", "--format", "json", "environment.yml")
    rows = {p["name"]: p for p in data["files"][0]["packages"]}
    assert (rows["mkl"]["before"]["platform"], rows["mkl"]["before"]["bytes"]) == ("linux-64", 799_360_504)
    assert rows["mkl"]["implied"] and rows["mkl"]["after"] is None


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
    assert report["estimate"]["before_bytes"] - report["estimate"]["after_bytes"] == 135_015_698


def test_nothing_due_and_empty(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("env.yml").write_text("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - numpy\n")
    Path("empty.yml").write_text("name: x\ndependencies: []\n")
    rc, out, err = run_cli(capsys, "report", "env.yml", "empty.yml")
    numpy = footprint.pick(knowledge.load("numpy"), footprint.CONDA_SIDES, ("closure", "package"))
    assert (rc, err) == (0, "")
    mb = f"{numpy.bytes / 1e6:.1f} MB"
    assert out.splitlines()[:4] == [
        "env.yml (Python 3.11 from default, linux-64)",
        "  package  before                          after                           change",
        f"  numpy    conda {mb} closure est. [1]  conda {mb} closure est. [1]",
        f"  total    {mb}, 0 unknown              {mb}, 0 unknown",
    ]
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
    server, pkgs = demo
    rc, data, err = run_json(capsys, "report", "--online", "--format", "json", "environment.yml")
    assert (rc, err) == (0, "")
    rows = by_name(data)
    pyarrow = pkgs["pyarrow"]["16.1.0"]  # pip's pick for pyarrow>=15
    assert rows["pyarrow"]["after"] == {
        "manager": "pip", "name": "pyarrow", "spec": "pyarrow>=15", "bytes": pyarrow.installed, "kind": "wheel",
        "origin": "pypi", "version": "16.1.0", "platform": "cp311-cp311-manylinux_2_28_x86_64",
        "source": "PyPI pyarrow-16.1.0-cp311-cp311-manylinux_2_28_x86_64.whl (pip's pick for Python 3.11 on "
                  "linux-64): installed = sum of the file sizes in its zip central directory",
        "url": pyarrow.url(server), "date": TODAY, "archive_bytes": len(pyarrow.data), "channel": "pypi",
        "estimate": False}
    # conda-forge pyarrow has a closure in the knowledge base: a single online package would understate it
    assert rows["pyarrow"]["before"]["origin"] == "knowledge"
    assert rows["pyarrow"]["before"]["kind"] == "closure"
    libfoo = pkgs["libfoo"]  # the newest file matching libfoo>=1.2
    assert rows["libfoo"]["before"] == rows["libfoo"]["after"] == {
        "manager": "conda", "name": "libfoo", "spec": "libfoo>=1.2", "bytes": libfoo.installed, "kind": "package",
        "origin": "anaconda.org", "version": "1.2.3", "platform": "linux-64",
        "source": "anaconda.org conda-forge/linux-64/libfoo-1.2.3-h0_0.conda: installed = sum of its info/paths.json"
                  " sizes", "url": libfoo.url(server), "date": TODAY, "archive_bytes": len(libfoo.data),
        "channel": "conda-forge", "estimate": False}
    # python has a closure figure for linux-64 3.11 in the knowledge base: a single online package would understate it
    assert (rows["python"]["before"]["origin"], rows["python"]["before"]["kind"]) == ("knowledge", "closure")
    assert rows["pip"]["before"]["bytes"] == pkgs["pip"].installed
    assert rows["tinylib"]["before"]["bytes"] == pkgs["tinylib"]["1.0"].installed
    closure = footprint.pick(knowledge.load("pyarrow"), footprint.CONDA_SIDES, ("closure",)).bytes
    python = rows["python"]["before"]["bytes"]
    small = libfoo.installed + python + pkgs["pip"].installed + pkgs["tinylib"]["1.0"].installed
    assert data["files"][0]["estimate"]["before_bytes"] == closure + small  # no member of the two closures shared
    assert data["files"][0]["estimate"]["after_bytes"] == pyarrow.installed + small
    assert data["files"][0]["unknown"] == {"before": [], "after": []}


def test_online_table_is_exact(capsys, demo):
    server, pkgs = demo
    rc, out, err = run_cli(capsys, "report", "--online", "environment.yml")
    assert (rc, err) == (0, "")
    closure = footprint.pick(knowledge.load("pyarrow"), footprint.CONDA_SIDES, ("closure",))
    wheel = pkgs["pyarrow"]["16.1.0"]
    small = sum(p.installed for p in (pkgs["libfoo"], pkgs["python"], pkgs["pip"])) + pkgs["tinylib"]["1.0"].installed
    u = server.url
    expected = f"""\
environment.yml (Python 3.11 from the file, linux-64)
  package  before                           after                            change
  libfoo   conda 0.0 MB package [1]         conda 0.0 MB package [1]
  pip      conda 0.0 MB package [2]         conda 0.0 MB package [2]
  pyarrow  conda 276.3 MB closure est. [3]  pip 0.0 MB wheel [4]             moved to pip (ES001)
  python   conda 245.0 MB closure est. [5]  conda 245.0 MB closure est. [5]
  tinylib  pip 0.0 MB wheel [6]             pip 0.0 MB wheel [6]
  total    521.3 MB, 0 unknown              245.0 MB, 0 unknown              saves ~276.3 MB, estimate 186.8 to \
363.3 MB
estimate: before 521,343,703 B, after 245,040,859 B; 0 of 5 packages before and 0 of 5 after have no figure for the \
target and are not counted
image (modeled, estimate): before ~598.2 MB (431.7 to 760.2 MB); after the rewrite ~321.9 MB (244.8 to 396.9 MB), \
with the default prune ~280.9 MB (207.5 to 361.1 MB) on debian:bookworm-slim (76.8 MB), ~224.8 MB (151.4 to 305.5 \
MB) on distroless
Totals are a union: each package counted once, priced for the target platform, Python and the file's versions; a \
figure marked est. is estimated (its range is given), stand-in is another version's figure on the same platform.
figures:
  [1] libfoo: 20,013 B installed (conda-forge package 1.2.3 linux-64); anaconda.org \
conda-forge/linux-64/libfoo-1.2.3-h0_0.conda: installed = sum of its info/paths.json sizes \
<{u}/conda/conda-forge/linux-64/libfoo-1.2.3-h0_0.conda> ({TODAY})
  [2] pip: 3,009 B installed (conda-forge package 24.0 noarch); anaconda.org \
conda-forge/noarch/pip-24.0-pyh0_0.conda: installed = sum of its info/paths.json sizes \
<{u}/conda/conda-forge/noarch/pip-24.0-pyh0_0.conda> ({TODAY})
  [3] pyarrow: 276,343,364 B installed (conda-forge closure 25.0.0 linux-64, 65 packages, estimate 186.9 to 363.4 \
MB); knowledge/packages/pyarrow.toml cf-closure-25.0.0-py311-linux-64-est [S2] Quantco/dataframely pixi.lock \
@efff0ec (conda-forge archive sizes and depends from pixi.lock) \
<https://github.com/Quantco/dataframely/blob/efff0ec0fae6d02fa3b2792ef12e1d967584ac99/pixi.lock> (2026-08-03)
  [4] pyarrow: 40,520 B installed (pypi wheel 16.1.0 cp311-cp311-manylinux_2_28_x86_64); PyPI \
pyarrow-16.1.0-cp311-cp311-manylinux_2_28_x86_64.whl (pip's pick for Python 3.11 on linux-64): installed = sum of \
the file sizes in its zip central directory <{u}/files/pyarrow-16.1.0-cp311-cp311-manylinux_2_28_x86_64.whl> \
({TODAY})
  [5] python: 244,971,832 B installed (conda-forge closure 3.11.15 linux-64, 24 packages, estimate 167.9 to 320.0 \
MB); knowledge/packages/python.toml cf-closure-3.11.15-linux-64-est [S1] Quantco/dataframely pixi.lock @efff0ec \
(conda-forge archive sizes and depends from pixi.lock) \
<https://github.com/Quantco/dataframely/blob/efff0ec0fae6d02fa3b2792ef12e1d967584ac99/pixi.lock> (2026-08-03)
  [6] tinylib: 5,485 B installed (pypi wheel 1.0 py3-none-any); PyPI tinylib-1.0-py3-none-any.whl (pip's pick for \
Python 3.11 on linux-64): installed = sum of the file sizes in its zip central directory \
<{u}/files/tinylib-1.0-py3-none-any.whl> ({TODAY})
other findings:
  environment.yml:3:3: ES007 defaults: conda-forge without nodefaults: a .condarc can add defaults back [unsafe \
fix, use --unsafe-fixes]
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
    assert len(lines) == 3
    assert lines[0] == (f"envslim: warning: PyPI pyarrow: HTTP 500 Internal Server Error; gave up after 3 attempts "
                        f"({u}/pypi/pyarrow/json); using the knowledge base's figure, if any")
    assert lines[1].startswith("envslim: warning: PyPI tinylib: malformed JSON: ")
    assert lines[1].endswith(f"({u}/pypi/tinylib/json); using the knowledge base's figure, if any")
    assert lines[2].startswith("envslim: warning: anaconda.org conda-forge/libfoo: connection dropped")
    assert lines[2].endswith(f"gave up after 3 attempts ({u}/package/conda-forge/libfoo/files); using the "
                             "knowledge base's figure, if any")
    rows = by_name(data)
    wheel = footprint.pick(knowledge.load("pyarrow"), ("pypi",), ("wheel",))
    assert rows["pyarrow"]["after"]["origin"] == "knowledge"
    assert rows["pyarrow"]["after"]["bytes"] == wheel.bytes
    assert rows["tinylib"]["before"]["bytes"] is None  # no knowledge entry either: unknown, and counted as such
    assert rows["libfoo"]["before"]["bytes"] is None
    assert rows["pip"]["before"]["origin"] == "anaconda.org"
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
    assert err == "envslim: warning: --offline: 4 lookup(s) had no cached data; using the knowledge figures\n"
    assert by_name(data)["pyarrow"]["after"]["origin"] == "knowledge"


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
