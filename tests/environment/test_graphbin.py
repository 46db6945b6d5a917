"""The compiled graph snapshot (envslim.environment.graphbin): it reads exactly as the JSONL it was compiled from,
and it is used only where it can be trusted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from envslim.environment import graph, graphbin
from envslim.environment.graph import Graph
from envslim.environment.model import Environment
from tests.environment.graphkit import doc

ROOT = Path(__file__).resolve().parents[2]
JSONL = ROOT / "knowledge" / "graph" / "conda.jsonl"
STACKS = ROOT.parent / "shared" / "examples" / "stacks"


@pytest.fixture(scope="module")
def pair() -> tuple[Graph, Graph]:
    data = JSONL.read_bytes()
    return Graph(data=data), Graph(data=graphbin.compile_snapshot(data, graphbin.stamp(str(JSONL))), binary=True)


def test_every_build_of_every_name_reads_the_same(pair):
    text, compiled = pair
    assert compiled.names() == text.names() and len(text.names()) > 2000
    assert (compiled.date, compiled.method, compiled.sources) == (text.date, text.method, text.sources)
    assert compiled.ratios.as_json() == text.ratios.as_json()
    for name in text.names():
        assert compiled.all_builds(name) == text.all_builds(name), name
        assert compiled.channels_of(name) == text.channels_of(name), name
        assert compiled.platforms(name) == text.platforms(name), name
        for platform, channel, python in (("linux-64", "conda-forge", "3.11"), ("osx-arm64", "conda-forge", None),
                                          ("linux-64", "defaults", "3.10"), ("win-64", "conda-forge", "3.12")):
            assert (list(compiled.builds(name, platform=platform, channel=channel, python=python))
                    == list(text.builds(name, platform=platform, channel=channel, python=python))), name
    assert compiled.masks == text.masks and compiled.ranks == text.ranks  # (what a walk matches with)


ENVIRONMENTS = {
    "example": (ROOT / "examples" / "environment.yml").read_text(),
    "geo": ("channels: [conda-forge, nodefaults]\ndependencies:\n  - python=3.11\n  - gdal>=3.8\n  - rasterio\n"
            "  - geopandas\n  - xarray\n  - dask\n  - numpy<2\n  - jupyterlab\n"),
    "pytorch": ("channels: [pytorch, conda-forge]\ndependencies:\n  - python=3.10\n  - pytorch\n  - torchvision\n"
                "  - cpuonly\n"),
    "qt": "channels: [conda-forge, defaults]\ndependencies:\n  - python=3.12\n  - scikit-learn\n  - matplotlib\n",
}


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_a_walk_on_the_compiled_snapshot_chooses_the_same_builds(pair, name):
    text, compiled = pair
    a = Environment.from_document(doc(ENVIRONMENTS[name]), None, text)
    b = Environment.from_document(doc(ENVIRONMENTS[name]), None, compiled)
    assert len(a.packages) > 40
    assert b.packages == a.packages and b.stand_in == a.stand_in and b.why_unknown == a.why_unknown
    for root in a.requested:
        assert b.edges(root) == a.edges(root)


def _layout(tmp_path: Path, knowledge: str = "knowledge") -> tuple[Path, Path, Path]:
    """A package folder with a compiled snapshot beside a knowledge folder with the JSONL it was compiled from."""
    package, root = tmp_path / "envslim", tmp_path / knowledge
    (root / "graph").mkdir(parents=True)
    package.mkdir()
    jsonl = root / "graph" / "conda.jsonl"
    jsonl.write_bytes(JSONL.read_bytes())
    (package / graphbin.FILE).write_bytes(graphbin.compile_snapshot(jsonl.read_bytes(), graphbin.stamp(str(jsonl))))
    return package, root, jsonl


def test_a_checkout_uses_the_compiled_snapshot_only_while_its_jsonl_is_unchanged(tmp_path):
    package, root, jsonl = _layout(tmp_path)
    got = graph._compiled(str(package), str(root))
    assert got is not None and got.binary and got.path == str(package / graphbin.FILE)
    assert got.knows("numpy") and got.date == Graph(str(jsonl)).date
    st = jsonl.stat()
    os.utime(jsonl, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # (an edit keeps the size here)
    assert graph._compiled(str(package), str(root)) is None
    jsonl.unlink()
    assert graph._compiled(str(package), str(root)) is None


def test_an_installed_wheel_trusts_its_compiled_snapshot_without_a_jsonl(tmp_path):
    package, root, jsonl = _layout(tmp_path, "_knowledge")
    jsonl.unlink()  # (the wheel carries the compiled form in its place)
    got = graph._compiled(str(package), str(root))
    assert got is not None and got.knows("pyarrow")


@pytest.mark.parametrize("damage", ["missing", "magic", "truncated", "empty header"])
def test_a_missing_or_damaged_compiled_snapshot_is_passed_over(tmp_path, damage):
    package, root, jsonl = _layout(tmp_path, "_knowledge")
    path = package / graphbin.FILE
    data = path.read_bytes()
    if damage == "missing":
        path.unlink()
    elif damage == "magic":
        path.write_bytes(b"x" + data[1:])
    elif damage == "truncated":
        path.write_bytes(data[: graphbin.FIXED + 100])
    else:
        path.write_bytes(graphbin.compile_snapshot(b'{"format": 5, "names": {}}\n'))
    assert graph._compiled(str(package), str(root)) is None


def test_the_module_compiles_the_checkouts_snapshot(tmp_path, capsys):
    out = tmp_path / "snapshot.bin"
    assert graphbin.main([str(out)]) == 0
    assert capsys.readouterr().out == f"{out}: {out.stat().st_size:,} bytes\n"
    data = out.read_bytes()
    assert graphbin.source_stamp(data[: graphbin.FIXED]) == graphbin.stamp(str(JSONL))
    compiled = Graph(str(out), binary=True)
    assert compiled.all_builds("pyarrow") == Graph(str(JSONL)).all_builds("pyarrow")
    # the same bytes from another process (marshal's format 2 stores values only, not what was shared)
    again = tmp_path / "again.bin"
    subprocess.run([sys.executable, "-m", "envslim.environment.graphbin", str(again)], check=True, cwd=ROOT,
                   capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert again.read_bytes() == data


@pytest.mark.skipif(not STACKS.is_dir(), reason="../shared is absent")
@pytest.mark.parametrize("stack", ["api", "geo", "torch"])
def test_the_stacks_walk_the_same_on_both(pair, stack):
    text, compiled = pair
    source = (STACKS / f"{stack}.yml").read_text()
    a = Environment.from_document(doc(source), None, text)
    b = Environment.from_document(doc(source), None, compiled)
    assert b.packages == a.packages and len(a.packages) > 20
