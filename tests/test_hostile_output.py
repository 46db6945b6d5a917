"""Hostile output targets, secrets, terminals and XML: each case of issue 20's items 1 and 6-11 as a test.

Device, FIFO and socket cases run on nodes the test makes itself in ``tmp_path`` (never the system's
``/dev/null``)."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from envslim.document import atomic

from tests.conftest import run

ENV = "name: x\ndependencies:\n  - python=3.11\n  - pyarrow>=12\n"


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("env.yml").write_text(ENV)
    return tmp_path


@pytest.fixture
def umask():
    """Set the umask for one test; the old one comes back."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


# -- 1. -o PATH: only a regular file is ever replaced ----------------------------------------------------------


@pytest.mark.parametrize("command", ["report", "dockerfile"])
def test_an_output_fifo_is_refused_and_stays_a_fifo(capsys, here, command):
    os.mkfifo("out")
    assert run(capsys, command, "env.yml", "-o", "out") == (2, "", "out: not a regular file (a FIFO); nothing written\n")
    assert stat.S_ISFIFO(os.lstat("out").st_mode)
    assert sorted(os.listdir(".")) == ["env.yml", "out"]


@pytest.mark.parametrize("command", ["report", "dockerfile"])
def test_an_output_directory_is_refused(capsys, here, command):
    os.mkdir("out")
    assert run(capsys, command, "env.yml", "-o", "out") == (2, "", "out: not a regular file (a directory); nothing written\n")
    assert os.listdir("out") == [] and sorted(os.listdir(".")) == ["env.yml", "out"]


@pytest.mark.parametrize("command", ["report", "dockerfile"])
def test_an_output_socket_is_refused(capsys, here, command):
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind("out")
        assert run(capsys, command, "env.yml", "-o", "out") == (2, "", "out: not a regular file (a socket); nothing written\n")
        assert stat.S_ISSOCK(os.lstat("out").st_mode)
    finally:
        server.close()


@pytest.mark.parametrize("command", ["report", "dockerfile"])
def test_an_output_device_is_refused_and_stays_a_device(capsys, here, command):
    """A character device of our own (the null device's numbers) in tmp_path, as root made it."""
    try:
        os.mknod("null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("making a device node needs root (and CAP_MKNOD)")
    os.symlink("null", "link")
    for target in ("null", "link"):
        assert run(capsys, command, "env.yml", "-o", target) == (2, "", f"{target}: not a regular file (a device); nothing written\n")
    assert stat.S_ISCHR(os.lstat("null").st_mode) and os.path.islink("link")
    assert sorted(os.listdir(".")) == ["env.yml", "link", "null"]


@pytest.mark.parametrize("command", ["report", "dockerfile"])
def test_a_link_to_a_fifo_is_refused(capsys, here, command):
    os.mkfifo("fifo")
    os.symlink("fifo", "out")
    assert run(capsys, command, "env.yml", "-o", "out") == (2, "", "out: not a regular file (a FIFO); nothing written\n")
    assert os.readlink("out") == "fifo" and stat.S_ISFIFO(os.lstat("fifo").st_mode)


@pytest.mark.parametrize("command", ["report", "dockerfile"])
def test_dash_output_is_standard_output(capsys, here, command):
    rc, out, _ = run(capsys, command, "env.yml", "-o", "-")
    assert rc == 0
    assert out == run(capsys, command, "env.yml")[1] and out
    assert sorted(os.listdir(".")) == ["env.yml"]


@pytest.mark.parametrize("command", ["report", "dockerfile"])
@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077])
def test_a_new_output_file_gets_the_mode_the_umask_gives(capsys, here, umask, command, mask):
    umask(mask)
    assert run(capsys, command, "env.yml", "-o", "out")[0] == 0
    assert stat.S_IMODE(os.stat("out").st_mode) == 0o666 & ~mask


@pytest.mark.parametrize("command", ["report", "dockerfile"])
def test_an_existing_output_file_keeps_its_mode(capsys, here, umask, command):
    Path("out").write_text("old\n")
    os.chmod("out", 0o604)
    assert run(capsys, command, "env.yml", "-o", "out")[0] == 0
    assert stat.S_IMODE(os.stat("out").st_mode) == 0o604 and Path("out").read_text() != "old\n"


def test_the_atomic_writer_refuses_what_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(atomic.NotRegular, match=r"fifo: not a regular file \(a FIFO\); nothing written$"):
        atomic.write_atomic(str(fifo), "text")
    with pytest.raises(atomic.NotRegular, match=r"not a regular file \(a directory\)"):
        atomic.write_atomic(str(tmp_path), "text")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]  # no temporary file left


def test_the_cache_keeps_its_files_private(tmp_path, umask):
    atomic.write_atomic(str(tmp_path / "entry"), "{}", new_mode=0o600)
    assert stat.S_IMODE((tmp_path / "entry").stat().st_mode) == 0o600


# -- 9. input-caused "internal error" ---------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [("rewrite", "loop.yml"), ("report", "env.yml", "-o", "loop.yml"),
                                  ("dockerfile", "env.yml", "-o", "loop.yml")])
def test_a_symlink_loop_is_one_line(capsys, here, argv):
    os.symlink("loop.yml", "loop.yml")
    assert run(capsys, *argv) == (2, "", "loop.yml: Too many levels of symbolic links; nothing written\n")
    assert os.readlink("loop.yml") == "loop.yml"


def test_a_folder_that_cannot_take_a_temporary_file_restores_the_signal_handlers(tmp_path):
    import signal

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(FileNotFoundError):
        atomic.write_atomic(str(tmp_path / "missing" / "out"), "text")
    assert signal.getsignal(signal.SIGTERM) is before
