"""The conda side: ``rattler.solve`` for one target, strict channel priority.

``await solve_conda(specs, channels, target, gateway=...) -> list[RepoDataRecord]``

``specs`` are MatchSpecs as an environment file writes them (``numpy=1.26``, ``python>=3.11``,
``conda-forge::pyarrow``); ``channels`` are URLs in priority order
(:func:`envslim.solve.channels.channel_urls`). The gateway reads sharded repodata when the channel
has it (``repodata_shards.msgpack.zst``) and ``repodata.json`` otherwise, and keeps its own cache
(``make_gateway(cache_dir)``: under envslim's cache directory). Raises
:class:`~envslim.solve.errors.Unsolvable` with the solver's reason on one line, or
:class:`~envslim.solve.errors.SolveUnavailable` when repodata cannot be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from envslim.solve.errors import SolveUnavailable, Unsolvable
from envslim.solve.target import Target

__all__ = ["make_gateway", "solve_conda", "virtual_packages"]


def make_gateway(cache_dir: Path | None) -> Any:
    import rattler

    return rattler.Gateway(cache_dir=str(cache_dir) if cache_dir is not None else None)


def virtual_packages(target: Target) -> list[Any]:
    import rattler

    return [
        rattler.GenericVirtualPackage(rattler.PackageName(n), rattler.Version(v), rattler.BuildString(b))
        for n, v, b in target.virtual_packages()
    ]


def parse_spec(spec: str, alias: str) -> Any:
    """A rattler MatchSpec for ``spec``; a ``channel::name`` prefix resolves against ``alias``."""
    import rattler

    channel, sep, rest = spec.partition("::")
    if sep and "://" not in channel and "/" not in channel.split("[")[0]:
        spec = f"{alias.rstrip('/')}/{channel}::{rest}"
    return rattler.MatchSpec(spec)


async def solve_conda(
    specs: list[str],
    channels: list[str] | tuple[str, ...],
    target: Target,
    *,
    gateway: Any,
    alias: str = "https://conda.anaconda.org",
    constraints: list[str] | None = None,
) -> list[Any]:
    import rattler
    from rattler.exceptions import InvalidMatchSpecError, SolverError

    try:
        parsed = [parse_spec(s, alias) for s in specs]
    except InvalidMatchSpecError as exc:
        raise Unsolvable(f"invalid conda spec: {exc}", target.platform) from None
    try:
        return await rattler.solve(
            [rattler.Channel(url) for url in channels],
            parsed,
            gateway=gateway,
            platforms=target.subdirs,
            virtual_packages=virtual_packages(target),
            channel_priority=rattler.ChannelPriority.Strict,
            constraints=constraints or None,
        )
    except SolverError as exc:
        raise Unsolvable(f"{target.platform}: {exc}", target.platform) from None
    except Exception as exc:  # GatewayError, FetchRepoDataError, IoError...: the channel is unreadable
        raise SolveUnavailable(f"{target.platform}: cannot read the channels: {exc}", target.platform) from None
