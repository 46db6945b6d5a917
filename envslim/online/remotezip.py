"""Read a remote zip archive's central directory (and single members) with HTTP range requests.

Wheels and ``.conda`` packages are zip files. Their table of contents (the central directory) sits
at the end, behind the End Of Central Directory record (EOCD, APPNOTE 4.3.16), so the list of members
with their uncompressed sizes costs one or two small range requests instead of a download:

1. read the tail (``TAIL_BYTES``, or the whole file when smaller) and find the EOCD in it
   (scanning back over an archive comment);
2. for ZIP64 archives follow the ZIP64 EOCD locator to the ZIP64 EOCD record (64-bit count, size and
   offset of the central directory), reading it separately if it lies before the tail;
3. read the central directory unless the tail already holds it, and parse its entries, taking
   sizes and offsets from the ZIP64 extended-information extra field where the 32-bit fields are
   ``0xFFFFFFFF``.

A server that ignores ``Range`` and answers 200 with the whole file is tolerated: the body is used as
the file (up to ``session.max_download`` bytes; larger files are not downloaded and give ``None``).

API (all network failures and format errors become one warning in ``session.warnings`` and ``None``):

- ``parse_eocd(tail, tail_start) -> Eocd`` and ``parse_central_directory(data, count) -> list[ZipMember]``:
  pure parsers, raise ``ZipFormatError``.
- ``RemoteFile(session, url, what=..., size=None)``: a range reader with a small buffer.
- ``await zip_members(remote) -> list[ZipMember] | None``
- ``await read_member(remote, member) -> bytes | None``: one member's uncompressed bytes
  (stored or deflated).
- ``await installed_bytes(session, url, what=..., size=None) -> int | None``: the sum of the members'
  uncompressed sizes (what unpacking the archive writes), cached per URL (files are immutable).
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envslim.online.http import Session

TAIL_BYTES = 16 * 1024

_EOCD_SIG = b"PK\x05\x06"
_EOCD64_LOCATOR_SIG = b"PK\x06\x07"
_EOCD64_SIG = b"PK\x06\x06"
_CDH_SIG = b"PK\x01\x02"
_LFH_SIG = b"PK\x03\x04"
_EOCD = struct.Struct("<4s4H2LH")  # 22 bytes
_EOCD64_LOCATOR = struct.Struct("<4sLQL")  # 20 bytes
_EOCD64 = struct.Struct("<4sQ2H2L4Q")  # 56 bytes
_CDH = struct.Struct("<4s6H3L5H2L")  # 46 bytes
_LFH = struct.Struct("<4s5H3L2H")  # 30 bytes
_MAX32 = 0xFFFFFFFF
_MAX16 = 0xFFFF


class ZipFormatError(ValueError):
    """The bytes are not the zip structure they should be."""


@dataclass(frozen=True)
class Eocd:
    cd_offset: int
    cd_size: int
    count: int
    zip64_at: int | None = None  # absolute offset of the ZIP64 EOCD record, when there is one


@dataclass(frozen=True)
class ZipMember:
    name: str
    method: int
    compressed_size: int
    file_size: int
    header_offset: int

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/")


def parse_eocd(tail: bytes, tail_start: int) -> Eocd:
    """Find the EOCD in ``tail`` (the last bytes of the file, starting at absolute ``tail_start``)."""
    pos = len(tail)
    while True:
        pos = tail.rfind(_EOCD_SIG, 0, pos)
        if pos < 0:
            raise ZipFormatError("no end of central directory record")
        if pos + _EOCD.size <= len(tail):
            fields = _EOCD.unpack_from(tail, pos)
            comment_len = fields[7]
            if pos + _EOCD.size + comment_len == len(tail):
                break
    _, disk, cd_disk, _, count, cd_size, cd_offset, _ = fields
    if disk not in (0, _MAX16) or cd_disk not in (0, _MAX16):
        raise ZipFormatError("multi-disk archives are not supported")
    loc = pos - _EOCD64_LOCATOR.size
    if loc >= 0 and tail[loc : loc + 4] == _EOCD64_LOCATOR_SIG:
        _, _, zip64_at, _ = _EOCD64_LOCATOR.unpack_from(tail, loc)
        return Eocd(cd_offset, cd_size, count, zip64_at)
    if _MAX32 in (cd_size, cd_offset) or count == _MAX16:
        raise ZipFormatError("ZIP64 end of central directory locator missing")
    return Eocd(cd_offset, cd_size, count)


def parse_eocd64(record: bytes) -> Eocd:
    if len(record) < _EOCD64.size or record[:4] != _EOCD64_SIG:
        raise ZipFormatError("bad ZIP64 end of central directory record")
    fields = _EOCD64.unpack_from(record)
    count, cd_size, cd_offset = fields[7], fields[8], fields[9]
    return Eocd(cd_offset, cd_size, count)


def _zip64_extra(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if tag != 0x0001:
            continue
        values = []
        for i in range(len(body) // 8):
            values.append(struct.unpack_from("<Q", body, 8 * i)[0])
        wanted = [usize == _MAX32, csize == _MAX32, offset == _MAX32]
        if len(values) < sum(wanted):
            raise ZipFormatError("truncated ZIP64 extra field")
        it = iter(values)
        usize = next(it) if wanted[0] else usize
        csize = next(it) if wanted[1] else csize
        offset = next(it) if wanted[2] else offset
        return usize, csize, offset
    if _MAX32 in (usize, csize, offset):
        raise ZipFormatError("ZIP64 extra field missing")
    return usize, csize, offset


MAX_MEMBER_BYTES = 128 * 1024 * 1024  # a member read whole (a .conda's info tarball) is a few MB


def parse_central_directory(data: bytes, count: int) -> list[ZipMember]:
    members = []
    pos = 0
    for _ in range(count):
        if data[pos : pos + 4] != _CDH_SIG or pos + _CDH.size > len(data):
            raise ZipFormatError("bad central directory entry")
        fields = _CDH.unpack_from(data, pos)
        flags, method = fields[3], fields[4]
        csize, usize = fields[8], fields[9]
        name_len, extra_len, comment_len = fields[10], fields[11], fields[12]
        offset = fields[16]
        start = pos + _CDH.size
        raw_name = data[start : start + name_len]
        extra = data[start + name_len : start + name_len + extra_len]
        usize, csize, offset = _zip64_extra(extra, usize, csize, offset)
        try:
            name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeDecodeError:
            raise ZipFormatError("a member name is flagged UTF-8 but is not valid UTF-8") from None
        members.append(ZipMember(name, method, csize, usize, offset))
        pos = start + name_len + extra_len + comment_len
    return members


class _Unavailable(Exception):
    """The session already has a warning; give up quietly."""


_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


class RemoteFile:
    """Range reads of one URL, keeping what was read."""

    def __init__(self, session: Session, url: str, *, what: str, size: int | None = None) -> None:
        self.session = session
        self.url = url
        self.what = what
        self.size = size
        self.range_ignored = False
        self._chunks: list[tuple[int, bytes]] = []

    def _cached(self, start: int, end: int) -> bytes | None:
        for chunk_start, data in self._chunks:
            if chunk_start <= start and end <= chunk_start + len(data):
                return data[start - chunk_start : end - chunk_start]
        return None

    async def _fetch(self, header: str, start: int | None) -> tuple[int, bytes]:
        fetched = await self.session.get(
            self.url,
            what=self.what,
            headers={"Range": header, "Accept-Encoding": "identity"},
            ok=(200, 206),
            max_body=self.session.max_download,
        )
        if fetched is None:
            raise _Unavailable
        if fetched.status == 200:
            if fetched.too_big:
                length = fetched.headers.get("content-length", "?")
                self.session.warn(
                    f"{self.what}: the server ignored the Range request and the file is {length}"
                    f" bytes, over the {self.session.max_download}-byte download limit ({self.url})"
                )
                raise _Unavailable
            self.range_ignored = True
            self.size = len(fetched.body)
            self._chunks = [(0, fetched.body)]
            return 0, fetched.body
        match = _CONTENT_RANGE.match(fetched.headers.get("content-range", ""))
        if not match or (start is not None and int(match.group(1)) != start):
            self.session.warn(f"{self.what}: bad Content-Range in a 206 response ({self.url})")
            raise _Unavailable
        got_start = int(match.group(1))
        if match.group(3) != "*":
            self.size = int(match.group(3))
        self._chunks.append((got_start, fetched.body))
        return got_start, fetched.body

    async def tail(self, n: int) -> tuple[int, bytes]:
        """The last ``n`` bytes (or the whole file if smaller) and their absolute offset."""
        if self.size is not None:
            start = max(0, self.size - n)
            return start, await self.read(start, self.size)
        got_start, data = await self._fetch(f"bytes=-{n}", None)
        if self.range_ignored:
            start = max(0, len(data) - n)
            return start, data[start:]
        return got_start, data

    async def read(self, start: int, end: int) -> bytes:
        if start >= end:
            return b""
        cached = self._cached(start, end)
        if cached is not None:
            return cached
        # fetch only what is missing before a chunk that already holds the end of the range
        fetch_end = end
        for chunk_start, data in self._chunks:
            if start < chunk_start < end <= chunk_start + len(data):
                fetch_end = chunk_start
        got_start, data = await self._fetch(f"bytes={start}-{fetch_end - 1}", start)
        rest = self._cached(fetch_end, end) if fetch_end < end else None
        if rest is not None and got_start == start and len(data) == fetch_end - start:
            self._chunks.append((start, data + rest))
        cached = self._cached(start, end)
        if cached is None:
            self.session.warn(f"{self.what}: short range response ({self.url})")
            raise _Unavailable
        return cached


async def _members(remote: RemoteFile) -> list[ZipMember]:
    tail_start, tail = await remote.tail(TAIL_BYTES)
    eocd = parse_eocd(tail, tail_start)
    if eocd.zip64_at is not None:
        eocd = parse_eocd64(await remote.read(eocd.zip64_at, eocd.zip64_at + _EOCD64.size))
    directory = await remote.read(eocd.cd_offset, eocd.cd_offset + eocd.cd_size)
    return parse_central_directory(directory, eocd.count)


async def zip_members(remote: RemoteFile) -> list[ZipMember] | None:
    try:
        return await _members(remote)
    except _Unavailable:
        return None
    except ZipFormatError as exc:
        remote.session.warn(f"{remote.what}: not a readable zip archive: {exc} ({remote.url})")
        return None


async def read_member(remote: RemoteFile, member: ZipMember) -> bytes | None:
    """The uncompressed bytes of one member (stored or deflated)."""
    try:
        guess_end = member.header_offset + _LFH.size + len(member.name.encode()) + 64
        guess_end += member.compressed_size
        if remote.size is not None:
            guess_end = min(guess_end, remote.size)
        head = await remote.read(member.header_offset, guess_end)
        if len(head) < _LFH.size or head[:4] != _LFH_SIG:
            raise ZipFormatError(f"bad local header for {member.name}")
        fields = _LFH.unpack_from(head)
        data_start = member.header_offset + _LFH.size + fields[9] + fields[10]
        raw = await remote.read(data_start, data_start + member.compressed_size)
        if member.method == 0:
            return raw
        if member.method == 8:
            limit = min(member.file_size, MAX_MEMBER_BYTES)
            inflater = zlib.decompressobj(-15)
            data = inflater.decompress(raw, limit + 1)
            if len(data) > limit or inflater.unconsumed_tail:
                raise ZipFormatError(f"{member.name} inflates past its recorded size or {MAX_MEMBER_BYTES >> 20} MiB")
            return data
        raise ZipFormatError(f"unsupported compression method {member.method} for {member.name}")
    except _Unavailable:
        return None
    except (ZipFormatError, zlib.error) as exc:
        remote.session.warn(f"{remote.what}: not a readable zip archive: {exc} ({remote.url})")
        return None


async def installed_bytes(
    session: Session, url: str, *, what: str, size: int | None = None
) -> int | None:
    """Sum of the uncompressed sizes of the archive's files, from its central directory."""
    key = "zip-installed-bytes:" + url
    known = session.recall(key)
    if isinstance(known, int):
        return known
    if session.offline:
        session.warn(f"{what}: no cached data (offline)")
        return None
    members = await zip_members(RemoteFile(session, url, what=what, size=size))
    if members is None:
        return None
    total = sum(m.file_size for m in members if not m.is_dir)
    session.remember(key, total)
    return total
