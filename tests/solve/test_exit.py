"""A failed solve ends with its one line and exit 2, every time (issue: 9-20% of failing runs died in
py-rattler's runtime during interpreter finalisation, exit 134 or 139; see ``envslim.cli.leave``)."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _runs(path: Path, env: dict[str, str], n: int, code: str) -> list[tuple[int, str, str]]:
    argv = [sys.executable, "-c", code, "report", "--solve", str(path)]
    full = dict(os.environ, **env, PYTHONPATH=str(ROOT))

    def one(_: int) -> tuple[int, str, str]:
        proc = subprocess.run(argv, env=full, capture_output=True, text=True, timeout=300)
        return proc.returncode, proc.stdout, proc.stderr

    with ThreadPoolExecutor(max_workers=4) as pool:  # parallel batches: 2 cores, mostly waiting on I/O
        return list(pool.map(one, range(n)))


@pytest.mark.slow
def test_fifty_failing_solves_in_a_row_all_exit_2(world, env, tmp_path):
    path = tmp_path / "environment.yml"
    path.write_text("name: x\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pyarrow>=99\n")
    line = (f"{path}: does not solve: linux-64: Cannot solve the request because of: "
            "No candidates were found for pyarrow >=99\n")
    # the console script's way in: main() without argv
    results = _runs(path, env, 50, "import sys; from envslim.cli import main; sys.argv[0] = 'envslim'; main()")
    assert [r for r in results if r != (2, "", line)] == []


@pytest.mark.slow
def test_a_run_that_solved_skips_finalisation_after_flushing(world, env, tmp_path):
    """What makes the exit code right every time: after the last line, nothing of the interpreter's
    teardown runs (an atexit hook stands for it), and everything printed is out."""
    path = tmp_path / "environment.yml"
    path.write_text("name: x\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pyarrow>=99\n")
    code = ("import atexit, sys; atexit.register(lambda: print('finalised', file=sys.stderr));"
            " from envslim.cli import main; sys.argv[0] = 'envslim'; main()")
    [(rc, out, err)] = _runs(path, env, 1, code)
    assert (rc, out) == (2, "")
    assert err == (f"{path}: does not solve: linux-64: Cannot solve the request because of: "
                   "No candidates were found for pyarrow >=99\n")


def test_main_with_argv_returns_without_leaving(capsys):
    from envslim.cli import main

    assert main(["explain", "ES001"]) == 0  # in-process callers (tests, tools) get the code back
    assert capsys.readouterr().out.startswith("ES001")


def test_every_console_run_skips_finalisation_after_flushing(tmp_path):
    """The hook's run (no rattler) leaves the same way: everything printed is out, the exit code is the
    command's, and nothing of the interpreter's teardown runs after the last line."""
    import subprocess
    import sys

    path = tmp_path / "environment.yml"
    path.write_text("name: x\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pyarrow\n")
    code = ("import atexit, sys; atexit.register(lambda: print('finalised', file=sys.stderr));"
            " from envslim.cli import main; sys.argv[0] = 'envslim'; main()")
    done = subprocess.run([sys.executable, "-c", code, "rewrite", "--check", str(path)], capture_output=True,
                          text=True, timeout=120)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines()[-1] == f"would rewrite {path}"
    assert "finalised" not in done.stdout + done.stderr


def test_the_hook_command_runs_without_the_cyclic_collector_and_others_with_it(tmp_path):
    """``rewrite`` (the pre-commit hook) switches the cyclic garbage collector off for its short run;
    every other command keeps it (report --solve, prune and refresh can hold much more)."""
    import subprocess
    import sys

    path = tmp_path / "environment.yml"
    path.write_text("name: x\ndependencies:\n  - python=3.11\n")
    code = ("import gc, sys, envslim.plan; real = envslim.plan.plan_file;"
            " envslim.plan.plan_file = lambda *a, **k: (print('gc', gc.isenabled(), file=sys.stderr), real(*a, **k))[1];"
            " from envslim.cli import main; sys.argv[0] = 'envslim'; main()")
    for command, enabled in (("rewrite", False), ("report", True)):
        done = subprocess.run([sys.executable, "-c", code, command, str(path)], capture_output=True, text=True,
                              timeout=120)
        assert done.stderr.splitlines()[0] == f"gc {enabled}", done.stderr
