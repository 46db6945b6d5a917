"""``envslim report``'s wording of ranges and unknowns: one figure where a range's two ends are the same, marked
as an estimate only where it is one; the total's unknown count is the number of unknown parts (the packages
without a figure and what counted ones need without one), and the estimate line names them. Exact text;
corpus tests skip when ../shared is absent."""

from __future__ import annotations

import pytest

from envslim.cli import main
from tests.conftest import CORPUS

STAND_IN = ("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.10\n  - pip\n  - pip:\n"
            "    - pyarrow==14.0.2\n")


def report(capsys, path) -> list[str]:
    assert main(["report", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out.splitlines()


def test_a_stand_in_wheel_is_one_figure_and_its_requirements_are_counted_as_unknown(tmp_path, capsys):
    """The knowledge base has pyarrow 14.0.2's cp311 wheel only (125,377,397 B): for Python 3.10 it stands in,
    an estimate of one figure (it printed "estimate 125.4 to 125.4 MB"); its requirements have no figure for that
    release, one unknown part on each side (it printed "0 unknown")."""
    (tmp_path / "env.yml").write_text(STAND_IN)
    lines = report(capsys, tmp_path / "env.yml")
    assert lines[6] == "  total    279.0 MB, 1 unknown              368.9 MB, 1 unknown"
    assert lines[7] == ("estimate: before 279,006,953 B (232.7 to 324.2 MB), after 368,870,771 B (290.8 to 444.8 MB);"
                        " 0 of 3 packages before and 0 of 4 after"
                        " have no figure for the target and are not counted; nor are the parts of counted figures that"
                        " have none: pyarrow 14.0.2's requirements (the snapshot has 26.0.1's); the saving leaves out"
                        " numpy (known on one side only)")
    (fig,) = [line for line in lines if line.startswith("  [3] pyarrow: ")]
    assert fig.startswith("  [3] pyarrow: 125,377,397 B installed (pypi wheel 14.0.2 cp311-cp311-manylinux_2_28_x86_64,"
                          " estimate 125.4 MB; stand-in: 14.0.2's figure is of its Python 3.11 build, not 3.10's; not counted, no figure"
                          " for the target: pyarrow 14.0.2's requirements (the snapshot has 26.0.1's)); ")


def _corpus(prefix: str):
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    (src,) = CORPUS.glob(f"{prefix}__*")
    return src


def test_096_a_closure_member_without_a_figure_is_an_unknown_part(capsys):
    """mamba's test file: beautifulsoup4's closure has typing_extensions, which has no figure for Python 3.9."""
    lines = report(capsys, _corpus("096"))
    assert lines[5] == "  total           171.6 MB, 1 unknown              171.6 MB, 1 unknown"
    assert lines[6] == ("estimate: before 171,575,179 B (121.5 to 220.5 MB), after 171,575,179 B (121.5 to 220.5 MB);"
                        " 0 of 3 packages before and 0 of 3 after"
                        " have no figure for the target and are not counted; nor are the parts of counted figures that"
                        " have none: typing_extensions")


def test_022_an_image_whose_python_has_no_figure_is_unknown(capsys):
    """022 is a defaults export of 317 packages, of which the snapshot prices one or two, python not among them. Its
    image printed "before ~375.5 MB; ... ~269.5 MB (253.1 to 286.5 MB) on distroless", a sum without the
    interpreter that reads as an image several times smaller than the file builds: each side is unknown."""
    (line,) = [x for x in report(capsys, _corpus("022")) if x.startswith("image ")]
    assert line == ("image (modeled, estimate): before unknown; after the rewrite unknown, with the default prune"
                    " unknown on debian:bookworm-slim (76.8 MB), unknown on distroless; partial: no figure for 316 before"
                    " and 317 after package(s), not counted; unknown before and after the rewrite: python itself has no"
                    " figure for the target")


def test_an_image_without_a_spread_is_one_figure():
    """A side whose counted figures are all exact prints one figure, not "~375.5 MB (375.5 to 375.5 MB)"; with the
    prune's estimated share it has a range. The environment of 298,671,723 B is exact on both sides, beside the
    measured debian:bookworm-slim of 76,828,277 B (375.5 MB together)."""
    from envslim.image.model import model
    from envslim.output.report import image_line

    exact = (298_671_723, 298_671_723, 298_671_723, 1)
    line = image_line(model({"before": (exact, 0, 1), "after": (exact, 0, 1)}))
    assert line == ("image (modeled, estimate): before ~375.5 MB; after the rewrite ~375.5 MB, with the default prune"
                    " ~325.6 MB (309.2 to 342.0 MB) on debian:bookworm-slim (76.8 MB), ~269.5 MB (253.1 to 286.5 MB) on"
                    " distroless")


def test_an_image_with_packages_not_counted_is_at_least_its_figure():
    """A side with a package that has no figure weighs more than the sum of the rest: pip torch==2.3.0 unknown beside
    a priced python printed "before ~251.9 MB", as if the torch wheels (and their CUDA wheels) weighed nothing. Only
    the partial side says "at least"."""
    from envslim.image.model import model
    from envslim.output.report import image_line

    exact = (298_671_723, 298_671_723, 298_671_723, 1)
    line = image_line(model({"before": (exact, 1, 2), "after": (exact, 0, 1)}))
    assert line == ("image (modeled, estimate): before at least ~375.5 MB; after the rewrite ~375.5 MB, with the"
                    " default prune ~325.6 MB (309.2 to 342.0 MB) on debian:bookworm-slim (76.8 MB), ~269.5 MB (253.1 to"
                    " 286.5 MB) on distroless; partial: no figure for 1 before package(s), not counted")
    line = image_line(model({"before": (exact, 0, 1), "after": (exact, 2, 3)}))
    assert line == ("image (modeled, estimate): before ~375.5 MB; after the rewrite at least ~375.5 MB, with the"
                    " default prune at least ~325.6 MB (309.2 to 342.0 MB) on debian:bookworm-slim (76.8 MB), at least"
                    " ~269.5 MB (253.1 to 286.5 MB) on distroless; partial: no figure for 2 after package(s), not counted")


def test_a_saving_of_measured_wheels_is_not_called_an_estimate(tmp_path, capsys):
    """opencv-python -> opencv-python-headless 4.8.1.78: both wheels measured (173,332,711 and 139,462,892 B); the
    estimated rows (pip and python, added) are on one side only and not in the saving (it printed
    "saves ~33.9 MB, estimate")."""
    (tmp_path / "env.yml").write_text("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - pip:\n"
                                      "    - opencv-python==4.8.1.78\n")
    assert main(["report", "--unsafe-fixes", str(tmp_path / "env.yml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == ("  opencv-python     pip 173.3 MB wheel [1]  pip 139.5 MB wheel [2]           replaced by"
                        " opencv-python-headless (ES004): saves ~33.9 MB")
    assert lines[5] == "  total             173.3 MB, 1 unknown     314.5 MB, 1 unknown              saves ~33.9 MB"


def test_208_a_change_whose_saving_is_unknown_says_so(capsys):
    """208's matplotlib rename: rdkit stays and is not in the snapshot, so the finding claims no saving; the row
    says the saving is unknown instead of leaving it out."""
    (line,) = [x for x in report(capsys, _corpus("208")) if x.startswith("  matplotlib ")]
    assert line == ("  matplotlib       conda 1,356.7 MB closure stand-in [1]   conda 175.9 MB closure stand-in [2]"
                    "   replaced by matplotlib-base (ES004): saving unknown")


def test_the_totals_are_estimates_and_print_their_range_in_the_table_and_markdown_as_in_json(capsys):
    """The API stack's totals are sums of estimated figures: the table's estimate line and the markdown headline
    gave the point values only (818,681,725 B, 713,928,105 B), the JSON their ranges; now all three agree."""
    import json

    from tests.conftest import SHARED

    stack = SHARED / "examples" / "stacks" / "api.yml"
    if not stack.exists():
        pytest.skip("../shared is absent")
    lines = report(capsys, stack)
    assert lines[18] == ("estimate: before 818,681,725 B (552.2 to 1,077.8 MB), after 713,928,105 B (536.7 to 886.2 MB);"
                         " 1 of 15 packages before and 1 of 15 after have no figure for the target and are not counted")
    assert main(["report", "--format", "markdown", str(stack)]) == 0
    headline = capsys.readouterr().out.splitlines()[2]
    assert headline.startswith("**Estimated footprint: 818.7 MB (552.2 to 1,077.8 MB) → 713.9 MB (536.7 to 886.2 MB)**"
                               " (saves ~104.8 MB, estimate 15.4 to 191.6 MB);")
    assert main(["report", "--format", "json", str(stack)]) == 0
    est = json.loads(capsys.readouterr().out)["files"][0]["estimate"]
    assert (est["before_range"], est["after_range"]) == ([552188622, 1077795213], [536749191, 886173861])


def test_a_measured_total_prints_no_range(tmp_path, capsys):
    """defaults' mkl is measured (a committed conda-meta): the before total is one figure; the after side's
    libopenblas is estimated from its archive bytes and gives its range."""
    path = tmp_path / "environment.yml"
    path.write_text("name: t\nchannels:\n  - defaults\ndependencies:\n  - python=3.11\n  - numpy\n")
    lines = report(capsys, path)
    assert lines[7] == ("estimate: before 870,989,164 B, after 21,286,098 B (15.5 to 27.0 MB); 2 of 3 packages before"
                        " and 3 of 4 after have no figure for the target and are not counted; nor are the parts of"
                        " counted figures that have none: before only: tbb, zlib")
