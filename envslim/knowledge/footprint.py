"""Footprints from the knowledge base: which figure stands for each side, and what a change saves.

Every number returned here is a figure from knowledge/ with its source and date; a saving is an estimate
(the difference of two such figures, often for different versions or platforms) and says so.
"""

from __future__ import annotations

from envslim._record import dataclass
from envslim.display import mb  # the one size formatter (describe uses it)
from envslim.knowledge import Entry, Figure

CONDA_SIDES = ("conda-forge", "defaults")
_KIND_RANK = {"closure": 0, "package": 1, "wheel": 2}


def pick(entry: Entry | None, sides: tuple[str, ...], kinds: tuple[str, ...] = ("closure", "package", "wheel")) -> Figure | None:
    """The figure that best stands for ``entry`` on ``sides``: installed bytes first, closures before single
    packages, then the most recent date (ties: the larger figure, so a saving is never overstated by
    picking the smallest conda figure)."""
    if entry is None:
        return None
    candidates = [f for f in entry.figures if f.side in sides and f.kind in kinds and f.installed_bytes is not None]
    if not candidates:
        return None
    return min(candidates, key=lambda f: (_KIND_RANK.get(f.kind, 9), _neg_date(f.date), -(f.installed_bytes or 0)))


def _neg_date(date: str) -> tuple[int, ...]:
    return tuple(-int(p) for p in date.split("-") if p.isdigit())


@dataclass(frozen=True)
class Estimate:
    saving_bytes: int | None
    before: Figure | None
    after: Figure | None

    @property
    def how(self) -> str:
        if self.before is None:
            return "no installed-size figure for the conda side in the knowledge base"
        if self.after is None:
            return f"{describe(self.before)}; no figure for the replacement"
        return f"estimate: {describe(self.before)} minus {describe(self.after)}"


def describe(fig: Figure) -> str:
    where = " ".join(x for x in (fig.version, fig.platform) if x)
    return f"{fig.side} {fig.kind} {mb(fig.installed_bytes)} installed ({where}; {fig.source.id or 'unsourced'}, {fig.date})"


def move_to_pip(entry: Entry) -> Estimate:
    before = pick(entry, CONDA_SIDES, ("closure", "package"))
    after = pick(entry, ("pypi",), ("wheel",))
    saving = None
    if before is not None and after is not None and before.installed_bytes > after.installed_bytes:
        saving = before.installed_bytes - after.installed_bytes
    return Estimate(saving, before, after)


def removal(entry: Entry | None, sides: tuple[str, ...] = CONDA_SIDES) -> Estimate:
    """What dropping ``entry``'s conda package (and what only it pulls) from ``sides`` saves."""
    before = pick(entry, sides, ("closure", "package"))
    return Estimate(before.installed_bytes if before else None, before, None)


def replacement(entry: Entry | None, other: Entry | None) -> Estimate:
    """What replacing ``entry`` by ``other`` on the conda side saves."""
    before = pick(entry, CONDA_SIDES, ("closure", "package"))
    after = pick(other, CONDA_SIDES, ("closure", "package"))
    saving = None
    if before is not None and after is not None and before.installed_bytes > after.installed_bytes:
        saving = before.installed_bytes - after.installed_bytes
    return Estimate(saving, before, after)
