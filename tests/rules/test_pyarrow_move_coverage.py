"""pyarrow's move on the real corpus files (../shared/corpus) that lost it to names the graph snapshot did not
know: with those names' records (tools/data/graph_fill.jsonl), the move is judged on what they really reach.
Each test skips when ../shared is absent."""

from __future__ import annotations

from tests.rules.test_safefix import about, corpus


def test_pyspark_keeps_pyarrow_in_conda_and_the_refusal_names_the_path(tmp_path, capsys):
    """192 (dask's spark CI file): conda-forge's pyspark, 3.5.5 as 4.1.1, depends on pyarrow (its feedstock's
    recipe): the move is refused because of that path, no longer because pyspark is unknown."""
    lines, before, after = corpus(tmp_path, capsys, "192", "--select", "ES001")
    (line,) = about(lines, "ES001", "pyarrow")
    assert line.startswith("F:11:3: ES001 pyarrow: conda-forge pyarrow ")
    assert line.endswith("; not moved: pyspark → pyarrow keeps it in conda (a build the file's pins allow depends"
                         " on it) [not fixed: another conda package pulls it back]")
    assert after == before
