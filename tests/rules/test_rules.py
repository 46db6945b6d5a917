"""Each rule end to end through ``envslim rewrite``: exact output text and exact bytes written."""

from __future__ import annotations

import pytest

from envslim import knowledge
from envslim.cli import main

PYARROW = knowledge.load("pyarrow").advice["reason"]
# where the reason's figures are not for the file's target (another release series or platform): the summary
PYARROW_SUMMARY = knowledge.load("pyarrow").summary
CF = "channels:\n  - conda-forge\n  - nodefaults\n"


def run(tmp_path, capsys, text: str, *args: str) -> tuple[int, str, str, str]:
    path = tmp_path / "env.yml"
    path.write_text(text)
    rc = main(["rewrite", "-v", *args, str(path)])
    out, err = capsys.readouterr()
    return rc, out.replace(str(path), "env.yml"), err.replace(str(path), "env.yml"), path.read_text()


def test_es001_moves_with_translated_spec_and_comment(tmp_path, capsys):
    rc, out, _, new = run(tmp_path, capsys, CF + "dependencies:\n  - pyarrow>=17,<18  # parquet\n  - python=3.11\n")
    assert rc == 0
    # priced on the environment: pyarrow 17's closure leaves (numpy with it), the 17.0.0 wheel and conda's pip (the
    # file has none) arrive; the wheel's own
    # requirements (numpy) have no figure in the snapshot for 17.0.0, so they are named in the source, not counted
    assert out == (f"env.yml:5:3: ES001 pyarrow: move to pip: {PYARROW_SUMMARY} (saves ~202.8 MB, estimate 91.5 MB to"
                   " 311.3 MB) [fixed]\nrewrote env.yml\n")
    assert new == CF + "dependencies:\n  - pip\n  - python=3.11\n  - pip:\n    - pyarrow>=17,<18  # parquet\n"


def test_es001_refuses_while_another_conda_package_depends_on_it(tmp_path, capsys):
    text = CF + "dependencies:\n  - dask-core\n  - dask\n  - pyarrow\n"
    rc, out, _, new = run(tmp_path, capsys, text, "--select", "ES001")
    assert rc == 0
    assert out == (f"env.yml:7:3: ES001 pyarrow: {PYARROW}; not moved: dask depends on it in conda"
                   " [report only]\n")
    assert new == text


def test_es001_refuses_a_spec_pep440_cannot_express(tmp_path, capsys):
    text = CF + "dependencies:\n  - pyarrow 12.*|14.*\n"
    rc, out, _, new = run(tmp_path, capsys, text, "--select", "ES001")
    assert (rc, new) == (0, text)
    assert out == (f"env.yml:5:3: ES001 pyarrow: {PYARROW_SUMMARY}; not moved: '|' alternatives cannot be expressed as one"
                   " PEP 440 specifier set [report only]\n")


def test_es001_lossy_translation_is_an_unsafe_fix(tmp_path, capsys):
    text = CF + "dependencies:\n  - pyarrow=17.0.0=py311_0\n  - python=3.11\n"
    rc, out, _, new = run(tmp_path, capsys, text, "--select", "ES001")
    assert (rc, new) == (0, text)
    assert out == (f"env.yml:5:3: ES001 pyarrow: move to pip: {PYARROW_SUMMARY}"
                   " (saving unknown: the environment has no figure for pyarrow)"
                   " [unsafe fix, use --unsafe-fixes: build string 'py311_0' dropped: PEP 440 has no build strings]\n")
    rc, out, _, new = run(tmp_path, capsys, text, "--select", "ES001", "--unsafe-fixes")
    assert new == CF + "dependencies:\n  - pip\n  - python=3.11\n  - pip:\n    - pyarrow==17.0.0\n"


@pytest.mark.parametrize("channels,fires", [
    ("channels:\n  - defaults\n", True),
    ("", True),  # no channel list: conda's own default configuration, i.e. defaults
    ("channels:\n  - conda-forge\n", False),
    # listed by name, defaults stays next to nodefaults (conda/env/installers/conda.py drops only the entry)
    ("channels:\n  - defaults\n  - nodefaults\n", True),
])
def test_es002_nomkl_only_where_defaults_is_in_play(tmp_path, capsys, channels, fires):
    text = channels + "dependencies:\n  - numpy\n  - python\n"
    rc, out, _, new = run(tmp_path, capsys, text, "--select", "ES002")
    if fires:
        line = len(channels.splitlines()) + 2
        assert out == (f"env.yml:{line}:3: ES002 nomkl: add nomkl: the defaults channel builds numpy against MKL"
                       " (saves ~849.7 MB, estimate 844.0 MB to 855.5 MB) [fixed]\nrewrote env.yml\n")
        assert new == channels + "dependencies:\n  - nomkl\n  - numpy\n  - python\n"
    else:
        assert (out, new) == ("", text)


def test_es002_on_conda_forge_only_where_something_pulls_mkl(tmp_path, capsys):
    text = "channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pytorch\n"
    rc, out, _, new = run(tmp_path, capsys, text, "--select", "ES002")
    # nomkl's effect on the environment: conda-forge's mkl 2026.0.0 side (an estimate from archive bytes, with its
    # range, in the graph snapshot) leaves, conda-forge's libopenblas arrives
    assert out == ("env.yml:5:3: ES002 nomkl: add nomkl: pytorch pulls MKL in on conda-forge (saves ~515.8 MB,"
                   " estimate 210.5 MB to 806.8 MB) [fixed]\nrewrote env.yml\n")
    assert new == "channels:\n  - conda-forge\ndependencies:\n  - nomkl\n  - python=3.11\n  - pytorch\n"


def test_es003_adds_pip_above_a_lone_pip_section(tmp_path, capsys):
    rc, out, _, new = run(tmp_path, capsys, CF + "dependencies:\n- pip:\n  - requests\n")
    assert out == ("env.yml:5:1: ES003 pip: the file has a pip: section but pip is not a conda dependency; add it"
                   " [fixed]\nrewrote env.yml\n")
    assert new == CF + "dependencies:\n- pip\n- pip:\n  - requests\n"


def test_es004_slim_variants_on_both_sides(tmp_path, capsys):
    text = CF + "dependencies:\n  - matplotlib>=3.8  # plots\n  - pip\n  - pip:\n    - opencv-python>=4.8\n"
    mpl = knowledge.load("matplotlib").slim_variants[0]["reason"]
    cv = next(v for v in knowledge.load("opencv").slim_variants if v["side"] == "pip")["reason"]
    rc, out, _, new = run(tmp_path, capsys, text, "--select", "ES004")
    assert out == (f"env.yml:5:3: ES004 matplotlib: use matplotlib-base: {mpl} (saves ~650.9 MB, estimate 289.1 MB to 995.4 MB) [fixed]\n"
                   f"env.yml:8:5: ES004 opencv-python: use opencv-python-headless: {cv} (saves ~36.5 MB, estimate)"
                   " [unsafe fix, use --unsafe-fixes]\n"
                   "rewrote env.yml\n")
    assert new == text.replace("matplotlib>=3.8", "matplotlib-base>=3.8")
    run(tmp_path, capsys, text, "--select", "ES004", "--unsafe-fixes")
    assert (tmp_path / "env.yml").read_text() == text.replace("matplotlib>=3.8", "matplotlib-base>=3.8").replace(
        "opencv-python>=4.8", "opencv-python-headless>=4.8")


def test_es005_merges_the_pin_into_the_numpy_spec(tmp_path, capsys):
    text = "channels:\n  - defaults\n" + "dependencies:\n  - numpy >=1.22  # arrays\n  - pandas=1.5\n"
    rc, out, _, new = run(tmp_path, capsys, text, "--select", "ES005")
    assert out == ("env.yml:4:3: ES005 numpy: pin numpy<2: pandas is held below 2.2.2, built against numpy 1.x"
                   " [fixed]\nrewrote env.yml\n")
    assert new == text.replace("numpy >=1.22", "numpy >=1.22,<2")


def test_es005_redundant_pin_changes_nothing(tmp_path, capsys):
    text = CF + "dependencies:\n  - numpy<2.0.0\n  - pandas<2.0.0\n"
    assert run(tmp_path, capsys, text, "--select", "ES005")[1:] == ("", "", text)


def test_es005_conflicting_pin_is_reported_not_written(tmp_path, capsys):
    text = CF + "dependencies:\n  - numpy>=2\n  - pandas<2.0\n"
    rc, out, _, new = run(tmp_path, capsys, text, "--select", "ES005")
    assert (rc, new) == (0, text)
    assert out == ("env.yml:5:3: ES005 numpy: pandas is held below 2.2.2, built against numpy 1.x, but the file asks"
                   " for numpy>=2: conflicting pin, not written (no version satisfies both '>=2' and '<2')"
                   " [not fixed: conflicting pin]\n")


def test_es006_duplicate_removes_the_pip_copy_only_when_unsafe_allowed(tmp_path, capsys):
    text = CF + "dependencies:\n  - pip\n  - requests\n  - pip:\n    - Requests\n"
    rc, out, _, new = run(tmp_path, capsys, text, "--select", "ES006")
    assert out == ("env.yml:8:5: ES006 requests: also a conda dependency (line 6: requests); pip installs a second"
                   " copy over conda's (saving unknown) [unsafe fix, use --unsafe-fixes]\n")
    assert new == text
    run(tmp_path, capsys, text, "--select", "ES006", "--unsafe-fixes")
    # The pip: list would be empty (null to conda): its header goes too.
    assert (tmp_path / "env.yml").read_text() == CF + "dependencies:\n  - pip\n  - requests\n"


def test_es006_keeps_a_pip_line_that_carries_a_constraint(tmp_path, capsys):
    text = CF + "dependencies:\n  - pip\n  - requests\n  - pip:\n    - requests>=2.31\n    - flask\n"
    rc, out, _, new = run(tmp_path, capsys, text, "--select", "ES006", "--unsafe-fixes")
    assert out == ("env.yml:8:5: ES006 requests: also a conda dependency (line 6: requests); pip installs a second"
                   " copy over conda's; merge its constraint into the conda line by hand"
                   " [not fixed: the pip line carries a constraint]\n")
    assert new == text


def test_es007_defaults_channel_is_an_unsafe_fix(tmp_path, capsys):
    text = "channels:\n  - conda-forge\n  - defaults  # old\ndependencies:\n  - python\n"
    rc, out, _, new = run(tmp_path, capsys, text, "--select", "ES007")
    assert out == ("env.yml:3:3: ES007 defaults: mixes defaults with conda-forge; use nodefaults"
                   " [unsafe fix, use --unsafe-fixes]\n")
    run(tmp_path, capsys, text, "--select", "ES007", "--unsafe-fixes")
    assert (tmp_path / "env.yml").read_text() == text.replace("  - defaults  # old", "  - nodefaults  # old")


def test_fixes_compose_and_a_second_run_is_clean(tmp_path, capsys):
    text = "channels:\n  - conda-forge\n  - defaults\ndependencies:\n  - pyarrow=12.0.1=py311_0\n  - python=3.11\n"
    run(tmp_path, capsys, text, "--unsafe-fixes")
    assert (tmp_path / "env.yml").read_text() == (
        "channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - numpy<2\n  - pip\n  - python=3.11\n"
        "  - pip:\n    - pyarrow==12.0.1\n")
    path = tmp_path / "env.yml"
    assert main(["rewrite", "-v", "--check", "--unsafe-fixes", str(path)]) == 0


def test_every_rule_is_documented_in_ruff_shape():
    from envslim.rules import all_rules

    for rule in all_rules():
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
            assert section in rule.doc, (rule.id, section)


def test_es004_says_which_channel_is_not_known_to_serve_the_package(tmp_path, capsys):
    """holoviz/hvplot's pixi.toml lists pyviz/label/dev before conda-forge: the refusal said "dask-core is not
    known to exist on an unknown channel", naming no channel."""
    text = "channels:\n  - pyviz/label/dev\n  - conda-forge\ndependencies:\n  - dask\n  - matplotlib\n"
    rc, out, _, new = run(tmp_path, capsys, text, "--select", "ES004")
    assert (rc, new) == (0, text)
    assert out == ("env.yml:5:3: ES004 dask: dask-core not suggested: the channel that would serve it is not known:"
                   " pyviz may carry dask (the knowledge base does not say), ahead of conda-forge [not fixed: variant"
                   " not known there]\n"
                   "env.yml:6:3: ES004 matplotlib: matplotlib-base not suggested: the channel that would serve it is not"
                   " known: pyviz may carry matplotlib (the knowledge base does not say), ahead of conda-forge [not fixed:"
                   " variant not known there]\n")
