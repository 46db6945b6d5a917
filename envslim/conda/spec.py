"""Conda dependency specs: MatchSpec parsing, version order, version-spec trees, PEP 440, pin merging.

The semantics are conda's own legacy parser (the one ``classic`` and ``libmamba`` use), as described in
``../shared/data/spec/CONDA_SPECS.md`` and pinned down by the vectors from conda's test suite in
``tests/data/spec``. In short:

* ``numpy=1.2`` is *fuzzy* (``1.2.*``); ``numpy==1.2`` and ``numpy 1.2`` are exact; so is the version
  in ``numpy=1.2=py_0`` (a build makes it exact, only ``=1.2.*=build`` stays fuzzy).
* In a version spec ``,`` (and) binds tighter than ``|`` (or); parentheses group, but only inside a
  bracket value: conda strips every ``(...)`` from a positional spec string.
* Versions order by epoch, then dotted/underscored components made of runs of numbers and letters
  (strings < numbers, ``dev`` lowest, ``post`` highest, ``*`` below all), then the ``+local`` part.

Everything is stdlib only and cheap to import: ``envslim rewrite --check`` runs it on every commit.

Public API: :func:`parse` -> :class:`MatchSpec`, :func:`parse_version_spec`, :class:`VersionOrder`,
:func:`to_pep440` -> :class:`Translation`, :func:`merge_pin` -> :class:`MergeResult`,
:class:`CondaSpecError`.
"""

from __future__ import annotations

import re

__all__ = [
    "CondaSpecError",
    "MatchSpec",
    "MergeResult",
    "Translation",
    "VersionOrder",
    "merge_pin",
    "parse",
    "parse_version_spec",
    "to_pep440",
]


class CondaSpecError(ValueError):
    """A spec conda rejects, or one envslim does not treat as a MatchSpec; ``reason`` says why.

    ``code`` is ``"INVALID"`` for specs conda rejects and ``"PACKAGE_FILE"`` for URL / package-file
    specs (``….conda``, ``….tar.bz2``), which envslim leaves as they are.
    """

    def __init__(self, reason: str, code: str = "INVALID") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


# conda's known subdirs: ``channel/<subdir>::name`` splits the subdir off only for these.
KNOWN_SUBDIRS = frozenset(
    (
        "noarch", "emscripten-wasm32", "wasi-wasm32", "freebsd-64", "linux-32", "linux-64",
        "linux-aarch64", "linux-armv6l", "linux-armv7l", "linux-ppc64", "linux-ppc64le",
        "linux-riscv64", "linux-s390x", "osx-64", "osx-arm64", "win-32", "win-64", "win-arm64", "zos-z",
    )
)
# Bracket keys conda accepts (``Cannot match on field(s)`` for anything else).
BRACKET_FIELDS = frozenset(
    (
        "channel", "subdir", "name", "version", "build", "build_number", "track_features", "features",
        "url", "md5", "sha256", "license", "license_family", "fn",
    )
)
_OTHER_FIELDS = ("track_features", "features", "url", "md5", "sha256", "license", "license_family", "fn")

_CACHE_LIMIT = 8192


def _remember(cache: dict, key, value):
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


# --------------------------------------------------------------------------------------------------
# Version order
# --------------------------------------------------------------------------------------------------

_VERSION_CHARS = re.compile(r"[*.+!_0-9a-z]+\Z")
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


def _cmp_parts(a: list, b: list) -> int:
    """Compare two component lists the conda way: a missing component is empty, a missing atom is 0."""
    for i in range(max(len(a), len(b))):
        ca = a[i] if i < len(a) else ()
        cb = b[i] if i < len(b) else ()
        for j in range(max(len(ca), len(cb))):
            c = _cmp_atoms(ca[j] if j < len(ca) else 0, cb[j] if j < len(cb) else 0)
            if c:
                return c
    return 0


def _trimmed(parts: list) -> tuple:
    out = []
    for comp in parts:
        comp = list(comp)
        while comp and comp[-1] == 0 and comp[-1].__class__ is not str:
            comp.pop()
        out.append(tuple(comp))
    while out and not out[-1]:
        out.pop()
    return tuple(out)


class VersionOrder:
    """A conda version, ordered as conda orders it (case-insensitive).

    ``VersionOrder("1.1") == VersionOrder("1.1.0")``; ``"1.1dev1" < "1.1a1" < "1.1.dev1" < "1.1"``;
    ``"0.5-5" == "0.5.5"``; ``"2.1.0+cu118" < "2.1.0"``. Raises :class:`CondaSpecError` for strings
    conda rejects.
    """

    __slots__ = ("text", "norm", "version", "local")

    def __init__(self, text: str) -> None:
        self.text = text
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
        self.version = [[int(epoch)]] + [_component(p, shown) for p in pieces]
        if len(local_split) == 2:
            self.local = [_component(p, shown) for p in local_split[1].replace("_", ".").split(".")]
        else:
            self.local = []

    def _cmp(self, other: VersionOrder) -> int:
        return _cmp_parts(self.version, other.version) or _cmp_parts(self.local, other.local)

    def __eq__(self, other):
        if not isinstance(other, VersionOrder):
            return NotImplemented
        return self._cmp(other) == 0

    def __lt__(self, other: VersionOrder) -> bool:
        return self._cmp(other) < 0

    def __le__(self, other: VersionOrder) -> bool:
        return self._cmp(other) <= 0

    def __gt__(self, other: VersionOrder) -> bool:
        return self._cmp(other) > 0

    def __ge__(self, other: VersionOrder) -> bool:
        return self._cmp(other) >= 0

    def __hash__(self) -> int:
        return hash((_trimmed(self.version), _trimmed(self.local)))

    def __str__(self) -> str:
        return self.norm

    def __repr__(self) -> str:
        return f"VersionOrder({self.text!r})"

    def startswith(self, other: VersionOrder) -> bool:
        """conda's prefix test (``=1.2`` / ``1.2.*``): component-wise, and inside the last component
        of ``other`` a letter run is a string prefix (``2013a*`` matches ``2013ab``)."""
        if other.local:
            if _cmp_parts(self.version, other.version):
                return False
            mine, theirs = self.local, other.local
        else:
            mine, theirs = self.version, other.version
        n = len(theirs) - 1
        if _cmp_parts(mine[:n], theirs[:n]):
            return False
        last = theirs[n]
        own = mine[n] if len(mine) > n else []
        k = len(last) - 1
        if _cmp_parts([own[:k]], [last[:k]]):
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


def _vo(text: str) -> VersionOrder:
    vo = _VO_CACHE.get(text)
    if vo is None:
        vo = _remember(_VO_CACHE, text, VersionOrder(text))
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
_ORDERED = ("<", "<=", ">", ">=")


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
        x = _vo(version)
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
        return _vo(head)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"VersionAtom({self.text!r})"

    def __eq__(self, other):
        return isinstance(other, VersionAtom) and self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)


class _Group:
    __slots__ = ("children",)
    sep = ""

    def __init__(self, children) -> None:
        self.children = tuple(children)

    def __str__(self) -> str:
        return _render(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_render(self)!r})"

    def __eq__(self, other):
        return type(other) is type(self) and self.children == other.children

    def __hash__(self) -> int:
        return hash((self.sep, self.children))

    def match(self, version: str) -> bool:
        # children in order, stopping at the first that decides (as conda does)
        return (all if self.sep == "," else any)(c.match(version) for c in self.children)


class AllOf(_Group):
    """``a,b``: every child matches."""

    __slots__ = ()
    kind = "and"
    sep = ","


class AnyOf(_Group):
    """``a|b``: some child matches."""

    __slots__ = ()
    kind = "or"
    sep = "|"


def _render(node, inside_and: bool = False) -> str:
    """The spec text of a tree. Unlike conda's own string form it keeps the parentheses an OR needs
    inside an AND, so the text always re-parses to the same tree."""
    if isinstance(node, AnyOf):
        text = "|".join(_render(c) for c in node.children)
        return f"({text})" if inside_and else text
    if isinstance(node, AllOf):
        return ",".join(_render(c, True) for c in node.children)
    return str(node)


_REL_OP = re.compile(r"(==|!=|<=|>=|~=|=|<|>)(?![=<>!~])(\S+)\Z")
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
        m = _REL_OP.match(s)
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
        return VersionAtom(op, s, vo=_vo(v))
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
        return VersionAtom("=*", s, vo=_vo(s[:-2]))
    if "@" not in s:
        return VersionAtom("==", s, vo=_vo(s), bare=True)
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
        _remember(_VSPEC_CACHE, text, node)
    return node


# --------------------------------------------------------------------------------------------------
# MatchSpec
# --------------------------------------------------------------------------------------------------

_BRACKET_KV = re.compile(r"""([a-zA-Z0-9_-]+?)=(["']?)([^'"]*?)\2(?:[, ]|$)""")
_NAME_CEP26 = re.compile(r"(?:[a-z0-9]|[a-z0-9_](?!_))[._-]?(?:[a-z0-9]+(?:[._-]|\Z))*\Z")
_NAME_VIRTUAL = re.compile(r"__[a-z0-9]+(?:[._-][a-z0-9]+)*\Z")
_NAME_RUN = re.compile(r"[^ =<>!~]*")
_BUILD_SPLIT = re.compile(r"(?<=[^=!|,<>~])[ =](?=[^-=,|<>~]+\Z)")
_CREDENTIALS = re.compile(r"(://)[^/@\s]+@|(/t/)[^/\s]+")


def mask_credentials(text: str) -> str:
    """``https://user:token@host/…`` -> ``https://***@host/…`` and ``/t/<token>/`` -> ``/t/***/``."""
    return _CREDENTIALS.sub(lambda m: (m.group(1) or m.group(2)) + ("***@" if m.group(1) else "***"), text)


def _outer(text: str, opening: str, closing: str) -> str | None:
    """The section conda's greedy ``.*(\\[.*\\])`` finds: from the last opening before the last
    closing, to that closing."""
    j = text.rfind(closing)
    if j < 0:
        return None
    i = text.rfind(opening, 0, j)
    return None if i < 0 else text[i : j + 1]


def _split_version_build(text: str) -> tuple[str, str | None]:
    """Split ``version build`` / ``version=build``: the build is the first tail after a space or ``=``
    that holds none of ``- = , | < > ~`` and does not follow an operator character."""
    m = _BUILD_SPLIT.search(text)
    if m is None:
        return text.replace(" ", ""), None
    return text[: m.start()].replace(" ", ""), text[m.end() :].strip()


def _sanitize_version(version: str, build: str | None) -> str:
    """conda's positional rewrites: ``=1.2`` -> ``1.2*`` (fuzzy), ``==1.2`` -> ``1.2``, and with a build
    ``=1.2=b`` -> ``1.2`` (exact)."""
    if version in ("==", "=") or version[0] != "=":
        return version
    bare = version.lstrip("=")
    if version.startswith("==") and build is None:
        return bare
    if not any(c in bare for c in "=,|"):
        if build is None and not bare.endswith("*"):
            return bare + "*"
        return bare
    return version


def _parse_channel(text: str | None) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    channel, subdir = text.rstrip("/"), None
    head, sep, last = channel.rpartition("/")
    if sep and last in KNOWN_SUBDIRS:
        channel, subdir = head, last
    if channel == "pkgs/main":
        channel = "defaults"
    return channel or None, subdir


def _glob_regex(value: str):
    try:
        if value.startswith("^") and value.endswith("$"):
            return re.compile(value)
        if "*" in value:
            return re.compile("^(?:%s)$" % re.escape(value).replace(r"\*", ".*"))
    except re.error as exc:
        raise CondaSpecError(f"invalid pattern '{value}': {exc}") from None
    return None


def _check_build_number(value: str):
    v = value.strip()
    if v.isdigit() or v == "*":
        return None
    if v[:1] in ("=", "<", ">", "!"):
        m = _REL_OP.match(v)
        if m is None or m.group(1) == "~=":
            raise CondaSpecError(f"invalid build_number '{value}': invalid operator")
        return m.group(1), _vo(m.group(2))
    if v.startswith("^") or v.endswith("$"):
        if not (v.startswith("^") and v.endswith("$")):
            raise CondaSpecError(f"invalid build_number '{value}': a regex must start with '^' and end with '$'")
        return "re", _glob_regex(v)
    return None


class MatchSpec:
    """A parsed conda dependency spec.

    Attributes: ``original`` (the text given), ``name`` (lower case; may be a glob such as ``*``),
    ``channel`` and ``subdir`` (or None), ``version`` (version-spec tree, or None for any version),
    ``raw_version`` (the version string conda keeps, e.g. ``1.8*`` for ``numpy=1.8``), ``build``,
    ``build_number`` and ``fields`` (other bracket keys: md5, url, license, …).

    ``str(spec)`` is conda's canonical form (``numpy==1.8=py27_0``, ``numpy[version='>=1.8,<2']``),
    except that it keeps the parentheses a version tree needs.
    """

    __slots__ = (
        "original", "name", "channel", "subdir", "raw_version", "version", "build", "build_number",
        "fields", "version_sep", "_build_re", "_build_number_test",
    )

    def __init__(self, original, name, channel, subdir, raw_version, build, build_number, fields, sep):
        self.original = original
        self.name = name
        self.channel = channel
        self.subdir = subdir
        self.raw_version = raw_version
        self.version = None if raw_version is None else parse_version_spec(raw_version)
        self.build = build
        self.build_number = build_number
        self.fields = fields
        self.version_sep = sep
        self._build_re = None if build is None else _glob_regex(build)
        self._build_number_test = None if build_number is None else _check_build_number(build_number)

    # -- matching ----------------------------------------------------------------------------------

    def matches_version(self, version: str) -> bool:
        """Whether conda would accept ``version`` for this spec (version constraint only)."""
        return True if self.version is None else self.version.match(version)

    def match(self, record) -> bool:
        """Whether a package record (a mapping with ``name``, ``version``, ``build``,
        ``build_number``, …) satisfies every field of the spec."""
        name = str(record.get("name", ""))
        if "*" in self.name or (self.name.startswith("^") and self.name.endswith("$")):
            if self.name != "*" and not _glob_regex(self.name).match(name):
                return False
        elif name != self.name:
            return False
        if self.version is not None and not self.version.match(str(record.get("version", ""))):
            return False
        if self.build is not None:
            build = str(record.get("build", ""))
            ok = self._build_re.match(build) if self._build_re is not None else build == self.build
            if not ok:
                return False
        if self.build_number is not None and not self._match_build_number(record.get("build_number")):
            return False
        for key, want in (("channel", self.channel), ("subdir", self.subdir), *self.fields.items()):
            if want is None or want == "*":
                continue
            if key not in record or str(record[key]) != want:
                return False
        return True

    def _match_build_number(self, value) -> bool:
        test = self._build_number_test
        bn = self.build_number.strip()
        if bn == "*":
            return True
        if test is None:
            return str(value) == bn
        op, arg = test
        if op == "re":
            return arg.match(str(value)) is not None
        return VersionAtom(op if op != "=" else "=*", bn, vo=arg).match(str(value))

    # -- rendering ---------------------------------------------------------------------------------

    def __str__(self) -> str:
        return self._render(self.version)

    def __repr__(self) -> str:
        return f"MatchSpec({str(self)!r})"

    def __eq__(self, other):
        return isinstance(other, MatchSpec) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def _render(self, version) -> str:
        builder: list[str] = []
        brackets: list[str] = []
        channel = self.channel
        exact_channel = channel is not None and "*" not in channel
        if exact_channel:
            builder.append(channel)
        elif channel is not None and channel != "*":
            brackets.append(f"channel={channel}")
        if self.subdir is not None:
            if exact_channel:
                builder.append(f"/{self.subdir}")
            else:
                brackets.append(f"subdir={self.subdir}")
        builder.append(("::" if builder else "") + self.name)
        exact = False
        if version is not None and version != ANY:
            text = _render(version)
            single = isinstance(version, VersionAtom)
            if any(c in text for c in "><$^|,") or (single and version.op == "re" and not version.glob):
                brackets.append(f"version='{text}'")
            elif text[:2] in ("!=", "~="):
                if self.build:
                    brackets.append(f"version='{text}'")
                else:
                    builder.append(text)
            elif single and version.op == "=*":
                base = text.lstrip("=")
                builder.append("=" + (base[:-2] if base.endswith(".*") else base))
            elif text.startswith("=="):
                builder.append(text)
                exact = True
            else:
                builder.append("==" + text)
                exact = True
        if self.build is not None:
            if any(c in self.build for c in "><$^|,"):
                brackets.append(f"build='{self.build}'")
            elif "*" in self.build or not exact:
                brackets.append(f"build={self.build}")
            else:
                builder.append("=" + self.build)
        extras = [("build_number", self.build_number)] + [(k, self.fields.get(k)) for k in _OTHER_FIELDS]
        for key, value in extras:
            if value is not None:
                quoted = any(c in value for c in ", =")
                brackets.append(f"{key}='{value}'" if quoted else f"{key}={value}")
        if brackets:
            builder.append("[" + ",".join(brackets) + "]")
        return "".join(builder)

    def with_version(self, version: str | None, sep: str | None = None) -> str:
        """A spec string for this package with its version constraint replaced by ``version`` (a
        version spec such as a :func:`merge_pin` result; None for any version). Channel, subdir, build
        and other fields are kept. The short positional form (``numpy >=1.22,<2``) is used when it
        parses back to the same meaning, else conda's bracket form. ``sep`` goes between name and
        version (default: as in the original line)."""
        tree = None if version is None else parse_version_spec(version)
        prefix = ""
        if self.channel is not None and self.channel != "*":
            prefix = self.channel + (f"/{self.subdir}" if self.subdir else "") + "::"
        head = prefix + self.name
        candidates = []
        plain = self.build_number is None and not self.fields and (self.subdir is None or prefix)
        if plain and tree is None and self.build is None:
            candidates.append(head)
        elif plain and tree is not None:
            text = _render(tree)
            gap = self.version_sep if sep is None else sep
            if text[0] not in "<>=!~":
                gap = " "
            candidates.append(head + gap + text + (f" {self.build}" if self.build is not None else ""))
        candidates.append(self._render(tree))
        for candidate in candidates:
            try:
                again = parse(candidate)
            except CondaSpecError:
                continue
            if self._same_fields(again) and _same_meaning(again.version, tree):
                return candidate
        raise CondaSpecError(f"cannot write version '{version}' into a spec for {self.name}")

    def _same_fields(self, other: MatchSpec) -> bool:
        return (self.name, self.channel, self.subdir, self.build, self.build_number, self.fields) == (
            other.name, other.channel, other.subdir, other.build, other.build_number, other.fields
        )


def _same_meaning(a, b) -> bool:
    if a is None or b is None:
        return (a is None or a == ANY) and (b is None or b == ANY)
    if _render(a) == _render(b):
        return True
    sa, sb = _sets(a), _sets(b)
    if sa[0] != sa[1] or sb[0] != sb[1]:
        return False
    return _subset(sa[0], sb[0]) and _subset(sb[0], sa[0])


_PARSE_CACHE: dict = {}


def parse(spec: str) -> MatchSpec:
    """Parse a conda dependency spec the way conda's legacy parser does. Raises
    :class:`CondaSpecError` (with the reason) for specs conda rejects, and (``code ==
    "PACKAGE_FILE"``) for URL / package-file specs, which are not MatchSpecs."""
    cached = _PARSE_CACHE.get(spec)
    if cached is not None:
        return cached
    return _remember(_PARSE_CACHE, spec, _parse(spec))


def _parse(original: str) -> MatchSpec:
    if not isinstance(original, str):
        raise TypeError(f"a spec is a string, not {type(original).__name__}")
    s = original
    if s.endswith("@"):  # legacy track_feature spec
        return MatchSpec(original, "*", None, None, None, None, None, {"track_features": s[:-1]}, "")
    if "#" in s:
        s = s[: s.index("#")]
    s = s.split(" if ", 1)[0]
    if s.endswith((".conda", ".tar.bz2")):
        raise CondaSpecError("a package file or URL, not a MatchSpec: left as it is", "PACKAGE_FILE")

    brackets: dict[str, str] = {}
    section = _outer(s, "[", "]")
    if section is not None:
        s = s.replace(section, "")
        for m in _BRACKET_KV.finditer(section[1:-1]):
            key, _, value = m.groups()
            if not value:
                raise CondaSpecError(f"key-value mismatch in brackets: '{key}' has no value")
            if key == "version":
                value = _sanitize_version(value, None)
            brackets[key] = value
    section = _outer(s, "(", ")")
    if section is not None:
        s = s.replace(section, "")  # conda drops '(…)' wherever it is (the old target/optional syntax)

    parts = s.rsplit(":", 2)
    s = parts[-1]
    channel, subdir = _parse_channel(parts[0] if len(parts) == 3 else None)
    if "channel" in brackets:
        b_channel, b_subdir = _parse_channel(brackets.pop("channel"))
        channel = b_channel or channel
        subdir = b_subdir or subdir
    if "subdir" in brackets:
        subdir = brackets.pop("subdir")

    cut = _NAME_RUN.match(s).end()
    name = s[:cut]
    if not name:
        raise CondaSpecError(f"no package name found in '{s}'")
    rest = s[cut:].strip() if len(s) - cut >= 2 else ""
    sep = " " if rest and s[cut] == " " else ""
    version = build = None
    if rest:
        if "[" in rest:
            raise CondaSpecError("multiple bracket sections are not allowed")
        version, build = _split_version_build(rest)
        version = _sanitize_version(version, build)

    name = name.lower()
    if "*" not in name and not (_NAME_CEP26.match(name) or _NAME_VIRTUAL.match(name)):
        raise CondaSpecError(f"invalid package name '{name}' (CEP 26: lower-case letters, digits and . _ -)")
    brackets.pop("name", None)  # conda ignores a name given in brackets (with a warning)
    unknown = sorted(set(brackets) - BRACKET_FIELDS)
    if unknown:
        raise CondaSpecError(f"cannot match on field(s): {', '.join(unknown)}")
    version = brackets.pop("version", version)
    build = brackets.pop("build", build)
    build_number = brackets.pop("build_number", None)
    return MatchSpec(original, name, channel, subdir, version, build, build_number, brackets, sep)


# --------------------------------------------------------------------------------------------------
# Sets of versions (for merging pins): unions of intervals in conda order
# --------------------------------------------------------------------------------------------------
# An interval is (lo, lo_closed, hi, hi_closed) with VersionOrder bounds, None for -inf / +inf. A set
# is a sorted list of disjoint intervals. Atoms conda cannot order exactly (regexes, inner globs,
# letter prefixes) have no exact set: _sets() returns (under, over) approximations.

_FULL = [(None, False, None, False)]


def _lo_key_lt(a, b) -> bool:
    """Whether lower bound a starts before lower bound b."""
    if a[0] is None:
        return b[0] is not None
    if b[0] is None:
        return False
    c = a[0]._cmp(b[0])
    return c < 0 or (c == 0 and a[1] and not b[1])


def _nonempty(lo, lo_closed, hi, hi_closed) -> bool:
    if lo is None or hi is None:
        return True
    c = lo._cmp(hi)
    return c < 0 or (c == 0 and lo_closed and hi_closed)


def _intersect(a: list, b: list) -> list:
    out = []
    for lo1, lc1, hi1, hc1 in a:
        for lo2, lc2, hi2, hc2 in b:
            if lo1 is None or (lo2 is not None and (lo2._cmp(lo1) > 0 or (lo2._cmp(lo1) == 0 and not lc2))):
                lo, lc = lo2, lc2
            else:
                lo, lc = lo1, lc1
            if hi1 is None or (hi2 is not None and (hi2._cmp(hi1) < 0 or (hi2._cmp(hi1) == 0 and not hc2))):
                hi, hc = hi2, hc2
            else:
                hi, hc = hi1, hc1
            if _nonempty(lo, lc, hi, hc):
                out.append((lo, lc, hi, hc))
    return _union(out, [])


def _union(a: list, b: list) -> list:
    items = sorted(a + b, key=_SortLo)
    out: list = []
    for iv in items:
        if out:
            lo, lc, hi, hc = out[-1]
            touches = hi is None or iv[0] is None or iv[0]._cmp(hi) < 0 or (
                iv[0]._cmp(hi) == 0 and (hc or iv[1])
            )
            if touches:
                if hi is None or iv[2] is None:
                    new_hi, new_hc = None, False
                else:
                    c = iv[2]._cmp(hi)
                    new_hi, new_hc = (iv[2], iv[3]) if c > 0 else (hi, hc or (c == 0 and iv[3]))
                out[-1] = (lo, lc, new_hi, new_hc)
                continue
        out.append(iv)
    return out


class _SortLo:
    __slots__ = ("iv",)

    def __init__(self, iv) -> None:
        self.iv = iv

    def __lt__(self, other: _SortLo) -> bool:
        return _lo_key_lt(self.iv, other.iv)


def _complement(a: list) -> list:
    out = []
    lo, lc = None, False
    for ilo, ilc, ihi, ihc in a:
        if ilo is not None and _nonempty(lo, lc, ilo, not ilc):
            out.append((lo, lc, ilo, not ilc))
        if ihi is None:
            return out
        lo, lc = ihi, not ihc
    out.append((lo, lc, None, False))
    return out


def _subset(a: list, b: list) -> bool:
    return not _intersect(a, _complement(b))


def _release(numbers: list) -> VersionOrder:
    epoch, rest = numbers[0], numbers[1:] or [0]
    return _vo(f"{epoch}!" + ".".join(str(n) for n in rest))


def _first_release(lo, lo_closed, depth: int):
    """The smallest plain release >= lo (> lo when open), or, when lo is itself a release and open,
    a release just above it at a depth no other bound reaches."""
    if lo is None:
        return _release([0])
    head = []
    for comp in lo.version:
        if len(comp) >= 1 and comp[0].__class__ is int and all(x == 0 and x.__class__ is int for x in comp[1:]):
            head.append(comp[0])
            continue
        first = comp[0]
        if first.__class__ is str:
            return _release(head)
        tail = next((x for x in comp[1:] if not (x == 0 and x.__class__ is int)), None)
        return _release(head + [first if tail.__class__ is str else first + 1])
    local = _cmp_parts(lo.local, [])
    if local < 0 or (local == 0 and lo_closed):
        return _release(head)
    return _release(head + [0] * max(0, depth - len(head)) + [1])


def _has_release(a: list) -> bool:
    for lo, lc, hi, hc in a:
        depth = 1 + max(len(lo.version) if lo is not None else 0, len(hi.version) if hi is not None else 0)
        r = _first_release(lo, lc, depth)
        if hi is None:
            return True
        c = r._cmp(hi)
        if c < 0 or (c == 0 and hc):
            return True
    return False


def _prefix_interval(vo: VersionOrder):
    """conda's prefix set of a plain release V is exactly [V*, bump(V)*)."""
    if not vo.is_release:
        return None
    nums = [c[0] for c in vo.version]
    text = f"{nums[0]}!" + ".".join(str(n) for n in nums[1:])
    bumped = f"{nums[0]}!" + ".".join(str(n) for n in nums[1:-1] + [nums[-1] + 1])
    return [(_vo(text + "*"), True, _vo(bumped + "*"), False)]


def _atom_set(atom) -> list | None:
    op = atom.op
    vo = atom.vo
    if op == "==":
        return [(vo, True, vo, True)]
    if op == "!=":
        return _complement([(vo, True, vo, True)])
    if op == "<":
        return [(None, False, vo, False)]
    if op == "<=":
        return [(None, False, vo, True)]
    if op == ">":
        return [(vo, False, None, False)]
    if op == ">=":
        return [(vo, True, None, False)]
    if op in ("=*", "!=*"):
        s = _prefix_interval(vo)
        if s is None:
            return None
        return s if op == "=*" else _complement(s)
    if op == "~=":
        head = ".".join(vo.norm.split(".")[:-1])
        if not head:
            return None
        prefix = _prefix_interval(_vo(head))
        return None if prefix is None else _intersect([(vo, True, None, False)], prefix)
    return None  # regex, glob, exact string


def _sets(node) -> tuple[list, list]:
    """(under, over): every version in ``under`` matches, every match is in ``over``."""
    if node is None or node == ANY:
        return _FULL, _FULL
    if isinstance(node, VersionAtom):
        s = _atom_set(node)
        return ([], _FULL) if s is None else (s, s)
    parts = [_sets(c) for c in node.children]
    under, over = parts[0]
    for u, o in parts[1:]:
        if isinstance(node, AllOf):
            under, over = _intersect(under, u), _intersect(over, o)
        else:
            under, over = _union(under, u), _union(over, o)
    return under, over


# --------------------------------------------------------------------------------------------------
# Pin merging
# --------------------------------------------------------------------------------------------------


class MergeResult:
    """``status``: ``added`` (merged narrows the spec), ``redundant`` (the spec already implies the
    pin), ``conflict`` (no version satisfies both; ``merged`` is None), ``prerelease_only`` (only
    pre-releases / dev builds satisfy both: a conflict in practice), ``unknown`` (regex, inner-glob or
    letter-prefix atoms keep envslim from deciding). ``merged`` is the version spec to write."""

    __slots__ = ("status", "merged", "reason")

    def __init__(self, status: str, merged: str | None, reason: str) -> None:
        self.status = status
        self.merged = merged
        self.reason = reason

    def __repr__(self) -> str:
        return f"MergeResult({self.status!r}, {self.merged!r}, {self.reason!r})"


def _branches(node) -> list:
    return list(node.children) if isinstance(node, AnyOf) else [node]


def _conj(a, b):
    items = []
    for side in (a, b):
        items.extend(side.children if isinstance(side, AllOf) else (side,))
    return AllOf(items)


def merge_pin(existing: str | None, pin: str) -> MergeResult:
    """AND a pin (e.g. ``<2``) into an existing conda version spec (what ``[version='…']`` holds;
    None or ``*`` for none). Over OR branches the pin is distributed and branches it empties are
    dropped; the merged text is rendered from the tree, so it keeps every parenthesis it needs.
    Raises :class:`CondaSpecError` if either is not a valid version spec."""
    pin_tree = parse_version_spec(pin)
    old = None if existing is None or not existing.strip() else parse_version_spec(existing)
    shown = "any version" if old is None else f"'{_render(old)}'"
    pin_text = _render(pin_tree)
    if old is None or old == ANY:
        if pin_tree == ANY:
            return MergeResult("redundant", None if old is None else "*", f"'{pin_text}' admits every version")
        return MergeResult("added", pin_text, f"'{pin_text}' added to {shown}")

    ue, oe = _sets(old)
    up, op = _sets(pin_tree)
    both_over = _intersect(oe, op)
    if not both_over:
        return MergeResult("conflict", None, f"no version satisfies both {shown} and '{pin_text}'")
    if _subset(oe, up):
        return MergeResult("redundant", _render(old), f"{shown} already implies '{pin_text}'")

    kept = []
    for branch in _branches(old):
        ub, ob = _sets(branch)
        for p in _branches(pin_tree):
            upb, opb = _sets(p)
            if not _intersect(ob, opb):
                continue  # this branch and this pin branch have nothing in common: drop it
            if _subset(ob, upb):
                node = branch
            elif p == ANY:
                node = branch
            else:
                node = _conj(branch, p)
            if node not in kept:
                kept.append(node)
    merged = kept[0] if len(kept) == 1 else AnyOf(kept)
    text = _render(merged)
    exact = ue == oe and up == op
    if not _has_release(both_over):
        return MergeResult(
            "prerelease_only", text, f"only pre-releases or dev builds satisfy both {shown} and '{pin_text}'"
        )
    if exact or (_has_release(_intersect(ue, up)) and not _subset(ue, op)):
        return MergeResult("added", text, f"'{pin_text}' added to {shown}")
    return MergeResult(
        "unknown", text, f"cannot tell how {shown} and '{pin_text}' overlap (regex, glob or letter prefix)"
    )


# --------------------------------------------------------------------------------------------------
# Translation to PEP 440
# --------------------------------------------------------------------------------------------------


class Translation:
    """The PEP 440 form of a conda spec.

    ``status``: ``exact`` (same versions, see the caveats in :func:`to_pep440`), ``lossy`` (the version
    part is exact; a build, build number, channel, subdir or other field is dropped, listed in
    ``dropped`` with messages in ``warnings``) or ``untranslatable`` (``reason_code`` and ``reason``
    say why; ``requirement`` and ``specifier`` are None). ``requirement`` is e.g.
    ``pyarrow>=12,<13``, ``specifier`` the part after the name. For an OR that cannot be expressed,
    ``wider_hint`` may hold a wider specifier covering every branch (never applied by envslim)."""

    __slots__ = ("status", "requirement", "specifier", "dropped", "warnings", "reason_code", "reason", "wider_hint")

    def __init__(self, status, requirement=None, specifier=None, dropped=(), warnings=(), reason_code=None,
                 reason="", wider_hint=None):
        self.status = status
        self.requirement = requirement
        self.specifier = specifier
        self.dropped = list(dropped)
        self.warnings = list(warnings)
        self.reason_code = reason_code
        self.reason = reason
        self.wider_hint = wider_hint

    def __repr__(self) -> str:
        detail = self.requirement if self.status != "untranslatable" else self.reason_code
        return f"Translation({self.status!r}, {detail!r})"


class _Untranslatable(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


_PEP_MAIN = re.compile(r"([0-9]+(?:\.[0-9]+)*)(?:(a|b|rc)([0-9]*))?(?:\.post([0-9]*))?(?:\.dev([0-9]*))?\Z")
_PEP_LOCAL = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*\Z")


class _PepVersion:
    __slots__ = ("text", "epoch", "release", "local", "pre", "post", "dev")

    def __init__(self, text, epoch, release, local, pre, post, dev):
        self.text = text
        self.epoch = epoch
        self.release = release
        self.local = local
        self.pre = pre
        self.post = post
        self.dev = dev

    @property
    def pure(self) -> bool:
        return not (self.local or self.pre or self.post is not None or self.dev is not None)


def _pep(text: str) -> _PepVersion | None:
    """The PEP 440 version conda's ``text`` means, if both order it alike: ``1.0_1`` -> 1.0.1,
    ``2.0rc`` -> 2.0rc0, ``1.0.post`` -> 1.0.post0; None for ``1.0c1``, ``1.1.1_``, ``2013k``…"""
    s = text.strip().lower()
    if "*" in s:
        return None
    if "-" in s:
        if "_" in s:
            return None
        s = s.replace("-", "_")
    if s.endswith("_"):
        return None
    epoch, bang, s = s.rpartition("!")
    if bang and not epoch.isdigit():
        return None
    main, plus, local = s.partition("+")
    m = _PEP_MAIN.match(main.replace("_", "."))
    if m is None:
        return None
    if plus:
        local = local.replace("_", ".")
        if not _PEP_LOCAL.match(local):
            return None
    release, pre, pre_n, post, dev = m.groups()
    out = (f"{epoch}!" if bang else "") + release
    if pre:
        out += pre + (pre_n or "0")
    if post is not None:
        out += ".post" + (post or "0")
    if dev is not None:
        out += ".dev" + (dev or "0")
    if plus:
        out += "+" + local
    return _PepVersion(
        out, int(epoch) if bang else 0, tuple(int(n) for n in release.split(".")), local if plus else "",
        pre, post, dev,
    )


def _literal(atom: VersionAtom) -> _PepVersion:
    text = atom.vo.norm if atom.vo is not None else atom.text
    pv = _pep(text)
    if pv is None:
        raise _Untranslatable(
            "VERSION_NOT_PEP440",
            f"version '{text}' is not a PEP 440 version that orders the way conda orders it "
            "(conda compares letter runs as strings and splits on '_' and '-')",
        )
    return pv


def _no_local(atom: VersionAtom, pv: _PepVersion) -> None:
    if pv.local:
        raise _Untranslatable(
            "LOCAL_IN_ORDERED", f"'{atom.text}': PEP 440 allows a local version ('+{pv.local}') only with == and !="
        )


def _no_post_order(atom: VersionAtom, pv: _PepVersion) -> None:
    if pv.post is not None and not pv.pre:
        r = ".".join(str(n) for n in pv.release)
        raise _Untranslatable(
            "POST_RELEASE_ORDER",
            f"'{atom.text}': conda sorts {r}.postN after the releases {r}.0.x (PEP 440 sorts it before them), "
            "so the comparison would select different releases",
        )


def _translate_atom(atom) -> list[str]:
    if atom == ANY:
        return []
    op = atom.op
    if op == "re":
        what = "inner wildcard" if atom.glob else "regex"
        raise _Untranslatable("REGEX_OR_INNER_GLOB", f"{what} version '{atom.text}' has no PEP 440 form")
    if op == "str":
        raise _Untranslatable("VERSION_NOT_PEP440", f"version '{atom.text}' is not a PEP 440 version")
    if op in ("=*", "!=*"):
        pv = _pep(atom.vo.norm)
        if pv is None or not pv.pure:
            raise _Untranslatable(
                "PREFIX_NOT_RELEASE",
                f"prefix match on '{atom.vo.norm}': PEP 440 '.*' works on release numbers only "
                "(conda also matches letter prefixes inside a component: 2013a* matches 2013ab)",
            )
        return [("==" if op == "=*" else "!=") + pv.text + ".*"]
    pv = _literal(atom)
    if op in ("==", "!="):
        return [op + pv.text]
    _no_local(atom, pv)
    if op in _ORDERED:
        _no_post_order(atom, pv)
        return [op + pv.text]
    # "~=": conda means >= V and "starts with V minus its last dotted part"
    parts = atom.vo.norm.split(".")
    if len(pv.release) < 2:
        raise _Untranslatable("COMPAT_TOO_SHORT", f"'{atom.text}': '~=' needs at least two release numbers")
    _no_post_order(atom, pv)
    head = _pep(".".join(parts[:-1]))
    if head is None or not head.pure:
        raise _Untranslatable(
            "PREFIX_NOT_RELEASE", f"'{atom.text}': conda's '~=' prefix '{'.'.join(parts[:-1])}' is not a release"
        )
    if (head.epoch, head.release) == (pv.epoch, pv.release[:-1]):
        return ["~=" + pv.text]
    return [">=" + pv.text, "==" + head.text + ".*"]


def _is_any(node) -> bool:
    if node is None or node == ANY:
        return True
    if isinstance(node, AllOf):
        return all(_is_any(c) for c in node.children)
    if isinstance(node, AnyOf):
        return any(_is_any(c) for c in node.children)
    return False


def _atoms(node):
    if isinstance(node, _Group):
        for child in node.children:
            yield from _atoms(child)
    elif isinstance(node, VersionAtom):
        yield node


def _translate_tree(node) -> list[str]:
    for atom in _atoms(node):
        if atom.op == "~=" and "." not in atom.vo.norm:
            # conda parses '~=1' but raises when it compares a version against it
            raise _Untranslatable("COMPAT_TOO_SHORT", f"'{atom.text}': '~=' needs at least two release numbers")
    return _translate_node(node)


def _translate_node(node) -> list[str]:
    if _is_any(node):
        return []
    if isinstance(node, AnyOf):
        raise _Untranslatable("OR_NOT_EXPRESSIBLE", "'|' alternatives cannot be expressed as one PEP 440 specifier set")
    if isinstance(node, AllOf):
        out: list[str] = []
        for child in node.children:
            out.extend(_translate_node(child))
        return out
    return _translate_atom(node)


def _hull_hint(node) -> str | None:
    """A specifier covering every branch of an OR (wider than the OR), when each branch translates."""
    lows, highs = [], []
    for branch in node.children:
        try:
            clauses = _translate_tree(branch)
        except _Untranslatable:
            return None
        lo = hi = None
        for clause in clauses:
            op = clause[:2] if clause[:2] in ("==", "!=", ">=", "<=", "~=") else clause[:1]
            v = clause[len(op):]
            if op == "==" and v.endswith(".*"):
                base = _vo(v[:-2])
                nums = [c[0] for c in base.version]
                lo = (base, ">=", v[:-2])
                bumped = ".".join(str(n) for n in nums[1:-1] + [nums[-1] + 1])
                bumped = bumped if nums[0] == 0 else f"{nums[0]}!{bumped}"
                hi = (_vo(bumped), "<", bumped)
            elif op in ("==", ">=", ">"):
                lo = (_vo(v), ">=" if op == "==" else op, v)
                if op == "==":
                    hi = (_vo(v), "<=", v)
            elif op in ("<", "<="):
                hi = (_vo(v), op, v)
        lows.append(lo)
        highs.append(hi)
    parts = []
    if all(lows):
        parts.append(min(lows, key=lambda b: (_SortVO(b[0]), b[1] == ">"))[1:])
    if all(highs):
        parts.append(max(highs, key=lambda b: (_SortVO(b[0]), b[1] == "<="))[1:])
    return ",".join(op + v for op, v in parts) or None


class _SortVO:
    __slots__ = ("vo",)

    def __init__(self, vo) -> None:
        self.vo = vo

    def __lt__(self, other: _SortVO) -> bool:
        return self.vo._cmp(other.vo) < 0

    def __eq__(self, other) -> bool:
        return self.vo._cmp(other.vo) == 0


def to_pep440(spec, pypi_name: str | None = None) -> Translation:
    """Translate a conda spec (string or :class:`MatchSpec`) to a PEP 440 requirement for ``pip:``.

    ``pypi_name`` names the requirement (default: the conda name as it is; mapping names is
    :mod:`envslim.knowledge.names`' job). An ``exact`` or ``lossy`` translation never admits a release
    (``N(.N)*``) that the conda spec rejects, and agrees with conda on every release. On
    pre-releases, dev builds and local versions PEP 440 is stricter: ``<2`` excludes ``2.0rc1`` (conda
    includes it), ``==1.26`` does not match ``1.26+local`` in conda, and conda sorts ``2.0.dev0`` after
    ``2.0rc1``."""
    try:
        ms = spec if isinstance(spec, MatchSpec) else parse(spec)
    except CondaSpecError as exc:
        code = "PACKAGE_FILE" if exc.code == "PACKAGE_FILE" else "INVALID_CONDA_SPEC"
        return Translation("untranslatable", reason_code=code, reason=exc.reason)
    if "*" in ms.name or ms.name.startswith("^"):
        return Translation("untranslatable", reason_code="NAME_GLOB", reason=f"package name '{ms.name}' is a pattern")
    try:
        clauses = _translate_tree(ms.version)
    except _Untranslatable as exc:
        hint = _hull_hint(ms.version) if exc.code == "OR_NOT_EXPRESSIBLE" else None
        return Translation("untranslatable", reason_code=exc.code, reason=exc.reason, wider_hint=hint)
    specifier = ",".join(clauses)
    warnings = []
    if ms.channel is not None and ms.channel != "*":
        warnings.append(("CHANNEL_DROPPED", f"channel '{mask_credentials(ms.channel)}' dropped: pip installs from its index"))
    if ms.subdir is not None:
        warnings.append(("SUBDIR_DROPPED", f"subdir '{ms.subdir}' dropped: pip picks the wheel for the platform"))
    if ms.build is not None and ms.build != "*":
        warnings.append(("BUILD_DROPPED", f"build string '{ms.build}' dropped: PEP 440 has no build strings"))
    if ms.build_number is not None and ms.build_number.strip() != "*":
        warnings.append(("BUILD_NUMBER_DROPPED", f"build_number '{ms.build_number}' dropped"))
    for key in _OTHER_FIELDS:
        if key in ms.fields:
            warnings.append(("FIELD_DROPPED", f"{key}='{mask_credentials(ms.fields[key])}' dropped"))
    name = pypi_name or ms.name
    status = "lossy" if warnings else "exact"
    return Translation(
        status,
        requirement=name + specifier,
        specifier=specifier,
        dropped=[code for code, _ in warnings],
        warnings=warnings,
        reason="; ".join(msg for _, msg in warnings),
    )
