"""Edits: what a fix asks for (operations on located items) and the text spans that carry it out.

An operation names an item of the document (remove it, replace its value) or a new line (a conda
dependency, a pip requirement, a channel); the document turns operations into :class:`Edit` spans of its
original text, and :func:`splice` puts them in. Nothing here knows which manifest format the items
come from.
"""

from __future__ import annotations

from collections.abc import Iterable

from envslim._record import dataclass
from envslim.errors import EnvslimError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from envslim.document.nodes import Item


class FixError(EnvslimError):
    """An edit that cannot be made without risking the file; the finding is reported instead."""


# -- operations (what a fix asks for) ------------------------------------------------------------
@dataclass(frozen=True)
class RemoveItem:
    item: Item


@dataclass(frozen=True)
class ReplaceValue:
    item: Item
    text: str
    comment: str = ""  # appended at the end of the line


@dataclass(frozen=True)
class InsertConda:
    text: str
    comment: str = ""


@dataclass(frozen=True)
class InsertPip:
    text: str
    comment: str = ""


@dataclass(frozen=True)
class InsertChannel:
    text: str
    comment: str = ""


Op = RemoveItem | ReplaceValue | InsertConda | InsertPip | InsertChannel


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with ``text``; ``seq`` orders insertions at the same offset."""

    start: int
    end: int
    text: str
    seq: int = 0


def splice(text: str, edits: Iterable[Edit]) -> str:
    edits = sorted(edits, key=lambda e: (e.start, e.end, e.seq))
    out: list[str] = []
    pos = 0
    for e in edits:
        if e.start < pos:
            raise FixError(f"overlapping edits at offset {e.start}")
        out.append(text[pos:e.start])
        out.append(e.text)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)
