"""Writing the graph snapshot that :mod:`envslim.environment.graph` reads (tools/build_graph.py from public
lock files, ``envslim knowledge refresh --graph`` from live channels).

A record is a mapping: name, version, build, subdir, channel ("conda-forge", "defaults", ...), depends
(MatchSpec strings), archive_bytes (or None), installed_bytes (measured, or None), source (repository,
path, commit, date) and timestamp (seconds or milliseconds, or None). Installed bytes that were not
measured are estimated from the archive bytes by :class:`Ratios` (a measured installed/archive ratio),
marked as an estimate with its range; without archive bytes they stay unknown.

Format (``FORMAT``; a reader parses line 1, then only the lines of the names and subdirs it needs)::

    line 1: {"format": 5, "date": newest source date, "sources": [[repo, path, commit, date], ...],
             "channels": [...], "subdirs": [...], "method": "...", "ratios": {...},
             "names": {"<name>": "subdir index,start,length,channel bit mask;...", ...}}
    then:   one line per name and subdir, at ``start`` bytes after the end of line 1:
            {"d": [depends strings], "m": [a depends' versions mask or null, ...],
             "b": [[version, build, channel, [depends indexes], archive, installed, source, timestamp days,
                    python minor or null, version rank], ...]}
            (by channel, then newest first: version, build number, timestamp; a rebuild of a version for the
            same Python with the same depends names is kept once, the newest)

The matching a walk does most is computed here once, not in every run: a name's *version rank* is the
place of the version among every version the snapshot has of that name (all subdirs and channels, in
conda's order, from 0), and a depends string that constrains the version only (no build, build number,
subdir or other field) carries the *mask* of the ranks of its name's versions it allows (bit i set: the
version of rank i matches). Null where the string constrains more than the version, cannot be read, or
names a package the snapshot does not have: the reader matches those itself.

Installed bytes that were not measured are estimated when read, from the archive bytes and the ratios the
header carries.
"""

from __future__ import annotations

import json
import re

from envslim.environment.graph import FORMAT, Ratios, build_number, python_of, version_only

__all__ = ["Ratios", "compile_graph"]


_HASH = re.compile(r"h[0-9a-f]{7}")  # the hash of a build string (its pins), not its variant


class _Desc:
    """Sorts newest first."""

    def __init__(self, key) -> None:
        self.key = key

    def __lt__(self, other: "_Desc") -> bool:
        return other.key < self.key

    def __eq__(self, other) -> bool:
        return self.key == other.key


def _newest(row: list) -> _Desc:
    from envslim import conda as condaspec

    try:
        v = condaspec.VersionOrder(row[0])
    except ValueError:
        v = condaspec.VersionOrder("0")
    return _Desc((v, build_number(row[1]), row[8], row[1]))


def _ranks(seen: dict) -> dict[str, dict[str, int]]:
    """name -> version -> its rank among the name's versions (conda's order; equal orders by their text)."""
    from envslim import conda as condaspec

    versions: dict[str, set[str]] = {}
    for (name, version, _b, _s, _c) in seen:
        versions.setdefault(name, set()).add(version)
    out = {}
    for name, vs in versions.items():
        def key(v: str):
            try:
                return (condaspec.VersionOrder(v), v)
            except ValueError:
                return (condaspec.VersionOrder("0"), v)

        out[name] = {v: i for i, v in enumerate(sorted(vs, key=key))}
    return out


def _mask(dep: str, ranks: dict[str, dict[str, int]]) -> int | None:
    """The ranks of the versions of ``dep``'s name that ``dep`` allows, as bits; None where ``dep`` constrains
    more than the version, cannot be read or names a package the snapshot does not have."""
    from envslim import conda as condaspec

    name = dep.partition(" ")[0]
    table = ranks.get(name)
    if table is None:
        return None
    try:
        spec = condaspec.parse(dep)
    except condaspec.CondaSpecError:
        return None
    if not version_only(spec):
        return None
    bits = 0
    for version, rank in table.items():
        if spec.matches_version(version):
            bits |= 1 << rank
    return bits


def compile_graph(records, ratios: Ratios) -> bytes:
    """The snapshot of ``records`` (see the module docstring). The same artifact seen in several sources is
    kept once: measured installed bytes win, else the first record's."""
    sources: dict[tuple, int] = {}
    channels: dict[str, int] = {}
    seen: dict[tuple, list] = {}
    for r in records:
        key = (r["name"], r["version"], r["build"], r["subdir"], r["channel"])
        size = r.get("archive_bytes") or None
        installed = r.get("installed_bytes")
        old = seen.get(key)
        if old is not None:
            if installed is not None and old[6] is None:
                old[6] = installed
            if old[5] is None and size:
                old[5] = size
            continue
        src = sources.setdefault(tuple(r["source"]), len(sources))
        ch = channels.setdefault(r["channel"], len(channels))
        ts = r.get("timestamp") or 0
        if ts > 10**11:  # milliseconds
            ts //= 1000
        seen[key] = [r["version"], r["build"], r["subdir"], ch, list(r.get("depends") or ()), size, installed, src,
                     ts // 86400]
    lines: dict[tuple[str, str], list] = {}
    for (name, _v, _b, subdir, _c), row in seen.items():
        lines.setdefault((name, subdir), []).append(row)
    ranks = _ranks(seen)
    masks: dict[str, int | None] = {}
    subdirs = sorted({subdir for _name, subdir in lines})
    body: list[bytes] = []
    index: dict[str, list] = {}
    at = 0
    for name, subdir in sorted(lines):
        deps: dict[str, int] = {}
        rows = []
        mask = 0
        kept: set[tuple] = set()
        for row in sorted(lines[name, subdir], key=lambda x: (x[3], _newest(x))):
            depends = row[4]
            python = python_of(name, row[0], row[1], depends)
            # a rebuild of the same version for the same Python and the same depends names (a newer build
            # number, other pins) adds nothing to the graph: the newest is kept (a measured one always)
            variant = (row[3], row[0], python, _HASH.sub("", row[1]).rsplit("_", 1)[0],
                       frozenset(d.partition(" ")[0] for d in depends))
            if variant in kept and row[6] is None:
                continue
            kept.add(variant)
            out = [row[0], row[1], row[3], [deps.setdefault(d, len(deps)) for d in depends], *row[5:], python,
                   ranks[name][row[0]]]
            rows.append(out)
            mask |= 1 << row[3]
        allowed = [masks[d] if d in masks else masks.setdefault(d, _mask(d, ranks)) for d in deps]
        blob = json.dumps({"d": list(deps), "m": allowed, "b": rows}, separators=(",", ":")).encode("utf-8") + b"\n"
        index.setdefault(name, []).append([subdirs.index(subdir), at, len(blob), mask])
        body.append(blob)
        at += len(blob)
    src_list = [list(s) for s, _ in sorted(sources.items(), key=lambda kv: kv[1])]
    header = {
        "format": FORMAT,
        "date": max((s[3] for s in src_list), default=""),
        "sources": src_list,
        "channels": [c for c, _ in sorted(channels.items(), key=lambda kv: kv[1])],
        "subdirs": subdirs,
        "method": ratios.method(),
        "ratios": ratios.as_json(),
        # one string per name (decoded only for the names a file reaches: a fraction of the parse time)
        "names": {n: ";".join(",".join(str(x) for x in e) for e in v) for n, v in index.items()},
    }
    return json.dumps(header, separators=(",", ":")).encode("utf-8") + b"\n" + b"".join(body)
