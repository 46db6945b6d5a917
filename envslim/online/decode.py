"""Incremental decoders whose output per step is bounded, whatever the input (gzip, bzip2, zstd bombs).

``decoder(kind)`` gives an object with ``feed(data) -> Iterator[bytes]`` and ``finish() -> Iterator[bytes]``
(which raises ``DecodeError`` when the stream ended early). ``kind`` is ``"identity"``, ``"gzip"``
(gzip or zlib, members concatenated), ``"bz2"`` (streams concatenated) or ``"zstd"``. Each step
yields at most ``STEP`` bytes (gzip, bzip2), or what 256 input bytes decode to (zstd: at most 128 KiB
per 4 bytes of an RLE block, so 8 MiB), so a caller that counts what it writes stops a bomb at its cap
with bounded memory. ``chain(outer, inner)`` decodes a content-encoded compressed file.
"""

from __future__ import annotations

import bz2
import zlib
from typing import Iterator

__all__ = ["DecodeError", "STEP", "chain", "decoder"]

STEP = 1 << 20
_ZSTD_SLICE = 256


class DecodeError(ValueError):
    pass


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> Iterator[bytes]:
        return iter(())


class _Gzip:
    def __init__(self) -> None:
        self.d = zlib.decompressobj(47)  # gzip or zlib header, detected

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            while data:
                out = self.d.decompress(data, STEP)
                if out:
                    yield out
                if self.d.eof:
                    data = self.d.unused_data
                    if data.strip(b"\0"):
                        self.d = zlib.decompressobj(47)  # the next member
                    else:
                        data = b""
                else:
                    data = self.d.unconsumed_tail
        except zlib.error as exc:
            raise DecodeError(f"not a valid gzip stream: {exc}") from None

    def finish(self) -> Iterator[bytes]:
        out = self.d.flush()
        if out:
            yield out
        if not self.d.eof:
            raise DecodeError("the gzip stream ends early")


class _Bz2:
    def __init__(self) -> None:
        self.d = bz2.BZ2Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            while True:
                if self.d.eof:
                    data = self.d.unused_data + data
                    if not data:
                        return
                    self.d = bz2.BZ2Decompressor()  # the next stream
                elif self.d.needs_input and not data:
                    return
                out = self.d.decompress(data, STEP)
                data = b""
                if out:
                    yield out
        except (OSError, ValueError) as exc:
            raise DecodeError(f"not a valid bzip2 stream: {exc}") from None

    def finish(self) -> Iterator[bytes]:
        yield from self.feed(b"")
        if not self.d.eof:
            raise DecodeError("the bzip2 stream ends early")


class _Zstd:
    def __init__(self) -> None:
        try:
            import zstandard
        except ImportError:
            raise DecodeError("zstd needs the zstandard module (pip install 'envslim[solve]')") from None
        self.new = zstandard.ZstdDecompressor().decompressobj
        self.error = zstandard.ZstdError
        self.d = self.new()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            while data:
                if self.d.eof:
                    data = self.d.unused_data + data
                    self.d = self.new()  # the next frame
                piece, data = data[:_ZSTD_SLICE], data[_ZSTD_SLICE:]  # zstd has no output limit: small inputs
                out = self.d.decompress(piece)
                if out:
                    yield out
                if self.d.eof and self.d.unused_data:
                    data = self.d.unused_data + data
                    self.d = self.new()
        except self.error as exc:
            raise DecodeError(f"not a valid zstd stream: {exc}") from None

    def finish(self) -> Iterator[bytes]:
        if not self.d.eof:
            raise DecodeError("the zstd stream ends early")
        return iter(())


_KINDS = {"identity": _Identity, "gzip": _Gzip, "x-gzip": _Gzip, "bz2": _Bz2, "zstd": _Zstd}


def decoder(kind: str):
    """A fresh decoder for ``kind``; ``DecodeError`` for a kind not listed in the module docstring."""
    try:
        return _KINDS[kind.strip().lower() or "identity"]()
    except KeyError:
        raise DecodeError(f"unsupported encoding {kind!r}") from None


class chain:
    """``outer`` (a content encoding) then ``inner`` (the file's own compression)."""

    def __init__(self, outer, inner) -> None:
        self.outer, self.inner = outer, inner

    def feed(self, data: bytes) -> Iterator[bytes]:
        for piece in self.outer.feed(data):
            yield from self.inner.feed(piece)

    def finish(self) -> Iterator[bytes]:
        for piece in self.outer.finish():
            yield from self.inner.feed(piece)
        yield from self.inner.finish()
