"""Where envslim's shipped data lives."""

from __future__ import annotations

import os


def knowledge_dir():
    """The knowledge base directory (a ``pathlib.Path``): ``envslim/_knowledge`` in an installed wheel
    (pyproject force-includes ``knowledge/`` there), else the checkout's top-level ``knowledge/``."""
    from pathlib import Path  # pathlib only when data is actually read

    here = os.path.dirname(os.path.realpath(__file__))
    bundled = os.path.join(here, "_knowledge")
    return Path(bundled if os.path.isdir(bundled) else os.path.join(os.path.dirname(here), "knowledge"))
