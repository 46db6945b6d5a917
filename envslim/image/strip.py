"""The opt-in strip of `prune --keep-used-by --strip`: which shared objects carry symbols, and a stripped copy
kept only when it still loads, with the original's mode and owner."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys

from envslim.image.fsguard import walk


def is_shared_library(name: str) -> bool:
    return name.endswith(".so") or ".so." in name or name.endswith(".dylib")


# -- strip (opt-in) -------------------------------------------------------------------------------------

STRIP_TIMEOUT = 600.0  # seconds for strip on one shared object: a bound far above what strip takes



def elf_has_symbols(path: str) -> bool:
    """True for an ELF file with a ``.symtab`` or ``.debug*`` section (what ``strip --strip-unneeded`` drops)."""
    import struct

    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if len(head) < 52 or head[:4] != b"\x7fELF" or head[4] not in (1, 2) or head[5] not in (1, 2):
                return False
            end = "<" if head[5] == 1 else ">"
            if head[4] == 2:
                (shoff,) = struct.unpack_from(end + "Q", head, 0x28)
                shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", head, 0x3A)
                entry, offsize = end + "IIQQQQ", (4, 5)  # name, type, flags, addr, offset, size
            else:
                (shoff,) = struct.unpack_from(end + "I", head, 0x20)
                shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", head, 0x2E)
                entry, offsize = end + "IIIIII", (4, 5)
            if not shoff or not shnum or shstrndx >= shnum or shentsize < struct.calcsize(entry):
                return False
            f.seek(shoff)
            table = f.read(shentsize * shnum)
            if len(table) < shentsize * shnum:
                return False
            sections = [struct.unpack_from(entry, table, i * shentsize) for i in range(shnum)]
            names_off, names_size = (sections[shstrndx][k] for k in offsize)
            f.seek(names_off)
            names = f.read(min(names_size, 1 << 20))
    except OSError:
        return False
    for sec in sections:
        name = names[sec[0] : names.find(b"\0", sec[0])] if sec[0] < len(names) else b""
        if name == b".symtab" or name.startswith(b".debug"):
            return True
    return False


def strip_candidates(prefix: str, gone: set[str], keep: tuple[str, ...]) -> list[tuple[str, int]]:
    """Regular shared objects under lib/ that stay and carry symbols: (path relative to prefix, bytes)."""
    from envslim.image.prune import kept_by

    found = []
    for dirpath, dirnames, filenames in walk(os.path.join(prefix, "lib")):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, prefix).replace(os.sep, "/")
            if not is_shared_library(name) or rel in gone or kept_by(rel, keep):
                continue
            st = os.lstat(path)
            # A file whose mode has no owner write bit was made read-only on purpose: it is not rewritten.
            if stat.S_ISREG(st.st_mode) and st.st_mode & 0o200 and elf_has_symbols(path):
                found.append((rel, st.st_size))
    return found


_LOAD_CHECK = """
import ctypes, sys
for i, path in enumerate(sys.argv[1:]):
    try:
        ctypes.CDLL(path)
    except OSError:
        continue
    print(i, flush=True)
"""


def strip_into(exe: str, prefix: str, files: list[tuple[str, int]], python: str) -> list[tuple[str, int, str]]:
    """Stripped copies of ``files``, each beside its original (so ``$ORIGIN`` finds the same libraries):
    (rel, bytes saved, the copy). Only copies that are smaller and that ``python`` can still load
    (``ctypes.CDLL``) are kept; strip breaks some libraries, e.g. ones patchelf rewrote (auditwheel's
    ``numpy.libs``: "ELF load command address/offset not page-aligned"). The caller removes the copies."""
    staged = []
    try:
        for rel, size in files:
            src = os.path.join(prefix, rel)
            d, _, name = src.rpartition("/")
            dst = f"{d}/.{name}.envslim-strip"
            try:
                r = subprocess.run([exe, "--strip-unneeded", "-o", dst, src], capture_output=True, timeout=STRIP_TIMEOUT)
            except subprocess.TimeoutExpired:
                r = None
            if r is None or r.returncode != 0 or not os.path.exists(dst):
                unlink_quietly(dst)
                continue
            shutil.copystat(src, dst)
            saved = size - os.path.getsize(dst)
            if saved <= 0 or not _same_owner(src, dst):
                unlink_quietly(dst)
                continue
            staged.append((rel, saved, dst))
        if not staged:
            return []
        from envslim.image.importcheck import IMPORT_TIMEOUT, run_python

        try:  # (bounded: a library whose constructor blocks kept envslim waiting forever; then none is kept)
            r = run_python(python, _LOAD_CHECK, IMPORT_TIMEOUT, tuple(os.path.abspath(dst) for _, _, dst in staged))
            loads = {int(x) for x in r.stdout.split() if x.isascii() and x.isdigit()}
        except subprocess.TimeoutExpired:
            loads = set()
    except BaseException:
        for _, _, dst in staged:
            unlink_quietly(dst)
        raise
    kept = []
    for i, item in enumerate(staged):
        if i in loads:
            kept.append(item)
        else:
            unlink_quietly(item[2])
    return kept


def _same_owner(src: str, dst: str) -> bool:
    """Give ``dst`` the owner and group of ``src`` (root may; a stripped library must not become root's in
    a build that runs as root); False when that is not allowed (the original then stays as it is)."""
    want, have = os.lstat(src), os.lstat(dst)
    if (want.st_uid, want.st_gid) == (have.st_uid, have.st_gid):
        return True
    try:
        os.chown(dst, want.st_uid, want.st_gid, follow_symlinks=False)
    except PermissionError:
        return False
    shutil.copystat(src, dst)  # chown clears the set-user-id and set-group-id bits
    return True


def unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def prefix_python(prefix: str) -> str:
    for name in ("bin/python3", "bin/python"):
        if os.path.exists(os.path.join(prefix, name)):
            return os.path.join(prefix, name)
    return sys.executable
