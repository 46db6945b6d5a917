"""Installed bytes of solved artifacts, cached by sha256 forever.

- A ``.conda`` artifact: the sum of ``size_in_bytes`` over ``info/paths.json`` (what the package
  writes into the prefix), read with range requests through envslim's session
  (:func:`envslim.online.condainfo.paths_sizes`: the zip's tail and the ``info-*.tar.zst`` member, not
  the package payload; at most 128 MiB decoded, every read within the connect and stall bounds).
  noarch: python packages are marked: conda compiles their byte-code when it links them, which
  paths.json does not list. A ``file://`` channel's archive is read on disk.
- A ``.tar.bz2`` artifact cannot be range-read (a bzip2 stream has no index): its size is a marked
  estimate, ``archive bytes x 3.7`` with the range ``x 1.6`` to ``x 5.7``: the median and the 10th and
  90th percentiles of installed/archive over 258 conda-forge artifacts with both figures (a committed
  conda-meta, osx-arm64, March-April 2024, partrita/notebook @f441c1d; ../shared/data/FOOTPRINTS.md
  section 2.4).
- A wheel: the sum of the uncompressed sizes in its zip central directory
  (``envslim.online.remotezip.installed_bytes``, range requests).

Results are stored in the session's cache (``Session.remember``: immutable entries) under the
artifact's sha256, so a warm run reads nothing from the network. A read that fails raises
:class:`~envslim.solve.errors.SolveUnavailable`.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any, Callable

from envslim.solve.errors import SolveUnavailable
from envslim.solve.model import Size

__all__ = ["Artifact", "BZ2_RATIO", "bz2_estimate", "conda_size", "wheel_size"]

BZ2_RATIO = (3.7, 1.6, 5.7)  # median, 10th, 90th percentile of installed / archive bytes
BZ2_HOW = (
    ".tar.bz2 cannot be range-read: estimated as archive bytes x 3.7 (x 1.6 to x 5.7, installed/archive"
    " of 258 conda-forge artifacts, osx-arm64 conda-meta 2024)"
)
NOARCH_PYTHON = "noarch: python: byte-code compiled when linked is not counted"


def bz2_estimate(archive_bytes: int) -> Size:
    mid, low, high = BZ2_RATIO
    return Size(round(archive_bytes * mid), True, round(archive_bytes * low), round(archive_bytes * high), BZ2_HOW)


@dataclass(frozen=True)
class Artifact:
    """One conda artifact, from a solve (``from_record``) or a lockfile."""

    name: str
    version: str
    build: str
    url: str
    filename: str
    sha256: str = ""
    archive_bytes: int | None = None
    noarch: str = ""  # "python" | "generic" | ""
    channel: str = ""
    depends: tuple[str, ...] = ()  # names, virtual packages left out

    @classmethod
    def from_record(cls, record: Any) -> Artifact:
        return cls(
            name=record.name.normalized,
            version=str(record.version),
            build=str(record.build),
            url=record.url,
            filename=record.file_name,
            sha256=record.sha256.hex() if record.sha256 else "",
            archive_bytes=record.size,
            noarch=_noarch(record),
            channel=str(record.channel),
            depends=tuple(sorted({d.split()[0] for d in record.depends if not d.startswith("__")})),
        )


async def conda_size(record: Artifact, *, session: Any, semaphore: asyncio.Semaphore) -> Size:
    """Installed bytes of one conda artifact."""
    from envslim.display import redact

    note = NOARCH_PYTHON if record.noarch == "python" else ""
    if record.filename.endswith(".tar.bz2"):
        if record.archive_bytes is None:
            return Size(None, how=".tar.bz2 cannot be range-read and its archive size is not known")
        est = bz2_estimate(record.archive_bytes)
        return Size(est.value, True, est.low, est.high, "; ".join(filter(None, [est.how, note])))
    sha = record.sha256
    key = f"conda-paths-bytes:sha256:{sha}"
    if sha:
        known = session.recall(key)
        if isinstance(known, int):
            return Size(known, how=note)
    from envslim.online.condainfo import paths_sizes

    if record.url.lower().startswith("file:"):  # a channel on this machine: read the archive in place
        return _local_size(record, note)
    before = len(session.warnings)
    async with semaphore:
        # no size from repodata: the tail is read with a suffix range, which holds whatever the file is
        sizes = await paths_sizes(session, record.url, what=redact(record.url))
    if sizes is None:
        problem = session.warnings[before] if len(session.warnings) > before else \
            f"{redact(record.url)}: cannot read info/paths.json"
        raise unavailable(session, record.url, problem)
    if any(s is None for s in sizes):
        missing = sum(1 for s in sizes if s is None)
        return Size(None, how=f"info/paths.json gives no size for {missing} of {len(sizes)} paths")
    value = sum(sizes)
    if sha:
        session.remember(key, value)
    return Size(value, how=note)


def _local_size(record: Artifact, note: str) -> Size:
    import rattler
    from urllib.parse import unquote, urlsplit

    path = unquote(urlsplit(record.url).path)
    try:
        paths = rattler.PathsJson.from_package_archive(path)
    except Exception as exc:  # rattler's own exception types, with no common base
        raise SolveUnavailable(f"{path}: cannot read info/paths.json: {exc}") from None
    sizes = [e.size_in_bytes for e in paths.paths]
    if any(s is None for s in sizes):
        missing = sum(1 for s in sizes if s is None)
        return Size(None, how=f"info/paths.json gives no size for {missing} of {len(sizes)} paths")
    return Size(sum(sizes), how=note)


def unavailable(session: Any, url: str, problem: str) -> SolveUnavailable:
    """The failure to raise for ``url``: "cannot reach HOST (URL): why" when its host did not answer."""
    from envslim.display import redact
    from envslim.online.http import host_of
    from envslim.solve.errors import Unreachable

    host = host_of(url)
    why = session.unreachable.get(host)
    if why is not None:
        return Unreachable(f"cannot reach {host} ({redact(url)}): {why}")
    return SolveUnavailable(problem)


def _noarch(record: Any) -> str:
    kind = record.noarch
    if getattr(kind, "python", False):
        return "python"
    if getattr(kind, "generic", False):
        return "generic"
    return ""


async def wheel_size(url: str, sha256: str, *, session: Any, what: str) -> tuple[Size, tuple[str, ...]]:
    """Installed bytes of one wheel, from its central directory, and the names its METADATA requires
    unconditionally or for the target (``Requires-Dist`` without an ``extra`` marker), for attribution."""
    from envslim.online import remotezip

    key = f"wheel-installed-bytes-requires:sha256:{sha256}"
    if sha256:
        known = session.recall(key)
        if isinstance(known, dict) and isinstance(known.get("bytes"), int):
            return Size(known["bytes"]), tuple(known.get("requires", ()))
    before = len(session.warnings)
    remote = remotezip.RemoteFile(session, url, what=what)
    members = await remotezip.zip_members(remote)
    metadata = None
    if members is not None:
        meta = [m for m in members if m.name.endswith(".dist-info/METADATA") and m.name.count("/") == 1]
        metadata = await remotezip.read_member(remote, meta[0]) if meta else b""
    if members is None or metadata is None:
        problem = session.warnings[before] if len(session.warnings) > before else f"{what}: unreadable"
        raise unavailable(session, url, problem)
    value = sum(m.file_size for m in members if not m.is_dir)
    requires = _requires(metadata.decode("utf-8", "replace"))
    if sha256:
        session.remember(key, {"bytes": value, "requires": list(requires)})
    return Size(value), requires


def _requires(metadata: str) -> tuple[str, ...]:
    from email.parser import HeaderParser

    from packaging.requirements import InvalidRequirement, Requirement

    names = set()
    for value in HeaderParser().parsestr(metadata).get_all("Requires-Dist") or []:
        try:
            req = Requirement(value)
        except InvalidRequirement:
            continue
        if req.marker is not None and "extra" in str(req.marker):
            continue
        names.add(re.sub(r"[-_.]+", "-", req.name).lower())
    return tuple(sorted(names))


async def gather_sizes(jobs: list[Callable[[], Any]], progress: Callable[[int, int], None] | None) -> list[Any]:
    """Run size lookups concurrently, reporting ``progress(done, total)`` as each finishes."""
    done = 0
    total = len(jobs)

    async def one(job: Callable[[], Any]) -> Any:
        nonlocal done
        size = await job()
        done += 1
        if progress is not None:
            progress(done, total)
        return size

    return list(await asyncio.gather(*(one(j) for j in jobs)))
