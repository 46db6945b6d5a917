from __future__ import annotations

import pytest

from envslim.solve.engine import EnvSpec, Settings, solve_environment
from envslim.solve.errors import Unsolvable

from .world import build_world


def solve(env, *conda, pip=(), channels=("conda-forge",), **kw):
    return solve_environment(EnvSpec(tuple(channels), tuple(conda), tuple(pip)), Settings.from_environ(**kw))


def test_solved_sizes_equal_paths_json(channel, pypi, env):
    build_world(channel, pypi)
    channel.publish()
    sol = solve(env, "python=3.11", "pyarrow=15", "pip", pip=("tqdm",))["linux-64"]
    rows = [(p.manager, p.name, p.version, p.build, p.size.value) for p in sol.packages]
    print(rows)
    for p in sol.conda():
        assert p.size.value == channel.installed_bytes(p.filename)
        assert p.size.value != p.archive_bytes
