"""Live PyPI: installed bytes from range reads equal the unzip sum of the downloaded wheel.

Skipped cleanly when pypi.org cannot be reached within a couple of seconds.
"""

from __future__ import annotations

import io
import socket
import zipfile

import pytest

from envslim.online import Session, lookup_wheels, run

pytestmark = pytest.mark.slow  # real wheels from PyPI

NAMES = ["six", "packaging", "idna"]


def _pypi_reachable() -> bool:
    try:
        with socket.create_connection(("pypi.org", 443), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True, scope="module")
def pypi_reachable() -> None:
    """Checked when a test here runs, not at collection (the fast tier never dials out)."""
    if not _pypi_reachable():
        pytest.skip("pypi.org is not reachable")


def test_range_read_sizes_equal_unzip_sums(capsys):
    import httpx

    async def go():
        async with Session(cache=False, timeout=15) as session:
            wheels = await lookup_wheels(NAMES, python="3.11", platform="linux-64", session=session)
            return wheels, session.warnings, session.bytes_downloaded, session.requests

    wheels, warnings, _, _ = run(go())
    assert warnings == []
    lines = []
    for name in NAMES:
        info = wheels[name]
        assert info is not None
        assert info.filename.endswith("-none-any.whl")

        async def ranged(url=info.url, size=info.wheel_bytes):
            from envslim.online import remotezip

            async with Session(cache=False, timeout=15) as session:
                got = await remotezip.installed_bytes(session, url, what=name, size=size)
                return got, session.bytes_downloaded, session.warnings

        installed, transferred, more = run(ranged())
        assert more == []
        data = httpx.get(info.url, follow_redirects=True, timeout=30).content
        assert len(data) == info.wheel_bytes
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unzip = sum(i.file_size for i in zf.infolist() if not i.is_dir())
        assert installed == unzip == info.installed_bytes
        lines.append(
            f"{info.filename}: wheel {info.wheel_bytes} B, installed {installed} B,"
            f" range reads transferred {transferred} B"
        )
    with capsys.disabled():
        print("\n" + "\n".join(lines))
