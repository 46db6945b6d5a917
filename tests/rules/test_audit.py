"""A conda-forge maintainer's audit of envslim on environment files outside the corpus (issue 22's review,
held-out files): each test is one defect found, on a small real file under tests/data/audit, with the exact
output or bytes."""

from __future__ import annotations

import json
import shutil

from envslim import knowledge
from tests.conftest import ROOT, run

DATA = ROOT / "tests" / "data" / "audit"
PYARROW = knowledge.load("pyarrow").advice["reason"]
# where the reason's figures are not for the file's target (another release series or platform): the summary
PYARROW_SUMMARY = knowledge.load("pyarrow").summary


def copy(tmp_path, name: str):
    path = tmp_path / name
    shutil.copyfile(DATA / name, path)
    return path


def lines(out: str, path) -> str:
    return out.replace(str(path), path.name)


def checked(tmp_path, capsys, name: str):
    """(the copy of tests/data/audit/NAME, exit code, `rewrite --check` output with the file's name alone)."""
    path = copy(tmp_path, name)
    rc, out, err = run(capsys, "rewrite", "--check", path)
    return path, rc, lines(out + err, path)


# -- numpy<2 only where numpy 2 could come: a held conda-forge build already rules it out -------------------------
def test_no_numpy_pin_while_a_prefixed_conda_forge_build_holds_numpy_back(tmp_path, capsys):
    """conda-forge::pyarrow=15 on a defaults file: conda-forge's pyarrow 15 builds depend on numpy <2.0a0, so while
    it stays in conda (its move is unsafe: the channel is dropped) numpy<2 changes nothing and is not added."""
    path = copy(tmp_path, "prefix-held-pyarrow.yml")
    rc, out, err = run(capsys, "rewrite", "--check", "-v", path)
    assert (rc, lines(out + err, path)) == (1, (
        f"prefix-held-pyarrow.yml:6:3: ES001 pyarrow: move to pip: {PYARROW_SUMMARY} (saving unknown: the environment has no"
        " figure for libarrow, libarrow-acero, libarrow-dataset, libarrow-flight, libarrow-flight-sql, libarrow-gandiva,"
        " libarrow-substrait, libparquet, the pyarrow wheel) [unsafe fix, use --unsafe-fixes: channel 'conda-forge'"
        " dropped: pip installs from its index]\n"
        "prefix-held-pyarrow.yml:7:3: ES002 nomkl: add nomkl: the defaults channel builds numpy against MKL (pandas"
        " \u2192 numpy) (saves ~849.7 MB, estimate 844.0 MB to 855.5 MB) [fix available]\n"
        "would rewrite prefix-held-pyarrow.yml\n"))


def test_the_numpy_pin_comes_with_the_move_that_makes_it_due_and_is_as_unsafe(tmp_path, capsys):
    """With --unsafe-fixes pyarrow 15 becomes a wheel (no numpy upper bound): then numpy<2 is due, and it is an
    unsafe fix made possible by the move."""
    path = copy(tmp_path, "prefix-held-pyarrow.yml")
    rc, out, err = run(capsys, "rewrite", "--unsafe-fixes", "-v", path)
    assert rc == 0
    assert [line for line in lines(out + err, path).splitlines() if " ES005 " in line] == [
        "prefix-held-pyarrow.yml:6:3: ES005 numpy: add numpy<2: pyarrow is held below 16.0.0, built against numpy"
        " 1.x; an unsafe fix: made possible by ES001 pyarrow [fixed]"]
    assert path.read_text() == (
        "name: mixed-prefix\nchannels:\n  - defaults\ndependencies:\n  - python=3.11\n  - pandas\n  - pip\n"
        "  - numpy<2\n  - nomkl\n  - pip:\n    - pyarrow==15.*\n")


# -- the target: a line under a platform selector does not say which platform the file is for ----------------------
def test_a_windows_only_line_does_not_make_the_file_a_windows_file(tmp_path, capsys):
    """pywin32  # [win] beside uvloop  # [not win]: the file serves several platforms; the report is for linux-64
    (the default), where pywin32 is not installed (no row, not an unknown) and uvloop is."""
    path = copy(tmp_path, "selector-win-line.yml")
    rc, out, err = run(capsys, "report", "--format", "json", path)
    report = json.loads(out)["files"][0]
    assert (rc, err) == (0, "")
    assert report["target"] == {"python": "3.12", "python_from": "the file", "platform": "linux-64"}
    assert [p["name"] for p in report["packages"]] == ["pandas", "pip", "pyarrow", "python", "uvloop"]
    assert report["unknown"] == {"before": [], "after": []}
    rc, out, err = run(capsys, "report", path)
    assert out.splitlines()[0] == f"{path} (Python 3.12 from the file, linux-64)"


def test_a_windows_only_line_is_a_row_of_the_windows_report(tmp_path, capsys):
    path = copy(tmp_path, "selector-win-line.yml")
    rc, out, err = run(capsys, "report", "--platform", "win-64", "--format", "json", path)
    report = json.loads(out)["files"][0]
    assert report["target"]["platform"] == "win-64"
    assert [p["name"] for p in report["packages"]] == ["pandas", "pip", "pyarrow", "python", "pywin32"]


# -- messages that say what they mean ------------------------------------------------------------------------------
def test_an_export_for_conda_forge_alone_is_not_said_to_mix_defaults_in(tmp_path, capsys):
    """The file lists conda-forge only; ES007's refusal said 'mixes defaults with conda-forge', and ES001's unsafe
    move gave the translator's code (BUILD_DROPPED) instead of what the pip line loses."""
    path = copy(tmp_path, "osx-arm64-export.yml")
    rc, out, err = run(capsys, "rewrite", "--check", "-v", path)
    assert (rc, lines(out + err, path)) == (0, (
        "osx-arm64-export.yml:3:3: ES007 defaults: conda-forge without nodefaults, but nodefaults is not suggested:"
        " pyarrow=15.0.0=py311hd7bc329_0_cpu: the snapshot has no such build on conda-forge, so whether the file still"
        " solves cannot be judged [not fixed: builds the snapshot does not know]\n"
        f"osx-arm64-export.yml:8:3: ES001 pyarrow: move to pip: {PYARROW_SUMMARY} (saving unknown: the environment has no"
        " figure for pyarrow) [unsafe fix, use --unsafe-fixes: build string 'py311hd7bc329_0_cpu' dropped: PEP 440 has"
        " no build strings]\n"))


def test_a_variant_whose_first_version_is_not_recorded_is_not_called_missing(tmp_path, capsys):
    """dask-core exists on conda-forge at every dask release; the knowledge base does not record its first version,
    so dask>=2024.4 is not renamed, and the short line says the variant is not known there, not 'no such variant'."""
    path = copy(tmp_path, "dask-range.yml")
    rc, out, err = run(capsys, "rewrite", "--check", path)
    assert (rc, lines(out + err, path)) == (0, (
        "dask-range.yml:7:3: ES004 dask: dask-core not suggested [not fixed: variant not known there]\n"))


# -- a pip rename that another pip line would undo -----------------------------------------------------------------
def test_no_headless_opencv_where_ultralytics_requires_opencv_python(tmp_path, capsys):
    """ultralytics' Requires-Dist names opencv-python (>=4.7.0, PyPI 8.4.190): renamed to opencv-python-headless,
    pip would install both wheels (two cv2 in one site-packages), so even --unsafe-fixes leaves it."""
    path = copy(tmp_path, "ultralytics-opencv.yml")
    before = path.read_text()
    rc, out, err = run(capsys, "rewrite", "--unsafe-fixes", "-v", path)
    assert (rc, lines(out + err, path), path.read_text()) == (0, (
        "ultralytics-opencv.yml:10:5: ES004 opencv-python: opencv-python-headless not suggested: ultralytics in the pip"
        " list requires opencv-python (its Requires-Dist, PyPI ultralytics 8.4.190), so pip would install both wheels"
        " [not fixed: another pip package requires it]\n"), before)


# -- the platform a report is asked for is the one its fixes are judged and priced for ----------------------------
def test_a_reports_platform_is_the_one_its_findings_are_priced_for(tmp_path, capsys):
    """report --platform osx-arm64: conda-forge's osx-arm64 matplotlib brings no Qt binding (only tornado), so the
    rename saves ~3.9 MB there; the row printed linux-64's ~650.2 MB beside osx-arm64's 217.8 -> 213.8 MB."""
    path = copy(tmp_path, "matplotlib-platforms.yml")
    rc, out, err = run(capsys, "report", "--platform", "osx-arm64", path)
    assert out.splitlines()[:3] == [
        f"{path} (Python 3.12 from the file, osx-arm64)",
        "  package     before                           after                            change",
        "  matplotlib  conda 217.8 MB closure est. [1]  conda 213.8 MB closure est. [2]  replaced by matplotlib-base"
        " (ES004): saves ~3.9 MB, 2.8 MB to 5.0 MB"]
    rc, out, err = run(capsys, "report", path)
    assert out.splitlines()[2] == (
        "  matplotlib  conda 934.2 MB closure est. [1]  conda 271.7 MB closure est. [2]  replaced by matplotlib-base"
        " (ES004): saves ~650.2 MB, 288.7 MB to 994.4 MB")


def test_the_configured_platform_is_the_one_rewrite_judges_for(tmp_path, capsys):
    """platform = "osx-arm64" in the configuration (footprints, lookups): rewrite prices the rename for it."""
    path = copy(tmp_path, "matplotlib-platforms.yml")
    (tmp_path / ".envslim.toml").write_text('platform = "osx-arm64"\n')
    rc, out, err = run(capsys, "rewrite", "--check", path)
    assert lines(out + err, path) == (
        "matplotlib-platforms.yml:7:3: ES004 matplotlib: use matplotlib-base (saves ~3.9 MB, 2.8 MB to 5.0 MB)"
        " [fix available]\nwould rewrite matplotlib-platforms.yml\n")


# -- the rewritten text: conda lines before a new pip: section ---------------------------------------------------
def test_conda_lines_added_with_a_new_pip_section_all_go_above_it(tmp_path, capsys):
    """Two conda lines (numpy<2, nomkl) and a new pip: section inserted at the same place: the second conda line
    went below the pip: section (valid YAML, but not where anyone writes it)."""
    path = copy(tmp_path, "defaults-three-fixes.yml")
    rc, out, err = run(capsys, "rewrite", path)
    assert path.read_text() == ("name: etl\nchannels:\n  - defaults\ndependencies:\n  - python=3.11\n  - pandas\n"
                                "  - pip\n  - numpy<2\n  - nomkl\n  - pip:\n    - pyarrow==15.*\n")


# -- a move to pip needs a wheel for the file's Python ---------------------------------------------------------------
def test_no_move_where_pip_has_no_wheel_for_the_files_python(tmp_path, capsys):
    """python=3.12 with pyarrow=13: PyPI's pyarrow 13.0.0 has wheels for CPython 3.8 to 3.11 only (3.12 from
    14.0.0), so pip would build Arrow C++ from the sdist; the move is refused, and numpy<2 (due only with it)
    is not added."""
    path = copy(tmp_path, "py312-pyarrow13.yml")
    before = path.read_text()
    rc, out, err = run(capsys, "rewrite", "-v", path)
    assert (rc, lines(out + err, path), path.read_text()) == (0, (
        f"py312-pyarrow13.yml:7:3: ES001 pyarrow: {PYARROW_SUMMARY}; not moved: pyarrow=13 admits no pyarrow release with a"
        " CPython 3.12 wheel for linux-64 on PyPI (the first is 14.0.0; https://pypi.org/pypi/pyarrow/json, read"
        " 2026-12-06): pip would build it from its sdist [not fixed: no wheel for the file's Python]\n"), before)


def test_a_range_that_reaches_a_release_with_a_wheel_still_moves(tmp_path, capsys):
    path = tmp_path / "env.yml"
    path.write_text((DATA / "py312-pyarrow13.yml").read_text().replace("pyarrow=13", "pyarrow>=13,<15"))
    rc, out, err = run(capsys, "rewrite", "--check", path)
    assert "ES001 pyarrow: move to pip" in out and out.endswith("[fix available]\nwould rewrite " + str(path) + "\n")


# -- what arrives without a figure is not counted as zero ---------------------------------------------------------
def test_a_rename_whose_arriving_packages_have_no_figure_is_not_priced_from_the_environment(tmp_path, capsys):
    """conda-forge::matplotlib on a defaults file: the rename's 23 arriving packages (the base's depends, taken from
    defaults) have no figure for the target. Counted as zero they made a saving of 64,410 B ('saves ~0.1 MB,
    0.0 MB to 0.1 MB'); now the environment prices nothing, names them, and the knowledge base's estimate for
    conda-forge's matplotlib on linux-64 stands, saying why."""
    path = copy(tmp_path, "prefix-matplotlib-defaults.yml")
    rc, out, _ = run(capsys, "rewrite", "--diff", "--format", "json", path)
    (f,) = [f for f in json.loads(out)["files"][0]["findings"] if f["rule"] == "ES004"]
    assert f["effect"]["leaving"] == ["matplotlib", "pyside6", "tornado"] and len(f["effect"]["arriving"]) == 23
    assert set(f["effect"]["arriving"]) <= set(f["effect"]["unpriced"])
    assert f["source"].startswith("knowledge base, per package (the environment has no figure for contourpy, cycler,")
    assert (f["saving_bytes"], f["saving_range"]) == (671_050_919, [218_601_955, 1_105_608_400])


# -- a move whose wheel the pip: list already installs ------------------------------------------------------------
def test_a_move_whose_project_the_pip_list_already_installs_counts_no_arriving_wheel(tmp_path, capsys):
    """conda's pyarrow beside `pyarrow==16.1.0` under pip: (audit3 14-conda-and-pip-copies.yml): the move only drops the
    conda line; the pinned wheel is installed before and after. The saving subtracted the pyarrow 26.0.1 wheel
    (171.3 MB) as if it arrived ('saves ~104.9 MB, estimate 15.5 MB to 191.8 MB'), against a report total of
    276.2 MB. Now the finding's saving is what leaves the conda side, and the report's total agrees."""
    path, rc, text = checked(tmp_path, capsys, "pip-line-pyarrow.yml")
    assert (rc, text) == (1, (
        "pip-line-pyarrow.yml:8:3: ES001 pyarrow: move to pip (saves ~276.2 MB, 186.8 MB to 363.1 MB) [fix available]\n"
        "would rewrite pip-line-pyarrow.yml\n"))
    rc, out, _ = run(capsys, "report", "--format", "json", path)
    (report,) = json.loads(out)["files"]
    (f,) = report["findings"]
    assert f["effect"]["arriving"] == []
    assert f["source"].endswith("; arriving: no pyarrow wheel (the pip: list's 'pyarrow==16.1.0' installs it over"
                                " conda's 25.0.0 before the move as after it)")
    assert (f["saving_bytes"], f["saving_range"]) == (report["estimate"]["saving_bytes"], report["estimate"]["saving_range"])
    assert f["saving_bytes"] == 276_166_098


def test_a_move_whose_pip_line_the_conda_build_satisfies_counts_the_wheel_it_brings(tmp_path, capsys):
    """An unpinned `pyarrow` under pip: is satisfied by conda's pyarrow 25.0.0; conda's `pip install -U` replaces it
    only if PyPI has a newer release, which the offline figures cannot tell, so the wheel counts as arriving with
    the move (the lower saving)."""
    path = tmp_path / "env.yml"
    path.write_text((DATA / "pip-line-pyarrow.yml").read_text().replace("pyarrow==16.1.0", "pyarrow"))
    rc, out, err = run(capsys, "rewrite", "--check", path)
    assert (rc, lines(out + err, path)) == (1, (
        "env.yml:8:3: ES001 pyarrow: move to pip (saves ~104.9 MB, 15.5 MB to 191.8 MB) [fix available]\n"
        "would rewrite env.yml\n"))


# -- a pip line for a package the conda side lists under its own name -------------------------------------------
def test_pip_matplotlib_beside_conda_matplotlib_is_a_duplicate_of_the_original_line(tmp_path, capsys):
    """conda `matplotlib` and pip `matplotlib` (audit3 14-conda-and-pip-copies.yml): the name map turns PyPI matplotlib
    into conda matplotlib-base, so ES006 saw the duplicate only in a second round, after ES004's rename, and named
    the rewritten text ('ES006 matplotlib-base: also a conda dependency (line 8: matplotlib-base)'), and the
    safe --check did not list it. Now it is found on the file as written."""
    path, rc, text = checked(tmp_path, capsys, "pip-dup-matplotlib.yml")
    assert (rc, text) == (1, (
        "pip-dup-matplotlib.yml:8:3: ES004 matplotlib: use matplotlib-base (saves ~741.8 MB, 344.3 MB to 1,120.6 MB)"
        " [fix available]\n"
        "pip-dup-matplotlib.yml:11:5: ES006 matplotlib: also a conda dependency (line 8: matplotlib); pip installs a"
        " second copy over conda's (saving unknown) [unsafe fix, use --unsafe-fixes]\n"
        "would rewrite pip-dup-matplotlib.yml\n"))
    rc, out, err = run(capsys, "rewrite", "--unsafe-fixes", path)
    assert rc == 0 and path.read_text() == (
        "name: plots\nchannels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n  - pandas\n"
        "  - matplotlib-base\n  - pip\n")


# -- knowledge text true for the releases a solve picks -------------------------------------------------------------
def test_explain_deltalake_says_which_releases_depend_on_pyarrow(capsys):
    """`explain deltalake` said conda-forge's deltalake depends on pyarrow; the graph snapshot's builds say so only up
    to 1.1.4 (dataframely pixi.lock @3938a19); 1.2.0 (@422854f) to 1.5.0 (@cb13a8c) name no pyarrow."""
    rc, out, _ = run(capsys, "explain", "deltalake")
    assert rc == 0 and out.splitlines()[:2] == [
        "deltalake: Delta Lake Python bindings (Rust); conda-forge builds up to 1.1.x depend on pyarrow and so pull the"
        " Arrow C++ stack, 1.2.0 and later do not",
        "Advice: none (fix: safe): large either way (PyPI wheel 134.9 MB installed); a release before 1.2.0 kept in conda"
        " pulls conda pyarrow, which blocks moving pyarrow (the depends of 1.2.0 and of 1.5.0 name no pyarrow)"]


# -- a move whose PyPI name is not the conda name: the wheel it adds arrives in the total --------------------------
def test_pyarrow_core_moved_to_pip_the_report_total_counts_the_wheel_the_move_adds(tmp_path, capsys):
    """conda-forge `pyarrow-core` moved to pip as `pyarrow` (audit file 34-pyarrow-core.yml): the report's pip row is
    named pyarrow, not pyarrow-core, so the rows did not pair and the added wheel was left out of the total ('saves
    ~248.4 MB' under a table of 752.2 MB -> 675.2 MB, 'the saving leaves out pyarrow'); the finding priced the
    wheel from pyarrow-core's entry (its cp311 figure, 171.3 MB, for a Python 3.12 file). Now the finding prices
    the cp312 wheel the report's row shows, and the total counts it: both say ~77.0 MB."""
    path, rc, text = checked(tmp_path, capsys, "pyarrow-core-move.yml")
    assert (rc, text) == (1, (
        "pyarrow-core-move.yml:7:3: ES001 pyarrow-core: move to pip (saves ~77.0 MB, -10.6 MB to 162.5 MB)"
        " [fix available]\nwould rewrite pyarrow-core-move.yml\n"))
    rc, out, _ = run(capsys, "report", path)
    assert rc == 0 and (
        "  total         752.2 MB, 0 unknown              675.2 MB, 0 unknown              saves ~77.0 MB, estimate"
        " -10.6 to 162.5 MB\nestimate: before 752,243,951 B (478.2 to 1,017.3 MB), after 675,213,893 B (481.5 to 862.1 MB);"
        " 0 of 4 packages before and 0 of 5"
        " after have no figure for the target and are not counted\n") in out
    rc, out, _ = run(capsys, "report", "--format", "json", path)
    (report,) = json.loads(out)["files"]
    (f,) = report["findings"]
    assert "arriving: the pyarrow 26.0.1 wheel (171.4 MB; knowledge/packages/pyarrow.toml pypi-wheel-26.0.1-cp312" in f["source"]
    assert (report["estimate"]["left_out"], f["saving_bytes"], report["estimate"]["saving_bytes"]) == ([], 77_030_058, 77_030_058)


# -- the snapshot's builds disagree on a package that stays: the saving is unknown, not the walk's figure -----------
def test_a_rename_whose_staying_qt_build_was_taken_for_the_leaving_binding_has_an_unknown_saving(tmp_path, capsys):
    """opencv beside matplotlib (audit3 05-cv-scikit-image.yml): libopencv 4.10.0 asks qt6-main >=6.8.1,<6.9.0a0,
    pyside6 6.11.1 (matplotlib's binding) asks 6.11.1.*; the walk took 6.11.1, which libopencv cannot use. The rename
    claimed 'saves ~360.6 MB' and the report's total 'saves ~-159.0 MB' (the file walked again takes qt6-main 6.8.3,
    which brings libllvm20). A solve would give pyside6 6.8 and qt6-main 6.8 on both sides: neither figure holds.
    The rename stays (it is right); its saving and the total are unknown, with why."""
    path, rc, text = checked(tmp_path, capsys, "opencv-matplotlib-qt.yml")
    assert (rc, text) == (1, (
        "opencv-matplotlib-qt.yml:8:3: ES004 opencv: conda-forge also builds libopencv without qt6-main [report only]\n"
        "opencv-matplotlib-qt.yml:9:3: ES004 matplotlib: use matplotlib-base (saving unknown: the snapshot's builds"
        " disagree on qt6-main) [fix available]\n"
        "would rewrite opencv-matplotlib-qt.yml\n"))
    rc, out, _ = run(capsys, "report", "--format", "json", path)
    (report,) = json.loads(out)["files"]
    (f,) = [f for f in report["findings"] if f["package"] == "matplotlib"]
    assert (f["saving_bytes"], f["effect"]["disagree"], f["source"]) == (None, ["qt6-main"], (
        "unknown: the snapshot's builds disagree on qt6-main, so what stays of it cannot be judged offline: libopencv"
        " asks qt6-main >=6.8.1,<6.9.0a0, the build taken is pyside6's, and pyside6 leaves (--verify solves)"))
    assert (report["estimate"]["saving_bytes"], report["estimate"]["builds_disagree"]) == (None, ["qt6-main"])
    rc, out, _ = run(capsys, "report", path)
    assert "saving unknown: the snapshot's builds disagree on qt6-main (--verify solves)\n" in out


# -- wording: what keeps pandas, where the file lists it ------------------------------------------------------------
def test_dask_core_refusal_says_the_file_lists_pandas(tmp_path, capsys):
    """dask, distributed and pandas (audit3 20-dask-transitive-pyarrow.yml): the refusal said 'pandas stays (brought
    by pandas)'."""
    path = copy(tmp_path, "dask-pandas-listed.yml")
    rc, out, err = run(capsys, "rewrite", "--check", "-v", path)
    assert (rc, lines(out + err, path)) == (0, (
        "dask-pandas-listed.yml:7:3: ES004 dask: dask-core not suggested: dask.dataframe imports pyarrow, which only"
        " the dask metapackage brings here, and pandas stays (the file lists it): the file does dataframes [not fixed:"
        " dask.dataframe needs pyarrow]\n"))


# -- a pip line is a second copy only of the same project: PyPI's graphviz is not conda's graphviz ------------------
def test_pip_graphviz_beside_conda_graphviz_is_no_second_copy(tmp_path, capsys):
    """PyPI's graphviz is the Python interface (conda-forge's python-graphviz); conda-forge's graphviz is the C tool
    it runs. Both are wanted: ES006 says nothing (it had said "pip installs a second copy over conda's")."""
    path, rc, out = checked(tmp_path, capsys, "pip-graphviz-beside-conda-graphviz.yml")
    assert (rc, out) == (0, "")


# -- the same file, the same report: no text depends on the process's string hashing ------------------------------
def test_which_leaving_package_forced_a_staying_build_is_named_the_same_in_every_process(tmp_path):
    """pytorch (CUDA), matplotlib, pandas and pyarrow (audit3 26-cuda-pytorch-cf.yml): libarrow, orc and libgrpc all
    leave with pyarrow and all ask the libprotobuf build the walk took against libtorch's pin. The source named the
    first of a set of names: 'libarrow's', 'orc's' or 'libgrpc's' from one run to the next (PYTHONHASHSEED). It names
    the first by name now, in every process."""
    import os
    import subprocess
    import sys

    path = copy(tmp_path, "pyarrow-cuda-pytorch.yml")
    sources = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
        done = subprocess.run([sys.executable, "-m", "envslim", "report", "--format", "json", str(path)], env={
            **env, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
        (report,) = json.loads(done.stdout)["files"]
        (f,) = [f for f in report["findings"] if f["package"] == "pyarrow"]
        sources.add(f["source"])
    assert sources == {
        "unknown: the snapshot's builds disagree on libprotobuf, so what stays of it cannot be judged offline: libtorch"
        " asks libprotobuf >=4.25.3,<4.25.4.0a0, the build taken is libarrow's, and libarrow leaves (--verify solves)"}
# -- audit4 (real files from public repositories): numpy 2 cannot come under python 3.8, from conda or from pip ------
def test_no_numpy_pin_for_a_held_wheel_where_the_python_pin_rules_numpy_2_out(tmp_path, capsys):
    """mlflow's examples/pytorch/BertNewsClassification/conda.yaml, reduced: python=3.8.2 and pip torch==1.9.0.
    numpy 2.0.0's Requires-Python is >=3.9, so pip cannot install it here: `numpy<2` excludes nothing (it had been
    added, "pip torch is held below 2.3.0")."""
    path, rc, out = checked(tmp_path, capsys, "py38-pip-torch.yml")
    assert (rc, out) == (0, (
        "py38-pip-torch.yml:2:1: ES007 defaults: conda-forge without nodefaults: a .condarc can add defaults back"
        " [unsafe fix, use --unsafe-fixes]\n"))


def test_a_held_wheel_beside_python_3_9_still_gets_the_numpy_pin(tmp_path, capsys):
    """The same file on python=3.9: numpy 2 can come (2.0.2 has cp39 wheels), so the pin is due."""
    path = copy(tmp_path, "py38-pip-torch.yml")
    path.write_text(path.read_text().replace("python=3.8.2", "python=3.9"))
    rc, out, err = run(capsys, "rewrite", "--check", path)
    assert (rc, lines(out + err, path).splitlines()[1:]) == (1, [
        "py38-pip-torch.yml:8:3: ES005 numpy: add numpy<2: pip torch is held below 2.3.0, built against numpy 1.x"
        " [fix available]", "would rewrite py38-pip-torch.yml"])


# -- the target: python.app (macOS's framework launcher) exists on osx only, so the file is an osx file --------------
def test_python_app_makes_the_file_an_osx_file_and_its_mkl_is_not_priced_from_linux(tmp_path, capsys):
    """mlflow's examples/sklearn_elasticnet_diabetes/osx/conda.yaml, reduced: python.app is built for osx-64 and
    osx-arm64 only (defaults and conda-forge). The report priced it for linux-64 (defaults' linux-64 mkl 2023.1.0,
    871.0 MB, and conda-forge's linux libopenblas); the snapshot has no osx-64 figure for mkl: unknown."""
    path, rc, out = checked(tmp_path, capsys, "osx-python-app.yml")
    assert (rc, out) == (1, (
        "osx-python-app.yml:3:3: ES007 defaults: mixes defaults with conda-forge; use nodefaults [unsafe fix, use"
        " --unsafe-fixes]\n"
        "osx-python-app.yml:8:3: ES002 nomkl: add nomkl: the defaults channel builds numpy against MKL (saving"
        " unknown: the graph snapshot (2026-08-17) has no osx-64 figure for mkl on defaults, conda-forge) [fix"
        " available]\n"
        "would rewrite osx-python-app.yml\n"))
    rc, out, err = run(capsys, "report", path)
    assert lines(out, path).splitlines()[:3] == [
        "osx-python-app.yml (Python 3.6 from the file, osx-64 from the file's packages)",
        "  package        before              after               change",
        "  mkl (implied)  conda unknown       -                   dropped (ES002)"]


# -- the target's Python: a range that leaves the default out is judged on the newest Python it admits ---------------
def test_a_python_range_below_the_default_is_judged_on_the_newest_python_it_admits(tmp_path, capsys):
    """Azure's automl_env_linux.yml, reduced: python>=3.7,<3.9. The report said "Python 3.11 from default", a Python
    the file rules out, and priced notebook 7.6.1 (207.5 MB), which needs a newer Python than 3.8; now 3.8, and
    notebook 7.2.2 (python >=3.8)."""
    path = copy(tmp_path, "python-range-below-default.yml")
    rc, out, err = run(capsys, "report", path)
    got = lines(out, path).splitlines()
    assert got[:3] == [
        "python-range-below-default.yml (Python 3.8 from the file, linux-64)",
        "  package   before                           after                            change",
        "  notebook  conda 157.7 MB closure est. [1]  conda 157.7 MB closure est. [1]"]
    assert [g[:80] for g in got if g.startswith("  [1] ")] == [
        "  [1] notebook: 157,683,720 B installed (conda-forge closure 7.2.2 noarch, 112 p"]


# -- report: a conda package a pin adds in place of the one the wheels brought is counted --------------------------
def test_numpy_added_in_place_of_the_wheels_numpy_counts_in_the_reports_saving(tmp_path, capsys):
    """mlflow's BertNewsClassification conda.yaml, reduced, on python=3.10 (where numpy 2 can come): ES005 adds
    conda numpy<2 beside pip pandas, torchvision and torch==1.9.0. The wheels' closures lose pip's numpy (pandas
    96.4 -> 43.7 MB, torchvision 93.2 -> 40.4 MB) and conda's numpy (89.9 MB) arrives: the total grows 290.5 ->
    327.6 MB. The report said "saves ~52.8 MB" (it counted what the wheels lose, not what replaces it)."""
    path = copy(tmp_path, "py310-pip-torch-held.yml")
    rc, out, err = run(capsys, "report", path)
    assert [g for g in lines(out, path).splitlines() if g.startswith("  total")] == [
        "  total        290.5 MB, 2 unknown              327.6 MB, 2 unknown              saves ~-37.1 MB, estimate"
        " -67.9 to 0.5 MB"]


# -- a pip variant's figures are told only where the line installs the release they were measured on --------------
def test_headless_opencv_for_an_old_pinned_release_is_not_told_the_new_releases_sizes(tmp_path, capsys):
    """2U1/DockerEnv's environment.yaml (a linux export), reduced: pip opencv-python==4.11.0.86. The finding said
    "159.5 MB installed vs 196.0 MB", the sizes of the 5.0.0.93 wheels (its version cut from the short line), as if
    they were 4.11.0.86's (handson-ml2's ==4.1.2.30 alike). It gives the reason without figures now; an unpinned
    line still gets them."""
    path, rc, out = checked(tmp_path, capsys, "pip-opencv-4-11.yml")
    assert (rc, out) == (0, (
        "pip-opencv-4-11.yml:3:3: ES007 defaults: conda-forge without nodefaults: a .condarc can add defaults back"
        " [unsafe fix, use --unsafe-fixes]\n"
        "pip-opencv-4-11.yml:9:7: ES004 opencv-python: use opencv-python-headless: same cv2 without the GUI"
        " (highgui/Qt) (saving unknown) [unsafe fix, use --unsafe-fixes]\n"))
    path.write_text(path.read_text().replace("opencv-python==4.11.0.86", "opencv-python"))
    rc, out, err = run(capsys, "rewrite", "--check", "-v", path)
    assert [g for g in lines(out, path).splitlines() if " ES004 " in g] == [
        "pip-opencv-4-11.yml:9:7: ES004 opencv-python: use opencv-python-headless: same cv2 without the GUI"
        " (highgui/Qt): 159.5 MB installed vs 196.0 MB (5.0.0.93) (saves ~36.5 MB, estimate) [unsafe fix, use"
        " --unsafe-fixes]"]


# -- no headless rename where gym 0.15.4 (its setup.py) requires opencv-python: pip would install both -----------
def test_no_headless_opencv_where_gym_0_15_requires_opencv_python(tmp_path, capsys):
    """ageron/handson-ml2's environment.yml, reduced: pip gym==0.15.4 and opencv-python==4.1.2.30. gym-0.15.4.tar.gz's
    setup.py lists opencv-python in install_requires (read 2026-12-07): the unsafe rename to opencv-python-headless
    left both wheels installed (handson-ml2's environment-windows.yml alike)."""
    path, rc, out = checked(tmp_path, capsys, "pip-opencv-pinned-old.yml")
    assert (rc, out) == (0, (
        "pip-opencv-pinned-old.yml:4:3: ES007 defaults: mixes defaults with conda-forge; use nodefaults [unsafe fix,"
        " use --unsafe-fixes]\n"
        "pip-opencv-pinned-old.yml:10:5: ES004 opencv-python: opencv-python-headless not suggested [not fixed: another"
        " pip package requires it]\n"))
    rc, out, err = run(capsys, "rewrite", "--check", "-v", path)
    assert [g for g in lines(out, path).splitlines() if " ES004 " in g] == [
        "pip-opencv-pinned-old.yml:10:5: ES004 opencv-python: opencv-python-headless not suggested: gym in the pip"
        " list requires opencv-python (its Requires-Dist, PyPI gym 0.15.4), so pip would install both wheels [not"
        " fixed: another pip package requires it]"]


# -- a stand-in says what its figure is of, not that the release lacks a build for the target's Python -------------
def test_a_wheel_stand_in_says_which_python_its_figure_is_of(tmp_path, capsys):
    """Azure's azureml-examples cli/endpoints/online/ncd/sklearn-diabetes/model/conda.yaml, reduced: pip
    numpy==1.26.4 on python=3.12. The figure is the cp311 wheel's (the knowledge base measured that one); the report
    said "1.26.4 is not built for Python 3.12", which is false: PyPI has numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64
    (17,950,613 B, uploaded 2024-02-05; PyPI JSON API read 2026-12-07)."""
    path = copy(tmp_path, "pip-numpy-1264-py312.yml")
    rc, out, err = run(capsys, "report", path)
    (fig,) = [g for g in lines(out, path).splitlines() if g.startswith("  [1] numpy: ")]
    assert fig.startswith("  [1] numpy: 64,668,866 B installed (pypi wheel 1.26.4 cp311-cp311-manylinux_2_17_x86_64"
                          ".manylinux2014_x86_64, estimate 64.7 MB; stand-in: 1.26.4's figure is of its Python 3.11"
                          " build, not 3.12's; ")


# -- no tensorflow-cpu rename where tensorflow-hub (through tf-keras) requires tensorflow -------------------------
def test_no_tensorflow_cpu_where_tensorflow_hub_requires_tensorflow_through_tf_keras(tmp_path, capsys):
    """TOM-Platform/TOM-Server-Python's environment-cpu.yml, reduced: pip tensorflow==2.16.1 and tensorflow-hub==0.16.1.
    tensorflow-hub 0.16.1 requires tf-keras >=2.14.1, and tf-keras requires tensorflow (2.16.0: `tensorflow <2.17,>=2.16`,
    2.21.0: `tensorflow<2.22,>=2.21`; their wheels' METADATA, read 2026-12-07): after the unsafe rename to
    tensorflow-cpu pip takes the newest tf-keras and installs the tensorflow wheel beside tensorflow-cpu."""
    path, rc, out = checked(tmp_path, capsys, "pip-tensorflow-hub.yml")
    assert (rc, out) == (0, (
        "pip-tensorflow-hub.yml:3:3: ES007 defaults: mixes defaults with conda-forge; use nodefaults [unsafe fix,"
        " use --unsafe-fixes]\n"
        "pip-tensorflow-hub.yml:9:7: ES004 tensorflow: tensorflow-cpu not suggested [not fixed: another pip package"
        " requires it]\n"))
    rc, out, err = run(capsys, "rewrite", "--check", "-v", path)
    assert [g for g in lines(out, path).splitlines() if " ES004 " in g] == [
        "pip-tensorflow-hub.yml:9:7: ES004 tensorflow: tensorflow-cpu not suggested: tensorflow-hub in the pip list"
        " requires tensorflow (its Requires-Dist, through tf-keras, PyPI tensorflow-hub 0.16.1), so pip would install"
        " both wheels [not fixed: another pip package requires it]"]


# -- tensorflow-cpu: 2.21.0's wheel sizes are not told to a line that installs another release ---------------------
def test_tensorflow_cpu_for_an_older_pinned_release_is_not_told_the_new_releases_sizes(tmp_path, capsys):
    """Azure's azureml-examples cli/endpoints/batch/mnist/environment/conda.yml, reduced: pip tensorflow==2.11.0 on
    python=3.9.16. The reason said "273.8 MB wheel / 1.27 GB installed vs 572.4 MB / 1.87 GB (2.21.0 cp311)": the
    figures of 2.21.0's cp311 wheels, on a line that installs 2.11.0 (PyPI: tensorflow_cpu-2.11.0-cp39 manylinux
    wheel 221,461,357 B; JSON API read 2026-12-07). The line gets the variant's summary, without figures."""
    path = copy(tmp_path, "pip-tensorflow-2-11.yml")
    rc, out, err = run(capsys, "rewrite", "--check", "-v", path)
    assert [g for g in lines(out, path).splitlines() if " ES004 " in g] == [
        "pip-tensorflow-2-11.yml:8:5: ES004 tensorflow: use tensorflow-cpu: same TensorFlow without CUDA kernels"
        " (saving unknown: the knowledge base has no figure for the tensorflow wheel and the tensorflow-cpu wheel on"
        " linux-64, Python 3.9) [unsafe fix, use --unsafe-fixes]"]


# -- no tensorflow-cpu rename on win-64 from 2.11.0 on: both names install the same CPU build ---------------------
def test_no_tensorflow_cpu_on_windows_where_both_names_install_the_same_build(tmp_path, capsys):
    """../shared/corpus 228 (2951121599/streamlit_demo2's environment.yaml, a win-64 export), reduced: pip
    tensorflow==2.15.0. Native Windows has had no CUDA build since 2.11.0: tensorflow and tensorflow-cpu 2.11.0 to
    2.18.0 are ~2 KB shims (2.15.0 cp39: 2,128 B and 2,164 B), from 2.18.1 the same CPU build (2.19.0 cp310:
    375,723,719 B and 375,723,766 B; PyPI JSON API read 2026-12-07). The unsafe rename changed nothing installed."""
    path = copy(tmp_path, "win-export-pip-tensorflow.yml")
    rc, out, err = run(capsys, "rewrite", "--check", "--unsafe-fixes", "-v", path)
    assert [g for g in lines(out, path).splitlines() if " ES004 " in g] == [
        "win-export-pip-tensorflow.yml:19:7: ES004 tensorflow: tensorflow-cpu not suggested: on win-64 tensorflow and"
        " tensorflow-cpu install the same build from 2.11.0 on (no CUDA on native Windows since 2.11.0: both install"
        " the same CPU build), so the rename saves nothing [report only]"]
    rc, out, err = run(capsys, "rewrite", "--diff", "--unsafe-fixes", path)
    assert "tensorflow-cpu" not in out
    for line, ruled in (("tensorflow==2.9.0", False), ("tensorflow<2.11", False), ("tensorflow", True)):
        path.write_bytes((DATA / "win-export-pip-tensorflow.yml").read_bytes().replace(b"tensorflow==2.15.0",
                                                                                          line.encode()))
        rc, out, err = run(capsys, "rewrite", "--check", "--unsafe-fixes", path)
        (g,) = [g for g in lines(out, path).splitlines() if " ES004 " in g]
        assert g.endswith("[report only]" if ruled else "[fix available]"), (line, g)


# -- no matplotlib-base where an old pinned geoviews depends on the matplotlib metapackage -------------------------
def test_no_matplotlib_base_where_geoviews_1_6_3_depends_on_matplotlib(tmp_path, capsys):
    """RhodiumGroup/docker_images' worker/environment.yml (a dask worker image), reduced: geoviews=1.6.3 and
    matplotlib=3.1.1. geoviews 1.6.3's only conda-forge build depends on `matplotlib >2.2` (geoviews-feedstock
    recipe/meta.yaml at 59c95e5, 2019-08-07; matplotlib-base from 1.6.6, 594d548, 2020-02-04): the safe rename left
    the metapackage and its Qt installed. The snapshot has no build of these releases, so the environment could not
    judge it; the knowledge entry's `pulled_by_below` does."""
    path, rc, out = checked(tmp_path, capsys, "geoviews-old-matplotlib.yml")
    assert (rc, out) == (0, (
        "geoviews-old-matplotlib.yml:3:3: ES007 defaults: conda-forge without nodefaults: a .condarc can add defaults"
        " back [unsafe fix, use --unsafe-fixes]\n"
        "geoviews-old-matplotlib.yml:7:3: ES004 matplotlib: matplotlib-base not suggested [report only]\n"))
    rc, out, err = run(capsys, "rewrite", "--check", "-v", path)
    assert [g for g in lines(out, path).splitlines() if " ES004 " in g] == [
        "geoviews-old-matplotlib.yml:7:3: ES004 matplotlib: matplotlib-base not suggested: geoviews=1.6.3 depends on"
        " matplotlib (its conda-forge builds before 1.6.6 do), so matplotlib stays and the rename saves nothing"
        " [report only]"]
    for line in (b"geoviews>=1.6", b"geoviews"):  # a release from 1.6.6 on may be taken: the rename stands
        path.write_bytes((DATA / "geoviews-old-matplotlib.yml").read_bytes().replace(b"geoviews=1.6.3", line))
        rc, out, err = run(capsys, "rewrite", "--check", path)
        assert rc == 1 and "ES004 matplotlib: use matplotlib-base" in out, (line, out)


# -- dask 2.4.0 is not dropped for the dask-core beside it while the file does dataframes ---------------------------
def test_dask_2_4_is_not_dropped_beside_dask_core_while_pandas_stays(tmp_path, capsys):
    """RhodiumGroup/docker_images' worker/environment.yml, reduced: dask=2.4.0 beside dask-core=2.4.0, pandas and
    fastparquet. conda-forge's dask 2.4.0 brings `fsspec >=0.4.0` and `partd >=0.3.10` (dask-feedstock
    recipe/meta.yaml at f9e6203, 2019-09-13), which dask.dataframe needs and nothing else listed brings: the unsafe
    drop broke dask.dataframe. The snapshot has no dask 2.4.0, so the refusal does not claim pyarrow."""
    path = copy(tmp_path, "dask-2-4-drop.yml")
    rc, out, err = run(capsys, "rewrite", "--check", "--unsafe-fixes", "-v", path)
    assert [g for g in lines(out, path).splitlines() if " ES004 " in g] == [
        "dask-2-4-drop.yml:6:3: ES004 dask: dask-core is already listed, but dask is not dropped: dask.dataframe needs"
        " packages that only the dask metapackage brings (pyarrow in current releases, partd and fsspec in 2.4.0; the"
        " snapshot has no build of this one to tell), and pandas stays (the file lists it): the file does dataframes"
        " [not fixed: dask.dataframe needs the metapackage's packages]"]
    text = (DATA / "dask-2-4-drop.yml").read_bytes()
    path.write_bytes(text.replace(b"  - fastparquet=0.3.2\n", b"").replace(b"  - pandas\n", b""))
    rc, out, err = run(capsys, "rewrite", "--check", "--unsafe-fixes", path)
    assert "dask-2-4-drop.yml:6:3: ES004 dask: dask-core is already listed: drop dask" in out  # no dataframes


# -- defaults stays where the file pins a tensorflow-gpu 1.x, which only defaults publishes -------------------------
def test_no_nodefaults_where_tensorflow_gpu_1_x_is_served_by_defaults_only(tmp_path, capsys):
    """CosmiQ/solaris' environment-gpu.yml, reduced: pytorch, conda-forge, defaults; tensorflow-gpu=1.13.1.
    conda-forge's tensorflow-feedstock has a tensorflow-gpu output from 2.6.0 on (3b50ece, 2021-10-29); the 1.x
    packages are defaults'. The unsafe nodefaults left the file unsolvable (FJSam/aws_sagemaker_env's
    tensorflow-gpu=1.15.0 alike)."""
    path = copy(tmp_path, "tensorflow-gpu-1-defaults.yml")
    rc, out, err = run(capsys, "rewrite", "--check", "--unsafe-fixes", "-v", path)
    assert (rc, lines(out, path)) == (0, (
        "tensorflow-gpu-1-defaults.yml:5:3: ES007 defaults: mixes defaults with conda-forge, but nodefaults is not"
        " suggested: tensorflow-gpu=1.13.1 (conda-forge's tensorflow-gpu starts at 2.6.0) is a build of defaults only:"
        " the file would no longer solve [not fixed: the file needs defaults]\n"
        "tensorflow-gpu-1-defaults.yml:9:3: ES004 pytorch: pytorch-cpu not suggested: tensorflow-gpu=1.13.1 (line 8)"
        " targets CUDA, so the file targets a GPU [not fixed: the file targets a GPU]\n"))
    for line in (b"tensorflow-gpu>=1.13", b"tensorflow-gpu"):  # conda-forge may serve it: nodefaults stays offered
        path.write_bytes((DATA / "tensorflow-gpu-1-defaults.yml").read_bytes().replace(b"tensorflow-gpu=1.13.1", line))
        rc, out, err = run(capsys, "rewrite", "--check", "--unsafe-fixes", path)
        assert "ES007 defaults: mixes defaults with conda-forge; use nodefaults [fix available]" in out, (line, out)


# -- pixi manifests (audit6): pixi solves with __cuda only where system-requirements name CUDA -------------------
def test_no_pytorch_cpu_in_a_pixi_manifest_whose_environments_ask_for_no_cuda(tmp_path, capsys):
    """ltanak/ICHack26's backend/pixi.toml, reduced: conda-forge pytorch in a workspace with no system-requirements.
    pixi solves an environment with the __cuda virtual package only where its system-requirements name CUDA (pixi
    docs, "System Requirements"; prefix-dev/pixi#1288), and conda-forge's CUDA builds depend on __cuda: the
    project's pixi.lock @dac1afe has pytorch 2.10.0 cpu_mkl (linux-64) and cpu_generic (osx-arm64) only. The
    unsafe pytorch -> pytorch-cpu changed nothing installed."""
    path = copy(tmp_path, "pixi-pytorch-no-cuda.toml")
    rc, out, err = run(capsys, "rewrite", "--diff", "--unsafe-fixes", "-v", path)
    assert [g for g in lines(out + err, path).splitlines() if "ES004" in g or g.startswith(("-p", "+p"))] == [
        "pixi-pytorch-no-cuda.toml:10:1: ES004 pytorch: pytorch-cpu not suggested: neither the system-requirements nor"
        " the platforms of the default environment name CUDA, so pixi solves it without the __cuda virtual package and"
        " installs conda-forge's CPU build of pytorch already: the rename changes nothing [report only]"]
    assert path.read_bytes() == (DATA / "pixi-pytorch-no-cuda.toml").read_bytes()
    # with CUDA in the workspace's system-requirements the CUDA builds can come: the file targets a GPU
    path.write_bytes((DATA / "pixi-pytorch-no-cuda.toml").read_bytes() + b'\n[system-requirements]\ncuda = "12"\n')
    rc, out, err = run(capsys, "rewrite", "--check", "--unsafe-fixes", "-v", path)
    assert ("pixi-pytorch-no-cuda.toml:10:1: ES004 pytorch: pytorch-cpu not suggested: its system-requirements ask for"
            " CUDA 12, so the file targets a GPU [not fixed: the file targets a GPU]") in lines(out, path)


def test_no_pytorch_cpu_in_a_table_that_a_cuda_environment_shares(tmp_path, capsys):
    """DWGodwin/glooper's pipeline/pixi.toml, reduced: pytorch in [dependencies], which the cuda environment shares
    with its cuda feature (system-requirements cuda = "12", pytorch-gpu). pytorch-cpu there would conflict with
    pytorch-gpu in the cuda environment; only the feature's own system-requirements were read, so an unpinned line
    was renamed (a safe-looking, unsafe fix) and the pinned one was refused for the wrong reason."""
    path = copy(tmp_path, "pixi-pytorch-cuda-feature.toml")
    for text in (b'pytorch = ">=2.2"', b'pytorch = "*"'):
        path.write_bytes((DATA / "pixi-pytorch-cuda-feature.toml").read_bytes().replace(b'pytorch = ">=2.2"', text))
        rc, out, err = run(capsys, "rewrite", "--check", "--unsafe-fixes", "-v", path)
        assert [g for g in lines(out, path).splitlines() if "ES004" in g] == [
            "pixi-pytorch-cuda-feature.toml:8:1: ES004 pytorch: pytorch-cpu not suggested: the cuda environment, which"
            " installs this line, asks for CUDA 12 (its cuda feature's system-requirements), so the file targets a GPU"
            " [not fixed: the file targets a GPU]"], text


def test_a_pixi_platform_that_names_cuda_makes_the_file_target_a_gpu(tmp_path, capsys):
    """prefix-dev/pixi's examples/multi-machine/pixi.toml, reduced: `platforms = [{ name = "cuda-linux-64", platform =
    "linux-64", cuda = "12" }, "linux-64", ...]`. Its pixi.lock records `__cuda=12` among the virtual packages of the
    two cuda platforms only (and none on plain linux-64 and win-64): the environment is solved with CUDA there, so
    the pytorch line is not said to change nothing, and pytorch-cpu is not suggested (the platform tables were not
    read)."""
    path = copy(tmp_path, "pixi-platforms-cuda.toml")
    rc, out, err = run(capsys, "rewrite", "--check", "--unsafe-fixes", "-v", path)
    assert [g for g in lines(out, path).splitlines() if "ES004" in g] == [
        "pixi-platforms-cuda.toml:17:1: ES004 pytorch: pytorch-cpu not suggested: the default environment, which installs"
        " this line, asks for CUDA 12 (the workspace's platform cuda-win-64), so the file targets a GPU [not fixed: the"
        " file targets a GPU]"]
