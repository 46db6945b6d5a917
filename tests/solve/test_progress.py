"""Progress for solves and size lookups: drawn in place on a terminal, cleared at the end, quiet in CI
and when stderr is not a terminal."""

from __future__ import annotations

import io

from envslim.commands.solving import _Progress
from envslim.solve.engine import EnvSpec, Settings, solve_environment


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_lines_on_a_terminal(world, env, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    term = Terminal()
    progress = _Progress(term)
    solve_environment(EnvSpec(("conda-forge",), ("python=3.11",)), Settings.from_environ(progress=progress))
    progress.clear()
    frames = term.getvalue().split("\r")
    assert frames[1].rstrip() == "solving linux-64"
    assert [f.rstrip() for f in frames[2:-2]] == ["sizes linux-64: 1/1"]
    assert frames[-1] == ""  # cleared: the line ends empty, at column 0
    assert frames[-2].strip() == ""


def test_quiet_in_ci_and_off_a_terminal(world, env, monkeypatch):
    monkeypatch.setenv("CI", "true")
    term = Terminal()
    progress = _Progress(term)
    progress("solving linux-64")
    progress.clear()
    assert term.getvalue() == ""
    monkeypatch.delenv("CI")
    pipe = io.StringIO()
    progress = _Progress(pipe)
    progress("solving linux-64")
    assert pipe.getvalue() == ""
