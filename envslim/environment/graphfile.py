"""Writing the graph snapshot that :mod:`envslim.environment.graph` reads (tools/build_graph.py from public
lock files, ``envslim knowledge refresh --graph`` from live channels).

A record is a mapping: name, version, build, subdir, channel ("conda-forge", "defaults", ...), depends
(MatchSpec strings), archive_bytes (or None), installed_bytes (measured, or None), source (repository,
path, commit, date) and timestamp (seconds or milliseconds, or None). Installed bytes that were not
measured are estimated from the archive bytes by :class:`Ratios` (a measured installed/archive ratio),
marked as an estimate with its range; without archive bytes they stay unknown.

Format (``FORMAT``; a reader parses line 1, then only the lines of the names and subdirs it needs)::

    line 1: {"format": 2, "date": newest source date, "sources": [[repo, path, commit, date], ...],
             "channels": [...], "subdirs": [...], "method": "...", "ratios": {...},
             "names": {"<name>": [[subdir index, start, length, channel bit mask], ...], ...}}
    then:   one line per name and subdir, at ``start`` bytes after the end of line 1:
            {"d": [depends strings], "b": [[version, build, channel, [depends indexes], archive, installed,
              estimate, low, high, source, timestamp days, python minor or null], ...]}
            (by channel, then newest first: version, build number, timestamp)
"""

from __future__ import annotations

import json

from envslim.environment.graph import FORMAT, python_of


class Ratios:
    """Installed/archive ratios measured on real packages: a package's own ratio where measured (range: the
    population's interquartile spread around it), else the population's median (range: q10..q90)."""

    def __init__(self, by_name: dict[str, float], q: dict[str, float], source: str) -> None:
        self.by_name = by_name
        self.q = q
        self.source = source

    @classmethod
    def from_pairs(cls, pairs, source: str) -> "Ratios":
        """``pairs``: (name, archive bytes, installed bytes) of measured packages."""
        by_name = {n: i / a for n, a, i in pairs if a and i}
        pop = sorted(by_name.values())
        n = len(pop)
        if not n:
            return cls({}, {}, source)
        mid = (pop[(n - 1) // 2] + pop[n // 2]) / 2
        q = {"q10": pop[n // 10], "q25": pop[n // 4], "median": mid, "q75": pop[3 * n // 4], "q90": pop[9 * n // 10],
             "n": n}
        return cls(by_name, q, source)

    @classmethod
    def from_json(cls, data: dict) -> "Ratios":
        return cls(data.get("by_name", {}), data.get("q", {}), data.get("source", ""))

    def as_json(self) -> dict:
        return {"by_name": {k: round(v, 4) for k, v in sorted(self.by_name.items())}, "q": self.q,
                "source": self.source}

    def estimate(self, name: str, archive: int) -> tuple[int, int, int] | None:
        """(installed, low, high) estimated from ``archive`` bytes; None without ratios."""
        q = self.q
        if not q:
            return None
        r = self.by_name.get(name)
        if r is not None:
            return (round(archive * r), round(archive * r * q["q25"] / q["median"]),
                    round(archive * r * q["q75"] / q["median"]))
        return round(archive * q["median"]), round(archive * q["q10"]), round(archive * q["q90"])

    def method(self) -> str:
        q = self.q
        if not q:
            return "installed bytes: exact where measured; no ratios to estimate the rest (unknown)"
        return (f"installed bytes: exact where measured from a committed conda-meta; else estimated from the "
                f"archive bytes by the package's measured installed/archive ratio (range by the interquartile "
                f"spread) or the median {q['median']:.2f} of {q['n']} measured pairs (range q10 {q['q10']:.2f} .. "
                f"q90 {q['q90']:.2f}); ratios from {self.source}")


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
    tail = row[1].rsplit("_", 1)[-1]
    return _Desc((v, int(tail) if tail.isdigit() else 0, row[11], row[1]))


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
                old[6], old[7], old[8], old[9] = installed, None, None, None
            if old[5] is None and size:
                old[5] = size
                if old[6] is None:
                    old[7], old[8], old[9] = ratios.estimate(r["name"], size) or (None, None, None)
            continue
        est = lo = hi = None
        if installed is None and size:
            est, lo, hi = ratios.estimate(r["name"], size) or (None, None, None)
        src = sources.setdefault(tuple(r["source"]), len(sources))
        ch = channels.setdefault(r["channel"], len(channels))
        ts = r.get("timestamp") or 0
        if ts > 10**11:  # milliseconds
            ts //= 1000
        seen[key] = [r["version"], r["build"], r["subdir"], ch, list(r.get("depends") or ()), size, installed, est,
                     lo, hi, src, ts // 86400]
    lines: dict[tuple[str, str], list] = {}
    for (name, _v, _b, subdir, _c), row in seen.items():
        lines.setdefault((name, subdir), []).append(row)
    subdirs = sorted({subdir for _name, subdir in lines})
    body: list[bytes] = []
    index: dict[str, list] = {}
    at = 0
    for name, subdir in sorted(lines):
        deps: dict[str, int] = {}
        rows = []
        mask = 0
        for row in sorted(lines[name, subdir], key=lambda x: (x[3], _newest(x))):
            depends = row[4]
            out = [row[0], row[1], row[3], [deps.setdefault(d, len(deps)) for d in depends], *row[5:],
                   python_of(name, row[0], row[1], depends)]
            rows.append(out)
            mask |= 1 << row[3]
        blob = json.dumps({"d": list(deps), "b": rows}, separators=(",", ":")).encode("utf-8") + b"\n"
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
        "names": index,
    }
    return json.dumps(header, separators=(",", ":")).encode("utf-8") + b"\n" + b"".join(body)
