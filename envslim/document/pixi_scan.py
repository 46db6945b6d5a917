"""The TOML span scanner and the located model of a pixi manifest.

Takes a TOML text that tomllib has already accepted and gives where every key, value, line, inline
comment and table header is (:class:`Scanner`), and the nodes the manifest is made of: :class:`Key`,
:class:`Header`, :class:`Pair`, :class:`Scope`, :class:`Dep` (one located dependency) and
:class:`Channel`; with the small readers of tomllib's data the manifest and its edits share.
It imports nothing from envslim but the TOML reader, the record decorator and the error types.
"""

from __future__ import annotations

import bisect
import re

from envslim._record import dataclass
from envslim.document.toml import reader as _tomllib
from envslim.errors import InputError

CONDA = "conda"
PYPI = "pypi"
# The tables of a scope that hold packages, and what they hold.
DEP_TABLES = {"dependencies": CONDA, "host-dependencies": CONDA, "build-dependencies": CONDA,
              "pypi-dependencies": PYPI}
WS = " \t"


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

    @property
    def span(self) -> tuple[int, int]:
        """The offsets of its line(s) in the text: the key that tells one dependency of a document from
        another (two located readings of one text give the same span)."""
        return self.pair.line_start, self.pair.line_end

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
class Scanner:
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
        while p < len(t) and t[p] in WS:
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
        if rest.strip() and not rest.lstrip(WS).startswith("#"):
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
            own = not t[line_start:self.pos].strip(WS)
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
            return decode_string(t[start:self.pos])
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


def decode_string(raw: str):
    """A TOML string (or any value) as written -> its value, read by tomllib."""
    return _tomllib().loads("x = " + raw)["x"]




def dep_table(rel: tuple[str, ...]) -> tuple[str, Scope] | None:
    """(table name, scope) when ``rel`` (a path under the manifest root) is a dependency table."""
    feature = target = None
    if len(rel) >= 3 and rel[0] == "feature":
        feature, rel = rel[1], rel[2:]
    if len(rel) >= 3 and rel[0] == "target":
        target, rel = rel[1], rel[2:]
    if len(rel) == 1 and rel[0] in DEP_TABLES:
        return rel[0], Scope(feature, target)
    return None


def dep_paths(data: dict, root: tuple[str, ...]):
    base = get_path(data, root)
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


def get_path(data, path: tuple[str, ...]):
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def copy_value(data):
    if isinstance(data, dict):
        return {k: copy_value(v) for k, v in data.items()}
    if isinstance(data, list):
        return [copy_value(v) for v in data]
    return data
