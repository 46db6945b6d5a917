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
    """tomllib's reading of ``text``; bad TOML is ``path:line:col: invalid TOML: …``."""
    tomllib = reader()
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise toml_error(path, text, e) from None
