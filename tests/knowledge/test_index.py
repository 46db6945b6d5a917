"""The knowledge index: compiled from the TOML files, read entry by entry, never believed when stale,
built into the wheel by the hatch hook, and nothing written into an installed package at run time."""

from __future__ import annotations

import json
import marshal
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from envslim.environment import graphbin
from envslim.knowledge.index import FILE, MAGIC, Index, compile_index, read_toml

ROOT = Path(__file__).resolve().parent.parent.parent
KNOWLEDGE = ROOT / "knowledge"


def test_the_index_holds_every_file_as_its_toml_reads():
    idx = Index(compile_index(str(KNOWLEDGE)), str(KNOWLEDGE))
    files = sorted(p.stem for p in (KNOWLEDGE / "packages").glob("*.toml"))
    assert sorted(idx.names()) == files
    for name in files:
        assert idx.fresh(f"packages/{name}.toml")
        assert idx.entry(name) == read_toml(str(KNOWLEDGE / "packages" / f"{name}.toml")), name
    assert idx.header["names"] == read_toml(str(KNOWLEDGE / "names.toml"))


def test_a_changed_or_new_file_is_read_from_its_toml(tmp_path):
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    idx = Index(compile_index(str(root)), str(root))
    pyarrow = root / "packages" / "pyarrow.toml"
    pyarrow.write_text(pyarrow.read_text() + "\n# edited\n")
    (root / "packages" / "newpkg.toml").write_text('name = "newpkg"\n')
    assert not idx.fresh("packages/pyarrow.toml")
    assert not idx.fresh("packages/newpkg.toml")
    assert idx.fresh("packages/numpy.toml") and idx.fresh("names.toml")
    assert Index(compile_index(str(KNOWLEDGE)), None).fresh("packages/pyarrow.toml")  # a wheel's is trusted
    old = MAGIC + len(header := marshal.dumps({"format": 1}, 2)).to_bytes(8, "little") + header
    with pytest.raises(ValueError, match="knowledge index format 1, not 2"):
        Index(old, None)
    with pytest.raises(ValueError, match="not a knowledge index"):
        Index(b'{"format": 1, "names": {}}\n', None)  # (format 1 was JSON)


def test_the_graph_snapshots_pypi_requirements_are_a_data_file_of_the_index(tmp_path):
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    pypi = root / "graph" / "pypi.json"
    idx = Index(compile_index(str(root)), str(root))
    assert idx.fresh("graph/pypi.json")
    assert idx.data("graph/pypi.json") == json.loads(pypi.read_text()) and idx.data("graph/pypi.json")["projects"]
    pypi.write_text(pypi.read_text() + "\n")
    assert not idx.fresh("graph/pypi.json")


@pytest.mark.slow
def test_the_wheel_carries_the_index_and_its_hook_path_writes_nothing(tmp_path):
    pytest.importorskip("hatchling")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("envslim-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        data = z.read(f"envslim/{FILE}")
        members = set(z.namelist())
        compiled = z.read(f"envslim/{graphbin.FILE}")
    assert Index(data, None).names() == {p.stem for p in (KNOWLEDGE / "packages").glob("*.toml")}
    # the knowledge base goes in whole, but for the graph snapshot's JSONL: its compiled form stands in its place
    shipped = {m[len("envslim/_knowledge/"):] for m in members if m.startswith("envslim/_knowledge/")}
    assert shipped == {str(p.relative_to(KNOWLEDGE)).replace(os.sep, "/") for p in KNOWLEDGE.rglob("*")
                       if p.is_file()} - {"graph/conda.jsonl"}
    jsonl = KNOWLEDGE / "graph" / "conda.jsonl"
    assert compiled == graphbin.compile_snapshot(jsonl.read_bytes(), graphbin.stamp(str(jsonl)))
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    before = sorted(str(p.relative_to(site)) for p in site.rglob("*"))
    env_file = tmp_path / "environment.yml"
    env_file.write_text("name: t\nchannels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - pyarrow>=12\n"
                        "  - python=3.11\n")
    # (no .envslim.toml: reading one would import tomllib, which the index spares the knowledge files)
    code = ("import sys\nfrom envslim.cli import main\nfrom envslim import knowledge\n"
            "from envslim.environment import graph\n"
            "rc = main(['rewrite', '--check', sys.argv[1]])\n"
            "print(rc, 'tomllib' in sys.modules, knowledge.compiled() is not None, graph.snapshot().binary,"
            " sys.modules['envslim'].__file__.startswith(sys.argv[2]))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run([sys.executable, "-c", code, str(env_file), str(site)], capture_output=True, text=True,
                          env=dict(env, PYTHONPATH=str(site)), cwd=tmp_path)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"{env_file}:6:3: ES001 pyarrow: move to pip (saves ~"), proc.stdout + proc.stderr
    assert lines[0].endswith(" [fix available]"), proc.stdout + proc.stderr
    assert lines[-2:] == [f"would rewrite {env_file}", "1 False True True True"]
    # the installed copy (compiled snapshot) says exactly what the checkout (its JSONL) says
    here = subprocess.run([sys.executable, "-m", "envslim", "rewrite", "--check", str(env_file)], capture_output=True,
                          text=True, env=dict(env, PYTHONPATH=str(ROOT)), cwd=tmp_path)
    assert here.stdout.splitlines() == lines[:-1], here.stdout + here.stderr
    # byte-code may be written as Python does it (no --no-compile here would have made it at install);
    # envslim itself writes nothing: no new file but __pycache__ ones
    after = sorted(str(p.relative_to(site)) for p in site.rglob("*"))
    assert [p for p in after if p not in before and "__pycache__" not in p] == []


def test_the_module_compiles_the_checkouts_index(tmp_path):
    """``python -m envslim.knowledge.index OUT``, as bench/bench_hook.py runs it (the module lost its main())."""
    out = tmp_path / "index.bin"
    proc = subprocess.run([sys.executable, "-m", "envslim.knowledge.index", str(out)], cwd=ROOT, capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"{out}: {out.stat().st_size:,} bytes\n", "")
    assert out.read_bytes() == compile_index(str(ROOT / "knowledge"))
