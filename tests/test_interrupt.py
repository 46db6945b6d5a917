"""Ctrl-C in a real envslim process, at a known point of its start: one line, exit 130, never a traceback.

The point is reached by the test alone, at no cost to a normal run: a folder on PYTHONPATH holds a module of
the standard library's name that envslim imports (``argparse`` while ``envslim.cli`` imports, before main()
runs; ``bisect`` while the command imports ``envslim.plan``, inside main()). The stand-in says so on stderr
and blocks reading its stdin, a pipe the test never writes; the test reads that line, then sends SIGINT.
Every wait is for a line or an exit (the 60 s bounds only end a test whose code under test is broken)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

STAND_IN = """\
import os
os.write(2, b"paused importing {name}\\n")
os.read(0, 1)  # the test never writes: blocked here until the signal
os.write(2, b"not interrupted\\n")
"""
ENV = "channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n  - pyarrow\n"


def _command(how: str) -> list[str]:
    if how == "script":
        script = Path(sys.executable).parent / "envslim"
        if not script.exists():
            pytest.skip(f"no envslim console script beside {sys.executable} (pip install -e .)")
        return [str(script)]
    return [sys.executable, "-m", "envslim"]


def _line(stream, bound: float = 60.0) -> bytes:
    ready, _, _ = select.select([stream], [], [], bound)
    assert ready, "envslim said nothing within the bound"
    return stream.readline()


@pytest.mark.parametrize("how", ["script", "module"])
@pytest.mark.parametrize("module", ["argparse", "bisect"])
def test_ctrl_c_while_envslim_imports_is_one_line_and_exit_130(tmp_path, how, module):
    stand_in = tmp_path / "stand-in"
    stand_in.mkdir()
    (stand_in / f"{module}.py").write_text(STAND_IN.format(name=module))
    (tmp_path / "env.yml").write_text(ENV)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVSLIM_")} | {
        "PYTHONPATH": f"{stand_in}{os.pathsep}{ROOT}", "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen([*_command(how), "rewrite", "--check", "env.yml"], cwd=tmp_path, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert _line(proc.stderr) == f"paused importing {module}\n".encode()
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(timeout=60)
        out, err = proc.stdout.read(), proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
    assert (rc, out, err.decode()) == (130, b"", "envslim: interrupted\n")
    assert (tmp_path / "env.yml").read_text() == ENV


def test_an_uncaught_ctrl_c_in_a_program_that_imports_envslim_is_not_envslim_s(tmp_path):
    """Only envslim's own run says "envslim: interrupted": a program that imports envslim keeps Python's own
    handling (a traceback, and the status of a process SIGINT ended)."""
    program = tmp_path / "other.py"
    program.write_text("import os, envslim\nos.write(2, b'ready\\n')\nos.read(0, 1)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen([sys.executable, str(program)], env=env, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert _line(proc.stderr) == b"ready\n"
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(timeout=60)
        err = proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdin.close()
        proc.stderr.close()
    assert rc == -signal.SIGINT
    assert err.startswith("Traceback (most recent call last):\n") and err.endswith("KeyboardInterrupt\n")
