"""``envslim report`` on a pixi manifest: one environment (``--environment``, default ``default``), its
features' conda and PyPI tables combined with their target tables for the report's platform, paired before
and after the rewrite, with the knowledge figures the YAML report uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run

DATA = Path(__file__).parent.parent / "data" / "pixi"

# Real-shaped: tasks, a target selector (unix), platform targets overriding the default feature, a feature
# with targets only, an environment without the default feature.
MANIFEST = """\
[workspace]
channels = ["conda-forge"]
name = "shop"
platforms = ["linux-64", "osx-arm64", "win-64"]

[tasks]
serve = "python -m shop"

[dependencies]
python = "3.11.*"
pandas = ">=2"  # tables
opencv = { version = ">=4" }

[target.unix.dependencies]
numpy = ">=1.26,<2"

[target.linux-64.dependencies]
pandas = ">=2.2"

[target.win-64.dependencies]
pywin32 = "*"

[pypi-dependencies]
requests = ">=2.31"

[feature.lint.dependencies]
ruff = "*"

[feature.gpu.target.linux-64.dependencies]
pytorch = ">=2"

[environments]
lint = { features = ["lint"], no-default-feature = true }
gpu = ["gpu"]
"""


@pytest.fixture
def manifest(tmp_path):
    p = tmp_path / "pixi.toml"
    p.write_text(MANIFEST)
    return p


def _report(capsys, *args) -> tuple[int, str, str]:
    return run(capsys, "report", *args)


def _specs(capsys, *args) -> list[tuple]:
    rc, out, err = _report(capsys, "--format", "json", *args)
    assert rc == 0, err
    return [(p["name"], p["before"] and p["before"]["spec"], p["after"] and p["after"]["spec"], p["change"])
            for p in json.loads(out)["files"][0]["packages"]]


def test_default_environment_on_linux_64(capsys, manifest):
    # the unix and linux-64 targets count, the linux-64 pandas over the default one; win-64's pywin32 and
    # the gpu feature's pytorch do not. nomkl (added to the default feature for the gpu environment's
    # pytorch) is an added line; no mkl is dropped from an environment without pytorch.
    assert _specs(capsys, manifest) == [
        ("nomkl", None, "nomkl", "added (ES002)"),
        ("numpy", "numpy >=1.26,<2", "numpy >=1.26,<2", ""),
        ("opencv", "opencv >=4", "opencv >=4", ""),
        ("pandas", "pandas >=2.2", "pandas >=2.2", ""),
        ("python", "python 3.11.*", "python 3.11.*", ""),
        ("requests", "requests>=2.31", "requests>=2.31", ""),
    ]


def test_default_environment_table_is_exact(capsys, manifest):
    rc, out, err = _report(capsys, manifest)
    assert rc == 0 and err == ""
    head = out.splitlines()[:9]
    assert head == [
        f"{manifest} (Python 3.11 from the file, linux-64)",
        "  package   before                                 after                                  change",
        "  nomkl     -                                      conda 0.0 MB closure [1]               added (ES002)",
        "  numpy     conda 94.8 MB closure est. [2]         conda 94.8 MB closure est. [2]",
        "  opencv    conda 1,436.4 MB closure stand-in [3]  conda 1,436.4 MB closure stand-in [3]",
        "  pandas    conda 166.6 MB closure est. [4]        conda 166.6 MB closure est. [4]",
        "  python    conda 166.4 MB closure est. [5]        conda 166.4 MB closure est. [5]",
        "  requests  pip unknown                            pip unknown",
        "  total     1,674.5 MB, 1 unknown                  1,674.5 MB, 1 unknown",
    ]
    assert "mkl (implied)" not in out


def test_gpu_environment_replaces_the_implied_mkl(capsys, manifest):
    assert _specs(capsys, "--environment", "gpu", manifest) == [
        ("mkl", "", "", "replaced by libopenblas (ES002)"),  # nomkl's OpenBLAS side on the implied row
        ("nomkl", None, "nomkl", "added (ES002)"),
        ("numpy", "numpy >=1.26,<2", "numpy >=1.26,<2", ""),
        ("opencv", "opencv >=4", "opencv >=4", ""),
        ("pandas", "pandas >=2.2", "pandas >=2.2", ""),
        ("python", "python 3.11.*", "python 3.11.*", ""),
        ("pytorch", "pytorch >=2", "pytorch >=2", ""),
        ("requests", "requests>=2.31", "requests>=2.31", ""),
    ]


def test_an_environment_without_the_default_feature(capsys, manifest):
    # conda-forge's ruff depends on python: python's closure is an implied row
    assert _specs(capsys, "--environment", "lint", manifest) == [("python", "", "", ""), ("ruff", "ruff", "ruff", "")]


def test_the_report_platform_picks_the_target_tables(capsys, manifest):
    # win-64: no unix numpy, the default pandas, pywin32; Python from the file's pin, as for YAML files. The rules
    # judge the default feature for win-64 too, where conda-forge's default BLAS is MKL (opencv links it): nomkl,
    # with the implied mkl row priced by that finding (not by the gpu feature's, which is for linux-64)
    assert _specs(capsys, "--platform", "win-64", manifest) == [
        ("mkl", "", "", "replaced by libopenblas (ES002)"),
        ("nomkl", None, "nomkl", "added (ES002)"),
        ("opencv", "opencv >=4", "opencv >=4", ""),
        ("pandas", "pandas >=2", "pandas >=2", ""),
        ("python", "python 3.11.*", "python 3.11.*", ""),
        ("pywin32", "pywin32", "pywin32", ""),
        ("requests", "requests>=2.31", "requests>=2.31", ""),
    ]
    rc, out, _ = _report(capsys, "--platform", "win-64", manifest)
    (row,) = [line for line in out.splitlines() if line.startswith("  mkl (implied)")]
    (total,) = [line for line in out.splitlines() if line.startswith("  total")]
    assert row.endswith("replaced by libopenblas (ES002): saves ~409.3 MB, 167.8 MB to 639.5 MB")
    assert total.endswith("saves ~409.3 MB, estimate 167.8 to 639.5 MB")
    rc, out, _ = _report(capsys, "--platform", "osx-arm64", manifest)
    assert out.splitlines()[0] == f"{manifest} (Python 3.11 from the file, osx-arm64)"


def test_markdown_of_a_real_manifest_environment(capsys):
    path = DATA / "pixi-pytorch.toml"  # prefix-dev/pixi examples/pytorch (SOURCES.md)
    rc, out, err = _report(capsys, "--format", "markdown", "--environment", "cf-channel", path)
    assert rc == 0 and err == ""
    assert out.splitlines()[:11] == [
        f"### envslim report: `{path}`",
        "",
        "**Estimated footprint: 1,406.1 MB (831.1 to 1,959.4 MB) → 1,406.1 MB (831.1 to 1,959.4 MB)**; 0 of 2 packages before and 0 of 2 after have no figure for the target and are not counted. Python 3.11 (default), linux-64.",
        "",
        "image (modeled, estimate): before ~1,482.9 MB (908.0 to 2,036.2 MB); after the rewrite ~1,482.9 MB (908.0 to 2,036.2 MB), with the default prune ~1,248.1 MB (723.4 to 1,816.8 MB) on debian:bookworm-slim (76.8 MB), ~1,192.0 MB (667.3 to 1,761.2 MB) on distroless",
        "",
        "| package | before | after | change |",
        "|---|---|---|---|",
        "| `python` (implied) | conda 185.7 MB closure est. [1] | conda 185.7 MB closure est. [1] |  |",
        "| `pytorch` | conda 1,220.4 MB closure stand-in [2] | conda 1,220.4 MB closure stand-in [2] |  |",
        "| **total** | **1,406.1 MB**, 0 unknown | **1,406.1 MB**, 0 unknown |  |",
    ]
    rc, out, err = _report(capsys, path)  # the default environment has no dependencies of its own
    assert rc == 0 and out.splitlines()[1:] == ["no packages"]


def test_a_redefined_default_environment_combines_its_features(capsys):
    # pixi-solve-groups: default = ["min_py38"], the default feature included
    assert [(n, b) for n, b, _, _ in _specs(capsys, DATA / "pixi-solve-groups.toml")] == [
        ("py-rattler", "py-rattler"), ("pytest", "pytest"), ("python", "python >=3.8")]


def test_an_unknown_environment_is_bad_input(capsys, manifest):
    rc, out, err = _report(capsys, "--environment", "nope", manifest)
    assert (rc, out, err) == (2, "", f"{manifest}: no pixi environment 'nope' (it has: default, lint, gpu)\n")


def test_environment_on_an_environment_file_is_bad_input(capsys, tmp_path):
    env = tmp_path / "environment.yml"
    env.write_text("dependencies:\n  - python=3.11\n")
    rc, out, err = _report(capsys, "--environment", "gpu", env)
    assert (rc, out, err) == (2, "", f"{env}: --environment names a pixi environment; this is an environment file\n")
