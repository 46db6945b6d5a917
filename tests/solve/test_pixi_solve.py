"""``envslim report --solve`` on pixi manifests through ``main()``, against the local channel and PyPI of
tests/solve: the same JSON as an environment file's, an environment's features, the pixi.lock beside it."""

from __future__ import annotations

import json

import pytest

from tests.solve.conftest import built_world, env, pypi, server, world  # noqa: F401 (fixtures)
from tests.conftest import run

pytestmark = pytest.mark.slow  # real solves (py-rattler, uv) on the tests' local channel and index

PIXI = """\
[workspace]
name = "svc"
channels = ["conda-forge"]
platforms = ["linux-64"]

[dependencies]
python = "3.11.*"
pip = "*"

[feature.etl.dependencies]
numpy = "*"
pyarrow = "15.*"  # parquet

[environments]
etl = ["etl"]
"""


def packages(side):
    return [(p["manager"], p["name"], p["version"], p["build"], p["installed_bytes"]) for p in side["packages"]]


def test_report_solve_pixi_environment(world, env, tmp_path, capsys):
    path = tmp_path / "pixi.toml"
    path.write_text(PIXI)
    rc, out, err = run(capsys, "report", "--solve", "--environment", "etl", "--format", "json", path)
    assert (rc, err) == (0, "")
    f = json.loads(out)["files"][0]
    before, after = f["solved"]["before"], f["solved"]["after"]
    assert f["solved"]["platform"] == "linux-64" and list(f["solved_platforms"]) == ["linux-64"]
    assert packages(before) == [
        ("conda", "libarrow", "15.0.0", "h0_0", 200000),
        ("conda", "libaws", "1.11.0", "h0_0", 210000),
        ("conda", "libblas", "3.9.0", "21_openblas", 3000),
        ("conda", "libopenblas", "0.3.26", "h0_0", 110000),
        ("conda", "numpy", "1.26.4", "py311h0_0", 90000),
        ("conda", "pip", "24.0", "pyhd8ed1ab_0", 30000),
        ("conda", "pyarrow", "15.0.0", "py311h0_0", 70000),
        ("conda", "python", "3.11.8", "h0_0_cpython", 200000),
    ]
    assert before["installed_bytes"] == 913_000
    assert [(p["manager"], p["name"], p["version"]) for p in after["packages"] if p["manager"] == "pip"] == [
        ("pip", "pyarrow", "15.0.0")]
    wheel = next(p["installed_bytes"] for p in after["packages"] if p["manager"] == "pip")
    assert after["installed_bytes"] == 913_000 - 480_000 + wheel
    es001 = next(x for x in f["findings"] if x["rule"] == "ES001")
    assert (es001["verified"], es001["estimate"], es001["saving_bytes"]) == (True, False, 480_000 - wheel)


def test_report_solve_pixi_default_environment_leaves_out_the_feature(world, env, tmp_path, capsys):
    path = tmp_path / "pixi.toml"
    path.write_text(PIXI)
    rc, out, err = run(capsys, "report", "--solve", "--format", "json", path)
    assert (rc, err) == (0, "")
    f = json.loads(out)["files"][0]
    assert packages(f["solved"]["before"]) == [
        ("conda", "pip", "24.0", "pyhd8ed1ab_0", 30000),
        ("conda", "python", "3.11.8", "h0_0_cpython", 200000),
    ]
    assert f["solved"]["after"] == f["solved"]["before"]


def test_report_solve_pixi_lock_beside_the_manifest_is_the_before_side(world, env, tmp_path, capsys, server):
    import rattler

    from tests.solve.test_lockfiles import records

    recs = [r for r in records(server.url) if r.name.normalized != "locket"]
    platform = rattler.LockPlatform("linux-64")
    lock = rattler.LockFile([platform])
    lock.set_channels("etl", [rattler.LockChannel("conda-forge")])
    for r in recs:
        lock.add_conda_package("etl", platform, r)
    lock.to_path(str(tmp_path / "pixi.lock"))
    path = tmp_path / "pixi.toml"
    path.write_text(PIXI)
    rc, out, err = run(capsys, "report", "--solve", "--environment", "etl", "--format", "json", path)
    assert rc == 0
    f = json.loads(out)["files"][0]
    assert packages(f["solved"]["before"]) == [  # the lock's: no pip, which the manifest asks for
        ("conda", "libarrow", "15.0.0", "h0_0", 200000),
        ("conda", "libaws", "1.11.0", "h0_0", 210000),
        ("conda", "libblas", "3.9.0", "21_openblas", 3000),
        ("conda", "libopenblas", "0.3.26", "h0_0", 110000),
        ("conda", "numpy", "1.26.4", "py311h0_0", 90000),
        ("conda", "pyarrow", "15.0.0", "py311h0_0", 70000),
        ("conda", "python", "3.11.8", "h0_0_cpython", 200000),
    ]
    assert err == (f"envslim: warning: {tmp_path / 'pixi.lock'} is stale after the rewrite of {path}: linux-64:"
                   " libarrow, libaws, pyarrow leave(s) or change(s); pip not locked; re-run `pixi lock`\n")
    rc, out, err = run(capsys, "report", "--solve", "--format", "json", path)
    assert (rc, out) == (2, "")
    assert err == f"{path}: cannot be solved: {tmp_path / 'pixi.lock'}: locks no environment 'default' (it locks: etl)\n"


def test_report_lockfile_without_solve_on_a_pixi_manifest_is_one_line(tmp_path, capsys):
    path = tmp_path / "pixi.toml"
    path.write_text(PIXI)
    lock = tmp_path / "conda-lock.yml"
    lock.write_text("version: 1\nmetadata:\n  platforms: [linux-64]\n  sources: []\n  channels: []\n"
                    "  content_hash: {}\npackage: []\n")
    rc, out, err = run(capsys, "report", "--lockfile", lock, path)
    assert rc == 2
    assert err == (f"{path}: --lockfile without --solve takes a conda-lock file and an environment file;"
                   " a pixi manifest's pixi.lock is read by --solve\n")


def test_report_solve_pixi_table(world, env, tmp_path, capsys):
    path = tmp_path / "pixi.toml"
    path.write_text(PIXI)
    rc, out, err = run(capsys, "report", "--solve", "--environment", "etl", path)
    assert (rc, err) == (0, "")
    assert out[out.index("solved for linux-64"):] == (
        "solved for linux-64 (py-rattler, uv): before 8 packages, 0.9 MB (913,000 B); after 6 packages (1 pip),"
        " 0.7 MB (733,450 B)\n"
        "  manager  package      before                          after\n"
        "  conda    libarrow     15.0.0 h0_0          200,000 B  -                    -\n"
        "  conda    libaws       1.11.0 h0_0          210,000 B  -                    -\n"
        "  conda    libblas      3.9.0 21_openblas    3,000 B    3.9.0 21_openblas    3,000 B\n"
        "  conda    libopenblas  0.3.26 h0_0          110,000 B  0.3.26 h0_0          110,000 B\n"
        "  conda    numpy        1.26.4 py311h0_0     90,000 B   1.26.4 py311h0_0     90,000 B\n"
        "  conda    pip          24.0 pyhd8ed1ab_0    30,000 B   24.0 pyhd8ed1ab_0    30,000 B\n"
        "  conda    pyarrow      15.0.0 py311h0_0     70,000 B   -                    -\n"
        "  conda    python       3.11.8 h0_0_cpython  200,000 B  3.11.8 h0_0_cpython  200,000 B\n"
        "  pip      pyarrow      -                    -          15.0.0               300,450 B\n"
        "  attribution (before):\n"
        "    python: 0 packages: what it needs, other requested specs need too\n"
        "    pip: 1 package, 0.0 MB that nothing else needs\n"
        "    numpy: 0 packages: what it needs, other requested specs need too\n"
        "    pyarrow: 3 packages, 0.5 MB that nothing else needs\n"
        "  note: noarch: python: byte-code compiled when linked is not counted\n"
        "findings, proven by a solve:\n"
        "  ES005 numpy: verified, measured saving 0 B (0.0 MB)\n"
        "  ES001 pyarrow: verified, measured saving 179,550 B (0.2 MB)\n")


def test_an_environment_solves_with_its_features_channels_in_order():
    # pixi: the listed features' channels in order, the default feature's last, each once (pixi PR #1332)
    from envslim.document.pixi import PixiManifest
    from envslim.solve.pixi import PixiAdapter

    text = ('[workspace]\nname = "w"\nchannels = ["conda-forge"]\nplatforms = ["linux-64", "osx-arm64"]\n\n'
            '[dependencies]\npython = "3.11.*"\n\n'
            '[feature.gpu]\nchannels = ["nvidia", "conda-forge"]\n\n'
            '[feature.gpu.target.linux-64.dependencies]\ncuda-version = "12.*"\n\n'
            '[feature.ml]\nchannels = ["pytorch"]\n\n[feature.ml.pypi-dependencies]\ntqdm = ">=4"\n\n'
            '[environments]\ntrain = ["gpu", "ml"]\n')
    manifest = PixiManifest.from_text(text, "pixi.toml")
    spec = PixiAdapter("train").spec(manifest, "linux-64")
    assert (spec.channels, spec.conda, spec.pip) == (
        ("nvidia", "conda-forge", "pytorch"), ("python 3.11.*", "cuda-version 12.*"), ("tqdm>=4",))
    spec = PixiAdapter("default").spec(manifest, "osx-arm64")
    assert (spec.channels, spec.conda, spec.pip) == (("conda-forge",), ("python 3.11.*",), ())



def test_rewrite_verify_on_a_pixi_environment(world, env, tmp_path, capsys):
    """The manifest's environments solved as report --solve solves them: the etl environment proves the
    numpy pin and the pyarrow move (the default one, without the etl feature, is not asked)."""
    path = tmp_path / "pixi.toml"
    path.write_text(PIXI)
    rc, out, err = run(capsys, "rewrite", "-v", "--verify", path)
    assert (rc, err) == (0, "")
    assert out.splitlines()[-1] == f"rewrote {path}"
    assert path.read_text() == PIXI.replace('numpy = "*"\npyarrow = "15.*"  # parquet\n', (
        'numpy = "<2"\n\n[feature.etl.pypi-dependencies]\npyarrow = "==15.*"  # parquet\n'))


def test_rewrite_verify_refuses_a_pixi_move_another_environment_pulls_back(world, env, tmp_path, capsys):
    """pyarrow moves in the etl feature; the app environment adds zict, which needs conda's pyarrow: the
    move is proven in etl, refused in app, so it is not made."""
    path = tmp_path / "pixi.toml"
    text = PIXI.replace('[environments]\netl = ["etl"]\n', (
        '[feature.app.dependencies]\nzict = "*"\n\n[environments]\netl = ["etl"]\napp = ["etl", "app"]\n'))
    path.write_text(text)
    rc, out, err = run(capsys, "rewrite", "-v", "--verify", "--diff", path)
    assert rc == 0  # nothing is due: numpy<2 is made only with the move (the pin is for the pip wheel)
    # (pyarrow 15.*: the reason's figures are 25.0's, so the summary)
    assert err == (f"{path}:12:1: ES001 pyarrow: move to pip: Apache Arrow for Python; on conda-forge it pulls the"
                   " Arrow C++ stack with the AWS, Azure and Google Cloud SDKs, gRPC and protobuf"
                   " [not fixed: refused by --verify: in environment 'app': pyarrow pulled back: zict 1.4.0 requires"
                   " pyarrow from conda]\n")
    assert out == ""
    assert path.read_text() == text
