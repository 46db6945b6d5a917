"""Translating a conda spec to a PEP 440 requirement for ``pip:``, or refusing with the reason.

:func:`to_pep440` -> :class:`Translation`: exact where the two orders agree, refused (with a code such as
``POST_RELEASE_ORDER``) where pip would admit a version conda rejects.
"""

from __future__ import annotations

import re

from envslim.conda.spec import OTHER_FIELDS, MatchSpec, parse
from envslim.display import redact
from envslim.conda.version import ANY, AllOf, AnyOf, CondaSpecError, VersionAtom, Group, ORDERED_OPS, cached_order


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
    if op in ORDERED_OPS:
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
    if isinstance(node, Group):
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
                base = cached_order(v[:-2])
                nums = [c[0] for c in base.version]
                lo = (base, ">=", v[:-2])
                bumped = ".".join(str(n) for n in nums[1:-1] + [nums[-1] + 1])
                bumped = bumped if nums[0] == 0 else f"{nums[0]}!{bumped}"
                hi = (cached_order(bumped), "<", bumped)
            elif op in ("==", ">=", ">"):
                lo = (cached_order(v), ">=" if op == "==" else op, v)
                if op == "==":
                    hi = (cached_order(v), "<=", v)
            elif op in ("<", "<="):
                hi = (cached_order(v), op, v)
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
        warnings.append(("CHANNEL_DROPPED", f"channel '{redact(ms.channel)}' dropped: pip installs from its index"))
    if ms.subdir is not None:
        warnings.append(("SUBDIR_DROPPED", f"subdir '{ms.subdir}' dropped: pip picks the wheel for the platform"))
    if ms.build is not None and ms.build != "*":
        warnings.append(("BUILD_DROPPED", f"build string '{ms.build}' dropped: PEP 440 has no build strings"))
    if ms.build_number is not None and ms.build_number.strip() != "*":
        warnings.append(("BUILD_NUMBER_DROPPED", f"build_number '{ms.build_number}' dropped"))
    for key in OTHER_FIELDS:
        if key in ms.fields:
            warnings.append(("FIELD_DROPPED", f"{key}='{redact(ms.fields[key])}' dropped"))
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
