"""anaconda.org files API and installed sizes from .conda archives, against the local server."""

from __future__ import annotations

import hashlib
import json
import random
import sys

import pytest
from pkgserver import CondaArtifact, Fault, build_conda

from envslim.online import CondaFile, conda_files, conda_installed_bytes
from envslim.online.condainfo import NO_ZSTD

pytest.importorskip("zstandard")

SMALL = {
    "lib/python3.11/site-packages/tiny/__init__.py": b"A = 1\n" * 50,
    "lib/python3.11/site-packages/tiny/data.bin": bytes(range(256)) * 20,
}


def big() -> dict[str, bytes]:
    rng = random.Random(7)
    files = {f"lib/libbig_{i}.so": rng.randbytes(40_000) for i in range(5)}
    files.update({f"share/big/doc_{i}.txt": f"line {i}\n".encode() * 200 for i in range(300)})
    return files


@pytest.fixture
def channel(server):
    artifacts = [
        CondaArtifact("tiny", "1.0", "py_0", "noarch", build_conda("tiny", "1.0", "py_0", "noarch", SMALL)),
        CondaArtifact(
            "tiny", "2.0", "h1234_0", "linux-64",
            build_conda("tiny", "2.0", "h1234_0", "linux-64", big(), content_size=False),
            depends=("libgcc >=13", "python >=3.11,<3.12.0a0"), build_number=0,
        ),
        CondaArtifact("tiny", "2.0", "h5678_1", "osx-arm64", b"BZh91AY&SY" + b"\x00" * 500,
                      ext=".tar.bz2", build_number=1),
    ]  # fmt: skip
    server.add_conda_package("conda-forge", "tiny", artifacts)
    # anaconda.org also lists non-conda uploads in the same list: they are skipped
    records = json.loads(server.json_docs["/package/conda-forge/tiny/files"])
    records.append({**records[0], "distribution_type": "pypi", "type": "pypi", "basename": "x.whl"})
    server.json_docs["/package/conda-forge/tiny/files"] = json.dumps(records).encode()
    return artifacts


def files_of(use, session, *args, **kw):
    return use(session, lambda s: conda_files(*args, session=s, **kw))


def test_conda_files_fields(server, make_session, use, channel):
    session = make_session()
    got = files_of(use, session, "conda-forge", "tiny", "2.0", "linux-64")
    data = channel[1].data
    assert got == [
        CondaFile(
            channel="conda-forge", name="tiny", version="2.0", build="h1234_0", build_number=0,
            subdir="linux-64", basename="linux-64/tiny-2.0-h1234_0.conda", size=len(data),
            md5=hashlib.md5(data).hexdigest(), sha256=hashlib.sha256(data).hexdigest(),
            depends=("libgcc >=13", "python >=3.11,<3.12.0a0"),
            upload_time="2025-01-01 00:00:00.000000+00:00", distribution_type="conda",
            labels=("main",),
            download_url=f"{server.url}/download/conda-forge/tiny/2.0/linux-64/tiny-2.0-h1234_0.conda",
            url=f"{server.url}/conda/conda-forge/linux-64/tiny-2.0-h1234_0.conda",
            installed_bytes=None,
        )
    ]  # fmt: skip
    assert got[0].filename == "tiny-2.0-h1234_0.conda"
    assert got[0].footprint_bytes == len(data)
    assert session.warnings == []


def test_filters(make_session, use, channel):
    session = make_session()
    every = files_of(use, session, "conda-forge", "tiny")
    assert [f.basename for f in every] == [
        "noarch/tiny-1.0-py_0.conda",
        "linux-64/tiny-2.0-h1234_0.conda",
        "osx-arm64/tiny-2.0-h5678_1.tar.bz2",
    ]
    linux = files_of(use, session, "conda-forge", "tiny", subdir="linux-64")
    assert linux == every[:2]
    assert files_of(use, session, "conda-forge", "tiny", "9.9") == []
    assert session.requests == 1  # the rest came from the cache


def test_installed_sizes_from_paths_json(server, make_session, use, channel):
    session = make_session()
    got = files_of(use, session, "conda-forge", "tiny", installed=True)
    assert [f.installed_bytes for f in got] == [
        sum(len(v) for v in SMALL.values()),
        sum(len(v) for v in big().values()),
        None,  # .tar.bz2: no range read, the archive size stands
    ]
    assert [f.footprint_bytes for f in got] == [
        got[0].installed_bytes, got[1].installed_bytes, len(channel[2].data)
    ]
    assert session.warnings == []
    # the big package: its info member is at the end, inside the first tail read
    big_path = "/conda/conda-forge/linux-64/tiny-2.0-h1234_0.conda"
    assert len(server.requests_to(big_path)) == 1
    assert session.bytes_downloaded < len(channel[1].data) / 10
    assert server.requests_to("/conda/conda-forge/osx-arm64/tiny-2.0-h5678_1.tar.bz2") == []


def test_installed_size_is_cached(server, make_session, use, channel):
    files_of(use, make_session(), "conda-forge", "tiny", installed=True)
    offline = make_session(offline=True)
    got = files_of(use, offline, "conda-forge", "tiny", "1.0", installed=True)
    assert got[0].installed_bytes == sum(len(v) for v in SMALL.values())
    assert offline.warnings == []


def test_without_zstd_sizes_fall_back_to_archives(make_session, use, channel, monkeypatch):
    monkeypatch.setitem(sys.modules, "zstandard", None)  # import zstandard -> ImportError
    monkeypatch.setitem(sys.modules, "compression", None)
    session = make_session()
    got = files_of(use, session, "conda-forge", "tiny", installed=True)
    assert [f.installed_bytes for f in got] == [None, None, None]
    assert [f.footprint_bytes for f in got] == [len(a.data) for a in channel]
    assert session.warnings == [NO_ZSTD]


def test_not_found(server, make_session, use):
    session = make_session()
    assert files_of(use, session, "conda-forge", "nope") is None
    url = f"{server.url}/package/conda-forge/nope/files"
    assert session.warnings == [f"anaconda.org conda-forge/nope: not found (HTTP 404) ({url})"]


def test_unexpected_json(server, make_session, use):
    server.json_docs["/package/c/odd/files"] = b'{"error": "x"}'
    server.json_docs["/package/c/half/files"] = b'[{"distribution_type": "conda"}]'
    session = make_session()
    assert files_of(use, session, "c", "odd") is None
    assert files_of(use, session, "c", "half") == []
    assert session.warnings == [
        f"anaconda.org c/odd: unexpected JSON (expected a list of files) ({server.url}/package/c/odd/files)",
        f"anaconda.org c/half: skipped 1 file record(s) with unexpected JSON"
        f" ({server.url}/package/c/half/files)",
    ]


def test_failures_while_reading_the_archive(server, make_session, use, channel):
    path = "/conda/conda-forge/noarch/tiny-1.0-py_0.conda"
    server.add_fault(path, Fault("status", 500), Fault("status", 500))
    session = make_session(retries=1)
    files = files_of(use, session, "conda-forge", "tiny", "1.0")
    size = use(session, lambda s: conda_installed_bytes(files[0], session=s))
    assert size is None
    assert session.warnings == [
        "anaconda.org conda-forge/noarch/tiny-1.0-py_0.conda: HTTP 500 Internal Server Error;"
        f" gave up after 2 attempts ({server.url}{path})"
    ]


def test_conda_without_paths_json(server, make_session, use):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("metadata.json", "{}")
        zf.writestr("pkg-odd-1-0.tar.zst", b"")
    art = CondaArtifact("odd", "1", "0", "noarch", buf.getvalue())
    server.add_conda_package("c", "odd", [art])
    session = make_session()
    assert files_of(use, session, "c", "odd", installed=True)[0].installed_bytes is None
    assert session.warnings == [
        "anaconda.org c/noarch/odd-1-0.conda: no info-*.tar.zst member in the .conda archive"
        f" ({server.url}/conda/c/noarch/odd-1-0.conda)"
    ]
