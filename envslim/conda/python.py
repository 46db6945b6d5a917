"""The Python minor version a file's python spec means (one place for every caller: the report's target, the
environment model's and the rules')."""

from __future__ import annotations

import re

from envslim.conda.ranges import merge_pin
from envslim.conda.version import CondaSpecError

# the Python a file that does not say is judged for (the report's default, the rules' and the model's)
DEFAULT_PYTHON = "3.11"
# the Python minors a range is judged against, newest first (a solver takes the newest a range admits)
MINORS = tuple(f"3.{m}" for m in range(14, 5, -1))
_PIN = re.compile(r"^(\d+)\.(\d+)")


def _admits(raw: str, minor: str) -> bool:
    major, m = minor.split(".")
    try:
        return merge_pin(raw, f">={minor},<{major}.{int(m) + 1}.0a0").status != "conflict"
    except CondaSpecError:
        return True


def python_minor(raw: str | None, default: str) -> str | None:
    """``"3.9"`` where the spec pins one minor version (``3.9``, ``==3.9.7``, ``3.9.*``); for a range that leaves
    ``default`` out (``>=3.7,<3.9``), the newest minor it admits (``"3.8"``); None where it says nothing, or
    admits ``default`` (the caller's default stands) or no minor this module knows."""
    if not raw:
        return None
    raw = raw.strip()
    m = _PIN.match(raw.lstrip("=").rstrip("*").rstrip("."))
    if m and not re.search(r"[<>!,|]", raw):
        return f"{m.group(1)}.{m.group(2)}"
    if not re.search(r"[<>!,|]", raw) or _admits(raw, default):
        return None
    return next((minor for minor in MINORS if _admits(raw, minor)), None)
