"""The conda side: ``rattler.solve`` for one target, strict channel priority.

``await solve_conda(specs, channels, target, gateway=...) -> list[RepoDataRecord]``

``specs`` are MatchSpecs as an environment file writes them (``numpy=1.26``, ``python>=3.11``,
``conda-forge::pyarrow``); ``channels`` are URLs in priority order
(:func:`envslim.solve.channels.channel_urls`). rattler never goes to the network itself: the
``localizer`` (:class:`envslim.solve.repodata.Localizer`) fetches every channel's repodata through
envslim's capped session and rattler reads the local copies; the solved records get their real
channel and URL back. A channel a spec names (``conda-forge::pyarrow``) that the list does not is read
after the others. Raises
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


def spec_channel(spec: str, alias: str) -> tuple[str | None, str]:
    """(the channel URL a ``channel::name`` spec names, or None; the rest of the spec)."""
    channel, sep, rest = spec.partition("::")
    if not sep:
        return None, spec
    if "://" not in channel and "/" not in channel.split("[")[0]:
        return f"{alias.rstrip('/')}/{channel}", rest
    return channel.rstrip("/"), rest


def parse_spec(spec: str, alias: str, local: Any = None) -> Any:
    """A rattler MatchSpec for ``spec``; a ``channel::name`` prefix resolves against ``alias`` (and to
    its local copy through ``local(url)`` when given)."""
    import rattler

    channel, rest = spec_channel(spec, alias)
    if channel is not None:
        spec = f"{local(channel) if local else channel}::{rest}"
    return rattler.MatchSpec(spec)


async def solve_conda(
    specs: list[str],
    channels: list[str] | tuple[str, ...],
    target: Target,
    *,
    gateway: Any,
    localizer: Any,
    alias: str = "https://conda.anaconda.org",
    constraints: list[str] | None = None,
) -> list[Any]:
    import rattler
    from rattler.exceptions import InvalidMatchSpecError, SolverError

    urls = list(channels)
    for spec in specs:
        named, _ = spec_channel(spec, alias)
        if named is not None and named not in urls:
            urls.append(named)
    parsed = []
    for spec in specs:
        try:
            parsed.append(parse_spec(spec, alias, localizer.local_url))
        except InvalidMatchSpecError as exc:
            raise Unsolvable(f"invalid conda spec {spec!r}: {exc}", target.platform) from None
    local = await localizer.channels(urls, target.subdirs, target.platform)
    try:
        records = await rattler.solve(
            [rattler.Channel(url) for url in local],
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
    return localizer.restore(records)
