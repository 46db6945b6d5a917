"""libyaml's events for the plain subset of YAML that environment files are written in, read without PyYAML.

Why by hand: ``envslim rewrite --check`` runs as a pre-commit hook, once per commit, and ``import yaml``
alone costs about 10 ms of CPU there, a quarter of the whole run of pre-commit's own ``check-yaml`` (about
38 ms), which the hook is measured against (``bench/bench_hook.py``). Almost every real environment file
is a block mapping of plain keys, block sequences of one-line scalars and comments, so :func:`parse_subset`
reads exactly that and gives the events libyaml (the parser :func:`envslim.document.yamlnodes.load` uses
through PyYAML) gives for it: the same types, values, styles, implicit flags and marks (index, line,
column), the end marks of collections included.

It is a filter, not a YAML parser: on anything outside the subset, or anything it is not sure about, it
returns None and PyYAML/libyaml read the file and decide everything, errors and their messages included.
The subset: one document whose top is a block mapping, opened by nothing or by a ``---`` alone on its line
(a comment may follow it); block mappings with plain one-line keys; block sequences (indentless ones under
a key too) whose items are scalars or block mappings; one-line plain, single-quoted and double-quoted (no
escapes) scalars; empty values; comments; blank lines; line breaks all LF or all CRLF (marks count
characters, libyaml's line and column count a CRLF as one break). Declined: any character outside printable
ASCII, LF and the CR of a CRLF (tabs, a lone CR, BOM, control characters), LF and CRLF mixed, lines longer
than :data:`MAX_LINE`, ``--- value`` on one line, a ``---`` after content, ``...``, directives, anchors,
aliases, tags, block scalars, flow collections, ``?`` keys, quoted keys, multi-line scalars, a scalar on the
line after its key, any node on the line after its ``-``, ``- - x``.
``tests/document/test_yamlsubset.py`` proves the events equal libyaml's on every file it accepts.
"""

from __future__ import annotations

import re

MAX_LINE = 1000  # libyaml drops a simple key whose ':' is more than 1024 characters after its start
MAX_DEPTH = 50
_OUTSIDE = re.compile(r"[^\r\n -~]")  # anything but CR, LF and printable ASCII (a CR must start a CRLF)
_NOT_PLAIN_START = frozenset(",[]{}#&*!|>'\"%@`")
_PLAIN_IF_FOLLOWED = frozenset("-?:")  # these start a plain scalar only when a non-space follows
# The rest of a one-line plain scalar in block context: runs of anything but ' ' and ':'; a ':' followed by a
# non-space; spaces followed by more of it (not by a '#', which starts a comment, the line's end, or a ':'
# that ends a key).
_PLAIN = re.compile(r"(?:[^ :]+|:(?=[^ ])| +(?=[^ #:]|:[^ ]))*")


class Mark:
    __slots__ = ("index", "line", "column")

    def __init__(self, index: int, line: int, column: int):
        self.index, self.line, self.column = index, line, column

    def __repr__(self) -> str:
        return f"Mark({self.index}, {self.line}, {self.column})"


class Event:
    """An event with PyYAML's attribute names; the class name is what consumers dispatch on."""

    __slots__ = ("start_mark", "end_mark")

    def __init__(self, start_mark: Mark, end_mark: Mark):
        self.start_mark, self.end_mark = start_mark, end_mark

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.start_mark!r}, {self.end_mark!r})"


class StreamStartEvent(Event):
    __slots__ = ()
    encoding = None


class StreamEndEvent(Event):
    __slots__ = ()


class DocumentStartEvent(Event):
    __slots__ = ("explicit",)
    version = None
    tags = None

    def __init__(self, start_mark: Mark, end_mark: Mark, explicit: bool = False):
        super().__init__(start_mark, end_mark)
        self.explicit = explicit


class DocumentEndEvent(Event):
    __slots__ = ()
    explicit = False


class _Collection(Event):
    __slots__ = ()
    anchor = None
    tag = None
    implicit = True
    flow_style = False


class MappingStartEvent(_Collection):
    __slots__ = ()


class SequenceStartEvent(_Collection):
    __slots__ = ()


class MappingEndEvent(Event):
    __slots__ = ()


class SequenceEndEvent(Event):
    __slots__ = ()


class ScalarEvent(Event):
    __slots__ = ("value", "style", "implicit")
    anchor = None
    tag = None

    def __init__(self, value: str, style: str, start_mark: Mark, end_mark: Mark):
        super().__init__(start_mark, end_mark)
        self.value, self.style = value, style
        self.implicit = (True, False) if style == "" else (False, True)

    def __repr__(self) -> str:
        return f"ScalarEvent({self.value!r}, {self.style!r}, {self.start_mark!r}, {self.end_mark!r})"


class _Decline(Exception):
    """Outside the subset: PyYAML decides."""


def _plain(line: str, p: int) -> tuple[int, int]:
    """The end of the plain scalar starting at ``line[p]`` (after its last non-space character) and the index
    of the ``:`` that ended it, making it a key (-1 when the line's end or a comment ended it)."""
    end = _PLAIN.match(line, p).end()
    rest = line[end:].lstrip(" ")
    return end, (len(line) - len(rest) if rest[:1] == ":" else -1)


def _next(line: str, i: int) -> int:
    """Where the node after an indicator ending at ``line[i]`` starts, -1 if only spaces or a comment follow."""
    rest = line[i:].lstrip(" ")
    return -1 if not rest or rest[0] == "#" else len(line) - len(rest)


def _quoted_end(line: str, p: int) -> tuple[str, int]:
    """The value of the one-line quoted scalar opening at ``line[p]`` and the index after its closing quote."""
    q = line[p]
    if q == "'":
        j = p + 1
        while True:
            k = line.find("'", j)
            if k < 0:
                raise _Decline
            if line.startswith("''", k):
                j = k + 2
                continue
            return line[p + 1:k].replace("''", "'"), k + 1
    k = line.find('"', p + 1)
    if k < 0 or "\\" in line[p + 1:k]:
        raise _Decline
    return line[p + 1:k], k + 1


def _plain_start(line: str, p: int) -> bool:
    c = line[p]
    if c in _PLAIN_IF_FOLLOWED:
        return p + 1 < len(line) and line[p + 1] != " "
    return c not in _NOT_PLAIN_START


def parse_subset(text: str) -> "list[Event] | None":
    """libyaml's events for ``text`` (what ``yaml.parse(text, Loader=CSafeLoader)`` yields), or None when
    ``text`` is outside the subset this module reads."""
    if _OUTSIDE.search(text):
        return None
    eol = "\n"
    if "\r" in text:
        crlf = text.count("\r\n")
        if text.count("\r") != crlf or text.count("\n") != crlf:
            return None  # a lone CR, or LF and CRLF mixed
        eol = "\r\n"
    try:
        return _parse(text, eol)
    except _Decline:
        return None


def _is_document_start(line: str) -> bool:
    """``---`` alone on its line, but for spaces and a comment after them."""
    rest = line[3:].lstrip(" ")
    return line.startswith("---") and (not rest or rest[0] == "#" and len(rest) < len(line) - 3)


def _parse(text: str, eol: str) -> list[Event]:
    """The events of ``text``, whose line breaks are all ``eol`` ("\\n" or "\\r\\n")."""
    zero = Mark(0, 0, 0)
    events: list[Event] = [StreamStartEvent(zero, zero)]
    add = events.append
    # Open block collections, innermost last: [is_map, column, indentless]. An indentless sequence (its
    # '-' at its key's column) has its mapping's column, as libyaml pushes no indent for it.
    stack: list[list] = []
    # A key or '-' whose node is not on its line: (is_map, column of its collection, mark after ':' or '-').
    pending: tuple | None = None
    document: "DocumentStartEvent | None" = None  # an explicit start ('---'), before the content
    offset = 0
    step = len(eol)
    for ln, line in enumerate(text.split(eol)):
        start, offset = offset, offset + len(line) + step
        body = line.lstrip(" ")
        if not body or body[0] == "#":
            continue
        if len(line) > MAX_LINE:
            raise _Decline
        col = len(line) - len(body)
        here = Mark(start + col, ln, col)
        dash = body[0] == "-" and (len(body) == 1 or body[1] == " ")
        if col == 0 and body.startswith(("---", "...")):
            if stack or document is not None or not _is_document_start(line):
                raise _Decline  # a document marker after content, '--- value', '...' (or a scalar starting so)
            document = DocumentStartEvent(here, Mark(start + 3, ln, 3), explicit=True)
            continue
        if not stack:  # the first line of content: the top mapping's first key
            if dash:
                raise _Decline  # a top-level sequence
            add(document or DocumentStartEvent(here, here))
            add(MappingStartEvent(here, here))
            stack.append([True, col, False])
            pending = _pair(line, col, ln, start, add)
            continue
        if pending is not None:
            is_map, owner, mark = pending
            pending = None
            if col > owner:
                if not is_map:
                    raise _Decline  # the item's node on the next line
                if len(stack) >= MAX_DEPTH:
                    raise _Decline
                if dash:
                    add(SequenceStartEvent(here, here))
                    stack.append([False, col, False])
                    pending = _item(line, col, ln, start, add, stack)
                    continue
                add(MappingStartEvent(here, here))
                stack.append([True, col, False])
                pending = _pair(line, col, ln, start, add)
                continue
            if is_map and col == owner and dash:
                add(SequenceStartEvent(here, Mark(here.index + 1, ln, col + 1)))
                stack.append([False, col, True])
                pending = _item(line, col, ln, start, add, stack)
                continue
            add(ScalarEvent("", "", mark, mark))
        while stack and stack[-1][1] > col:
            add((MappingEndEvent if stack.pop()[0] else SequenceEndEvent)(here, here))
        if not stack or stack[-1][1] != col:
            raise _Decline  # more indented than its place, or content after the top mapping
        top = stack[-1]
        if not top[0]:
            if dash:
                pending = _item(line, col, ln, start, add, stack)
                continue
            if not top[2]:
                raise _Decline
            stack.pop()
            add(SequenceEndEvent(here, here))
        elif dash:
            raise _Decline
        pending = _pair(line, col, ln, start, add)
    if not stack:
        raise _Decline  # no content: an empty document
    if pending is not None:
        add(ScalarEvent("", "", pending[2], pending[2]))
    # At the end libyaml closes the collections indented deeper than the end of the last line (spaces or a
    # comment without its LF) there, then the rest on the line after it.
    lines = text.count("\n")
    last = len(text) - text.rfind("\n") - 1  # the last line's length (no CR on it: a CR ends a CRLF)
    tail = Mark(len(text), lines, last)
    while stack and stack[-1][1] > last:
        add((MappingEndEvent if stack.pop()[0] else SequenceEndEvent)(tail, tail))
    end = Mark(len(text), lines + 1, 0) if last else tail
    while stack:
        add((MappingEndEvent if stack.pop()[0] else SequenceEndEvent)(end, end))
    add(DocumentEndEvent(end, end))
    add(StreamEndEvent(end, end))
    return events


def _pair(line: str, p: int, ln: int, start: int, add) -> "tuple | None":
    """The plain key at ``line[p]`` and the value on its line: their scalar events, or the key's and the
    pending empty value (the node may be on the lines below)."""
    if not _plain_start(line, p):
        raise _Decline
    end, colon = _plain(line, p)
    if colon < 0:
        raise _Decline
    return _value(line, p, end, colon, ln, start, add)


def _value(line: str, p: int, end: int, colon: int, ln: int, start: int, add) -> "tuple | None":
    """The key ``line[p:end]`` ended by the ':' at ``colon``, and its value, as _pair."""
    add(ScalarEvent(line[p:end], "", Mark(start + p, ln, p), Mark(start + end, ln, end)))
    q = _next(line, colon + 1)
    if q < 0:
        return True, p, Mark(start + colon + 1, ln, colon + 1)
    _scalar(line, q, ln, start, add)
    return None


def _item(line: str, p: int, ln: int, start: int, add, stack) -> "tuple | None":
    """The sequence entry whose '-' is ``line[p]``: a scalar, a mapping, or a pending empty item."""
    q = _next(line, p + 1)
    if q < 0:
        return False, p, Mark(start + p + 1, ln, p + 1)
    c = line[q]
    if c == "'" or c == '"' or not _plain_start(line, q):
        _scalar(line, q, ln, start, add)  # a quoted scalar; anything else ('- - x', '- [x]') declines
        return None
    end, colon = _plain(line, q)
    if colon < 0:
        add(ScalarEvent(line[q:end], "", Mark(start + q, ln, q), Mark(start + end, ln, end)))
        return None
    if len(stack) >= MAX_DEPTH:
        raise _Decline
    here = Mark(start + q, ln, q)
    add(MappingStartEvent(here, here))
    stack.append([True, q, False])
    return _value(line, q, end, colon, ln, start, add)


def _scalar(line: str, q: int, ln: int, start: int, add) -> None:
    """The one-line scalar at ``line[q]``, which must end the line (but for spaces and a comment)."""
    c = line[q]
    n = len(line)
    if c == "'" or c == '"':
        value, end = _quoted_end(line, q)
        j = end
        while j < n and line[j] == " ":
            j += 1
        if j < n and (line[j] != "#" or j == end):
            raise _Decline  # something after the closing quote, or a comment touching it
        add(ScalarEvent(value, c, Mark(start + q, ln, q), Mark(start + end, ln, end)))
        return
    if not _plain_start(line, q):
        raise _Decline  # an indicator: '- ', '[', '&', '|', ...
    end, colon = _plain(line, q)
    if colon >= 0:
        raise _Decline  # 'a: b: c'
    add(ScalarEvent(line[q:end], "", Mark(start + q, ln, q), Mark(start + end, ln, end)))
