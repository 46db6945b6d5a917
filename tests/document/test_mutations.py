"""Mutated real env files: never a traceback, never a partial or truncated file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envslim.cli import main
from envslim.document.envfile import EnvFile
from tests.conftest import ROOT, corpus_files

pytestmark = pytest.mark.slow  # hypothesis mutations of the corpus files

BASES = [p.read_bytes() for p in corpus_files()[::5]] or [(ROOT / "examples" / "environment.yml").read_bytes()]
NOISE = [b"\t", b" ", b"-", b":", b"#", b"\n", b"\r\n", b"[", b"]", b"{", b"}", b"'", b'"', b"&a ", b"*a",
         b"\x00", b"\xff", b"- pyarrow\n", b"  - pip:\n", b"    - x\n", b"---\n", b"!!python/tuple ", b"\xef\xbb\xbf"]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "dupline"]))
        if kind == "insert":
            data[pos:pos] = draw(st.sampled_from(NOISE))
        elif kind == "delete":
            data[pos:pos + draw(st.integers(1, 40))] = b""
        else:
            start = data.rfind(b"\n", 0, pos) + 1
            end = data.find(b"\n", pos)
            end = len(data) if end == -1 else end + 1
            data[end:end] = data[start:end]
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutated())
def test_mutated_files_never_crash_or_truncate(tmp_path_factory, capsys, data):
    path = Path(tmp_path_factory.mktemp("m")) / "environment.yml"
    path.write_bytes(data)
    rc = main(["rewrite", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    after = path.read_bytes()
    if rc == 2:
        assert after == data
        assert len(err.splitlines()) == 1
        assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", err)
        return
    assert rc == 0
    if after == data:
        return
    # A rewrite is whole: it reads back, keeps every comment, and a second run has nothing to do.
    EnvFile.from_bytes(after, str(path))
    old_comments = [c for c in re.findall(rb"#[^\r\n]*", data)]
    new_text = after
    for c in old_comments:
        assert c in new_text
    assert main(["rewrite", "--check", str(path)]) == 0
    assert path.read_bytes() == after
