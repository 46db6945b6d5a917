"""Review output: --diff with reasons after each hunk (colour on a terminal only), --annotate, --format markdown,
and credentials never printed in any of them."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from envslim import knowledge
from envslim.cli import main
from envslim.display import redact
from tests.conftest import ROOT, run

PYARROW = "move to pip: " + knowledge.load("pyarrow").advice["reason"]
# the seed's example is Python 3.9: conda-forge pyarrow 25.0 has no build for it, so not the reason's figures
PYARROW_39 = "move to pip: " + knowledge.load("pyarrow").summary
SAVES = "saves ~104.9 MB, estimate 15.5 MB to 191.8 MB"  # linux-64, Python 3.11: what leaves the environment, 26.0.1 wheel
SAVES_39 = "saves ~123.2 MB, estimate 41.3 MB to 203.1 MB"  # Python 3.9: 61 packages leave (19.0.1), the 21.0.0 wheel
# Where the environment cannot price the move (private channels listed first: pyarrow's build is unknown), the
# knowledge base's per-package estimate stands (25.0.0 closure minus the 26.0.1 wheel), and its source says so.
KB_SAVES = "saves ~105.0 MB, estimate 15.6 MB to 192.1 MB"
SHORT_SAVES = "saves ~104.9 MB, 15.5 MB to 191.8 MB"  # (the short form: a terminal's one line per finding)
SHORT_SAVES_39 = "saves ~123.2 MB, 41.3 MB to 203.1 MB"
WHY_PYARROW = f"# ES001 pyarrow: move to pip ({SHORT_SAVES})"

# The move's removal and insertion are far apart: two hunks, the reason after the first.
LONG = """\
name: svc
channels:
  - conda-forge
  - nodefaults
dependencies:
  - attrs
  - pyarrow>=12  # parquet
  - click
  - jinja2
  - pyyaml
  - requests
  - rich
  - tqdm
  - typer
  - pip
  - python=3.11
  - pip:
    - httpx
"""
LONG_DIFF = f"""\
--- a/r.yml
+++ b/r.yml
@@ -4,7 +4,6 @@
   - nodefaults
 dependencies:
   - attrs
-  - pyarrow>=12  # parquet
   - click
   - jinja2
   - pyyaml
{WHY_PYARROW}
@@ -16,3 +15,4 @@
   - python=3.11
   - pip:
     - httpx
+    - pyarrow>=12  # parquet
"""
BOLD, RED, GREEN, CYAN, YELLOW, RESET = "\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[33m", "\x1b[0m"
LONG_DIFF_COLOR = f"""\
{BOLD}--- a/r.yml{RESET}
{BOLD}+++ b/r.yml{RESET}
{CYAN}@@ -4,7 +4,6 @@{RESET}
   - nodefaults
 dependencies:
   - attrs
{RED}-  - pyarrow>=12  # parquet{RESET}
   - click
   - jinja2
   - pyyaml
{YELLOW}{WHY_PYARROW}{RESET}
{CYAN}@@ -16,3 +15,4 @@{RESET}
   - python=3.11
   - pip:
     - httpx
{GREEN}+    - pyarrow>=12  # parquet{RESET}
"""

# The seed's file: one hunk holding two fixes, and an unsafe fix that is not applied.
SEED = """\
name: docker-example
channels:
  - conda-forge
  - defaults
dependencies:
  - numpy<2.0.0
  - pip
  - pyarrow
  - python=3.9
"""
ES007_LINE = "{p}:4:3: ES007 defaults: mixes defaults with conda-forge; use nodefaults [unsafe fix, use --unsafe-fixes]"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / ".envslim.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- --diff ---------------------------------------------------------------------------------------------
def test_diff_explains_each_hunk_and_writes_nothing(folder, capsys):
    (folder / "r.yml").write_text(LONG)
    assert run(capsys, "rewrite", "--diff", "r.yml") == (1, LONG_DIFF, "")
    assert (folder / "r.yml").read_text() == LONG


SEED_DIFF = """\
--- a/env.yml
+++ b/env.yml
@@ -5,5 +5,6 @@
 dependencies:
   - numpy<2.0.0
   - pip
-  - pyarrow
   - python=3.9
+  - pip:
+    - pyarrow"""


def test_diff_one_hunk_two_fixes_and_an_unapplied_finding_on_stderr(folder, capsys):
    (folder / "env.yml").write_text(SEED)
    assert run(capsys, "rewrite", "--diff", "env.yml") == (1, f"""\
{SEED_DIFF}
# ES001 pyarrow: move to pip ({SHORT_SAVES_39})
""", ES007_LINE.format(p="env.yml") + "\n")


def test_diff_explains_fixes_of_a_later_round(folder, capsys):
    """dask -> dask-core (ES004, unsafe) lifts dask's hold on pyarrow: the move comes in a later round, and both
    reasons follow their hunks."""
    (folder / "env.yml").write_text("name: t\nchannels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - dask\n"
                                    "  - pyarrow\n  - python=3.12\n")
    rc, out, err = run(capsys, "rewrite", "--diff", "--unsafe-fixes", "env.yml")
    assert (rc, err) == (1, "")
    assert out.startswith("--- a/env.yml\n+++ b/env.yml\n@@ -3,6 +3,8 @@\n   - conda-forge\n   - nodefaults\n dependencies:\n"
                          "-  - dask\n-  - pyarrow\n+  - dask-core\n+  - pip\n   - python=3.12\n+  - pip:\n+    - pyarrow\n")
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("# ")] == ["# ES004 dask", "# ES001 pyarrow"]


def test_diff_with_nothing_due(folder, capsys):
    (folder / "env.yml").write_text("name: x\ndependencies:\n  - python=3.11\n")
    assert run(capsys, "rewrite", "--diff", "env.yml") == (0, "", "")


def test_diff_and_check_of_stdin(folder, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(LONG.encode())))
    assert run(capsys, "rewrite", "--diff", "-") == (1, LONG_DIFF.replace("r.yml", "<stdin>"), "")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(LONG.encode())))
    assert run(capsys, "rewrite", "--check", "-") == (
        1, "", f"<stdin>:7:3: ES001 pyarrow: move to pip ({SHORT_SAVES}) [fix available]\n"
               "would rewrite <stdin>\n")


def tty_run(args: list[str], cwd, **env_changes) -> tuple[int, str, str]:
    """Run ``python -m envslim.cli ARGS`` with its stdout on a pseudo-terminal."""
    import pty

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env.update(PYTHONPATH=str(ROOT), TERM="xterm")
    env.update(env_changes)
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "envslim.cli", *args], cwd=cwd, env=env, stdout=slave,
                            stderr=subprocess.PIPE)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    rc = proc.wait(timeout=60)
    return rc, b"".join(chunks).decode().replace("\r\n", "\n"), err


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize(("env", "colored"), [
    ({}, True),
    ({"NO_COLOR": "1"}, False),
    ({"NO_COLOR": ""}, True),  # no-color.org: set *and not empty*
    ({"TERM": "dumb"}, False),
])
def test_diff_in_colour_on_a_terminal(folder, env, colored):
    (folder / "r.yml").write_text(LONG)
    assert tty_run(["rewrite", "--diff", "r.yml"], folder, **env) == (1, LONG_DIFF_COLOR if colored else LONG_DIFF, "")


def test_diff_plain_into_a_pipe(folder):
    (folder / "r.yml").write_text(LONG)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    proc = subprocess.run([sys.executable, "-m", "envslim.cli", "rewrite", "--diff", "r.yml"], cwd=folder,
                          env=dict(env, PYTHONPATH=str(ROOT), TERM="xterm"), capture_output=True, text=True)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, LONG_DIFF, "")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_follows_isatty_of_stdout(folder, monkeypatch):
    (folder / "r.yml").write_text(LONG)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    for no_color, expected in ((None, LONG_DIFF_COLOR), ("1", LONG_DIFF)):
        if no_color:
            monkeypatch.setenv("NO_COLOR", no_color)
        terminal = _Terminal()
        monkeypatch.setattr(sys, "stdout", terminal)
        assert main(["rewrite", "--diff", "r.yml"]) == 1
        assert terminal.getvalue() == expected
    # markdown is for pasting: never coloured
    monkeypatch.delenv("NO_COLOR")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(["rewrite", "--diff", "--format", "markdown", "r.yml"]) == 1
    assert "\x1b" not in terminal.getvalue()


# -- --annotate -------------------------------------------------------------------------------------------
def test_annotate_leaves_the_reason_on_added_and_changed_lines(folder, capsys):
    env = folder / "env.yml"
    env.write_text(SEED)
    rc, out, err = run(capsys, "rewrite", "--annotate", "--unsafe-fixes", "env.yml")
    assert (rc, err) == (0, "")
    assert out.endswith("rewrote env.yml\n")
    assert env.read_bytes() == (
        b"name: docker-example\n"
        b"channels:\n"
        b"  - conda-forge\n"
        b"  - nodefaults  # envslim: ES007 mixes defaults with conda-forge; use nodefaults\n"
        b"dependencies:\n"
        b"  - numpy<2.0.0\n"
        b"  - pip\n"
        b"  - python=3.9\n"
        b"  - pip:\n"
        b"    - pyarrow  # envslim: ES001 " + PYARROW_39.encode() + b"\n"
    )
    # The notes are plain comments: the next run has nothing to do.
    assert run(capsys, "rewrite", "--check", "--unsafe-fixes", "env.yml") == (0, "", "")


def test_annotate_in_the_diff_and_only_when_asked(folder, capsys):
    (folder / "r.yml").write_text(LONG)
    rc, out, err = run(capsys, "rewrite", "--diff", "--annotate", "r.yml")
    assert (rc, err) == (1, "")
    assert out == LONG_DIFF.replace("+    - pyarrow>=12  # parquet\n",
                                    f"+    - pyarrow>=12  # parquet  # envslim: ES001 {PYARROW}\n")
    assert run(capsys, "rewrite", "r.yml")[0] == 0
    assert "envslim:" not in (folder / "r.yml").read_text()


def test_annotate_keeps_a_selector_a_selector(folder, capsys):
    """conda-lock (and conda-build) read ``[sel]`` at the end of a line, allowing no parentheses after it:
    the note after a selector drops its parentheses, so the moved line stays linux-only."""
    from conda_lock.src_parser.selectors import filter_platform_selectors

    env = folder / "env.yml"
    env.write_text("name: t\ndependencies:\n  - pip\n  - pyarrow>=12  # [linux]\n  - python=3.11\n")
    assert run(capsys, "rewrite", "--annotate", "env.yml")[0] == 0
    plain = PYARROW.replace("(", "").replace(")", "")
    assert env.read_text() == (
        "name: t\ndependencies:\n  - pip\n  - python=3.11\n  - pip:\n"
        f"    - pyarrow>=12  # [linux]  # envslim: ES001 {plain}\n"
    )
    kept = list(filter_platform_selectors(env.read_text(), "linux-64"))
    dropped = list(filter_platform_selectors(env.read_text(), "osx-arm64"))
    assert kept[-1].startswith("    - pyarrow>=12  # [linux]")
    assert not any("pyarrow" in line for line in dropped)


# -- --format markdown ---------------------------------------------------------------------------------------
def markdown(path: str, rows: list[str], total: str, word: str, body: str, spread: str = "") -> str:
    return "\n".join([
        f"### envslim: `{path}`",
        "",
        "| rule | package | finding | est. saving | status |",
        "|---|---|---|---:|---|",
        *rows,
        "",
        f"**Estimated saving of the {word} changes: ~{total}**{spread} (the fixes' effects on the environment"
        " together, each package counted once, from the graph snapshot, or the knowledge base's estimate where"
        " the snapshot cannot price it; `--format json` gives each finding's source)",
        "",
        "<details><summary>diff</summary>",
        "",
        body,
        "",
        "</details>",
        "",
    ]) + "\n"




def seed_rows(status: str) -> list[str]:
    return [
        "| `ES007` | `defaults` | mixes defaults with conda-forge; use nodefaults |  |"
        " unsafe fix, use --unsafe-fixes |",
        f"| `ES001` | `pyarrow` | {PYARROW_39} | ~123.2 MB (41.3 MB to 203.1 MB) | {status} |",
    ]


@pytest.mark.parametrize("mode", ["--check", "--diff"])
def test_markdown_summary_of_what_is_due(folder, capsys, mode):
    (folder / "env.yml").write_text(SEED)
    assert run(capsys, "rewrite", mode, "--format", "markdown", "env.yml") == (
        1, markdown("env.yml", seed_rows("due"), "123.2 MB", "due", f"```diff\n{SEED_DIFF}\n```",
                    ", 41.3 MB to 203.1 MB"), "")
    assert (folder / "env.yml").read_text() == SEED


def test_markdown_summary_of_a_rewrite(folder, capsys):
    (folder / "env.yml").write_text(SEED)
    assert run(capsys, "rewrite", "--format", "markdown", "env.yml") == (
        0, markdown("env.yml", seed_rows("fixed"), "123.2 MB", "applied", f"```diff\n{SEED_DIFF}\n```",
                    ", 41.3 MB to 203.1 MB"), "")
    assert (folder / "env.yml").read_text().endswith("  - pip:\n    - pyarrow\n")
    assert run(capsys, "rewrite", "--check", "--format", "markdown", "env.yml") == (0, "\n".join([
        "### envslim: `env.yml`", "", "| rule | package | finding | est. saving | status |", "|---|---|---|---:|---|",
        seed_rows("")[0], "", ""]), "")


# Two pixi environments, each with its own pyarrow line: two moves whose leaving packages are the same (the
# conda pyarrow closure, linux-64, Python 3.12) and whose arriving wheel is the same.
TWO_SCOPES = """\
[workspace]
name = "svc"
channels = ["conda-forge"]
platforms = ["linux-64"]

[dependencies]
python = "3.12.*"

[feature.etl.dependencies]
pyarrow = "*"

[feature.api.dependencies]
pyarrow = "*"

[environments]
etl = ["etl"]
api = ["api"]
"""
TWO_SCOPES_DIFF = """\
--- a/pixi.toml
+++ b/pixi.toml
@@ -7,9 +7,13 @@
 python = "3.12.*"
 
 [feature.etl.dependencies]
+
+[feature.etl.pypi-dependencies]
 pyarrow = "*"
 
 [feature.api.dependencies]
+
+[feature.api.pypi-dependencies]
 pyarrow = "*"
 
 [environments]"""


def test_markdown_total_counts_packages_two_fixes_share_once(folder, capsys):
    """Each move saves ~128.9 MB (26.0 to 228.8 MB); made together the same packages leave and the same wheel
    arrives, so the total is the union: ~128.9 MB, not the sum (~257.8 MB, 52.0 to 457.5 MB)."""
    (folder / "pixi.toml").write_text(TWO_SCOPES)
    row = f"| `ES001` | `pyarrow` | {PYARROW} | ~128.9 MB (26.0 MB to 228.8 MB) | due |"
    assert run(capsys, "rewrite", "--diff", "--format", "markdown", "pixi.toml") == (
        1, markdown("pixi.toml", [row, row], "128.9 MB", "due", f"```diff\n{TWO_SCOPES_DIFF}\n```",
                    ", 26.0 MB to 228.8 MB"), "")


# win-64 (pywin32 is Windows-only): the knowledge base measured the opencv wheels for manylinux x86_64 only
UNKNOWN_WHEEL = "channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pywin32\n  - pip\n  - pip:\n" \
                "    - opencv-python==4.8.1.78\n"


def test_markdown_total_names_a_fix_whose_saving_is_unknown(folder, capsys):
    """No figure for the target: the row and the total say unknown (never a total of zero, never left out)."""
    (folder / "env.yml").write_text(UNKNOWN_WHEEL)
    rc, out, err = run(capsys, "rewrite", "--diff", "--unsafe-fixes", "--format", "markdown", "env.yml")
    assert (rc, err) == (1, "")
    (pip_side,) = [v for v in knowledge.load("opencv").slim_variants if v.get("side") == "pip"]
    assert out.split("\n")[4:9] == [
        "| `ES007` | `defaults` | conda-forge without nodefaults: a .condarc can add defaults back |  | due |",
        # (a win-64 file pinned to 4.8.1.78: the reason's figures are 5.0.0.93's on linux-64, so the summary)
        f"| `ES004` | `opencv-python` | use opencv-python-headless: {pip_side['summary']} | unknown | due |",
        "",
        "**Estimated saving of the due changes: unknown** (no figure for the target: `opencv-python` (ES004))",
        "",
    ]


def test_markdown_total_counts_what_is_known_and_names_what_is_not(folder, capsys):
    """tensorflow 2.15.0: the knowledge base measured tensorflow-cpu's wheels at 2.21.0 only, so that rename's
    saving is unknown and named; the pyarrow move's is counted."""
    (folder / "env.yml").write_text("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n"
                                    "  - pyarrow\n  - pip\n  - pip:\n    - tensorflow==2.15.0\n")
    rc, out, err = run(capsys, "rewrite", "--diff", "--unsafe-fixes", "--format", "markdown", "env.yml")
    assert (rc, err) == (1, "")
    lines = out.split("\n")
    assert lines[5].endswith(" | unknown | due |") and lines[5].startswith("| `ES004` | `tensorflow` | use tensorflow-cpu: ")
    assert lines[7] == (
        "**Estimated saving of the due changes: ~129.3 MB**, 26.2 MB to 229.3 MB (the fixes' effects on the"
        " environment together, each package counted once, from the graph snapshot, or the knowledge base's estimate"
        " where the snapshot cannot price it; `--format json` gives each finding's source); saving unknown, not"
        " counted: `tensorflow` (ES004)")


def test_markdown_nothing_to_change_and_escaping(folder, capsys):
    (folder / "a|b.yml").write_text("name: x\ndependencies:\n  - python=3.11\n")
    assert run(capsys, "rewrite", "--check", "--format", "markdown", "a|b.yml") == (
        0, "### envslim: `a\\|b.yml`\n\nNothing to change.\n\n", "")


def test_markdown_fence_outlasts_backticks_in_the_file(folder, capsys):
    (folder / "env.yml").write_text("name: t\n# run ```conda env create```\ndependencies:\n  - pyarrow\n  - python\n")
    rc, out, err = run(capsys, "rewrite", "--check", "--format", "markdown", "env.yml")
    assert (rc, err) == (1, "")
    assert out.endswith(
        "````diff\n--- a/env.yml\n+++ b/env.yml\n@@ -1,5 +1,7 @@\n name: t\n # run ```conda env create```\n"
        " dependencies:\n-  - pyarrow\n+  - pip\n   - python\n+  - pip:\n+    - pyarrow\n````\n\n</details>\n\n")


# -- credentials ------------------------------------------------------------------------------------------------
CRED = """\
name: t
channels:
  - https://conda.anaconda.org/t/tk-SECRET1-x/private
  - https://alice:SECRET2@conda.example.com/chan
  - conda-forge
  - defaults
dependencies:
  - https://carol:SECRET3@conda.example.com/chan::requests
  - pyarrow
  - python
  - pip
  - pip:
    - --extra-index-url https://user:SECRET4@pypi.example.com/simple
    - mypkg @ https://bob:SECRET5@files.example.com/mypkg-1.0-py3-none-any.whl
    - requests
"""
CRED_CHECK = f"""\
cred.yml:6:3: ES007 defaults: mixes defaults with conda-forge; use nodefaults [unsafe fix, use --unsafe-fixes]
cred.yml:9:3: ES001 pyarrow: {PYARROW} ({KB_SAVES}) [fix available]
cred.yml:15:5: ES006 requests: also a conda dependency (line 8: https://***@conda.example.com/chan::requests); \
pip installs a second copy over conda's (saving unknown) [unsafe fix, use --unsafe-fixes]
would rewrite cred.yml
"""
CRED_DIFF = f"""\
--- a/cred.yml
+++ b/cred.yml
@@ -6,10 +6,10 @@
   - defaults
 dependencies:
   - https://***@conda.example.com/chan::requests
-  - pyarrow
   - python
   - pip
   - pip:
     - --extra-index-url https://***@pypi.example.com/simple
     - mypkg @ https://***@files.example.com/mypkg-1.0-py3-none-any.whl
     - requests
+    - pyarrow
# ES001 pyarrow: {PYARROW} ({KB_SAVES})
"""


def test_credentials_in_check_and_diff(folder, capsys):
    (folder / "cred.yml").write_text(CRED)
    assert run(capsys, "rewrite", "-v", "--check", "cred.yml") == (1, CRED_CHECK, "")  # (-v: the whole messages)
    assert run(capsys, "rewrite", "-v", "--diff", "cred.yml") == (1, CRED_DIFF, "".join(
        line + "\n" for line in CRED_CHECK.splitlines() if "ES007" in line or "ES006" in line))


@pytest.mark.parametrize("argv", [
    ["--check", "--format", "markdown"],
    ["--diff", "--format", "markdown", "--unsafe-fixes"],
    ["--diff", "--annotate", "--unsafe-fixes"],
    ["--format", "markdown"],
    ["--annotate", "--unsafe-fixes"],
    [],
])
def test_credentials_never_printed(folder, capsys, argv):
    (folder / "cred.yml").write_text(CRED)
    rc, out, err = run(capsys, "rewrite", "-v", *argv, "cred.yml")
    assert rc in (0, 1) and out
    assert "SECRET" not in out + err
    assert "https://***@" in out + err
    if "--diff" in argv and "--unsafe-fixes" in argv:  # the channel hunk
        assert "  - https://conda.anaconda.org/t/***/private\n" in out
    # The file itself keeps every credential: only the printed copy is redacted.
    text = (folder / "cred.yml").read_text()
    assert [s for s in ("SECRET1", "SECRET2", "SECRET3", "SECRET4", "SECRET5") if s not in text] == []


def test_credentials_of_stdin(folder, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(CRED.encode())))
    rc, out, err = run(capsys, "rewrite", "-v", "--diff", "-")
    assert (rc, out) == (1, CRED_DIFF.replace("cred.yml", "<stdin>"))
    assert "SECRET" not in err


@pytest.mark.parametrize(("text", "message"), [
    ("name: t\ndependencies:\n  - python\n  - pip:\n    - x\n"
     "  - https://u:SECRET6@h/x: 1\n    https://u:SECRET6@h/x: 2\n",
     "7:5: invalid YAML: duplicate key 'https://***@h/x' (first at line 6)"),
    ("name: t\ndependencies:\n  - *https://u:SECRET7@h/x\n",
     "3:5: invalid YAML: unknown alias 'https'"),
])
def test_credentials_in_errors(folder, capsys, text, message):
    (folder / "bad.yml").write_text(text)
    for argv in (["rewrite"], ["rewrite", "--check"], ["rewrite", "--diff", "--format", "markdown"]):
        assert run(capsys, *argv, "bad.yml") == (2, "", f"bad.yml:{message}\n")
    assert (folder / "bad.yml").read_text() == text


def test_credentials_in_explain(capsys):
    for target in ("https://u:SECRET8@host/x", "pkg @ https://u:SECRET8@host/x.whl"):
        rc, out, err = run(capsys, "explain", target)
        assert (rc, out) == (2, "")
        assert err == f"envslim: error: no knowledge entry or rule named {target.replace('u:SECRET8', '***')!r}\n"


@pytest.mark.parametrize(("text", "shown"), [
    ("--extra-index-url https://user:tok@host/simple", "--extra-index-url https://***@host/simple"),
    ("--index-url=https://__token__:pypi-AgEIcHlwaS5vcmc@pypi.example.com/simple",
     "--index-url=https://***@pypi.example.com/simple"),
    ("pkg @ https://user:tok@host/x.whl", "pkg @ https://***@host/x.whl"),
    ("git+https://ghp_abc123@github.com/org/repo.git@v1", "git+https://***@github.com/org/repo.git@v1"),
    ("https://user:p@ss@host/x", "https://***@host/x"),  # an unescaped @ in the password
    ("https://conda.anaconda.org/t/tk-1-abc/private/linux-64", "https://conda.anaconda.org/t/***/private/linux-64"),
    ("https://user:pw@repo.example.com/conda/t/tok/chan", "https://***@repo.example.com/conda/t/***/chan"),
    ("a https://x:y@h/ and https://z@h2/p", "a https://***@h/ and https://***@h2/p"),
    ("https://pypi.org/simple", "https://pypi.org/simple"),
    ("write to user@example.com", "write to user@example.com"),
    ("pip: --trusted-host host.example.com", "pip: --trusted-host host.example.com"),
    ("./t/local/channel", "./t/local/channel"),
])
def test_redact(text, shown):
    assert redact(text) == shown
