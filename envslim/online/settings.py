"""Settings every online command shares: the Session's options from the environment, and the target check."""

from __future__ import annotations

import os

from envslim.errors import EnvslimError

MAX_BACKOFF = 30.0  # seconds: the most ENVSLIM_RETRY_BACKOFF may be (the Session's max_retry_after)
_ENV_SESSION = (("ENVSLIM_PYPI_URL", "pypi_url"), ("ENVSLIM_ANACONDA_URL", "anaconda_url"),
                ("ENVSLIM_CONDA_URL", "conda_url"))


def session_options(*, offline: bool = False, refresh: bool = False) -> dict:
    """Keyword arguments for ``envslim.online.Session``: the modes, plus base URLs and a cache directory from
    the environment (``ENVSLIM_PYPI_URL``, ``ENVSLIM_ANACONDA_URL``, ``ENVSLIM_CONDA_URL``,
    ``ENVSLIM_CACHE_DIR``, ``ENVSLIM_RETRY_BACKOFF``), for mirrors and for the tests' local server."""
    opts: dict = {"offline": offline, "refresh": refresh}
    for var, key in _ENV_SESSION:
        if os.environ.get(var):
            opts[key] = os.environ[var]
    if os.environ.get("ENVSLIM_RETRY_BACKOFF"):  # seconds before the first retry (doubling after)
        value = os.environ["ENVSLIM_RETRY_BACKOFF"]
        try:
            opts["backoff"] = float(value)
        except ValueError:
            raise EnvslimError(f"envslim: error: ENVSLIM_RETRY_BACKOFF={value!r} is not a number of seconds") from None
        # held to what a server's Retry-After may ask (inf or 1e308 waited forever; nan and -1 meant nothing)
        if not 0 <= opts["backoff"] <= MAX_BACKOFF:
            raise EnvslimError(f"envslim: error: ENVSLIM_RETRY_BACKOFF={value!r} is not a number of seconds from 0"
                               f" to {MAX_BACKOFF:g}")
    if os.environ.get("ENVSLIM_CACHE_DIR"):
        from envslim.online import Cache

        opts["cache"] = Cache(os.environ["ENVSLIM_CACHE_DIR"])
    return opts


def check_target(python: str | None, platform: str | None) -> None:
    """Reject a --python or --platform the wheel chooser cannot target (exit 2)."""
    from envslim.online.pypi import UnknownTarget, check_target as check

    try:
        check(python or "3.11", platform or "linux-64")
    except UnknownTarget as e:
        raise EnvslimError(f"envslim: error: {e}") from None
