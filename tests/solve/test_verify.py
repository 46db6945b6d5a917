"""Verify a fix by a before/after pair of real solves."""

from __future__ import annotations

import pytest

from envslim.solve.engine import EnvSpec, Settings, solve_many
from envslim.solve.errors import Unsolvable
from envslim.solve.verify import combine, compare, refused, saving

pytestmark = pytest.mark.slow  # real solves (py-rattler, uv) on the tests' local channel and index


def pair(before, after, **kw):
    b, a = solve_many([before, after], Settings.from_environ(**kw))
    return b, a


CF = ("conda-forge",)


def test_move_to_pip_is_verified_with_the_measured_saving(world, env):
    before = EnvSpec(CF, ("python=3.11", "pyarrow=15", "pip"))
    after = EnvSpec(CF, ("python=3.11", "pip"), ("pyarrow==15.0.0",))
    b, a = pair(before, after)
    verdict = compare(b["linux-64"], a["linux-64"], "move", "pyarrow")
    leaving = sum(p.size.value for p in b["linux-64"].conda() if a["linux-64"].find(p.name, "conda") is None)
    added = sum(p.size.value for p in a["linux-64"].pip())
    assert [p.name for p in a["linux-64"].pip()] == ["numpy", "pyarrow"]  # numpy left conda with pyarrow
    assert verdict.verified and verdict.reason == ""
    assert verdict.saving.value == leaving - added
    assert leaving == 200_000 + 210_000 + 3_000 + 110_000 + 90_000 + 70_000


def test_move_refused_when_a_conda_package_pulls_it_back(world, env):
    before = EnvSpec(CF, ("python=3.11", "pyarrow=15", "zict", "pip"))
    after = EnvSpec(CF, ("python=3.11", "zict", "pip"), ("pyarrow==15.0.0",))
    b, a = pair(before, after)
    if isinstance(a, Unsolvable):  # pip may refuse first: conda's pyarrow is already there
        verdict = refused(a)
    else:
        verdict = compare(b["linux-64"], a["linux-64"], "move", "pyarrow")
    assert not verdict.verified
    assert verdict.reason == "pyarrow pulled back: zict 1.4.0 requires pyarrow from conda"


def test_guard_is_verified_to_solve_not_to_save(world, env):
    before = EnvSpec(CF, ("python=3.11", "numpy"))
    after = EnvSpec(CF, ("python=3.11", "numpy", "nomkl"))
    b, a = pair(before, after)
    verdict = compare(b["linux-64"], a["linux-64"], "guard", "nomkl")
    assert verdict.verified
    assert verdict.saving.value == 0  # OpenBLAS was already the default; nomkl itself writes nothing
    assert a["linux-64"].find("nomkl").size.value == 0


def test_guard_refused_when_an_mkl_only_build_is_required(world, env):
    before = EnvSpec(CF, ("python=3.11", "mklsolver"))
    after = EnvSpec(CF, ("python=3.11", "mklsolver", "nomkl"))
    b, a = pair(before, after)
    assert isinstance(a, Unsolvable)
    verdict = refused(a)
    assert not verdict.verified and verdict.saving.value is None
    assert "mklsolver" in verdict.reason and "nomkl" in verdict.reason


def test_rename_to_a_variant_missing_at_the_pinned_version_is_refused(world, env):
    before = EnvSpec(CF, ("python=3.11", "pyarrow=15"))
    after = EnvSpec(CF, ("python=3.11", "pyarrow-core=15"))
    b, a = pair(before, after)
    assert isinstance(a, Unsolvable)
    assert "No candidates were found for pyarrow-core 15.*" in a.message


def test_every_platform_must_verify(world, env):
    before = EnvSpec(CF, ("python=3.11", "numpy"))
    after = EnvSpec(CF, ("python=3.11", "numpy", "locket"))
    b, a = pair(before, after, platforms=["linux-64", "linux-aarch64"])
    assert isinstance(a, Unsolvable) and a.platform == "linux-aarch64"  # no locket for aarch64 here
    verdicts = [compare(b["linux-64"], b["linux-64"], "guard"), refused(a)]
    assert combine(verdicts).reason == a.message


def test_saving_is_unknown_when_a_size_is_unknown(world, env):
    from dataclasses import replace

    from envslim.solve.model import Size

    b, a = pair(EnvSpec(CF, ("python=3.11", "pyarrow=15", "pip")),
                EnvSpec(CF, ("python=3.11", "pip"), ("pyarrow==15.0.0",)))
    before = b["linux-64"]
    before.packages[0] = replace(before.packages[0], size=Size(None))
    assert saving(before, a["linux-64"]).value is None
    verdict = compare(before, a["linux-64"], "move", "pyarrow")
    assert not verdict.verified and verdict.reason == "saving unknown: a size could not be measured"


def test_an_estimated_artifact_on_both_sides_cancels_out(world, env):
    b, a = pair(EnvSpec(CF, ("python=3.11", "pyarrow=15", "pip", "locket")),
                EnvSpec(CF, ("python=3.11", "pip", "locket"), ("pyarrow==15.0.0",)))
    assert b["linux-64"].find("locket").size.estimate
    verdict = compare(b["linux-64"], a["linux-64"], "move", "pyarrow")
    assert verdict.verified and not verdict.saving.estimate
    plain = pair(EnvSpec(CF, ("python=3.11", "pyarrow=15", "pip")),
                 EnvSpec(CF, ("python=3.11", "pip"), ("pyarrow==15.0.0",)))
    assert verdict.saving.value == saving(plain[0]["linux-64"], plain[1]["linux-64"]).value
