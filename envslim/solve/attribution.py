"""Attribution: what each requested spec costs, as the packages that leave if it is removed.

For a solved environment with requested names R, the packages that leave when ``r`` is removed are
those reachable from ``r`` in the dependency graph and from no other requested name (the graph is the
solution's own: edges from each package's ``depends`` to the packages of those names in the solution,
virtual packages ignored). pip packages form their own graph over their ``depends`` (from the wheels'
``Requires-Dist``); a pip requirement never removes a conda package and a conda spec never a wheel.
This is exact for the solution at hand ("the bytes nothing else needs"); a re-solve without ``r``
could pick other versions for what stays, which :func:`envslim.solve.verify.compare` measures.
"""

from __future__ import annotations

from envslim.solve.model import Attribution, Solution, SolvedPackage, total

__all__ = ["attribute", "brought_by", "reachable"]


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
