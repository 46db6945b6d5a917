"""Faults found by the third adversarial pass against envslim's promises to touch nothing outside the job,
to bound every wait and to answer bad input with one line (run as root, in scratch folders only): what an
installed environment holds (conda-meta records, RECORD files, .pth files, a trash an earlier run left) is
input too."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run
from tests.image.test_trace import _make

ROOT = Path(__file__).resolve().parents[1]
PY = f"python{sys.version_info[0]}.{sys.version_info[1]}"
SP = f"lib/{PY}/site-packages"


def _envslim(cwd: Path, *argv: str, memory: int | None = None) -> tuple[int, str, str]:
    """``envslim ARGV`` in a process of its own, bounded in time (a FIFO would keep it waiting) and, with
    ``memory``, in address space (a link to /dev/zero would be read until memory runs out)."""

    def limit() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    proc = subprocess.run([sys.executable, "-m", "envslim", *argv], capture_output=True, text=True, timeout=60,
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=limit)
    return proc.returncode, proc.stdout, proc.stderr


def _conda_prefix(root: Path) -> Path:
    (root / "conda-meta").mkdir(parents=True)
    (root / "conda-meta/numpy-1.0-0.json").write_text(
        '{"name": "numpy", "version": "1.0", "build": "0", "files": [], "depends": ["python >=3.9"]}')
    return root


@pytest.mark.parametrize(("record", "wrong"), [
    ('{"name": "a", "paths_data": [1]}', "paths_data is not an object"),
    ('{"name": "a", "files": 5}', "files is not a list"),
    ('{"name": "a", "depends": 5}', "depends is not a list"),
    ('{"name": "a", "paths_data": {"paths": 5}}', "paths_data.paths is not a list of objects"),
    ('{"name": "a", "files": [{}]}', "files holds something other than strings"),
    ('{"name": "a", "paths_data": {"paths": [{"_path": "x", "size_in_bytes": true}]}}',
     "paths_data.paths holds an entry without a path or with a size that is no number of bytes"),
    ('{"name": "a", "version": {"a": 1}}', "version is not a string"),
    ('{"name": "a", "requested_spec": ["x"]}', "requested_spec is not a string"),
])
def test_report_on_a_prefix_refuses_a_record_of_a_shape_conda_never_writes(capsys, tmp_path, record, wrong):
    """A conda-meta record whose paths_data was a list, or whose files or depends was a number, ended in
    `internal error: AttributeError/TypeError`; a string version or spec of another type was printed as
    Python's repr, a size of `true` counted as one byte."""
    prefix = _conda_prefix(tmp_path / "env")
    (prefix / "conda-meta/a-1-0.json").write_text(record)
    rc, out, err = run(capsys, "report", prefix)
    assert (rc, out, err) == (2, "", f"{prefix}/conda-meta/a-1-0.json: not a conda-meta record ({wrong})\n")


@pytest.mark.parametrize("size", ["\u00b2", "9" * 5000])
def test_report_on_a_prefix_takes_a_record_size_that_is_no_number_from_the_disk(capsys, tmp_path, size):
    """A wheel's RECORD whose size was a superscript two (`isdigit()` says yes, `int()` says no) or 5,000
    digits ended in `internal error: ValueError`."""
    import json

    prefix = _conda_prefix(tmp_path / "env")
    info = prefix / SP / "foo-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Name: foo\nVersion: 1.0\n")
    (info / "RECORD").write_text(f"foo/__init__.py,sha256=x,{size}\nfoo/data.bin,,7\n")
    (prefix / SP / "foo").mkdir()
    (prefix / SP / "foo/__init__.py").write_text("X = 1\n")  # 6 bytes on disk
    rc, out, err = run(capsys, "report", "--format", "json", prefix)
    assert (rc, err) == (0, "")
    [foo] = [p for p in json.loads(out)["files"][0]["installed"]["packages"] if p["name"] == "foo"]
    assert (foo["installed_bytes"], foo["size_note"]) == (13, "RECORD and files on disk")


def test_prune_keep_used_by_passes_over_what_it_cannot_read_to_name_owners(tmp_path):
    """`prune --keep-used-by` names each file's package from conda-meta/ and the wheels' RECORD files: a FIFO
    record waited for a writer forever; a record that was a list, with files a number or a list of objects,
    or nested deeper than the stack, and a RECORD with a field over csv's limit, ended in `internal error`."""
    prefix = _make(tmp_path / "env")
    meta = prefix / "conda-meta"
    meta.mkdir()
    (meta / "used-1.0-0.json").write_text('{"name": "used-conda", "files": ["%s/used/table.txt"]}' % SP)
    os.mkfifo(meta / "fifo-1.0-0.json")
    (meta / "list-1.0-0.json").write_text("[]")
    (meta / "number-1.0-0.json").write_text('{"name": "n", "files": 5}')
    (meta / "objects-1.0-0.json").write_text('{"name": "o", "files": [{}]}')
    (meta / "deep-1.0-0.json").write_text("[" * 100_000)
    big = prefix / SP / "big-1.0.dist-info"
    big.mkdir()
    (big / "RECORD").write_text("x" * 200_000 + ",,\n")
    rc, out, err = _envslim(tmp_path, "prune", "--dry-run", "--keep-used-by", "python -c 'import used'", "env")
    assert (rc, err) == (0, "")
    assert "\n  used-conda " not in out  # (table.txt was touched: it stays, so no package is charged for it)
    assert "\n  unused " in out and "\n  used " in out and out.endswith("; nothing was changed\n")


def test_prune_never_waits_on_a_fifo_pth_file(tmp_path):
    """The tests category keeps a tests folder a .pth file of site-packages names: a FIFO named `*.pth` was
    opened to read and waited for a writer forever (even `--dry-run`)."""
    prefix = _conda_prefix(tmp_path / "env")
    (prefix / SP / "pkg/tests").mkdir(parents=True)
    (prefix / SP / "pkg/__init__.py").write_text("")
    (prefix / SP / "pkg/tests/test_pkg.py").write_text("def test(): pass\n")
    os.mkfifo(prefix / SP / "hook.pth")
    rc, out, err = _envslim(tmp_path, "prune", "--dry-run", "env")
    assert (rc, err) == (0, "")
    assert "\ntests                  1              17  15.7%\n" in out


def _planted_trash(prefix: Path) -> Path:
    """A trash as a killed run leaves it: one file to put back (lib/back.txt)."""
    trash = prefix / ".envslim-trash-abcd1234"
    (trash / "files/lib").mkdir(parents=True)
    (trash / "files/lib/back.txt").write_text("back\n")
    return trash


def test_a_trash_journal_never_makes_a_folder_outside_the_prefix(capsys, tmp_path):
    """The next run puts back what a killed run left in its trash, and makes again the folders its journal
    names: a journal line `["../../x", 511]` made a folder outside the prefix (mode 0777), anywhere; a line
    that was a number ended in `internal error: TypeError`."""
    prefix = _conda_prefix(tmp_path / "a" / "env")
    trash = _planted_trash(prefix)
    (trash / "journal").write_text('["../../escaped", 511]\n["../sibling/deep", 448]\n5\n'
                                   '["/abs", 448]\n["lib/./x", 448]\n' + "[" * 100_000 + '\n["share/made", 448]\n')
    rc, out, err = run(capsys, "prune", prefix)
    assert rc == 0
    assert err.startswith("envslim prune: left by an interrupted run: 1 file (5 bytes) in .envslim-trash-abcd1234/,"
                          " put back")
    assert sorted(os.listdir(tmp_path)) == ["a"] and sorted(os.listdir(tmp_path / "a")) == ["env"]
    assert (prefix / "lib/back.txt").read_text() == "back\n"
    assert (prefix / "share/made").is_dir() and (prefix / "share/made").stat().st_mode & 0o7777 == 0o700
    assert not (prefix / "lib/x").exists() and not trash.exists()


@pytest.mark.parametrize("journal", ["fifo", "/dev/zero"])
def test_a_trash_journal_that_is_no_regular_file_is_passed_over(tmp_path, journal):
    """A journal that was a FIFO kept `envslim prune` waiting forever (SIGTERM too: the put-back holds
    signals); one linked to /dev/zero was read until memory ran out."""
    prefix = _conda_prefix(tmp_path / "env")
    trash = _planted_trash(prefix)
    if journal == "fifo":
        os.mkfifo(trash / "journal")
    else:
        (trash / "journal").symlink_to(journal)
    rc, out, err = _envslim(tmp_path, "prune", "env", memory=1 << 30)
    assert (rc, err) == (0, "envslim prune: left by an interrupted run: 1 file (5 bytes) in .envslim-trash-abcd1234/,"
                            " put back\n")
    assert (prefix / "lib/back.txt").read_text() == "back\n" and not trash.exists()


def test_sarif_gives_a_file_name_as_a_uri_reference(capsys, tmp_path, monkeypatch):
    """SARIF's artifactLocation.uri is a URI reference: `a b#c%20?.yml` was written as it is, which a reader
    takes for the file `a b` with a fragment, or decodes `%20` in to a space (another file)."""
    import json

    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub dir").mkdir()
    (tmp_path / "sub dir/a b#c%20?.yml").write_text(
        "name: x\nchannels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n  - pyarrow\n")
    rc, out, err = run(capsys, "rewrite", "--check", "--format", "sarif", "sub dir/a b#c%20?.yml")
    assert (rc, err) == (1, "")
    [result] = json.loads(out)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "sub%20dir/a%20b%23c%2520%3F.yml"}


@pytest.mark.parametrize(("value", "what"), [("[[]]", "a list holding an empty list"), ("[[[1]]]",
                         "a list holding a list holding a list holding an integer"), ("[1, []]",
                         "a list holding an empty list, an integer")])
def test_a_config_list_of_the_wrong_shape_is_named_whole(capsys, tmp_path, value, what):
    """`ignore = [[]]` said `must be a list of strings, not a list holding ` and stopped there."""
    env = tmp_path / "environment.yml"
    env.write_text("name: x\ndependencies:\n  - python=3.11\n")
    (tmp_path / ".envslim.toml").write_text(f"ignore = {value}\n")
    rc, out, err = run(capsys, "rewrite", "--check", env)
    assert (rc, out, err) == (2, "", f"{tmp_path}/.envslim.toml:1:1: 'ignore' must be a list of strings, not {what}\n")


def test_prune_keep_used_by_never_puts_its_tracer_outside_the_prefix(capsys, tmp_path):
    """The tracer's `.pth` file went into `lib/pythonX.Y/site-packages` even where that was a link out of the
    prefix: into another environment's site-packages, for the whole run (and left there by a kill)."""
    prefix = _make(tmp_path / "env")
    elsewhere = tmp_path / "other-site-packages"
    (prefix / SP).rename(elsewhere)
    (prefix / SP).symlink_to(elsewhere)
    before = sorted(os.listdir(elsewhere))
    seen = tmp_path / "seen.txt"
    rc, out, err = run(capsys, "prune", "--dry-run", "--keep-used-by", f"ls {elsewhere} > {seen}; python -c 'import used'",
                       prefix)
    assert (rc, out, err) == (2, "", f"{prefix}: no lib/pythonX.Y/site-packages inside the prefix to install the"
                                     " tracer in; nothing was changed\n")
    assert not seen.exists() and sorted(os.listdir(elsewhere)) == before


@pytest.mark.parametrize("backoff", ["inf", "1e308", "nan", "-1", "30.5"])
def test_a_retry_backoff_past_the_retry_after_limit_is_refused(tmp_path, monkeypatch, backoff):
    """`ENVSLIM_RETRY_BACKOFF=inf` (or 1e308) made the first retry wait forever; `nan` and `-1` were taken
    without a word. It is now a number of seconds from 0 to 30 (what a server's Retry-After may ask)."""
    monkeypatch.setenv("ENVSLIM_RETRY_BACKOFF", backoff)
    monkeypatch.setenv("ENVSLIM_PYPI_URL", "http://127.0.0.1:9")  # (nothing listens: a retry would be due)
    monkeypatch.setenv("ENVSLIM_CACHE_DIR", str(tmp_path / "cache"))
    rc, out, err = _envslim(tmp_path, "explain", "--online", "requests")
    assert (rc, out, err) == (2, "", f"envslim: error: ENVSLIM_RETRY_BACKOFF='{backoff}' is not a number of seconds"
                                     " from 0 to 30\n")


@pytest.mark.parametrize("argv", [["report", "--python", "\uff13.11"], ["report", "--python", "3.\u0663"],
                                  ["explain", "--online", "--python", "\uff13.11", "requests"]])
def test_a_python_version_in_other_digits_is_a_bad_version(capsys, tmp_path, monkeypatch, argv):
    """`\\d` matches a fullwidth or Arabic-Indic digit: `--python ３.11` passed the check and ended in
    `internal error: CondaSpecError` (report) or `InvalidVersion` (explain --online)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVSLIM_PYPI_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ENVSLIM_CACHE_DIR", str(tmp_path / "cache"))
    Path("environment.yml").write_text("name: x\ndependencies:\n  - python=3.11\n  - pyarrow\n")
    if argv[0] == "report":
        argv = [*argv, "environment.yml"]
    rc, out, err = run(capsys, *argv)
    assert (rc, out, err) == (2, "", f"envslim: error: bad python version {argv[argv.index('--python') + 1]!r}\n")


def test_a_config_python_in_other_digits_is_refused(capsys, tmp_path):
    """`python = "3.１１"` in [tool.envslim] passed `3\\.\\d+` and ended in `internal error: CondaSpecError`."""
    env = tmp_path / "environment.yml"
    env.write_text("name: x\ndependencies:\n  - pyarrow\n")
    (tmp_path / ".envslim.toml").write_text('python = "3.\uff11\uff11"\n')
    rc, out, err = run(capsys, "report", env)
    assert (rc, out, err) == (2, "", f"{tmp_path}/.envslim.toml:1:1: 'python' must be a version like \"3.11\", not"
                                     " '3.\uff11\uff11'\n")


@pytest.mark.parametrize(("flag", "value", "what"), [("--glibc", "\u00b2", "glibc"), ("--glibc", "2." + "9" * 5000, "glibc"),
                                                     ("--glibc", "\uff12.28", "glibc"), ("--cuda", "\u00b2", "CUDA")])
def test_a_target_version_in_other_digits_or_of_thousands_of_digits_is_refused(capsys, tmp_path, monkeypatch, flag,
                                                                               value, what):
    """`--glibc ²` (isdigit() says yes, int() says no) and `--glibc 2.` + 5,000 digits ended in `internal error:
    ValueError`; `--glibc ２.28` and `--cuda ²` went on to the solve."""
    pytest.importorskip("rattler")
    monkeypatch.chdir(tmp_path)
    Path("environment.yml").write_text(
        "name: x\nchannels:\n  - http://127.0.0.1:9/chan\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n"
        "    - requests\n")
    rc, out, err = run(capsys, "report", "--solve", flag, value, "environment.yml")
    assert (rc, out) == (2, "")
    line = f"envslim: error: {what} {value!r} is not a version like 2.28"
    assert err == (line if len(line) <= 1000 else f"{line[:1000]}... [{len(line) - 1000:,} more characters]") + "\n"


@pytest.mark.parametrize("retry_after", ["\u00b2", "\u00b9\u00b3"])  # (a header is Latin-1)
def test_a_retry_after_in_other_digits_is_no_delay(capsys, tmp_path, monkeypatch, retry_after):
    """A server's `Retry-After: ²` (isdigit() says yes, float() says no) ended in `internal error: ValueError`;
    it is read as no delay, as any header that is neither seconds nor a date."""
    from tests.hostile import HostileServer, body

    with HostileServer() as server:
        server.routes["/pypi/tinylib/json"] = body(b"", status=503, headers={"Retry-After": retry_after})
        monkeypatch.setenv("ENVSLIM_PYPI_URL", server.url)
        monkeypatch.setenv("ENVSLIM_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setenv("ENVSLIM_RETRY_BACKOFF", "0")
        rc, out, err = run(capsys, "explain", "tinylib", "--online")
    assert (rc, err) == (0, f"envslim: warning: PyPI tinylib: HTTP 503 Service Unavailable; gave up after 3 attempts"
                            f" ({server.url}/pypi/tinylib/json)\n")


HANGING_LIBRARY = r"""
#include <unistd.h>
int answer(void) { return 42; }
__attribute__((constructor)) static void wait_forever(void) { sleep(600); }
"""


@pytest.mark.slow  # (gcc builds a library)
def test_strip_gives_up_on_a_library_whose_constructor_blocks(tmp_path, monkeypatch):
    """`prune --strip` loads the stripped copies in the prefix's Python to see that they still load, with no
    bound: a library whose constructor blocks kept envslim waiting forever. The check is held to the import
    check's bound, its whole process group ended; then no copy is kept and the original stays."""
    import shutil
    import threading

    from envslim.image import importcheck, strip

    gcc, exe = shutil.which("gcc"), shutil.which("strip")
    if not (gcc and exe):
        pytest.skip("needs gcc and strip")
    prefix = tmp_path / "env"
    (prefix / "lib").mkdir(parents=True)
    (tmp_path / "hang.c").write_text(HANGING_LIBRARY)
    subprocess.run([gcc, "-g", "-shared", "-fPIC", "-o", str(prefix / "lib/libhang.so"), str(tmp_path / "hang.c")],
                   check=True)
    original = (prefix / "lib/libhang.so").read_bytes()
    monkeypatch.setattr(importcheck, "IMPORT_TIMEOUT", 1.0)
    files = strip.strip_candidates(str(prefix), set(), ())
    assert [rel for rel, _ in files] == ["lib/libhang.so"]
    kept: list = []
    worker = threading.Thread(target=lambda: kept.append(strip.strip_into(exe, str(prefix), files, sys.executable)),
                              daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive() and kept == [[]]
    assert sorted(os.listdir(prefix / "lib")) == ["libhang.so"] and (prefix / "lib/libhang.so").read_bytes() == original


def test_a_file_saved_while_envslim_planned_is_never_written_over(capsys, tmp_path, monkeypatch):
    """`rewrite` read the file, planned (with --verify: solved, for minutes) and wrote the new text over
    whatever the file held by then: an editor's save in between was lost. The write now checks, just before
    its rename, that the file still holds what was read."""
    import envslim.document.atomic as atomic

    env = tmp_path / "environment.yml"
    env.write_text("name: x\nchannels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n"
                   "  - pyarrow\n")
    write = atomic.write_atomic

    def edit_then_write(path, text, *args, **kwargs):  # the user saves while envslim is at work
        with open(path, "a") as f:
            f.write("  - scipy  # the user's edit\n")
        return write(path, text, *args, **kwargs)

    monkeypatch.setattr(atomic, "write_atomic", edit_then_write)
    rc, out, err = run(capsys, "rewrite", env)
    assert (rc, err) == (2, f"{env}: changed since envslim read it; not rewritten (run envslim again)\n")
    assert out.startswith(f"{env}:7:3: ES001 pyarrow: move to pip (saves ") and out.endswith(") [fix available]\n")
    assert out.count("\n") == 1  # (the figures are the knowledge base's: not this test's business)
    assert env.read_text().endswith("  - pyarrow\n  - scipy  # the user's edit\n")
    assert sorted(os.listdir(tmp_path)) == ["environment.yml"]
    monkeypatch.setattr(atomic, "write_atomic", write)
    rc, out, err = run(capsys, "rewrite", env)  # (unchanged since read: written)
    assert (rc, err) == (0, "") and out.endswith(f"rewrote {env}\n") and "\n  - pyarrow\n" not in env.read_text()


@pytest.mark.parametrize("config", [".envslim.toml", "pyproject.toml"])
def test_report_never_writes_over_the_config_it_found(capsys, tmp_path, monkeypatch, config):
    """`report -o .envslim.toml environment.yml` replaced the config the report had just read (found upward
    from the file) with the report; `--config C -o C` was refused already."""
    monkeypatch.chdir(tmp_path)
    Path("sub").mkdir()
    Path("sub/environment.yml").write_text("name: x\ndependencies:\n  - python=3.11\n  - pyarrow\n")
    text = 'select = ["ES001"]\n' if config == ".envslim.toml" else '[tool.envslim]\nselect = ["ES001"]\n'
    Path(config).write_text(text)
    rc, out, err = run(capsys, "report", "-o", config, "sub/environment.yml")
    assert (rc, out, err) == (2, "", f"{config}: is an input of the report ({tmp_path / config}); write the report to"
                                     " another path\n")
    assert Path(config).read_text() == text and sorted(os.listdir(tmp_path)) == sorted([config, "sub"])


def test_a_trash_whose_files_folder_is_a_link_moves_nothing_in_from_outside(capsys, tmp_path):
    """A trash whose `files` was a link to a folder outside the prefix: the put-back walked through it and
    moved that folder's files into the prefix (gone from where they were)."""
    prefix = _conda_prefix(tmp_path / "env")
    victim = tmp_path / "victim"
    (victim / "lib").mkdir(parents=True)
    (victim / "lib/precious.txt").write_text("precious\n")
    (prefix / ".envslim-trash-abcd1234").mkdir()
    (prefix / ".envslim-trash-abcd1234/files").symlink_to(victim)
    rc, out, err = run(capsys, "prune", prefix)
    assert (rc, err) == (0, "envslim prune: left by an interrupted run: 0 files (0 bytes) in .envslim-trash-abcd1234/,"
                            " put back\n")
    assert (victim / "lib/precious.txt").read_text() == "precious\n" and not (prefix / "lib").exists()
    assert not (prefix / ".envslim-trash-abcd1234").exists()


@pytest.mark.parametrize("go", ["missing", "regular"])
def test_the_pause_hook_never_opens_a_regular_file(tmp_path, monkeypatch, go):
    """``ENVSLIM_PAUSE_AT`` is the signal tests' hook: it wrote the point's name into the path it names, truncating
    a regular file there (``ENVSLIM_PAUSE_AT=trashed:$HOME/.bashrc``), and then waited on PATH.go. Only FIFOs are
    opened now: the file keeps its bytes and the run goes on."""
    from envslim.image.interrupt import pause

    target = tmp_path / "notes.txt"
    target.write_bytes(b"keep me\n")
    if go == "regular":
        (tmp_path / "notes.txt.go").write_bytes(b"")
    monkeypatch.setenv("ENVSLIM_PAUSE_AT", f"trashed:{target}")
    pause("trashed")
    assert target.read_bytes() == b"keep me\n"


@pytest.mark.parametrize("value, shown", [("inf", "inf"), ("nan", "nan"), ("0", "0"), ("-1", "-1")])
def test_prune_smoke_timeout_is_a_finite_number_of_seconds(tmp_path, value, shown):
    """``--smoke-timeout inf`` was taken, and a smoke test that hangs kept prune waiting forever; it is refused
    before anything is read or touched, as ``0`` and ``nan`` were."""
    prefix = _conda_prefix(tmp_path / "env")
    (prefix / "lib").mkdir()
    (prefix / "lib" / "kept.txt").write_text("x")
    rc, out, err = _envslim(tmp_path, "prune", str(prefix), "--keep-used-by", "true", "--smoke-timeout", value)
    assert (rc, out, err) == (2, "", f"envslim prune: --smoke-timeout {shown}: give a number of seconds above 0\n")
    assert sorted(p.name for p in prefix.rglob("*")) == ["conda-meta", "kept.txt", "lib", "numpy-1.0-0.json"]
