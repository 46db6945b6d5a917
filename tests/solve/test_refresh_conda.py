"""``envslim knowledge refresh --conda NAME``: the closure re-measured by a real solve of the local channel."""

from __future__ import annotations

import shutil
import sys

import pytest

from envslim.cli import main
from envslim.knowledge import packages_dir

pytestmark = pytest.mark.slow  # real solves (py-rattler, uv) on the tests' local channel and index

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_refresh_conda_adds_the_exact_solved_closure(world, env, tmp_path, capsys, server):
    kdir = tmp_path / "packages"
    kdir.mkdir()
    shutil.copy(packages_dir() / "pyarrow.toml", kdir / "pyarrow.toml")
    original = (kdir / "pyarrow.toml").read_text()
    rc = main(["knowledge", "refresh", "--conda", "pyarrow", "--knowledge-dir", str(kdir)])
    out, err = capsys.readouterr()
    assert (rc, err) == (0, "")
    # beyond python's closure: pyarrow, libarrow, libaws, numpy, libblas, libopenblas
    assert out == f"{kdir / 'pyarrow.toml'}: added cf-closure-15.0.0-linux-64-solved: 6 packages, 683,000 B installed\n"
    text = (kdir / "pyarrow.toml").read_text()
    import difflib

    changes = [d for d in difflib.ndiff(original.splitlines(True), text.splitlines(True)) if d[0] in "+-"]
    assert all(d.startswith("+ ") for d in changes)  # only added lines: every other byte kept
    assert sum(1 for d in changes if d.startswith("+ [[")) == 2  # one figure, one source
    data = tomllib.loads(text)
    fig = next(f for f in data["figures"] if f["id"] == "cf-closure-15.0.0-linux-64-solved")
    assert {k: fig[k] for k in ("side", "kind", "version", "platform", "installed_bytes", "packages", "heavy")} == {
        "side": "conda-forge", "kind": "closure", "version": "15.0.0", "platform": "linux-64",
        "installed_bytes": 683_000, "packages": 6, "heavy": ["libaws", "libarrow", "libopenblas", "numpy", "pyarrow"],
    }
    src = next(s for s in data["sources"] if s["id"] == fig["source"])
    assert src["url"] == f"{server.url}/conda/conda-forge/linux-64/pyarrow-15.0.0-py311h0_0.conda"
    assert fig["date"] == src["date"]
    # again: unchanged, nothing written
    rc = main(["knowledge", "refresh", "--conda", "pyarrow", "--knowledge-dir", str(kdir)])
    assert capsys.readouterr().out == f"{kdir / 'pyarrow.toml'}: cf-closure-15.0.0-linux-64-solved unchanged\n"
    assert (kdir / "pyarrow.toml").read_text() == text


def test_refresh_conda_refuses_an_estimated_size(world, env, tmp_path, capsys):
    kdir = tmp_path / "packages"
    kdir.mkdir()
    (kdir / "locket.toml").write_text('name = "locket"\n')
    rc = main(["knowledge", "refresh", "--conda", "locket", "--knowledge-dir", str(kdir)])
    out, err = capsys.readouterr()
    assert rc == 2
    assert err == f"{kdir / 'locket.toml'}: no exact installed size for locket-0.9-h0_0.tar.bz2; figures kept\n"
    assert (kdir / "locket.toml").read_text() == 'name = "locket"\n'
