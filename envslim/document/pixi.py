"""Locate the dependencies of a pixi manifest in its text, and splice edits into that text.

A pixi manifest is ``pixi.toml``, or ``pyproject.toml`` with its pixi tables under ``[tool.pixi]``.
Conda packages sit in ``[dependencies]``, PyPI packages in ``[pypi-dependencies]``, each also under
``[target.<platform>.…]``, ``[feature.<name>.…]`` and ``[feature.<name>.target.<platform>.…]``.

tomllib reads the document but gives no positions, so a small scanner walks the text (tomllib having
accepted it first) and records where every key, value, line, inline comment and table header is. The
scanner's reading is checked against tomllib's (:meth:`PixiManifest.check`). Edits are spans of the
original text; after splicing, the new text is read again with tomllib and the edit is kept only if the
document now reads as intended, and nothing else in it changed (Renovate's replace-then-verify).

This module imports nothing from envslim but the rest of the document layer (edits, the text helpers, the
TOML reader), the record decorator and the error types.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from envslim._record import dataclass, field
from envslim.document.edits import Edit, FixError, InsertChannel, InsertConda, InsertPip, RemoveItem, ReplaceValue, splice
from envslim.document.envfile import BOM, TextDocument, normalize
from envslim.document.toml import load_toml, reader as _tomllib, toml_error
from envslim.errors import InputError

CONDA = "conda"
PYPI = "pypi"
# The tables of a scope that hold packages, and what they hold.
DEP_TABLES = {"dependencies": CONDA, "host-dependencies": CONDA, "build-dependencies": CONDA,
              "pypi-dependencies": PYPI}
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_WS = " \t"
_AFTER = 1 << 20  # the order of a new table among insertions at one offset: after the lines


# -- located nodes --------------------------------------------------------------------------------
@dataclass
class Key:
    """A dotted key as written: each part decoded, with the span of the whole key."""

    parts: tuple[str, ...]
    start: int
    end: int


@dataclass
class Header:
    """A ``[table]`` or ``[[array]]`` header line."""

    key: Key
    array: bool
    line: int  # 0-based
    line_start: int
    line_end: int  # past the end of line
    comment: str
    eol: str

    @property
    def path(self) -> tuple[str, ...]:
        return self.key.parts


@dataclass
class Pair:
    """A ``key = value`` (at the top of a table, or inside an inline table or array)."""

    key: Key
    path: tuple[str, ...]  # the full path of the table holding the last key part
    value_start: int
    value_end: int
    line: int  # 0-based line of the key
    col: int
    line_start: int
    line_end: int  # past the end of line (of the value's last line)
    comment: str  # from the end of the value to the end of its line: spacing + ``# …``, or ""
    eol: str
    own_line: bool  # the pair is the only thing on its line(s)
    header: Header | None  # the table header it sits under (None: before the first header)
    inline: bool = False  # a member of an inline table


@dataclass(frozen=True)
class Scope:
    """Where a dependency applies: a feature (None: the default feature) and a target platform or
    selector (None: every platform)."""

    feature: str | None = None
    target: str | None = None

    def __str__(self) -> str:
        parts = ([f"feature.{self.feature}"] if self.feature else []) + ([f"target.{self.target}"] if self.target else [])
        return ".".join(parts) or "default"


@dataclass
class Dep:
    """One dependency, located: ``name = value`` in a dependency table of a scope."""

    name: str
    kind: str  # CONDA or PYPI
    table: str  # "dependencies", "pypi-dependencies", "host-dependencies", "build-dependencies"
    scope: Scope
    value: object  # as tomllib reads it: a str or a dict
    pair: Pair
    text: str  # the value as written ("" for a dependency spread over keys of its own)
    editable: bool = True
    why_not: str = ""
    table_path: tuple[str, ...] = ()  # the full key path of its table (``tool.pixi.…`` in a pyproject.toml)

    @property
    def line(self) -> int:
        return self.pair.line

    @property
    def comment(self) -> str:
        return self.pair.comment

    @property
    def quote(self) -> str:
        return self.text[:1] if self.text[:1] in "\"'" else ""

    @property
    def path(self) -> tuple[str, ...]:
        return self.table_path

    def conda_spec(self) -> str | None:
        """The conda MatchSpec this dependency means (None for a source dependency: path, git, url).
        pixi reads a bare version (``"3.1.2"``) as
        ``==3.1.2`` (pixi warns it is ambiguous and assumes ``==``: prefix-dev/pixi#2964, 2025-01-21)."""
        value = self.value
        fields: dict[str, str] = {}
        if isinstance(value, str):
            version = value.strip()
        elif isinstance(value, dict):
            if {"path", "git", "url"} & set(value):
                return None
            version = str(value.get("version", "*")).strip()
            for k, v in value.items():
                if k != "version":
                    fields[k.replace("-", "_")] = str(v)
        else:
            version = "*"
        if version and version[0].isdigit() and not re.search(r"[*,|<>=!~ ]", version):
            version = "==" + version
        if not fields:
            return self.name if version in ("", "*") else f"{self.name} {version}"
        items = ([f'version="{version}"'] if version not in ("", "*") else []) + [f'{k}="{v}"' for k, v in fields.items()]
        return f"{self.name}[{','.join(items)}]"


@dataclass
class Channel:
    value: object  # a str, or a dict ({ channel = …, priority = … })
    start: int
    end: int
    line: int
    path: tuple[str, ...]  # the key path of the ``channels`` array

    @property
    def name(self) -> str:
        if isinstance(self.value, dict):
            return str(self.value.get("channel", ""))
        return str(self.value)


# -- the scanner ----------------------------------------------------------------------------------
class _Scanner:
    """Walks a TOML text that tomllib has accepted, recording headers and pairs with their spans."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.pos = 0
        self.headers: list[Header] = []
        self.pairs: list[Pair] = []  # top-level pairs of tables (own-line or not), and inline-table members
        self.arrays: dict[tuple[str, ...], list[tuple[int, int]]] = {}  # array path -> item spans
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset) - 1

    def fail(self, message: str) -> InputError:
        line = self.line_of(self.pos)
        return InputError(self.path, line + 1, self.pos - self.line_starts[line] + 1, f"invalid TOML: {message}")

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos:self.pos + n]

    def skip_ws(self) -> None:
        t, p = self.text, self.pos
        while p < len(t) and t[p] in _WS:
            p += 1
        self.pos = p

    def skip_ws_nl_comments(self) -> None:
        t = self.text
        while self.pos < len(t):
            c = t[self.pos]
            if c in " \t\r\n":
                self.pos += 1
            elif c == "#":
                nl = t.find("\n", self.pos)
                self.pos = len(t) if nl < 0 else nl
            else:
                break

    def rest_of_line(self) -> tuple[str, str, int]:
        """From pos: (trailing spacing + comment, end of line, offset past it)."""
        t = self.text
        nl = t.find("\n", self.pos)
        end = len(t) if nl < 0 else nl + 1
        content_end = end - (1 if nl >= 0 else 0)
        eol = "\n" if nl >= 0 else ""
        if eol and content_end > 0 and t[content_end - 1] == "\r":
            content_end -= 1
            eol = "\r\n"
        rest = t[self.pos:content_end]
        if rest.strip() and not rest.lstrip(_WS).startswith("#"):
            raise self.fail("unexpected text after a value")
        return rest, eol, end

    def run(self) -> None:
        t = self.text
        table: tuple[str, ...] = ()
        header: Header | None = None
        while True:
            self.skip_ws_nl_comments()
            if self.pos >= len(t):
                return
            line = self.line_of(self.pos)
            line_start = self.line_starts[line]
            if t[self.pos] == "[":
                array = t.startswith("[[", self.pos)
                self.pos += 2 if array else 1
                self.skip_ws()
                key = self.key()
                self.skip_ws()
                close = "]]" if array else "]"
                if not t.startswith(close, self.pos):
                    raise self.fail(f"expected '{close}'")
                self.pos += len(close)
                comment, eol, end = self.rest_of_line()
                header = Header(key, array, line, line_start, end, comment, eol)
                self.headers.append(header)
                table = key.parts
                self.pos = end
                continue
            own = not t[line_start:self.pos].strip(_WS)
            pair = self.pair(table, header, line, line_start)
            comment, eol, end = self.rest_of_line()
            pair.comment, pair.eol, pair.line_end = comment, eol, end
            pair.own_line = own
            self.pos = end

    def pair(self, table: tuple[str, ...], header: Header | None, line: int, line_start: int) -> Pair:
        key_col = self.pos - line_start
        key = self.key()
        self.skip_ws()
        if self.peek() != "=":
            raise self.fail("expected '='")
        self.pos += 1
        self.skip_ws()
        path = table + key.parts[:-1]
        full = table + key.parts
        start = self.pos
        self.value(full)
        pair = Pair(key=key, path=path, value_start=start, value_end=self.pos, line=line, col=key_col,
                    line_start=line_start, line_end=self.pos, comment="", eol="", own_line=False, header=header)
        self.pairs.append(pair)
        return pair

    def key(self) -> Key:
        start = self.pos
        parts = [self.simple_key()]
        while True:
            save = self.pos
            self.skip_ws()
            if self.peek() != ".":
                self.pos = save
                break
            self.pos += 1
            self.skip_ws()
            parts.append(self.simple_key())
        return Key(tuple(parts), start, self.pos)

    def simple_key(self) -> str:
        t = self.text
        c = self.peek()
        if c == '"' or c == "'":
            start = self.pos
            self.string_end()
            return _decode_string(t[start:self.pos])
        m = re.compile(r"[A-Za-z0-9_-]+").match(t, self.pos)
        if not m:
            raise self.fail("expected a key")
        self.pos = m.end()
        return m.group(0)

    def string_end(self) -> None:
        """Move pos past the string starting at pos."""
        t, p = self.text, self.pos
        for q in ('"""', "'''"):
            if t.startswith(q, p):
                p += 3
                while True:
                    i = t.find(q, p)
                    if i < 0:
                        raise self.fail("unterminated string")
                    if q == '"""':
                        back = 0
                        while t[i - 1 - back] == "\\" and i - 1 - back >= p:
                            back += 1
                        if back % 2:
                            p = i + 1
                            continue
                    end = i + 3
                    while end < len(t) and t[end] == q[0] and end - i < 5:  # up to two quotes of the content
                        end += 1
                    self.pos = end
                    return
        q = t[p]
        p += 1
        while p < len(t):
            c = t[p]
            if c == "\\" and q == '"':
                p += 2
                continue
            if c == q:
                self.pos = p + 1
                return
            if c == "\n":
                break
            p += 1
        raise self.fail("unterminated string")

    _SCALAR = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[Zz]|[+-]\d\d:\d\d)?|[^\s,\]\}#=]+")

    def value(self, path: tuple[str, ...]) -> None:
        t = self.text
        c = self.peek()
        if c in ('"', "'"):
            self.string_end()
        elif c == "[":
            self.pos += 1
            items = self.arrays.setdefault(path, [])
            while True:
                self.skip_ws_nl_comments()
                if self.peek() == "]":
                    self.pos += 1
                    return
                start = self.pos
                self.value(path + ("[]",))
                items.append((start, self.pos))
                self.skip_ws_nl_comments()
                if self.peek() == ",":
                    self.pos += 1
                elif self.peek() != "]":
                    raise self.fail("expected ',' or ']' in an array")
        elif c == "{":
            self.pos += 1
            while True:
                self.skip_ws_nl_comments()
                if self.peek() == "}":
                    self.pos += 1
                    return
                line = self.line_of(self.pos)
                pair = self.pair(path, None, line, self.line_starts[line])
                pair.line_end, pair.inline = pair.value_end, True
                self.skip_ws_nl_comments()
                if self.peek() == ",":
                    self.pos += 1
                elif self.peek() != "}":
                    raise self.fail("expected ',' or '}' in an inline table")
        else:
            m = self._SCALAR.match(t, self.pos)
            if not m:
                raise self.fail("expected a value")
            self.pos = m.end()


def _decode_string(raw: str):
    """A TOML string (or any value) as written -> its value, read by tomllib."""
    return _tomllib().loads("x = " + raw)["x"]


# -- the manifest ---------------------------------------------------------------------------------
@dataclass
class PixiManifest(TextDocument):
    path: str
    text: str  # without BOM
    bom: str
    data: dict  # tomllib's reading
    root: tuple[str, ...]  # () for pixi.toml, ("tool", "pixi") for pyproject.toml
    headers: list[Header] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    deps: list[Dep] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)

    @classmethod
    def from_text(cls, text: str, path: str, root: tuple[str, ...] | None = None) -> "PixiManifest":
        bom = BOM if text.startswith(BOM) else ""
        body = text[len(bom):]
        data = load_toml(body, path)
        if root is None:
            root = manifest_root(path, data)
        if root and not isinstance(_get(data, root), dict):
            raise NotPixiManifest(path, 1, 1, "no [tool.pixi] table: not a pixi manifest")
        scanner = _Scanner(body, path)
        scanner.run()
        doc = cls(path=path, text=body, bom=bom, data=data, root=root, headers=scanner.headers,
                  pairs=scanner.pairs, line_starts=scanner.line_starts)
        doc._locate(scanner)
        return doc

    def _locate(self, scanner: _Scanner) -> None:
        n = len(self.root)
        spread: set[tuple[str, ...]] = set()
        for pair in self.pairs:
            full = pair.path + pair.key.parts[-1:]
            if full[:n] != self.root:
                continue
            rel = full[n:]
            k = next((k for k in range(1, len(rel)) if _dep_table(rel[:k]) is not None), None)
            if k is None:
                continue
            table, scope = _dep_table(rel[:k])
            name = rel[k]
            if k + 1 < len(rel):  # a key inside a dependency's value
                if pair.inline or full[:n + k + 1] in spread:
                    continue  # (part of a value located with its dependency, or already seen)
                # the dependency is spread over keys of its own: [dependencies.NAME] or NAME.version = …
                spread.add(full[:n + k + 1])
                dep = Dep(name=name, kind=DEP_TABLES[table], table=table, scope=scope,
                          value=_get(self.data, full[:n + k + 1]), pair=pair, text="", editable=False,
                          why_not="the entry is written as a table or dotted keys of its own",
                          table_path=full[:n + k])
                self.deps.append(dep)
                continue
            value = _get(self.data, full)
            dep = Dep(name=name, kind=DEP_TABLES[table], table=table, scope=scope, value=value,
                      pair=pair, text=self.text[pair.value_start:pair.value_end], table_path=full[:n + k])
            if not pair.own_line:
                dep.editable, dep.why_not = False, "the entry is inside an inline table"
            elif "\n" in self.text[pair.value_start:pair.value_end]:
                dep.editable, dep.why_not = False, "the entry spans more than one line"
            elif len(pair.key.parts) > 1:
                dep.editable, dep.why_not = False, "the entry is a dotted key"
            self.deps.append(dep)
        for path, spans in scanner.arrays.items():
            rel = path[n:] if path[:n] == self.root else None
            if rel is None or rel[-1:] != ("channels",):
                continue
            if rel[:-1] not in (("project",), ("workspace",)) and not (len(rel) == 3 and rel[0] == "feature"):
                continue
            values = _get(self.data, path)
            for (start, end), value in zip(spans, values):
                self.channels.append(Channel(value, start, end, scanner.line_of(start), path))

    # -- queries ----------------------------------------------------------------------------------
    @property
    def conda_deps(self) -> list[Dep]:
        return [d for d in self.deps if d.kind == CONDA]

    @property
    def pypi_deps(self) -> list[Dep]:
        return [d for d in self.deps if d.kind == PYPI]

    def channel_names(self, feature: str | None = None) -> list[str]:
        return [c.name for c in self.channels_of(feature)]

    def channels_of(self, feature: str | None = None) -> list[Channel]:
        """The channels of ``feature``, or (None) of the workspace."""
        n = len(self.root)
        want = ("feature", feature, "channels") if feature else None
        return [c for c in self.channels if (c.path[n:] == want if want else c.path[n:][0] != "feature")]

    def table_path(self, scope: Scope, table: str) -> tuple[str, ...]:
        path = self.root
        if scope.feature is not None:
            path += ("feature", scope.feature)
        if scope.target is not None:
            path += ("target", scope.target)
        return path + (table,)

    def header_of(self, scope: Scope, table: str) -> Header | None:
        path = self.table_path(scope, table)
        return next((h for h in self.headers if h.path == path and not h.array), None)

    def deps_in(self, scope: Scope, table: str) -> list[Dep]:
        return [d for d in self.deps if d.scope == scope and d.table == table]

    def neighbours(self, scope: Scope) -> list[Dep]:
        """The conda dependencies of the other scopes that can be installed together with ``scope``: those of
        every feature sharing an environment with its feature, for any target (more packages seen means
        fewer moves, never a wrong one)."""
        together = {scope.feature}
        for feats in self.environments().values():
            if scope.feature in feats:
                together.update(feats)
        return [d for d in self.deps if d.kind == CONDA and d.table == "dependencies" and d.scope != scope
                and d.scope.feature in together]

    @property
    def features(self) -> list[str]:
        feats = _get(self.data, self.root + ("feature",))
        return list(feats) if isinstance(feats, dict) else []

    def environments(self) -> dict[str, list[str | None]]:
        """Each environment's features, the default feature (None) first unless it opts out."""
        envs = _get(self.data, self.root + ("environments",))
        out: dict[str, list[str | None]] = {"default": [None]}
        if not isinstance(envs, dict):
            return out
        for name, spec in envs.items():
            if isinstance(spec, list):
                feats, no_default = spec, False
            elif isinstance(spec, dict):
                feats, no_default = spec.get("features", []), bool(spec.get("no-default-feature", False))
            else:
                continue
            out[name] = ([] if no_default else [None]) + [f for f in feats if isinstance(f, str)]
        return out

    def project_dependencies(self) -> list[str]:
        """The normalised names in a pyproject.toml's ``[project].dependencies`` (the published package's
        metadata: read, never edited)."""
        if not self.root:
            return []
        reqs = _get(self.data, ("project", "dependencies"))
        out = []
        for req in reqs if isinstance(reqs, list) else []:
            m = re.match(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)", str(req))
            if m:
                out.append(normalize(m.group(1)))
        return out

    def check(self) -> None:
        """Raise AssertionError unless the scanner's dependencies are exactly tomllib's."""
        mine: dict[tuple[str, ...], dict] = {}
        for d in self.deps:
            mine.setdefault(d.path, {})[d.name] = _decode_string(d.text) if d.text else d.value
        theirs = {}
        for path in _dep_paths(self.data, self.root):
            table = _get(self.data, path)
            if isinstance(table, dict) and table:
                theirs[path] = table
        assert mine == theirs, (mine, theirs)

    # -- editing ----------------------------------------------------------------------------------
    def render(self, ops: Iterable["Op"]) -> str:
        """The new text (BOM included) after ``ops``, read back and verified; FixError if it cannot be made."""
        ops = list(ops)
        new = self.spliced(self.edits(ops))
        self.verify(new, ops)
        return self.bom + new

    def edits(self, ops: Iterable["Op"]) -> list[Edit]:
        ops = list(ops)
        removed = {id(op.dep) for op in ops if isinstance(op, RemoveDep)}
        edits: list[Edit] = []
        adds: dict[tuple[Scope, str], list[AddDep]] = {}
        for op in ops:
            if isinstance(op, RemoveDep):
                self._check(op.dep)
                edits.append(Edit(op.dep.pair.line_start, op.dep.pair.line_end, ""))
            elif isinstance(op, Rename):
                self._check(op.dep)
                edits.append(Edit(op.dep.pair.key.start, op.dep.pair.key.end, _key(op.name)))
            elif isinstance(op, SetValue):
                self._check(op.dep)
                edits.append(Edit(op.dep.pair.value_start, op.dep.pair.value_end, op.text))
                if op.comment:
                    end = op.dep.pair.line_end - len(op.dep.pair.eol)
                    edits.append(Edit(end, end, op.comment))
            elif isinstance(op, AddDep):
                adds.setdefault((op.scope, op.table), []).append(op)
            else:
                raise TypeError(op)
        for (scope, table), new in adds.items():
            edits += self._add(scope, table, new, removed)
        return edits

    @staticmethod
    def _check(dep: Dep) -> None:
        if not dep.editable:
            raise FixError(f"line {dep.line + 1}: {dep.why_not}")

    def _add(self, scope: Scope, table: str, new: list["AddDep"], removed: set[int]) -> list[Edit]:
        siblings = [d for d in self.deps_in(scope, table) if d.editable]
        live = [d for d in siblings if id(d) not in removed]
        existing = {normalize(d.name) for d in self.deps_in(scope, table)}
        for op in new:
            if normalize(op.name) in existing:
                raise FixError(f"'{op.name}' is already in [{'.'.join(self.table_path(scope, table))}]")
        header = self.header_of(scope, table)
        if self.deps_in(scope, table) and header is None:
            raise FixError(f"[{'.'.join(self.table_path(scope, table))}] is written as dotted keys or an inline table")
        other = "dependencies" if table != "dependencies" else "pypi-dependencies"
        models = live or siblings or [d for d in self.deps_in(scope, other) if d.editable]
        quote = next((d.quote for d in siblings + self.deps_in(scope, other) if d.quote), '"')
        sep = _common_sep(self, models)
        out: list[Edit] = []
        if header is not None:
            anchor_end = (live[-1].pair.line_end if live else header.line_end)
            keys = [d.name.lower() for d in live]
            is_sorted = len(keys) > 1 and keys == sorted(keys)
            ordered = sorted(new, key=lambda op: op.name.lower()) if is_sorted else new
            eol = (live[-1].pair.eol if live else header.eol) or self.eol
            for seq, op in enumerate(ordered):
                line = _key(op.name) + sep + _string(op.value, quote) + op.comment
                target = next((d for d in live if d.name.lower() > op.name.lower()), None) if is_sorted else None
                if target is not None:
                    at = self.above_comments(target.pair.line)
                    out.append(Edit(at, at, line + (target.pair.eol or self.eol), seq))
                elif self.text[anchor_end - 1:anchor_end] == "\n" or anchor_end == 0:
                    out.append(Edit(anchor_end, anchor_end, line + eol, seq))
                else:
                    out.append(Edit(anchor_end, anchor_end, self.eol + line, seq))
            return out
        # no such table: create it after the scope's conda table (or, for a conda pin, its PyPI table)
        base = self.header_of(scope, other)
        if base is None:
            raise FixError(f"no [{'.'.join(self.table_path(scope, other))}] table to place "
                           f"[{'.'.join(self.table_path(scope, table))}] beside")
        base_deps = [d for d in self.deps_in(scope, other) if d.pair.header is base]
        live_base = [d for d in base_deps if id(d) not in removed]
        anchor = live_base[-1].pair if live_base else None
        anchor_end = anchor.line_end if anchor else base.line_end
        eol = (anchor.eol if anchor else base.eol) or self.eol
        raw = self.text[base.key.start:base.key.end]
        last = raw.rfind(".")
        head = raw[: last + 1] if last >= 0 else ""
        if last >= 0 and _raw_last_part(raw) != _key(other):
            raise FixError(f"line {base.line + 1}: the table header is written in a form envslim does not extend")
        lines = [f"[{head}{_key(table)}]"]
        for op in sorted(new, key=lambda op: op.name.lower()):
            lines.append(_key(op.name) + sep + _string(op.value, quote) + op.comment)
        block = eol + eol.join(lines)
        # (after any line added to the table it follows, at the same offset)
        if self.text[anchor_end - 1:anchor_end] == "\n":
            return [Edit(anchor_end, anchor_end, block + eol, _AFTER)]
        return [Edit(anchor_end, anchor_end, eol + block, _AFTER)]

    def verify(self, new_text: str, ops: list["Op"]) -> None:
        """Renovate's rule: read the new text with tomllib; it must equal the old reading with exactly
        the changes the ops ask for, and locate again."""
        tomllib = _tomllib()
        try:
            got = tomllib.loads(new_text)
        except tomllib.TOMLDecodeError as e:
            raise FixError(f"the edit would not read as TOML ({toml_error(self.path, new_text, e).message})") from None
        want = _copy(self.data)
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
                for part in self.table_path(op.scope, op.table):
                    table = table.setdefault(part, {})
                table[op.name] = op.value
        if got != want:
            raise FixError("the edit does not read back as intended; nothing changed")
        try:
            PixiManifest.from_text(new_text, self.path, root=self.root)
        except InputError as e:
            raise FixError(f"the edited manifest would not read ({e.message})") from None


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


# -- helpers --------------------------------------------------------------------------------------
def manifest_root(path: str, data: dict) -> tuple[str, ...]:
    """``("tool", "pixi")`` for a pyproject.toml (by name, or a document with [tool.pixi] and no
    top-level pixi tables), ``()`` for a pixi.toml."""
    import os

    if os.path.basename(path) == "pyproject.toml":
        return ("tool", "pixi")
    tool = data.get("tool")
    if isinstance(tool, dict) and "pixi" in tool and not ({"workspace", "dependencies"} & set(data)):
        return ("tool", "pixi")
    return ()


class NotPixiManifest(InputError):
    """A pyproject.toml without pixi tables: nothing for envslim to do in it."""


def is_pixi_pyproject(text: str) -> bool:
    """True when a pyproject.toml text has a ``[tool.pixi…]`` table (a cheap test, for file selection)."""
    return re.search(r"(?m)^[ \t]*\[\[?[ \t]*tool[ \t]*\.[ \t]*[\"']?pixi\b", text) is not None


def _dep_table(rel: tuple[str, ...]) -> tuple[str, Scope] | None:
    """(table name, scope) when ``rel`` (a path under the manifest root) is a dependency table."""
    feature = target = None
    if len(rel) >= 3 and rel[0] == "feature":
        feature, rel = rel[1], rel[2:]
    if len(rel) >= 3 and rel[0] == "target":
        target, rel = rel[1], rel[2:]
    if len(rel) == 1 and rel[0] in DEP_TABLES:
        return rel[0], Scope(feature, target)
    return None


def _dep_paths(data: dict, root: tuple[str, ...]):
    base = _get(data, root)
    if not isinstance(base, dict):
        return
    scopes = [(root, base)]
    feats = base.get("feature")
    if isinstance(feats, dict):
        scopes += [(root + ("feature", f), v) for f, v in feats.items() if isinstance(v, dict)]
    for path, node in scopes:
        for name in DEP_TABLES:
            if name in node:
                yield path + (name,)
        targets = node.get("target")
        if isinstance(targets, dict):
            for t, v in targets.items():
                if isinstance(v, dict):
                    for name in DEP_TABLES:
                        if name in v:
                            yield path + ("target", t, name)


def _get(data, path: tuple[str, ...]):
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _copy(data):
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


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


def _common_sep(doc: PixiManifest, deps: list[Dep]) -> str:
    """The spacing around ``=`` that the table's entries share (`` = `` when they differ)."""
    seps = {doc.text[d.pair.key.end:d.pair.value_start] for d in deps}
    return seps.pop() if len(seps) == 1 else " = "


# -- the rules' view of one scope -------------------------------------------------------------------
# The rules read an environment file's shape: conda lines (``deps``), pip lines (``pip_items``), channels,
# and ask for edits as envfile ops. A ScopeView presents one scope of a manifest that way: its conda
# table's entries as conda spec lines, its PyPI table's entries as PEP 508 lines, and it turns the
# envfile ops the rules return into edits of the pixi tables of that scope.
_NAME_RE = re.compile(r"\s*([A-Za-z0-9_][A-Za-z0-9_.+-]*)\s*(.*?)\s*\Z", re.S)
_BARE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*")


@dataclass
class PixiItem:
    """A dependency (or channel) as the rules see an environment file's line."""

    value: str  # a conda spec (conda table), a PEP 508 requirement (PyPI table), or a channel name
    line: int
    col: int
    dash_col: int
    comment: str
    eol: str
    editable: bool
    why_not: str
    dep: Dep | None = None
    quote: str = ""
    context: bool = False  # a package of another scope of the same environment, shown read-only
    line_start: int = 0  # offsets in the text (without BOM), as an environment file's Item has them
    line_end: int = 0
    value_start: int = 0
    value_end: int = 0

    @property
    def text(self) -> str:
        return self.value

    @property
    def selector(self) -> str | None:
        return None  # pixi has no line selectors: a target table is a scope of its own


@dataclass
class ItemSeq:
    items: list[PixiItem]
    flow: bool = False


def _pep508(dep: Dep) -> str | None:
    """A PyPI table entry as a PEP 508 requirement (None for path, git and url entries)."""
    value = dep.value
    extras = ""
    if isinstance(value, dict):
        if {"path", "git", "url"} & set(value):
            return None
        if value.get("extras"):
            extras = "[" + ",".join(str(e) for e in value["extras"]) + "]"
        value = value.get("version", "*")
    spec = str(value).strip()
    return dep.name + extras + ("" if spec in ("", "*") else spec)


class ScopeView:
    """One scope of a pixi manifest in the shape of :class:`envslim.document.envfile.EnvFile`."""

    def __init__(self, manifest: PixiManifest, scope: Scope, published: set[str] = frozenset(),
                 context: bool = True) -> None:
        self.manifest = manifest
        self.scope = scope
        self.published = published  # normalised names in a pyproject's [project].dependencies
        self.has_context = context
        self.path = manifest.path
        self.text = manifest.text
        self.bom = manifest.bom
        self.line_starts = manifest.line_starts
        self.name = None
        self.pip_item = None
        conda = []
        for d in manifest.deps_in(scope, "dependencies"):
            spec = d.conda_spec()
            if spec is None:
                continue
            item = self._item(d, spec)
            if normalize(d.name) in published:
                item.editable = False
                item.why_not = "also in [project].dependencies (the published package's metadata): move it by hand"
            conda.append(item)
        # The conda packages of the scopes this one shares an environment with, read-only: a package there
        # that pulls one of ours back blocks its move (rules see them; their findings are not this scope's).
        for d in (manifest.neighbours(scope) if context else []):
            spec = d.conda_spec()
            if spec is not None:
                item = self._item(d, spec)
                item.editable, item.why_not, item.context = False, f"in the [{'.'.join(d.path)}] table", True
                conda.append(item)
        pip = []
        for d in manifest.deps_in(scope, "pypi-dependencies"):
            req = _pep508(d)
            if req is not None:
                pip.append(self._item(d, req))
        self.dependencies = ItemSeq(conda)
        self.pip = ItemSeq(pip) if pip else None
        chans = manifest.channels_of(scope.feature) if scope.feature else []
        chans = chans + [c for c in manifest.channels_of() if c.name not in {c.name for c in chans}]
        self.channels = ItemSeq([self._channel(c) for c in chans])
        self.memo: dict = {}  # what readers work out once per document (rules.common)

    @staticmethod
    def _item(d: Dep, value: str) -> PixiItem:
        # (dash_col is where a finding's column points: the key)
        p = d.pair
        return PixiItem(value, d.line, p.col, p.col, d.comment, p.eol, d.editable, d.why_not, d, d.quote,
                        line_start=p.line_start, line_end=p.line_end, value_start=p.value_start, value_end=p.value_end)

    def _channel(self, c: Channel) -> PixiItem:
        start = self.line_starts[c.line]
        return PixiItem(c.name, c.line, c.start - start, -1, "", "", False, "channels of a pixi manifest are not edited",
                        line_start=start, line_end=start, value_start=c.start, value_end=c.end)

    def reread(self, text: str) -> "ScopeView":
        return ScopeView(PixiManifest.from_text(text, self.path, root=self.manifest.root), self.scope, self.published,
                         self.has_context)

    # the EnvFile queries the rules use
    @property
    def deps(self) -> list[PixiItem]:
        return list(self.dependencies.items)

    @property
    def pip_items(self) -> list[PixiItem]:
        return list(self.pip.items) if self.pip else []

    @property
    def has_pip_section(self) -> bool:
        return False  # PyPI packages are installed by pixi (with uv): no pip package needed

    @property
    def channel_names(self) -> list[str]:
        return [i.text for i in self.channels.items]

    @property
    def eol(self) -> str:
        return self.manifest.eol

    def position(self, offset: int) -> tuple[int, int]:
        return self.manifest.position(offset)

    def pixi_ops(self, ops: Iterable) -> list[Op]:
        """The envfile ops of a fix as edits of this scope's tables (FixError when one has no pixi form)."""
        out: list[Op] = []
        for op in ops:
            if isinstance(op, RemoveItem):
                out.append(RemoveDep(self._dep(op.item)))
            elif isinstance(op, ReplaceValue):
                dep = self._dep(op.item)
                rest = op.item.value[len(dep.name):]
                head = op.text[: len(op.text) - len(rest)] if op.text.endswith(rest) else ""
                if head and _BARE_NAME.fullmatch(head):  # the name changes, the rest of the spec stays
                    name, version = head, None
                elif dep.kind == PYPI:
                    raise FixError(f"line {dep.line + 1}: only the name of a PyPI entry is rewritten")
                else:
                    name, version = _split(op.text)
                if name != dep.name:
                    if isinstance(dep.value, dict) and "channel" in dep.value:
                        raise FixError(f"line {dep.line + 1}: the entry names its own channel; not renamed")
                    out.append(Rename(dep, name))
                if version is not None and version != (_split(op.item.value)[1] or "*"):
                    if not isinstance(dep.value, str):
                        raise FixError(f"line {dep.line + 1}: the entry is an inline table; its version is not rewritten")
                    out.append(SetValue(dep, _string(version or "*", dep.quote or '"'), op.comment))
                elif op.comment:
                    out.append(SetValue(dep, dep.text, op.comment))
            elif isinstance(op, InsertConda):
                name, version = _split(op.text)
                if name == "pip":
                    continue  # pixi installs PyPI packages itself
                out.append(AddDep(self.scope, "dependencies", name, version or "*", op.comment))
            elif isinstance(op, InsertPip):
                name, version = _split(op.text)
                if re.search(r"[\[;@]", op.text):
                    raise FixError(f"'{op.text}' has extras, markers or a URL: not written as a pixi entry")
                out.append(AddDep(self.scope, "pypi-dependencies", name, version or "*", op.comment))
            elif isinstance(op, InsertChannel):
                raise FixError("channels of a pixi manifest are not edited")
            else:
                raise TypeError(op)
        return out

    @staticmethod
    def _dep(item) -> Dep:
        if not isinstance(item, PixiItem) or item.dep is None:
            raise FixError("the entry is not a dependency of this manifest")
        if not item.editable:
            raise FixError(f"line {item.line + 1}: {item.why_not}")
        return item.dep

    def edits(self, ops: Iterable) -> list[Edit]:
        """The edits of ``ops``, spliced and read back first: FixError if they would not read as intended."""
        pixi = self.pixi_ops(ops)
        edits = self.manifest.edits(pixi)
        self.manifest.verify(splice(self.text, edits), pixi)
        return edits

    def render(self, ops: Iterable) -> str:
        return self.manifest.render(self.pixi_ops(ops))


def _split(text: str) -> tuple[str, str]:
    """``"numpy >=1,<2"`` -> ``("numpy", ">=1,<2")``; a build string or channel has no pixi string form."""
    if "::" in text or "[" in text:
        raise FixError(f"'{text}' has a channel or bracket fields: not written as a pixi entry")
    m = _NAME_RE.match(text)
    if not m:
        raise FixError(f"'{text}' is not a package name with a version")
    version = m.group(2).replace(" ", "")
    if re.search(r"\s", m.group(2).strip()) and not re.fullmatch(r"[<>=!~]=?\s*\S+", m.group(2).strip()):
        raise FixError(f"'{text}' has a build string: not written as a pixi entry")
    if version.startswith("=") and not version.startswith("=="):
        version = version[1:] + ("" if version.endswith("*") else ".*")  # conda's name=1.2 means 1.2.*
    return m.group(1), version


def scopes(manifest: PixiManifest) -> list[Scope]:
    """The scopes that have a conda or PyPI table, in the order they first appear."""
    seen: list[Scope] = []
    for d in manifest.deps:
        if d.table in ("dependencies", "pypi-dependencies") and d.scope not in seen:
            seen.append(d.scope)
    return seen
