"""Reading TOML: pixi manifests and envslim's own config (``[tool.envslim]``, ``.envslim.toml``).

One reader and one error form: tomli from 2.4 on, which reads TOML 1.1 as pixi does (an inline table over
several lines, as pixi's own manifest writes them), else the standard library's tomllib (TOML 1.0); bad
TOML is one line, ``path:line:col: invalid TOML: …``. Kept apart from the pixi locator so that reading a
config costs the hook path no more than this.
"""

from __future__ import annotations

import re
import sys

from envslim.errors import InputError

_FOUND: list = []  # the TOML reader, found once


def reader():
    """The TOML reader: tomli, which from 2.4 on reads TOML 1.1 (inline tables over several
    lines, which pixi accepts and its own manifests use); the standard library's tomllib (TOML 1.0) if no
    tomli that reads TOML 1.1 can be imported."""
    if not _FOUND:
        _FOUND.append(_toml11() or _stdlib_toml())
    return _FOUND[0]


def _reads_toml11(module) -> bool:
    try:
        module.loads("a = {\n}\n")
    except Exception:
        return False
    return True


def _toml11():
    import importlib

    try:
        import tomli
    except ImportError:
        return None
    if _reads_toml11(tomli):
        return tomli
    # An old copy that a library vendors and puts first on sys.path (conda-lock's poetry-core does) hides
    # the installed tomli: import that one, leaving sys.path and sys.modules as they were.
    names = [k for k in sys.modules if k == "tomli" or k.startswith("tomli.")]
    hidden = {k: sys.modules.pop(k) for k in names}
    path = sys.path[:]
    try:
        sys.path[:] = [p for p in path if "_vendor" not in p.replace("\\", "/").split("/")]
        found = importlib.import_module("tomli")
        return found if _reads_toml11(found) else None
    except ImportError:
        return None
    finally:
        sys.path[:] = path
        for k in [k for k in sys.modules if k == "tomli" or k.startswith("tomli.")]:
            del sys.modules[k]
        sys.modules.update(hidden)


def _stdlib_toml():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib


def toml_error(path: str, text: str, exc: Exception) -> InputError:
    """tomllib's error as ``path:line:col: invalid TOML: …``. tomllib ends its message with
    "(at line L, column C)" or "(at end of document)"; the end of the document is placed just past
    its last character that is not white space."""
    msg = str(exc)
    m = re.search(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$", msg)
    if m and m.group(1):
        line, col = int(m.group(1)), int(m.group(2))
    else:
        body = text.rstrip()
        line, col = body.count("\n") + 1, len(body) - body.rfind("\n")
    return InputError(path, line, col, f"invalid TOML: {msg[: m.start()] if m else msg}")


def load_toml(text: str, path: str) -> dict:
    """tomllib's reading of ``text``; bad TOML is ``path:line:col: invalid TOML: …``, also where the reader
    gives up on the input rather than the grammar (arrays nested past its limit, an integer longer than
    Python converts)."""
    tomllib = reader()
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise toml_error(path, text, e) from None
    except RecursionError:
        line, col, depth = _deepest(text)
        if depth < 100:  # keys dotted thousands of times deep: the line with the most dots
            lines = text.split("\n")
            line, col = max(range(len(lines)), key=lambda k: lines[k].count(".")) + 1, 1
        raise InputError(path, line, col, "invalid TOML: nested deeper than envslim reads (arrays, inline tables"
                         " or dotted keys a few hundred levels deep)") from None
    except ValueError as e:  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
        m = _LONG_NUMBER.search(text)
        if m is None:
            raise
        line, col = _line_col(text, m.start())
        raise InputError(path, line, col, f"invalid TOML: an integer of {len(m.group(0)):,} characters; envslim"
                         f" reads integers of up to {_MAX_DIGITS:,} digits") from None


_MAX_DIGITS = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300
_LONG_NUMBER = re.compile(rf"(?<![\w.])[+-]?[0-9][0-9_]{{{_MAX_DIGITS},}}")  # (one class: no backtracking)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _deepest(text: str) -> tuple[int, int, int]:
    """Where the brackets of ``text`` nest deepest (outside strings and comments): line, column, depth."""
    depth = best = where = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":  # a string: skip to its end (a basic string's escapes included)
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j) and (len(quote) == 3 or text[j] != "\n"):
                j += 2 if c == '"' and text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in "[{":
            depth += 1
            if depth > best:
                best, where = depth, i
        elif c in "]}":
            depth -= 1
        i += 1
    return (*_line_col(text, where), best)
