"""Signals during a prune: SIGTERM, SIGHUP and SIGINT become :class:`Stopped` (so every ``except
BaseException`` on the way puts the files back), except inside :func:`held` sections, which a signal never
cuts in two (writing the hook, putting files back): there it waits for the section's end. Past
:func:`commit` (the prune is verified, its trash is being deleted) a signal no longer stops the run: it
finishes, and the command exits with the signal's status (:data:`late`).

:func:`pause` is a test hook: ``ENVSLIM_PAUSE_AT=POINT:FIFO`` makes the run write ``POINT`` into ``FIFO`` when
it reaches ``POINT``, then wait until ``FIFO.go`` is opened for writing, so that a test can send a signal
at exactly that point. Both must be FIFOs: a variable naming anything else does nothing (it never opens,
truncates or waits on a regular file, a device or a missing path)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = ("SIGTERM", "SIGHUP", "SIGINT")


class Stopped(BaseException):
    """A signal stopped the run (not an Exception: only ``except BaseException`` sees it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


_held = 0
_pending: list[int] = []
_committed = ""
late: list[tuple[int, str]] = []  # (signal, what the run was finishing when it came), after commit()


def _handler(signum: int, _frame) -> None:
    if _committed:
        late.append((signum, _committed))
        return
    if _held:
        _pending.append(signum)
        return
    raise Stopped(signum)


@contextmanager
def raising() -> Iterator[None]:
    """While inside: the signals of :data:`SIGNALS` raise :class:`Stopped` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for name in SIGNALS:
        sig = getattr(signal, name, None)
        if sig is not None:
            previous[sig] = signal.signal(sig, _handler)
    late.clear()
    try:
        yield
    finally:
        global _committed
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _pending.clear()
        _committed = ""


def commit(what: str) -> None:
    """The point of no return (``what`` the run now finishes): from here a signal waits for the run's end."""
    global _committed
    if not _committed:
        _committed = what


@contextmanager
def held() -> Iterator[None]:
    """A section no signal cuts in two. A signal that came meanwhile is raised at its end, unless an exception
    is already on its way out (which stops the run anyway)."""
    global _held
    _held += 1
    try:
        yield
    except BaseException:
        _held -= 1
        if not _held:
            _pending.clear()
        raise
    _held -= 1
    if _held == 0 and _pending:
        signum = _pending[0]
        _pending.clear()
        if sys.exc_info()[0] is None:
            raise Stopped(signum)


def pause(point: str) -> None:
    """The test hook (see the module's text); does nothing unless ``ENVSLIM_PAUSE_AT`` names ``point``."""
    spec = os.environ.get("ENVSLIM_PAUSE_AT", "")
    name, _, fifo = spec.partition(":")
    if name != point or not fifo:
        return
    import stat

    try:  # (only the test's two FIFOs: a regular file or anything else named here is never opened, let alone
        # truncated, and nothing is waited on)
        if not all(stat.S_ISFIFO(os.stat(p).st_mode) for p in (fifo, fifo + ".go")):
            return
    except OSError:
        return
    with open(fifo, "w") as f:
        f.write(point + "\n")
    with open(fifo + ".go") as f:
        f.read()
