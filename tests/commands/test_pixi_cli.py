"""`envslim rewrite` on pixi manifests: main() on real files, exact bytes and output; the envslim-pixi hook
run for real by pre-commit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from envslim.cli import main
from envslim.display import printable
from tests.conftest import ROOT
from tests.test_precommit import ENV, _git, _run, precommit_home, repo  # noqa: F401 (fixtures)

PIXI = """\
[workspace]
name = "svc"
channels = ["conda-forge"]
platforms = ["linux-64", "osx-arm64"]

[tasks]
serve = "python -m svc"

[dependencies]
python = "3.11.*"
pandas = ">=2"
pyarrow = ">=12"  # parquet

[feature.etl.target.linux-64.dependencies]
pyarrow = "16.*"
python-duckdb = "*"

[environments]
etl = ["etl"]
"""

PIXI_FIXED = """\
[workspace]
name = "svc"
channels = ["conda-forge"]
platforms = ["linux-64", "osx-arm64"]

[tasks]
serve = "python -m svc"

[dependencies]
python = "3.11.*"
pandas = ">=2"

[pypi-dependencies]
pyarrow = ">=12"  # parquet

[feature.etl.target.linux-64.dependencies]
python-duckdb = "*"

[feature.etl.target.linux-64.pypi-dependencies]
pyarrow = "==16.*"

[environments]
etl = ["etl"]
"""

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "svc"
version = "0.1.0"
dependencies = ["pandas>=2"]

[tool.pixi.workspace]
channels = ["conda-forge"]
platforms = ["linux-64"]

[tool.pixi.pypi-dependencies]
svc = { path = ".", editable = true }

[tool.pixi.dependencies]
pandas = ">=2"
pyarrow = '>=14'  # parquet
"""


def lines(text: str) -> list[str]:
    """The output lines cut after ``RULE package: what`` (the reasons and figures come from the knowledge base)."""
    return [re.sub(r"(ES\d+ [^:]+: [^:(]*?)(:| \().*", r"\1", line) for line in text.splitlines()]


def test_rewrite_moves_per_scope_and_is_idempotent(tmp_path, capsys):
    p = tmp_path / "pixi.toml"
    p.write_bytes(PIXI.encode())
    assert main(["rewrite", "-v", str(p)]) == 0
    assert p.read_bytes() == PIXI_FIXED.encode()
    out = capsys.readouterr().out
    assert lines(out) == [f"{p}:12:1: ES001 pyarrow: move to pip", f"{p}:15:1: ES001 pyarrow: move to pip", f"rewrote {p}"]
    assert main(["rewrite", "-v", "--check", str(p)]) == 0
    assert capsys.readouterr().out == ""


def test_check_and_diff_touch_nothing(tmp_path, capsys):
    p = tmp_path / "pixi.toml"
    p.write_bytes(PIXI.replace("\n", "\r\n").encode())
    assert main(["rewrite", "-v", "--check", str(p)]) == 1
    assert lines(capsys.readouterr().out)[-1] == f"would rewrite {p}"
    assert main(["rewrite", "-v", "--diff", str(p)]) == 1
    out = capsys.readouterr().out
    # (the diff shows the CR of each CRLF as the one control-character rendering gives it)
    assert printable("+[feature.etl.target.linux-64.pypi-dependencies]\r\n") in out
    assert p.read_bytes() == PIXI.replace("\n", "\r\n").encode()
    assert main(["rewrite", "-v", str(p)]) == 0
    assert p.read_bytes() == PIXI_FIXED.replace("\n", "\r\n").encode()


def test_pyproject_goes_to_tool_pixi_and_a_published_dependency_stays(tmp_path, capsys):
    p = tmp_path / "pyproject.toml"
    text = PYPROJECT.replace("pandas>=2", "pyarrow>=14")
    p.write_text(text)
    assert main(["rewrite", "-v", str(p)]) == 0
    assert p.read_text() == text  # pyarrow is in [project].dependencies too: reported, not moved
    assert lines(capsys.readouterr().out) == [f"{p}:19:1: ES001 pyarrow: move to pip"]
    p.write_text(PYPROJECT)
    assert main(["rewrite", "-v", str(p)]) == 0
    assert p.read_text() == PYPROJECT.replace("pyarrow = '>=14'  # parquet\n", "").replace(
        'svc = { path = ".", editable = true }\n', 'svc = { path = ".", editable = true }\npyarrow = ">=14"  # parquet\n')


def test_published_dependency_note(tmp_path, capsys):
    p = tmp_path / "pyproject.toml"
    p.write_text(PYPROJECT.replace("pandas>=2", "pyarrow>=14"))
    main(["rewrite", "-v", "--check", str(p)])
    out = capsys.readouterr().out
    assert "[not fixed: line 19: also in [project].dependencies (the published package's metadata): move it by hand" in out


# The default scope's move and the feature's, ten lines apart: two hunks, and the feature's findings are
# placed in the original text although its scope is planned on the text the default scope left.
FAR = """\
[workspace]
name = "svc"
channels = ["conda-forge"]
platforms = ["linux-64"]

[dependencies]
python = "3.11.*"
pyarrow = ">=12"

[tasks]
serve = "python -m svc"
test = "pytest"
lint = "ruff check"
fmt = "ruff format"
docs = "mkdocs build"
bench = "python bench.py"
clean = "rm -rf build"

[feature.plots.dependencies]
matplotlib = ">=3.8"
pyarrow = "16.*"

[environments]
plots = ["plots"]
"""


def test_diff_explains_each_scope_after_its_own_hunk(tmp_path, capsys):
    p = tmp_path / "pixi.toml"
    p.write_text(FAR)
    assert main(["rewrite", "-v", "--check", str(p)]) == 1
    assert lines(capsys.readouterr().out) == [
        f"{p}:8:1: ES001 pyarrow: move to pip", f"{p}:20:1: ES004 matplotlib: use matplotlib-base",
        f"{p}:21:1: ES001 pyarrow: move to pip", f"would rewrite {p}"]
    assert main(["rewrite", "-v", "--diff", str(p)]) == 1
    out = [re.sub(r"^(# ES\d+ [^:]+):.*", r"\1", line) for line in capsys.readouterr().out.splitlines()]
    assert out == [
        "--- a/" + str(p), "+++ b/" + str(p),
        "@@ -5,6 +5,8 @@", " ", " [dependencies]", ' python = "3.11.*"', "+", "+[pypi-dependencies]",
        ' pyarrow = ">=12"', " ", " [tasks]",
        "# ES001 pyarrow",
        "@@ -17,8 +19,10 @@", ' clean = "rm -rf build"', " ", " [feature.plots.dependencies]",
        '-matplotlib = ">=3.8"', '-pyarrow = "16.*"', '+matplotlib-base = ">=3.8"', "+",
        "+[feature.plots.pypi-dependencies]", '+pyarrow = "==16.*"', " ", " [environments]", ' plots = ["plots"]',
        "# ES004 matplotlib", "# ES001 pyarrow",
    ]
    assert p.read_text() == FAR


def test_applied_edits_are_in_original_offsets(tmp_path):
    """Every applied outcome's edits, spliced into the original text together, give the new text."""
    from envslim.document.edits import splice
    from envslim.document.pixi import PixiManifest
    from envslim.plan import Options, plan_document

    for name, text in [("pixi.toml", FAR), ("pixi.toml", PIXI), ("pyproject.toml", PYPROJECT)]:
        m = PixiManifest.from_text(text, name)
        plan = plan_document(m, Options(unsafe_fixes=True))
        assert plan.changed
        assert splice(m.text, [e for o in plan.applied for e in o.edits]) == plan.new_text
        for o in plan.applied:
            assert o.line in o.lines and m.text.splitlines()[o.line - 1].startswith(o.finding.item.dep.name)


def test_pyproject_without_tool_pixi_is_left_alone(tmp_path, capsys):
    p = tmp_path / "pyproject.toml"
    p.write_text('[project]\nname = "x"\ndependencies = ["pyarrow"]\n')
    assert main(["rewrite", "-v", "--check", str(p)]) == 0
    assert capsys.readouterr() == ("", "")


def test_bad_toml_exit_2_nothing_written(tmp_path, capsys):
    p = tmp_path / "pixi.toml"
    p.write_text('[dependencies]\npyarrow = ">=12\n')
    assert main(["rewrite", "-v", str(p)]) == 2
    assert capsys.readouterr().err == f"{p}:2:16: invalid TOML: Illegal character '\\n'\n"
    assert p.read_text() == '[dependencies]\npyarrow = ">=12\n'


def test_suppression_comment_and_config(tmp_path, capsys):
    p = tmp_path / "pixi.toml"
    p.write_text(PIXI.replace('pyarrow = ">=12"  # parquet', 'pyarrow = ">=12"  # envslim: ignore[ES001]'))
    (tmp_path / ".envslim.toml").write_text('keep = ["python-duckdb"]\n')
    assert main(["rewrite", "-v", "--check", str(p)]) == 1
    assert lines(capsys.readouterr().out) == [f"{p}:15:1: ES001 pyarrow: move to pip", f"would rewrite {p}"]
    (tmp_path / ".envslim.toml").write_text('ignore = ["ES001"]\n')
    assert main(["rewrite", "-v", "--check", str(p)]) == 0


def test_annotate_leaves_the_reason_on_the_added_line(tmp_path, capsys):
    p = tmp_path / "pixi.toml"
    p.write_text('[dependencies]\npython = "3.12.*"\npyarrow = "*"\n')
    assert main(["rewrite", "-v", "--annotate", str(p)]) == 0
    new = p.read_text()
    assert new.startswith('[dependencies]\npython = "3.12.*"\n\n[pypi-dependencies]\npyarrow = "*"  # envslim: ES001 move to pip: ')
    assert new.endswith("\n") and new.count("\n") == 5


def test_markdown_summary(tmp_path, capsys):
    p = tmp_path / "pixi.toml"
    p.write_text(PIXI)
    assert main(["rewrite", "-v", "--check", "--format", "markdown", str(p)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"### envslim: `{p}`\n\n| rule | package | finding | est. saving | status |\n")
    assert "+[feature.etl.target.linux-64.pypi-dependencies]\n" in out


# -- the hook ---------------------------------------------------------------------------------------
def hook() -> dict:
    return {h["id"]: h for h in YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())}["envslim-pixi"]


@pytest.mark.parametrize(("path", "runs"), [
    ("pixi.toml", True), ("sub/pixi.toml", True), ("pyproject.toml", True), ("pkg/pyproject.toml", True),
    ("environment.yml", False), ("pixi.lock", False), ("mypixi.toml", False), ("Cargo.toml", False),
])
def test_files_the_pixi_hook_runs_on(path, runs):
    assert bool(re.search(hook()["files"], path)) is runs


@pytest.mark.slow  # it builds the hook's environment
def test_precommit_runs_the_pixi_hook_for_real(repo, precommit_home):
    (repo / "pixi.toml").write_text(PIXI)
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["pyarrow"]\n')
    _git(repo, "add", ".")
    first = _run(repo, "envslim-pixi", precommit_home)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert (repo / "pixi.toml").read_text() == PIXI_FIXED
    assert (repo / "pyproject.toml").read_text() == '[project]\nname = "x"\ndependencies = ["pyarrow"]\n'
    assert (repo / "environment.yml").read_text() == ENV  # not a pixi manifest: the pixi hook leaves it
    second = _run(repo, "envslim-pixi", precommit_home)
    assert second.returncode == 0, second.stdout + second.stderr


# -- real manifests (tests/data/pixi/SOURCES.md) ------------------------------------------------------
DATA = Path(__file__).parent.parent / "data" / "pixi"


def test_real_manifest_pin_and_unsafe_pypi_rename(tmp_path, capsys):
    original = (DATA / "pixi-pypi.toml").read_text()
    p = tmp_path / "pixi.toml"
    p.write_text(original)
    # no numpy<2: conda-forge's scipy 1.11 builds depend on numpy <2.0a0; no tensorflow-cpu: the workspace is
    # also for osx-arm64, where tensorflow-cpu has no wheel (issue 22)
    assert main(["rewrite", "-v", "--unsafe-fixes", str(p)]) == 0
    assert p.read_text() == original
    assert lines(capsys.readouterr().out) == [f"{p}:25:1: ES004 tensorflow: tensorflow-cpu not suggested"]


def test_real_manifest_with_inline_dependency_tables_is_reported_not_changed(tmp_path, capsys):
    original = (DATA / "pixi-pytorch.toml").read_text()
    p = tmp_path / "pixi.toml"
    p.write_text(original)
    assert main(["rewrite", "-v", "--unsafe-fixes", str(p)]) == 0
    assert p.read_text() == original
    out = capsys.readouterr().out.splitlines()
    assert [re.sub(r" ES\d+ .*? (\[not fixed: .*\])$", r" \1", line) for line in out] == [
        # every feature asks for CUDA in its system-requirements (or lists pytorch-cuda): no nomkl, no pytorch-cpu
        f"{p}:17:18: [not fixed: the file targets a GPU]",
        f"{p}:23:18: [not fixed: the file targets a GPU]",
        f"{p}:30:18: [not fixed: the file targets a GPU]",
    ]


@pytest.mark.parametrize("name", ["3dtk-robostack.toml", "pixi-solve-groups.toml", "docker/pyproject.toml"])
def test_real_manifests_with_nothing_due(tmp_path, capsys, name):
    p = tmp_path / Path(name).name
    p.write_bytes((DATA / name).read_bytes())
    assert main(["rewrite", "-v", "--check", str(p)]) == 0
    assert capsys.readouterr() == ("", "")


def test_a_lock_beside_the_manifest_is_said_to_be_stale(tmp_path, capsys):
    p = tmp_path / "pixi.toml"
    p.write_text(PIXI)
    (tmp_path / "pixi.lock").write_text("version: 6\n")
    assert main(["rewrite", "-v", "--check", str(p)]) == 1
    assert lines(capsys.readouterr().out)[-2:] == [
        f"would rewrite {p}", f"{p}: the rewrite would make pixi.lock stale: run `pixi lock` after it"]
    assert main(["rewrite", "-v", str(p)]) == 0
    assert lines(capsys.readouterr().out)[-2:] == [f"rewrote {p}", f"{p}: pixi.lock is now stale: run `pixi lock`"]
    assert (tmp_path / "pixi.lock").read_text() == "version: 6\n"


def test_rules_whose_premise_pixi_does_not_share_stay_quiet(tmp_path, capsys):
    p = tmp_path / "pixi.toml"
    p.write_text('[workspace]\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n'
                 '[dependencies]\nruff = "*"\n\n[pypi-dependencies]\nruff = "*"\n')
    assert main(["rewrite", "-v", "--check", "--unsafe-fixes", str(p)]) == 0
    assert capsys.readouterr() == ("", "")


def test_tool_envslim_config_in_the_manifest_itself(tmp_path, capsys):
    p = tmp_path / "pyproject.toml"
    p.write_text(PYPROJECT + '\n[tool.envslim]\nignore = ["ES001"]\n')
    assert main(["rewrite", "-v", "--check", str(p)]) == 0
    assert capsys.readouterr() == ("", "")
    p.write_text(PYPROJECT + '\n[tool.envslim]\nignore = ["ES001"\n')
    assert main(["rewrite", "-v", "--check", str(p)]) == 2
    assert capsys.readouterr().err == f"{p}:22:18: invalid TOML: Unclosed array\n"


def test_system_requirements_cuda_means_the_feature_targets_a_gpu(tmp_path, capsys):
    """A pixi feature whose system-requirements ask for CUDA is a GPU environment: no CPU variant and no
    nomkl there, whatever its dependency tables say."""
    from envslim.cli import main

    path = tmp_path / "pixi.toml"
    text = ('[project]\nname = "x"\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n'
            '[feature.gpu]\nsystem-requirements = { cuda = "12.1" }\n\n[feature.gpu.dependencies]\n'
            'pytorch = "*"\n\n[environments]\ngpu = ["gpu"]\n')
    path.write_text(text)
    assert main(["rewrite", "-v", "--unsafe-fixes", str(path)]) == 0
    out = capsys.readouterr().out
    assert path.read_text() == text
    assert out == (f"{path}:10:1: ES004 pytorch: pytorch-cpu not suggested: its system-requirements ask for CUDA"
                   " 12.1, so the file targets a GPU [not fixed: the file targets a GPU]\n")
