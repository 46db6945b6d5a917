"""envslim.environment.installed: what a conda-meta record, conda's history and a dist-info say."""

from __future__ import annotations

import json

from envslim.environment.installed import read_prefix


def test_a_record_without_sizes_is_measured_on_disk_and_history_removes(tmp_path):
    meta = tmp_path / "conda-meta"
    meta.mkdir()
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "liba.so").write_bytes(b"a" * 1234)
    (tmp_path / "lib" / "libb.so").write_bytes(b"b" * 10)
    (meta / "a-1.0-h0_0.json").write_text(json.dumps({
        "name": "a", "version": "1.0", "build": "h0_0", "subdir": "linux-64", "depends": ["b >=1", "__glibc >=2.17"],
        "files": ["lib/liba.so", "lib/gone.so"]}))
    (meta / "b-1.0-h0_0.json").write_text(json.dumps({
        "name": "b", "version": "1.0", "build": "h0_0", "subdir": "linux-64",
        "paths_data": {"paths": [{"_path": "lib/libb.so", "size_in_bytes": 10}]}, "requested_spec": "b"}))
    (meta / "history").write_text("# update specs: ['a>=1', 'zzz']\n# update specs: [\"b\"]\n# remove specs: ['b']\n")
    inst = read_prefix(str(tmp_path))
    assert [(p.name, p.installed_bytes, p.depends, p.how, p.missing_files) for p in inst.packages] == [
        ("a", 1234, ("b",), "files on disk", 1), ("b", 10, (), "conda-meta paths_data", 0)]
    assert inst.requested == [("conda", "a", "a>=1"), ("conda", "b", "b")]  # b: removed, then its requested_spec
    assert inst.platform == "linux-64"
    assert inst.notes == ["1 files the records list (0 bytes) are not on disk (a pruned environment?): the sizes"
                          " count what was installed"]
