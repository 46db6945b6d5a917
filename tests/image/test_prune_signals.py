"""envslim prune under signals, kills and hanging smoke tests, in real processes.

envslim runs as a child of ``reaper.py`` (a child subreaper: whatever the smoke test leaves behind comes back
to it and is reaped, so the test can say how each process ended). Every signal is sent at a named point:
``ENVSLIM_PAUSE_AT=POINT:FIFO`` makes envslim write POINT into FIFO there and wait; the smoke test itself
writes ``run N PGID`` into the same FIFO and sleeps when its run number is ``$SMOKE_PAUSE_IN``. The test
reads that line, then signals. Nothing waits on a clock: every wait is for a line, an exit or a pipe's end
(the 60 s bounds only end a test whose code under test is broken)."""

from __future__ import annotations

import json
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from envslim.cli import main
from envslim.image import trace
from envslim.image.trash import TRACE_PREFIX, TRASH_PREFIX
from tests.image.test_prune import CONDA_FILES, build
from tests.image.test_trace import SP, _digest, _make, tree

REAPER = str(Path(__file__).with_name("reaper.py"))
ENVSLIM = [sys.executable, "-c", "import sys; from envslim.cli import main; sys.exit(main(sys.argv[1:]))"]

PAUSER = """\
import os, time
d = os.environ.get("SMOKE_DIR")
if d:
    count = os.path.join(d, "{counter}")
    n = int(open(count).read()) + 1 if os.path.exists(count) else 1
    open(count, "w").write(str(n))
    if {when}:
        with open(os.path.join(d, "fifo"), "w") as f:
            f.write("{label} %d %d\\n" % (n, os.getpgid(0)))
        time.sleep(600)
"""
# The smoke test: imports used; counts its runs, and the run $SMOKE_PAUSE_IN says so in the FIFO and hangs.
SMOKE = "import used\n" + PAUSER.format(counter="count", label="run", when='os.environ.get("SMOKE_PAUSE_IN") == str(n)')
# A package whose second import (the check after the files went to the trash) says so in the FIFO and hangs.
HANG = PAUSER.format(counter="imports", label="import", when="n == 2")

STOPPED = "envslim prune: stopped by {}; the prefix is as it was before this run\n"


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> str:
    """The smoke command (the same text in every test, so that reports compare whole)."""
    script = tmp_path_factory.mktemp("smoke") / "smoke.py"
    script.write_text(SMOKE)
    return f"python {script}"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """One venv, copied for each test (its pyvenv.cfg names the path it was made at: copies have equal bytes)."""
    old = os.environ.get("PYTHONDONTWRITEBYTECODE")
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        return _make(tmp_path_factory.mktemp("template") / "env")
    finally:
        if old is None:
            del os.environ["PYTHONDONTWRITEBYTECODE"]
        else:
            os.environ["PYTHONDONTWRITEBYTECODE"] = old


def _copy(template: Path, to: Path) -> Path:
    shutil.copytree(template, to, symlinks=True)
    return to


@pytest.fixture(scope="module")
def reference(tmp_path_factory, template: Path, smoke: str) -> dict[str, tuple[str, dict]]:
    """An uninterrupted run on a fresh copy, per mode: (report with the prefix as {P}, tree after)."""
    found = {}
    for mode, argv in (("trace", ["--keep-used-by", smoke]), ("plain", [])):
        prefix = _copy(template, tmp_path_factory.mktemp("ref") / "env")
        old = os.environ.get("PYTHONDONTWRITEBYTECODE")
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
        try:
            out = _in_process(str(prefix), *argv)
        finally:
            if old is None:
                del os.environ["PYTHONDONTWRITEBYTECODE"]
            else:
                os.environ["PYTHONDONTWRITEBYTECODE"] = old
        assert out[:2] == (0, "")
        found[mode] = (out[2].replace(str(prefix), "{P}"), tree(prefix))
    return found


def _in_process(*argv: str) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["prune", *argv])
    return rc, err.getvalue(), out.getvalue()


@pytest.fixture
def prefix(tmp_path: Path, template: Path, monkeypatch) -> Path:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    return _copy(template, tmp_path / "env")


class Run:
    """envslim prune in a child process of reaper.py, with the FIFO both envslim and the smoke test write to."""

    def __init__(self, tmp_path: Path, argv: list[str], *, pause_at: str = "", pause_in: str = "") -> None:
        self.dir = tmp_path
        self.fifo = tmp_path / "fifo"
        os.mkfifo(self.fifo)
        os.mkfifo(str(self.fifo) + ".go")  # envslim waits at its pause until this is opened for writing
        self.fd = os.open(self.fifo, os.O_RDWR | os.O_NONBLOCK)  # a writer too: reads wait for a line, never EOF
        self.tmp = tmp_path / "tmp"  # TMPDIR: a prune keeps what it makes inside the prefix, so this stays empty
        self.tmp.mkdir()
        env = dict(os.environ, SMOKE_DIR=str(tmp_path), TMPDIR=str(self.tmp))
        if pause_at:
            env["ENVSLIM_PAUSE_AT"] = f"{pause_at}:{self.fifo}"
        if pause_in:
            env["SMOKE_PAUSE_IN"] = pause_in
        self.out = tmp_path / "envslim.out"
        self.proc = subprocess.Popen(
            [sys.executable, REAPER, str(self.out), *ENVSLIM, "prune", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        self.pid = int(self.proc.stdout.readline())
        self.buf = b""

    def line(self) -> str:
        """The next line written into the FIFO (a pause point's name, or ``run N PGID``)."""
        while b"\n" not in self.buf:
            ready, _, _ = select.select([self.fd], [], [], 60)
            if not ready or self.proc.poll() is not None:
                self.kill_all()
                raise AssertionError(f"no pause reached: {self.finish()}")
            self.buf += os.read(self.fd, 4096)
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode()

    def go(self) -> None:
        """Let envslim on from its pause."""
        os.close(os.open(str(self.fifo) + ".go", os.O_WRONLY))

    def kill_all(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def finish(self) -> tuple[dict, str, str]:
        """(reaper's JSON, envslim's stdout, envslim's stderr) once envslim and all it left have ended."""
        try:
            rest, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:  # envslim still waiting for something it should have ended
            self.kill_all()
            rest, err = self.proc.communicate()
            raise AssertionError(f"envslim did not end within 60 s of the signal: {err}") from None
        os.close(self.fd)
        return json.loads(rest.strip().splitlines()[-1]), self.out.read_text(), err


def _pause_at(point: str) -> dict:
    """Run or envslim pause point -> Run keyword arguments."""
    return {"pause_in": point[-1]} if point.startswith("run") else {"pause_at": point}


TRACE_POINTS = ["hooked", "run1", "moving", "trashed", "run2", "verified"]


def _reach(run: Run, point: str) -> str:
    line = run.line()
    if point.startswith("run"):
        assert line.startswith(f"run {point[-1]} ")
        return line.split()[2]  # the smoke test's process group
    assert line == point
    return ""


@pytest.mark.parametrize(
    "point",
    [pytest.param(p, marks=[] if p == "run2" else pytest.mark.slow) for p in TRACE_POINTS],
)
def test_sigterm_at_every_point_of_keep_used_by_puts_everything_back(prefix: Path, tmp_path: Path, smoke: str, point: str) -> None:
    before = _digest(prefix)
    run = Run(tmp_path, [str(prefix), "--keep-used-by", smoke], **_pause_at(point))
    _reach(run, point)
    os.kill(run.pid, signal.SIGTERM)
    result, out, err = run.finish()
    assert (result["rc"], err) == (143, STOPPED.format("SIGTERM"))
    assert out == ""
    assert result["alive"] == []  # the smoke test's whole group was ended, nothing left running
    assert _digest(prefix) == before  # byte for byte, modes and times
    assert not list(prefix.glob(TRASH_PREFIX + "*")) and not (prefix / SP / trace.PTH_NAME).exists()
    assert not list(prefix.glob(TRACE_PREFIX + "*")) and list(run.tmp.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGINT])
def test_sighup_and_sigint_during_the_second_run_put_everything_back(prefix: Path, tmp_path: Path, smoke: str, sig) -> None:
    before = _digest(prefix)
    run = Run(tmp_path, [str(prefix), "--keep-used-by", smoke], pause_in="2")
    _reach(run, "run2")
    os.kill(run.pid, sig)
    result, out, err = run.finish()
    assert (result["rc"], err, result["alive"]) == (128 + sig, STOPPED.format(signal.Signals(sig).name), [])
    assert _digest(prefix) == before


def test_sigterm_while_the_verified_files_are_deleted_finishes_the_run(prefix: Path, tmp_path: Path, smoke: str, reference) -> None:
    run = Run(tmp_path, [str(prefix), "--keep-used-by", smoke], pause_at="deleting")
    _reach(run, "deleting")
    os.kill(run.pid, signal.SIGTERM)
    run.go()
    result, out, err = run.finish()
    report, after = reference["trace"]
    assert result["rc"] == 143
    assert err == "envslim prune: SIGTERM came while deleting the verified files; the run was finished first\n"
    assert out == report.replace("{P}", str(prefix))
    assert tree(prefix) == after


def _recovery_line(files: int, size: int) -> str:
    return (
        f"envslim prune: left by an interrupted run: {files:,} file{'' if files == 1 else 's'} ({size:,} bytes) in "
        f"{TRASH_PREFIX}XXXXXXXX/, put back\n"
    )


HOOK_LINE = f"envslim prune: left by an interrupted run: the tracer hook {SP}/{trace.PTH_NAME}, removed\n"
TRACING_LINE = (f"envslim prune: left by an interrupted run: the tracer hook {SP}/{trace.PTH_NAME}, removed; the trace"
                f" folder {TRACE_PREFIX}XXXXXXXX/, removed\n")


def _moved(before: dict, after: dict) -> tuple[int, int]:
    """Files (and links) the prune removes, and their bytes as the trash counts them (a link: its target's length)."""
    gone = [k for k in before if not k.endswith("/") and k not in after]
    return len(gone), sum(v if isinstance(v, int) else len(v) - 3 for k, v in before.items() if k in gone)


@pytest.mark.parametrize(
    "point",
    [pytest.param(p, marks=[] if p == "hooked" else pytest.mark.slow) for p in TRACE_POINTS],
)
def test_sigkill_at_every_point_is_recovered_by_the_next_run(prefix: Path, tmp_path: Path, smoke: str, point: str, reference) -> None:
    before = tree(prefix)
    run = Run(tmp_path, [str(prefix), "--keep-used-by", smoke], **_pause_at(point))
    group = _reach(run, point)
    os.kill(run.pid, signal.SIGKILL)
    if group:
        os.killpg(int(group), signal.SIGKILL)  # a killed envslim cannot end its smoke test: the test does
    result, _, _ = run.finish()
    assert result["rc"] == -signal.SIGKILL and result["alive"] == []
    assert list(run.tmp.iterdir()) == []  # nothing left outside the prefix
    hook = prefix / SP / trace.PTH_NAME
    trashes = list(prefix.glob(TRASH_PREFIX + "*"))
    traces = list(prefix.glob(TRACE_PREFIX + "*"))
    report, after = reference["trace"]
    if point in ("hooked", "run1"):
        assert hook.read_text() == trace.pth_line() and trashes == [] and len(traces) == 1
        assert (traces[0] / "tracer.py").read_text() == trace.TRACER
        expected = TRACING_LINE
    else:
        assert not hook.exists() and len(trashes) == 1 and traces == []
        files, size = _moved(before, after) if point != "moving" else (1, 17)  # the first file moved: a test file
        expected = _recovery_line(files, size)
    rc, err, out = _in_process(str(prefix), "--keep-used-by", smoke)
    assert rc == 0
    assert re.sub(r"(\.envslim-tra(?:sh|ce)-)\w+/", r"\1XXXXXXXX/", err) == expected
    assert out == report.replace("{P}", str(prefix))  # the same prefix as before the killed run: same report
    assert tree(prefix) == after


@pytest.mark.slow
@pytest.mark.parametrize("point", ["moving", "trashed"])
def test_plain_prune_rolls_back_on_sigterm(prefix: Path, tmp_path: Path, point: str) -> None:
    """With its import check (the prefix's Python runs), the files wait in the trash: SIGTERM puts them back."""
    before = _digest(prefix)
    run = Run(tmp_path, [str(prefix)], pause_at=point)
    _reach(run, point)
    os.kill(run.pid, signal.SIGTERM)
    result, out, err = run.finish()
    assert (result["rc"], out, err) == (143, "", STOPPED.format("SIGTERM"))
    assert _digest(prefix) == before


def test_sigterm_during_the_import_check_ends_the_imports_and_puts_everything_back(prefix: Path, tmp_path: Path) -> None:
    """An import that hangs (120 s allowed each) is ended at once: envslim does not wait for it."""
    (prefix / SP / "hang").mkdir()
    (prefix / SP / "hang" / "__init__.py").write_text(HANG)
    before = _digest(prefix)
    run = Run(tmp_path, [str(prefix)])
    line = run.line()
    assert line.startswith("import 2 ")
    os.kill(run.pid, signal.SIGTERM)
    result, out, err = run.finish()
    assert (result["rc"], out, err, result["alive"]) == (143, "", STOPPED.format("SIGTERM"), [])
    assert _digest(prefix) == before


def test_plain_prune_without_a_python_rolls_back_on_sigterm(tmp_path: Path) -> None:
    """No import check here (no Python in the prefix): the files still go through the trash first."""
    conda = build(tmp_path / "conda", CONDA_FILES)
    before = _digest(conda)
    run = Run(tmp_path, [str(conda)], pause_at="moving")
    _reach(run, "moving")
    assert len(list(conda.glob(TRASH_PREFIX + "*"))) == 1
    os.kill(run.pid, signal.SIGTERM)
    result, out, err = run.finish()
    assert (result["rc"], out, err) == (143, "", STOPPED.format("SIGTERM"))
    assert _digest(conda) == before


@pytest.mark.slow
def test_plain_prune_killed_is_recovered_by_the_next_run(prefix: Path, tmp_path: Path, reference) -> None:
    before = tree(prefix)
    run = Run(tmp_path, [str(prefix)], pause_at="trashed")
    _reach(run, "trashed")
    os.kill(run.pid, signal.SIGKILL)
    assert run.finish()[0]["rc"] == -signal.SIGKILL
    report, after = reference["plain"]
    rc, err, out = _in_process(str(prefix))
    assert rc == 0
    assert re.sub(re.escape(TRASH_PREFIX) + r"\w+/", TRASH_PREFIX + "XXXXXXXX/", err) == _recovery_line(1, 17)
    assert out == report.replace("{P}", str(prefix))
    assert tree(prefix) == after == {k: v for k, v in before.items() if "used/tests" not in k}


def test_a_dry_run_leaves_a_stale_trash_and_says_so(prefix: Path, tmp_path: Path, capsys) -> None:
    """--dry-run only reads: it names the trash (not counted in its report) and a real run puts it back."""
    before = tree(prefix)
    run = Run(tmp_path, [str(prefix)], pause_at="trashed")
    _reach(run, "trashed")
    os.kill(run.pid, signal.SIGKILL)
    run.finish()
    (trash,) = [p.name for p in prefix.glob(TRASH_PREFIX + "*")]
    stale = tree(prefix)
    rc, err, out = _in_process(str(prefix), "--dry-run")
    assert rc == 0
    assert err == (
        f"envslim prune: left by an interrupted run: the trash {trash}/, left for a run without --dry-run "
        "(which puts its files back)\n"
    )
    assert "tests                  0               0   0.0%\n" in out  # the test file is in the trash, not seen
    assert tree(prefix) == stale
    rc, err, _ = _in_process(str(prefix), "--keep", "*")  # a real run that removes nothing: only the recovery
    assert (rc, err) == (0, f"envslim prune: left by an interrupted run: 1 file (17 bytes) in {trash}/, put back\n")
    assert tree(prefix) == before


def test_a_stale_hook_is_removed_and_said_once(prefix: Path, capsys, smoke: str) -> None:
    hook = prefix / SP / trace.PTH_NAME
    hook.write_text(trace.pth_line()[:10])  # a kill while the hook was written
    rc, err, out = _in_process(str(prefix), "--keep-used-by", smoke, "--dry-run")
    assert (rc, err) == (0, HOOK_LINE)
    assert not hook.exists()
    rc, err, out = _in_process(str(prefix), "--keep-used-by", smoke, "--dry-run")
    assert (rc, err) == (0, "")


def test_a_stale_trace_folder_is_left_by_a_dry_run_and_removed_by_a_run(prefix: Path, capsys) -> None:
    """A dry run that does not trace only names it; a run removes it (it is never counted in a report)."""
    before = tree(prefix)
    stale = prefix / f"{TRACE_PREFIX}abc123"
    (stale / "out").mkdir(parents=True)
    (stale / "tracer.py").write_text(trace.TRACER)
    (stale / "out" / "123.txt").write_text(f"{prefix}/{SP}/used/__init__.py\n")
    rc, err, out = _in_process(str(prefix), "--dry-run")
    assert (rc, err) == (0, f"envslim prune: left by an interrupted run: the trace folder {TRACE_PREFIX}abc123/, left"
                            " for a run without --dry-run\n")
    assert TRACE_PREFIX not in out
    assert (stale / "out" / "123.txt").exists()
    rc, err, _ = _in_process(str(prefix), "--keep", "*")  # a real run that removes nothing: only the recovery
    assert (rc, err) == (0, f"envslim prune: left by an interrupted run: the trace folder {TRACE_PREFIX}abc123/,"
                            " removed\n")
    assert tree(prefix) == before


def test_a_hook_file_that_is_not_envslims_is_refused(prefix: Path, smoke: str) -> None:
    hook = prefix / SP / trace.PTH_NAME
    hook.write_text("import mine\n")
    before = _digest(prefix)
    rc, err, out = _in_process(str(prefix), "--keep-used-by", smoke)
    assert (rc, out) == (2, "")
    assert err == f"{prefix}/{SP}/{trace.PTH_NAME}: exists and is not envslim's tracer hook; nothing was changed\n"
    assert _digest(prefix) == before


def test_a_prune_already_running_on_the_prefix_is_refused(prefix: Path, tmp_path: Path, smoke: str) -> None:
    run = Run(tmp_path, [str(prefix), "--keep-used-by", smoke], pause_at="trashed")
    _reach(run, "trashed")
    for extra in ([], ["--dry-run"], ["--keep-used-by", smoke]):
        rc, err, out = _in_process(str(prefix), *extra)
        assert (rc, out, err) == (2, "", f"{prefix}: another envslim prune is working on it; nothing was changed\n")
    os.kill(run.pid, signal.SIGTERM)
    assert run.finish()[0]["rc"] == 143


def test_a_stale_stripped_copy_is_removed(prefix: Path, capsys) -> None:
    copy = prefix / SP / "used.libs" / ".libfoo.so.1.envslim-strip"
    copy.write_text("S" * 9)
    rc, err, out = _in_process(str(prefix), "--keep", "*")
    assert (rc, err) == (
        0,
        f"envslim prune: left by an interrupted run: the stripped copy {SP}/used.libs/.libfoo.so.1.envslim-strip, removed\n",
    )
    assert not copy.exists()


# -- the smoke test's time, process group and output ---------------------------------------------------------

GRANDCHILD = "(sleep 600 & echo $! >> {pids}); "


@pytest.mark.parametrize("when, pause_in, state", [("before", "1", "nothing was changed"), ("after", "2", "every file was put back")])
def test_a_smoke_test_that_does_not_finish_is_ended_at_the_timeout(
    prefix: Path, tmp_path: Path, smoke: str, when: str, pause_in: str, state: str
) -> None:
    """SMOKE_PAUSE_IN makes that run hang (the FIFO is never read); --smoke-timeout 1 ends it and its group."""
    before = _digest(prefix)
    pids = tmp_path / "pids"
    command = GRANDCHILD.format(pids=pids) + smoke
    run = Run(tmp_path, [str(prefix), "--keep-used-by", command, "--smoke-timeout", "1"], pause_in=pause_in)
    result, out, err = run.finish()
    first = err.splitlines()[0]
    assert result["rc"] == 2
    assert first == (
        f"envslim prune: --keep-used-by '{command}' did not finish within 1 s {when} pruning (--smoke-timeout); {state}"
    )
    grandchildren = [int(p) for p in pids.read_text().split()]
    assert len(grandchildren) == int(pause_in)
    assert all(result["ended"][str(p)] == -signal.SIGKILL for p in grandchildren)  # ended by envslim, not by time
    assert result["alive"] == []
    assert _digest(prefix) == before


def test_a_background_process_of_the_smoke_test_is_ended_with_it(prefix: Path, tmp_path: Path, smoke: str) -> None:
    """(sleep 600 &) keeps the output pipe open; envslim ends the group when the shell exits instead of waiting."""
    pids = tmp_path / "pids"
    command = GRANDCHILD.format(pids=pids) + smoke
    run = Run(tmp_path, [str(prefix), "--keep-used-by", command])
    result, out, err = run.finish()
    assert (result["rc"], err) == (0, "")
    assert out.endswith(" left\n") and "verified: " in out
    grandchildren = [int(p) for p in pids.read_text().split()]
    assert len(grandchildren) == 2  # one per run
    assert all(result["ended"][str(p)] == -signal.SIGKILL for p in grandchildren)
    assert result["alive"] == []


@pytest.mark.slow
def test_the_smoke_tests_output_is_kept_in_bounded_memory(prefix: Path, tmp_path: Path) -> None:
    """512 MiB of output: envslim keeps its last MiB (the report shows its last lines); peak memory stays low."""
    if shutil.which("yes") is None or shutil.which("head") is None:
        pytest.skip("needs yes and head")
    command = "python -c 'import used'; yes envslim | head -c 536870912; exit 7"
    run = Run(tmp_path, [str(prefix), "--keep-used-by", command])
    result, out, err = run.finish()
    assert result["rc"] == 2
    assert err == (
        f"envslim prune: --keep-used-by {shlex.quote(command)} fails before pruning (exit 7); nothing was changed\n"
        + "    envslim\n" * 20
    )
    assert result["maxrss_kib"] < 120 * 1024  # 536 MB through the pipe; before: the whole output, several times


def test_the_tail_keeps_the_last_bytes() -> None:
    tail = trace._Tail(keep=10)
    for i in range(100):
        tail.feed(b"%03d\n" % i)
    assert len(tail.buf) <= 20
    assert tail.text() == "[390 bytes of output before this not kept]\n7\n098\n099\n"
