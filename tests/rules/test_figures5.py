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
