"""The edit operations on a pixi manifest, their splice edits, and the re-read check.

Takes a located manifest (:class:`envslim.document.pixi.PixiManifest`) and operations on its
dependencies (:class:`RemoveDep`, :class:`Rename`, :class:`SetValue`, :class:`AddDep`) and gives the
edits (spans of the original text) that make them, placed and spelt as the table's own entries are.
:func:`verify` reads the spliced text again with tomllib: the edit is kept only if the document now
reads as intended and nothing else in it changed (Renovate's replace-then-verify), and it still locates.
It imports nothing from envslim but the rest of the document layer, the record decorator and the errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from envslim._record import dataclass
from envslim.document.edits import Edit, FixError
from envslim.document.envfile import normalize
from envslim.document.pixi_scan import _WS, Dep, Scope, _copy, _decode_string, _get
from envslim.document.toml import reader as _tomllib, toml_error
from envslim.errors import InputError

if TYPE_CHECKING:
    from envslim.document.pixi import PixiManifest

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_AFTER = 1 << 20  # the order of a new table among insertions at one offset: after the lines


# -- operations -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RemoveDep:
    dep: Dep


@dataclass(frozen=True)
class Rename:
    """Swap the package name in place; the value (version, channel, …) stays."""

    dep: Dep
    name: str


@dataclass(frozen=True)
class SetValue:
    dep: Dep
    text: str  # the new value as TOML text
    comment: str = ""


@dataclass(frozen=True)
class AddDep:
    """Add ``name = "value"`` to the ``table`` of ``scope`` (created after its sibling table if absent)."""

    scope: Scope
    table: str
    name: str
    value: str
    comment: str = ""


Op = RemoveDep | Rename | SetValue | AddDep

# -- the edits of the operations ----------------------------------------------------------------
def edits(doc: "PixiManifest", ops: Iterable[Op]) -> list[Edit]:
    """The splice edits that make ``ops`` in ``doc`` (FixError for an entry envslim does not edit)."""
    ops = list(ops)
    removed = {op.dep.span for op in ops if isinstance(op, RemoveDep)}
    edits: list[Edit] = []
    adds: dict[tuple[Scope, str], list[AddDep]] = {}
    for op in ops:
        if isinstance(op, RemoveDep):
            _check(op.dep)
            edits.append(Edit(op.dep.pair.line_start, op.dep.pair.line_end, ""))
        elif isinstance(op, Rename):
            _check(op.dep)
            edits.append(Edit(op.dep.pair.key.start, op.dep.pair.key.end, _key(op.name)))
        elif isinstance(op, SetValue):
            _check(op.dep)
            edits.append(Edit(op.dep.pair.value_start, op.dep.pair.value_end, op.text))
            if op.comment:
                end = op.dep.pair.line_end - len(op.dep.pair.eol)
                edits.append(Edit(end, end, op.comment))
        elif isinstance(op, AddDep):
            adds.setdefault((op.scope, op.table), []).append(op)
        else:
            raise TypeError(op)
    for (scope, table), new in adds.items():
        edits += _add(doc, scope, table, new, removed)
    return edits


def _check(dep: Dep) -> None:
    if not dep.editable:
        raise FixError(f"line {dep.line + 1}: {dep.why_not}")


def _add(doc: "PixiManifest", scope: Scope, table: str, new: list[AddDep], removed: set[tuple[int, int]]) -> list[Edit]:
    siblings = [d for d in doc.deps_in(scope, table) if d.editable]
    live = [d for d in siblings if d.span not in removed]
    existing = {normalize(d.name) for d in doc.deps_in(scope, table)}
    for op in new:
        if normalize(op.name) in existing:
            raise FixError(f"'{op.name}' is already in [{'.'.join(doc.table_path(scope, table))}]")
    header = doc.header_of(scope, table)
    if doc.deps_in(scope, table) and header is None:
        raise FixError(f"[{'.'.join(doc.table_path(scope, table))}] is written as dotted keys or an inline table")
    other = "dependencies" if table != "dependencies" else "pypi-dependencies"
    models = live or siblings or [d for d in doc.deps_in(scope, other) if d.editable]
    quote = next((d.quote for d in siblings + doc.deps_in(scope, other) if d.quote), '"')
    sep = _common_sep(doc, models)
    out: list[Edit] = []
    if header is not None:
        anchor_end = (live[-1].pair.line_end if live else header.line_end)
        keys = [d.name.lower() for d in live]
        is_sorted = len(keys) > 1 and keys == sorted(keys)
        ordered = sorted(new, key=lambda op: op.name.lower()) if is_sorted else new
        eol = (live[-1].pair.eol if live else header.eol) or doc.eol
        for seq, op in enumerate(ordered):
            line = _key(op.name) + sep + _string(op.value, quote) + op.comment
            target = next((d for d in live if d.name.lower() > op.name.lower()), None) if is_sorted else None
            if target is not None:
                at = doc.above_comments(target.pair.line)
                out.append(Edit(at, at, line + (target.pair.eol or doc.eol), seq))
            elif doc.text[anchor_end - 1:anchor_end] == "\n" or anchor_end == 0:
                out.append(Edit(anchor_end, anchor_end, line + eol, seq))
            else:
                out.append(Edit(anchor_end, anchor_end, doc.eol + line, seq))
        return out
    # no such table: create it after the scope's conda table (or, for a conda pin, its PyPI table)
    base = doc.header_of(scope, other)
    if base is None:
        raise FixError(f"no [{'.'.join(doc.table_path(scope, other))}] table to place "
                       f"[{'.'.join(doc.table_path(scope, table))}] beside")
    base_deps = [d for d in doc.deps_in(scope, other) if d.pair.header is not None and d.pair.header.line_start == base.line_start]
    live_base = [d for d in base_deps if d.span not in removed]
    anchor = live_base[-1].pair if live_base else None
    anchor_end = anchor.line_end if anchor else base.line_end
    eol = (anchor.eol if anchor else base.eol) or doc.eol
    raw = doc.text[base.key.start:base.key.end]
    last = raw.rfind(".")
    head = raw[: last + 1] if last >= 0 else ""
    if last >= 0 and _raw_last_part(raw) != _key(other):
        raise FixError(f"line {base.line + 1}: the table header is written in a form envslim does not extend")
    lines = [f"[{head}{_key(table)}]"]
    for op in sorted(new, key=lambda op: op.name.lower()):
        lines.append(_key(op.name) + sep + _string(op.value, quote) + op.comment)
    block = eol + eol.join(lines)
    # (after any line added to the table it follows, at the same offset)
    if doc.text[anchor_end - 1:anchor_end] == "\n":
        return [Edit(anchor_end, anchor_end, block + eol, _AFTER)]
    return [Edit(anchor_end, anchor_end, eol + block, _AFTER)]


def verify(doc: "PixiManifest", new_text: str, ops: list[Op]) -> None:
    """Renovate's rule: read the new text with tomllib; it must equal the old reading with exactly
    the changes the ops ask for, and locate again."""
    tomllib = _tomllib()
    try:
        got = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as e:
        raise FixError(f"the edit would not read as TOML ({toml_error(doc.path, new_text, e).message})") from None
    want = _copy(doc.data)
    for op in ops:
        if isinstance(op, RemoveDep):
            del _get(want, op.dep.path)[op.dep.name]
        elif isinstance(op, Rename):
            table = _get(want, op.dep.path)
            table[op.name] = table.pop(op.dep.name)
        elif isinstance(op, SetValue):
            _get(want, op.dep.path)[op.dep.name] = _decode_string(op.text)
        elif isinstance(op, AddDep):
            table = want
            for part in doc.table_path(op.scope, op.table):
                table = table.setdefault(part, {})
            table[op.name] = op.value
    if got != want:
        raise FixError("the edit does not read back as intended; nothing changed")
    try:
        type(doc).from_text(new_text, doc.path, root=doc.root)
    except InputError as e:
        raise FixError(f"the edited manifest would not read ({e.message})") from None



# -- spelling --------------------------------------------------------------------------------------
def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _raw_last_part(raw: str) -> str:
    last = raw.rfind(".")
    return raw[last + 1:].strip(_WS)


def _string(value: str, quote: str) -> str:
    if any(ord(c) < 0x20 or c == "\x7f" for c in value):
        raise FixError(f"'{value!r}' holds control characters")
    if quote == "'" and "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _common_sep(doc: "PixiManifest", deps: list[Dep]) -> str:
    """The spacing around ``=`` that the table's entries share (`` = `` when they differ)."""
    seps = {doc.text[d.pair.key.end:d.pair.value_start] for d in deps}
    return seps.pop() if len(seps) == 1 else " = "

