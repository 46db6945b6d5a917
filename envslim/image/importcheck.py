"""The import check of ``envslim prune``: which top-level modules of the prefix's site-packages import
before pruning, and whether they still do after.

Everything runs in the prefix's own Python, each import in a fresh process (``-I``: no PYTHON* variables,
no user site, no current folder on the path; ``-B``: no byte-code written into the prefix); envslim's own
process never imports the prefix's code.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

IMPORT_TIMEOUT = 120.0  # seconds for one import (torch, tensorflow take a few; a hang is a failure)

# Run in the prefix's Python: one line per top-level module of its site-packages, "folder<TAB>name".
_LIST = r"""
import os, pkgutil, site, sys
root = os.path.realpath(sys.prefix)
seen = []
for p in site.getsitepackages() if hasattr(site, "getsitepackages") else []:
    r = os.path.realpath(p)
    if os.path.isdir(r) and (r + os.sep).startswith(root + os.sep) and r not in seen:
        seen.append(r)
for m in pkgutil.iter_modules(seen):
    if not m.name.startswith("__") and m.name.isidentifier():
        print(os.path.realpath(m.module_finder.path) + "\t" + m.name)
"""


class NoPython(Exception):
    """The prefix has no Python that runs here (missing, or built for another platform)."""


@dataclass(frozen=True)
class Module:
    name: str
    folder: str  # its site-packages, relative to the prefix ("lib/python3.12/site-packages")

    def owns(self, rel: str) -> bool:
        """True for a path (relative to the prefix) of this module: its package folder or its file."""
        head, _, base = rel.rpartition("/")
        if rel.startswith(f"{self.folder}/{self.name}/"):
            return True
        return head == self.folder and base.split(".", 1)[0] == self.name


def find_python(prefix: str) -> str | None:
    for name in ("bin/python3", "bin/python", "python.exe", "Scripts/python.exe"):
        path = os.path.join(prefix, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.abspath(path)  # run from another folder: a relative path would miss it
    return None


def run_python(python: str, code: str, timeout: float, args: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """``python -I -B -c code ARGS`` in a session of its own: on timeout (``subprocess.TimeoutExpired``) the
    whole group is killed, so that a process it started cannot keep the pipes (and envslim) waiting."""
    with subprocess.Popen(
        [python, "-I", "-B", "-c", code, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        cwd=os.path.dirname(python),
        start_new_session=True,
    ) as proc:
        _running.add(proc)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end(proc)
            proc.communicate()
            raise
        finally:
            _running.discard(proc)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


_running: set[subprocess.Popen] = set()  # the imports under way, ended at once when envslim is stopped


def _end(proc: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def modules(prefix: str, timeout: float = IMPORT_TIMEOUT) -> tuple[str, list[Module]]:
    """The prefix's Python and the top-level modules of its site-packages; raises NoPython with the reason."""
    python = find_python(prefix)
    if python is None:
        raise NoPython("no executable bin/python3 or bin/python")
    rel_python = os.path.relpath(python, os.path.abspath(prefix))
    try:
        done = run_python(python, _LIST, timeout)
    except OSError as e:
        raise NoPython(f"{rel_python} does not start: {e.strerror or e}") from None
    except subprocess.TimeoutExpired:
        raise NoPython(f"{rel_python} did not list its modules within {timeout:g} s") from None
    if done.returncode != 0:
        raise NoPython(f"{rel_python} exits {done.returncode}: {_last_line(done.stderr)}")
    root = os.path.realpath(prefix)
    found = []
    for line in done.stdout.splitlines():
        folder, _, name = line.partition("\t")
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        if name and not rel.startswith(".."):
            found.append(Module(name, rel))
    return python, sorted(set(found), key=lambda m: (m.name, m.folder))


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else "no message"


def import_each(python: str, names: Iterable[str], timeout: float = IMPORT_TIMEOUT) -> dict[str, str | None]:
    """Import each name in a fresh process of ``python``: name -> None when it imports, else why not."""

    def one(name: str) -> str | None:
        try:
            done = run_python(python, f"import {name}", timeout)
        except subprocess.TimeoutExpired:
            return f"no answer within {timeout:g} s"
        except OSError as e:
            return e.strerror or str(e)
        return None if done.returncode == 0 else _last_line(done.stderr)

    names = sorted(set(names))
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        futures = [pool.submit(one, name) for name in names]
        try:
            return {name: f.result() for name, f in zip(names, futures)}
        except BaseException:  # a signal: end the imports under way instead of waiting for them
            for f in futures:
                f.cancel()
            for proc in list(_running):
                _end(proc)
            raise


_MISSING = re.compile(r"No module named '([\w.]+)'")


def needed_by(module: Module, reason: str, moved: Iterable[str]) -> list[str]:
    """The moved files a failing import most likely needs: the module's own, and those of a module its error
    names as missing (``No module named 'pkg.tests.x'``)."""
    missing = _MISSING.search(reason)
    part = "/" + missing.group(1).replace(".", "/") if missing else None
    return [rel for rel in moved if module.owns(rel) or (part is not None and _names(f"/{rel}", part))]


def _names(path: str, part: str) -> bool:
    return part + "/" in path or part + "." in path
