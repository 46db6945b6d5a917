"""pyarrow's move on the real corpus files (../shared/corpus) that lost it to names the graph snapshot did not
know: with those names' records (tools/data/graph_fill.jsonl), the move is judged on what they really reach.
Each test skips when ../shared is absent."""

from __future__ import annotations

import pytest

from envslim import knowledge

from tests.rules.test_safefix import about, corpus


def test_pyspark_keeps_pyarrow_in_conda_and_the_refusal_names_the_path(tmp_path, capsys):
    """192 (dask's spark CI file): conda-forge's pyspark, 3.5.5 as 4.1.1, depends on pyarrow (its feedstock's
    recipe): the move is refused because of that path, no longer because pyspark is unknown."""
    lines, before, after = corpus(tmp_path, capsys, "192", "--select", "ES001")
    (line,) = about(lines, "ES001", "pyarrow")
    assert line.startswith("F:11:3: ES001 pyarrow: Apache Arrow for Python; ")  # Python 3.9: the summary
    assert line.endswith("; not moved: pyspark → pyarrow keeps it in conda (a build the file's pins allow depends"
                         " on it) [not fixed: another conda package pulls it back]")
    assert after == before


@pytest.mark.parametrize("prefix, line, unknown", [
    ("010", 29, "cramjam, crick, pytables, python-cityhash, tiledb-py are"),
    ("020", 47, "cramjam, crick, gilknocker, pynvml, setproctitle are"),
    ("060", 34, "cramjam, fastparquet, pytables are"),
])
def test_the_refusal_names_only_what_the_snapshot_still_lacks(tmp_path, capsys, prefix, line, unknown):
    """dask's CI files: cachey, heapdict, httpretty, ipycytoscape, spectate, python-snappy, mimesis,
    jupyter-server-proxy, simpervisor, pytest-faulthandler and pytest-tornasync are known now (their
    feedstocks' recipes), none reaches pyarrow; the compiled names no public lock file read has still keep the
    move from being judged. pywin32 is not among them: on linux-64 pywin32-on-windows installs its ``__unix``
    build (moto -> docker-py -> pywin32-on-windows ends there)."""
    lines, before, after = corpus(tmp_path, capsys, prefix, "--select", "ES001")
    (found,) = about(lines, "ES001", "pyarrow")
    # the knowledge base's reason where its figures are for the file's pyarrow (25.0 on linux-64), else its summary
    entry = knowledge.load("pyarrow")
    assert found.startswith(tuple(f"F:{line}:3: ES001 pyarrow: {text}" for text in (entry.advice["reason"], entry.summary)))
    assert found.endswith(f"; not moved: {unknown} not in the snapshot, so whether"
                          " they pull pyarrow back cannot be judged"
                          " [not fixed: a package the snapshot does not know]")
    assert after == before
