"""Where envslim's shipped data lives."""

from __future__ import annotations

import os
from functools import lru_cache


def knowledge_dir():
    """The knowledge base directory (a ``pathlib.Path``): ``envslim/_knowledge`` in an installed wheel
    (pyproject force-includes ``knowledge/`` there), else the checkout's top-level ``knowledge/``."""
    from pathlib import Path  # pathlib only when data is actually read

    return Path(knowledge_root())


@lru_cache(maxsize=None)
def knowledge_root() -> str:
    """:func:`knowledge_dir` as a string, worked out once (the hook path does without pathlib)."""
    here = os.path.dirname(os.path.realpath(__file__))
    bundled = os.path.join(here, "_knowledge")
    return bundled if os.path.isdir(bundled) else os.path.join(os.path.dirname(here), "knowledge")
