"""Figures true for the user's target (issue 13): footprint.pick by platform, Python and version, unions that
count each package once, unknown never zero on one side; and the corpus cases the review named."""

from __future__ import annotations

import json
import re

import pytest

from envslim.knowledge import footprint
from envslim.cli import main
from envslim.knowledge import Entry
from tests.conftest import CORPUS, corpus_files

SRC = [{"id": "S1", "title": "t", "url": "https://example.org/s", "date": "2026-01-01"}]


def entry(*figures: dict, name: str = "demo", pypi: str = "demo") -> Entry:
    base = {"side": "conda-forge", "kind": "closure", "source": "S1", "date": "2026-01-01", "note": "n"}
    return Entry({"name": name, "pypi_name": pypi, "summary": "s", "sources": SRC,
                  "figures": [{**base, "id": f"f{i}", **f} for i, f in enumerate(figures)]}, f"{name}.toml")


def wheel(version: str, tag: str, n: int, **kw) -> dict:
    return {"side": "pypi", "kind": "wheel", "version": version, "platform": tag, "installed_bytes": n, **kw}


def spec(text: str):
    from envslim import conda as condaspec

    return condaspec.parse(text)


LINUX39 = footprint.Target("linux-64", "3.9")


def test_another_platform_is_never_counted():
    e = entry({"version": "1.0", "platform": "osx-arm64", "installed_bytes": 100})
    assert footprint.pick(e, footprint.CONDA_SIDES, target=LINUX39) is None
    assert footprint.pick(e, footprint.CONDA_SIDES, target=footprint.Target("osx-arm64", "3.9")).bytes == 100


def test_wheel_fits_the_target_python_and_platform():
    e = entry(wheel("26.0.1", "cp311-cp311-manylinux_2_28_x86_64", 171),
              wheel("21.0.0", "cp39-cp39-manylinux_2_28_x86_64", 141),
              wheel("26.0.1", "cp39-cp39-macosx_11_0_arm64", 99))
    p = footprint.pick(e, ("pypi",), ("wheel",), LINUX39)
    assert (p.figure.version, p.bytes, p.stand_in, p.estimate) == ("21.0.0", 141, "", False)
    p = footprint.pick(e, ("pypi",), ("wheel",), footprint.Target("linux-64", "3.11"))
    assert (p.figure.version, p.bytes) == ("26.0.1", 171)


def test_abi3_and_pure_wheels_fit_later_pythons():
    abi3 = entry(wheel("5.0", "cp37-abi3-manylinux_2_28_x86_64", 7))
    pure = entry(wheel("1.0", "py3-none-any", 3))
    for t in ("3.9", "3.14"):
        assert footprint.pick(abi3, ("pypi",), ("wheel",), footprint.Target("linux-64", t)).stand_in == ""
        assert footprint.pick(pure, ("pypi",), ("wheel",), footprint.Target("linux-64", t)).stand_in == ""
    assert footprint.pick(abi3, ("pypi",), ("wheel",), footprint.Target("linux-64", "3.6")).stand_in != ""


def test_the_version_constraint_chooses_the_newest_allowed_figure():
    e = entry({"version": "1.26.4", "platform": "linux-64", "python": "3.9", "installed_bytes": 70},
              {"version": "2.0.2", "platform": "linux-64", "python": "3.9", "installed_bytes": 90})
    assert footprint.pick(e, footprint.CONDA_SIDES, target=LINUX39, spec=spec("numpy<2.0.0")).bytes == 70
    assert footprint.pick(e, footprint.CONDA_SIDES, target=LINUX39, spec=spec("numpy")).bytes == 90


def test_a_stand_in_is_labelled_and_widens_the_range():
    e = entry({"version": "18.1.0", "platform": "linux-64", "python": "3.10", "installed_bytes": 250,
               "estimate": True, "installed_low": 200, "installed_high": 300},
              {"version": "25.0.0", "platform": "linux-64", "python": "3.10", "installed_bytes": 280,
               "estimate": True, "installed_low": 190, "installed_high": 360},
              {"version": "7.0", "platform": "osx-arm64", "installed_bytes": 10})
    # another version never stands in (issue 22: tensorflow==1.4.0 is not 2.21's figure): unknown
    assert footprint.pick(e, footprint.CONDA_SIDES, target=LINUX39, spec=spec("pyarrow=7.0")) is None
    # another Python's figure of a version the file allows does, labelled, its range widened to every such figure
    p = footprint.pick(e, footprint.CONDA_SIDES, target=LINUX39, spec=spec("pyarrow"))
    assert (p.figure.version, p.stand_in) == ("25.0.0", "stand-in: 25.0.0's figure is of its Python 3.10 build, not 3.9's")
    assert (p.bytes, p.low, p.high, p.estimate) == (280, 190, 360, True)
    p = footprint.pick(e, footprint.CONDA_SIDES, target=LINUX39, spec=spec("pyarrow>=18,<19"))
    assert (p.figure.version, p.bytes, p.low, p.high) == ("18.1.0", 250, 200, 300)


def test_a_wheel_counts_only_for_its_own_project():
    e = entry(wheel("5.1.0.95", "cp37-abi3-manylinux_2_28_x86_64", 318, pypi_name="opencv-contrib-python"),
              wheel("5.0.0.93", "cp37-abi3-manylinux_2_28_x86_64", 196, pypi_name="opencv-python"),
              name="opencv", pypi="opencv-python")
    assert footprint.pick(e, ("pypi",), ("wheel",), LINUX39).bytes == 196
    assert footprint.pick(e, ("pypi",), ("wheel",), LINUX39, project="opencv_python_headless") is None


def test_only_the_serving_channels_figures_count():
    e = entry({"version": "1.0", "platform": "linux-64", "installed_bytes": 500},
              {"side": "defaults", "version": "1.0", "platform": "linux-64", "installed_bytes": 300})
    assert footprint.pick(e, footprint.CONDA_SIDES, target=footprint.Target("linux-64", "3.9", ("defaults",))).bytes == 300
    assert footprint.pick(e, footprint.CONDA_SIDES, target=footprint.Target("linux-64", "3.9", ("conda-forge",))).bytes == 500
    assert footprint.pick(e, footprint.CONDA_SIDES, target=footprint.Target("win-64", "3.9", ("conda-forge",))) is None
    assert footprint.pick(e, footprint.CONDA_SIDES, target=footprint.Target("linux-64", "3.9", ())) is None
    est = footprint.removal(e, target=footprint.Target("win-64", "3.9", ("conda-forge",)))
    assert (est.saving_bytes, est.how) == (None, "unknown: no installed-size figure for the target (win-64, Python 3.9,"
                                                 " conda-forge) on the conda side in the knowledge base")


def test_unknown_is_never_zero_on_one_side():
    known = entry({"version": "1.0", "platform": "linux-64", "installed_bytes": 500})
    est = footprint.replacement(known, None, LINUX39)
    assert (est.saving_bytes, est.range) == (None, None)
    assert est.how.endswith("no figure for the replacement on the target (linux-64, Python 3.9, conda-forge or defaults)")
    est = footprint.move_to_pip(known, LINUX39)
    assert est.saving_bytes is None


def test_union_counts_each_package_once_and_difference_cancels_shared_members():
    from envslim.knowledge import Member

    np_own = Member("numpy", "1.26.4", 70, 50, 90)
    arrow = [(("conda", "pyarrow"), Member("pyarrow", "25", 200, 150, 260)),
             (("conda", "numpy"), Member("numpy", "2.3", 80, 60, 100))]
    pieces = [(("conda", "numpy"), [(("conda", "numpy"), np_own)]), (("conda", "pyarrow"), arrow)]
    assert footprint.union(pieces) == (270, 200, 350, 2)  # numpy once, its own figure
    after = [(("conda", "numpy"), [(("conda", "numpy"), np_own)]),
             (("pip", "pyarrow"), [(("pip", "pyarrow"), Member("pyarrow", "21", 141, 141, 141))])]
    assert footprint.difference(pieces, after) == (59, 9, 119)  # numpy cancels, range and all


def test_every_members_file_matches_its_entry():
    """knowledge/members/NAME.toml: each closure's packages add up to its figure (bytes and range); read only by
    the report, so the rules on the hook path parse none of it."""
    import tomllib

    from envslim import knowledge
    from envslim.knowledge.schema import validate_members

    files = sorted((knowledge.knowledge_dir() / "members").glob("*.toml"))
    assert {p.stem for p in files} == {"matplotlib", "matplotlib-base", "numpy", "pandas", "pyarrow", "python"}
    for p in files:
        entry = tomllib.loads((knowledge.knowledge_dir() / "packages" / p.name).read_text(encoding="utf-8"))
        assert validate_members(tomllib.loads(p.read_text(encoding="utf-8")), entry) == []
    pyarrow = knowledge.members("pyarrow", "cf-closure-25.0.0-py312-linux-64-est")
    assert len(pyarrow) == 65 and {"libarrow", "aws-sdk-cpp", "libgrpc"} <= {m.name for m in pyarrow}
    assert knowledge.members("pyarrow", "no-such-figure") == () == knowledge.members("../x", "y")


# -- the corpus cases the review named (skip without ../shared) ---------------------------------------------------


def corpus(prefix: str):
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    (path,) = [p for p in CORPUS.iterdir() if p.name.startswith(prefix)]
    return path


def report(capsys, path, *args) -> dict:
    assert main(["report", "--format", "json", *args, str(path)]) == 0
    return json.loads(capsys.readouterr().out)["files"][0]


def rows(rep: dict) -> dict:
    return {p["name"]: p for p in rep["packages"]}


def test_020_pyarrow_7_on_python_39_is_priced_with_the_7_0_cp39_wheel(capsys):
    """pyarrow=7: the conda side is priced with a build of 7.* or unknown (the graph snapshot has none), never with
    another version's closure (issue 22); the move is refused (packages the snapshot does not know might pull
    pyarrow back), and the pip side it would take is still the 7.0.0 cp39 wheel."""
    from envslim import conda as condaspec, knowledge

    rep = report(capsys, corpus("020__"))
    (es001,) = [f for f in rep["findings"] if f["rule"] == "ES001"]
    assert (es001["outcome"], es001["reason"], es001["saving_bytes"]) == ("refused", "a package the snapshot does not know", None)
    r = rows(rep)["pyarrow"]
    assert r["before"]["bytes"] is None and r["after"] == r["before"]
    est = footprint.move_to_pip(knowledge.load("pyarrow"), footprint.Target("linux-64", "3.9"), condaspec.parse("pyarrow=7.0"))
    assert (est.after.figure.version, est.after.bytes, est.after.figure.platform) == (
        "7.0.0", 86_832_779, "cp39-cp39-manylinux_2_12_x86_64.manylinux2010_x86_64")


def test_022_opencv_headless_saves_the_measured_difference(capsys):
    rep = report(capsys, corpus("022__"), "--unsafe-fixes")
    r = rows(rep)["opencv-python"]
    assert r["change"] == "replaced by opencv-python-headless (ES004)"
    assert (r["before"]["bytes"], r["after"]["bytes"]) == (173_332_711, 139_462_892)  # 4.8.1.78, both measured
    assert r["before"]["source"].startswith("knowledge/packages/opencv.toml pypi-wheel-4.8.1.78-abi3-opencv-python ")
    assert (rep["estimate"]["saving_bytes"], rep["estimate"]["saving_range"]) == (33_869_819, [33_869_819, 33_869_819])
    assert report(capsys, corpus("022__"))["estimate"]["saving_bytes"] == 0  # the unsafe fix is not applied


def test_060_counts_shared_closure_members_once(capsys):
    rep = report(capsys, corpus("060__"))
    est = rep["estimate"]
    summed = sum(p["before"]["bytes"] for p in rep["packages"] if p["before"] and p["before"]["bytes"])
    # (pyarrow is not moved: packages the snapshot does not know might pull it back, issue 22)
    assert (est["before_bytes"], est["after_bytes"], est["saving_bytes"]) == (1_323_765_574, 1_323_765_574, 0)
    assert summed - est["before_bytes"] > 0  # what adding the closures would count twice
    r = rows(rep)["pyarrow"]
    assert (r["before"]["version"], r["after"]["version"]) == ("25.0.0", "25.0.0")


def test_086_matplotlib_base_never_saves_a_negative_figure(capsys):
    rep = report(capsys, corpus("086__"))
    r = rows(rep)["matplotlib"]
    assert r["before"]["bytes"] is None  # no build of the pinned version in the snapshot: unknown
    # the metapackage's figure is unknown, so what its rename saves is too: unknown, never 0 and never < 0
    assert (rep["estimate"]["saving_bytes"], rep["estimate"]["unpriced_changes"]) == (None, ["matplotlib"])
    assert rep["estimate"]["left_out"] == []  # no numpy<2: conda-forge's pandas 1.5.3 builds exclude numpy 2


def test_148_opencv_is_not_priced_as_opencv_contrib(capsys):
    rep = report(capsys, corpus("148__"), "--unsafe-fixes")
    r = rows(rep)["opencv-python"]
    # 4.3.* has no figure: unknown on both sides (another version's figure never stands in), not opencv-contrib's
    assert (r["before"]["bytes"], r["after"]["bytes"]) == (None, None)


def test_170_an_osx_arm64_export_is_priced_for_osx_arm64_or_unknown(capsys):
    """170 is an osx-arm64 export (its build strings say so): tensorflow's linux wheels are not its figure
    (issue 22); what the snapshot has for osx-arm64 is priced for osx-arm64."""
    rep = report(capsys, corpus("170__"), "--unsafe-fixes")
    assert rep["target"] == {"python": "3.12", "python_from": "the file", "platform": "osx-arm64",
                             "platform_from": "the file's build strings"}
    r = rows(rep)["tensorflow"]
    assert (r["before"]["bytes"], r["after"]["bytes"]) == (None, None)
    counted = [s for p in rep["packages"] for s in (p["before"], p["after"]) if s and s["bytes"] is not None]
    assert counted and {s["platform"] for s in counted} <= {"osx-arm64", "noarch"}


WHEEL_ON = {  # a wheel's platform tag for each target
    "linux-64": re.compile(r"(^|\.)(many|musl)?linux[^.-]*_x86_64($|\.)"),
    "osx-64": re.compile(r"(^|\.)macosx_[^.-]*_(x86_64|universal2)($|\.)"),
    "osx-arm64": re.compile(r"(^|\.)macosx_[^.-]*_(arm64|universal2)($|\.)"),
    "win-64": re.compile(r"(^|\.)win_amd64($|\.)"),
}


@pytest.mark.parametrize("path", corpus_files(), ids=[p.name[:60] for p in corpus_files()])
def test_corpus_counts_only_the_target_and_no_change_makes_it_bigger(path, capsys):
    rep = report(capsys, path)
    target = rep["target"]["platform"]
    for p in rep["packages"]:
        for side in (p["before"], p["after"]):
            if side and side["bytes"] is not None:
                plat = side["platform"]
                if side["kind"] == "wheel":
                    assert plat.endswith("-any") or WHEEL_ON[target].search(plat.split("-")[-1]), (p["name"], plat)
                else:
                    assert plat in (target, "noarch"), (p["name"], plat)
        if p["rules"] and p["before"] and p["after"] and p["before"]["bytes"] and p["after"]["bytes"]:
            assert p["after"]["bytes"] <= p["before"]["bytes"], p["name"]
    saving = rep["estimate"]["saving_bytes"]
    assert saving is None or saving >= 0
    assert all(f["saving_bytes"] is None or f["saving_bytes"] >= 0 for f in rep["findings"])  # 0: a guard (nomkl)


# -- the additive schema fields ------------------------------------------------------------------------------------


def _problems(**fig) -> list[str]:
    from envslim.knowledge.schema import validate_entry

    base = {"id": "f", "side": "conda-forge", "kind": "closure", "version": "1", "platform": "linux-64",
            "note": "n", "source": "S1", "date": "2026-01-01", "installed_bytes": 10}
    return validate_entry({"name": "demo", "summary": "s", "sources": SRC, "figures": [{**base, **fig}]}, "demo")


def test_schema_of_estimates_and_members():
    ok = dict(estimate=True, installed_low=8, installed_high=12, python="3.12")
    assert _problems(**ok) == []
    assert _problems(estimate=True) == ["figures[0].estimate: an estimate needs installed_low and installed_high"]
    assert _problems(installed_low=1, installed_high=20) == ["figures[0].installed_low: a range is only for estimate = true"]
    assert _problems(**{**ok, "installed_low": 11}) == [
        "figures[0].installed_bytes: must lie within installed_low..installed_high"]
    assert _problems(**{**ok, "python": "py312"}) == [
        "figures[0].python: 'py312' is not a Python minor version like '3.12'"]
    assert _problems(pypi_name="no good") == ["figures[0].pypi_name: 'no good' is not a PyPI project name"]
    assert _problems(members=[]) == ["figures[0].members: unknown field"]  # members live in knowledge/members/


def test_schema_of_a_members_file():
    from envslim.knowledge.schema import validate_members

    fig = {"id": "c", "kind": "closure", "installed_bytes": 10, "installed_low": 8, "installed_high": 12}
    entry = {"figures": [fig, {"id": "p", "kind": "package"}]}
    m = {"name": "a", "version": "1", "installed_bytes": 4, "installed_low": 3, "installed_high": 5}
    good = {"closures": [{"figure": "c", "members": [m, {**m, "name": "b", "installed_bytes": 6,
                                                        "installed_low": 5, "installed_high": 7}]}]}
    assert validate_members(good, entry) == []
    assert validate_members({"closures": [{"figure": "c", "members": [m, m]}]}, entry) == [
        "closures[0].members[1].name: 'a' listed twice",
        "closures[0].members: installed_bytes add up to 8, not 10",
        "closures[0].members: installed_low add up to 6, not 8",
        "closures[0].members: installed_high add up to 10, not 12"]
    assert validate_members({"closures": [{"figure": "p", "members": [m]}]}, entry) == [
        "closures[0].figure: 'p' is not a closure figure of the entry"]


@pytest.mark.parametrize("text, version, fits", [
    ("pyarrow>=12,<13", "12.0.1", True), ("pyarrow>=12,<13", "14.0.2", False),
    ("opencv-python==4.3.*", "4.3.0.38", True), ("opencv-python==4.3.*", "4.8.1.78", False),
    ("x", "1", True), ("x[a]>=2 ; python_version>'3'", "3", True), ("x===weird", "1", False),
])
def test_a_pip_constraint(text, version, fits):
    """PEP 440 decides a pip line's figure; a constraint it cannot read fits no figure (a labelled stand-in,
    never a wrong one)."""
    from envslim.environment.report import PipSpec

    assert PipSpec(text).matches_version(version) is fits


def test_a_figure_from_a_committed_environment_or_lock_is_dated_when_that_environment_existed(capsys):
    """The date is when the measured thing existed, not when it was read (GUIDE, principle 2): partrita/notebook's
    osx-arm64 conda-meta was committed at f441c1d on 2024-04-14; H-Glacier/py-cantera's conda-meta/history
    installs mkl and intel-openmp 2023.1.0 on 2025-06-16; dataframely's pixi.lock @9c5c38f is of 2026-08-04.
    Each figure said 2026-11-27, the day the files were read (the sources keep that date: when retrieved)."""
    def lines(name: str) -> list[str]:
        assert main(["explain", name, "--verbose"]) == 0
        return capsys.readouterr().out.splitlines()

    assert ("  conda-forge closure 15.0.0 osx-arm64: 402,339,680 B (402.3 MB) installed, 79,676,687 B (79.7 MB)"
            " archives, 63 packages [S3, 2024-04-14]") in lines("pyarrow")
    assert ("  defaults package 2023.1.0 linux-64: 799,360,504 B (799.4 MB) installed, 179,871,206 B (179.9 MB)"
            " archives [S1, 2025-06-16]") in lines("mkl")
    assert ("  defaults package 2023.1.0 linux-64: 71,628,660 B (71.6 MB) installed, 18,012,149 B (18.0 MB)"
            " archives [S1, 2025-06-16]") in lines("intel-openmp")
    assert "  conda-forge closure 2.5.1 linux-64: 17,644,376 B (17.6 MB) archives, 7 packages [S1, 2026-08-04]" \
        in lines("numpy")


def test_numpys_advice_compares_the_conda_closure_with_the_wheel_of_the_same_platform(capsys):
    """numpy's advice said conda-forge's OpenBLAS numpy (a 53.8 MB osx-arm64 closure) "is no bigger than the PyPI
    wheel (64.7 MB)", the Linux x86_64 cp311 wheel: on osx-arm64 the cp312 wheel installs 45,391,820 B (PyPI,
    2026-12-07), smaller; on linux-64 the snapshot's 1.26.4 closure (94.8 MB est.) is bigger than 64.7 MB too."""
    assert main(["explain", "numpy", "--verbose"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert ("  conda-forge numpy with OpenBLAS is about the size of the PyPI wheel, which bundles its own OpenBLAS"
            " (1.26.4 on osx-arm64: a 53.8 MB installed closure, the cp312 wheel 45.4 MB); what matters is keeping"
            " MKL out (nomkl)") in out
    assert ("  pypi wheel 1.26.4 cp312-cp312-macosx_11_0_arm64: 45,391,820 B (45.4 MB) installed, 13,685,868 B"
            " (13.7 MB) wheel [S8, 2026-12-07]") in out
