"""What a solve gives: packages with their installed bytes, totals, attribution, JSON.

- ``Size(value, estimate=False, low=None, high=None, how="")``: installed bytes; ``value=None`` is
  unknown (never counted as zero); an estimate carries its range and how it was made.
- ``SolvedPackage``: one conda artifact or wheel, keyed by (manager, name, version, build).
- ``Solution``: the packages solved for one platform, the requested names, notes.
- ``Attribution``: for one requested spec, the packages and bytes that leave if it is removed.
- ``total(packages) -> Size``: the sum, unknown if any part is unknown, an estimate if any part is.

Attribution: what each requested spec costs, as the packages that leave if it is removed
(:func:`attribute`, :func:`brought_by`). For a solved environment with requested names R, the packages that
leave when ``r`` is removed are those reachable from ``r`` in the dependency graph and from no other
requested name (the graph is the solution's own: edges from each package's ``depends`` to the packages of
those names in the solution, virtual packages ignored). pip packages form their own graph over their
``depends`` (from the wheels' ``Requires-Dist``); a pip requirement never removes a conda package and a
conda spec never a wheel. This is exact for the solution at hand ("the bytes nothing else needs"); a
re-solve without ``r`` could pick other versions for what stays, which :func:`envslim.solve.verify.compare`
measures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Attribution", "Size", "Solution", "SolvedPackage", "attribute", "brought_by", "reachable", "total"]


@dataclass(frozen=True)
class Size:
    value: int | None
    estimate: bool = False
    low: int | None = None
    high: int | None = None
    how: str = ""

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"installed_bytes": self.value}
        if self.estimate:
            out.update(estimate=True, installed_bytes_low=self.low, installed_bytes_high=self.high)
        if self.how:
            out["size_note"] = self.how
        return out


@dataclass(frozen=True)
class SolvedPackage:
    manager: str  # "conda" | "pip"
    name: str
    version: str
    build: str  # the conda build string; "" for a wheel
    size: Size
    channel: str = ""  # redacted channel URL (conda) or index (pip)
    filename: str = ""
    url: str = ""  # not redacted: never print it, use ``redact`` first
    sha256: str = ""
    archive_bytes: int | None = None
    depends: tuple[str, ...] = ()  # names this package needs (conda: from depends)
    noarch: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.manager, self.name, self.version, self.build)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "manager": self.manager,
            "name": self.name,
            "version": self.version,
            "build": self.build,
        }
        out.update(self.size.to_json())
        return out


def total(packages: list[SolvedPackage] | tuple[SolvedPackage, ...]) -> Size:
    """Sum of installed bytes; unknown if one is unknown; an estimate (with range) if one is."""
    value = low = high = 0
    estimate = False
    for p in packages:
        if p.size.value is None:
            return Size(None)
        value += p.size.value
        if p.size.estimate:
            estimate = True
            low += p.size.low if p.size.low is not None else p.size.value
            high += p.size.high if p.size.high is not None else p.size.value
        else:
            low += p.size.value
            high += p.size.value
    if estimate:
        return Size(value, True, low, high, "includes estimated sizes")
    return Size(value)


@dataclass(frozen=True)
class Attribution:
    spec: str  # the requested spec as written
    name: str
    manager: str
    packages: tuple[str, ...]  # names that leave if ``spec`` is removed (itself included)
    size: Size

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "spec": self.spec,
            "name": self.name,
            "manager": self.manager,
            "packages": len(self.packages),
            "private": list(self.packages),
        }
        out.update(self.size.to_json())
        return out

    def line(self, fmt) -> str:
        """``pyarrow: 64 packages, 402.3 MB that nothing else needs`` with ``fmt`` formatting bytes."""
        n = len(self.packages)
        what = "package" if n == 1 else "packages"
        if n == 0:
            return f"{self.name}: 0 packages: what it needs, other requested specs need too"
        if self.size.value is None:
            return f"{self.name}: {n} {what} that nothing else needs, size unknown"
        approx = "~" if self.size.estimate else ""
        return f"{self.name}: {n} {what}, {approx}{fmt(self.size.value)} that nothing else needs"


@dataclass
class Solution:
    platform: str
    packages: list[SolvedPackage]
    requested: list[tuple[str, str, str]] = field(default_factory=list)  # (manager, name, spec)
    not_verified: list[tuple[str, str]] = field(default_factory=list)  # (pip line, why)
    notes: list[str] = field(default_factory=list)

    def conda(self) -> list[SolvedPackage]:
        return [p for p in self.packages if p.manager == "conda"]

    def pip(self) -> list[SolvedPackage]:
        return [p for p in self.packages if p.manager == "pip"]

    def find(self, name: str, manager: str | None = None) -> SolvedPackage | None:
        for p in self.packages:
            if p.name == name and (manager is None or p.manager == manager):
                return p
        return None

    @property
    def size(self) -> Size:
        return total(self.packages)

    def attribution(self) -> list[Attribution]:
        return attribute(self)

    def to_json(self) -> dict[str, object]:
        """``packages[]``, the total (``installed_bytes``, ``estimate``), ``attribution[]``,
        ``not_verified[]`` and ``notes[]``: one side of a report's ``solved`` section."""
        size = self.size
        return {
            "packages": [p.to_json() for p in self.packages],
            "installed_bytes": size.value,
            "estimate": size.estimate,
            "attribution": [a.to_json() for a in self.attribution()],
            "not_verified": [{"line": line, "reason": why} for line, why in self.not_verified],
            "notes": list(self.notes),
        }


# -- attribution -------------------------------------------------------------------------------------------


def reachable(roots: list[str], by_name: dict[str, SolvedPackage]) -> set[str]:
    seen: set[str] = set()
    stack = [r for r in roots if r in by_name]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(d for d in by_name[name].depends if d in by_name and d not in seen)
    return seen


def attribute(solution: Solution) -> list[Attribution]:
    out: list[Attribution] = []
    for manager in ("conda", "pip"):
        by_name = {p.name: p for p in solution.packages if p.manager == manager}
        requested = [(name, spec) for m, name, spec in solution.requested if m == manager]
        roots = [name for name, _ in requested]
        for name, spec in requested:
            if name not in by_name:
                continue
            others = reachable([r for r in roots if r != name], by_name)
            leaving = sorted(reachable([name], by_name) - others)
            size = total([by_name[n] for n in leaving])
            out.append(Attribution(spec, name, manager, tuple(leaving), size))
    return out


def brought_by(solution: Solution) -> dict[tuple[str, str], tuple[str, ...]]:
    """(manager, name) -> the requested specs whose dependencies reach the package, in the order requested (in
    the same graphs as :func:`attribute`: a package one spec alone reaches is in that spec's attribution)."""
    out: dict[tuple[str, str], list[str]] = {}
    for manager in ("conda", "pip"):
        by_name = {p.name: p for p in solution.packages if p.manager == manager}
        for m, name, spec in solution.requested:
            if m == manager:
                for reached in sorted(reachable([name], by_name)):
                    specs = out.setdefault((manager, reached), [])
                    if spec not in specs:
                        specs.append(spec)
    return {k: tuple(v) for k, v in out.items()}
