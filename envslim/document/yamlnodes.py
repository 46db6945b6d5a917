"""The YAML layer of the document: nodes composed from libyaml's events, each with its position in the text,
and the checks that keep a hostile file (alias bombs, deep nesting) cheap. The events come from
:mod:`envslim.document.yamlsubset` when the file is in the plain subset it reads (no PyYAML import on the
hook path), else from libyaml through PyYAML.

Nothing is ever re-serialised: :mod:`envslim.document.envfile` turns these nodes into located items.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from envslim.document.yamlsubset import parse_subset
from envslim.errors import InputError


_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
MAX_NODES = 100_000  # an env file has a few hundred; more means an alias bomb


def line_starts(text: str) -> list[int]:
    """Offsets where lines start, breaking lines where the YAML reader does (CRLF, CR, LF, NEL, LS, PS)."""
    starts = [0] + [m.end() for m in _BREAK_RE.finditer(text)]
    if starts[-1] == len(text) and len(starts) > 1:
        starts.pop()
    return starts


class Node:
    """A YAML node with its place in the text: ``kind`` "map" (value: [(key, value)]), "seq" (value:
    [node]) or "scalar" (value: str, None for a plain null). ``start``/``end`` are offsets; ``line``/``col``
    are 0-based; ``quote`` is the scalar's style ("'", '"', "|", ">" or "" for plain)."""

    __slots__ = ("kind", "value", "start", "end", "line", "col", "flow", "quote", "anchor")

    def __init__(self, kind, value, mark, flow=False, quote=""):
        self.kind, self.value, self.flow, self.quote = kind, value, flow, quote
        self.anchor = ""  # the node's ``&name``: its aliases are this same node, placed elsewhere
        self.start, self.line, self.col = mark.index, mark.line, mark.column
        self.end = mark.index

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and self.value is None


_NULLS = ("", "~", "null", "Null", "NULL")


def load(text: str, path: str) -> "Node | None":
    """Compose the document from the parser's events, keeping every node's span. The events of a file in the
    plain subset environment files are written in come from :func:`parse_subset` (the same events and marks
    as libyaml's, without importing PyYAML); any other file is read by libyaml's parser (through PyYAML) when
    it is there, PyYAML's own otherwise: both give the same events and marks, and decide every error."""
    events = parse_subset(text)
    if events is not None:
        return _compose(events, path)
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return _compose(yaml.parse(text, Loader=loader), path)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = " ".join(str(x) for x in (e.problem, f"({e.context})" if e.context else None) if x) or "invalid YAML"
        line, col = (mark.line, mark.column) if mark else (0, 0)
        raise InputError(path, line + 1, col + 1, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as e:  # the reader: characters YAML does not allow
        pos = getattr(e, "position", 0) or 0
        line = len(line_starts(text[:pos])) - 1 if pos else 0
        col = pos - line_starts(text[:pos])[-1] if pos else 0
        char = getattr(e, "character", None)
        what = f"character U+{char:04X}" if isinstance(char, int) else "a character"
        raise InputError(path, line + 1, col + 1, f"invalid YAML: {what} is not allowed") from None
    except RecursionError:
        raise InputError(path, 1, 1, "invalid YAML: nested too deeply") from None


def _compose(events: Iterable, path: str) -> "Node | None":
    """The document's root node from its events (PyYAML's or :func:`parse_subset`'s: the same attributes,
    dispatched on the class name); a duplicate key, an unknown alias or a second document is an error."""
    root = None
    stack: list[tuple[Node, list]] = []  # open collections, each with [pending key, seen keys] for maps
    anchors: dict[str, Node] = {}
    documents = 0

    def add(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent, state = stack[-1]
        if parent.kind == "seq":
            parent.value.append(node)
        elif state[0] is None:
            state[0] = node
        else:
            key = state[0]
            state[0] = None
            if key.kind == "scalar":
                first = state[1].get(key.value)
                if first is not None:
                    raise InputError(path, key.line + 1, key.col + 1,
                                     f"invalid YAML: duplicate key {key.value!r} (first at line {first.line + 1})")
                state[1][key.value] = key
            parent.value.append((key, node))

    for ev in events:
        kind = type(ev).__name__
        if kind == "ScalarEvent":
            value = ev.value
            if not ev.style and ev.implicit[0] and value in _NULLS:  # libyaml says '' for plain, PyYAML None
                value = None
            node = Node("scalar", value, ev.start_mark, quote=ev.style or "")
            node.end = ev.end_mark.index
        elif kind in ("MappingStartEvent", "SequenceStartEvent"):
            node = Node("map" if kind[0] == "M" else "seq", [], ev.start_mark, flow=bool(ev.flow_style))
        elif kind in ("MappingEndEvent", "SequenceEndEvent"):
            stack.pop()[0].end = ev.end_mark.index
            continue
        elif kind == "AliasEvent":
            if ev.anchor not in anchors:
                m = ev.start_mark
                raise InputError(path, m.line + 1, m.column + 1, f"invalid YAML: unknown alias {ev.anchor!r}")
            add(anchors[ev.anchor])
            continue
        elif kind == "DocumentStartEvent":
            documents += 1
            if documents > 1:
                m = ev.start_mark
                raise InputError(path, m.line + 1, m.column + 1, "invalid YAML: more than one document")
            continue
        else:
            continue
        if ev.anchor:
            anchors[ev.anchor] = node
            node.anchor = ev.anchor
        add(node)
        if node.kind != "scalar":
            stack.append((node, [None, {}]))
    return root


def count_nodes(doc: Node, error: Callable[[int, int, str], InputError]) -> None:
    """Refuse documents whose aliases expand to more nodes than an env file can have."""
    sizes: dict[int, int] = {}

    def size(node: Node, depth: int) -> int:
        if depth > 100:
            raise error(node.line, node.col, "invalid YAML: nested too deeply")
        if node.kind == "scalar":
            return 1
        if id(node) in sizes:
            return sizes[id(node)]
        sizes[id(node)] = 1
        children = [v for kv in node.value for v in kv] if node.kind == "map" else node.value
        total = 1 + sum(size(c, depth + 1) for c in children)
        sizes[id(node)] = total
        if total > MAX_NODES:
            raise error(node.line, node.col, f"the document expands to more than {MAX_NODES} nodes (alias bomb?)")
        return total

    size(doc, 0)
