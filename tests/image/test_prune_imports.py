"""envslim prune's import check on real venvs (python -m venv): what imported before pruning imports after,
the files a failing import needs are put back, and what failed before is left as it is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.image.test_prune import build, tree
from tests.conftest import run

SP = f"lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"

# The scanner cannot see these imports: the module names are put together at run time.
PACKAGES = {
    "dyn/__init__.py": '__import__("dyn." + "te" + "sts.helpers")\n',  # 35
    "dyn/tests/__init__.py": "",
    "dyn/tests/helpers.py": "X = 1\n",  # 6
    "dyn/tests/test_dyn.py": "def test_x():\n    pass\n",  # 23
    "plain/__init__.py": "Y = 2\n",  # 6
    "plain/tests/test_plain.py": "def test_y():\n    pass\n",  # 23
    "plain/tests/util.py": "Z = 3\n",  # 6
    "other/__init__.py": '__import__("plain." + "te" + "sts.util")\n',  # 38: needs another package's tests
    "broken/__init__.py": 'raise ImportError("broken before any prune")\n',  # 45
    "broken/tests/test_broken.py": "def test_z():\n    pass\n",  # 23
    "solo.py": "import dyn\n",  # 11
    "pip/__init__.py": "# pip\n",  # 6: the pip category removes it on purpose
}


def make_venv(root: Path, packages: dict[str, str]) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    build(root, {f"{SP}/{rel}": text for rel, text in packages.items()})
    return root


def imports(venv: Path, name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin" / "python"), "-I", "-B", "-c", f"import {name}"], capture_output=True, text=True)


def prune(capsys, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "prune", *argv)


def report(venv: Path, files: int, size: int, rows: str, tail: str) -> str:
    return f"prefix {venv} (venv): {files} files, {size:,} bytes\n" + rows + tail


def _venv_size(venv: Path) -> tuple[int, int]:
    sizes = [v for v in tree(venv).values() if isinstance(v, int) and v]
    files = sum(1 for k, v in tree(venv).items() if not k.endswith("/"))
    return files, sum(sizes)


ROWS = """\
category           files           bytes  share
tests                  {t:>1}              {tb:>2}   {ts}
js-maps                0               0   0.0%
docs                   0               0   0.0%
pip                    1               6   0.0%
sanitizers             0               0   0.0%
stdlib-extras          0               0   0.0%
total                  {n:>1}              {nb:>2}   {ns}
"""


def test_prune_puts_back_what_an_import_needs_and_leaves_a_broken_package(tmp_path: Path, capsys) -> None:
    venv = make_venv(tmp_path / "venv", PACKAGES)
    files, size = _venv_size(venv)
    before = tree(venv)
    for name in ("dyn", "other", "solo"):
        assert imports(venv, name).returncode == 0, name
    rc, out, err = prune(capsys, str(venv))
    assert (rc, err) == (0, "")
    pct = f"{100 * 23 / size:.1f}%"
    assert out == report(
        venv,
        files,
        size,
        ROWS.format(t=1, tb=23, ts=pct, n=2, nb=29, ns=f"{100 * 29 / size:.1f}%"),
        "import check (bin/python3): 4 top-level modules of site-packages imported before\n"
        "import check: not imported after (a category removes them): pip\n"
        "import check: broken not checked: its import failed before pruning too "
        "(ImportError: broken before any prune)\n"
        "restored 3 files (29 bytes) for dyn: its import failed after pruning "
        "(ModuleNotFoundError: No module named 'dyn.tests')\n"
        "restored 2 files (29 bytes) for other: its import failed after pruning "
        "(ModuleNotFoundError: No module named 'plain.tests')\n"
        "import check: all 4 import after pruning (2 after putting files back)\n"
        f"removed 29 bytes, {size - 29:,} left\n",
    )
    after = tree(venv)
    assert sorted(k for k in before if k not in after) == [f"{SP}/broken/tests/test_broken.py", f"{SP}/pip/__init__.py"]
    assert sorted(k for k in after if k not in before) == []  # the emptied broken/tests/ and pip/ are gone too
    assert not (venv / SP / "broken" / "tests").exists() and not (venv / SP / "pip").exists()
    for name in ("dyn", "plain", "other", "solo"):
        assert imports(venv, name).returncode == 0, name
    assert "broken before any prune" in imports(venv, "broken").stderr
    assert [p for p in os.listdir(venv) if p.startswith(".envslim-trash-")] == []
    assert list(venv.rglob("__pycache__")) == []  # the check writes no byte-code into the prefix


def test_a_failure_it_cannot_attribute_puts_back_every_file(tmp_path: Path, capsys) -> None:
    venv = make_venv(
        tmp_path / "venv",
        {
            "plain/__init__.py": "Y = 2\n",
            "plain/tests/test_plain.py": "def test_y():\n    pass\n",  # 23
            "odd/__init__.py": (  # 90: reads another package's test file by path
                "import os\nassert os.path.exists(os.path.join(os.path.dirname(__file__), '..', 'plain', 'tests'))\n"
            ),
            "pip/__init__.py": "# pip\n",  # 6
        },
    )
    files, size = _venv_size(venv)
    before = tree(venv)
    rc, out, err = prune(capsys, str(venv))
    assert (rc, err) == (0, "")
    assert out.endswith(
        "import check (bin/python3): 2 top-level modules of site-packages imported before\n"
        "import check: not imported after (a category removes them): pip\n"
        "restored every file (2 files, 29 bytes) for odd: its import failed after pruning (AssertionError)\n"
        "import check: all 2 import after pruning (1 after putting files back)\n"
        f"removed 0 bytes, {size:,} left\n"
    )
    assert "total                  0               0   0.0%\n" in out
    assert tree(venv) == before


def test_dry_run_imports_nothing_and_changes_nothing(tmp_path: Path, capsys) -> None:
    venv = make_venv(tmp_path / "venv", PACKAGES)
    files, size = _venv_size(venv)
    before = tree(venv)
    rc, out, err = prune(capsys, str(venv), "--dry-run")
    assert (rc, err) == (0, "")
    assert "import check" not in out
    assert out.endswith(f"dry run: would remove 87 bytes, leaving {size - 87:,}; nothing was changed\n")
    assert tree(venv) == before


def test_a_python_for_another_platform_is_said_and_prune_goes_on(tmp_path: Path, capsys) -> None:
    prefix = build(tmp_path / "env", {"conda-meta/x.json": "{}", f"{SP}/a/__init__.py": "", f"{SP}/a/tests/t.py": "t"})
    exe = prefix / "bin" / "python3"
    exe.parent.mkdir()
    exe.write_bytes(b"\x7fELF\x02\x01\x01" + b"\0" * 57)  # an ELF header this machine cannot run
    exe.chmod(0o755)
    rc, out, err = prune(capsys, str(prefix))
    assert (rc, err) == (0, "")
    assert out.endswith(
        "import check: skipped: no runnable Python in the prefix (bin/python3 does not start: Exec format error); "
        "pruned without it\nremoved 1 bytes, 66 left\n"
    )
    assert not (prefix / SP / "a" / "tests").exists()


def test_a_relative_prefix_is_checked_too(tmp_path: Path, capsys, monkeypatch) -> None:
    make_venv(tmp_path / "venv", {"dyn/" + k[4:]: v for k, v in PACKAGES.items() if k.startswith("dyn/")})
    monkeypatch.chdir(tmp_path)
    rc, out, err = prune(capsys, "venv")
    assert (rc, err) == (0, "")
    assert out.startswith("prefix venv (venv): ")
    assert out.endswith(
        "import check (bin/python3): 1 top-level module of site-packages imported before\n"
        "restored 3 files (29 bytes) for dyn: its import failed after pruning "
        "(ModuleNotFoundError: No module named 'dyn.tests')\n"
        "import check: all 1 import after pruning (1 after putting files back)\n"
        f"removed 0 bytes, {_venv_size(tmp_path / 'venv')[1]:,} left\n"
    )


def test_an_import_that_hangs_counts_as_failing_and_its_children_are_ended(tmp_path: Path) -> None:
    from envslim.image import importcheck

    venv = make_venv(
        tmp_path / "venv",
        {
            # a child that keeps the pipes open, and a parent that waits forever (until killed)
            "hangs/__init__.py": "import subprocess, sys, threading\n"
            "subprocess.Popen([sys.executable, '-c', 'import threading; threading.Event().wait()'])\n"
            "threading.Event().wait()\n",
            "fine/__init__.py": "",
        },
    )
    python, mods = importcheck.modules(str(venv))
    assert [m.name for m in mods] == ["fine", "hangs"]
    assert importcheck.import_each(python, ["fine"]) == {"fine": None}
    assert importcheck.import_each(python, ["hangs"], timeout=1) == {"hangs": "no answer within 1 s"}
    left = subprocess.run(["pgrep", "-f", "threading.Event().wait()"], capture_output=True, text=True).stdout.split()
    assert left == []


def test_byte_code_beside_a_module_does_not_take_the_module_off_the_check(tmp_path: Path, capsys) -> None:
    """--aggressive removes solo.pyc beside solo.py: solo is still checked (and still imports)."""
    venv = make_venv(tmp_path / "venv", {"solo.py": "X = 1\n", "solo.pyc": "not byte-code", "pip/__init__.py": ""})
    rc, out, err = prune(capsys, str(venv), "--aggressive")
    assert (rc, err) == (0, "")
    assert "import check (bin/python3): 1 top-level module of site-packages imported before\n" in out
    assert "import check: not imported after (a category removes them): pip\nimport check: all 1 import after pruning\n" in out
    assert (venv / SP / "solo.py").exists() and not (venv / SP / "solo.pyc").exists()
