"""Every number true for the user's target: a rule's knowledge-base estimate is picked for the platform the
file is for (the environment model's target, read from its build strings and packages), its Python and the
channel that serves the package; where the knowledge base has no figure for that target, the estimate is
unknown and the finding says so. Corpus tests skip when ../shared is absent."""

from __future__ import annotations

import json
import shutil

import pytest

from envslim.cli import main
from tests.conftest import CORPUS


def findings(tmp_path, capsys, text: str | None = None, prefix: str = "", *args: str) -> dict:
    """The JSON findings of ``rewrite --diff`` on ``text`` (or a copy of the corpus file ``prefix__*``), by
    (rule, package)."""
    if prefix:
        if not CORPUS.is_dir():
            pytest.skip("../shared/corpus is absent")
        (src,) = CORPUS.glob(f"{prefix}__*")
        path = tmp_path / src.name
        shutil.copyfile(src, path)
    else:
        path = tmp_path / "env.yml"
        path.write_text(text)
    main(["rewrite", "--diff", "--format", "json", *args, str(path)])
    out, _err = capsys.readouterr()
    (doc,) = json.loads(out)["files"]
    return {(f["rule"], f["package"]): f for f in doc["findings"]}


WIN64_PYARROW = ("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n  - vc14_runtime\n"
                 "  - pandas\n  - pyarrow\n")


def test_a_win64_move_is_not_priced_with_the_linux_figure(tmp_path, capsys):
    """The knowledge base has pyarrow's closure for linux-64 and osx-arm64 and its wheels for manylinux only: on
    win-64 the saving is unknown (it was the linux-64 estimate, ~105.0 MB)."""
    f = findings(tmp_path, capsys, WIN64_PYARROW)[("ES001", "pyarrow")]
    assert (f["saving_bytes"], "saving_range" in f, f["outcome"]) == (None, False, "applied")
    assert f["source"] == ("unknown: the environment has no figure for the pyarrow wheel; knowledge base, per package:"
                           " no installed-size figure for the target (win-64, Python 3.11, conda-forge) on the conda"
                           " side in the knowledge base")
    assert f["effect"]["unpriced"] == ["the pyarrow wheel"]


def test_the_same_file_on_linux_keeps_its_environment_figure(tmp_path, capsys):
    f = findings(tmp_path, capsys, WIN64_PYARROW.replace("  - vc14_runtime\n", ""))[("ES001", "pyarrow")]
    assert (f["saving_bytes"], f["saving_range"]) == (96134723, [3210373, 186754001])
    assert f["source"].startswith("environment estimate (range 3.2 MB to 186.8 MB) for linux-64, Python 3.11, from the"
                                  " graph snapshot of ")


def test_a_defaults_file_is_not_priced_with_conda_forge_figures(tmp_path, capsys):
    """No channel list: defaults serves pyarrow, whose builds are not conda-forge's (another closure)."""
    f = findings(tmp_path, capsys, "dependencies:\n  - python=3.11\n  - pyarrow>=12\n")[("ES001", "pyarrow")]
    assert (f["saving_bytes"], "saving_range" in f) == (None, False)
    assert f["source"] == ("unknown: the environment has no figure for pyarrow; knowledge base, per package: no"
                           " installed-size figure for the target (linux-64, Python 3.11, defaults) on the conda side"
                           " in the knowledge base")


def test_170_osx_arm64_matplotlib_is_not_priced_with_the_linux_closure(tmp_path, capsys):
    """170 is an osx-arm64 export (its build strings): the finding cited conda-forge's linux-64 closures
    (811.9 MB minus 140.9 MB) before."""
    f = findings(tmp_path, capsys, prefix="170")[("ES004", "matplotlib")]
    assert (f["saving_bytes"], f["outcome"]) == (None, "report-only")
    assert f["source"] == ("unknown: no installed-size figure for the target (osx-arm64, Python 3.12, conda-forge) on"
                           " the conda side in the knowledge base")


def test_024_defaults_matplotlib_is_not_priced_with_conda_forge_figures(tmp_path, capsys):
    """024 lists defaults first (Python 3.6), which serves matplotlib: conda-forge's Python 3.11 closure stood in before."""
    f = findings(tmp_path, capsys, None, "024")[("ES004", "matplotlib")]
    assert f["saving_bytes"] is None
    assert f["source"] == ("unknown: no installed-size figure for the target (linux-64, Python 3.6, defaults) on the"
                           " conda side in the knowledge base")


# -- the move's reason speaks for the file's target, or gives no figure at all -----------------------------------
@pytest.mark.parametrize("python, line, args, which", [
    ("3.11", "  - pyarrow\n", (), "reason"),  # linux-64, Python 3.11: conda-forge pyarrow 25.0's figures are the file's
    ("3.14", "  - pyarrow>=24\n", (), "reason"),
    ("3.12", "  - pyarrow=17\n", (), "summary"),  # another release series: 25.0's figures are not its
    ("3.11", "  - pyarrow\n", ("--platform", "osx-arm64"), "summary"),  # another platform
    ("3.9", "  - pyarrow\n", (), "summary"),  # a Python 25.0 has no build for: conda gives it pyarrow 19.0.1
])
def test_the_move_reason_has_figures_only_for_the_target_they_describe(tmp_path, capsys, python, line, args, which):
    from envslim import knowledge
    from envslim.cli import main

    entry = knowledge.load("pyarrow")
    assert entry.advice["reason_for"] == "25.0 linux-64 3.10,3.11,3.12,3.13,3.14"
    text = f"channels:\n  - conda-forge\ndependencies:\n  - python={python}\n" + line + "  - pip\n"
    (tmp_path / "env.yml").write_text(text)
    main(["rewrite", "--check", "-v", "--select", "ES001", *args, str(tmp_path / "env.yml")])
    out = capsys.readouterr().out
    want = entry.advice["reason"] if which == "reason" else entry.summary
    assert f"ES001 pyarrow: move to pip: {want} (" in out, out


def test_the_seed_example_is_python_3_9_and_gets_no_figures_of_pyarrow_25(capsys):
    """examples/environment.yml pins python=3.9: conda-forge has no pyarrow 25.0 build for it (the file's
    conda side is pyarrow 19.0.1, 64 packages beyond python), so the reason's 25.0 figures (65 packages,
    51.4 MB of archives, 187 to 364 MB installed, for Pythons 3.10 to 3.14) are not its: the summary."""
    from tests.conftest import ROOT

    path = ROOT / "examples" / "environment.yml"
    assert main(["rewrite", "--check", "-v", "--select", "ES001", str(path)]) == 1
    assert capsys.readouterr().out == (
        f"{path}:12:3: ES001 pyarrow: move to pip: Apache Arrow for Python; on conda-forge it pulls the Arrow C++"
        " stack with the AWS, Azure and Google Cloud SDKs, gRPC and protobuf (saves ~123.2 MB, estimate 41.3 MB"
        f" to 203.1 MB) [fix available]\nwould rewrite {path}\n")


def test_reason_for_is_checked():
    from envslim.knowledge.schema import validate_entry

    src = [{"id": "S1", "title": "t", "url": "https://example.org/s", "date": "2026-01-01"}]
    base = {"name": "demo", "summary": "s", "sources": src,
            "advice": {"action": "none", "reason": "r", "sources": ["S1"]}}
    assert validate_entry(base, "demo") == []
    bad = {**base, "advice": {**base["advice"], "reason_for": "linux-64"}}
    assert validate_entry(bad, "demo") == [
        "advice.reason_for: must be 'VERSION PLATFORM' or 'VERSION PLATFORM PYTHON[,PYTHON...]', the target the"
        " reason's figures are for"]
