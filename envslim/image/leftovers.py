"""What a killed prune leaves in a prefix, and the lock that tells a killed run from a live one.

A prune that SIGKILL (or a crash) stops can leave four things: the tracer hook (``_envslim_trace.pth`` in
site-packages, during the trace of ``--keep-used-by``) and the trace's work folder (``.envslim-trace-*``),
a trash (``.envslim-trash-*``: files moved aside, waiting for the check) and stripped copies
(``.NAME.envslim-strip`` beside a library, ``--strip``). Every
prune holds an exclusive ``flock`` on the prefix folder while it runs (the kernel drops it when the process
dies), so whatever of these a run finds while it holds the lock is stale: it puts the files back, removes
the hook and the copies, and says so in one line."""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from envslim.errors import EnvslimError
from envslim.image.fsguard import walk
from envslim.image.interrupt import held
from envslim.image.trace import PTH_NAME, pth_line, site_packages
from envslim.image.trash import TRACE_PREFIX, TRASH_PREFIX, put_back

STRIP_SUFFIX = ".envslim-strip"


@contextmanager
def locked(prefix: str) -> Iterator[None]:
    """Hold an exclusive lock on the prefix folder; another envslim prune holding it is one line, exit 2.
    Where the file system has no flock the run goes on without it."""
    import fcntl

    fd = os.open(prefix, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise EnvslimError(f"{prefix}: another envslim prune is working on it; nothing was changed") from None
        yield
    finally:
        os.close(fd)


@dataclass
class Leftovers:
    trashes: list[str] = field(default_factory=list)  # relative to the prefix
    hooks: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)
    traces: list[str] = field(default_factory=list)  # the trace's work folders, at the prefix's top


def find(prefix: str) -> Leftovers:
    """The trashes, tracer hooks, trace folders and stripped copies in ``prefix`` (relative paths, sorted)."""
    found = Leftovers()
    for name in sorted(os.listdir(prefix)):
        if name.startswith(TRASH_PREFIX) and _is(os.path.join(prefix, name), stat.S_ISDIR):
            found.trashes.append(name)
        elif name.startswith(TRACE_PREFIX) and _is(os.path.join(prefix, name), stat.S_ISDIR):
            found.traces.append(name)
    for sp in site_packages(prefix):
        if os.path.lexists(os.path.join(sp, PTH_NAME)):
            found.hooks.append(os.path.relpath(os.path.join(sp, PTH_NAME), prefix).replace(os.sep, "/"))
    for dirpath, dirnames, filenames in walk(os.path.join(prefix, "lib")):
        dirnames.sort()
        for name in sorted(filenames):
            if name.startswith(".") and name.endswith(STRIP_SUFFIX):
                found.copies.append(os.path.relpath(os.path.join(dirpath, name), prefix).replace(os.sep, "/"))
    return found


def _is(path: str, kind) -> bool:
    try:
        return kind(os.lstat(path).st_mode)
    except OSError:
        return False


def recover(prefix: str, *, dry_run: bool, tracing: bool) -> str | None:
    """Recover what a killed run left (the caller holds :func:`locked`); one line saying what, or None.

    A dry run only reads: it names the trash and the copies instead, and removes a stale hook and trace folder
    only when it traces (its trace writes the same hook, and a folder of the same kind)."""
    found = find(prefix)
    said: list[str] = []
    with held():
        for rel in found.hooks:
            path = os.path.join(prefix, rel)
            if not _is_hook(path):
                raise EnvslimError(f"{path}: exists and is not envslim's tracer hook; nothing was changed")
            if dry_run and not tracing:
                said.append(f"the tracer hook {rel}, left for a run without --dry-run")
                continue
            os.unlink(path)
            said.append(f"the tracer hook {rel}, removed")
        for rel in found.traces:
            if dry_run and not tracing:
                said.append(f"the trace folder {rel}/, left for a run without --dry-run")
                continue
            try:
                shutil.rmtree(os.path.join(prefix, rel))  # (a folder: lstat said so; rmtree never follows a link)
                said.append(f"the trace folder {rel}/, removed")
            except OSError as e:
                said.append(f"the trace folder {rel}/, not removed: {e.strerror or e}")
        for rel in found.copies:
            if not dry_run:
                os.unlink(os.path.join(prefix, rel))
            said.append(f"the stripped copy {rel}, " + ("left for a run without --dry-run" if dry_run else "removed"))
        for rel in found.trashes:
            if dry_run:
                said.append(f"the trash {rel}/, left for a run without --dry-run (which puts its files back)")
                continue
            n, size, left = put_back(prefix, os.path.join(prefix, rel))
            said.append(
                f"{n:,} file{'' if n == 1 else 's'} ({size:,} bytes) in {rel}/, put back"
                + (f" ({left:,} could not go back and stay there)" if left else "")
            )
    return "envslim prune: left by an interrupted run: " + "; ".join(said) if said else None


def _is_hook(path: str) -> bool:
    """A regular file whose text is envslim's hook line, or the start of it (a kill while it was written)."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > len(pth_line()) + 1:
            return False
        with open(path, encoding="utf-8", errors="replace") as f:
            return pth_line().startswith(f.read())
    except OSError:
        return False
