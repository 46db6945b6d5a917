"""Conda dependency specs: MatchSpec parsing with conda's semantics.

The semantics are conda's own legacy parser (the one ``classic`` and ``libmamba`` use), as described in
``../shared/data/spec/CONDA_SPECS.md`` and pinned down by the vectors from conda's test suite in
``tests/data/spec``. In short:

* ``numpy=1.2`` is *fuzzy* (``1.2.*``); ``numpy==1.2`` and ``numpy 1.2`` are exact; so is the version
  in ``numpy=1.2=py_0`` (a build makes it exact, only ``=1.2.*=build`` stays fuzzy).
* Version order and version-spec trees are in :mod:`envslim.conda.version`; pin merging in
  :mod:`envslim.conda.ranges`; the PEP 440 translation in :mod:`envslim.conda.pep440`.

Everything is stdlib only and cheap to import: ``envslim rewrite --check`` runs it on every commit.

Public API: :func:`parse` -> :class:`MatchSpec`.
"""

from __future__ import annotations

import re

from envslim.conda.ranges import match_sets, is_subset
from envslim.conda.version import ANY, CondaSpecError, VersionAtom, REL_OP, cache_put, render_spec, cached_order, parse_version_spec

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
OTHER_FIELDS = ("track_features", "features", "url", "md5", "sha256", "license", "license_family", "fn")


# --------------------------------------------------------------------------------------------------
# MatchSpec
# --------------------------------------------------------------------------------------------------

_BRACKET_KV = r"""([a-zA-Z0-9_-]+?)=(["']?)([^'"]*?)\2(?:[, ]|$)"""  # (compiled by re on first use: rare)
_NAME_CEP26 = re.compile(r"(?:[a-z0-9]|[a-z0-9_](?!_))[._-]?(?:[a-z0-9]+(?:[._-]|\Z))*\Z")
_NAME_VIRTUAL = r"__[a-z0-9]+(?:[._-][a-z0-9]+)*\Z"  # (compiled by re on first use: rare)
_NAME_RUN = re.compile(r"[^ =<>!~]*")
_BUILD_SPLIT = re.compile(r"(?<=[^=!|,<>~])[ =](?=[^-=,|<>~]+\Z)")
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


class Glob:
    """A ``*`` pattern (``*_cp311``, ``py*``, ``*cpu*``) matched as the regex ``^(?:a.*b)$`` matches it,
    without compiling one (a spec's build pattern is parsed far more often than it is matched)."""

    __slots__ = ("pattern", "pieces", "_regex")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.pieces = pattern.split("*")
        self._regex = None

    def match(self, text: str) -> bool:
        if "\n" in text:  # '.*' and '$' treat a newline specially: the regex decides
            if self._regex is None:
                self._regex = re.compile("^(?:%s)$" % re.escape(self.pattern).replace(r"\*", ".*"))
            return self._regex.match(text) is not None
        pieces = self.pieces
        first, last = pieces[0], pieces[-1]
        if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
            return False
        at, end = len(first), len(text) - len(last)
        for piece in pieces[1:-1]:  # leftmost is enough: each '*' may take any run
            i = text.find(piece, at, end)
            if i < 0:
                return False
            at = i + len(piece)
        return True


def _glob_regex(value: str):
    if value.startswith("^") and value.endswith("$"):
        try:
            return re.compile(value)
        except re.error as exc:
            raise CondaSpecError(f"invalid pattern '{value}': {exc}") from None
    if "*" in value:
        return Glob(value)
    return None


def _check_build_number(value: str):
    v = value.strip()
    if v.isdigit() or v == "*":
        return None
    if v[:1] in ("=", "<", ">", "!"):
        m = REL_OP.match(v)
        if m is None or m.group(1) == "~=":
            raise CondaSpecError(f"invalid build_number '{value}': invalid operator")
        return m.group(1), cached_order(m.group(2))
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
            if self.name != "*" and not _glob_regex(self.name).match(name):  # (a regex or a Glob)
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
            text = render_spec(version)
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
        extras = [("build_number", self.build_number)] + [(k, self.fields.get(k)) for k in OTHER_FIELDS]
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
            text = render_spec(tree)
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
    if render_spec(a) == render_spec(b):
        return True
    sa, sb = match_sets(a), match_sets(b)
    if sa[0] != sa[1] or sb[0] != sb[1]:
        return False
    return is_subset(sa[0], sb[0]) and is_subset(sb[0], sa[0])


_PARSE_CACHE: dict = {}


def parse(spec: str) -> MatchSpec:
    """Parse a conda dependency spec the way conda's legacy parser does. Raises
    :class:`CondaSpecError` (with the reason) for specs conda rejects, and (``code ==
    "PACKAGE_FILE"``) for URL / package-file specs, which are not MatchSpecs."""
    cached = _PARSE_CACHE.get(spec)
    if cached is not None:
        return cached
    return cache_put(_PARSE_CACHE, spec, _parse(spec))


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
        for m in re.finditer(_BRACKET_KV, section[1:-1]):
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
    if "*" not in name and not (_NAME_CEP26.match(name) or re.match(_NAME_VIRTUAL, name)):
        raise CondaSpecError(f"invalid package name '{name}' (CEP 26: lower-case letters, digits and . _ -)")
    brackets.pop("name", None)  # conda ignores a name given in brackets (with a warning)
    unknown = sorted(set(brackets) - BRACKET_FIELDS)
    if unknown:
        raise CondaSpecError(f"cannot match on field(s): {', '.join(unknown)}")
    version = brackets.pop("version", version)
    build = brackets.pop("build", build)
    build_number = brackets.pop("build_number", None)
    return MatchSpec(original, name, channel, subdir, version, build, build_number, brackets, sep)


def parse_line(text: str) -> MatchSpec | None:
    """The one reader of a conda dependency line: its MatchSpec, or None for a line no rule acts on
    (Jinja, a URL or package file, a spec conda rejects, a name with a glob)."""
    text = text.strip()
    if "{{" in text or "{%" in text:
        return None
    try:
        spec = parse(text)
    except CondaSpecError:
        return None
    return spec if spec.name and "*" not in spec.name else None
