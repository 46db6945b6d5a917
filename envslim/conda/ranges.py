"""Sets of conda versions as unions of intervals, and merging a pin into an existing spec.

:func:`merge_pin` -> :class:`MergeResult` says whether a pin such as ``>=1.26`` is already implied by,
narrows, or contradicts the spec a file has, and gives the merged spec text.
"""

from __future__ import annotations

from envslim.conda.version import (
    ANY,
    AllOf,
    AnyOf,
    VersionAtom,
    VersionOrder,
    compare_parts,
    render_spec,
    cached_order,
    parse_version_spec,
)


# --------------------------------------------------------------------------------------------------
# Sets of versions (for merging pins): unions of intervals in conda order
# --------------------------------------------------------------------------------------------------
# An interval is (lo, lo_closed, hi, hi_closed) with VersionOrder bounds, None for -inf / +inf. A set
# is a sorted list of disjoint intervals. Atoms conda cannot order exactly (regexes, inner globs,
# letter prefixes) have no exact set: match_sets() returns (under, over) approximations.

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


def is_subset(a: list, b: list) -> bool:
    return not _intersect(a, _complement(b))


def _release(numbers: list) -> VersionOrder:
    epoch, rest = numbers[0], numbers[1:] or [0]
    return cached_order(f"{epoch}!" + ".".join(str(n) for n in rest))


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
    local = compare_parts(lo.local, [])
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
    return [(cached_order(text + "*"), True, cached_order(bumped + "*"), False)]


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
        prefix = _prefix_interval(cached_order(head))
        return None if prefix is None else _intersect([(vo, True, None, False)], prefix)
    return None  # regex, glob, exact string


def match_sets(node) -> tuple[list, list]:
    """(under, over): every version in ``under`` matches, every match is in ``over``."""
    if node is None or node == ANY:
        return _FULL, _FULL
    if isinstance(node, VersionAtom):
        s = _atom_set(node)
        return ([], _FULL) if s is None else (s, s)
    parts = [match_sets(c) for c in node.children]
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
    shown = "any version" if old is None else f"'{render_spec(old)}'"
    pin_text = render_spec(pin_tree)
    if old is None or old == ANY:
        if pin_tree == ANY:
            return MergeResult("redundant", None if old is None else "*", f"'{pin_text}' admits every version")
        return MergeResult("added", pin_text, f"'{pin_text}' added to {shown}")

    ue, oe = match_sets(old)
    up, op = match_sets(pin_tree)
    both_over = _intersect(oe, op)
    if not both_over:
        return MergeResult("conflict", None, f"no version satisfies both {shown} and '{pin_text}'")
    if is_subset(oe, up):
        return MergeResult("redundant", render_spec(old), f"{shown} already implies '{pin_text}'")

    kept = []
    for branch in _branches(old):
        ub, ob = match_sets(branch)
        for p in _branches(pin_tree):
            upb, opb = match_sets(p)
            if not _intersect(ob, opb):
                continue  # this branch and this pin branch have nothing in common: drop it
            if is_subset(ob, upb):
                node = branch
            elif p == ANY:
                node = branch
            else:
                node = _conj(branch, p)
            if node not in kept:
                kept.append(node)
    merged = kept[0] if len(kept) == 1 else AnyOf(kept)
    text = render_spec(merged)
    exact = ue == oe and up == op
    if not _has_release(both_over):
        return MergeResult(
            "prerelease_only", text, f"only pre-releases or dev builds satisfy both {shown} and '{pin_text}'"
        )
    if exact or (_has_release(_intersect(ue, up)) and not is_subset(ue, op)):
        return MergeResult("added", text, f"'{pin_text}' added to {shown}")
    return MergeResult(
        "unknown", text, f"cannot tell how {shown} and '{pin_text}' overlap (regex, glob or letter prefix)"
    )
