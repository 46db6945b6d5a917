"""The located nodes of a document: a dependency, channel or pip line (:class:`Item`) with its spans,
indentation, inline comment and selector, and a located sequence of them (:class:`Seq`). The YAML reader
(``envfile``) makes them; the edits (``edits``) name them; the pixi view (``pixi``) makes items of the
same shape."""

from __future__ import annotations

import re

from envslim._record import dataclass

__all__ = ["Item", "Seq", "selector_of"]

# conda-lock's selector form: a trailing comment holding ``[expr]``.
_SELECTOR_RE = re.compile(r"#.*\[([^\[\]]+)\]")


def selector_of(comment: str) -> str | None:
    """The selector of a line's comment (``# [linux]`` -> ``linux``), or None."""
    m = _SELECTOR_RE.search(comment)
    return m.group(1).strip() if m else None


@dataclass
class Item:
    """One entry of a block sequence, located in the text (offsets into the text without BOM)."""

    value: object  # str for a scalar; the loaded mapping for a mapping item
    line: int  # 0-based line of the value
    col: int  # 0-based column of the value
    dash_col: int
    line_start: int
    line_end: int  # just past the line's end of line (or the end of the text)
    value_start: int
    value_end: int
    comment: str  # from the end of the value to the end of the line: spacing + ``# ...``, or ""
    eol: str  # "\n", "\r\n" or "" on a last line without one
    quote: str = ""  # the quote character around a quoted scalar
    editable: bool = True
    why_not: str = ""

    @property
    def text(self) -> str:
        return self.value if isinstance(self.value, str) else ""

    @property
    def selector(self) -> str | None:
        return selector_of(self.comment)

    @property
    def gap(self) -> str:
        """The spacing between the dash and the value."""
        return " " * (self.col - self.dash_col - 1)


@dataclass
class Seq:
    """A located block (or flow) sequence."""

    items: list[Item]
    flow: bool
    line: int
    col: int
