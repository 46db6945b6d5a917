"""Where the shipped knowledge base lives (inside the wheel, or beside the package in a checkout)."""

from __future__ import annotations

from pathlib import Path


def knowledge_dir() -> Path:
    here = Path(__file__).resolve().parent
    shipped = here / "_knowledge"
    return shipped if shipped.is_dir() else here.parent / "knowledge"
