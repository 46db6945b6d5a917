"""A pixi manifest is judged and priced for the platforms it lists, and a line of another feature or target
stands in for a line only where it is installed too (issue 22: figures true for the file's target; no fix
that breaks an environment)."""

from __future__ import annotations

import json

from tests.conftest import run


def _write(tmp_path, text: str):
    p = tmp_path / "pixi.toml"
    p.write_text(text)
    return p


DESKTOP = """\
[workspace]
name = "desk"
channels = ["conda-forge"]
platforms = ["win-64", "osx-arm64"]

[dependencies]
python = "3.11.*"
numpy = "<2"
"""


def test_a_manifest_for_windows_and_macos_is_priced_for_windows(capsys, tmp_path):
    # The workspace cannot be installed on linux-64, so its figures are win-64's (the first platform it
    # lists), never linux-64's; on win-64 conda-forge's default BLAS is MKL (blas-feedstock's
    # conda_build_config.yaml: blas_default_impl mkl on win), so numpy's closure holds mkl.
    p = _write(tmp_path, DESKTOP)
    rc, out, err = run(capsys, "report", p)
    assert rc == 0 and err == ""
    assert out.splitlines()[0] == f"{p} (Python 3.11 from the file, win-64 from the manifest's platforms)"
    rc, out, err = run(capsys, "report", "--format", "json", p)
    f = json.loads(out)["files"][0]
    assert f["target"] == {"python": "3.11", "python_from": "the file", "platform": "win-64",
                           "platform_from": "the manifest's platforms"}
    numpy = next(x for x in f["packages"] if x["name"] == "numpy")["before"]
    assert (numpy["platform"], numpy["version"]) == ("win-64", "1.26.4")
    assert numpy["source"].startswith("graph snapshot 2026-08-17: numpy 1.26.4 py311h0b4df5a_0 (conda-forge win-64)")
    # --platform still picks the platform
    rc, out, err = run(capsys, "report", "--platform", "osx-arm64", p)
    assert out.splitlines()[0] == f"{p} (Python 3.11 from the file, osx-arm64)"


def test_the_default_blas_on_windows_is_mkl():
    from envslim.environment.graph import snapshot
    from envslim.environment.model import Environment, Target

    env = Environment.from_specs(["python 3.11.*", "numpy <2"], Target("win-64", ("conda-forge",), "3.11"), snapshot())
    assert {n: env.packages[n].build.rsplit("_", 1)[-1] for n in ("libblas", "libcblas", "liblapack")} == {
        "libblas": "mkl", "libcblas": "mkl", "liblapack": "mkl"}
    assert "mkl" in env.packages and "libopenblas" not in env.packages
    linux = Environment.from_specs(["python 3.11.*", "numpy <2"], Target("linux-64", ("conda-forge",), "3.11"), snapshot())
    assert linux.packages["libblas"].build.endswith("_openblas") and "mkl" not in linux.packages


FEATURE_BASE = """\
[workspace]
name = "plots"
channels = ["conda-forge"]
platforms = ["linux-64"]

[dependencies]
python = "3.12.*"
pandas = "*"
matplotlib = ">=3.8"

[feature.docs.dependencies]
sphinx = "*"
matplotlib-base = ">=3.8"

[environments]
docs = ["docs"]
"""


def test_a_variant_in_another_feature_does_not_stand_in_for_the_default_line(capsys, tmp_path):
    # matplotlib-base is in the docs environment only: dropping matplotlib from [dependencies] (as before)
    # left the default environment without matplotlib. It is renamed instead.
    p = _write(tmp_path, FEATURE_BASE)
    rc, out, err = run(capsys, "rewrite", "--diff", p)
    assert rc == 1
    assert out.splitlines()[2:] == [
        "@@ -6,7 +6,7 @@",
        " [dependencies]",
        ' python = "3.12.*"',
        ' pandas = "*"',
        '-matplotlib = ">=3.8"',
        '+matplotlib-base = ">=3.8"',
        " ",
        " [feature.docs.dependencies]",
        ' sphinx = "*"',
        "# ES004 matplotlib: use matplotlib-base (saves ~650.2 MB, 288.7 MB to 994.4 MB)",
    ]


TARGETS = """\
[workspace]
name = "etl"
channels = ["conda-forge"]
platforms = ["linux-64", "osx-arm64", "win-64"]

[dependencies]
python = "3.11.*"
polars = ">=1"

[target.win-64.dependencies]
matplotlib = "*"

[target.osx-arm64.dependencies]
matplotlib = "*"
"""


def test_each_target_table_is_judged_on_its_own_platform(capsys, tmp_path):
    # Before: the osx-arm64 line was dropped because the win-64 table (after its rename) listed
    # matplotlib-base, and both savings were linux-64's (741.8 MB). On osx-arm64 the metapackage pulls no Qt
    # binding (matplotlib 3.11.1 osx-arm64 depends on matplotlib-base, python and tornado only), so the
    # rename there saves tornado and the metapackage, ~4 MB; on win-64 it takes pyside6 and qt6-main out.
    p = _write(tmp_path, TARGETS)
    rc, out, err = run(capsys, "rewrite", "--diff", p)
    assert rc == 1
    assert out.splitlines()[2:] == [
        "@@ -8,7 +8,7 @@",
        ' polars = ">=1"',
        " ",
        " [target.win-64.dependencies]",
        '-matplotlib = "*"',
        '+matplotlib-base = "*"',
        " ",
        " [target.osx-arm64.dependencies]",
        '-matplotlib = "*"',
        '+matplotlib-base = "*"',
        "# ES004 matplotlib: use matplotlib-base (saves ~592.0 MB, 279.4 MB to 890.0 MB)",
        "# ES004 matplotlib: use matplotlib-base (saves ~4.0 MB, 2.9 MB to 5.1 MB)",
    ]
    rc, out, err = run(capsys, "rewrite", "--check", "--format", "json", p)
    found = json.loads(out)["files"][0]["findings"]
    assert [(x["line"], x["outcome"], x["source"].split(",")[0]) for x in found] == [
        (11, "applied", "environment estimate (range 279.4 MB to 890.0 MB) for win-64"),
        (14, "applied", "environment estimate (range 2.9 MB to 5.1 MB) for osx-arm64"),
    ]
    assert found[1]["effect"]["leaving"] == ["matplotlib", "tornado"]
    # the knowledge base's reason ("only adds the Qt GUI binding (..., 3.10.8 linux-64)") is linux-64's: on
    # another platform the message says what the rename takes out there (conda-forge's matplotlib recipe adds
    # pyside6 only where not (osx or ppc64le))
    assert [x["message"] for x in found] == [
        "use matplotlib-base: matplotlib-base is the library itself; on win-64 matplotlib adds qt6-main, libclang13,"
        " icu, pyside6 and 24 more beyond it (graph snapshot)",
        "use matplotlib-base: matplotlib-base is the library itself; on osx-arm64 matplotlib adds tornado beyond it"
        " (graph snapshot)",
    ]


PULLBACK = """\
[workspace]
name = "ingest"
channels = ["conda-forge"]
platforms = ["linux-64", "win-64"]

[dependencies]
python = "3.12.*"
pyarrow = ">=16"
fastapi = "*"

[target.win-64.dependencies]
streamlit = "*"
"""


def test_a_move_must_hold_on_the_platforms_of_other_target_tables(capsys, tmp_path):
    # [dependencies] is installed on win-64 too, where streamlit (which the snapshot does not know; its
    # conda-forge recipe runs with pyarrow) stays: the move is judged there as well, not only on linux-64.
    p = _write(tmp_path, PULLBACK)
    rc, out, err = run(capsys, "rewrite", "--check", "-v", p)
    assert rc == 0
    assert out.endswith("; not moved on win-64: streamlit is not in the snapshot, so whether it pulls pyarrow back"
                        " cannot be judged [not fixed: a package the snapshot does not know]\n")


LINUX_ONLY_GPU = """\
[workspace]
name = "shop"
channels = ["conda-forge"]
platforms = ["linux-64", "win-64"]

[dependencies]
python = "3.11.*"

[target.win-64.dependencies]
pywin32 = "*"

[feature.gpu.target.linux-64.dependencies]
pytorch = ">=2"

[environments]
gpu = ["gpu"]
"""


def test_a_linux_only_table_is_judged_on_linux_whatever_windows_tables_hold(capsys, tmp_path):
    # Before: pywin32 (a Windows-only package) in the win-64 table made the linux-64 table's environment be
    # judged on win-64, so nomkl's saving was a win-64 figure.
    p = _write(tmp_path, LINUX_ONLY_GPU)
    rc, out, err = run(capsys, "rewrite", "--check", "--format", "json", p)
    found = [x for x in json.loads(out)["files"][0]["findings"] if x["rule"] == "ES002"]
    assert [x["source"].split(",")[0].rsplit(" ", 2)[-2:] for x in found] == [["for", "linux-64"]]


WINDOWS_MOVE = """\
[workspace]
name = "desk"
channels = ["conda-forge"]
platforms = ["win-64"]

[dependencies]
python = "3.11.*"
pyarrow = "*"
"""


def test_an_unpriced_move_makes_the_total_saving_unknown_and_windows_has_no_image(capsys, tmp_path):
    # The knowledge base has no win-64 pyarrow wheel: what the move saves is unknown, so the total's saving is
    # too (it printed "saves ~0.0 MB", the difference of the other rows); and a Windows environment is not
    # modeled in a Debian image.
    p = _write(tmp_path, WINDOWS_MOVE)
    rc, out, err = run(capsys, "report", p)
    lines = out.splitlines()
    total = next(line for line in lines if line.startswith("  total"))
    assert total.endswith("saving unknown: pyarrow has no figure for the target on a side")
    assert "image: not modeled for win-64 (the base images are Linux; --platform linux-64 models one)" in lines
    assert not any(line.startswith("image (modeled") for line in lines)
    rc, out, err = run(capsys, "report", "--format", "json", p)
    f = json.loads(out)["files"][0]
    assert (f["estimate"]["saving_bytes"], f["estimate"]["unpriced_changes"], f["estimate"]["left_out"]) == (
        None, ["pyarrow"], [])
    assert "image" not in f


PYTHONS = """\
[workspace]
name = "frames"
channels = ["conda-forge"]
platforms = ["linux-64"]

[dependencies]
python = ">=3.10"
polars = "*"

[feature.test.dependencies]
pyarrow = "*"
pytest = "*"

[feature.py310.dependencies]
python = "3.10.*"

[feature.py312.dependencies]
python = "3.12.*"

[environments]
default = ["py312", "test"]
py310 = ["py310", "test"]
"""


def test_a_feature_of_several_pythons_is_judged_in_the_default_environment(capsys, tmp_path):
    # Before: the test feature's move was judged with no python ("for linux-64": the leaving closure of one
    # python's builds, the arriving cp311 wheel of another, and no environment here has 3.11). It is judged
    # in the default environment (python 3.12.*), and the py310 environment's report says its figure is
    # 3.12's rather than passing it off as its own.
    p = _write(tmp_path, PYTHONS)
    rc, out, err = run(capsys, "rewrite", "--check", "--format", "json", p)
    (found,) = json.loads(out)["files"][0]["findings"]
    assert found["source"].startswith("environment estimate (range 15.3 MB to 191.2 MB) for linux-64, Python 3.12,")
    rc, out, err = run(capsys, "report", p)
    row = next(line for line in out.splitlines() if line.startswith("  pyarrow"))
    assert row.endswith("moved to pip (ES001): saves ~104.5 MB, 15.3 MB to 191.2 MB")
    rc, out, err = run(capsys, "report", "--environment", "py310", p)
    row = next(line for line in out.splitlines() if line.startswith("  pyarrow"))
    assert row.endswith("moved to pip (ES001): saves ~104.5 MB, 15.3 MB to 191.2 MB"
                        " (for Python 3.12, linux-64, where the line is judged)")


def test_no_dockerfile_for_a_workspace_without_a_linux_platform(capsys, tmp_path):
    # pixi install in the image (linux) refuses a workspace whose platforms have no Linux one: a Dockerfile
    # that cannot build is refused, nothing written.
    p = _write(tmp_path, DESKTOP)
    (tmp_path / "pixi.lock").write_text("version: 6\nenvironments: {}\npackages: []\n")
    out_file = tmp_path / "Dockerfile"
    rc, out, err = run(capsys, "dockerfile", p, "--context", tmp_path, "-o", out_file)
    assert (rc, out) == (2, "")
    assert err == (f"{p}: the workspace's platforms (win-64, osx-arm64) have no Linux one, so `pixi install` cannot"
                   " install it in an image: add linux-64 to platforms and run `pixi lock`\n")
    assert not out_file.exists()


MAC_FEATURE = """\
[workspace]
name = "vision"
channels = ["conda-forge"]
platforms = ["linux-64", "osx-arm64"]

[dependencies]
python = "3.12.*"
numpy = "*"

[feature.mac]
platforms = ["osx-arm64"]

[feature.mac.dependencies]
matplotlib = "*"
pyobjc-framework-cocoa = "*"

[environments]
mac = ["mac"]
"""


def test_a_feature_that_lists_its_own_platforms_is_judged_on_them(capsys, tmp_path):
    # pixi: an environment's platforms are those every one of its features is available on; the mac feature's
    # lines (and its environment's report) are osx-arm64's, not the workspace's first platform's (linux-64,
    # where pyobjc does not even exist).
    p = _write(tmp_path, MAC_FEATURE)
    rc, out, err = run(capsys, "rewrite", "--check", "--format", "json", p)
    (found,) = json.loads(out)["files"][0]["findings"]
    assert found["source"].startswith("environment estimate (range 2.8 MB to 5.0 MB) for osx-arm64, Python 3.12,")
    rc, out, err = run(capsys, "report", "--environment", "mac", p)
    assert out.splitlines()[0] == f"{p} (Python 3.12 from the file, osx-arm64 from the manifest's platforms)"
    rc, out, err = run(capsys, "report", p)
    assert out.splitlines()[0] == f"{p} (Python 3.12 from the file, linux-64)"


OVERRIDE = """\
[workspace]
name = "plots"
channels = ["conda-forge"]
platforms = ["linux-64", "osx-arm64"]

[dependencies]
python = "3.12.*"
matplotlib = ">=3.8"

[target.linux-64.dependencies]
matplotlib = ">=3.9"
"""


def test_a_line_a_target_table_stands_over_is_judged_where_it_is_installed(capsys, tmp_path):
    # On linux-64 pixi installs the target table's matplotlib (>=3.9) instead of the default one: renaming the
    # default line changes linux-64 nothing, so its saving is osx-arm64's (it claimed linux-64's ~650.2 MB);
    # dropping the target's line for the default's matplotlib-base (>=3.8) loses its >=3.9: unsafe, said why.
    p = _write(tmp_path, OVERRIDE)
    rc, out, err = run(capsys, "rewrite", "--check", "-v", p)
    assert out.splitlines() == [
        f"{p}:8:1: ES004 matplotlib: use matplotlib-base: matplotlib-base is the library itself; on osx-arm64"
        " matplotlib adds tornado beyond it (graph snapshot) (saves ~3.9 MB, estimate 2.8 MB to 5.0 MB) [fix available]",
        f"{p}:11:1: ES004 matplotlib: matplotlib-base is already listed: drop matplotlib (matplotlib-base is the library"
        " itself; the metapackage only adds the Qt GUI binding (closure 215 MB vs 34 MB of archives beyond python,"
        " 3.10.8 linux-64)) (saves ~650.2 MB, estimate 288.7 MB to 994.4 MB) [unsafe fix, use --unsafe-fixes: the"
        " dropped line's constraint (>=3.9) is not the matplotlib-base line's (>=3.8): it is lost]",
        f"would rewrite {p}",
    ]


def test_a_rename_split_over_a_target_table_counts_the_variant_that_stays(capsys, tmp_path):
    # With the unsafe drop too, the report's rows are matplotlib (removed: the target's line) and matplotlib-base
    # (added: the default line renamed). The total left matplotlib-base out and claimed the whole metapackage
    # closure (~934.2 MB) as saved.
    p = _write(tmp_path, OVERRIDE)
    rc, out, err = run(capsys, "report", "--unsafe-fixes", p)
    total = next(line for line in out.splitlines() if line.startswith("  total"))
    assert total.split() == ["total", "1,103.3", "MB,", "0", "unknown", "440.8", "MB,", "0", "unknown", "saves",
                             "~662.6", "MB,", "estimate", "295.1", "to", "1,012.7", "MB"]


MOVE_OVERRIDE = """\
[workspace]
name = "etl"
channels = ["conda-forge"]
platforms = ["linux-64", "osx-arm64"]

[dependencies]
python = "3.12.*"
pyarrow = ">=16"

[target.linux-64.dependencies]
pyarrow = ">=17"
"""


def test_a_move_of_a_line_a_target_table_stands_over_is_not_counted_twice(capsys, tmp_path):
    # Both lines move; the default one is installed on osx-arm64 only (pixi takes the linux-64 table's line
    # there), so its saving is osx-arm64's, unknown (no wheel figure), not linux-64's ~128.9 MB a second time.
    p = _write(tmp_path, MOVE_OVERRIDE)
    rc, out, err = run(capsys, "rewrite", "--check", "--format", "json", p)
    found = json.loads(out)["files"][0]["findings"]
    assert [(x["line"], x["outcome"], x["saving_bytes"]) for x in found] == [(8, "applied", None),
                                                                            (11, "applied", 128_915_563)]
    assert found[0]["source"].startswith("unknown: the environment has no figure for the pyarrow wheel; knowledge"
                                         " base, per package: no installed-size figure for the target (osx-arm64,")
