"""The one atomic writer: a temporary file in the target's folder, then a rename over the target.

What it promises, because envslim runs as a pre-commit hook on developer machines and as root in CI and
Docker builds:

- Only a regular file is ever replaced: a target that exists and is a device, a FIFO, a socket or a
  directory is refused (``NotRegular``) before anything is written (renaming over ``/dev/null`` as root
  would replace the system's device with a file).
- A symbolic link is followed: its target is rewritten and the link stays a link.
- The file keeps its mode and, where the process may set them (root), its owner and group; a new file
  gets the mode the umask gives (as ``open()`` would), unless the caller asks for another.
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


class NotRegular(EnvslimError):
    """The target exists and is not a regular file (a device, a FIFO, a socket, a directory)."""


def kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, for a message: ``a FIFO``, ``a directory``, ``a device`` ..."""
    import stat

    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "a special file"


def open_regular(path: str, mode: str = "rb", *, follow_links: bool = True, **kw):
    """``path`` opened to read if it is a regular file; ``OSError`` for a FIFO (which would wait for a writer
    forever), a device or a socket (opened without waiting, then looked at), and with ``follow_links=False``
    for a symbolic link (which may point anywhere). ``kw`` goes to ``open()`` (encoding, errors, newline)."""
    import errno
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow_links else getattr(os, "O_NOFOLLOW", 0))
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, f"not a regular file ({kind(st.st_mode)})", path)
        return open(fd, mode, **kw)
    except BaseException:
        os.close(fd)
        raise


def target_of(path: str) -> str:
    """The file a write to ``path`` changes: ``path`` itself, or the end of its chain of symbolic links."""
    return os.path.realpath(path) if os.path.islink(path) else path


def check_writable(path: str) -> None:
    """Raise :class:`ReadOnly` (one line naming the file) when ``path``'s target is not writable by mode,
    :class:`EnvslimError` when it cannot be looked at (a loop of symbolic links, a folder that cannot be
    searched)."""
    mode = _mode(path)
    if mode is not None and not mode & 0o200:
        raise ReadOnly(f"{path}: read-only (mode {mode & 0o7777:04o}): not rewritten; make it writable to let envslim"
                       " change it")


def check_output(path: str) -> None:
    """What :func:`check_writable` checks, and :class:`NotRegular` when ``path`` (or the end of its links)
    exists and is not a regular file: an output named by the user is checked with this before any work."""
    import stat

    mode = _mode(path)
    if mode is not None and not stat.S_ISREG(mode):
        raise NotRegular(f"{path}: not a regular file ({kind(mode)}); nothing written")
    check_writable(path)


def _mode(path: str) -> int | None:
    """``st_mode`` of ``path``'s target; None when there is none."""
    try:
        return os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as e:
        raise EnvslimError(f"{path}: {e.strerror or e}; nothing written") from None


class Changed(EnvslimError):
    """The target no longer holds what was read from it (another writer saved it meanwhile)."""


def write_atomic(path: str, text: str, new_mode: int | None = None, follow_links: bool = True,
                 expect: str | None = None) -> None:
    """Write ``text`` to ``path`` (a link's target) through a temporary file in the same folder, keeping the
    file's mode, owner and group; a new file gets ``new_mode`` (default: ``0o666`` less the umask). With
    ``follow_links=False`` (envslim's own files: the cache) a link at ``path`` is replaced by the file,
    never followed: whatever it points to is not touched. With ``expect`` (the text the change was made
    from), a target that holds anything else just before the rename is left as it is (:class:`Changed`):
    an editor's save while envslim planned (or solved, with ``--verify``) is never lost."""
    import signal
    import stat
    import tempfile  # only when writing: the --check and --diff path does without it

    if follow_links:
        check_output(path)  # (os.stat follows the links; the message names the path the user gave)
        path = target_of(path)
    else:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            st = None
        if st is not None and not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
            raise NotRegular(f"{path}: not a regular file ({kind(st.st_mode)}); nothing written")
    folder = os.path.dirname(os.path.abspath(path))
    try:
        st = os.stat(path) if follow_links else os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            st = None  # (a link replaced: a new file)
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
        if st is None:
            os.chmod(tmp, 0o666 & ~umask() if new_mode is None else new_mode)
        else:
            os.chmod(tmp, st.st_mode & 0o7777)
            if (st.st_uid, st.st_gid) != _owner(tmp):
                try:
                    os.chown(tmp, st.st_uid, st.st_gid)
                except PermissionError:
                    pass  # not root: the file becomes the writer's, as with any editor that renames
        if expect is not None and not _holds(path, expect.encode("utf-8")):
            raise Changed(f"{path}: changed since envslim read it; not rewritten (run envslim again)")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    finally:
        restore()


def _holds(path: str, data: bytes) -> bool:
    """Whether the regular file ``path`` holds exactly ``data`` (read no further than its length)."""
    try:
        with open_regular(path) as f:
            return f.read(len(data) + 1) == data
    except OSError:
        return False


def umask() -> int:
    """The process's umask (from /proc where it is there: setting and restoring it races other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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
