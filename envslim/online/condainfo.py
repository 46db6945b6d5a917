"""A ``.conda`` file's ``info/paths.json`` read with range requests, within a memory cap.

``await paths_sizes(session, url, what=..., size=None) -> list[int | None] | None``: the
``size_in_bytes`` of every path the package writes (``None`` where an entry gives none), or ``None``
with one warning in ``session.warnings``. A ``.conda`` is a zip of stored members holding
``info-*.tar.zst``: its central directory and then only that member are range-read
(:mod:`envslim.online.remotezip`: each read at most ``session.max_download`` bytes), decompressed to at
most ``MAX_INFO_BYTES`` (128 MiB: the info/ of the largest conda-forge packages is a few MB; a bomb is
GBs), and ``info/paths.json`` is scanned for its entries' sizes without building a Python object per
path, so reading one package costs about the capped bytes in memory and no more.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Callable

from envslim.online import remotezip

if TYPE_CHECKING:
    from envslim.online.http import Session

__all__ = ["MAX_INFO_BYTES", "NO_ZSTD", "paths_sizes", "zstd_decompressor"]

_ENTRY = re.compile(rb'"_path"\s*:')
_SIZE = re.compile(rb'"size_in_bytes"\s*:\s*(\d+)')


def zstd_decompressor() -> Callable[[bytes], bytes] | None:
    """A zstd decompression function, or ``None`` when no zstd module is installed."""
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+

        def decompress314(data: bytes) -> bytes:
            out = zstd.ZstdDecompressor().decompress(data, max_length=MAX_INFO_BYTES + 1)
            return _capped(out)

        return decompress314
    except ImportError:
        pass
    try:
        import zstandard
    except ImportError:
        return None

    def decompress(data: bytes) -> bytes:
        # a stream reader copes with frames that do not record their content size, and stops at the cap
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
            return _capped(reader.read(MAX_INFO_BYTES + 1))

    return decompress


MAX_INFO_BYTES = 128 * 1024 * 1024  # info/ of the largest conda-forge packages is a few MB; a bomb is GBs


def _capped(out: bytes) -> bytes:
    if len(out) > MAX_INFO_BYTES:
        raise ValueError(f"decompresses to more than {MAX_INFO_BYTES >> 20} MiB")
    return out


NO_ZSTD = (
    "anaconda.org: reading installed sizes from .conda files needs the zstandard module"
    " (pip install 'envslim[online]'); using archive sizes"
)


async def paths_sizes(session: Session, url: str, *, what: str, size: int | None = None) -> list[int | None] | None:
    decompress = zstd_decompressor()
    if decompress is None:
        session.warn(NO_ZSTD)
        return None
    remote = remotezip.RemoteFile(session, url, what=what, size=size)
    members = await remotezip.zip_members(remote)
    if members is None:
        return None
    info = [m for m in members if m.name.startswith("info-") and m.name.endswith(".tar.zst")]
    if len(info) != 1:
        session.warn(f"{what}: no info-*.tar.zst member in the .conda archive ({url})")
        return None
    packed = await remotezip.read_member(remote, info[0])
    if packed is None:
        return None
    import tarfile  # lazy: it imports bz2, lzma and gzip support

    try:
        raw = decompress(packed)
    except Exception as exc:  # zstandard.ZstdError, compression.zstd.ZstdError: no common base
        session.warn(f"{what}: unreadable {info[0].name}: {exc} ({url})")
        return None
    del packed
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            member = tar.extractfile("info/paths.json")
            if member is None:
                raise KeyError("info/paths.json")
            text = member.read()
    except KeyError:
        session.warn(f"{what}: no info/paths.json in {info[0].name} ({url})")
        return None
    except (tarfile.TarError, ValueError) as exc:
        session.warn(f"{what}: unreadable {info[0].name}: {exc} ({url})")
        return None
    del raw
    if not text.lstrip().startswith(b"{") or b'"paths"' not in text:
        session.warn(f"{what}: unreadable info/paths.json: not a paths document ({url})")
        return None
    entries = sum(1 for _ in _ENTRY.finditer(text))
    sizes: list[int | None] = [int(m.group(1)) for m in _SIZE.finditer(text)]
    return sizes + [None] * max(0, entries - len(sizes))
