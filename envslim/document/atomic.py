"""The one atomic writer: a temporary file in the target's folder, then a rename over the target.

What it promises, because envslim runs as a pre-commit hook on developer machines and as root in CI and
Docker builds:

- A symbolic link is followed: its target is rewritten and the link stays a link.
- The file keeps its mode and, where the process may set them (root), its owner and group.
- A file whose mode has no owner write bit is refused (``ReadOnly``), even as root where ``os.access``
  would say yes: someone made it read-only on purpose.
- The old text or the new one is on disk, never a mix: the rename is atomic. A failure, Ctrl-C,
  SIGTERM or SIGHUP while writing removes the temporary ``.envslim-*.tmp`` file before the process ends.
"""

from __future__ import annotations

import os

from envslim.errors import EnvslimError


class ReadOnly(EnvslimError):
    """The target's mode has no owner write bit."""


def target_of(path: str) -> str:
    """The file a write to ``path`` changes: ``path`` itself, or the end of its chain of symbolic links."""
    return os.path.realpath(path) if os.path.islink(path) else path


def check_writable(path: str) -> None:
    """Raise :class:`ReadOnly` (one line naming the file) when ``path``'s target is not writable by mode."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not mode & 0o200:
        raise ReadOnly(f"{path}: read-only (mode {mode & 0o7777:04o}): not rewritten; make it writable to let envslim"
                       " change it")


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` (a link's target) through a temporary file in the same folder, keeping the
    file's mode, owner and group."""
    import signal
    import tempfile  # only when writing: the --check and --diff path does without it

    path = target_of(path)
    check_writable(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    restore = _raise_on_signals(signal)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".envslim-", suffix=".tmp")
    except BaseException:  # a folder that takes no new file: the handlers go back as they were
        restore()
        raise
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        if st is not None:
            os.chmod(tmp, st.st_mode & 0o7777)
            if (st.st_uid, st.st_gid) != _owner(tmp):
                try:
                    os.chown(tmp, st.st_uid, st.st_gid)
                except PermissionError:
                    pass  # not root: the file becomes the writer's, as with any editor that renames
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    finally:
        restore()


def _owner(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_uid, st.st_gid


def _raise_on_signals(signal):
    """Turn SIGTERM and SIGHUP into SystemExit(128 + signal) while a write is under way (so the temporary
    file is cleaned up); gives back a function that restores the previous handlers."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            previous[sig] = signal.signal(sig, stop)

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
