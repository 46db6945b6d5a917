"""envslim prune --keep-used-by: the trace in real Python processes, what it selects (exact report), dry
run, restore byte for byte when the second run fails, and the cut on a real numpy+pandas+pyarrow venv."""

from __future__ import annotations

import hashlib
import os
import py_compile
import subprocess
import sys
from pathlib import Path

import pytest

from envslim.cli import main
from envslim.image import trace
from tests.image.test_prune import ROUND_TRIP, _round_trip, real_venv, tree  # noqa: F401 (real_venv: a fixture)
from tests.conftest import run

PY = f"python{sys.version_info[0]}.{sys.version_info[1]}"
SP = f"lib/{PY}/site-packages"
TAG = sys.implementation.cache_tag

FILES = {
    f"{SP}/used/__init__.py": "from . import helper\n",  # 21
    f"{SP}/used/helper.py": "import os\nDATA = open(os.path.join(os.path.dirname(__file__), 'table.txt')).read()\n",
    f"{SP}/used/table.txt": "abc\n",  # 4
    f"{SP}/used/tests/test_used.py": "def test(): pass\n",  # 17: the plain tests category
    f"{SP}/used.libs/libfoo.so.1": "F" * 40,
    f"{SP}/used-1.0.dist-info/RECORD": "used/__init__.py,,\nused/helper.py,,\nused/table.txt,,\nused.libs/libfoo.so.1,,\n",
    f"{SP}/unused/__init__.py": "X = 1\n",  # 6
    f"{SP}/unused/mod.py": "Y = 2\n" * 3,  # 18
    f"{SP}/unused/data.json": "{}" * 10,  # 20
    f"{SP}/unused/_ext.{TAG}-x86_64-linux-gnu.so": "E" * 30,
    f"{SP}/unused-2.0.dist-info/RECORD": "unused/__init__.py,,\n",
    "lib/libbar.so.2": "B" * 50,
    "share/unused/data.txt": "s" * 12,  # outside lib/: stays
}


def _make(root: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    for rel, text in FILES.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (root / SP / "used.libs" / "libfoo.so").symlink_to("libfoo.so.1")
    for mod in ("used/helper.py", "unused/mod.py"):  # into the prefix's __pycache__, whatever pycache_prefix says
        src = root / SP / mod
        cfile = src.parent / "__pycache__" / f"{src.stem}.{sys.implementation.cache_tag}.pyc"
        py_compile.compile(str(src), cfile=str(cfile), doraise=True)
    return root


@pytest.fixture(autouse=True)
def _own_bytecode(monkeypatch) -> None:
    """The traced commands read and write byte-code in the prefix's __pycache__, as a deployed environment
    does, even where this test run keeps its own elsewhere (PYTHONPYCACHEPREFIX)."""
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)


@pytest.fixture
def prefix(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # the runs write no byte-code: exact trees
    return _make(tmp_path / "env")


def _prune(capsys, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "prune", *argv)


def _size(root: Path, rel: str) -> int:
    return (root / rel).stat().st_size


def _expected(root: Path, tail: str) -> str:
    t = tree(root)
    files = [k for k in t if not k.endswith("/")]  # symbolic links count as files of 0 bytes
    total = sum(v for v in t.values() if isinstance(v, int))
    helper_pyc = f"{SP}/used/__pycache__/helper.{TAG}.pyc"
    mod_pyc = f"{SP}/unused/__pycache__/mod.{TAG}.pyc"
    touched = 21 + _size(root, f"{SP}/used/helper.py") + 4 + _size(root, helper_pyc)
    modules = 6 + 18 + _size(root, mod_pyc)
    pct = lambda b: f"{100 * b / total:.1f}%"  # noqa: E731
    removed = 17 + modules + 30 + 90 + 20
    return (
        f"prefix {root} (venv): {len(files)} files, {total:,} bytes\n"
        f"traced 'python -c '\"'\"'import used'\"'\"'': 1 Python process touched 4 files, {touched:,} bytes ({pct(touched)})\n"
        "category                 files           bytes  share\n"
        f"tests                        1              17 {pct(17):>6}\n"
        "js-maps                      0               0   0.0%\n"
        "docs                         0               0   0.0%\n"
        "pip                          0               0   0.0%\n"
        "sanitizers                   0               0   0.0%\n"
        "stdlib-extras                0               0   0.0%\n"
        f"untraced-modules             3 {modules:>15,} {pct(modules):>6}\n"
        f"untraced-extensions          1              30 {pct(30):>6}\n"
        f"untraced-libraries           2              90 {pct(90):>6}\n"
        f"untraced-data                1              20 {pct(20):>6}\n"
        f"total                        8 {removed:>15,} {pct(removed):>6}\n"
        "by package:\n"
        f"  unused                         {modules + 50:>15,}\n"
        f"  used                           {57:>15,}\n"
        f"  (no package)                   {50:>15,}\n"
        + tail.format(removed=removed, left=total - removed)
    )


def test_trace_removes_what_the_command_never_touched(prefix: Path, capsys) -> None:
    before = tree(prefix)
    expected = _expected(prefix, "verified: 'python -c '\"'\"'import used'\"'\"'' passes after pruning; removed {removed:,} bytes, {left:,} left\n")
    rc, out, err = _prune(capsys, str(prefix), "--keep-used-by", "python -c 'import used'")
    assert (rc, err) == (0, "")
    assert out == expected
    gone = {
        f"{SP}/used/tests/test_used.py", f"{SP}/used/tests/",
        f"{SP}/used.libs/libfoo.so.1", f"{SP}/used.libs/libfoo.so",  # the link goes with its target
        f"{SP}/unused/__init__.py", f"{SP}/unused/mod.py", f"{SP}/unused/__pycache__/mod.{TAG}.pyc",
        f"{SP}/unused/data.json", f"{SP}/unused/_ext.{TAG}-x86_64-linux-gnu.so", "lib/libbar.so.2",
    }
    after = tree(prefix)
    # The directories the removed files leave empty go too (used.libs/, unused/ and its __pycache__/).
    assert after == {k: v for k, v in before.items() if k not in gone and not k.startswith((f"{SP}/used.libs", f"{SP}/unused/"))}
    assert (prefix / SP / "unused-2.0.dist-info" / "RECORD").exists() and (prefix / "share/unused/data.txt").exists()
    assert not list(prefix.glob(".envslim-trash-*")) and not (prefix / SP / trace.PTH_NAME).exists()


def test_dry_run_lists_and_changes_nothing(prefix: Path, capsys) -> None:
    before = tree(prefix)
    rc, out, err = _prune(capsys, str(prefix), "--keep-used-by", "python -c 'import used'", "--dry-run")
    assert (rc, err) == (0, "")
    listing = out.split("would remove:\n", 1)[1]
    assert listing.splitlines()[:3] == [
        "  lib/libbar.so.2 (50 bytes, untraced-libraries)",
        f"  {SP}/unused/__init__.py (6 bytes, untraced-modules)",
        f"  {SP}/unused/__pycache__/mod.{TAG}.pyc ({_size(prefix, f'{SP}/unused/__pycache__/mod.{TAG}.pyc'):,} bytes, untraced-modules)",
    ]
    assert f"  {SP}/used.libs/libfoo.so (symbolic link to a removed file)\n" in listing
    assert out.endswith("; nothing was changed\n") and out.startswith(_expected(prefix, "").rsplit("by package", 1)[0])
    assert tree(prefix) == before


def _digest(root: Path) -> dict[str, tuple[int, str]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = Path(dirpath, n)
            st = p.lstat()
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = (st.st_mode, "-> " + os.readlink(p))
            elif p.is_file():
                out[rel] = (st.st_mode, hashlib.sha256(p.read_bytes()).hexdigest() + f" {st.st_mtime_ns}")
            else:
                out[rel] = (st.st_mode, "dir")
    return out


FLIP = """
import sys, os
marker = sys.argv[1]
if os.path.exists(marker):
    sys.exit(3)
open(marker, "w").close()
"""


def _flip_command(tmp_path: Path, then: str = "") -> str:
    script = tmp_path / "flip.py"
    script.write_text(FLIP + then)
    return f"python {script} {tmp_path / 'marker'}"


def test_a_failing_second_run_puts_everything_back(prefix: Path, tmp_path: Path, capsys) -> None:
    before = _digest(prefix)
    rc, out, err = _prune(capsys, str(prefix), "--keep-used-by", _flip_command(tmp_path, "import used\n"))
    assert rc == 2
    assert err.endswith("fails after pruning (exit 3); every file was put back\n")
    assert _digest(prefix) == before


def test_a_command_failing_before_pruning_changes_nothing(prefix: Path, capsys) -> None:
    before = _digest(prefix)
    rc, out, err = _prune(capsys, str(prefix), "--keep-used-by", "python -c 'import sys; print(\"boom\"); sys.exit(4)'")
    assert (rc, out) == (2, "")
    assert err == (
        "envslim prune: --keep-used-by 'python -c '\"'\"'import sys; print(\"boom\"); sys.exit(4)'\"'\"'' fails before "
        "pruning (exit 4); nothing was changed\n    boom\n"
    )
    assert _digest(prefix) == before


def test_a_command_that_starts_no_python_is_an_error(prefix: Path, capsys) -> None:
    rc, out, err = _prune(capsys, str(prefix), "--keep-used-by", "true")
    assert (rc, out) == (2, "")
    assert err == f"envslim prune: --keep-used-by true started no Python from {prefix}: nothing to trace; nothing was changed\n"


def test_category_of() -> None:
    assert trace.category_of(f"{SP}/a/b.py") == "untraced-modules"
    assert trace.category_of(f"{SP}/a/__pycache__/b.{TAG}.pyc") == "untraced-modules"
    assert trace.category_of(f"lib/{PY}/lib-dynload/_ssl.{TAG}-x86_64-linux-gnu.so") == "untraced-extensions"
    assert trace.category_of(f"{SP}/numpy.libs/libscipy_openblas64_-ff651d7f.so") == "untraced-libraries"
    assert trace.category_of("lib/libarrow.so.1900.1.0") == "untraced-libraries"
    assert trace.category_of(f"{SP}/pandas/io/formats/templates/html.tpl") == "untraced-data"
    assert trace.category_of(f"{SP}/pandas-2.2.3.dist-info/METADATA") is None
    assert trace.category_of(f"{SP}/distutils-precedence.pth") is None
    assert trace.category_of("lib/pkgconfig/arrow.pc") is None  # outside Python: only shared libraries
    assert trace.category_of("share/proj/proj.db") is None and trace.category_of("bin/python") is None


# -- a real prefix -------------------------------------------------------------------------------------------


@pytest.mark.slow  # a real venv with numpy, pandas and pyarrow from PyPI
def test_real_venv_failing_second_run_restores_byte_for_byte(real_venv: Path, tmp_path: Path, capsys) -> None:
    before = _digest(real_venv)
    rt = tmp_path / "rt.py"
    rt.write_text(ROUND_TRIP)
    then = f"import runpy; sys.argv = [{str(rt)!r}, {str(tmp_path / 't.parquet')!r}]; runpy.run_path(sys.argv[0])\n"
    rc, out, err = _prune(capsys, str(real_venv), "--keep-used-by", _flip_command(tmp_path, then))
    assert rc == 2 and err.endswith("fails after pruning (exit 3); every file was put back\n"), err
    assert _digest(real_venv) == before


@pytest.mark.slow  # a real venv with numpy, pandas and pyarrow from PyPI
def test_real_venv_trace_cuts_40_percent_and_the_round_trip_passes(real_venv: Path, tmp_path: Path, capsys) -> None:
    rt = tmp_path / "rt.py"
    rt.write_text(ROUND_TRIP)
    rc, out, err = _prune(capsys, str(real_venv), "--keep-used-by", f"python {rt} {tmp_path / 't.parquet'}")
    assert (rc, err) == (0, ""), out
    total = int(out.splitlines()[0].split(", ")[1].split()[0].replace(",", ""))
    removed = next(int(ln.split()[2].replace(",", "")) for ln in out.splitlines() if ln.startswith("total "))
    assert removed * 100 >= 40 * total, out
    assert out.splitlines()[-1].startswith("verified: ")
    assert _round_trip(real_venv, tmp_path) == "10 abcde 5.0\n"


@pytest.mark.slow  # a real venv with numpy, pandas and pyarrow from PyPI
def test_real_venv_strip_shrinks_libarrow_and_leaves_what_strip_breaks(real_venv: Path, tmp_path: Path, capsys) -> None:
    """After the trace prune above. auditwheel's patched OpenBLAS does not load once stripped, so it stays."""
    import shutil

    if not shutil.which("strip"):
        pytest.skip("needs strip (binutils)")
    sp = next((real_venv / "lib").glob("python3.*/site-packages"))
    arrow = next((sp / "pyarrow").glob("libarrow.so.*"))
    blas = sorted((sp / "numpy.libs").glob("libscipy_openblas*.so"))
    sizes = (arrow.stat().st_size, [b.stat().st_size for b in blas])
    rt = tmp_path / "rt.py"
    rt.write_text(ROUND_TRIP)
    rc, out, err = _prune(capsys, str(real_venv), "--keep-used-by", f"python {rt} {tmp_path / 't.parquet'}", "--strip")
    assert (rc, err) == (0, ""), out
    assert arrow.stat().st_size < sizes[0] and not trace.elf_has_symbols(str(arrow))
    assert [b.stat().st_size for b in blas] == sizes[1]
    assert _round_trip(real_venv, tmp_path) == "10 abcde 5.0\n"


# -- the prune categories added with the trace: sanitizers, stdlib-extras, cython-sources -----------------

NEW_CATEGORY_FILES = {
    "conda-meta/python-3.11.0-0.json": "{}\n",
    "lib/libasan.so.8.0.0": "A" * 40,
    "lib/libtsan.so.2.0.0": "T" * 30,
    "lib/libstdc++.so.6.0.33": "S" * 20,  # stays
    "lib/python3.11/idlelib/idle.py": "i" * 11,
    "lib/python3.11/tkinter/__init__.py": "k" * 13,
    "lib/python3.11/lib-dynload/_tkinter.cpython-311-x86_64-linux-gnu.so": "K" * 15,
    "lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so": "L" * 16,  # stays
    "lib/python3.11/ensurepip/__init__.py": "e" * 7,
    "lib/python3.11/test/test_os.py": "t" * 9,
    "lib/python3.11/os.py": "o" * 5,  # stays
    "lib/python3.11/site-packages/gui/tkinter/__init__.py": "g" * 8,  # not the stdlib's: stays
    "lib/python3.11/site-packages/pkg/_lib.pyx": "x" * 21,
    "lib/python3.11/site-packages/pkg/_lib.pxd": "d" * 22,
    "lib/python3.11/site-packages/pkg/_lib.pxi": "p" * 23,
    "bin/idle3.11": "I" * 6,
    "bin/python3.11": "P" * 4,  # stays
}


@pytest.mark.parametrize("aggressive", [False, True])
def test_new_categories_in_prune_and_in_the_dockerfile_find_commands(tmp_path: Path, capsys, aggressive: bool) -> None:
    from envslim.image.findcmd import find_commands
    from tests.image.test_prune import build

    a = build(tmp_path / "a", NEW_CATEGORY_FILES)
    b = build(tmp_path / "b", NEW_CATEGORY_FILES)
    for root in (a, b):
        (root / "lib" / "libasan.so.8").symlink_to("libasan.so.8.0.0")
        (root / "bin" / "idle3").symlink_to("idle3.11")
    flags = ["--aggressive"] if aggressive else []
    rc, out, err = _prune(capsys, str(a), *flags)
    assert (rc, err) == (0, "")
    assert "sanitizers             3              70 " in out
    assert "stdlib-extras          7              61 " in out
    assert ("cython-sources         3              66 " in out) == aggressive
    left = {
        "conda-meta/python-3.11.0-0.json": 3,
        "lib/libstdc++.so.6.0.33": 20,
        "lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so": 16,
        "lib/python3.11/os.py": 5,
        "lib/python3.11/site-packages/gui/tkinter/__init__.py": 8,
        "bin/python3.11": 4,
    }
    if not aggressive:
        left.update({f"lib/python3.11/site-packages/pkg/_lib.{x}": n for x, n in (("pyx", 21), ("pxd", 22), ("pxi", 23))})
    else:
        left["lib/python3.11/site-packages/pkg/"] = 0
    assert tree(a) == left
    for cmd in find_commands(str(b), aggressive=aggressive):
        subprocess.run(["sh", "-c", cmd.shell()], check=True)
    assert tree(b) == left


# -- envslim dockerfile --smoke ------------------------------------------------------------------------------

SMOKE_GOLDEN = Path(__file__).parent.parent / "golden" / "trace"
SEED_DIR = Path(__file__).parent.parent / "golden" / "seed"
SMOKE_VARIANTS = {
    "seed-smoke": ["--smoke", "python -c 'import used'"],
    "seed-smoke-miniforge": [
        "--smoke", "python -c 'import used'", "--installer", "miniforge", "--cache", "clean", "--aggressive",
        "--keep", "*/site-packages/pip*", "--envslim-wheel", "dist/envslim-0.1.0-py3-none-any.whl",
    ],
}


@pytest.mark.parametrize("variant", sorted(SMOKE_VARIANTS))
def test_smoke_golden(variant: str, capsys, monkeypatch) -> None:
    from tests.image.test_activation import check_golden

    monkeypatch.chdir(SEED_DIR)
    from envslim import __version__

    wheel = "dist/envslim-0.1.0-py3-none-any.whl" if "miniforge" in variant else f"envslim-{__version__}-py3-none-any.whl"
    check_golden(capsys, ["env.yaml", *SMOKE_VARIANTS[variant]], SMOKE_GOLDEN / f"{variant}.Dockerfile",
                 f"envslim: warning: --smoke needs envslim's wheel in the build context, and {wheel} is not there:"
                 f" `pip wheel --no-deps --wheel-dir . envslim=={__version__}` puts it there (or name another with"
                 " --envslim-wheel)\n")


@pytest.mark.slow  # hadolint, a real binary, on every variant
@pytest.mark.parametrize("variant", sorted(SMOKE_VARIANTS))
def test_smoke_golden_passes_hadolint(variant: str, tmp_path: Path) -> None:
    from tests.image.test_dockerfile import hadolint

    assert hadolint((SMOKE_GOLDEN / f"{variant}.Dockerfile").read_text(), tmp_path) == (0, "")


def test_smoke_step_runs_envslim_prune_on_a_prefix(prefix: Path, capsys) -> None:
    """The RUN's last command, with this checkout's envslim and a real prefix in place of the image's."""
    from envslim import __version__
    from envslim.image.dockerfile import PREFIX

    text = (SMOKE_GOLDEN / "seed-smoke.Dockerfile").read_text()
    run = text.split(f"\nCOPY --chown=57439:57439 envslim-{__version__}-py3-none-any.whl /tmp/envslim/\nRUN ", 1)[1].split("\n\n", 1)[0]
    last = run.split("\n && ")[-1]
    assert last == f"/tmp/envslim/env/bin/envslim prune {PREFIX} --keep-used-by 'python -c '\"'\"'import used'\"'\"''"
    envslim = Path(sys.executable).parent / "envslim"
    cmd = last.replace("/tmp/envslim/env/bin/envslim", str(envslim)).replace(PREFIX, str(prefix))
    done = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[-1].startswith("verified: 'python -c '\"'\"'import used'\"'\"'' passes after pruning;")
    assert not (prefix / SP / "unused").exists() and (prefix / SP / "used" / "helper.py").exists()


def test_smoke_with_credentials_in_a_url_is_refused(capsys, monkeypatch) -> None:
    monkeypatch.chdir(SEED_DIR)
    rc = main(["dockerfile", "env.yaml", "--smoke", "python -c 'import urllib.request as u; u.urlopen(\"https://me:s3cret@example.org/\")'"])
    cap = capsys.readouterr()
    assert (rc, cap.out) == (2, "")
    assert "s3cret" not in cap.err and cap.err.count("\n") == 1
    assert cap.err.startswith("envslim dockerfile: --smoke: the command holds credentials in a URL")


def test_smoke_with_a_newline_is_refused(capsys, monkeypatch) -> None:
    monkeypatch.chdir(SEED_DIR)
    rc = main(["dockerfile", "env.yaml", "--smoke", "python -c 1\nRUN rm -rf /"])
    cap = capsys.readouterr()
    assert (rc, cap.out) == (2, "")
    assert cap.err == (
        "envslim dockerfile: --smoke holds the control character U+000A; refusing to copy it into a Dockerfile\n"
    )


def test_credentials_in_the_command_are_never_printed(prefix: Path, capsys) -> None:
    rc, out, err = _prune(capsys, str(prefix), "--keep-used-by", "python -c 'import used' https://me:s3cret@example.org/x")
    assert rc == 0 and "s3cret" not in out + err
    assert "traced 'python -c '\"'\"'import used'\"'\"' https://***@example.org/x': 1 Python process" in out


# -- --strip ---------------------------------------------------------------------------------------------------

ANSWER_C = "int answer(void) { return 42; }\nstatic int helper(int x) { return x + 1; }\nint twice(int x) { return helper(x) * 2 - 2; }\n"
USES_ANSWER = "python -c 'import ctypes, sys; assert ctypes.CDLL(sys.prefix + \"/lib/libanswer.so\").answer() == 42; import used'"


def _build_answer(prefix: Path, tmp_path: Path) -> Path:
    import shutil

    if not (shutil.which("cc") and shutil.which("strip")):
        pytest.skip("needs a C compiler and strip (binutils)")
    src = tmp_path / "answer.c"
    src.write_text(ANSWER_C)
    lib = prefix / "lib" / "libanswer.so"
    subprocess.run(["cc", "-g", "-O0", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    return lib


def test_strip_shrinks_a_library_with_symbols_and_it_still_loads(prefix: Path, tmp_path: Path, capsys) -> None:
    lib = _build_answer(prefix, tmp_path)
    before = lib.stat().st_size
    assert trace.elf_has_symbols(str(lib)) and not trace.elf_has_symbols(str(prefix / "pyvenv.cfg"))
    rc, out, err = _prune(capsys, str(prefix), "--keep-used-by", USES_ANSWER, "--strip")
    assert (rc, err) == (0, ""), out
    after = lib.stat().st_size
    assert after < before and not trace.elf_has_symbols(str(lib))
    assert f"strip                        1 {before - after:>15,} " in out
    assert not list(prefix.rglob("*.envslim-strip"))
    done = subprocess.run(["sh", "-c", USES_ANSWER], cwd=prefix, env={"PATH": f"{prefix}/bin:{os.environ['PATH']}"})
    assert done.returncode == 0


def test_strip_dry_run_and_failing_second_run_change_nothing(prefix: Path, tmp_path: Path, capsys) -> None:
    _build_answer(prefix, tmp_path)
    before = _digest(prefix)
    rc, out, err = _prune(capsys, str(prefix), "--keep-used-by", USES_ANSWER, "--strip", "--dry-run")
    assert (rc, err) == (0, "")
    assert "  lib/libanswer.so (strip saves " in out
    assert _digest(prefix) == before
    then = "import ctypes; ctypes.CDLL(sys.prefix + '/lib/libanswer.so').answer()\n"
    rc, out, err = _prune(capsys, str(prefix), "--keep-used-by", _flip_command(tmp_path, then), "--strip")
    assert rc == 2 and err.endswith("every file was put back\n")
    assert _digest(prefix) == before


def test_strip_needs_keep_used_by(prefix: Path, capsys) -> None:
    rc, out, err = _prune(capsys, str(prefix), "--strip")
    assert (rc, out) == (2, "")
    assert err == "envslim prune: --strip needs --keep-used-by (its second run shows the stripped libraries still load)\n"


# -- what cannot be written or moved -------------------------------------------------------------------------


def test_a_site_packages_that_cannot_take_the_tracer_is_one_line_and_no_change(prefix: Path, capsys) -> None:
    from tests.image.test_prune import _make_unremovable

    before = _digest(prefix)
    undo, why = _make_unremovable(prefix / SP)  # no new file in site-packages (chattr +i when root)
    try:
        rc, out, err = _prune(capsys, str(prefix), "--keep-used-by", "python -c 'import used'")
    finally:
        undo()
    assert (rc, out) == (2, "")
    assert err == f"{prefix / SP / trace.PTH_NAME}: cannot write the tracer's .pth file: {why}; nothing was changed\n"
    assert _digest(prefix) == before


def test_a_file_that_cannot_be_moved_aside_puts_everything_back(prefix: Path, capsys) -> None:
    from tests.image.test_prune import _make_unremovable

    before = _digest(prefix)
    undo, why = _make_unremovable(prefix / SP / "unused" / "mod.py")
    try:
        rc, out, err = _prune(capsys, str(prefix), "--keep-used-by", "python -c 'import used'")
        after = _digest(prefix)
    finally:
        undo()
    assert (rc, out) == (2, "")
    assert err == f"{prefix / SP / 'unused' / 'mod.py'}: cannot move it aside: {why}; every file was put back\n"
    assert after == before


def test_the_trace_never_enters_a_mount_point_inside_the_prefix(prefix: Path) -> None:
    touched = {str(prefix / SP / "used" / f) for f in ("__init__.py", "helper.py", "table.txt")}
    everywhere = trace.select(str(prefix), touched, skip=set(), mounts=frozenset())
    assert everywhere.files["untraced-data"] == [(f"{SP}/unused/data.json", 20)]
    assert everywhere.files["untraced-extensions"] == [(f"{SP}/unused/_ext.{TAG}-x86_64-linux-gnu.so", 30)]
    mounted = trace.select(str(prefix), touched, skip=set(), mounts=frozenset({str(prefix / SP / "unused")}))
    assert {c: [rel for rel, _ in files] for c, files in mounted.files.items()} == {
        "untraced-modules": [f"{SP}/used/tests/test_used.py"],
        "untraced-extensions": [],
        "untraced-libraries": ["lib/libbar.so.2", f"{SP}/used.libs/libfoo.so.1"],
        "untraced-data": [],
    }


@pytest.mark.skipif(os.geteuid() != 0, reason="bind mounts need root")
def test_keep_used_by_does_not_move_files_out_of_a_bind_mount(prefix: Path, tmp_path: Path, capsys) -> None:
    host = tmp_path / "host"
    host.mkdir()
    (host / "data.bin").write_text("host data")
    target = prefix / SP / "used" / "vendored"
    target.mkdir()
    if subprocess.run(["mount", "--bind", str(host), str(target)], capture_output=True).returncode != 0:
        pytest.skip("this sandbox cannot bind-mount")
    try:
        rc, out, err = _prune(capsys, str(prefix), "--keep-used-by", "python -c 'import used'")
        assert (rc, err) == (0, "")
        assert (host / "data.bin").read_text() == "host data"
        assert "vendored" not in out
    finally:
        subprocess.run(["umount", str(target)], check=True)
