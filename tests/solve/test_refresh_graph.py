"""``envslim knowledge refresh --graph``: the graph snapshot rebuilt from a real local channel's repodata."""

from __future__ import annotations

import pytest

from envslim.cli import main
from envslim.environment.graph import Graph
from envslim.environment.model import Environment, Target


@pytest.mark.slow
def test_refresh_graph_reads_the_names_and_what_they_reach(world, env, tmp_path, capsys, server):
    out = tmp_path / "conda.jsonl"
    rc = main(["knowledge", "refresh", "--graph", "pyarrow", "--out", str(out)])
    stdout, err = capsys.readouterr()
    assert (rc, err) == (0, ""), err
    data = out.read_bytes()
    # pyarrow, libarrow, libaws, numpy, python, libblas (both variants), libopenblas, mkl
    assert stdout == (f"{out}: 8 names from 9 builds on conda-forge (linux-64 and noarch), {len(data):,} bytes\n")
    g = Graph(str(out))
    assert sorted(g.names()) == ["libarrow", "libaws", "libblas", "libopenblas", "mkl", "numpy", "pyarrow", "python"]
    (pa,) = g.builds("pyarrow", platform="linux-64", channel="conda-forge")
    host = server.url.split("://", 1)[1]
    assert (pa.version, pa.build, pa.depends) == (
        "15.0.0", "py311h0_0", ("python >=3.11,<3.12.0a0", "libarrow ==15.0.0", "numpy >=1.25"))
    assert pa.archive_bytes == world.built["linux-64/pyarrow-15.0.0-py311h0_0.conda"].stat().st_size
    assert pa.source.startswith(f"{host}/conda/conda-forge repodata.json (")
    # not measured: an estimate from the archive bytes with the shipped snapshot's ratios, with its range
    assert pa.installed_bytes is None and pa.estimate and pa.installed_range[0] <= pa.figure[0] <= pa.installed_range[1]
    assert [b.build for b in g.builds("libblas", platform="linux-64", channel="conda-forge")] == ["21_openblas", "20_mkl"]
    # the new snapshot walks like the shipped one: OpenBLAS, not the MKL variant
    e = Environment.from_specs(["pyarrow"], Target("linux-64", ("conda-forge",), "3.11"), g)
    assert sorted(e.packages) == ["libarrow", "libaws", "libblas", "libopenblas", "numpy", "pyarrow", "python"]
    # again: the same bytes, nothing written
    assert main(["knowledge", "refresh", "--graph", "pyarrow", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"{out}: unchanged\n"


@pytest.mark.slow
def test_refresh_graph_without_a_channel_keeps_the_snapshot(env, tmp_path, capsys, server):
    out = tmp_path / "conda.jsonl"
    out.write_text("old\n")
    rc = main(["knowledge", "refresh", "--graph", "pyarrow", "--out", str(out)])
    stdout, err = capsys.readouterr()
    assert (rc, stdout) == (2, "")
    assert err.startswith(f"{out}: cannot read the channels: ") and err.endswith("; snapshot kept\n")
    assert err.count("\n") == 1
    assert out.read_text() == "old\n"



@pytest.mark.slow
def test_refresh_graph_refuses_an_out_fifo_before_any_work(world, env, tmp_path, capsys, server):
    """``--out FIFO`` was opened for reading after the work (to compare with the new snapshot), and waited for a
    writer forever. A writer here stands by: it is let go only when someone opens the FIFO to read."""
    import os
    import threading

    out = tmp_path / "out"
    os.mkfifo(out)
    opened = []

    def writer() -> None:
        with open(out, "wb"):
            opened.append(True)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    rc = main(["knowledge", "refresh", "--graph", "pyarrow", "--out", str(out)])
    assert (rc, *capsys.readouterr()) == (2, "", f"{out}: not a regular file (a FIFO); nothing written\n")
    assert opened == []  # envslim never opened it
    fd = os.open(out, os.O_RDONLY | os.O_NONBLOCK)  # (lets the writer go)
    thread.join(10)
    os.close(fd)
    assert opened == [True]
