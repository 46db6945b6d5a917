"""Zip central directories: parsed from real archives, and read remotely with range requests."""

from __future__ import annotations

import io
import os
import random
import zipfile

import pytest
from pkgserver import Fault, build_wheel, build_zip64, unzip_sum

from envslim.online import remotezip
from envslim.online.remotezip import ZipFormatError, parse_central_directory, parse_eocd

SMALL = {
    "demo/__init__.py": b"VALUE = 1\n" * 40,
    "demo/data/table.csv": b"a,b\n1,2\n" * 500,
    "demo/empty.txt": b"",
}


def big_files(n_modules: int = 400, blob: int = 300_000) -> dict[str, bytes]:
    rng = random.Random(5)
    files = {f"demo/sub/module_{i:04d}.py": f"X = {i}\n".encode() * 30 for i in range(n_modules)}
    files["demo/_native.so"] = rng.randbytes(blob)  # incompressible
    return files


def reference(data: bytes) -> list[tuple[str, int, int]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        return [(i.filename, i.file_size, i.compress_size) for i in zf.infolist()]


def parse_whole(data: bytes) -> list[tuple[str, int, int]]:
    eocd = parse_eocd(data, 0)
    if eocd.zip64_at is not None:
        eocd = remotezip.parse_eocd64(data[eocd.zip64_at :])
    members = parse_central_directory(data[eocd.cd_offset : eocd.cd_offset + eocd.cd_size], eocd.count)
    return [(m.name, m.file_size, m.compressed_size) for m in members]


@pytest.mark.parametrize("zip64", [False, True], ids=["zip", "zip64"])
@pytest.mark.parametrize("comment", [b"", b"built by the envslim tests"], ids=["", "comment"])
def test_parse_matches_zipfile(zip64, comment):
    data = build_wheel("demo", "1.0", "py3-none-any", SMALL, zip64=zip64, comment=comment)
    assert parse_whole(data) == reference(data)
    assert (parse_eocd(data, 0).zip64_at is not None) == zip64


@pytest.mark.parametrize("zip64", [False, True], ids=["zip", "zip64"])
def test_signature_inside_the_comment_is_skipped(zip64):
    # zipfile itself gives up on such an archive; the members are those of the plain one
    plain = build_wheel("demo", "1.0", "py3-none-any", SMALL, zip64=zip64)
    tricky = build_wheel(
        "demo", "1.0", "py3-none-any", SMALL, zip64=zip64, comment=b"PK\x05\x06" + b"x" * 30
    )
    assert parse_whole(tricky) == reference(plain)


def test_zip64_member_offsets_come_from_the_extra_field():
    data = build_zip64({"a.txt": b"aaaa", "b/c.bin": bytes(range(256))})
    members = parse_whole(data)
    assert members == [("a.txt", 4, 4), ("b/c.bin", 256, 256)]
    eocd = remotezip.parse_eocd64(data[parse_eocd(data, 0).zip64_at :])
    raw = parse_central_directory(data[eocd.cd_offset : eocd.cd_offset + eocd.cd_size], 2)
    assert [m.header_offset for m in raw] == [0, 30 + 5 + 20 + 4]


def test_not_a_zip():
    with pytest.raises(ZipFormatError, match="no end of central directory record"):
        parse_eocd(b"\x00" * 100, 0)


def test_truncated_directory():
    data = build_wheel("demo", "1.0", "py3-none-any", SMALL)
    eocd = parse_eocd(data, 0)
    with pytest.raises(ZipFormatError, match="bad central directory entry"):
        parse_central_directory(data[eocd.cd_offset : eocd.cd_offset + 20], eocd.count)


def installed(use, session, url, size=None, what="wheel"):
    return use(session, lambda s: remotezip.installed_bytes(s, url, what=what, size=size))


def test_small_wheel_is_one_range_request(server, make_session, use):
    data = build_wheel("demo", "1.0", "py3-none-any", SMALL)
    url = server.add_file("/files/demo.whl", data)
    session = make_session()
    assert installed(use, session, url, size=len(data)) == unzip_sum(data)
    assert session.warnings == []
    assert [h["range"] for h in server.requests_to("/files/demo.whl")] == [f"bytes=0-{len(data) - 1}"]


def test_big_wheel_reads_only_the_tail_and_directory(server, make_session, use):
    data = build_wheel("demo", "1.0", "py3-none-any", big_files(blob=2_000_000))
    url = server.add_file("/files/big.whl", data)
    session = make_session()
    assert installed(use, session, url, size=len(data)) == unzip_sum(data)
    eocd = parse_eocd(data[-22:], len(data) - 22)
    tail_start = len(data) - remotezip.TAIL_BYTES
    assert [h["range"] for h in server.requests_to("/files/big.whl")] == [
        f"bytes={tail_start}-{len(data) - 1}",
        f"bytes={eocd.cd_offset}-{tail_start - 1}",  # the rest of the directory
    ]
    assert eocd.cd_offset < tail_start
    assert session.bytes_downloaded == len(data) - eocd.cd_offset
    assert session.bytes_downloaded < len(data) / 50


def test_zip64_wheel_over_http_without_a_known_size(server, make_session, use):
    data = build_wheel("demo", "1.0", "py3-none-any", big_files(blob=50_000), zip64=True)
    url = server.add_file("/files/z64.whl", data)
    session = make_session()
    assert installed(use, session, url) == unzip_sum(data)
    ranges = [h["range"] for h in server.requests_to("/files/z64.whl")]
    assert ranges[0] == f"bytes=-{remotezip.TAIL_BYTES}"
    assert len(ranges) == 2
    assert session.warnings == []


def test_server_ignoring_range_still_works(server, make_session, use):
    data = build_wheel("demo", "1.0", "py3-none-any", big_files(blob=20_000))
    url = server.add_file("/files/norange.whl", data)
    server.ignore_range.add("/files/norange.whl")
    session = make_session()
    assert installed(use, session, url, size=len(data)) == unzip_sum(data)
    assert session.warnings == []
    assert len(server.requests_to("/files/norange.whl")) == 1
    assert session.bytes_downloaded == len(data)


def test_server_ignoring_range_over_the_download_limit(server, make_session, use):
    data = build_wheel("demo", "1.0", "py3-none-any", big_files(blob=20_000))
    url = server.add_file("/files/norange.whl", data)
    server.ignore_range.add("/files/norange.whl")
    session = make_session(max_download=10_000)
    assert installed(use, session, url, size=len(data), what="PyPI demo.whl") is None
    assert session.warnings == [
        f"PyPI demo.whl: the server ignored the Range request and the file is {len(data)} bytes,"
        f" over the 10000-byte download limit ({url})"
    ]


def test_dropped_range_response_is_retried(server, make_session, use):
    data = build_wheel("demo", "1.0", "py3-none-any", big_files(blob=20_000))
    url = server.add_file("/files/drop.whl", data)
    server.add_fault("/files/drop.whl", Fault("drop"))
    session = make_session()
    assert installed(use, session, url, size=len(data)) == unzip_sum(data)
    assert session.warnings == []


def test_not_a_zip_over_http(server, make_session, use):
    url = server.add_file("/files/bad.whl", os.urandom(3000).replace(b"PK", b"pk"))
    session = make_session()
    assert installed(use, session, url, what="PyPI bad.whl") is None
    assert session.warnings == [
        f"PyPI bad.whl: not a readable zip archive: no end of central directory record ({url})"
    ]


def test_result_is_cached_per_url_and_offline_uses_it(server, make_session, use):
    data = build_wheel("demo", "1.0", "py3-none-any", SMALL)
    url = server.add_file("/files/demo.whl", data)
    assert installed(use, make_session(), url) == unzip_sum(data)
    session = make_session(offline=True)
    assert installed(use, session, url) == unzip_sum(data)
    session = make_session()
    assert installed(use, session, url) == unzip_sum(data)
    assert session.requests == 0
    assert len(server.requests_to("/files/demo.whl")) == 1
    session = make_session(offline=True)
    other = server.url + "/files/other.whl"
    assert installed(use, session, other, what="PyPI other.whl") is None
    assert session.warnings == ["PyPI other.whl: no cached data (offline)"]
