"""Test helper, run as a script: ``python reaper.py STDOUT_FILE COMMAND...``.

Runs COMMAND (its standard output into STDOUT_FILE, its standard error passed through) as a child subreaper
(Linux ``prctl(PR_SET_CHILD_SUBREAPER)``), so every process COMMAND leaves behind becomes this process's
child when its parent ends. Prints COMMAND's pid on the first line; when COMMAND ends, reaps every process
left and prints one JSON line: COMMAND's exit status, its peak memory (KiB), and how each process left
behind ended (exit status, or minus the signal). A process still alive 60 s after COMMAND ended (only when
the code under test failed to end it) is killed with SIGTERM and listed under "alive"."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36


def _children() -> list[int]:
    me = os.getpid()
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me:
                found.append(int(name))
    return found


def main() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit("prctl(PR_SET_CHILD_SUBREAPER) failed")
    with open(sys.argv[1], "wb") as out:
        proc = subprocess.Popen(sys.argv[2:], stdout=out)
    print(proc.pid, flush=True)
    _, status, usage = os.wait4(proc.pid, 0)
    ended: dict[int, int] = {}
    alive: list[int] = []

    def give_up(*_):
        raise TimeoutError

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(60)
    try:
        while True:
            pid, st = os.wait()
            ended[pid] = os.waitstatus_to_exitcode(st)
    except ChildProcessError:
        pass
    except TimeoutError:
        alive = _children()
        for pid in alive:
            os.kill(pid, signal.SIGTERM)
    signal.alarm(0)
    result = {"rc": os.waitstatus_to_exitcode(status), "maxrss_kib": usage.ru_maxrss, "ended": ended, "alive": alive}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
