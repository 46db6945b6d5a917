from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest

# pkgserver.py (the local server and the archive builders) is shared with bench/: make it importable
# as a top-level module whether or not tests/ is a package.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pkgserver import PackageServer  # noqa: E402

from envslim.online import Cache, Session, run


@pytest.fixture
def server() -> Iterator[PackageServer]:
    with PackageServer() as srv:
        yield srv


class Clock:
    """A settable clock for the cache's TTL."""

    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(tmp_path: Path, clock: Clock) -> Cache:
    return Cache(tmp_path / "cache", ttl=3600, clock=clock)


@pytest.fixture
def sleeps() -> list[float]:
    """The delays the session waited between retries (recorded, never slept)."""
    return []


@pytest.fixture
def make_session(server: PackageServer, cache: Cache, sleeps: list[float]) -> Callable[..., Session]:
    """A Session pointed at the local server: short timeout, the backoff recorded in ``sleeps`` instead of
    slept, a cache in tmp_path."""

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    def make(**kw: Any) -> Session:
        options: dict[str, Any] = {
            "cache": cache,
            "timeout": 0.5,
            "backoff": 0.01,
            "sleep": sleep,
            "pypi_url": server.url,
            "anaconda_url": server.url,
            "conda_url": server.url + "/conda",
        }
        options.update(kw)
        return Session(**options)

    return make


def use(session: Session, job: Callable[[Session], Any]) -> Any:
    """Run ``await job(session)`` inside ``async with session``."""

    async def go() -> Any:
        async with session:
            return await job(session)

    return run(go())


@pytest.fixture(name="use")
def use_fixture() -> Callable[[Session, Callable[[Session], Any]], Any]:
    return use
