"""The one atomic writer: links followed, mode kept, nothing left behind on failure."""

from __future__ import annotations

import os
import stat

import pytest

from envslim.document.atomic import write_atomic


def test_a_link_is_followed_and_stays_a_link(tmp_path):
    target = tmp_path / "real.yml"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "env.yml"
    link.symlink_to(target.name)
    write_atomic(str(link), "new\r\n")
    assert link.is_symlink() and os.readlink(link) == "real.yml"
    assert target.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env.yml", "real.yml"]


def test_a_failed_write_leaves_the_file_and_no_temporary(tmp_path):
    path = tmp_path / "env.yml"
    path.write_text("old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(str(path), "bad \udcff\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["env.yml"]
