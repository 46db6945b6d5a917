"""Verify one fix by comparing the solve of the file before it with the solve after it.

``compare(before, after, kind, package, new="") -> Verdict(verified, saving, reason)`` for one platform;
``combine(verdicts)`` for all target platforms (verified only if verified on each; the saving is the
first platform's, the one the report shows).

- The measured saving is ``bytes leaving conda - bytes added by pip``: (conda installed bytes before
  - after) - (pip installed bytes after - before), each side a union of solved packages; an artifact
  on both sides cancels out. Unknown if a size that counts is unknown; an estimate if one is.
- What proves a fix depends on its kind (``KINDS``), not on its rule:
  - ``move`` (a conda package moved to ``pip:``): ``package`` and every package only it needed before
    have left the conda side, pip brings it (``new``: its PyPI name, when known), and the saving is
    positive. A package still there is named with what pulls it back ("acme 1.4.0 requires pyarrow").
  - ``rename`` (a slimmer variant, ``package`` -> ``new``): the old package has left its side (conda or
    pip), the new one is there, and the saving is positive. What the old one needed may stay: the new
    one needs most of it (matplotlib-base is most of matplotlib; dask-core needs click too).
  - ``drop`` (a line removed): the package has left (else the removal has no effect).
  - ``channel`` (defaults -> nodefaults), ``pin`` (numpy<2), ``guard`` (nomkl, pip): it is enough that
    the file solves; the saving is reported, not required.
- A file that does not solve after the fix is refused by the caller with the solver's reason
  (:class:`~envslim.solve.errors.Unsolvable`), which :func:`refused` turns into a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from envslim.environment.effects import Effect, path_text
from envslim.solve.errors import SolveFailure
from envslim.solve.model import Size, Solution, total

__all__ = ["KINDS", "Verdict", "combine", "compare", "parts", "pull_path", "refused", "saving", "solved_effect"]


@dataclass(frozen=True)
class Verdict:
    verified: bool
    saving: Size
    reason: str = ""
    effect: Effect | None = None  # what the fix did to the solved environment (None: it did not solve)


def _minus(a: Size, b: Size) -> Size:
    if a.value is None or b.value is None:
        return Size(None)
    if a.estimate or b.estimate:
        low = (a.low if a.low is not None else a.value) - (b.high if b.high is not None else b.value)
        high = (a.high if a.high is not None else a.value) - (b.low if b.low is not None else b.value)
        return Size(a.value - b.value, True, low, high, "includes estimated sizes")
    return Size(a.value - b.value)


def parts(before: Solution, after: Solution) -> tuple[Size, Size]:
    """(bytes leaving conda, bytes added by pip), over the packages that differ: an artifact on both
    sides cancels out, so its size (estimated or unknown) does not make either an estimate."""
    kept = {p.key for p in before.packages} & {p.key for p in after.packages}
    conda = _minus(total([p for p in before.conda() if p.key not in kept]),
                   total([p for p in after.conda() if p.key not in kept]))
    pip = _minus(total([p for p in after.pip() if p.key not in kept]),
                 total([p for p in before.pip() if p.key not in kept]))
    return conda, pip


def saving(before: Solution, after: Solution) -> Size:
    """Bytes leaving conda minus bytes added by pip (:func:`parts`)."""
    return _minus(*parts(before, after))


def _pulled_back_by(after: Solution, name: str) -> tuple[str, str]:
    """What keeps ``name`` on the conda side: (the package that requires it, and when that package is not
    itself requested, `` (the path from a requested one)``: ``transformers \u2192 datasets \u2192 pyarrow``, as
    :mod:`envslim.environment.effects` names a path that pulls a package back)."""
    path = pull_path(after, name)
    if not path:
        return f"{name} is still requested", ""
    holder = after.find(path[-2], "conda")
    why = f"{holder.name} {holder.version} requires {name}" if holder else f"{path[-2]} requires {name}"
    return why, ("" if len(path) == 2 else f" ({path_text(path)})")


def pull_path(solution: Solution, name: str) -> list[str]:
    """The shortest path of conda packages from a requested one to ``name`` in ``solution`` (else a
    package that requires it), or [] when nothing but its own line requires it."""
    conda = {p.name: p for p in solution.conda()}
    roots = [n for m, n, _ in solution.requested if m == "conda" and n != name and n in conda]
    seen = set(roots)
    queue = [[n] for n in roots]
    while queue:
        path = queue.pop(0)
        for dep in conda[path[-1]].depends:
            if dep == name:
                return path + [name]
            if dep in conda and dep not in seen:
                seen.add(dep)
                queue.append(path + [dep])
    holder = next((p.name for p in solution.conda() if name in p.depends and p.name != name), None)
    if holder is not None:  # (requested under another name than the package's)
        return [holder, name]
    return []


KINDS = ("move", "rename", "drop", "channel", "pin", "guard")


def solved_effect(before: Solution, after: Solution, package: str = "") -> Effect:
    """The fix's :class:`~envslim.environment.effects.Effect` on the solved environment, in the terms the
    offline judgement uses: the names that leave (a conda package gone from the conda side, a wheel
    gone), the names that arrive, the measured saving, and the path that keeps ``package`` on the
    conda side if it is still there though no longer requested."""
    def names(sol: Solution, manager: str) -> set[str]:
        return {p.name for p in sol.packages if p.manager == manager}

    leaving = (names(before, "conda") - names(after, "conda")) | (names(before, "pip") - names(after, "pip"))
    arriving = (names(after, "conda") - names(before, "conda")) | (names(after, "pip") - names(before, "pip"))
    measured = saving(before, after)
    requested = {n for m, n, _ in after.requested if m == "conda"}
    back = pull_path(after, package) if package and package not in requested and after.find(package, "conda") else []
    return Effect(leaving=tuple(sorted(leaving)), arriving=tuple(sorted(arriving)), saving_bytes=measured.value,
                  saving_range=(measured.low, measured.high) if measured.estimate else None,
                  pulled_back_by=tuple(back))


def compare(before: Solution, after: Solution, kind: str, package: str = "", new: str = "") -> Verdict:
    """Judge one fix of ``kind`` on ``package`` by the solves before and after it (``new``: a rename's
    new name, a move's PyPI name; see the module docstring). The verdict carries the fix's solved
    :func:`solved_effect`."""
    from dataclasses import replace

    return replace(_judged(before, after, kind, package, new), effect=solved_effect(before, after, package))


def _judged(before: Solution, after: Solution, kind: str, package: str, new: str) -> Verdict:
    measured = saving(before, after)
    if kind == "move" and package:
        return _move(before, after, package, new, measured)
    if kind == "rename" and package:  # (a rename whose new name is not known: the old must still leave)
        return _rename(before, after, package, new, measured)
    if kind == "drop" and package:
        side = "conda" if before.find(package, "conda") is not None else "pip"
        if after.find(package, side) is not None:
            why, path = _pulled_back_by(after, package) if side == "conda" else (f"{package} is still required", "")
            return Verdict(False, measured, f"{package} stays ({why}): removing the line has no effect{path}")
    return Verdict(True, measured)  # channel, pin, guard (and a drop that leaves): it solves


def _positive(measured: Size) -> Verdict:
    if measured.value is None:
        return Verdict(False, measured, "saving unknown: a size could not be measured")
    if measured.value <= 0:
        return Verdict(False, measured, f"no saving: {measured.value} bytes")
    return Verdict(True, measured)


def _move(before: Solution, after: Solution, package: str, pip_name: str, measured: Size) -> Verdict:
    """The package and what only it needed leave the conda side, pip brings it, and bytes leave."""
    moved_line = next((line for line, _ in after.not_verified if package in line or (pip_name and pip_name in line)),
                      None)
    if moved_line is not None:
        return Verdict(False, measured, f"{moved_line}: cannot be verified as a wheel")
    private = next((a for a in before.attribution() if a.manager == "conda" and a.name == package), None)
    names = [package] + [n for n in (private.packages if private else ()) if n != package]
    for name in names:
        if after.find(name, "conda") is not None:
            why, path = _pulled_back_by(after, name)
            what = "pulled back" if name == package else f"stays on the conda side ({package} needed it)"
            return Verdict(False, measured, f"{name} {what}: {why} from conda{path}")
    if pip_name and after.find(pip_name, "pip") is None:
        return Verdict(False, measured, f"{pip_name} is not installed by pip after the move")
    return _positive(measured)


def _rename(before: Solution, after: Solution, old: str, new: str, measured: Size) -> Verdict:
    """The old package leaves its side, the new one is there, and bytes leave. What the old one needed
    may stay: the new one is expected to need most of it (matplotlib-base is most of matplotlib)."""
    side = "pip" if before.find(old, "conda") is None and before.find(old, "pip") is not None else "conda"
    if after.find(old, side) is not None:
        why, path = _pulled_back_by(after, old) if side == "conda" else (f"{old} is still required", "")
        return Verdict(False, measured, f"{old} stays after the rename: {why}{path}")
    if new and after.find(new, side) is None:
        return Verdict(False, measured, f"{new} is not installed after the rename")
    return _positive(measured)


def refused(failure: SolveFailure) -> Verdict:
    return Verdict(False, Size(None), failure.message)


def combine(verdicts: list[Verdict]) -> Verdict:
    first = verdicts[0]
    for v in verdicts:
        if not v.verified:
            return Verdict(False, first.saving, v.reason, first.effect)
    return first
