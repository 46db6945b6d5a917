"""Conda version order and version-spec trees (``>=1.2,<2|3.*``), with conda's semantics.

Versions order by epoch, then dotted/underscored components made of runs of numbers and letters
(strings < numbers, ``dev`` lowest, ``post`` highest, ``*`` below all), then the ``+local`` part. In a
version spec ``,`` (and) binds tighter than ``|`` (or); parentheses group, but only inside a bracket
value: conda strips every ``(...)`` from a positional spec string. The semantics are conda's own legacy
parser, as described in ``../shared/data/spec/CONDA_SPECS.md`` and pinned down by the vectors from
conda's test suite in ``tests/data/spec``. Stdlib only and cheap to import.

Public API: :class:`VersionOrder`, :func:`parse_version_spec`, :class:`CondaSpecError`.
"""

from __future__ import annotations

import re


class CondaSpecError(ValueError):
    """A spec conda rejects, or one envslim does not treat as a MatchSpec; ``reason`` says why.

    ``code`` is ``"INVALID"`` for specs conda rejects and ``"PACKAGE_FILE"`` for URL / package-file
    specs (``….conda``, ``….tar.bz2``), which envslim leaves as they are.
    """

    def __init__(self, reason: str, code: str = "INVALID") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


_CACHE_LIMIT = 8192


def cache_put(cache: dict, key, value):
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


# --------------------------------------------------------------------------------------------------
# Version order
# --------------------------------------------------------------------------------------------------

_VERSION_CHARS = re.compile(r"[*.+!_0-9a-z]+\Z")
_RELEASE = re.compile(r"[0-9]+(?:\.[0-9]+)*\Z")
_RUNS = re.compile(r"[0-9]+|\*+|[^0-9*]+")
_POST = float("inf")


def _component(text: str, shown: str) -> list:
    runs = _RUNS.findall(text)
    if not runs:
        raise CondaSpecError(f"invalid version '{shown}': empty version component")
    out: list = [0] if text[0].isalpha() else []
    for run in runs:
        if run.isdigit():
            out.append(int(run))
        elif run == "post":
            out.append(_POST)
        elif run == "dev":
            out.append("DEV")  # upper case: sorts below every other (lower-case) letter run
        else:
            out.append(run)
    return out


def _cmp_atoms(x, y) -> int:
    if x == y:
        return 0
    xs = x.__class__ is str
    ys = y.__class__ is str
    if xs != ys:
        return -1 if xs else 1  # strings sort below numbers
    return -1 if x < y else 1


def compare_parts(a: list, b: list) -> int:
    """Compare two component lists the conda way: a missing component is empty, a missing atom is 0."""
    for i in range(max(len(a), len(b))):
        ca = a[i] if i < len(a) else ()
        cb = b[i] if i < len(b) else ()
        for j in range(max(len(ca), len(cb))):
            c = _cmp_atoms(ca[j] if j < len(ca) else 0, cb[j] if j < len(cb) else 0)
            if c:
                return c
    return 0


def _seq_key(parts, entry) -> tuple:
    """A tuple that Python's own comparison orders as :func:`compare_parts` orders ``parts`` against
    another list padded with fill values (a missing atom is 0, a missing component empty, i.e. all 0).

    ``entry(x)`` is None for a fill value, else (sign of x against the fill, x's own key). A run of fills
    is not written; each other element is (sign, fills before it, signed so that more fills before an
    element above the fill sort lower and before one below it higher, its key), and the sequence ends
    with (0,), which sorts between the elements below the fill and those above: what padding compares.
    Elements of the same sign compare by their keys (strings with strings, numbers with numbers)."""
    out = []
    fills = 0
    for x in parts:
        e = entry(x)
        if e is None:
            fills += 1
            continue
        out.append((e[0], -fills if e[0] > 0 else fills, e[1]))
        fills = 0
    out.append((0,))
    return tuple(out)


def _atom_entry(x):
    if x.__class__ is str:
        return (-1, x)  # strings sort below numbers (and below the fill 0)
    return None if x == 0 else (1, x)


_END = ((0,),)


def _parts_key(parts) -> tuple:
    """:func:`_seq_key` over components (a component's own key is its atoms'), with the common component,
    one number, written directly."""
    out = []
    fills = 0
    for comp in parts:
        if len(comp) == 1 and comp[0].__class__ is int:
            n = comp[0]
            if n == 0:
                fills += 1
                continue
            out.append((1, -fills, ((1, 0, n), (0,))))
        else:
            k = _seq_key(comp, _atom_entry)
            if len(k) == 1:
                fills += 1
                continue
            s = k[0][0]
            out.append((s, -fills if s > 0 else fills, k))
        fills = 0
    out.append((0,))
    return tuple(out)


def order_key(version: list, local: list) -> tuple:
    """The sort key of a parsed version (see :func:`_seq_key`): equal keys for equal versions."""
    return _parts_key(version), (_parts_key(local) if local else _END)


_TOO_LONG = "invalid version: a number of more than 4,300 digits"


class VersionOrder:
    """A conda version, ordered as conda orders it (case-insensitive).

    ``VersionOrder("1.1") == VersionOrder("1.1.0")``; ``"1.1dev1" < "1.1a1" < "1.1.dev1" < "1.1"``;
    ``"0.5-5" == "0.5.5"``; ``"2.1.0+cu118" < "2.1.0"``. Raises :class:`CondaSpecError` for strings
    conda rejects.
    """

    __slots__ = ("text", "norm", "version", "local", "key")

    def __init__(self, text: str) -> None:
        self.text = text
        if _RELEASE.match(text):  # most versions: numbers and dots only (what the general path makes of them)
            self.norm = text
            try:
                self.version = [[0]] + [[int(p)] for p in text.split(".")]
            except ValueError:  # (Python converts at most 4,300 digits)
                raise CondaSpecError(_TOO_LONG) from None
            self.local = []
            self.key = order_key(self.version, self.local)
            return
        s = text.strip().lower()
        shown = text.strip()
        if not s:
            raise CondaSpecError("empty version string")
        if not _VERSION_CHARS.match(s):
            if "-" in s and "_" not in s:
                s = s.replace("-", "_")  # a dash is a separator when the string has no underscore
            if not _VERSION_CHARS.match(s):
                raise CondaSpecError(f"invalid character(s) in version '{shown}'")
        self.norm = s
        epoch_split = s.split("!")
        if len(epoch_split) == 1:
            epoch = "0"
        elif len(epoch_split) == 2:
            epoch = epoch_split[0]
            if not epoch.isdigit():
                raise CondaSpecError(f"invalid version '{shown}': epoch must be an integer")
        else:
            raise CondaSpecError(f"invalid version '{shown}': duplicated epoch separator '!'")
        local_split = epoch_split[-1].split("+")
        if len(local_split) > 2:
            raise CondaSpecError(f"invalid version '{shown}': duplicated local version separator '+'")
        main = local_split[0]
        if not main:
            raise CondaSpecError(f"invalid version '{shown}': missing version before '+'")
        if main[-1] == "_":
            # openssl-style trailing underscore stays on the last component: 1.0.1_ < 1.0.1a
            pieces = main[:-1].replace("_", ".").split(".")
            pieces[-1] += "_"
        else:
            pieces = main.replace("_", ".").split(".")
        try:
            self.version = [[int(epoch)]] + [_component(p, shown) for p in pieces]
            if len(local_split) == 2:
                self.local = [_component(p, shown) for p in local_split[1].replace("_", ".").split(".")]
            else:
                self.local = []
        except CondaSpecError:
            raise
        except ValueError:  # (Python converts at most 4,300 digits)
            raise CondaSpecError(_TOO_LONG) from None
        # compared natively: the same order as compare_parts on version, then local
        self.key = order_key(self.version, self.local)

    def _cmp(self, other: VersionOrder) -> int:
        a, b = self.key, other.key
        return 0 if a == b else (-1 if a < b else 1)

    def __eq__(self, other):
        if not isinstance(other, VersionOrder):
            return NotImplemented
        return self.key == other.key

    def __lt__(self, other: VersionOrder) -> bool:
        return self.key < other.key

    def __le__(self, other: VersionOrder) -> bool:
        return self.key <= other.key

    def __gt__(self, other: VersionOrder) -> bool:
        return self.key > other.key

    def __ge__(self, other: VersionOrder) -> bool:
        return self.key >= other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __str__(self) -> str:
        return self.norm

    def __repr__(self) -> str:
        return f"VersionOrder({self.text!r})"

    def startswith(self, other: VersionOrder) -> bool:
        """conda's prefix test (``=1.2`` / ``1.2.*``): component-wise, and inside the last component
        of ``other`` a letter run is a string prefix (``2013a*`` matches ``2013ab``)."""
        if other.local:
            if compare_parts(self.version, other.version):
                return False
            mine, theirs = self.local, other.local
        else:
            mine, theirs = self.version, other.version
        n = len(theirs) - 1
        if compare_parts(mine[:n], theirs[:n]):
            return False
        last = theirs[n]
        own = mine[n] if len(mine) > n else []
        k = len(last) - 1
        if compare_parts([own[:k]], [last[:k]]):
            return False
        a = own[k] if len(own) > k else 0
        b = last[k]
        if b.__class__ is str:
            return a.__class__ is str and a.startswith(b)
        return a == b

    @property
    def is_release(self) -> bool:
        """True for a plain release: numeric components only, no local part (``1.26.4``, ``1!2.0``)."""
        return not self.local and all(len(c) == 1 and c[0].__class__ is int for c in self.version)


_VO_CACHE: dict = {}


def cached_order(text: str) -> VersionOrder:
    vo = _VO_CACHE.get(text)
    if vo is None:
        vo = cache_put(_VO_CACHE, text, VersionOrder(text))
    return vo


# --------------------------------------------------------------------------------------------------
# Version-spec tree
# --------------------------------------------------------------------------------------------------


class AnyVersion:
    """``*``: every version."""

    __slots__ = ()
    kind = "any"

    def match(self, version: str) -> bool:
        return True

    def __str__(self) -> str:
        return "*"

    def __repr__(self) -> str:
        return "AnyVersion()"

    def __eq__(self, other):
        return isinstance(other, AnyVersion)

    def __hash__(self) -> int:
        return hash("*")


ANY = AnyVersion()

# Atom operators. "=*" is conda's prefix match (``=1.2``, ``1.2*``, ``1.2.*``), "!=*" its negation.
ORDERED_OPS = ("<", "<=", ">", ">=")


class VersionAtom:
    """One version constraint: ``op`` is one of ``== != < <= > >= =* !=* ~=`` (``=*`` is conda's prefix
    match), ``re`` (a regex or an inner glob such as ``1.*.1``) or ``str`` (exact string, versions with
    ``@``). ``text`` is the atom as conda keeps it; ``vo`` the :class:`VersionOrder` compared against."""

    __slots__ = ("op", "vo", "text", "regex", "bare", "glob")
    kind = "atom"

    def __init__(self, op, text, vo=None, regex=None, bare=False, glob=False):
        self.op = op
        self.text = text
        self.vo = vo
        self.regex = regex
        self.bare = bare
        self.glob = glob

    def match(self, version: str) -> bool:
        op = self.op
        if op == "re":
            return self.regex.match(version) is not None
        if op == "str":
            return version == self.text
        x = cached_order(version)
        c = x._cmp(self.vo)
        if op == "==":
            return c == 0
        if op == "!=":
            return c != 0
        if op == ">=":
            return c >= 0
        if op == "<":
            return c < 0
        if op == "<=":
            return c <= 0
        if op == ">":
            return c > 0
        if op == "=*":
            return x.startswith(self.vo)
        if op == "!=*":
            return not x.startswith(self.vo)
        # "~=": at least the version, and starting with it minus its last dotted part
        return c >= 0 and x.startswith(self.compat_prefix())

    def compat_prefix(self) -> VersionOrder:
        head = ".".join(self.vo.norm.split(".")[:-1])
        if not head:
            raise CondaSpecError(f"'{self.text}' cannot be evaluated: '~=' needs at least two version parts")
        return cached_order(head)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"VersionAtom({self.text!r})"

    def __eq__(self, other):
        return isinstance(other, VersionAtom) and self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)


class Group:
    __slots__ = ("children",)
    sep = ""

    def __init__(self, children) -> None:
        self.children = tuple(children)

    def __str__(self) -> str:
        return render_spec(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({render_spec(self)!r})"

    def __eq__(self, other):
        return type(other) is type(self) and self.children == other.children

    def __hash__(self) -> int:
        return hash((self.sep, self.children))

    def match(self, version: str) -> bool:
        # children in order, stopping at the first that decides (as conda does)
        return (all if self.sep == "," else any)(c.match(version) for c in self.children)


class AllOf(Group):
    """``a,b``: every child matches."""

    __slots__ = ()
    kind = "and"
    sep = ","


class AnyOf(Group):
    """``a|b``: some child matches."""

    __slots__ = ()
    kind = "or"
    sep = "|"


def render_spec(node, inside_and: bool = False) -> str:
    """The spec text of a tree. Unlike conda's own string form it keeps the parentheses an OR needs
    inside an AND, so the text always re-parses to the same tree."""
    if isinstance(node, AnyOf):
        text = "|".join(render_spec(c) for c in node.children)
        return f"({text})" if inside_and else text
    if isinstance(node, AllOf):
        return ",".join(render_spec(c, True) for c in node.children)
    return str(node)


REL_OP = re.compile(r"(==|!=|<=|>=|~=|=|<|>)(?![=<>!~])(\S+)\Z")
_SPEC_TOKENS = re.compile(r"\s*\^[^$]*\$|\s*[()|,]|[^()|,]+")


def _atom(text: str) -> object:
    s = text.strip()
    if not s:
        raise CondaSpecError("empty version spec")
    if s[0] == "^" or s[-1] == "$":
        if s[0] != "^" or s[-1] != "$":
            raise CondaSpecError(f"invalid version spec '{s}': a regex must start with '^' and end with '$'")
        try:
            return VersionAtom("re", s, regex=re.compile(s))
        except re.error as exc:
            raise CondaSpecError(f"invalid version regex '{s}': {exc}") from None
    if s[0] in "=<>!~":
        m = REL_OP.match(s)
        if m is None:
            raise CondaSpecError(f"invalid version spec '{s}': invalid operator")
        op, v = m.groups()
        if v.endswith(".*"):
            if op in ("=", ">="):
                v = v[:-2]
            elif op == "!=":
                v, op = v[:-2], "!=*"
            elif op == "~=":
                raise CondaSpecError(f"invalid version spec '{s}': '~=' cannot be combined with '.*'")
            else:
                v = v[:-2]  # conda ignores the '.*' after < <= > == (with a deprecation warning)
                s = op + v
        if op == "=":
            op = "=*"
        return VersionAtom(op, s, vo=cached_order(v))
    if s == "*":
        return ANY
    if "*" in s.rstrip("*"):
        pattern = "^(?:%s)$" % s.replace(".", r"\.").replace("+", r"\+").replace("*", ".*")
        try:
            return VersionAtom("re", s, regex=re.compile(pattern), glob=True)
        except re.error as exc:
            raise CondaSpecError(f"invalid version glob '{s}': {exc}") from None
    if s[-1] == "*":
        if not s.endswith(".*"):
            s = s[:-1] + ".*"
        return VersionAtom("=*", s, vo=cached_order(s[:-2]))
    if "@" not in s:
        return VersionAtom("==", s, vo=cached_order(s), bare=True)
    return VersionAtom("str", s)


def _fuse(op: str, left, right) -> tuple:
    items = []
    for side in (left, right):
        if isinstance(side, tuple) and side[0] == op:
            items.extend(side[1:])
        else:
            items.append(side)
    return (op, *items)


def _treeify(text: str):
    """Shunting-yard over ``( ) | ,`` tokens; regexes (``^…$``) are single tokens."""
    out: list = []
    ops: list = []

    def reduce(stop: str) -> None:
        while ops and ops[-1] not in stop:
            if len(out) < 2:
                raise CondaSpecError(f"invalid version spec '{text}': an operator lacks an operand")
            op = ops.pop()
            right = out.pop()
            out.append(_fuse(op, out.pop(), right))

    for token in _SPEC_TOKENS.findall(f"({text})"):
        t = token.strip()
        if t == "|":
            reduce("(")
            ops.append("|")
        elif t == ",":
            reduce("|(")
            ops.append(",")
        elif t == "(":
            ops.append("(")
        elif t == ")":
            reduce("(")
            if not ops:
                raise CondaSpecError(f"invalid version spec '{text}': unbalanced ')'")
            ops.pop()
        else:
            out.append(t)
    if ops:
        raise CondaSpecError(f"invalid version spec '{text}': unbalanced '('")
    if not out:
        raise CondaSpecError(f"invalid version spec '{text}': no version in it")
    return out[0]


def _build(tree):
    if isinstance(tree, tuple):
        children = [_build(t) for t in tree[1:]]
        return AnyOf(children) if tree[0] == "|" else AllOf(children)
    return _atom(tree)


_VSPEC_CACHE: dict = {}


def parse_version_spec(text: str):
    """Parse a conda version spec (what ``[version='…']`` holds) into a tree of :class:`AnyOf`,
    :class:`AllOf`, :class:`VersionAtom` and :data:`ANY`. ``str(tree)`` renders it back, keeping the
    parentheses it needs."""
    node = _VSPEC_CACHE.get(text)
    if node is None:
        if any(c in text for c in "()|,^$"):
            node = _build(_treeify(text))
        else:
            node = _atom(text)
        cache_put(_VSPEC_CACHE, text, node)
    return node
