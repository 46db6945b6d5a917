"""Download one URL into a file, decoded, within caps; nothing partial is ever left.

    got = await download(session, url, dest, max_bytes=REPODATA_MAX, compression="zstd",
                         headers={"If-None-Match": etag})
    got.status  # 200 (dest replaced) or 304 (dest untouched)

The body arrives through ``Session.stream``/``Session.chunks`` (connect and stall bounds, see
:mod:`envslim.online.limits`), is decoded step by step (``Content-Encoding`` gzip or zstd, then the
file's own ``compression``: ``"identity"``, ``"gzip"``, ``"bz2"`` or ``"zstd"``; see
:mod:`envslim.online.decode`) and written to ``dest.part-PID``, counted against ``max_bytes`` both as
sent and as decoded, and against the run's write budget (``limits.BUDGET``). On success the part
replaces ``dest`` atomically; on any failure (cap, budget, stall, a stream that ends early) it is
deleted and :class:`DownloadError` raised, with ``unreachable`` set when the host is at fault (a
timeout, a stall, a refused connection) and ``not_found`` for HTTP 404.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from envslim.display import redact
from envslim.online.decode import DecodeError, chain, decoder
from envslim.online.http import HttpFailure, Session, host_of
from envslim.online.limits import BUDGET, Budget, OverBudget

__all__ = ["DownloadError", "Downloaded", "download"]


@dataclass
class Downloaded:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    size: int = 0  # decoded bytes written (0 for a 304)


class DownloadError(Exception):
    def __init__(self, problem: str, url: str, *, unreachable: bool = False, not_found: bool = False) -> None:
        self.problem = problem
        self.url = redact(url)
        self.host = host_of(url)
        self.unreachable = unreachable
        self.not_found = not_found
        super().__init__(f"{problem} ({self.url})")


class _TooBig(Exception):
    pass


def _mib(n: int) -> str:
    return f"{n / (1 << 20):g} MiB"


async def download(
    session: Session,
    url: str,
    dest: Path,
    *,
    max_bytes: int,
    compression: str = "identity",
    headers: Mapping[str, str] | None = None,
    budget: Budget = BUDGET,
) -> Downloaded:
    if session.offline:
        raise DownloadError("no cached data (offline)", url)
    attempt = 0
    while True:
        attempt += 1
        try:
            async with session.slot():
                return await _once(session, url, dest, max_bytes, compression, headers or {}, budget)
        except HttpFailure as failure:
            if not failure.retryable or attempt > session.retries:
                if failure.unreachable:
                    session.unreachable.setdefault(host_of(url), failure.problem)
                raise DownloadError(failure.problem, url, unreachable=failure.unreachable,
                                    not_found=failure.problem.startswith("not found")) from None
            await session.sleep(session.backoff * 2 ** (attempt - 1))


async def _once(session: Session, url: str, dest: Path, max_bytes: int, compression: str,
                headers: Mapping[str, str], budget: Budget) -> Downloaded:
    async with session.stream(url, headers) as resp:
        status = resp.status_code
        if status == 304:
            return Downloaded(304, resp.headers)
        if status != 200:
            problem = "not found (HTTP 404)" if status == 404 else f"HTTP {status} {resp.reason_phrase}".rstrip()
            raise HttpFailure(problem, status in (429, 500, 502, 503, 504))
        length = resp.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise DownloadError(f"larger than its {_mib(max_bytes)} limit ({int(length):,} bytes announced)", url)
        try:
            encoding = "identity" if resp.is_stream_consumed else resp.headers.get("content-encoding", "identity")
            decode = chain(decoder(encoding), decoder(compression))
        except DecodeError as exc:
            raise DownloadError(str(exc), url) from None
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(f"{dest.name}.part-{os.getpid()}")
        sent = written = 0
        try:
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with open(fd, "wb") as fh:  # private: repodata of a private channel is nobody else's
                def write(pieces: Any) -> None:
                    nonlocal written
                    for piece in pieces:
                        written += len(piece)
                        if written > max_bytes:
                            raise _TooBig
                        budget.charge(len(piece))
                        fh.write(piece)

                async for chunk in session.chunks(resp):
                    sent += len(chunk)
                    if sent > max_bytes:
                        raise _TooBig
                    write(decode.feed(chunk))
                write(decode.finish())
            session.bytes_downloaded += sent
            os.replace(part, dest)
            return Downloaded(200, resp.headers, written)
        except _TooBig:
            raise DownloadError(f"larger than its {_mib(max_bytes)} limit; nothing kept", url) from None
        except OverBudget as exc:
            raise DownloadError(f"{exc}; nothing kept", url) from None
        except DecodeError as exc:
            raise DownloadError(f"{exc}; nothing kept", url) from None
        except OSError as exc:
            raise DownloadError(f"cannot write {dest.parent}: {exc.strerror or exc}", url) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                part.unlink()

