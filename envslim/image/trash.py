"""The prune's trash: files renamed into a folder inside the prefix (the bytes never move) through directory
descriptors opened with O_NOFOLLOW, put back on failure or interruption, deleted once the prune is verified.

Layout, so that a run killed at any point (SIGKILL) is recovered by the next one (:func:`put_back`):
``PREFIX/.envslim-trash-XXXXXXXX/files/REL`` holds each moved file at its path relative to the prefix, and
``journal`` has one JSON line per folder removed from the prefix (its path and mode), written before the
folder goes."""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from collections.abc import Iterable

from envslim.document.atomic import open_regular
from envslim.image.fsguard import DirFds, walk
from envslim.image.interrupt import commit, held

TRASH_PREFIX = ".envslim-trash-"
JOURNAL_MAX = 64 * 1024 * 1024  # bytes of a trash's journal read back (a line per folder removed: a few MB at most)
# The other folder a prune makes in the prefix: ``--keep-used-by``'s trace (the tracer's code and what each traced
# process recorded), inside the prefix so that a run SIGKILL stops leaves nothing outside the job: the next run
# removes it (``envslim.image.leftovers``). Walks skip both at the prefix's top.
TRACE_PREFIX = ".envslim-trace-"


# -- moving to the trash and back --------------------------------------------------------------------------


class Trash:
    """Files renamed into ``PREFIX/.envslim-trash-*`` (same file system: the bytes never move). The prefix
    side of every rename goes through directory descriptors opened with ``O_NOFOLLOW`` on the prefix's
    device (as prune's removals do): a folder swapped for a link after the walk fails the move, it never
    takes a file from outside the prefix."""

    def __init__(self, prefix: str) -> None:
        with held():
            self.prefix = prefix
            self.dir = tempfile.mkdtemp(prefix=TRASH_PREFIX, dir=prefix)
            self.files = os.path.join(self.dir, "files")
            os.mkdir(self.files)
            self.journal = open(os.path.join(self.dir, "journal"), "a", encoding="utf-8")
            self.moved: list[str] = []
            self.dropped: dict[str, int] = {}  # folder -> mode, removed by drop_dir
            self.dirs = DirFds(prefix)
            self.closed = False

    def put(self, rel: str) -> None:
        dst = os.path.join(self.files, rel)
        _makedirs(os.path.dirname(dst))
        fd, base = self.dirs.parent(rel)
        self.moved.append(rel)  # first: a signal between the two lines must not lose track of the file
        try:
            os.rename(base, dst, src_dir_fd=fd)
        except BaseException:
            self.moved.pop()
            raise

    def drop_dir(self, rel: str) -> bool:
        """Remove the folder ``rel`` when it is empty now (its files moved here), remembering its mode (here
        and in the journal) so that :meth:`give_back` and :func:`put_back` can make it again; False when it
        is not empty."""
        fd, base = self.dirs.parent(rel)
        mode = stat.S_IMODE(os.stat(base, dir_fd=fd, follow_symlinks=False).st_mode)
        self.journal.write(json.dumps([rel, mode]) + "\n")
        self.journal.flush()
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
        for rel in reversed(list(self.moved)):
            if rel not in wanted:
                continue
            _back(self.dirs, self.files, rel, self.dropped)
            self.moved.remove(rel)
            back.append(rel)
        return back

    def restore(self) -> None:
        """Put every file back (whatever a signal interrupted before) and delete the trash. A file that cannot
        go back stays in the trash, which the next run puts back (:func:`put_back`); OSError says so."""
        if self.closed:
            return
        with held():
            self._close()
            self.dirs.close()
            left = put_back(self.prefix, self.dir)[2]
            if left:
                raise OSError(errno.EIO, f"{left} files could not be put back; they stay in {self.dir}")
            self.moved = []

    def empty(self, *, parents: bool = True) -> list[str]:
        """Delete the trash; then (``parents``) remove the directories the moved files left empty (deepest
        first). The point of no return: a signal no longer stops the run (:func:`commit`)."""
        commit("deleting the verified files")
        with held():
            self._close()
            _rmtree(self.dir)
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

    def _close(self) -> None:
        self.closed = True
        self.journal.close()


def _back(dirs: DirFds, files: str, rel: str, modes: dict[str, int]) -> int:
    """Move ``files/rel`` back to ``rel`` in the prefix (over whatever a run left there, as the original is the
    truth), making again the missing folders on its way (with their modes from ``modes``); its bytes."""
    for d in reversed(list(_ancestors(os.path.dirname(rel)))):  # shallowest first
        _make_dir(dirs, d, modes)
    src = os.path.join(files, rel)
    size = os.lstat(src).st_size
    fd, base = dirs.parent(rel)
    os.rename(src, base, dst_dir_fd=fd)
    return size


def _make_dir(dirs: DirFds, d: str, modes: dict[str, int]) -> None:
    fd, base = dirs.parent(d)
    try:
        os.stat(base, dir_fd=fd, follow_symlinks=False)
        return
    except FileNotFoundError:
        pass
    mode = modes.pop(d, 0o755)
    os.mkdir(base, mode, dir_fd=fd)
    os.chmod(base, mode, dir_fd=fd)  # mkdir's mode is masked by the umask


def put_back(prefix: str, trash_dir: str) -> tuple[int, int, int]:
    """Put back everything ``trash_dir`` holds (a live trash, or one a killed run left) and delete it:
    (files put back, their bytes, files that could not go back; then the trash stays)."""
    modes: dict[str, int] = {}
    try:  # (a regular file of its own, read to a bound: never a FIFO, a device or a link to one)
        with open_regular(os.path.join(trash_dir, "journal"), "r", follow_links=False, encoding="utf-8",
                          errors="replace") as f:
            lines = f.read(JOURNAL_MAX).splitlines()
    except OSError:
        lines = []
    for line in lines:
        try:
            rel, mode = json.loads(line)
        except (ValueError, TypeError, RecursionError):
            continue  # the line a kill cut short: its folder was not removed yet
        if isinstance(rel, str) and isinstance(mode, int) and inside(rel):
            modes.setdefault(rel, mode & 0o7777)
    files = os.path.join(trash_dir, "files")
    rels = []
    try:  # (a folder of its own: `files` linked to a folder outside had that folder's files moved into the prefix)
        walked = walk(files) if stat.S_ISDIR(os.lstat(files).st_mode) else ()
    except FileNotFoundError:
        walked = ()
    for dirpath, dirnames, filenames in walked:
        rel_dir = os.path.relpath(dirpath, files).replace(os.sep, "/")
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            rels.append(name if rel_dir == "." else f"{rel_dir}/{name}")
    dirs = DirFds(prefix)
    n = size = left = 0
    try:
        for rel in sorted(rels):
            try:
                size += _back(dirs, files, rel, modes)
                n += 1
            except OSError:
                left += 1
        for d in sorted(modes, key=lambda d: (d.count("/"), d)):  # emptied folders that had no file here
            try:
                for a in reversed(list(_ancestors(d))):
                    _make_dir(dirs, a, modes)
            except OSError:
                left += 1
    finally:
        dirs.close()
    if not left:
        _rmtree(trash_dir)
    return n, size, left


def inside(rel: str) -> bool:
    """``rel`` is a path inside the prefix: relative, with no ``..``, ``.`` or empty part (a journal line
    naming ``../x`` would make a folder outside it)."""
    return not any(part in ("", ".", "..") for part in rel.split("/"))


def _makedirs(path: str) -> None:
    """``os.makedirs(path, exist_ok=True)`` for the trash's folders, with a loop: Python 3.11's recurses once a
    level (a prefix a thousand folders deep ended in RecursionError)."""
    missing = []
    while not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder)
        except FileExistsError:
            if not os.path.isdir(folder):
                raise


def _rmtree(top: str) -> None:
    """``shutil.rmtree(top)`` for a trash envslim made, with a loop (Python 3.11's recurses once a level): its
    files and links go, links are never followed, then its folders, the deepest first."""
    folders = []
    for folder, dirnames, filenames in walk(top):
        folders.append(folder)
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(folder, d))]:
            os.unlink(os.path.join(folder, name))
    for folder in reversed(folders):
        os.rmdir(folder)


def _ancestors(rel_dir: str) -> Iterable[str]:
    parts = rel_dir.split("/") if rel_dir else []
    for i in range(len(parts), 0, -1):
        yield "/".join(parts[:i])
