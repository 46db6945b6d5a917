"""What stays keeps what it may need (issue 22, conservatively): a staying package without a build that fits
(unknown, or a stand-in) keeps what any of its builds depends on, so that nothing it may need is counted as
leaving; a staying name the snapshot does not know at all leaves the saving unknown, with its snapshot figure
given as a bound."""

from __future__ import annotations

from envslim.environment import effects
from envslim.environment.model import Environment
from tests.environment.graphkit import doc, graph, python_records, rec

# python 3.8 has no build here (python is unknown: its dependencies are not walked from it); tool 1.0 has builds
# for Python 3.11 (depends on liba) and 3.12 (libb) only, so the 3.12 build stands in
RECS = python_records("3.11") + [
    rec("gui", "1.0", "h0_0", ["gui-base 1.0", "qt >=6"], subdir="noarch", size=10_000),
    rec("gui-base", "1.0", "pyh0_0", ["python >=3.8"], subdir="noarch", size=2_000_000),
    rec("qt", "6.9", "h0_0", ["libsqlite >=3.40", "liba"], size=50_000_000),
    rec("liba", "1", "h0_0", size=3_000_000),
    rec("libb", "1", "h0_0", size=4_000_000),
    rec("tool", "1.0", "py311h0_0", ["python_abi 3.11.* *_cp311", "liba"], size=1_000_000),
    rec("tool", "1.0", "py312h0_0", ["python_abi 3.12.* *_cp312", "libb"], size=1_000_000),
]


def env_of(extra: str = "") -> Environment:
    text = "channels:\n  - conda-forge\ndependencies:\n  - python=3.8\n  - gui\n  - tool\n" + extra
    return Environment.from_document(doc(text), None, graph(RECS))


def test_an_unknown_or_stand_in_package_keeps_what_any_of_its_builds_needs():
    env = env_of()
    assert (env.unknown, env.stand_in) == ({"python"}, {"tool": "stand-in: 1.0 py312h0_0 is built for Python 3.12, not 3.8"})
    assert sorted(env.closure({"python", "gui-base", "tool"})) == ["gui-base", "libb", "python", "python_abi", "tool"]
    # python's builds need libsqlite and libzlib; tool's other build needs liba
    assert sorted(env.kept({"python", "gui-base", "tool"})) == ["gui-base", "liba", "libb", "libsqlite", "libzlib",
                                                               "python", "python_abi", "tool"]


def test_a_rename_leaves_only_what_nothing_that_stays_may_need():
    eff = effects.effect_of_rename(env_of(), "gui", "gui-base")
    assert (eff.leaving, eff.arriving, eff.unpriced) == (("gui", "qt"), (), ())
    assert (eff.saving_bytes, eff.saving_range) == (150_030_000, (125_025_000, 200_040_000))
    assert eff.how == ("environment estimate (range 125.0 MB to 200.0 MB) for linux-64, Python 3.8, from the graph"
                       " snapshot of 2026-05-01: 2 package(s) leave (gui, qt), each counted once")


def test_a_staying_name_the_snapshot_does_not_know_leaves_the_saving_unknown():
    env = env_of("  - mystery\n")
    eff = effects.effect_of_rename(env, "gui", "gui-base")
    assert (eff.leaving, eff.saving_bytes, eff.saving_range, eff.gone) == (("gui", "qt"), None, None, ())
    assert eff.unpriced == ("what mystery keeps (not in the snapshot)",)
    assert eff.how == ("unknown: mystery stays and is not in the snapshot, so what it keeps of what would leave cannot"
                       " be judged; as far as the graph snapshot of 2026-05-01 knows, 2 package(s) leave for linux-64,"
                       " Python 3.8: at most ~150.0 MB (range 125.0 MB to 200.0 MB)")
    assert eff.made and eff.worth == 200_040_000  # the fix is still worth making; its saving is not claimed
    eff = effects.effect_of_drop(env, "gui")
    assert (eff.leaving, eff.saving_bytes, eff.unpriced) == (("gui", "gui-base", "qt"), None,
                                                             ("what mystery keeps (not in the snapshot)",))
