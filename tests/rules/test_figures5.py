"""figures5's audit of envslim's printed figures on environment files that are not pixi manifests (issue 22,
part 4): each test is one wrong figure found, on a small real file under tests/data/audit, with the exact output."""

from __future__ import annotations

import json
import shutil

from tests.conftest import ROOT, run

DATA = ROOT / "tests" / "data" / "audit"


def copy(tmp_path, name: str):
    path = tmp_path / name
    shutil.copyfile(DATA / name, path)
    return path


# -- a build string without a hash says nothing of the platform: an osx-64 export is not priced as win-64 ----------
def test_a_build_string_without_a_hash_casts_no_platform_vote(tmp_path, capsys):
    """LuisCortes98/Curso-Machine-Learning environment_mac.yml (corpus 156), reduced: an osx-64 export (appnope and
    libcxx are macOS-only; libcxx 10.0.0 h1af66ff_2 is conda-forge's osx-64 build; its prefix is /opt/anaconda3).
    ``blas=1.1=openblas`` carries no hash: conda-forge built that same string for linux-64, osx-64 and win-64, and
    the snapshot happens to hold the win-64 one only. It was the one vote, and the report said "win-64 from the
    file's build strings"."""
    path = copy(tmp_path, "osx64-blas-openblas.yml")
    rc, out, err = run(capsys, "report", path)
    assert (rc, out.replace(str(path), path.name).splitlines()[0]) == (
        0, "osx64-blas-openblas.yml (Python 3.5 from the file, osx-64 from the file's packages)")
    rc, out, err = run(capsys, "report", "--format", "json", path)
    assert json.loads(out)["files"][0]["target"] == {"python": "3.5", "python_from": "the file", "platform": "osx-64",
                                                     "platform_from": "the file's packages"}


# -- a pip variant's figures only for the release and platform they were measured on ---------------------------
def test_xgboost_cpu_is_told_3_4_1_figures_only_where_the_line_admits_3_4_1(tmp_path, capsys):
    """0792211827/Investor_Risk_Tolerance_and_Robo-Advisor's environment.yml @095629e: pip xgboost, unpinned, on
    Python 3.10 (linux-64). The two wheels measured are xgboost and xgboost-cpu 3.4.1 (PyPI: 87,488,355 and
    23,430,116 B installed, uploaded 2026-08-15): told where the line admits 3.4.1, not to ==3.0.5. The conda
    name's reason also said "no nvidia-nccl wheel (351.5 MB for cu12 2.32.3)": xgboost 3.4.1 requires
    nvidia-nccl-cu13 on Linux (its Requires-Dist, PyPI JSON API read 2026-12-07), and 351.5 MB is that cu12 wheel's
    download, not what it installs (490.6 MB)."""
    path = copy(tmp_path, "pip-xgboost-unpinned.yml")
    rc, out, err = run(capsys, "rewrite", "--check", "-v", path)
    assert [g for g in out.replace(str(path), path.name).splitlines() if " xgboost:" in g] == [
        "pip-xgboost-unpinned.yml:18:7: ES004 xgboost: use xgboost-cpu: CPU-only XGBoost: 23.4 MB installed vs 87.5 MB,"
        " and no nvidia-nccl dependency on Linux (saves ~64.1 MB, estimate) [unsafe fix, use --unsafe-fixes]"]
    path.write_text(path.read_text().replace("- xgboost\n", "- xgboost==3.0.5\n"))
    rc, out, err = run(capsys, "rewrite", "--check", "-v", path)
    assert [g for g in out.replace(str(path), path.name).splitlines() if " xgboost:" in g] == [
        "pip-xgboost-unpinned.yml:18:7: ES004 xgboost: use xgboost-cpu: CPU-only XGBoost, and no nvidia-nccl dependency"
        " on Linux (saving unknown: the knowledge base has no figure for the xgboost wheel and the xgboost-cpu wheel on"
        " linux-64, Python 3.10) [unsafe fix, use --unsafe-fixes]"]
    from envslim import knowledge

    assert [v["reason"] for v in knowledge.load("py-xgboost").slim_variants if v["side"] == "pip"] == [
        "CPU-only XGBoost: 23.4 MB installed vs 87.5 MB, and no nvidia-nccl dependency on Linux"]


def test_pandas_advice_compares_the_conda_install_with_the_wheel_of_the_same_platform(capsys):
    """pandas' advice set conda-forge's 2.2.1 osx-arm64 install (67,748,710 B, 32,138,737 B of tests: the conda-meta
    of ../shared/data/raw/conda_meta_installed_osx-arm64_2024.json) against "the PyPI wheel (43.3 MB for 2.2.1)",
    the Linux cp312 manylinux wheel. The osx-arm64 one, pandas-2.2.1-cp312-cp312-macosx_11_0_arm64.whl, installs
    40,278,805 B (its zip central directory, PyPI, uploaded 2024-02-23, read 2026-12-07)."""
    from envslim.cli import main

    assert main(["explain", "pandas", "--verbose"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert ("  conda-forge pandas is close to the PyPI wheel once its tests are left out (2.2.1 on osx-arm64: 67.7 MB"
            " installed, of which 32 MB tests; the cp312 wheel 40.3 MB, more with .pyc); no move advised") in out
    assert ("  pypi wheel 2.2.1 cp312-cp312-macosx_11_0_arm64: 40,278,805 B (40.3 MB) installed, 11,335,860 B"
            " (11.3 MB) wheel [S11, 2026-12-07]") in out


def test_advice_compares_conda_and_wheel_of_one_release_on_one_platform(capsys):
    """h5py, llvmlite and scipy set a conda-forge osx-arm64 install (the conda-meta of
    ../shared/data/raw/conda_meta_installed_osx-arm64_2024.json: h5py 3.10.0, llvmlite 0.42.0 with libllvm14
    98,988,912 B, scipy 1.12.0) against manylinux wheels of later releases (h5py 3.16.0 15.7 MB, llvmlite 0.50.0
    179 MB "so no saving", scipy 1.18.1 111.9 MB). The cp312 macOS arm64 wheels of the same releases install
    9,258,381, 92,052,466 and 97,330,383 B (their zip central directories, PyPI, read 2026-12-07): llvmlite's
    wheel is smaller than the conda closure, not bigger."""
    from envslim.cli import main

    want = {
        "h5py": ("  the PyPI wheel bundles HDF5 and is smaller alone (3.10.0 on osx-arm64: the conda closure 86.7 MB"
                 " installed, incl. numpy; the cp312 wheel 9.3 MB plus numpy), but another HDF5 user in conda (netcdf4,"
                 " pytables) keeps libhdf5",
                 "  pypi wheel 3.10.0 cp312-cp312-macosx_11_0_arm64: 9,258,381 B (9.3 MB) installed, 2,623,888 B (2.6 MB)"
                 " wheel [S6, 2026-12-07]"),
        "llvmlite": ("  conda-forge llvmlite links the shared libllvm14, the PyPI wheel contains LLVM: about the same size"
                     " (0.42.0 on osx-arm64: the conda closure 110.3 MB installed, libllvm14 99.0 MB of it; the cp312 wheel"
                     " 92.1 MB), so no clear saving",
                     "  pypi wheel 0.42.0 cp312-cp312-macosx_11_0_arm64: 92,052,466 B (92.1 MB) installed, 28,793,160 B"
                     " (28.8 MB) wheel [S3, 2026-12-07]"),
        "scipy": ("  no saving from pip: 1.12.0 on osx-arm64, the conda-forge closure is 119.7 MB installed (with numpy,"
                  " OpenBLAS), the cp312 wheel alone 97.3 MB plus numpy",
                  "  pypi wheel 1.12.0 cp312-cp312-macosx_12_0_arm64: 97,330,383 B (97.3 MB) installed, 31,433,326 B"
                  " (31.4 MB) wheel [S7, 2026-12-07]"),
    }
    for name, (reason, wheel) in want.items():
        assert main(["explain", name, "--verbose"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert reason in out and wheel in out, name


# -- NVIDIA's CUDA libraries are not estimated with the median package's installed/archive ratio --------------------
def test_cuda_libraries_are_estimated_with_their_own_ratio_per_channel(tmp_path, capsys):
    """01bbae/Deploying-ML-Models-to-Edge-Devices' environment.yml @33ee12f, reduced: a linux-64 export pinning the
    nvidia channel's libcublas 12.1.0.26, libcusparse 12.0.2.55 and libnpp 12.0.2.50. Their installed bytes were the
    archive bytes times the median ratio of the osx-arm64 conda-meta's 258 packages (3.68): 1,270.8 MB, 629.5 MB
    and 539.9 MB, where the PyPI wheels of the same releases (the same shared libraries, with headers) install
    616.5, 255.5 and 249.7 MB; GPU code compresses far less. Their ratios now come from those wheels
    (tools/data/cuda_wheel_ratios.json). Releases not used for the ratios check them: nvidia-cublas-cu12 12.4.5.8
    installs 552,929,365 B, nvidia-cusparse-cu12 12.3.1.170 281,673,780 B (it was estimated 693.8 MB, 303.8 to
    1,064.9: outside its own range), nvidia-npp-cu12 12.2.5.30 256,481,531 B (PyPI, read 2026-12-07)."""
    path = copy(tmp_path, "nvidia-cuda-libs.yml")
    rc, out, err = run(capsys, "report", path)
    figs = [g.split("; graph snapshot")[0] for g in out.splitlines() if g.startswith("  [")]
    assert figs == [
        "  [1] libcublas: 616,461,653 B installed (nvidia closure 12.1.0.26 linux-64, 1 packages, estimate 447.8 to 782.0 MB)",
        "  [2] libcusparse: 255,524,824 B installed (nvidia closure 12.0.2.55 linux-64, 1 packages, estimate 185.6 to"
        " 324.1 MB)",
        "  [3] libnpp: 249,674,610 B installed (nvidia closure 12.0.2.50 linux-64, 1 packages, estimate 181.4 to 316.7 MB)"]
    path.write_text(path.read_text().replace("libcublas=12.1.0.26=0", "libcublas=12.4.5.8")
                    .replace("libcusparse=12.0.2.55=0", "libcusparse=12.3.1.170").replace("libnpp=12.0.2.50=0", "libnpp=12.2.5.30"))
    rc, out, err = run(capsys, "report", "--format", "json", path)
    rows = {p["name"]: p["before"] for p in json.loads(out)["files"][0]["packages"]}
    measured = {"libcublas": 552929365, "libcusparse": 281673780, "libnpp": 256481531}
    for name, wheel in measured.items():
        low, high = rows[name]["range"]
        assert low <= wheel <= high and abs(rows[name]["bytes"] - wheel) < 0.05 * wheel, name
