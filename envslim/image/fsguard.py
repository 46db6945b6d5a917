"""Staying inside a prefix: folders opened through directory descriptors with O_NOFOLLOW on the prefix's
device (a folder swapped for a link fails the operation instead of reaching outside), the mount points
inside a prefix, and the reasons such an operation gives. Used by prune's removals and the trace's trash."""

from __future__ import annotations

import errno
import os
import re


def os_error_text(e: OSError) -> str:
    if e.errno in (errno.ELOOP, errno.ENOTDIR):
        return "a folder on its path is now a symbolic link or not a folder (changed since the walk); not followed"
    if e.errno == errno.EXDEV:
        return "a folder on its path is now on another mount (changed since the walk); not followed"
    return e.strerror or str(e)


class DirFds:
    """Open folders of the prefix by relative path, each opened from its parent's descriptor with
    ``O_NOFOLLOW`` and checked to be on the prefix's device. The most recently used ``MAX_OPEN`` stay open
    (a prefix has thousands of folders; a process may have 1,024 descriptors); the prefix's own stays."""

    _FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    MAX_OPEN = 64

    def __init__(self, prefix: str) -> None:
        from collections import OrderedDict

        self.root = os.open(prefix, self._FLAGS & ~getattr(os, "O_NOFOLLOW", 0))  # the prefix itself may be a link
        self.device = os.fstat(self.root).st_dev
        self.fds: OrderedDict[str, int] = OrderedDict()

    def folder(self, rel_dir: str) -> int:
        if not rel_dir:
            return self.root
        fd = self.fds.get(rel_dir)
        if fd is not None:
            self.fds.move_to_end(rel_dir)
            return fd
        # the nearest folder on the way that is open, then down from it, one folder at a time (a loop, not a
        # call per level: a prefix a thousand folders deep ended in RecursionError)
        down = []
        head = rel_dir
        while head and head not in self.fds:
            down.append(head)
            head = head.rpartition("/")[0]
        fd = self.folder(head)  # (the prefix, or an open folder: no further call)
        for d in reversed(down):
            parent = fd
            fd = os.open(_component(d.rpartition("/")[2]), self._FLAGS, dir_fd=parent)
            if os.fstat(fd).st_dev != self.device:
                os.close(fd)
                raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
            self.fds[d] = fd
            while len(self.fds) > self.MAX_OPEN:
                os.close(self.fds.popitem(last=False)[1])
        return fd

    def parent(self, rel: str) -> tuple[int, str]:
        head, _, base = rel.rpartition("/")
        return self.folder(head), _component(base)

    def forget(self, rel_dir: str) -> None:
        """Close the descriptors of ``rel_dir`` and what is under it (the folder was removed)."""
        for d in [d for d in self.fds if d == rel_dir or d.startswith(rel_dir + "/")]:
            os.close(self.fds.pop(d))

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds.clear()
        if self.root >= 0:
            os.close(self.root)
            self.root = -1


def _component(name: str) -> str:
    """``name`` if it names an entry of its folder; ``OSError`` for ``..``, ``.`` or nothing (a path with them
    leaves the folder it is relative to: from the prefix, ``..`` is outside it)."""
    if name in ("", ".", ".."):
        raise OSError(errno.EINVAL, f"{name!r} is not a name inside the prefix")
    return name


def mount_points_under(prefix: str, mountinfo: str = "/proc/self/mountinfo") -> frozenset[str]:
    """The mount points strictly inside ``prefix`` (as ``prefix``-joined paths), from ``mountinfo`` (Linux; an
    empty set elsewhere). A bind mount of the prefix's own filesystem shares its ``st_dev``, so the device
    check alone misses it."""
    try:
        with open(mountinfo, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return frozenset()
    real = os.path.realpath(prefix)
    out = set()
    for line in lines:
        fields = line.split(" ")
        if len(fields) < 5:
            continue
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        if point != real and point.startswith(real.rstrip("/") + "/"):
            out.add(os.path.join(prefix, os.path.relpath(point, real)))
    return frozenset(out)


def walk(top: str):
    """``os.walk(top)`` (top-down, links to folders listed but not entered, unreadable folders passed over,
    ``dirnames`` pruned in place by the caller), with a stack of its own: Python 3.11's ``os.walk`` recurses,
    and a prefix a thousand folders deep ended in RecursionError."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        dirnames, filenames, links = [], [], set()
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirnames if is_dir else filenames).append(entry.name)
            if is_dir and entry.is_symlink():
                links.add(entry.name)
        yield folder, dirnames, filenames
        stack.extend(os.path.join(folder, d) for d in reversed(dirnames) if d not in links)
