"""Configuration: ``[tool.envslim]`` in pyproject.toml, or ``.envslim.toml``, found upward from the env file.

    [tool.envslim]
    select = ["ES001", "ES002"]        # rule ids to run (default: all)
    ignore = ["ES007"]                 # rule ids to skip
    unsafe-fixes = false               # also apply unsafe fixes
    keep = ["pyarrow"]                 # packages no rule touches
    per-package-ignores = { numpy = ["ES005"] }
    platform = "linux-64"              # target conda subdir (footprints, online lookups)
    python = "3.11"                    # target Python (online lookups)

``.envslim.toml`` holds the same keys at its top level. A mistake is an error naming the file and the key.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from envslim.errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PLATFORMS = ("linux-64", "linux-aarch64", "linux-ppc64le", "osx-64", "osx-arm64", "win-64")
_KEYS = ("select", "ignore", "unsafe-fixes", "keep", "per-package-ignores", "platform", "python")


@dataclass
class Config:
    path: str | None = None
    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    unsafe_fixes: bool = False
    keep: frozenset[str] = frozenset()
    per_package_ignores: dict[str, frozenset[str]] = field(default_factory=dict)
    platform: str = "linux-64"
    python: str = "3.11"


def find(start: Path) -> tuple[Path, dict, str] | None:
    """The nearest config at or above ``start``: (path, table, table header for error positions)."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for d in (folder, *folder.parents):
        dot = d / ".envslim.toml"
        if dot.is_file():
            return dot, _read(dot), ""
        py = d / "pyproject.toml"
        if py.is_file():
            data = _read(py)
            table = data.get("tool", {}).get("envslim")
            if table is not None:
                return py, table, "tool.envslim"
    return None


def _read(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise InputError(str(path), line, col, f"invalid TOML: {msg}") from None


def _where(path: Path, header: str, key: str) -> tuple[int, int]:
    """1-based line and column of ``key`` inside the ``header`` table (or the top level)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    in_table = header == ""
    for n, line in enumerate(lines, 1):
        s = line.strip()
        if s.startswith("["):
            in_table = s.strip("[] ") == header or (header and s.strip("[] ").startswith(header + "."))
            if header and s.strip("[] ") == f"{header}.{key}":
                return n, line.index("[") + 1
            continue
        m = re.match(rf"\s*(\"?{re.escape(key)}\"?)\s*=", line)
        if in_table and m:
            return n, m.start(1) + 1
    return 1, 1


def load(start: Path, known_rules: set[str], explicit: bool = False) -> Config:
    """The config for files under ``start`` (or, with ``explicit``, the config file ``start`` itself)."""
    if explicit:
        if not start.is_file():
            raise InputError(str(start), 1, 1, "no such config file")
        data = _read(start)
        header = "tool.envslim" if start.name == "pyproject.toml" else ""
        found = (start, data.get("tool", {}).get("envslim", {}) if header else data, header)
    else:
        found = find(start)
    if found is None:
        return Config()
    path, table, header = found

    def fail(key: str, message: str):
        line, col = _where(path, header, key)
        raise InputError(str(path), line, col, message)

    if not isinstance(table, dict):
        fail("", f"[{header or 'envslim'}] must be a table")
    cfg = Config(path=str(path))
    for key, value in table.items():
        if key not in _KEYS:
            fail(key, f"unknown key {key!r} (known: {', '.join(_KEYS)})")
        if key in ("select", "ignore"):
            ids = _strings(value, key, fail)
            for rid in ids:
                if rid.upper() not in known_rules:
                    fail(key, f"unknown rule id {rid!r} in {key!r}")
            setattr(cfg, key, frozenset(r.upper() for r in ids))
        elif key == "unsafe-fixes":
            if not isinstance(value, bool):
                fail(key, "'unsafe-fixes' must be true or false")
            cfg.unsafe_fixes = value
        elif key == "keep":
            cfg.keep = frozenset(s.lower() for s in _strings(value, key, fail))
        elif key == "per-package-ignores":
            if not isinstance(value, dict):
                fail(key, "'per-package-ignores' must be a table of package = [rule ids]")
            for pkg, ids in value.items():
                ids = _strings(ids, key, fail)
                for rid in ids:
                    if rid.upper() not in known_rules:
                        fail(key, f"unknown rule id {rid!r} for {pkg!r} in 'per-package-ignores'")
                cfg.per_package_ignores[pkg.lower()] = frozenset(r.upper() for r in ids)
        elif key == "platform":
            if value not in PLATFORMS:
                fail(key, f"unknown platform {value!r} (known: {', '.join(PLATFORMS)})")
            cfg.platform = value
        elif key == "python":
            if not isinstance(value, str) or not re.fullmatch(r"3\.\d+", value):
                fail(key, f"'python' must be a version like \"3.11\", not {value!r}")
            cfg.python = value
    return cfg


def _strings(value, key: str, fail) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        fail(key, f"{key!r} must be a list of strings")
    return list(value)
