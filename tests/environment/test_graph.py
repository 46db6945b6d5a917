"""The graph snapshot: written by graphfile.compile_graph, read lazily by graph.Graph."""

from __future__ import annotations

import json
import os

import pytest

from envslim._paths import knowledge_root
from envslim.environment.graph import FILE, Graph, snapshot
from envslim.environment.graphfile import compile_graph
from tests.environment.graphkit import RATIOS, SOURCE, graph, rec


def test_builds_are_per_platform_and_channel_newest_first():
    g = graph([rec("numpy", "1.26.4", "py311h1_0", ["python_abi 3.11.* *_cp311"]),
               rec("numpy", "2.1.0", "py311h2_0", ["python_abi 3.11.* *_cp311"]),
               rec("numpy", "2.1.0", "py311h2_1", ["python_abi 3.11.* *_cp311"]),
               # a rebuild with other pins (another hash) and the same depends names: only the newest is kept
               rec("numpy", "2.1.0", "py311h1234abc_2", ["python_abi 3.11.* *_cp311", "libzlib >=1.3"], ts=1_700_000_000),
               rec("numpy", "2.1.0", "py311h7654def_3", ["python_abi 3.11.* *_cp311", "libzlib >=1.3.1"], ts=1_700_000_100),
               rec("numpy", "2.1.0", "py312h3_1", ["python_abi 3.12.* *_cp312"]),
               rec("numpy", "2.1.0", "py311h4_0", subdir="osx-arm64"),
               rec("numpy", "1.26.4", "py311h5_0", channel="defaults"),
               rec("tzdata", "2024a", "h0_0", subdir="noarch")])
    assert [(b.version, b.build) for b in g.builds("numpy", platform="linux-64", channel="conda-forge")] == [
        ("2.1.0", "py311h7654def_3"), ("2.1.0", "py312h3_1"), ("2.1.0", "py311h2_1"), ("1.26.4", "py311h1_0")]
    assert [b.build for b in g.candidates("numpy <2", platform="linux-64", channel="conda-forge", python="3.11")] == [
        "py311h1_0"]
    assert [b.build for b in g.candidates("numpy", platform="linux-64", channel="conda-forge", python="3.12")] == [
        "py312h3_1"]
    assert [b.build for b in g.candidates("numpy 2.1.0", platform="linux-64", channel="conda-forge", python="3.11")] == [
        "py311h7654def_3", "py311h2_1"]
    assert [b.build for b in g.builds("numpy", platform="osx-arm64", channel="conda-forge")] == ["py311h4_0"]
    assert [b.channel for b in g.builds("numpy", platform="linux-64", channel="defaults")] == ["defaults"]
    assert [b.subdir for b in g.builds("tzdata", platform="win-64", channel="conda-forge")] == ["noarch"]
    assert g.knows("numpy") and g.knows("numpy", "defaults") and not g.knows("tzdata", "defaults")
    assert not g.knows("scipy")
    assert g.platforms("numpy") == {"linux-64", "osx-arm64"}
    assert g.date == "2026-05-01"


def test_builds_of_two_subdirs_merge_newest_first_and_slice_as_a_list():
    g = graph([rec("pywin32-on-windows", "0.1.0", "pyh07e9846_2", ["__win"], subdir="noarch"),
               rec("pywin32-on-windows", "0.1.0", "pyh1179c8e_3", ["__unix"], subdir="noarch"),
               rec("pywin32-on-windows", "0.2.0", "h0_0", subdir="linux-64"),
               rec("pywin32-on-windows", "0.0.9", "h0_0", subdir="linux-64")])
    got = g.builds("pywin32-on-windows", platform="linux-64", channel="conda-forge")
    assert [(b.version, b.build, b.subdir) for b in got] == [
        ("0.2.0", "h0_0", "linux-64"), ("0.1.0", "pyh1179c8e_3", "noarch"), ("0.1.0", "pyh07e9846_2", "noarch"),
        ("0.0.9", "h0_0", "linux-64")]
    assert [got.key(i) for i in range(len(got))] == [(b.version, b.build, b.subdir) for b in got]
    assert [got.dep_names(i) for i in range(len(got))] == [[], ["__unix"], ["__win"], []]
    assert got[1:3] == list(got)[1:3] and got[::-1] == list(got)[::-1] and got[5:] == []


def test_installed_bytes_exact_where_measured_else_an_estimate_with_its_range():
    g = graph([rec("a", "1", "h0_0", size=1_000_000),  # a measured ratio of 2.0 for "a"
               rec("zzz", "1", "h0_0", size=1_000_000),  # the population's median 3.0 (q10 2.5 .. q90 4.0)
               rec("m", "1", "h0_0", size=1_000_000, installed=4_321_000),
               rec("u", "1", "h0_0", size=None)])
    a, = g.builds("a", platform="linux-64", channel="conda-forge")
    assert (a.installed_bytes, a.estimate_bytes, a.installed_range, a.estimate) == (None, 2_000_000, (2_000_000, 2_333_333), True)
    assert a.figure == (2_000_000, 2_000_000, 2_333_333)
    z, = g.builds("zzz", platform="linux-64", channel="conda-forge")
    assert z.figure == (3_000_000, 2_500_000, 4_000_000)
    m, = g.builds("m", platform="linux-64", channel="conda-forge")
    assert (m.figure, m.estimate, m.installed_range) == ((4_321_000, 4_321_000, 4_321_000), False, None)
    u, = g.builds("u", platform="linux-64", channel="conda-forge")
    assert (u.figure, u.known) == (None, False)
    assert a.source == "github.com/example/locks pixi.lock @0123456 (2026-05-01)"
    assert "median 3.00 of 10 measured pairs (range q10 2.50 .. q90 4.00)" in g.method


def test_the_same_artifact_from_two_sources_keeps_the_measured_figure():
    other = ("github.com/example/meta", "conda-meta", "f" * 40, "2024-04")
    g = graph([rec("x", "1", "h0_0", size=1_000_000), rec("x", "1", "h0_0", size=1_000_000, installed=5_000_000,
                                                          source=other)])
    x, = g.builds("x", platform="linux-64", channel="conda-forge")
    assert (x.installed_bytes, x.source) == (5_000_000, "github.com/example/locks pixi.lock @0123456 (2026-05-01)")


def test_only_the_lines_asked_for_are_read():
    data = compile_graph([rec("aaa", "1", "h0_0"), rec("bbb", "1", "h0_0"), rec("bbb", "1", "h0_0", subdir="win-64")],
                         RATIOS)
    head, _, body = data.partition(b"\n")
    index = json.loads(head)["names"]  # "subdir index,start,length,channel mask;..." per name
    # break bbb's linux-64 line: a reader that decodes it fails
    _ix, start, length, _mask = (int(x) for x in index["bbb"].split(";")[0].split(","))
    broken = body[:start] + b"!" * (length - 1) + body[start + length - 1:]
    g = Graph(data=head + b"\n" + broken)
    assert [b.build for b in g.builds("aaa", platform="linux-64", channel="conda-forge")] == ["h0_0"]
    assert [b.subdir for b in g.builds("bbb", platform="win-64", channel="conda-forge")] == ["win-64"]
    assert g.knows("bbb")  # from the index alone


def test_a_missing_or_foreign_snapshot_is_an_empty_graph(tmp_path):
    assert Graph(str(tmp_path / "absent.jsonl")).names() == []
    (tmp_path / "old.jsonl").write_text('{"format": 1, "names": {"x": [0, 3]}}\n{}\n')
    assert not Graph(str(tmp_path / "old.jsonl")).knows("x")


def test_the_shipped_snapshot_has_the_bundled_examples_packages():
    g = snapshot()
    assert g.date >= "2026-08-03"
    for name in ("pyarrow", "libarrow", "numpy", "pandas", "python", "aws-sdk-cpp", "s3fs", "boto3"):
        assert g.builds(name, platform="linux-64", channel="conda-forge"), name
    assert g.knows("mkl", "defaults")
    assert SOURCE[0] not in {s[0] for s in g.sources}


def test_a_channel_the_snapshot_has_no_build_on_has_no_builds():
    g = graph([rec("numpy", "1.26.4", "py311h1_0")])
    assert g.builds("numpy", platform="linux-64", channel="bioconda") == []
    assert g.candidates("numpy", platform="linux-64", channel="bioconda") == []


def test_with_build_reads_the_rows_as_all_builds_has_them():
    g = graph([rec("x", "1", "h0_0"), rec("x", "2", "h0_0", subdir="osx-64"), rec("x", "1", "h0_0", channel="defaults"),
               rec("x", "1", "h1_0", subdir="noarch"), rec("y", "1", "h0_0")])
    for build in ("h0_0", "h1_0", "nope"):
        assert g.with_build("x", build) == {(b.subdir, b.channel) for b in g.all_builds("x") if b.build == build}
    assert g.with_build("x", "h0_0") == {("linux-64", "conda-forge"), ("osx-64", "conda-forge"),
                                         ("linux-64", "defaults")}
    assert g.with_build("absent", "h0_0") == set()


def test_versions_are_ranked_in_condas_order_and_depends_carry_the_ranks_they_allow():
    data = compile_graph([rec("b", "1.10", "h0_0"), rec("b", "1.9", "h0_0"), rec("b", "2.0", "h0_0", subdir="noarch"),
                          rec("a", "1", "h0_0", ["b >=1.9,<2", "b 1.10 h0_0", "c >=1", "b"])], RATIOS)
    g = Graph(data=data)
    _head, _, body = data.partition(b"\n")
    lines = [json.loads(x) for x in body.splitlines()]
    a_line = next(x for x in lines if x["d"] and x["d"][0].startswith("b "))
    # b's versions in conda's order: 1.9 (rank 0), 1.10 (1), 2.0 (2), over every subdir
    assert a_line["d"] == ["b >=1.9,<2", "b 1.10 h0_0", "c >=1", "b"]
    assert a_line["m"] == [0b011, None, None, 0b111]  # a build string, a name the snapshot lacks: no mask
    # the noarch 2.0 and the linux-64 1.10 merge by rank, newest first
    assert [x.version for x in g.builds("b", platform="linux-64", channel="conda-forge")] == ["2.0", "1.10", "1.9"]
    assert g.ranks["b"] == {"2.0": 2, "1.10": 1, "1.9": 0}
    g.builds("a", platform="linux-64", channel="conda-forge")
    assert g.masks == {"b >=1.9,<2": 0b011, "b": 0b111}


@pytest.mark.slow
def test_every_mask_of_the_shipped_snapshot_agrees_with_condas_matching():
    from envslim import conda as condaspec

    g = Graph(os.path.join(knowledge_root(), FILE))  # (the JSONL: a checkout may hold its compiled form too)
    with open(g.path, "rb") as f:
        f.readline()
        lines = [json.loads(x) for x in f]
    versions: dict[str, set[str]] = {}
    for name in g.names():
        for b in g.all_builds(name):
            versions.setdefault(name, set()).add(b.version)
    checked = 0
    for line in lines:
        for dep, bits in zip(line["d"], line["m"]):
            if bits is None:
                continue
            spec = condaspec.parse(dep)
            name = dep.partition(" ")[0]
            for version in versions[name]:
                assert (bits >> g.ranks[name][version] & 1 == 1) is spec.matches_version(version), (dep, version)
                checked += 1
    assert checked > 100_000
