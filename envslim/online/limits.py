"""The bounds on what the network may cost one run: time, bytes over the wire, bytes on disk.

- ``CONNECT_TIMEOUT`` (10 s): opening a connection (DNS, TCP, TLS).
- ``stall_timeout()`` (30 s, ``ENVSLIM_HTTP_TIMEOUT=SECONDS`` changes it): the stall bound. A response
  whose headers have not all arrived this long after the connection opened, or whose body brings less
  than ``MIN_RATE`` bytes a second over a window of this many seconds (a server that never answers,
  or sends one byte a second), has stalled: the request ends with one line naming the host.
- ``REPODATA_MAX`` (1 GiB): one ``repodata.json`` decoded (conda-forge's linux-64 is a few hundred MB
  uncompressed); the same figure bounds the bytes a server may send for it.
- ``RUN_WRITE_MAX`` (2 GB): everything one run writes into the cache, whatever the servers send
  (:data:`BUDGET` counts it; a download that passes a cap or the budget is deleted).
- ``cache_max()`` (2 GB, ``ENVSLIM_CACHE_MAX=BYTES`` with an optional K/M/G suffix): the cache as a
  whole across runs; the least recently used entries leave first (:mod:`envslim.online.cache`).

Standard library only.
"""

from __future__ import annotations

import os
import re

from envslim.errors import EnvslimError

__all__ = ["BUDGET", "Budget", "CONNECT_TIMEOUT", "DEFAULT_CACHE_MAX", "DEFAULT_STALL", "MIN_RATE",
           "OverBudget", "REPODATA_MAX", "RUN_WRITE_MAX", "cache_max", "stall_timeout"]

CONNECT_TIMEOUT = 10.0
DEFAULT_STALL = 30.0
MIN_RATE = 1024  # bytes a second, averaged over one stall window: below it a body has stalled
REPODATA_MAX = 1 << 30
RUN_WRITE_MAX = 2_000_000_000
DEFAULT_CACHE_MAX = 2_000_000_000

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?\s*$", re.I)


def stall_timeout(environ: dict[str, str] | None = None) -> float:
    """Seconds of the stall bound: ``ENVSLIM_HTTP_TIMEOUT`` when set (a positive number), else 30."""
    env = os.environ if environ is None else environ
    value = env.get("ENVSLIM_HTTP_TIMEOUT", "").strip()
    if not value:
        return DEFAULT_STALL
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0 or seconds == float("inf"):
        raise EnvslimError(f"envslim: error: ENVSLIM_HTTP_TIMEOUT={value!r} is not a positive number of seconds")
    return seconds


def cache_max(environ: dict[str, str] | None = None) -> int:
    """Bytes the cache may hold across runs: ``ENVSLIM_CACHE_MAX`` (``500M``, ``2G``, ``1GiB``, bytes)."""
    env = os.environ if environ is None else environ
    value = env.get("ENVSLIM_CACHE_MAX", "").strip()
    if not value:
        return DEFAULT_CACHE_MAX
    match = _SIZE.match(value)
    if not match:
        raise EnvslimError(f"envslim: error: ENVSLIM_CACHE_MAX={value!r} is not a size (bytes, or with K, M or G)")
    unit = (match.group(2) or "b").lower()
    power = "bkmgt".index(unit[0])
    factor = (1024 if unit[1:2] == "i" else 1000) ** power
    return int(float(match.group(1)) * factor)


class OverBudget(Exception):
    """The run has written as much as it may (``RUN_WRITE_MAX``)."""


class Budget:
    """Bytes one run has written to disk from the network; ``charge`` raises ``OverBudget`` past the limit."""

    def __init__(self, limit: int = RUN_WRITE_MAX) -> None:
        self.limit = limit
        self.written = 0

    def charge(self, n: int) -> None:
        self.written += n
        if self.written > self.limit:
            raise OverBudget(f"this run has written {self.limit:,} bytes, its limit")


BUDGET = Budget()  # the process's: one command run is one process
