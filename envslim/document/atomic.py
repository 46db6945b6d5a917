"""The one atomic writer: a temporary file in the target's folder, then a rename over the target."""

from __future__ import annotations

import os


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` (UTF-8, line ends as given) to ``path`` through a temporary file in the same folder
    and a rename, so a reader sees the old file or the new one, never half of one. A symbolic link is
    followed: its target is replaced and the link stays. An existing file keeps its mode and, where the
    user may set them, its owner and group; a new file gets the temporary file's mode (0600)."""
    import tempfile  # only when writing: the --check and --diff path does without it

    path = os.path.realpath(path)
    folder = os.path.dirname(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".envslim-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        if st is not None:
            os.chmod(tmp, st.st_mode & 0o7777)
            if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                try:
                    os.chown(tmp, st.st_uid, st.st_gid)
                except OSError:  # not ours to give away: the file keeps its content, not its owner
                    pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
