"""``envslim knowledge refresh --graph``: rebuild the offline graph snapshot from live channels.

The names asked for (by default every name the shipped snapshot has), and everything their depends reach,
are read from each channel's repodata with py-rattler's gateway, the repodata fetched as for ``--solve``
(through envslim's capped session into local copies, :mod:`envslim.solve.repodata`; the same endpoints
and cache: ``ENVSLIM_CONDA_URL``, ``ENVSLIM_DEFAULTS_URL``), for each
platform and noarch. Per name and subdir the ``versions`` newest versions are kept, with all their builds
(the writer keeps one build per variant). Installed bytes measured in the current snapshot are carried
over for the same artifact; the others are estimated from the archive bytes with the current snapshot's
measured ratios, marked as estimates with their range. Each build's source is the repodata it was read
from, dated today (the day it was seen to exist).
"""

from __future__ import annotations

import datetime
from typing import Any

from envslim.environment.graph import Graph
from envslim.environment.graphfile import compile_graph
from envslim.environment.model import channel_id

__all__ = ["refresh_graph"]


def _record(r: Any, channel: str, today: str) -> dict:
    ts = r.timestamp
    seconds = int(ts.timestamp()) if ts is not None else 0
    url = str(r.url)
    where = url.rsplit("/", 2)[0].split("://", 1)[-1]  # the channel's subdir: host/channel/subdir
    return {"name": r.name.normalized, "version": str(r.version), "build": str(r.build), "subdir": str(r.subdir),
            "channel": channel, "depends": list(r.depends), "archive_bytes": r.size, "installed_bytes": None,
            "source": (where, "repodata.json", "", today), "timestamp": seconds}


async def fetch(names: list[str], channels: list[tuple[str, str]], platforms: list[str], gateway: Any,
                versions: int, today: str, localizer: Any = None) -> list[dict]:
    """The records of ``names`` and of what they reach, per channel (id, URL), newest ``versions`` versions of
    each name per subdir. With a ``localizer`` (:class:`envslim.solve.repodata.Localizer`), the repodata
    comes through envslim's capped session and rattler reads local copies (as for ``--solve``)."""
    import rattler

    out: list[dict] = []
    subdirs = [*platforms, "noarch"]
    for cid, url in channels:
        source = url
        if localizer is not None:
            [source] = await localizer.channels([url], subdirs)
        result = await gateway.query([rattler.Channel(source)], subdirs,
                                     [rattler.MatchSpec(n) for n in names], recursive=True)
        found = [r for per in result for r in per]
        if localizer is not None:
            localizer.restore(found)
        kept: dict[tuple[str, str], list[str]] = {}
        records = sorted(found, key=lambda r: (r.name.normalized, str(r.subdir), r.version), reverse=True)
        for r in records:
            key = (r.name.normalized, str(r.subdir))
            seen = kept.setdefault(key, [])
            v = str(r.version)
            if v not in seen:
                if len(seen) >= versions:
                    continue
                seen.append(v)
            out.append(_record(r, cid, today))
    return out


async def _fetch_bounded(names: list[str], channels: list[tuple[str, str]], platforms: list[str], gateway: Any,
                         versions: int, today: str, root: Any) -> list[dict]:
    """:func:`fetch` with every download bounded (the connect and stall bounds, the repodata caps)."""
    from pathlib import Path

    from envslim.online import Session
    from envslim.solve.repodata import Localizer

    async with Session(cache=False, bound_cache=False) as session:
        return await fetch(names, channels, platforms, gateway, versions, today, Localizer(session, Path(root)))


def refresh_graph(current: Graph, names: list[str], channels: list[str], platforms: list[str], *,
                  alias: str, defaults_url: str | None, cache_dir: Any, versions: int = 8,
                  today: str | None = None) -> tuple[bytes, int]:
    """The new snapshot's bytes and how many builds it was read from."""
    from envslim.solve.channels import channel_urls
    from envslim.solve.conda import make_gateway
    from envslim.solve.engine import run_solve

    today = today or datetime.date.today().isoformat()
    pairs: list[tuple[str, str]] = []
    for name in channels:
        for url in channel_urls([name, "nodefaults"], alias=alias, defaults_url=defaults_url).urls:
            pairs.append((channel_id(name), url))
    gateway = make_gateway(cache_dir)
    records = run_solve(_fetch_bounded(names, pairs, platforms, gateway, versions, today, cache_dir))
    measured = {}
    for name in {r["name"] for r in records}:
        for b in current.all_builds(name):
            if b.installed_bytes is not None:
                measured[(b.name, b.version, b.build, b.subdir, b.channel)] = (b.installed_bytes, b.source, b.date)
    for r in records:
        m = measured.get((r["name"], r["version"], r["build"], r["subdir"], r["channel"]))
        if m is not None:
            r["installed_bytes"] = m[0]
    return compile_graph(records, current.ratios), len(records)
