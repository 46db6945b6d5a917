"""``report --lockfile conda-lock.yml`` prices the builds the lock installs, not the newest the snapshot has
(issue 22: every figure true for the file's target, its release series included)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run

pytest.importorskip("conda_lock")

LOCK = Path(__file__).parent.parent / "data" / "lock" / "numpy-2.3.4.conda-lock.yml"


def test_the_locked_builds_are_priced(capsys, tmp_path):
    env = tmp_path / "environment.yml"
    env.write_text("name: calc\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.12\n  - numpy\n")
    rc, out, err = run(capsys, "report", "--format", "json", "--lockfile", LOCK, env)
    assert rc == 0 and err == ""
    rows = {p["name"]: p["before"] for p in json.loads(out)["files"][0]["packages"]}
    # before: numpy 2.5.1 and python 3.12.13, the snapshot's newest, next to "locked: 2.3.4"
    assert {n: (r["version"], r["locked"]) for n, r in rows.items()} == {
        "numpy": ("2.3.4", "2.3.4"), "python": ("3.12.12", "3.12.12")}
    assert rows["numpy"]["source"].startswith("graph snapshot 2026-08-17: numpy 2.3.4 py312h33ff503_0 (conda-forge")
    assert rows["numpy"]["bytes"] == 95_040_356


def test_a_line_the_lock_does_not_hold_is_a_warning(capsys, tmp_path):
    env = tmp_path / "environment.yml"
    env.write_text("name: calc\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.12\n  - numpy\n  - pandas\n")
    rc, out, err = run(capsys, "report", "--lockfile", LOCK, env)
    assert rc == 0
    assert err == (f"envslim: warning: {LOCK} does not lock pandas for linux-64, which {env} asks for: the lock is"
                   " stale (re-run conda-lock); its versions are not used\n")
    # a stale lock's builds may not fit what it misses: the snapshot's choice stands, next to the locked version
    rc, out, err = run(capsys, "report", "--format", "json", "--lockfile", LOCK, env)
    rows = {p["name"]: p["before"] for p in json.loads(out)["files"][0]["packages"]}
    assert (rows["numpy"]["version"], rows["numpy"]["locked"], rows["pandas"].get("locked")) == ("2.5.1", "2.3.4", None)


PIXI_LOCK = Path(__file__).parent.parent / "data" / "lock" / "pixi-numpy-2.3.4" / "pixi.lock"
MANIFEST = """\
[workspace]
name = "calc"
channels = ["conda-forge"]
platforms = ["linux-64"]

[dependencies]
python = "3.12.*"
numpy = "*"
"""


def test_the_pixi_lock_beside_a_manifest_is_priced(capsys, tmp_path):
    # report pixi.toml priced numpy 2.5.1 and python 3.12.13, the snapshot's newest, while the pixi.lock
    # beside it installs numpy 2.3.4 and python 3.12.12
    (tmp_path / "pixi.toml").write_text(MANIFEST)
    (tmp_path / "pixi.lock").write_bytes(PIXI_LOCK.read_bytes())
    rc, out, err = run(capsys, "report", "--format", "json", tmp_path / "pixi.toml")
    assert rc == 0 and err == ""
    rows = {p["name"]: p["before"] for p in json.loads(out)["files"][0]["packages"]}
    assert {n: r["version"] for n, r in rows.items()} == {"numpy": "2.3.4", "python": "3.12.12"}
    # a line the lock does not hold: stale, not used
    (tmp_path / "pixi.toml").write_text(MANIFEST + 'pandas = "*"\n')
    rc, out, err = run(capsys, "report", "--format", "json", tmp_path / "pixi.toml")
    assert err == (f"envslim: warning: {tmp_path / 'pixi.lock'} does not lock pandas for linux-64, which environment"
                   " 'default' asks for: it is stale (run `pixi lock`); its versions are not used\n")
    rows = {p["name"]: p["before"] for p in json.loads(out)["files"][0]["packages"]}
    assert rows["numpy"]["version"] == "2.5.1"


def test_an_unreadable_pixi_lock_beside_a_manifest_is_a_warning(capsys, tmp_path):
    """The lock beside the manifest was not named: a broken one is said, not used, and the manifest is reported
    (it made the report exit 2)."""
    (tmp_path / "pixi.toml").write_text(MANIFEST)
    (tmp_path / "pixi.lock").write_text("version: 6\nenvironments: [\n")
    rc, out, err = run(capsys, "report", "--format", "json", tmp_path / "pixi.toml")
    assert (rc, err) == (0, f"envslim: warning: {tmp_path / 'pixi.lock'}:3:1: not a readable pixi.lock: did not find"
                            " expected node content: its versions are not used\n")
    rows = {p["name"]: p["before"] for p in json.loads(out)["files"][0]["packages"]}
    assert rows["numpy"]["version"] == "2.5.1"


def test_a_locked_version_the_snapshot_lacks_is_priced_as_a_labelled_stand_in(capsys, tmp_path):
    """PyPSA-Eur's pixi.lock holds geojson 3.3.0 (and ipython 9.16.1, tenacity 9.1.4, ...), which the snapshot
    does not have: the walk's 3.2.0 stood in under the header "from pixi.lock" as if it were the locked build,
    labelled "est." like the locked ones. It is a stand-in, and says for which version."""
    lock = Path(__file__).parent.parent / "data" / "lock" / "pixi-geojson-3.3.0" / "pixi.lock"
    (tmp_path / "pixi.toml").write_text(MANIFEST + 'geojson = "*"\n')
    (tmp_path / "pixi.lock").write_bytes(lock.read_bytes())
    rc, out, err = run(capsys, "report", tmp_path / "pixi.toml")
    assert (rc, err) == (0, "")
    lines = out.splitlines()
    assert lines[2] == "  geojson  conda 0.1 MB closure stand-in [1]  conda 0.1 MB closure stand-in [1]"
    assert lines[3] == "  numpy    conda 73.5 MB closure est. [2]     conda 73.5 MB closure est. [2]"
    rc, out, err = run(capsys, "report", "--format", "json", tmp_path / "pixi.toml")
    rows = {p["name"]: p["before"] for p in json.loads(out)["files"][0]["packages"]}
    assert {n: (r["version"], r.get("stand_in", "")) for n, r in rows.items()} == {
        "geojson": ("3.2.0", "stand-in: 3.2.0 pyhd8ed1ab_0 for 3.3.0, the version the lock holds (not in the snapshot)"),
        "numpy": ("2.3.4", ""), "python": ("3.12.12", "")}


PYTORCH_MANIFEST = """\
[project]
name = "lung_image"
channels = ["conda-forge"]
platforms = ["linux-64"]

[dependencies]
python = "3.12"
pytorch = "*"
"""


def test_a_fixs_saving_in_a_locked_report_agrees_with_the_table(capsys, tmp_path):
    """2986002971/lung_image locks mkl 2024.2.2 ha957f24_16, a build the snapshot lacks: the table (the lock's
    builds) had mkl unknown and its total "saving unknown", while the row's change said "saves ~505.9 MB", the
    figure rewrite prices for the file without its lock (then mkl 2026.0.0, against pytorch 2.5.1's mkl <2025).
    Where the locked mkl is priced by its version (the lock without llvm-openmp), the row says whose figure it
    gives (it said ~515.8 MB, mkl 2026.0.0's, beside a total of ~449.1 MB; the walk now takes 2024.2.2 too)."""
    lock = (Path(__file__).parent.parent / "data" / "lock" / "pixi-pytorch-mkl" / "pixi.lock").read_text()
    (tmp_path / "pixi.toml").write_text(PYTORCH_MANIFEST)
    (tmp_path / "pixi.lock").write_text(lock)
    rc, out, err = run(capsys, "report", tmp_path / "pixi.toml")
    assert (rc, err) == (0, "")
    lines = out.splitlines()
    assert lines[2] == ("  mkl (implied)  conda unknown                    conda 21.3 MB package est. [1]   replaced by"
                        " libopenblas (ES002): saving unknown: mkl has no figure for the target before")
    assert lines[6].endswith("saving unknown: mkl has no figure for the target on a side")
    # the same lock without llvm-openmp: mkl is held to its version, 2024.2.2, which the snapshot prices
    head, _, records = lock.partition("\npackages:\n")
    kept = [r for r in ("\n" + records).split("\n- kind: conda")[1:] if "name: llvm-openmp" not in r]
    head = "\n".join(line for line in head.splitlines() if "/llvm-openmp-" not in line)
    (tmp_path / "pixi.lock").write_text(head + "\npackages:\n" + "".join("- kind: conda" + r + "\n" for r in kept))
    rc, out, err = run(capsys, "report", tmp_path / "pixi.toml")
    lines = out.splitlines()
    assert lines[2] == ("  mkl (implied)  conda 470.3 MB closure est. [1]    conda 21.3 MB package est. [2]   replaced by"
                        " libopenblas (ES002): saves ~449.1 MB, 181.8 MB to 703.8 MB (rewrite's figure, for the file"
                        " without its lock's builds)")
    assert lines[6].endswith("saves ~449.1 MB, estimate 181.8 to 703.8 MB")


def test_a_locked_cuda_build_is_never_priced_as_the_cpu_build_of_its_version(capsys, tmp_path):
    """matthewfeickert/pytorch-gpu-pixi-example locks pytorch 2.8.0 cuda129_mkl (its linux-64 environment: 3.8 GB
    of archives); the snapshot has 2.8.0 only as cpu_mkl builds, which stood in ("pytorch 1,112.1 MB closure est."
    under "Python 3.13 from pixi.lock"). Another build of the locked version stands in only where it is of the
    same variant; the CUDA build is unknown."""
    lock = Path(__file__).parent.parent / "data" / "lock" / "pixi-pytorch-cuda" / "pixi.lock"
    (tmp_path / "pixi.toml").write_text('[workspace]\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n'
                                        '[system-requirements]\ncuda = "12.0"\n\n'
                                        '[dependencies]\npytorch = ">=2.8.0,<3"\ncurl = ">=8.17.0,<9"\n')
    (tmp_path / "pixi.lock").write_bytes(lock.read_bytes())
    rc, out, err = run(capsys, "report", tmp_path / "pixi.toml")
    assert (rc, err) == (0, "")
    assert out.splitlines()[1:5] == [
        "  package  before                              after                               change",
        "  curl     conda 62.9 MB closure stand-in [1]  conda 62.9 MB closure stand-in [1]",
        "  pytorch  conda unknown                       conda unknown",
        "  total    62.9 MB, 1 unknown                  62.9 MB, 1 unknown"]


def test_a_pixi_lock_7_platform_keyed_by_name_is_read_for_its_subdir(capsys, tmp_path):
    """ACFHarbinger/Image-Toolkit writes its one platform as a table, `{ platform = "linux-64", glibc = "2.34" }`;
    its pixi.lock (format 7, @24e83ff) keys the environment's packages by the platform's name, `p1`, and says
    `platforms: [{name: p1, subdir: linux-64, ...}]`. envslim took `p1` for a subdir: it warned that the lock has no
    packages for linux-64 and to run `pixi lock`, and priced the file without it (prefix-dev/pixi's multi-machine
    example likewise for osx-arm64, under `p3`). The fixture: the manifest's workspace and two lines, and the lock's
    python and pytorch records, verbatim."""
    src = Path(__file__).parent.parent / "data" / "lock" / "pixi-v7-named-platform"
    for name in ("pixi.toml", "pixi.lock"):
        (tmp_path / name).write_bytes((src / name).read_bytes())
    rc, out, err = run(capsys, "report", tmp_path / "pixi.toml")
    assert (rc, err) == (0, "")
    assert out.splitlines()[2] == (
        "  mkl (implied)  conda 537.1 MB closure est. [1]        conda 21.3 MB package est. [2]       replaced by"
        " libopenblas (ES002): saves ~515.8 MB, 210.5 MB to 806.8 MB (rewrite's figure, for the file without its"
        " lock's builds)")
