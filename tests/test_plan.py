"""The plan record: frozen findings, one outcome each with its state and reason, edits in original offsets."""

from __future__ import annotations

import json

import pytest

from envslim._record import FrozenInstanceError
from envslim.cli import main
from envslim.document.edits import Edit, splice
from envslim.document.envfile import PIP_LAST, EnvFile
from envslim.plan import Change, OffsetMap, Options, State, make_plan

MIX = ("channels:\n  - conda-forge\n  - defaults\ndependencies:\n  - pip\n  - requests\n  - numpy>=2\n  - pandas<2.0\n"
       "  - pyarrow=17.0.0=py311hbd00459_1\n  - pip:\n    - requests>=2.31\n")


def outcomes(text: str, **options) -> list[tuple]:
    plan = make_plan(EnvFile.from_text(text, "env.yml"), Options(**options))
    return [(o.finding.rule, o.finding.package, o.state, o.reason, o.line, o.action) for o in plan.outcomes]


def test_each_finding_has_one_outcome_with_its_state_and_reason():
    assert outcomes(MIX) == [
        ("ES007", "defaults", State.UNSAFE, "", 3, "edit-channels"),
        ("ES005", "numpy", State.REFUSED, "conflicting pin", 7, "report"),
        ("ES001", "pyarrow", State.UNSAFE, "build string 'py311hbd00459_1' dropped: PEP 440 has no build strings", 9, "move-to-pip"),
        ("ES006", "requests", State.REFUSED, "the pip line carries a constraint", 11, "report"),
    ]


def test_suppressed_findings_are_kept_with_what_silenced_them():
    text = ("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - pyarrow>=17  # envslim: ignore[ES001]\n"
            "  - defaults::pandas<2.0  # envslim: keep\n  - python=3.11\n")
    assert outcomes(text) == [
        ("ES001", "pyarrow", State.SUPPRESSED, "# envslim: ignore[ES001]", 5, "move-to-pip"),
        ("ES005", "numpy", State.SUPPRESSED, "# envslim: keep", 6, "add"),
    ]
    assert outcomes(text.replace("  # envslim: ignore[ES001]", ""), keep=frozenset({"PyArrow"}))[0][2:4] == (
        State.SUPPRESSED, "keep in the config")


def test_unsafe_fixes_turn_unsafe_outcomes_into_applied_ones():
    got = outcomes(MIX, unsafe_fixes=True)
    # ES007 turns defaults into nodefaults, so ES002 (MKL from defaults) sees the final channels and is not due
    assert [(rule, state) for rule, _, state, *_ in got] == [
        ("ES007", State.APPLIED), ("ES005", State.REFUSED), ("ES001", State.APPLIED), ("ES006", State.REFUSED)]


def test_findings_are_frozen():
    plan = make_plan(EnvFile.from_text(MIX, "env.yml"))
    with pytest.raises(FrozenInstanceError):
        plan.outcomes[0].finding.note = "changed"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        plan.outcomes[0].state = State.APPLIED  # type: ignore[misc]


def test_a_later_round_edits_in_original_offsets():
    """dask -> dask-core (ES004, unsafe, round 0) lifts the hold dask has on pyarrow: the move (ES001) comes in
    round 1, its edits placed in the original text (and labelled unsafe: made possible by an unsafe fix)."""
    text = "name: t\nchannels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - dask\n  - pyarrow\n  - python=3.12\n"
    plan = make_plan(EnvFile.from_text(text, "env.yml"), Options(unsafe_fixes=True))
    d, p, end = text.index("dask"), text.index("pyarrow"), len(text)
    py = text.index("  - python")
    assert [(o.finding.rule, o.round, o.line, o.edits, o.changes, sorted(o.lines)) for o in plan.outcomes] == [
        ("ES004", 0, 6, (Edit(d, d + 4, "dask-core"),), (Change("replace", "dependencies", d, d + 4, "dask", "dask-core"),),
         [6]),
        ("ES001", 1, 7, (Edit(p - 4, py, ""), Edit(py, py, "  - pip\n"), Edit(end, end, "  - pip:\n    - pyarrow\n", PIP_LAST)),
         (Change("remove", "dependencies", p, p + 7, "pyarrow", ""), Change("insert-pip", "pip", end, end, "", "pyarrow"),
          Change("insert-conda", "dependencies", py, py, "", "pip")), [7, 8]),
    ]
    assert plan.outcomes[1].finding.safety == "unsafe"
    assert plan.new_text == ("name: t\nchannels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - dask-core\n  - pip\n"
                             "  - python=3.12\n  - pip:\n    - pyarrow\n")


def test_a_removal_and_a_replacement_name_the_original_values():
    text = "channels:\n  - conda-forge\n  - defaults\ndependencies:\n  - pyarrow>=17\n  - python=3.11\n"
    plan = make_plan(EnvFile.from_text(text, "env.yml"), Options(unsafe_fixes=True))
    got = {o.finding.rule: o.changes for o in plan.applied}
    pa = text.index("pyarrow")
    df = text.index("defaults")
    assert got["ES001"][0] == Change("remove", "dependencies", pa, pa + len("pyarrow>=17"), "pyarrow>=17", "")
    assert got["ES007"][0] == Change("replace", "channels", df, df + len("defaults"), "defaults", "nodefaults")


def test_offset_map_carries_offsets_back_through_a_splice():
    old = "0123456789"
    edits = [Edit(2, 4, "XYZ"), Edit(6, 6, "ab")]
    new = splice(old, edits)
    assert new == "01XYZ45ab6789"
    m = OffsetMap(edits)
    assert [m.back(p) for p in range(len(new) + 1)] == [0, 1, 2, 2, 2, 4, 5, 6, 6, 6, 7, 8, 9, 10]
    assert [m.back(p, end=True) for p in (2, 3, 5, 7, 9)] == [4, 4, 4, 6, 6]
    # two rounds: the second map goes on back through the first
    edits2 = [Edit(0, 1, "")]
    assert splice(new, edits2) == "1XYZ45ab6789"
    m2 = OffsetMap(edits2, m)
    assert [m2.back(p) for p in (0, 4, 8)] == [1, 4, 6]


def test_json_findings_carry_the_outcome_state(tmp_path, capsys):
    (tmp_path / ".envslim.toml").write_text("")
    path = tmp_path / "env.yml"
    path.write_text(MIX)
    assert main(["report", "--format", "json", str(path)]) == 0
    findings = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert [(f["rule"], f["outcome"], f["reason"], f["status"]) for f in findings] == [
        ("ES007", "unsafe", "not verified: run with --solve", "unsafe fix, use --unsafe-fixes"),
        ("ES005", "refused", "conflicting pin", "not fixed: conflicting pin"),
        ("ES001", "unsafe", "build string 'py311hbd00459_1' dropped: PEP 440 has no build strings",
         "unsafe fix, use --unsafe-fixes: build string 'py311hbd00459_1' dropped: PEP 440 has no build strings"),
        ("ES006", "refused", "the pip line carries a constraint", "not fixed: the pip line carries a constraint"),
    ]
    assert {f["outcome"] for f in findings} <= {s.value for s in State}
