"""One fix, one figure (issue 22): the saving a finding prints is its effect on the whole environment, the
same in rewrite's line, rewrite's JSON, the report's table, its JSON findings and its totals; the knowledge
base's per-package estimate only where the environment cannot price the fix, and the source says which."""

from __future__ import annotations

import json

import pytest

from envslim.cli import main
from tests.conftest import ROOT

# examples/environment.yml (linux-64, Python 3.9): the 61 packages that leave with pyarrow 19.0.1 are
# 264,460,273 B installed (182,493,994 to 344,358,139), each counted once from the graph snapshot; the
# measured pyarrow 21.0.0 cp39 wheel is 141,197,952 B. Leaving less arriving:
SAVING, LOW, HIGH = 123_245_308, 41_278_583, 203_143_313


def _run(capsys, *argv: str) -> tuple[int, str]:
    rc = main(list(argv))
    return rc, capsys.readouterr().out


def test_the_example_move_prints_one_figure_everywhere(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    rc, out = _run(capsys, "rewrite", "--diff", "examples/environment.yml")
    assert rc == 1 and out.endswith("# ES001 pyarrow: move to pip (saves ~123.2 MB, 41.3 MB to 203.1 MB)\n")
    _, out = _run(capsys, "rewrite", "--diff", "--format", "json", "examples/environment.yml")
    finding = next(f for f in json.loads(out)["files"][0]["findings"] if f["rule"] == "ES001")
    assert (finding["saving_bytes"], finding["saving_range"]) == (SAVING, [LOW, HIGH])
    assert finding["source"].startswith("environment estimate (range 41.3 MB to 203.1 MB) for linux-64, Python 3.9,"
                                        " from the graph snapshot of ")
    assert "61 package(s) leave" in finding["source"] and "the pyarrow 21.0.0 wheel (141.2 MB;" in finding["source"]
    # the wheel's own requirements are not in the snapshot for 21.0.0: named, not counted as zero
    assert finding["effect"]["unpriced"] == ["pyarrow 21.0.0's requirements (the snapshot has 26.0.1's)"]
    _, out = _run(capsys, "report", "--format", "json", "examples/environment.yml")
    rep = json.loads(out)["files"][0]
    same = next(f for f in rep["findings"] if f["rule"] == "ES001")
    assert (same["saving_bytes"], same["saving_range"], same["source"]) == (SAVING, [LOW, HIGH], finding["source"])
    assert (rep["estimate"]["saving_bytes"], rep["estimate"]["saving_range"]) == (SAVING, [LOW, HIGH])
    _, out = _run(capsys, "report", "examples/environment.yml")
    assert "saves ~123.2 MB, estimate 41.3 to 203.1 MB\n" in out


def test_the_knowledge_base_only_where_the_environment_cannot_price_it(capsys, tmp_path):
    # a private channel listed first: which build of pyarrow it serves is not known, so the environment has no
    # figure for pyarrow and the knowledge base's per-package estimate stands, saying so
    env = tmp_path / "environment.yml"
    env.write_text("channels:\n  - https://conda.example.com/private\n  - conda-forge\ndependencies:\n"
                   "  - pyarrow\n  - python\n")
    rc, out = _run(capsys, "rewrite", "--diff", "--format", "json", str(env))
    finding = next(f for f in json.loads(out)["files"][0]["findings"] if f["rule"] == "ES001")
    assert finding["source"].startswith("knowledge base, per package (the environment has no figure for pyarrow):"
                                        " estimate (range 15.6 MB to 192.1 MB)")
    # conda-forge's 25.0.0 closure for Python 3.11 (276.3 MB, an estimate) less the 26.0.1 cp311 wheel (171.3 MB)
    assert (finding["saving_bytes"], finding["saving_range"]) == (105_034_968, [15_565_404, 192_050_655])


# ../shared/corpus 062 (a FastAPI service on defaults, Python 3.7, with scikit-learn and pandas): nomkl keeps
# MKL out. Leaving: defaults' mkl 2023.1.0 (799,360,504 B) and intel-openmp 2023.1.0 (71,628,660 B), both measured
# from committed conda-meta (the snapshot of 2026-08-17); arriving: conda-forge's libopenblas 0.3.33 linux-64
# (21,286,098 B, an estimate of 15,462,386 to 27,002,566 B), standing in for defaults' openblas, which the
# snapshot does not have. tbb and zlib in mkl's closure have no defaults figure: named, not zero (the runtime
# libraries stay: numpy, which has no defaults build in the snapshot, keeps what any of its builds needs).
NOMKL, NOMKL_LOW, NOMKL_HIGH = 849_703_066, 843_986_598, 855_526_778
CORPUS_062 = ROOT.parent / "shared" / "corpus" / "files" / "062__AI4EPS__GaMMA__env.yml"


def test_nomkl_prints_one_figure_everywhere(capsys):
    import pytest

    if not CORPUS_062.exists():
        pytest.skip("../shared/corpus is not here")
    path = str(CORPUS_062)
    rc, out = _run(capsys, "rewrite", "--diff", path)
    assert rc == 1 and out.endswith("# ES002 nomkl: add nomkl: the defaults channel builds numpy against MKL"
                                    " (saves ~849.7 MB, 844.0 MB to 855.5 MB)\n")
    _, out = _run(capsys, "rewrite", "--diff", "--format", "json", path)
    (finding,) = json.loads(out)["files"][0]["findings"]
    assert (finding["saving_bytes"], finding["saving_range"]) == (NOMKL, [NOMKL_LOW, NOMKL_HIGH])
    assert finding["effect"] == {"leaving": ["intel-openmp", "mkl"], "arriving": ["libopenblas"], "excluded": ["mkl"],
                                 "unpriced": ["tbb", "zlib"]}
    assert finding["source"] == (
        "environment estimate (range 844.0 MB to 855.5 MB) for linux-64, from the graph snapshot of 2026-08-17:"
        " intel-openmp, mkl leave (defaults 2023.1.0, 871.0 MB); arriving: libopenblas 0.3.33 (conda-forge, 15.5 MB"
        " to 27.0 MB; conda-forge's libopenblas stands in (defaults has no OpenBLAS build in the snapshot)); not counted,"
        " no figure for the target: tbb, zlib")
    _, out = _run(capsys, "report", "--format", "json", path)
    rep = json.loads(out)["files"][0]
    (same,) = rep["findings"]
    assert (same["saving_bytes"], same["saving_range"], same["source"]) == (NOMKL, [NOMKL_LOW, NOMKL_HIGH],
                                                                            finding["source"])
    assert (rep["estimate"]["saving_bytes"], rep["estimate"]["saving_range"]) == (NOMKL, [NOMKL_LOW, NOMKL_HIGH])
    row = next(r for r in rep["packages"] if r.get("implied"))
    assert (row["before"]["bytes"], row["after"]["name"], row["after"]["range"]) == (
        870_989_164, "libopenblas", [15_462_386, 27_002_566])
    _, out = _run(capsys, "report", path)
    assert ("  mkl (implied)  conda 871.0 MB closure [1]  conda 21.3 MB package stand-in [2]  replaced by libopenblas"
            " (ES002): saves ~849.7 MB, 844.0 MB to 855.5 MB\n") in out
    assert out.count("saves ~849.7 MB, estimate 844.0 to 855.5 MB\n") == 1  # the total
    _, out = _run(capsys, "report", "--format", "markdown", path)
    assert "saves ~849.7 MB, estimate 844.0 to 855.5 MB" in out


# Pip renames (ES004) where the knowledge base measured both wheels for the target (linux-64, CPython 3.11):
# opencv-python 4.8.1.78 (173,332,711 B installed, abi3 manylinux2014 x86_64) against opencv-python-headless
# 4.8.1.78 (139,462,892 B); tensorflow 2.21.0 cp311 (1,872,386,629 B) against tensorflow-cpu 2.21.0 cp311
# (1,272,020,530 B). The snapshot read tensorflow 2.21.0's Requires-Dist (numpy counted on its side) but not
# tensorflow-cpu's: both are compared as their own wheels, the requirements named, not counted.
RENAMES = ("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n"
           "    - opencv-python==4.8.1.78\n    - tensorflow==2.21.0\n")
OPENCV, TENSORFLOW = 173_332_711 - 139_462_892, 1_872_386_629 - 1_272_020_530


def test_a_pip_rename_prints_the_measured_wheels_everywhere(capsys, tmp_path):
    env = tmp_path / "environment.yml"
    env.write_text(RENAMES)
    rc, out = _run(capsys, "rewrite", "--diff", "--unsafe-fixes", str(env))
    # (the reason's own figures are the 5.0.0.93 wheels': a line pinned to 4.8.1.78 gets the reason without them)
    assert rc == 1 and out.endswith("# ES004 opencv-python: use opencv-python-headless: same cv2 without the GUI"
                                    " (highgui/Qt) (saves ~33.9 MB)\n"
                                    "# ES004 tensorflow: use tensorflow-cpu (saves ~600.4 MB)\n")
    _, out = _run(capsys, "rewrite", "--diff", "--unsafe-fixes", "--format", "json", str(env))
    opencv, tensorflow = [f for f in json.loads(out)["files"][0]["findings"] if f["rule"] == "ES004"]
    assert (opencv["saving_bytes"], tensorflow["saving_bytes"]) == (OPENCV, TENSORFLOW)
    assert "saving_range" not in opencv and "saving_range" not in tensorflow  # measured, not estimated
    assert tensorflow["effect"] == {
        "leaving": ["tensorflow"], "arriving": ["tensorflow-cpu"],
        "unpriced": ["tensorflow's requirements (not counted: tensorflow-cpu's are not in the snapshot)",
                     "tensorflow-cpu's requirements (not in the snapshot)"]}
    assert tensorflow["source"] == (
        "measured wheels for linux-64, Python 3.11: leaving the tensorflow 2.21.0 wheel (1,872.4 MB;"
        " knowledge/packages/tensorflow.toml pypi-wheel-2.21.0-cp311 [S1] PyPI wheel"
        " tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl, 2026-11-27); arriving the tensorflow-cpu 2.21.0"
        " wheel (1,272.0 MB; knowledge/packages/tensorflow.toml pypi-wheel-2.21.0-cp311-tensorflow-cpu [S2] PyPI"
        " wheel tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl, 2026-11-27); each package counted once;"
        " not counted, no figure for the target: tensorflow's requirements (not counted: tensorflow-cpu's are not in"
        " the snapshot), tensorflow-cpu's requirements (not in the snapshot)")
    _, out = _run(capsys, "report", "--unsafe-fixes", "--format", "json", str(env))
    rep = json.loads(out)["files"][0]
    assert [f["saving_bytes"] for f in rep["findings"] if f["rule"] == "ES004"] == [OPENCV, TENSORFLOW]
    assert rep["estimate"]["saving_bytes"] == OPENCV + TENSORFLOW
    _, out = _run(capsys, "report", "--unsafe-fixes", str(env))
    assert ("  tensorflow     pip 1,872.4 MB wheel [5]         pip 1,272.0 MB wheel [6]         replaced by"
            " tensorflow-cpu (ES004): saves ~600.4 MB\n") in out
    _, out = _run(capsys, "rewrite", "--diff", "--unsafe-fixes", "--format", "markdown", str(env))
    assert "**Estimated saving of the due changes: ~634.2 MB** (the fixes' effects" in out


@pytest.mark.parametrize("lines, why", [
    # tensorflow-cpu has no measured 2.15.1 wheel (nor tensorflow a 2.15.1 installed size)
    ("  - python=3.11\n  - pip\n  - pip:\n    - tensorflow==2.15.1\n",
     "unknown: the knowledge base has no figure for the tensorflow wheel and the tensorflow-cpu wheel on linux-64,"
     " Python 3.11"),
    # win-64 (pywin32 is Windows-only): the opencv wheels were measured for manylinux x86_64 only
    ("  - python=3.11\n  - pywin32\n  - pip\n  - pip:\n    - opencv-python==4.8.1.78\n",
     "unknown: the knowledge base has no figure for the opencv-python wheel and the opencv-python-headless wheel on"
     " win-64, Python 3.11"),
])
def test_a_pip_rename_without_measured_wheels_for_the_target_stays_unknown(capsys, tmp_path, lines, why):
    env = tmp_path / "environment.yml"
    env.write_text("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n" + lines)
    _, out = _run(capsys, "rewrite", "--diff", "--unsafe-fixes", "--format", "json", str(env))
    (finding,) = [f for f in json.loads(out)["files"][0]["findings"] if f["rule"] == "ES004"]
    assert (finding["saving_bytes"], finding["source"]) == (None, why)
