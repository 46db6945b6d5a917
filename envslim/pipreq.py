"""A pip requirement line read as far as envslim's rules and figures need: its name and its version specifier.

``packaging.requirements`` reads the whole of PEP 508, and importing it brings ``packaging.markers`` and
``packaging.tags`` (logging, subprocess, sysconfig): about 25 ms of CPU in every run that reads one bounded
pip line, the hook's included. The name and the specifier need far less: the line is split here and its
specifier is read by ``packaging.specifiers`` (the reference implementation, as pip has it); a marker is
left to ``packaging.requirements`` by the callers that evaluate markers (:func:`only_extra` says which
markers need no evaluation at all).
"""

from __future__ import annotations

import re

# name, extras, then the specifier, bare or in parentheses; a URL (``name @ url``) is not a name with versions
_LINE = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(\(?)([^;()@]*)(\)?)\s*(;.*)?",
                   re.S)
_EXTRA_ONLY = re.compile(r"""\s*extra\s*==\s*(['"])[^'"]*\1\s*""")


class Requirement:
    """``name``, ``specifier`` (a ``packaging.specifiers.SpecifierSet``) and ``marker`` (its text, "" for none)."""

    __slots__ = ("name", "specifier", "marker")

    def __init__(self, name: str, specifier, marker: str) -> None:
        self.name, self.specifier, self.marker = name, specifier, marker


def parse(text: str) -> Requirement | None:
    """The requirement of a pip line (a comment after ``#`` ignored); None for what is not a project name with
    an optional version specifier: a URL, an option, a malformed line or specifier."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    m = _LINE.fullmatch(text.split("#")[0].strip())
    if m is None or bool(m.group(2)) != bool(m.group(4)):
        return None
    try:
        spec = SpecifierSet(m.group(3).strip())
    except InvalidSpecifier:
        return None
    return Requirement(m.group(1), spec, (m.group(5) or "")[1:].strip())


def only_extra(marker: str) -> bool:
    """Whether ``marker`` is a single ``extra == "name"`` test, false wherever no extra is asked for."""
    return bool(_EXTRA_ONLY.fullmatch(marker))
