"""Repodata through envslim's capped session, handed to rattler as local channels.

rattler's gateway would fetch repodata itself, with no cap on size and no bound on a stalled read. So
envslim fetches each channel's ``<subdir>/repodata.json`` itself (``repodata.json.zst``, else ``.bz2``,
else plain, through :func:`envslim.online.download.download`: connect and stall bounds, at most
``REPODATA_MAX`` bytes sent and decoded, inside the run's write budget, nothing partial kept) into
``<cache>/repodata/<hash of the URL>/<subdir>/repodata.json`` and gives rattler the ``file://``
directory: rattler reads a local channel in place and makes no request of its own. Sharded repodata is
not used (every subdir is one file: a larger first download from conda-forge, revalidated with
``If-None-Match``/``If-Modified-Since`` after that, and fresh for ``Cache-Control: max-age``).

    local = Localizer(session, cache_root)
    urls = await local.channels(["https://conda.anaconda.org/conda-forge"], ["linux-64", "noarch"])
    # ... rattler.solve([rattler.Channel(u) for u in urls], ...)
    local.restore(records)   # channel and url of each record back to the real channel

A ``file://`` channel is on this machine already: rattler reads it in place. A platform subdir the
channel does not have (HTTP 404 for every variant) is an empty one, as conda reads it; a channel
without ``noarch`` is not a channel. Failures raise
:class:`~envslim.solve.errors.SolveUnavailable` (:class:`~envslim.solve.errors.Unreachable` when the
host did not answer: one line naming each host once, credentials removed).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from envslim.display import redact
from envslim.online.cache import read_own
from envslim.solve.errors import SolveUnavailable, Unreachable

__all__ = ["Localizer", "VARIANTS"]

VARIANTS = (("repodata.json.zst", "zstd"), ("repodata.json.bz2", "bz2"), ("repodata.json", "identity"))
_MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)")


def _empty(subdir: str) -> str:
    return json.dumps({"info": {"subdir": subdir}, "packages": {}, "packages.conda": {}})


class Localizer:
    """Local copies of the channels one run reads, each (channel, subdir) fetched at most once."""

    def __init__(self, session: Any, root: Path, *, clock: Any = time.time) -> None:
        self.session = session
        self.root = root / "repodata"
        self.clock = clock
        self.real: dict[str, str] = {}  # file:// URL (with a final /) -> the channel's URL
        self._jobs: dict[tuple[str, str], asyncio.Future] = {}

    def directory(self, url: str) -> Path:
        return self.root / hashlib.sha256(url.encode()).hexdigest()[:20]

    def local_url(self, url: str) -> str:
        if _is_local(url):
            return url
        local = self.directory(url).absolute().as_uri() + "/"
        self.real[local] = url
        return local

    async def channels(self, urls: list[str] | tuple[str, ...], subdirs: list[str] | tuple[str, ...],
                       platform: str = "") -> list[str]:
        """The ``file://`` URLs of ``urls`` (same order), every subdir fetched or revalidated."""
        from envslim.online.download import DownloadError

        jobs = []
        for url in urls:
            if _is_local(url):  # a channel on this machine: rattler reads it in place, nothing to download
                continue
            for subdir in subdirs:
                key = (url, subdir)
                if key not in self._jobs:
                    self._jobs[key] = asyncio.ensure_future(self._subdir(url, subdir))
                jobs.append(self._jobs[key])
        results = await asyncio.gather(*(asyncio.shield(j) for j in jobs), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            unreachable: dict[str, tuple[str, list[str]]] = {}
            for f in failures:
                if isinstance(f, DownloadError) and f.unreachable:
                    problem, channels = unreachable.setdefault(f.host, (f.problem, []))
                    channel = _channel_of(f.url)
                    if channel not in channels:
                        channels.append(channel)
            prefix = f"{platform}: " if platform else ""
            if unreachable:
                lines = [f"cannot reach {host} (channel {', '.join(channels)}): {problem}"
                         for host, (problem, channels) in unreachable.items()]
                raise Unreachable("; ".join(lines), platform)
            first = failures[0]
            if isinstance(first, DownloadError):
                raise SolveUnavailable(f"{prefix}cannot read the channels: {first.url}: {first.problem}", platform)
            raise first
        return [url if _is_local(url) else self.local_url(url) for url in urls]

    def restore(self, records: list[Any]) -> list[Any]:
        """Each record's channel and URL as the real channel's, not the local copy's."""
        for record in records:
            local = str(record.channel)
            if not local.endswith("/"):
                local += "/"
            real = self.real.get(local)
            if real is None:
                continue
            record.channel = real
            if record.url.startswith(local):
                record.url = real.rstrip("/") + "/" + record.url[len(local):]
        return records

    async def _subdir(self, url: str, subdir: str) -> None:
        from envslim.online.download import DownloadError, download
        from envslim.online.limits import REPODATA_MAX

        where = self.directory(url) / subdir
        target = where / "repodata.json"
        meta_path = where / "meta.json"
        meta = _read_meta(meta_path) if target.exists() else {}
        now = self.clock()
        if meta and not getattr(self.session, "refresh", False):
            if now - meta.get("stored_at", 0) < meta.get("max_age", 0) or self.session.offline:
                os.utime(meta_path)
                return
        variants = list(VARIANTS)
        if meta.get("variant") in dict(variants):
            variants.sort(key=lambda v: v[0] != meta["variant"])
        base = url.rstrip("/") + "/" + subdir + "/"
        for name, compression in variants:
            headers = {}
            if meta.get("variant") == name and not getattr(self.session, "refresh", False):
                if meta.get("etag"):
                    headers["If-None-Match"] = meta["etag"]
                if meta.get("last_modified"):
                    headers["If-Modified-Since"] = meta["last_modified"]
            try:
                got = await download(self.session, base + name, target, max_bytes=REPODATA_MAX,
                                     compression=compression, headers=headers)
            except DownloadError as exc:
                if exc.not_found:
                    continue
                raise
            if got.status == 304 and not (headers and target.exists()):
                raise DownloadError("answered 304 Not Modified to a request for a copy it never gave",
                                    base + name)
            cache_control = got.headers.get("cache-control", "") if got.headers else ""
            age = _MAX_AGE.search(cache_control)
            record = dict(meta) if got.status == 304 else {
                "url": redact(base + name), "variant": name,
                "etag": got.headers.get("etag"), "last_modified": got.headers.get("last-modified"),
            }
            record.update(stored_at=now, max_age=int(age.group(1)) if age else 0)
            _write_meta(meta_path, record)
            return
        if subdir == "noarch":
            raise DownloadError("not a conda channel: no noarch/repodata.json (HTTP 404)", base + "repodata.json",
                                not_found=False)
        where.mkdir(parents=True, exist_ok=True)
        _write_meta(target, _empty(subdir))
        _write_meta(meta_path, {"url": redact(base), "variant": "", "stored_at": now, "max_age": 0})


def _is_local(url: str) -> bool:
    return url.lower().startswith("file:")


def _channel_of(url: str) -> str:
    """The channel part of a redacted repodata URL (``.../conda-forge/linux-64/repodata.json``)."""
    parts = url.rstrip("/").split("/")
    return "/".join(parts[:-2]) if len(parts) > 4 else url


def _read_meta(path: Path) -> dict:
    try:
        meta = json.loads(read_own(path))
    except (OSError, ValueError, RecursionError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _write_meta(path: Path, meta: dict | str) -> None:
    from envslim.document.atomic import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(str(path), meta if isinstance(meta, str) else json.dumps(meta), new_mode=0o600, follow_links=False)
