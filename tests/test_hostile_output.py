"""Hostile output targets, secrets, terminals and XML: each case of issue 20's items 1 and 6-11 as a test.

Device, FIFO and socket cases run on nodes the test makes itself in ``tmp_path`` (never the system's
``/dev/null``)."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from envslim import cli
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


# -- 6. a linear redactor; what one line echoes is capped -------------------------------------------------------


ADVERSARIAL = {  # each once cost the old patterns the square of its length
    "letters": 'lambda n: "a" * n',
    "userinfo": 'lambda n: "x:" * (n // 2) + "@host.example"',
    "ats": 'lambda n: "a:b@" * (n // 4)',
    "schemes": 'lambda n: "a://b@" * (n // 6)',
    "tokens": 'lambda n: "a.b/t/" * (n // 6)',
    "entities": 'lambda n: "&#x27;u:p" * (n // 9) + "@h.example"',
    "query secrets": 'lambda n: "?token=" * (n // 7)',
    "query names": 'lambda n: ("&" + "a" * 63) * (n // 64) + "?="',
}
LINEARITY = """
import json, sys, time
from envslim.display import redact
shapes = {SHAPES}
ratios = {}
for name, make in shapes.items():
    make = eval(make)
    texts = {n: make(n) for n in (100_000, 1_000_000)}
    best = dict.fromkeys(texts, float("inf"))
    for _ in range(5):  # interleaved, the best of each: a busy moment slows one run, not all five
        for n, text in texts.items():
            start = time.perf_counter()
            redact(text)
            best[n] = min(best[n], time.perf_counter() - start)
    ratios[name] = best[1_000_000] / best[100_000]
print(json.dumps(ratios))
"""


@pytest.mark.slow
def test_the_redactor_is_linear():
    """Ten times the text costs about ten times the time (the square would be a hundred): a ratio on the
    same machine in the same moment, so the machine's speed does not matter. In a child with a deadline
    two hundred times what a 1 MB line takes here: the old patterns took half an hour."""
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = LINEARITY.replace("{SHAPES}", repr(ADVERSARIAL))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    ratios = json.loads(proc.stdout)
    assert {name: r for name, r in ratios.items() if r > 40} == {}


def child(*argv: str, timeout: float = 120) -> tuple[int, str, str]:
    """``envslim ARGV...`` in a child process with a deadline far above what it takes (about a second): a
    quadratic step makes it time out instead of hanging the test run."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    proc = subprocess.run([sys.executable, "-m", "envslim.cli", *argv], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return proc.returncode, proc.stdout, proc.stderr


def test_a_one_megabyte_line_is_echoed_cut(here):
    """explain echoes its argument: a long one (120 KB took 28 s) is cut to ECHO_LIMIT characters and says
    how much is left out. (One argument of a command line holds at most 128 KiB.)"""
    from envslim.display import ECHO_LIMIT

    rc, out, err = child("explain", "x" * 120_000)
    assert (rc, out) == (2, "")
    shown = ECHO_LIMIT - len("envslim: error: no knowledge entry or rule named '")
    assert err == ("envslim: error: no knowledge entry or rule named '" + "x" * shown
                   + f"... [{120_001 - shown:,} more characters]\n")


def test_a_one_megabyte_dependency_name_makes_a_table_of_short_lines(here):
    Path("env.yml").write_text("name: x\ndependencies:\n  - python=3.11\n  - " + "a" * 1_000_000 + "\n")
    rc, out, err = child("report", "env.yml")
    assert rc == 0
    assert max(len(line) for line in (out + err).splitlines()) < 1_200
    assert len(out + err) < 30_000 and "more characters]" in out  # (it was 4 MB: every row padded to 1 MB)


# -- 7. credentials: redacted at the output boundary, whatever produced the message --------------------------------


CREDENTIAL_PIP = ("name: x\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - https://user:TOKEN@host.example/foo-1.0.tar.gz\n"
                  "    - user:TOKEN@host.example/bar-1.0.tar.gz\n")


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "svg", "html"])
def test_a_packaging_warning_never_shows_the_token(capsys, here, fmt, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(here / "cache"))
    Path("env.yml").write_text(CREDENTIAL_PIP)
    rc, out, err = run(capsys, "report", "--offline", "--format", fmt, "env.yml")
    assert rc == 0
    assert "TOKEN" not in out + err
    assert "envslim: warning: PyPI: invalid specifier '://***@host.example/foo-1.0.tar.gz'" in err
    assert "envslim: warning: PyPI: invalid specifier '***@host.example/bar-1.0.tar.gz'" in err  # (':TOKEN@...')


@pytest.mark.parametrize("output", [None, "Dockerfile"])
def test_a_credential_in_the_environment_name_stays_out_of_the_dockerfile(capsys, here, output):
    Path("env.yml").write_text("name: https://u:SECRET@h.example/x\ndependencies:\n  - python=3.11\n")
    rc, out, err = run(capsys, "dockerfile", "env.yml", *(("-o", output) if output else ()))
    text = Path(output).read_text() if output else out
    assert rc == 0 and "SECRET" not in text + err
    assert '# Generated by envslim dockerfile from env.yml (environment "https://***@h.example/x").' in text


def test_the_boundary_redacts_lines_cut_into_many_writes():
    import io

    from envslim.display import Redacting

    sink = io.StringIO()
    stream = Redacting(sink, "standard output")
    for piece in ("see https://us", "er:pa", "ss@host.example/x", " and\nuser:tok@", "conda.example/c\nlast"):
        stream.write(piece)
    assert sink.getvalue() == "see https://***@host.example/x and\n***@conda.example/c\n"
    stream.flush()
    assert sink.getvalue().endswith("\nlast")


def test_whatever_a_lower_layer_prints_passes_the_boundary(capsys, here, monkeypatch):
    """A message printed straight to sys.stderr below the commands (a library's warning) is redacted too."""
    import sys

    from envslim.commands import explain

    def noisy(options, out, err):
        print("fetching https://user:S3CRET@example.com/x \x1b]0;pwned\x07\u202e", file=sys.stderr)
        sys.stdout.write("token host.example/t/S3CRET/chan\n")
        return 0

    monkeypatch.setattr(explain, "run", noisy)
    assert run(capsys, "explain", "pyarrow") == (0, "token host.example/t/***/chan\n",
                                                 "fetching https://***@example.com/x \\x1b]0;pwned\\x07\\u202e\n")


def test_rewrite_as_a_filter_writes_the_file_exactly(capsys, here, monkeypatch):
    """The user's own file on stdout is not a message: its credentials stay (it is their file)."""
    import io
    import sys

    text = "name: x\ndependencies:\n  - pip\n  - pip:\n    - https://user:TOKEN@host.example/foo-1.0.tar.gz\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    rc, out, err = run(capsys, "rewrite", "-")
    assert (rc, out) == (0, text)


# -- 8. terminals and XML -------------------------------------------------------------------------------------------

HOSTILE_NAMES = 'name: x\ndependencies:\n  - python=3.11\n  - "bar\\e[31m\\u202eevil\\u2066x\\0"\n  - pyarrow\n'


def test_bidi_controls_are_escaped_in_the_table(capsys, here):
    Path("env.yml").write_text(HOSTILE_NAMES)
    rc, out, _ = run(capsys, "report", "env.yml")
    assert rc == 0
    assert "bar\\x1b[31m\\u202eevil\\u2066x\\x00" in out
    assert not any(c in out for c in "\x1b\u202e\u2066\x00")


def test_every_bidi_and_c0_c1_control_is_escaped():
    from envslim.display import printable

    controls = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)]
    assert printable("".join(controls)) == "".join(f"\\u{ord(c):04x}" for c in controls)
    assert printable("a\x00\x1b\x9b\r\nb") == "a\\x00\\x1b\\x9b\r\nb"


def test_a_file_name_with_an_escape_sequence_is_escaped_in_every_line(capsys, here):
    name = "env\x1b]0;pwned\x07.yml"
    Path(name).write_text(ENV)
    rc, out, err = run(capsys, "rewrite", "--check", name)
    assert rc == 1
    shown = "env\\x1b]0;pwned\\x07.yml"
    assert out.splitlines()[-1] == f"would rewrite {shown}"
    assert "\x1b" not in out + err and "\x07" not in out + err
    rc, out, err = run(capsys, "rewrite", name)
    assert (rc, "\x1b" in out + err) == (0, False)
    assert out.splitlines()[-1] == f"rewrote {shown}"


@pytest.mark.parametrize("fmt", ["svg", "html"])
def test_the_picture_stays_well_formed_whatever_the_input(capsys, here, fmt):
    import re
    import xml.dom.minidom

    Path("env.yml").write_text(HOSTILE_NAMES)
    rc, out, _ = run(capsys, "report", "--format", fmt, "env.yml")
    assert rc == 0
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069]", out)
    xml.dom.minidom.parseString(out)  # well-formed XML, the HTML page too
    assert "bar\\x1b[31m\\u202eevil\\u2066x\\x00" in out


# -- 9. standard output on a full device ---------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("argv", [("report", "env.yml"), ("explain", "pyarrow"), ("dockerfile", "env.yml")])
def test_standard_output_on_a_full_device_is_one_line(here, argv):
    import subprocess
    import sys

    from tests.conftest import ROOT

    Path("env.yml").write_text("name: x\ndependencies:\n  - python=3.11\n")  # (nothing due: no warning)
    with open("/dev/full", "w") as full:  # (opened for writing as stdout; the device itself is not touched)
        proc = subprocess.run([sys.executable, "-m", "envslim.cli", *argv], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (proc.returncode, proc.stderr) == (2, "envslim: standard output: No space left on device\n")


# -- 11. smaller ---------------------------------------------------------------------------------------------------


def test_a_write_that_fails_never_says_fixed(here):
    """The new file cannot be written (a file size limit: EFBIG, a real failure of the write): the findings
    are still due, the error says why, and the file is as it was."""
    import resource
    import signal
    import subprocess
    import sys

    from tests.conftest import ROOT

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16, 16))

    # conda-forge's pyarrow (the knowledge base's figures are of its builds; a file without channels gets defaults')
    text = "name: x\nchannels: [conda-forge, nodefaults]\ndependencies:\n  - python=3.11\n  - pyarrow>=12\n"
    Path("env.yml").write_text(text)
    proc = subprocess.run([sys.executable, "-m", "envslim.cli", "rewrite", "env.yml"], capture_output=True, text=True,
                          timeout=120, preexec_fn=limit, env={**os.environ, "PYTHONPATH": str(ROOT),
                                                               "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode == 2
    assert "[fixed]" not in proc.stdout and "rewrote" not in proc.stdout
    assert proc.stdout.startswith("env.yml:5:3: ES001 pyarrow: move to pip (saves") and "[fix available]" in proc.stdout
    assert proc.stderr == "env.yml: cannot write: File too large\n"
    assert Path("env.yml").read_text() == text
    assert sorted(os.listdir(".")) == ["env.yml"]


def test_ctrl_c_while_starting_up_is_one_line(capsys, monkeypatch):
    def interrupted(argv):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_parser", interrupted)
    assert run(capsys, "report", "env.yml") == (130, "", "envslim: interrupted\n")


# -- 9. TOML the reader gives up on -------------------------------------------------------------------------------

PIXI_HEAD = '[project]\nname = "a"\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n[dependencies]\npython = "3.11.*"\n'


@pytest.mark.parametrize("command", ["rewrite", "report", "dockerfile"])
@pytest.mark.parametrize(("value", "message"), [
    ("[" * 2000 + "]" * 2000, "8:2004: invalid TOML: nested deeper than envslim reads (arrays, inline tables or"
                              " dotted keys a few hundred levels deep)"),
    ("9" * 5001, "8:5: invalid TOML: an integer of 5,001 characters; envslim reads integers of up to 4,300 digits"),
])
def test_toml_past_the_readers_limits_is_one_line(capsys, here, command, value, message):
    Path("pixi.toml").write_text(PIXI_HEAD + "x = " + value + "\n")
    assert run(capsys, command, "pixi.toml") == (2, "", f"pixi.toml:{message}\n")


def test_keys_dotted_thousands_deep_are_one_line(capsys, here):
    Path("pixi.toml").write_text(PIXI_HEAD + "[feature." + ".".join(["a"] * 3000) + ".dependencies]\nx = \"*\"\n")
    assert run(capsys, "rewrite", "--check", "pixi.toml") == (
        2, "", "pixi.toml:8:1: invalid TOML: nested deeper than envslim reads (arrays, inline tables or dotted keys"
               " a few hundred levels deep)\n")


def test_a_huge_integer_in_the_config_is_one_line(capsys, here):
    Path("pyproject.toml").write_text("[tool.envslim]\nselect = " + "1" * 5000 + "\n")
    assert run(capsys, "rewrite", "--check", "env.yml") == (
        2, "", f"{here / 'pyproject.toml'}:2:10: invalid TOML: an integer of 5,000 characters; envslim reads integers of up to"
               " 4,300 digits\n")


# -- 10. pixi values pixi does not accept ---------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "col", "what"), [
    ("12", 11, "an integer"), ("true", 11, "a boolean"), ("2024-01-01", 11, "a date or time"),
    ("1.5", 11, "a float"), ('["12"]', 11, "an array"), ("{ version = 12 }", 23, "an integer"),
])
def test_a_pixi_value_pixi_refuses_is_refused_not_made_any_version(capsys, here, value, col, what):
    text = PIXI_HEAD + f"pyarrow = {value}\n"
    Path("pixi.toml").write_text(text)
    message = (f"pixi.toml:8:{col}: pyarrow: pixi takes a version string ('==12', '>=12') or a table here,"
               f" not {what}\n")
    for argv in (("rewrite", "pixi.toml"), ("rewrite", "--diff", "pixi.toml"), ("report", "pixi.toml")):
        assert run(capsys, *argv) == (2, "", message)
    assert Path("pixi.toml").read_text() == text


def test_a_pixi_table_of_its_own_with_a_number_is_refused(capsys, here):
    Path("pixi.toml").write_text(PIXI_HEAD + "\n[dependencies.pyarrow]\nversion = 12\n")
    assert run(capsys, "rewrite", "pixi.toml") == (
        2, "", "pixi.toml:10:11: pyarrow: pixi takes a version string ('==12', '>=12') or a table here, not an"
               " integer\n")


# -- 11. dockerfile --base and --user --------------------------------------------------------------------------------


@pytest.mark.parametrize("base", ['debian"; RUN id; "', "Debian", "a b", "", "debian:", "x" * 600,
                                  "debian@sha256:short", "-debian", "debian:-x"])
def test_a_base_that_is_no_image_reference_is_refused(capsys, here, base):
    rc, out, err = run(capsys, "dockerfile", "env.yml", f"--base={base}")
    assert (rc, out) == (2, "")
    assert err.startswith("envslim dockerfile: --base ") and err.endswith(
        ": not an image reference (NAME[:TAG][@DIGEST], e.g. debian:12-slim or"
        " registry.example.com:5000/team/app:1.2)\n")


@pytest.mark.parametrize("base", ["debian", "debian:12-slim", "library/debian:12", "localhost:5000/a/b:1",
                                  "gcr.io/distroless/base-debian12:nonroot", "ghcr.io/org/my__img.x-y:v1.2_3",
                                  "python:3.11-slim@sha256:" + "0123456789abcdef" * 4])
def test_an_image_reference_is_taken(capsys, here, base):
    rc, out, _ = run(capsys, "dockerfile", "env.yml", "--base", base)
    assert rc == 0 and f"\nFROM {base}\n" in out


@pytest.mark.parametrize(("user", "message"), [
    ("99999999999999999999", "a UID or GID is at most 4294967294 (32 bits)"),
    ("4294967295", "a UID or GID is at most 4294967294 (32 bits)"),
    ("1000:4294967295", "a UID or GID is at most 4294967294 (32 bits)"),
    ("\u0661\u0662\u0663", "expected a non-zero numeric UID or UID:GID (a name may not resolve on the host: hadolint"
                           " DL3066)"),
])
def test_a_user_id_out_of_range_is_refused(capsys, here, user, message):
    assert run(capsys, "dockerfile", "env.yml", "--user", user) == (
        2, "", f"envslim dockerfile: --user {user!r}: {message}\n")


def test_the_largest_user_id_is_taken(capsys, here):
    rc, out, _ = run(capsys, "dockerfile", "env.yml", "--user", "4294967294:4294967294")
    assert rc == 0 and "\nUSER 4294967294:4294967294\n" in out


def test_prune_escapes_the_prefix_it_names(capsys, tmp_path):
    prefix = tmp_path / "env\x1b]0;pwned\x07"
    (prefix / "conda-meta").mkdir(parents=True)
    rc, out, err = run(capsys, "prune", str(prefix), "--dry-run")
    assert (rc, err) == (0, "")
    assert out.startswith(f"prefix {tmp_path}/env\\x1b]0;pwned\\x07 (conda): ") and "\x1b" not in out


def test_ctrl_c_before_the_output_boundary_is_up_is_one_line(capsys, monkeypatch):
    from envslim import display

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(display, "Redacting", interrupted)
    assert run(capsys, "report", "env.yml") == (130, "", "envslim: interrupted\n")


@pytest.mark.parametrize("where", ["name", "option"])
def test_a_bidirectional_override_is_never_copied_into_a_dockerfile(capsys, here, where):
    if where == "name":
        Path("env.yml").write_text('name: "ab\\u202ecd"\ndependencies:\n  - python=3.11\n')
        expected = "env.yml: the environment's name holds the control character U+202E; refusing to copy it into a Dockerfile\n"
        argv = ("dockerfile", "env.yml")
    else:
        expected = "envslim dockerfile: --entrypoint holds the control character U+2066; refusing to copy it into a Dockerfile\n"
        argv = ("dockerfile", "env.yml", "--entrypoint", "python \u2066-c")
    assert run(capsys, *argv) == (2, "", expected)


def test_an_environment_whose_features_are_no_list_is_read_as_none(capsys, here):
    Path("pixi.toml").write_text(PIXI_HEAD + "\n[environments]\nx = { features = 1 }\n")
    assert run(capsys, "rewrite", "--check", "pixi.toml") == (0, "", "")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_a_filter_on_a_full_device_says_so_and_never_fixed(here):
    import subprocess
    import sys

    from tests.conftest import ROOT

    with open("/dev/full", "w") as full:  # (opened for writing as stdout; the device itself is not touched)
        proc = subprocess.run([sys.executable, "-m", "envslim.cli", "rewrite", "-"], input=ENV, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (proc.returncode, proc.stderr) == (2, "envslim: standard output: No space left on device\n")


@pytest.mark.parametrize(("manifest", "lock"), [("env.yml", "conda-lock.yml"), ("pixi.toml", "pixi.lock")])
def test_dockerfile_never_writes_over_the_lock_beside_its_input(capsys, here, manifest, lock):
    if manifest == "pixi.toml":
        Path("pixi.toml").write_text(PIXI_HEAD)
    Path(lock).write_text("the lock\n")
    rc, out, err = run(capsys, "dockerfile", manifest, "-o", lock)
    assert (rc, out) == (2, "")
    assert err.endswith(f"{lock}: is an input of the build ({lock}); write the Dockerfile to another path\n")
    assert Path(lock).read_text() == "the lock\n"
