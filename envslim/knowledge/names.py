"""conda <-> PyPI package names.

``pypi_name("pytorch") == "torch"``, ``pypi_name("ruamel.yaml") == "ruamel-yaml"``,
``pypi_name("libgcc") is None``. Exceptions and the deny-list are curated in ``knowledge/names.toml``
(each with its sources); every other name maps to its PEP 503 normalised self. The table is read
lazily, once, on the first lookup; nothing here touches the network.
"""

from __future__ import annotations

import re

from envslim.document.envfile import normalize  # the one PEP 503 normaliser

__all__ = ["conda_name", "deny_reason", "is_conda_name", "normalize", "pypi_name"]

_PYPI_NAME = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?\Z", re.IGNORECASE)
_CONDA_NAME = re.compile(r"[a-z0-9_][a-z0-9._+-]*\Z")

_TABLE: tuple[dict, dict, dict] | None = None


def is_conda_name(name: str) -> bool:
    """Whether ``name`` (lower case) is a conda package name: no folder, no leading dot, nothing a path needs."""
    return bool(_CONDA_NAME.match(name))


def _table() -> tuple[dict, dict, dict]:
    """(conda -> pypi, normalised pypi -> conda, conda -> deny reason), read from names.toml once."""
    global _TABLE
    if _TABLE is None:
        from envslim import knowledge

        data = knowledge.read("names.toml")
        forward: dict[str, str] = {}
        reverse: dict[str, str] = {}
        for entry in data.get("map", ()):
            forward[entry["conda"]] = entry["pypi"]
            if entry.get("pypi_to_conda", True):
                reverse.setdefault(normalize(entry["pypi"]), entry["conda"])
        deny = {entry["conda"]: entry["reason"] for entry in data.get("deny", ())}
        _TABLE = (forward, reverse, deny)
    return _TABLE


def pypi_name(conda_name: str) -> str | None:
    """The PyPI project a conda package corresponds to, or None when there is none envslim may move it
    to (the interpreter, compilers, runtime and BLAS selector packages, C/C++ libraries: see
    :func:`deny_reason`) or when the name is a pattern or not a conda name."""
    name = conda_name.strip().lower()
    if not _CONDA_NAME.match(name):
        return None
    forward, _, deny = _table()
    if name in deny:
        return None
    return forward.get(name) or normalize(name)


def conda_name(pypi_name: str) -> str | None:
    """The conda-forge package that installs a PyPI project (``torch`` -> ``pytorch``), or the
    normalised name itself when no exception is known; None for a string that is not a PyPI name."""
    name = pypi_name.strip()
    if not _PYPI_NAME.match(name):
        return None
    key = normalize(name)
    return _table()[1].get(key, key)


def deny_reason(conda_name: str) -> str | None:
    """Why a conda package has no PyPI counterpart (None when it may have one)."""
    return _table()[2].get(conda_name.strip().lower())
