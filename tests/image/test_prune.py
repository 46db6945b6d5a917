"""envslim prune: exact reports on synthetic prefixes, dry run, symlink safety, unremovable files, the find
commands of the Dockerfile against the Python walk, and a real numpy+pandas+pyarrow venv."""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from envslim.cli import main
from envslim.image.findcmd import find_commands
from tests.conftest import run

SP = "lib/python3.11/site-packages"

# path -> content; sizes are the content lengths, chosen distinct so every row of a report means something.
CONDA_FILES = {
    "conda-meta/history": "==> 2024 <==\n",  # 13
    "conda-meta/numpy-2.0.0-0.json": "{}\n",  # 3
    "pkgs/numpy-2.0.0-0.conda": "x" * 100,
    "pkgs/numpy-2.0.0-0/info/index.json": "{}" * 20,  # 40
    "bin/python": "P" * 50,
    "bin/pip": "#!pip\n" * 5,  # 30
    "bin/pip3": "#!pip3\n" * 4,  # 28
    "bin/pipx": "pipx!!\n",  # 7: not pip
    f"{SP}/pkg/__init__.py": "from .core import x\n",  # 20
    f"{SP}/pkg/core.py": "x = 1\n",  # 6
    f"{SP}/pkg/tests/__init__.py": "",
    f"{SP}/pkg/tests/test_core.py": "def test_x():\n    assert True\n",  # 30
    f"{SP}/pkg/tests/data/frame.csv": "a,b\n" * 3,  # 12
    f"{SP}/pkg/tests/__pycache__/test_core.cpython-311.pyc": "c" * 25,
    f"{SP}/pkg/testing/__init__.py": "def assert_ok(): pass\n",  # 22: a helper, stays
    f"{SP}/pkg/static/app.js": "var a=1;\n",  # 9
    f"{SP}/pkg/static/app.js.map": "m" * 60,
    f"{SP}/pkg/__pycache__/core.cpython-311.pyc": "c" * 33,
    f"{SP}/pkg/include/pkg.h": "#define X 1\n",  # 12
    f"{SP}/pkg/libpkg.a": "a" * 70,
    f"{SP}/uses_tests/__init__.py": "from .tests.runner import Runner\n",  # 33
    f"{SP}/uses_tests/tests/runner.py": "class Runner: pass\n",  # 19
    f"{SP}/tests/__init__.py": "# top\n",  # 6: a top-level package named tests is not a package's test suite
    f"{SP}/pip/__init__.py": "p" * 45,
    f"{SP}/pip/_internal/cli.py": "p" * 55,
    f"{SP}/pip/_vendor/colorama/tests/t.py": "p" * 8,
    f"{SP}/pip-24.0.dist-info/RECORD": "r" * 25,
    "share/man/man1/python.1": "m" * 80,
    "share/doc/pkg/README": "r" * 22,
    "share/doc/pkg/LICENSE.txt": "l" * 19,
}


def build(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def tree(root: Path) -> dict[str, int | str]:
    """Every file and symlink under root (never following links): size, or '-> target' for a link."""
    out: dict[str, int | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = "-> " + os.readlink(p)
            elif p.is_file():
                out[rel] = p.stat().st_size
            elif not any(p.iterdir()):
                out[rel + "/"] = 0  # empty directories count too
    return out


def prune(capsys, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "prune", *argv)


@pytest.fixture
def conda_prefix(tmp_path: Path) -> Path:
    return build(tmp_path / "env", CONDA_FILES)


TOTAL = sum(len(t) for t in CONDA_FILES.values())  # 882 bytes in 30 files


def report(prefix: Path, rows: str, tail: str) -> str:
    return f"prefix {prefix} (conda): 30 files, {TOTAL:,} bytes\n" + rows + tail


NO_PYTHON = "import check: skipped: no runnable Python in the prefix (no executable bin/python3 or bin/python); pruned without it\n"

DEFAULT_ROWS = """\
category           files           bytes  share
tests                  4              67   7.6%
js-maps                1              60   6.8%
docs                   2             102  11.6%
pip                    6             191  21.7%
conda-pkgs             2             140  15.9%
conda-history          1              13   1.5%
sanitizers             0               0   0.0%
stdlib-extras          0               0   0.0%
total                 16             573  65.0%
kept lib/python3.11/site-packages/uses_tests/tests/ (tests): imported at run time by lib/python3.11/site-packages/uses_tests/__init__.py:1
"""


def test_dry_run_reports_exactly_and_changes_nothing(conda_prefix: Path, capsys) -> None:
    before = tree(conda_prefix)
    rc, out, err = prune(capsys, str(conda_prefix), "--dry-run")
    assert (rc, err) == (0, "")
    assert out == report(
        conda_prefix, DEFAULT_ROWS, "dry run: would remove 573 bytes, leaving 309; nothing was changed\n"
    )
    assert tree(conda_prefix) == before


def test_prune_removes_exactly_the_default_set(conda_prefix: Path, capsys) -> None:
    rc, out, err = prune(capsys, str(conda_prefix))
    assert (rc, err) == (0, "")
    assert out == report(conda_prefix, DEFAULT_ROWS, NO_PYTHON + "removed 573 bytes, 309 left\n")
    assert tree(conda_prefix) == {
        "conda-meta/numpy-2.0.0-0.json": 3,
        "bin/python": 50,
        "bin/pipx": 7,
        f"{SP}/pkg/__init__.py": 20,
        f"{SP}/pkg/core.py": 6,
        f"{SP}/pkg/testing/__init__.py": 22,
        f"{SP}/pkg/static/app.js": 9,
        f"{SP}/pkg/__pycache__/core.cpython-311.pyc": 33,
        f"{SP}/pkg/include/pkg.h": 12,
        f"{SP}/pkg/libpkg.a": 70,
        f"{SP}/uses_tests/__init__.py": 33,
        f"{SP}/uses_tests/tests/runner.py": 19,
        f"{SP}/tests/__init__.py": 6,
        "share/doc/pkg/LICENSE.txt": 19,
    }
    # A second run finds nothing more.
    rc, out, _ = prune(capsys, str(conda_prefix), "--dry-run")
    assert out.splitlines()[-2:-1] == [
        "kept lib/python3.11/site-packages/uses_tests/tests/ (tests): imported at run time by "
        "lib/python3.11/site-packages/uses_tests/__init__.py:1"
    ]
    assert "total                  0               0   0.0%" in out


def test_aggressive_adds_bytecode_static_libs_headers(conda_prefix: Path, capsys) -> None:
    rc, out, err = prune(capsys, str(conda_prefix), "--aggressive")
    assert (rc, err) == (0, "")
    rows = DEFAULT_ROWS.replace(
        "total                 16             573  65.0%\n",
        "cython-sources         0               0   0.0%\n"
        "bytecode               1              33   3.7%\n"
        "static-libs            1              70   7.9%\n"
        "headers                1              12   1.4%\n"
        "total                 19             688  78.0%\n",
    )
    assert out == report(conda_prefix, rows, NO_PYTHON + "removed 688 bytes, 194 left\n")
    left = tree(conda_prefix)
    assert f"{SP}/pkg/__pycache__/" not in left  # __pycache__ is a directory category: it goes whole
    assert f"{SP}/pkg/include/" in left  # a directory emptied by a file category stays (harmless)
    assert not any(k.endswith((".pyc", ".a", ".h")) for k in left)


def test_keep_glob_keeps_a_directory_and_a_file(conda_prefix: Path, capsys) -> None:
    rc, out, _ = prune(capsys, str(conda_prefix), "--keep", "*/pkg/tests", "--keep", "bin/pip*")
    assert rc == 0
    assert "tests                  0               0   0.0%\n" in out
    assert "pip                    4             133  15.1%\n" in out
    left = tree(conda_prefix)
    assert left[f"{SP}/pkg/tests/test_core.py"] == 30
    assert left[f"{SP}/pkg/tests/__pycache__/test_core.cpython-311.pyc"] == 25
    assert left["bin/pip"] == 30 and left["bin/pip3"] == 28
    assert f"{SP}/pip/__init__.py" not in left


def test_a_venv_has_no_conda_categories(tmp_path: Path, capsys) -> None:
    venv = build(tmp_path / "venv", {"pyvenv.cfg": "home = /usr/bin\n", f"{SP}/a/tests/t.py": "t" * 9})
    rc, out, _ = prune(capsys, str(venv), "--dry-run")
    assert rc == 0
    assert out == (
        f"prefix {venv} (venv): 2 files, 25 bytes\n"
        "category           files           bytes  share\n"
        "tests                  1               9  36.0%\n"
        "js-maps                0               0   0.0%\n"
        "docs                   0               0   0.0%\n"
        "pip                    0               0   0.0%\n"
        "sanitizers             0               0   0.0%\n"
        "stdlib-extras          0               0   0.0%\n"
        "total                  1               9  36.0%\n"
        "dry run: would remove 9 bytes, leaving 16; nothing was changed\n"
    )


@pytest.mark.parametrize("make", ["empty", "missing", "file"])
def test_not_a_prefix_is_exit_2_with_one_line(tmp_path: Path, capsys, make: str) -> None:
    target = tmp_path / "thing"
    if make == "empty":
        target.mkdir()
        (target / "lib").mkdir()
        expected = f"{target}: not an environment (neither conda-meta/ nor pyvenv.cfg in it); nothing was changed\n"
    elif make == "file":
        target.write_text("x")
        expected = f"{target}: no such directory\n"
    else:
        expected = f"{target}: no such directory\n"
    rc, out, err = prune(capsys, str(target))
    assert (rc, out, err) == (2, "", expected)


USR_LAYOUT = {  # the Fedora, RHEL and Arch layout: a site-packages under /usr/lib, no conda-meta/, no pyvenv.cfg
    "lib/python3.12/site-packages/requests/__init__.py": "r" * 10,
    "lib/python3.12/site-packages/requests/tests/test_a.py": "t" * 10,
    "lib/python3.12/site-packages/pip/__init__.py": "p" * 10,
    "share/doc/bash/README": "d" * 10,
    "share/man/man1/ls.1": "m" * 10,
}


@pytest.mark.parametrize("how", ["as is", "through a symbolic link"])
@pytest.mark.parametrize("extra", ["", "--dry-run", "--aggressive", "--keep-used-by=true"])
def test_a_usr_shaped_tree_is_not_an_environment(tmp_path: Path, capsys, how: str, extra: str) -> None:
    usr = build(tmp_path / "usr", USR_LAYOUT)
    before = tree(usr)
    target = usr
    if how != "as is":
        target = tmp_path / "link"
        target.symlink_to(usr, target_is_directory=True)
    rc, out, err = prune(capsys, str(target), *([extra] if extra else []))
    shown = str(usr) if how == "as is" else f"{target} (resolves to {usr})"
    assert (rc, out) == (2, "")
    assert err == f"{shown}: not an environment (neither conda-meta/ nor pyvenv.cfg in it); nothing was changed\n"
    assert tree(usr) == before


REFUSED = "; envslim prune works only inside an environment; nothing was changed\n"


@pytest.mark.parametrize(
    "path, why",
    [
        ("/", "the root directory"),
        ("/usr", "a system directory"),
        ("/opt", "a system directory"),
        ("/usr/", "a system directory"),
        ("/usr/../opt", "a system directory"),
    ],
)
@pytest.mark.parametrize("extra", ["--dry-run", "--keep-used-by=true"])
def test_system_directories_are_refused_by_name(capsys, path: str, why: str, extra: str) -> None:
    if not os.path.isdir(path):
        pytest.skip(f"{path} does not exist here")
    shown = path if os.path.normpath(path) == os.path.realpath(path) else f"{path} (resolves to {os.path.realpath(path)})"
    rc, out, err = prune(capsys, path, extra)
    assert (rc, out, err) == (2, "", f"{shown}: {why}{REFUSED}")


def test_the_home_directory_and_its_parents_are_refused(tmp_path: Path, capsys, monkeypatch) -> None:
    """$HOME is taken as the home directory (and the password database's entry, which tmp_path is not under)."""
    home = build(tmp_path / "home" / "alice", {**CONDA_FILES, "pyvenv.cfg": ""})  # even with both markers
    (tmp_path / "home" / "conda-meta").mkdir()
    monkeypatch.setenv("HOME", str(home))
    link = tmp_path / "here"
    link.symlink_to(home, target_is_directory=True)
    before = tree(tmp_path)
    for target, why in [
        (home, "the home directory"),
        (link, "the home directory"),
        (home.parent, f"a parent of {home}"),
        (tmp_path, f"a parent of {home}"),
    ]:
        rc, out, err = prune(capsys, str(target))
        shown = f"{link} (resolves to {home})" if target == link else str(target)
        assert (rc, out, err) == (2, "", f"{shown}: {why}{REFUSED}")
    assert tree(tmp_path) == before
    env = build(home / "envs" / "app", CONDA_FILES)  # an environment inside the home directory is fine
    rc, out, err = prune(capsys, str(env), "--dry-run")
    assert (rc, err) == (0, "") and out.startswith(f"prefix {env} (conda): 30 files")


@pytest.mark.parametrize(
    "real, conda, why",
    [
        ("/", True, "the root directory"),
        ("/usr", True, "a system directory"),
        ("/opt", True, "a system directory"),
        ("/usr/local", False, "a system directory without conda-meta/"),
        ("/usr/local", True, None),  # images that install conda there
        ("/opt/conda", True, None),
        ("/usr/lib", True, None),  # neither a system directory nor a parent: judged by its marker
        ("/home/alice", True, "the home directory"),
        ("/home", True, "a parent of /home/alice"),
        ("/home/alice/envs/app", True, None),
        ("/srv", True, None),
    ],
)
def test_the_refusal_rule(real: str, conda: bool, why: str | None) -> None:
    from envslim.image.prune import refusal

    assert refusal(real, ("/home/alice",), conda) == why


def test_symlinks_out_of_the_prefix_are_never_followed(tmp_path: Path, capsys) -> None:
    outside = build(
        tmp_path / "outside",
        {
            "pkg/tests/test_a.py": "a" * 10,
            "bundle.js.map": "m" * 10,
            "lib.a": "a" * 10,
            "man1/x.1": "x" * 10,
            "data/tests/keep.txt": "k" * 10,
        },
    )
    before_outside = tree(outside)
    prefix = build(tmp_path / "env", {"conda-meta/history": "h\n", f"{SP}/real/tests/t.py": "t" * 7})
    sp = prefix / SP
    (sp / "linked").symlink_to(outside, target_is_directory=True)  # a package dir that is a link: not entered
    (sp / "real" / "tests" / "data").symlink_to(outside / "data", target_is_directory=True)  # inside a tests dir
    (prefix / "share").mkdir()
    (prefix / "share" / "man").symlink_to(outside / "man1", target_is_directory=True)  # a selected dir name
    (prefix / "bin").mkdir()
    (prefix / "bin" / "app.js.map").symlink_to(outside / "bundle.js.map")  # a selected file name
    (prefix / "lib64").symlink_to("lib")  # as venv makes: must not be walked twice

    rc, out, err = prune(capsys, str(prefix), "--aggressive")
    assert (rc, err) == (0, "")
    assert out.splitlines()[0] == f"prefix {prefix} (conda): 7 files, 9 bytes"  # links count 0 bytes
    assert "tests                  2               7" in out  # t.py and the link itself
    assert "js-maps                1               0" in out
    assert tree(outside) == before_outside
    assert tree(prefix) == {
        "conda-meta/": 0,
        f"{SP}/linked": f"-> {outside}",
        f"{SP}/real/": 0,
        "share/man": f"-> {outside / 'man1'}",
        "bin/": 0,
        "lib64": "-> lib",
    }


def _make_unremovable(path: Path):
    """Make ``path`` impossible to unlink for this process; returns (undo, expected strerror) or skips."""
    if os.geteuid() != 0:
        path.parent.chmod(0o555)
        return (lambda: path.parent.chmod(0o755)), os.strerror(errno.EACCES)
    # root ignores permission bits; an immutable file (chattr +i, CAP_LINUX_IMMUTABLE) still cannot go.
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("running as root and chattr is not available to make a file immutable")
    done = subprocess.run([chattr, "+i", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"running as root and chattr +i is refused here: {done.stderr.strip()}")
    return (lambda: subprocess.run([chattr, "-i", str(path)], check=True)), os.strerror(errno.EPERM)


def test_a_file_that_cannot_be_removed_is_reported_not_fatal(conda_prefix: Path, capsys) -> None:
    stuck = conda_prefix / SP / "pkg" / "tests" / "data" / "frame.csv"
    undo, reason = _make_unremovable(stuck)
    try:
        rc, out, err = prune(capsys, str(conda_prefix))
    finally:
        undo()
    assert rc == 0
    assert err == f"envslim prune: cannot remove {SP}/pkg/tests/data/frame.csv: {reason}\n"
    rows = DEFAULT_ROWS.replace("tests                  4              67   7.6%", "tests                  3              55   6.2%")
    rows = rows.replace("total                 16             573  65.0%", "total                 15             561  63.6%")
    rows = rows.replace("kept", "not removed            1              12   1.4%\nkept")
    assert out == report(conda_prefix, rows, NO_PYTHON + "removed 561 bytes, 321 left\n")
    assert stuck.read_text() == "a,b\n" * 3
    assert not (conda_prefix / SP / "pkg" / "tests" / "test_core.py").exists()


@pytest.mark.parametrize(
    "files, kept",
    [
        # absolute import in a submodule
        ({"a/__init__.py": "", "a/util.py": "import a.tests.helpers as h\n", "a/tests/helpers.py": ""}, "a/tests"),
        # from-import of the package's tests module, two levels up
        ({"b/__init__.py": "", "b/x/y.py": "from .. import tests\n", "b/tests/__init__.py": ""}, "b/tests"),
        # importlib with a dotted string
        ({"c/__init__.py": "import importlib\nimportlib.import_module('c.sub.tests')\n", "c/sub/tests/t.py": ""},
         "c/sub/tests"),
        # newer syntax than this Python parses: conservative, kept
        ({"d/__init__.py": "from .tests import z\nmatch := = 1\n", "d/tests/z.py": ""}, "d/tests"),
    ],
)
def test_tests_dirs_imported_at_run_time_stay(tmp_path: Path, capsys, files: dict[str, str], kept: str) -> None:
    prefix = build(tmp_path / "env", {"pyvenv.cfg": "", **{f"{SP}/{k}": v for k, v in files.items()}})
    rc, out, _ = prune(capsys, str(prefix))
    assert rc == 0
    assert f"kept {SP}/{kept}/ (tests): " in out
    assert (prefix / SP / kept).is_dir()


def test_imports_from_tests_and_conftest_do_not_keep_a_tests_dir(tmp_path: Path, capsys) -> None:
    prefix = build(
        tmp_path / "env",
        {
            "pyvenv.cfg": "",
            f"{SP}/e/__init__.py": "",
            f"{SP}/e/conftest.py": "from e.tests.util import fixture\n",  # only pytest loads conftest.py
            f"{SP}/e/tests/util.py": "from e.tests import other\n",
            f"{SP}/e/io/tests/test_io.py": "from e.tests.util import fixture\n",
        },
    )
    rc, out, _ = prune(capsys, str(prefix))
    assert rc == 0 and "kept" not in out
    assert tree(prefix) == {"pyvenv.cfg": 0, f"{SP}/e/__init__.py": 0, f"{SP}/e/conftest.py": 33, f"{SP}/e/io/": 0}


def test_known_run_time_import_stays_without_reading_code(tmp_path: Path, capsys) -> None:
    prefix = build(tmp_path / "env", {"conda-meta/x.json": "", f"{SP}/astropy/tests/runner.py": "r"})
    rc, out, _ = prune(capsys, str(prefix))
    assert f"kept {SP}/astropy/tests/ (tests): astropy/__init__.py imports .tests.runner\n" in out
    assert (prefix / SP / "astropy/tests/runner.py").exists()


@pytest.mark.parametrize("options", [(), ("--aggressive",), ("--keep", "*/pkg/tests/data", "--keep", "bin/pip3")])
def test_dockerfile_find_commands_remove_what_prune_removes(tmp_path: Path, capsys, options: tuple[str, ...]) -> None:
    """The Dockerfile's find commands and the Python walk select the same files (one source of truth).
    The one known difference: find cannot see that uses_tests imports its tests directory."""
    files = {**CONDA_FILES, f"{SP}/astropy/__init__.py": "from .tests.runner import TestRunner\n",
             f"{SP}/astropy/tests/runner.py": "class TestRunner: pass\n", f"{SP}/astropy/tests/__pycache__/r.pyc": "c"}
    a = build(tmp_path / "a", files)
    b = build(tmp_path / "b", files)
    for p in (a, b):  # symlinks: find must not follow them either
        (p / "share" / "doc" / "link").symlink_to(tmp_path / "a" / "bin")
    assert main(["prune", str(a), *options]) == 0
    capsys.readouterr()
    keep = tuple(options[i + 1] for i, o in enumerate(options) if o == "--keep")
    for cmd in find_commands(str(b), aggressive="--aggressive" in options, keep=keep):
        subprocess.run(["sh", "-c", cmd.shell()], check=True)
    expected = tree(a)
    got = tree(b)
    # find cannot read Python: uses_tests/tests goes (its import is not one envslim knows of)
    expected = {k: v for k, v in expected.items() if not k.startswith(f"{SP}/uses_tests/tests")}
    assert got == expected
    assert (b / SP / "astropy/tests/runner.py").exists()


# -- a real prefix -----------------------------------------------------------------------------------------


def _pypi_reachable() -> bool:
    try:
        with urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=15) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def real_venv(tmp_path_factory) -> Path:
    """A venv with numpy, pandas and pyarrow from PyPI (slow: built once per module), as pip installs them in
    an image: with their byte-code in the venv's ``__pycache__`` folders, wherever this test run keeps its own
    (PYTHONPYCACHEPREFIX would send pip's byte-compilation outside the venv, and the prune measures the venv)."""
    if not _pypi_reachable():
        pytest.skip("PyPI is unreachable")
    venv = tmp_path_factory.mktemp("real") / "venv"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)  # (ensurepip compiles pip too)
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "numpy", "pandas", "pyarrow"],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    sp = next((venv / "lib").glob("python3.*/site-packages"))
    for package in ("pip", "pandas"):
        assert (sp / package / "__pycache__" / f"__init__.{sys.implementation.cache_tag}.pyc").is_file()
    return venv


ROUND_TRIP = """
import sys
import pandas as pd
path = sys.argv[1]
df = pd.DataFrame({"n": range(5), "s": list("abcde"), "f": [0.5 * i for i in range(5)]})
df.to_parquet(path, engine="pyarrow")
back = pd.read_parquet(path, engine="pyarrow")
pd.testing.assert_frame_equal(df, back)
print(back["n"].sum(), "".join(back["s"]), back["f"].sum())
"""


def _round_trip(venv: Path, tmp_path: Path) -> str:
    script = tmp_path / "rt.py"
    script.write_text(ROUND_TRIP)
    done = subprocess.run(
        [str(venv / "bin" / "python"), str(script), str(tmp_path / "t.parquet")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow  # a real venv with numpy and pyarrow from PyPI
def test_real_venv_pruned_still_does_a_parquet_round_trip(real_venv: Path, tmp_path: Path, capsys) -> None:
    rc, out, err = prune(capsys, str(real_venv))
    assert (rc, err) == (0, "")
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:] if line[:1].isalpha()}
    total_bytes = int(out.splitlines()[0].split(", ")[1].split()[0].replace(",", ""))
    removed = int(rows["total"][2].replace(",", ""))
    assert removed * 10 >= total_bytes, out  # the goal: at least 10% off with the default set
    sp = next((real_venv / "lib").glob("python3.*/site-packages"))
    assert not (sp / "pandas" / "tests").exists() and not (sp / "numpy" / "_core" / "tests").exists()
    assert not (sp / "pip").exists() and not (real_venv / "bin" / "pip").exists()
    assert (sp / "numpy" / "testing").is_dir() and (sp / "pandas" / "_testing").is_dir()
    assert "import check: not imported after (a category removes them): pip\n" in out
    assert re.search(r"^import check: all \d+ import after pruning\n", out, re.M), out
    assert "restored" not in out
    assert _round_trip(real_venv, tmp_path) == "10 abcde 5.0\n"
    # --aggressive on top (bytecode, static libraries, headers): still runs, just recompiles on start.
    rc, out, err = prune(capsys, str(real_venv), "--aggressive")
    assert (rc, err) == (0, "")
    assert not list(sp.rglob("__pycache__"))
    assert _round_trip(real_venv, tmp_path) == "10 abcde 5.0\n"
