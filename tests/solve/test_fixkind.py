"""What a fix is (its kind, package and new name) and how a pair of solves proves it: no solver here,
the solutions are written out."""

from __future__ import annotations

import pytest

from envslim.document.envfile import EnvFile
from envslim.plan import Options, make_plan
from envslim.solve.fileplan import Fix, fix_of
from envslim.solve.model import Size, Solution, SolvedPackage
from envslim.solve.verify import compare


def fixes(text: str, **kw) -> dict[tuple[str, str], Fix]:
    env = EnvFile.from_text(text, "environment.yml")
    plan = make_plan(env, Options(**kw))
    return {(o.finding.rule, o.finding.package): fix_of(o.finding, env) for o in plan.shown if o.finding.ops}


def test_kinds_from_the_fixes():
    text = ("name: t\nchannels:\n  - conda-forge\n  - defaults\ndependencies:\n  - python=3.11\n"
            "  - matplotlib>=3.8\n  - pyarrow\n  - numpy\n  - pip\n  - pip:\n    - opencv-python\n")
    assert fixes(text, unsafe_fixes=True) == {
        ("ES007", "defaults"): Fix("channel", "defaults"),
        ("ES004", "matplotlib"): Fix("rename", "matplotlib", "matplotlib-base"),
        ("ES001", "pyarrow"): Fix("move", "pyarrow", "pyarrow"),
        ("ES004", "opencv-python"): Fix("rename", "opencv-python", "opencv-python-headless"),
    }


def pkg(manager, name, size, depends=(), version="1.0"):
    return SolvedPackage(manager, name, version, "h0_0" if manager == "conda" else "", Size(size), depends=depends)


def sol(*packages, requested=()):
    return Solution("linux-64", list(packages), list(requested))


BEFORE = sol(pkg("conda", "python", 100), pkg("conda", "matplotlib", 10, ("matplotlib-base", "pyqt")),
             pkg("conda", "matplotlib-base", 50, ("python",)), pkg("conda", "pyqt", 400, ("python",)),
             requested=[("conda", "python", "python"), ("conda", "matplotlib", "matplotlib")])


def test_a_rename_is_proven_when_the_old_leaves_the_new_is_there_and_bytes_leave():
    after = sol(pkg("conda", "python", 100), pkg("conda", "matplotlib-base", 50, ("python",)))
    v = compare(BEFORE, after, "rename", "matplotlib", "matplotlib-base")
    assert (v.verified, v.reason, v.saving.value) == (True, "", 410)
    # the same pair judged as a move fails: matplotlib-base, which only matplotlib needed, stays
    v = compare(BEFORE, after, "move", "matplotlib")
    assert (v.verified, v.reason) == (False, "matplotlib-base stays on the conda side (matplotlib needed it):"
                                             " matplotlib-base is still requested from conda")


@pytest.mark.parametrize(("after", "reason"), [
    (sol(pkg("conda", "python", 100), pkg("conda", "matplotlib", 10, ("matplotlib-base", "pyqt")),
         pkg("conda", "matplotlib-base", 50), pkg("conda", "pyqt", 400), pkg("conda", "seaborn", 5, ("matplotlib",))),
     "matplotlib stays after the rename: seaborn 1.0 requires matplotlib"),
    (sol(pkg("conda", "python", 100)), "matplotlib-base is not installed after the rename"),
    (sol(pkg("conda", "python", 100), pkg("conda", "matplotlib-base", 500, version="2.0")), "no saving: -40 bytes"),
])
def test_a_rename_is_refused(after, reason):
    v = compare(BEFORE, after, "rename", "matplotlib", "matplotlib-base")
    assert (v.verified, v.reason) == (False, reason)


@pytest.mark.parametrize("kind", ["channel", "pin", "guard"])
def test_a_channel_fix_pin_or_guard_is_proven_by_solving(kind):
    v = compare(BEFORE, BEFORE, kind, "defaults")
    assert (v.verified, v.reason, v.saving.value) == (True, "", 0)


def test_a_move_needs_pip_to_bring_the_package():
    before = sol(pkg("conda", "python", 100), pkg("conda", "pyarrow", 300, ("python",)),
                 requested=[("conda", "python", "python"), ("conda", "pyarrow", "pyarrow")])
    brought = sol(pkg("conda", "python", 100), pkg("pip", "pyarrow", 200))
    assert compare(before, brought, "move", "pyarrow", "pyarrow").verified
    v = compare(before, sol(pkg("conda", "python", 100)), "move", "pyarrow", "pyarrow")
    assert (v.verified, v.reason) == (False, "pyarrow is not installed by pip after the move")


def test_a_drop_with_no_effect_is_refused():
    before = sol(pkg("conda", "python", 100), pkg("conda", "ipython", 30), pkg("conda", "jupyter", 5, ("ipython",)))
    after = sol(pkg("conda", "python", 100), pkg("conda", "ipython", 30), pkg("conda", "nbkit", 5, ("ipython",)))
    v = compare(before, after, "drop", "ipython")
    assert (v.verified, v.reason) == (False, "ipython stays (nbkit 1.0 requires ipython): removing the line has no effect")


def test_a_rename_whose_new_name_is_unknown_still_needs_the_old_to_leave():
    v = compare(BEFORE, BEFORE, "rename", "matplotlib")
    assert (v.verified, v.reason) == (False, "matplotlib stays after the rename: matplotlib is still requested")


def test_a_move_pulled_back_through_a_dependency_names_the_path():
    before = sol(pkg("conda", "python", 100), pkg("conda", "pyarrow", 300, ("python",)),
                 pkg("conda", "datasets", 10, ("pyarrow",)), pkg("conda", "transformers", 10, ("datasets",)),
                 requested=[("conda", "python", "python"), ("conda", "pyarrow", "pyarrow"),
                            ("conda", "transformers", "transformers")])
    after = sol(*before.packages, pkg("pip", "pyarrow", 200),
                requested=[("conda", "python", "python"), ("conda", "transformers", "transformers")])
    v = compare(before, after, "move", "pyarrow", "pyarrow")
    assert (v.verified, v.reason) == (False, "pyarrow pulled back: datasets 1.0 requires pyarrow from conda"
                                             " (transformers \u2192 datasets \u2192 pyarrow)")
    assert v.effect.pulled_back_by == ("transformers", "datasets", "pyarrow")


def test_the_solved_effect_in_the_offline_terms():
    from envslim.solve.verify import solved_effect

    after = sol(pkg("conda", "python", 100), pkg("conda", "matplotlib-base", 50, ("python",), version="2.0"))
    effect = solved_effect(BEFORE, after, "matplotlib")
    assert effect.as_json() == {"leaving": ["matplotlib", "pyqt"], "arriving": []}
    assert (effect.saving_bytes, effect.pulled_back_by) == (410, ())
    v = compare(BEFORE, after, "rename", "matplotlib", "matplotlib-base")
    assert v.effect == effect
