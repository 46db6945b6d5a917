"""Configuration: ``[tool.envslim]`` in pyproject.toml, or ``.envslim.toml``, found upward from the env file.

    [tool.envslim]
    select = ["ES001", "ES002"]        # rule ids to run (default: all but the opt-in ES008, ES009, ES010)
    extend-select = ["ES008"]          # rule ids added to the selection (the opt-in rules)
    ignore = ["ES007"]                 # rule ids to skip
    unsafe-fixes = false               # also apply unsafe fixes
    keep = ["pyarrow"]                 # packages no rule touches
    per-package-ignores = { numpy = ["ES005"] }
    platform = "linux-64"              # target conda subdir (footprints, online lookups), or a list
                                       #   of them (--solve / --verify solve each; the first is shown)
    channel-alias = "https://conda.anaconda.org"   # where channel names resolve (--solve / --verify)
    python = "3.11"                    # target Python (online lookups)
    include = ["deploy/*.yaml"]        # more files a directory search reads (gitignore-style patterns,
                                       #   relative to this file's folder), besides envslim.document.discover's
    exclude = ["legacy/"]              # files and folders a directory search passes over

``.envslim.toml`` holds the same keys at its top level. A mistake is an error naming the file and the key.
"""

from __future__ import annotations

import os
import re

from envslim._record import dataclass, field
from envslim.errors import InputError
from envslim.knowledge.names import normalize  # package names compare PEP 503 normalised

PLATFORMS = ("linux-64", "linux-aarch64", "linux-ppc64le", "osx-64", "osx-arm64", "win-64")
_KEYS = ("select", "extend-select", "ignore", "unsafe-fixes", "keep", "per-package-ignores", "platform", "python",
         "channel-alias", "include", "exclude")


@dataclass
class Config:
    path: str | None = None
    select: frozenset[str] = frozenset()
    extend_select: frozenset[str] = frozenset()  # added to the selection: the opt-in rules
    ignore: frozenset[str] = frozenset()
    unsafe_fixes: bool = False
    keep: frozenset[str] = frozenset()
    per_package_ignores: dict[str, frozenset[str]] = field(default_factory=dict)
    platform: str = "linux-64"
    python: str = "3.11"
    platforms: tuple[str, ...] = ("linux-64",)  # ``platform`` as a list; the first is ``platform``
    channel_alias: str | None = None
    include: tuple[str, ...] = ()  # gitignore-style patterns a directory search adds (relative to the config's folder)
    exclude: tuple[str, ...] = ()  # and those it passes over


def find(start) -> tuple[str, dict, tuple[str, ...]] | None:
    """The nearest config at or above ``start`` (a folder or a file in it): (path, table, the table's key
    path for error positions).

    A ``.envslim.toml`` wins over a ``pyproject.toml`` in the same folder; a ``pyproject.toml`` without
    ``[tool.envslim]`` is passed over (the search goes on upward), and one that has no place to hold it
    (:func:`_may_configure`) is not parsed."""
    folder = os.path.realpath(start)
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    while True:
        dot = os.path.join(folder, ".envslim.toml")
        if os.path.isfile(dot):
            return dot, _read(dot), ()
        py = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(py) and _may_configure(_bytes(py)):
            tool = _read(py).get("tool")
            if isinstance(tool, dict) and "envslim" in tool:
                return py, tool["envslim"], _TABLE
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


_TABLE = ("tool", "envslim")
# where a pyproject.toml can hold [tool.envslim]: a [tool.envslim...] or [tool] header (any spacing, quoted
# keys), or a top-level ``tool.`` dotted key or ``tool =`` inline table. A file with none of them is not
# parsed (a TOML parse is the hook's largest cost for a pyproject.toml that only names envslim elsewhere).
_CONFIGURES = (rb"(?m)^[ \t]*(?:\[\[?[ \t]*[\"']?tool[\"']?[ \t]*(?:\]|\.[ \t]*[\"']?envslim\b)"
               rb"|[\"']?tool[\"']?[ \t]*[.=])")


def _may_configure(data: bytes) -> bool:
    return b"envslim" in data and re.search(_CONFIGURES, data) is not None


def _bytes(path: str) -> bytes:
    from envslim.document.envfile import read_bytes

    return read_bytes(path)


def _read(path: str) -> dict:
    from envslim.document.envfile import decode_utf8
    from envslim.document.toml import load_toml

    return load_toml(decode_utf8(_bytes(path), path), path)


# A (possibly dotted, possibly quoted) key at the start of a line, up to its ``=``.
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
# (Patterns, compiled by re's cache on first use: only a config with an error is read for positions.)
_KEY_LINE = rf"[ \t]*({_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART})*)[ \t]*="
_HEADER_LINE = rf"[ \t]*\[\[?[ \t]*({_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART})*)[ \t]*\]"


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in re.findall(_KEY_PART, dotted))


def _where(path: str, keys: tuple[str, ...], value: str | None = None) -> tuple[int, int]:
    """1-based line and column where the key path ``keys`` (e.g. tool, envslim, select) is written: its
    ``key =`` line, a ``[table]`` header, or a key inside an inline table; with ``value``, that quoted
    string inside the key's value."""
    lines = _bytes(path).decode("utf-8").splitlines()
    table: tuple[str, ...] = ()
    best = (-1, 0, 0)  # (how many parts of ``keys`` matched, line index, 0-based col)
    for n, line in enumerate(lines):
        header = re.match(_HEADER_LINE, line)
        if header:
            table = _parts(header.group(1))
            full, col = table, line.index("[")
        else:
            m = re.match(_KEY_LINE, line)
            if not m:
                continue
            full, col = table + _parts(m.group(1)), m.start(1)
        if len(full) <= len(keys) and keys[: len(full)] == full and len(full) > best[0]:
            best = (len(full), n, col)
    matched, n, col = best
    if matched < 0:
        return 1, 1
    for key in keys[matched:]:  # keys inside an inline table: ``per-package-ignores = { numpy = [...] }``
        k = re.escape(key)
        m = re.compile(rf"""(?<![\w"'-])("{k}"|'{k}'|{k})[ \t]*=""").search(lines[n], col)
        if not m:
            break
        col = m.start(1)
    if value is not None:
        quoted = re.compile(rf"""("{re.escape(value)}"|'{re.escape(value)}')""")
        for k in range(n, len(lines)):
            if k > n and (re.match(_HEADER_LINE, lines[k]) or re.match(_KEY_LINE, lines[k])):
                break
            m = quoted.search(lines[k], col if k == n else 0)
            if m:
                return k + 1, m.start(1) + 1
    return n + 1, col + 1


def load(start, known_rules: set[str], explicit: bool = False) -> Config:
    """The config for files under the folder ``start`` (or, with ``explicit``, the config file ``start``)."""
    start = os.fspath(start)
    if explicit:
        if not os.path.exists(start):  # (a FIFO, a directory: the reader says what it is, and reads nothing)
            raise InputError(start, 1, 1, "no such config file")
        data = _read(start)
        if os.path.basename(start) == "pyproject.toml":
            tool = data.get("tool")
            found = (start, tool.get("envslim", {}) if isinstance(tool, dict) else {}, _TABLE)
        else:
            found = (start, data, ())
    else:
        found = find(start)
    if found is None:
        return Config()
    path, table, prefix = found

    def fail(keys: tuple[str, ...], message: str, value: str | None = None):
        line, col = _where(path, prefix + keys, value)
        raise InputError(path, line, col, message)

    if not isinstance(table, dict):
        fail((), "'tool.envslim' must be a table")
    cfg = Config(path=path)
    for key, value in table.items():
        if key not in _KEYS:
            fail((key,), f"unknown key {key!r} (known: {', '.join(_KEYS)})")
        if key in ("select", "extend-select", "ignore"):
            ids = _strings(value, (key,), fail)
            for rid in ids:
                if rid.upper() not in known_rules:
                    fail((key,), f"unknown rule id {rid!r} in {key!r}", rid)
            setattr(cfg, key.replace("-", "_"), frozenset(r.upper() for r in ids))
        elif key == "unsafe-fixes":
            if not isinstance(value, bool):
                fail((key,), f"'unsafe-fixes' must be true or false, not {value!r}")
            cfg.unsafe_fixes = value
        elif key in ("include", "exclude"):
            setattr(cfg, key, tuple(_strings(value, (key,), fail)))
        elif key == "keep":
            cfg.keep = frozenset(normalize(s) for s in _strings(value, (key,), fail))
        elif key == "per-package-ignores":
            if not isinstance(value, dict):
                fail((key,), "'per-package-ignores' must be a table of package = [rule ids]")
            for pkg, ids in value.items():
                ids = _strings(ids, (key, pkg), fail, f"'per-package-ignores' entry {pkg!r}")
                for rid in ids:
                    if rid.upper() not in known_rules:
                        fail((key, pkg), f"unknown rule id {rid!r} for {pkg!r} in 'per-package-ignores'", rid)
                cfg.per_package_ignores[normalize(pkg)] = frozenset(r.upper() for r in ids)
        elif key == "platform":
            values = value if isinstance(value, list) and value else [value]
            for v in values:
                if v not in PLATFORMS:
                    fail((key,), f"unknown platform {v!r} (known: {', '.join(PLATFORMS)})")
            cfg.platform, cfg.platforms = values[0], tuple(dict.fromkeys(values))
        elif key == "channel-alias":
            if not isinstance(value, str) or "://" not in value:
                fail((key,), f"'channel-alias' must be a URL like \"https://conda.anaconda.org\", not {value!r}")
            cfg.channel_alias = value
        elif key == "python":
            if not isinstance(value, str) or not re.fullmatch(r"3\.[0-9]+", value):
                fail((key,), f"'python' must be a version like \"3.11\", not {value!r}")
            cfg.python = value
    return cfg


def _strings(value, keys: tuple[str, ...], fail, what: str | None = None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        fail(keys, f"{what or repr(keys[-1])} must be a list of strings, not {_toml_type(value)}")
    return list(value)


def _toml_type(value) -> str:
    if isinstance(value, list):
        if not value:
            return "an empty list"
        return "a list holding " + ", ".join(sorted({_toml_type(v) for v in value if not isinstance(v, str)}))
    return {bool: "a boolean", int: "an integer", float: "a float", str: "a string", dict: "a table"}.get(
        type(value), "a date or time")
