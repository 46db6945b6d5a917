"""Online metadata: PyPI and anaconda.org, asynchronous, cached, never raising.

Importing this package costs nothing: each name below loads its module on first use (so
``envslim.online.settings`` does not bring in asyncio and ssl); httpx is imported when the first request
goes out and platformdirs when the default cache directory is first needed. Use it like this::

    from envslim.online import Session, lookup_wheels, conda_files, run

    async def fetch():
        async with Session(offline=False, refresh=False) as session:
            wheels = await lookup_wheels(["pyarrow==15.0.0", "six"], python="3.11",
                                         platform="linux-64", session=session)
            files = await conda_files("conda-forge", "pyarrow", "15.0.0", "linux-64",
                                      session=session, installed=True)
            return wheels, files, session.warnings

    wheels, files, warnings = run(fetch())

- ``Session(*, client=None, transport=None, cache=True, offline=False, refresh=False, timeout=None,
  deadline=60.0, retries=2, backoff=0.5, max_retry_after=30.0, concurrency=16,
  pypi_url="https://pypi.org", anaconda_url="https://api.anaconda.org",
  conda_url="https://conda.anaconda.org", max_download=64 MiB, sleep=asyncio.sleep, bound_cache=True)``;
  ``timeout`` is the stall bound (``None``: ``ENVSLIM_HTTP_TIMEOUT``, else 30 s; connecting takes at most
  10 s; see :mod:`envslim.online.limits`); timeouts and stalls are not retried; ``bound_cache`` keeps the
  cache under ``ENVSLIM_CACHE_MAX`` when the session closes; ``sleep`` is awaited
  between retries (tests inject one that records the delay and returns at once): ``cache`` is a ``Cache``, ``True``
  (platformdirs user cache dir of "envslim", TTL one day) or ``False``. ``session.warnings`` collects
  one line per problem; ``session.requests`` / ``session.bytes_downloaded`` count the traffic.
- ``lookup_wheels(names_or_reqs, *, python="3.11", platform="linux-64", session, installed=True)
  -> dict[str, WheelInfo | None]`` (``envslim.online.pypi``); ``WheelInfo(name, version, filename,
  url, wheel_bytes, installed_bytes)``.
- ``conda_files(channel, name, version=None, subdir=None, *, session, installed=False)
  -> list[CondaFile] | None`` and ``conda_installed_bytes(file, *, session) -> int | None``
  (``envslim.online.anaconda``).
- ``run(coro)``: run a coroutine from synchronous code.

No function here raises for a network or data problem: the result is ``None`` and the reason is a
warning in ``session.warnings``, for the caller to show (credentials in URLs are already removed).
"""

from __future__ import annotations

# The names below are imported on first use (PEP 562), so that a submodule (``envslim.online.settings``)
# costs only itself: the session (asyncio, ssl), anaconda.org and PyPI modules load when asked for.
_HOME = {
    "CondaFile": "anaconda", "conda_files": "anaconda", "conda_installed_bytes": "anaconda",
    "Cache": "cache", "Session": "http", "run": "http", "WheelInfo": "pypi", "lookup_wheels": "pypi",
}


def __getattr__(name: str):
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'envslim.online' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"envslim.online.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Cache",
    "CondaFile",
    "Session",
    "WheelInfo",
    "conda_files",
    "conda_installed_bytes",
    "lookup_wheels",
    "run",
]
