"""The trace prune's trash: files renamed into a folder inside the prefix (the bytes never move) through
directory descriptors opened with O_NOFOLLOW, put back on failure, deleted once the smoke test passes."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable

from envslim.image.fsguard import _DirFds


# -- moving to the trash and back --------------------------------------------------------------------------


class Trash:
    """Files renamed into ``PREFIX/.envslim-trash-*`` (same file system: the bytes never move). The prefix
    side of every rename goes through directory descriptors opened with ``O_NOFOLLOW`` on the prefix's
    device (as prune's removals do): a folder swapped for a link after the walk fails the move, it never
    takes a file from outside the prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.dir = tempfile.mkdtemp(prefix=".envslim-trash-", dir=prefix)
        self.moved: list[str] = []
        self.dropped: dict[str, int] = {}  # folder -> mode, removed by drop_dir
        self.dirs = _DirFds(prefix)

    def put(self, rel: str) -> None:
        dst = os.path.join(self.dir, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        fd, base = self.dirs.parent(rel)
        os.rename(base, dst, src_dir_fd=fd)
        self.moved.append(rel)

    def drop_dir(self, rel: str) -> bool:
        """Remove the folder ``rel`` when it is empty now (its files moved here), remembering its mode so that
        :meth:`give_back` can make it again; False when it is not empty."""
        fd, base = self.dirs.parent(rel)
        mode = stat.S_IMODE(os.stat(base, dir_fd=fd, follow_symlinks=False).st_mode)
        try:
            os.rmdir(base, dir_fd=fd)
        except OSError as e:
            if e.errno in (errno.ENOTEMPTY, errno.EEXIST):
                return False
            raise
        self.dirs.forget(rel)
        self.dropped[rel] = mode
        return True

    def give_back(self, rels: Iterable[str]) -> list[str]:
        """Move the files ``rels`` (moved here before) back, making again the folders on their way that
        :meth:`drop_dir` removed; the trash stays open. Returns what went back."""
        wanted = set(rels)
        back = []
        for rel in reversed(self.moved):
            if rel not in wanted:
                continue
            for d in reversed(list(_ancestors(os.path.dirname(rel)))):  # shallowest first
                mode = self.dropped.pop(d, None)
                if mode is not None:
                    fd, base = self.dirs.parent(d)
                    os.mkdir(base, mode, dir_fd=fd)
                    os.chmod(base, mode, dir_fd=fd)  # mkdir's mode is masked by the umask
            fd, base = self.dirs.parent(rel)
            os.rename(os.path.join(self.dir, rel), base, dst_dir_fd=fd)
            back.append(rel)
        self.moved = [rel for rel in self.moved if rel not in wanted]
        return back

    def restore(self) -> None:
        self.give_back(list(self.moved))
        shutil.rmtree(self.dir)
        self.dirs.close()

    def empty(self, *, parents: bool = True) -> list[str]:
        """Delete the trash; then (``parents``) remove the directories the moved files left empty (deepest
        first)."""
        shutil.rmtree(self.dir)
        gone = []
        if parents:
            dirs = {os.path.dirname(rel) for rel in self.moved}
            for d in sorted({p for rel in dirs for p in _ancestors(rel)}, key=lambda d: (-d.count("/"), d)):
                try:
                    fd, base = self.dirs.parent(d)
                    os.rmdir(base, dir_fd=fd)
                    gone.append(d)
                except OSError:
                    pass
        self.dirs.close()
        return gone


def _ancestors(rel_dir: str) -> Iterable[str]:
    parts = rel_dir.split("/") if rel_dir else []
    for i in range(len(parts), 0, -1):
        yield "/".join(parts[:i])
