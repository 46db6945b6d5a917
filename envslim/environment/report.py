"""The report's data model: for each package of a file, its line before and after the rewrite (:class:`Side`,
paired in a :class:`Row`), the installed-bytes figure of each side with its source (:class:`Fig`), the
target the figures are true for (:class:`Target`), and one file's report (:class:`FileReport`) with its
totals and saving as a union of the known figures (``footprint.union``: each package counted once).

The command (``envslim.commands.report``) builds it, the online lookups fill in figures, the solve
(``report --solve``) and the image model are added to it; the renderers (``envslim.output``) read it. What
it holds from the layers above (the plan, the solve's proof, the image model) it names by the
:class:`PlanView`, :class:`ProofView` and :class:`ImageView` protocols: what the renderers read of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, Sequence

from envslim.display import redact
from envslim import knowledge
from envslim.knowledge import footprint, names
from envslim.environment.wheels import PipSpec, knowledge_source

if TYPE_CHECKING:
    from envslim.config import Config
    from envslim.document.envfile import Item
    from envslim.lockfile import Lock

__all__ = ["Fig", "FileReport", "ImageView", "PipSpec", "PlanView", "ProofView", "Row", "Side", "Target",
           "knowledge_figure"]


class PlanView(Protocol):
    """What the report reads of the rewrite's plan (``envslim.plan.Plan``)."""

    env: Any  # the Document planned: an EnvFile or a pixi manifest
    new_text: str
    outcomes: Sequence[Any]  # envslim.plan.Outcome, each finding's

    @property
    def applied(self) -> list[Any]: ...

    @property
    def shown(self) -> list[Any]: ...


class ProofView(Protocol):
    """What the renderers read of ``report --solve``'s proof (``envslim.solve.fileplan.PlanProof``)."""

    platforms: Sequence[str]
    before: dict
    after: dict | None

    def verdict(self, outcome: Any) -> Any: ...

    def finding_fields(self, outcome: Any) -> dict: ...

    def to_json(self) -> dict: ...

    def table_lines(self, shown: list, mb: Any) -> list[str]: ...

    def markdown_lines(self, shown: list, mb: Any) -> list[str]: ...


class ImageView(Protocol):
    """What the renderers read of the image model (``envslim.image.model.Model``)."""

    def as_dict(self) -> dict: ...


@dataclass(frozen=True)
class Fig:
    """One installed-bytes figure and where it comes from."""

    bytes: int
    kind: str  # "closure" | "package" | "wheel"
    origin: str  # "knowledge" | "pypi" | "anaconda.org" | "lockfile"
    version: str
    platform: str
    source: str  # one line: what was measured, and the citation
    url: str
    date: str
    archive_bytes: int | None = None  # the wheel or .conda file itself
    packages: int | None = None  # closure size
    channel: str = ""  # "conda-forge", "defaults", "pypi", ...
    estimate: bool = False  # installed bytes estimated; ``low``..``high`` is the range
    low: int | None = None
    high: int | None = None
    stand_in: str = ""  # why a figure of another version or Python stands in for this one
    members: tuple[knowledge.Member, ...] = ()  #  of a closure, so totals count each package once
    unknown: tuple[str, ...] = ()  # members of a closure without a figure for the target (not counted)

    def as_dict(self) -> dict:
        d = {"bytes": self.bytes, "kind": self.kind, "origin": self.origin, "version": self.version,
             "platform": self.platform, "estimate": self.estimate, "source": redact(self.source),
             "url": redact(self.url), "date": self.date}
        if self.estimate:
            d["range"] = [self.lo, self.hi]
        if self.stand_in:
            d["stand_in"] = self.stand_in
        if self.archive_bytes is not None:
            d["archive_bytes"] = self.archive_bytes
        if self.packages is not None:
            d["packages"] = self.packages
        if self.channel:
            d["channel"] = self.channel
        if self.unknown:
            d["unknown_members"] = list(self.unknown)
        return d

    @property
    def lo(self) -> int:
        return self.bytes if self.low is None else self.low

    @property
    def hi(self) -> int:
        return self.bytes if self.high is None else self.high

    def counted(self, key: str, manager: str) -> list:
        """((manager, package), member) for each package this figure counts (see ``footprint.union``)."""
        from envslim.knowledge import Member

        if self.members:
            return [((manager, m.name), m) for m in self.members]
        return [((manager, key), Member(key, self.version, self.bytes, self.lo, self.hi))]


@dataclass
class Side:
    key: str  # the conda package name (a pip name mapped with names.conda_name), or the line's text
    name: str  # as the file names it: conda name or PyPI name
    manager: str  # "conda" | "pip"
    spec: str  # the line's text ("" for an implied package)
    item: Item | None = None  # the document's line (an EnvFile item, or a pixi dependency seen as one)
    parsed: Any = None  # envslim.conda.MatchSpec of a conda line
    figure: Fig | None = None
    locked: str | None = None  # the lockfile's version

    def as_dict(self) -> dict:
        d: dict = {"manager": self.manager, "name": self.name, "spec": redact(self.spec)}
        if self.locked:
            d["locked"] = self.locked
        d.update(self.figure.as_dict() if self.figure else {"bytes": None})
        return d


@dataclass
class Row:
    key: str
    before: Side | None
    after: Side | None
    rules: list[str] = field(default_factory=list)
    implied: str = ""  # why a package the file does not name is counted
    judged: str = ""  # the target its applied fix's saving is for, where not the report's ("Python 3.14, linux-64")

    @property
    def name(self) -> str:
        return (self.before or self.after).name  # type: ignore[union-attr]

    @property
    def change(self) -> str:
        b, a = self.before, self.after
        if b is None:
            what = "added"
        elif a is None:
            what = "dropped" if self.implied else "removed"
        elif b.manager != a.manager:
            what = f"moved to {a.manager}"
        elif b.name != a.name:
            what = f"replaced by {a.name}"
        elif b.spec != a.spec:
            what = f"now {a.spec}"
        else:
            what = ""
        if self.rules:
            return f"{what} ({', '.join(self.rules)})" if what else ", ".join(self.rules)
        return what


@dataclass(frozen=True)
class Target:
    python: str
    python_from: str  # "--python", "the lockfile", "config", "the file", "default"
    platform: str
    platform_from: str = ""  # "the file's build strings", "the file's packages", ... ("" when given or default)


@dataclass(frozen=True)
class FileReport:
    """One file's report. Frozen: the solve's proof and the image model are added by
    ``dataclasses.replace``; the rows' sides get their figures filled in by the lookups."""

    path: str
    plan: PlanView
    rows: list[Row]
    target: Target
    lock: Lock | None = None
    stale: list[str] = field(default_factory=list)
    cfg: Config | None = None  # the file's
    proof: ProofView | None = None  # under --solve
    image: ImageView | None = None  # once the figures are final
    snapshot: str = ""  # the date of the offline graph snapshot the conda figures come from ("" when none)
    models: tuple = ()  # (before, after) envslim.environment.model.Environment: the picture draws each package once
    warnings: tuple[str, ...] = ()  # what the command prints on stderr about its inputs (a stale pixi.lock)

    def totals(self) -> dict:
        """Per side: (bytes, low, high, counted packages) as a union of the known figures, how many of the
        file's packages have none, and how many there are."""
        out = {}
        for side in ("before", "after"):
            sides = [getattr(r, side) for r in self.rows if getattr(r, side) is not None]
            known = [s for s in sides if s.figure is not None]
            u = footprint.union(_pieces(known)) if known or not sides else None
            out[side] = (u, len(sides) - len(known), len(sides))
        return out

    def python_unknown(self) -> tuple[str, ...]:
        """The sides ("before", "after") where the file's conda python has no figure for the target."""
        return tuple(side for side in ("before", "after")
                     if any(r.name == "python" and (s := getattr(r, side)) is not None and s.manager == "conda"
                            and s.figure is None for r in self.rows))

    def left_out(self) -> list[str]:
        """Rows with a figure that the saving leaves out: the other side has none on the target, or the file
        did not name the package before and it may have been installed already (an added line, such as a pin,
        may name a package that was already installed as a dependency)."""
        counted = {id(r) for r in self.saving_rows()}
        return [r.name for r in self.rows
                if any(s is not None and s.figure is not None for s in (r.before, r.after)) and id(r) not in counted]

    def saving_rows(self) -> list:
        """The rows the saving counts: known on each side they have, and in the file before or added by a fix
        where the environment before did not have the package (the pip line a move to pip adds: it arrives)."""
        return [r for r in self.rows if all(s is None or s.figure is not None for s in (r.before, r.after))
                and (r.before is not None or (r.rules and (self._arrives(r) or self._displaces_wheel(r)))
                     or self._renamed_in(r))]

    def _displaces_wheel(self, r) -> bool:
        """Whether an added conda row takes the place of a package a pip wheel brought before (``numpy<2`` beside
        pip torch: pip's numpy no longer comes with the wheels, conda's does): the saving counts the wheels'
        smaller closures, so it counts the conda package that replaces what they lost."""
        if r.before is not None or r.after is None or r.after.manager != "conda" or r.after.figure is None:
            return False
        key = names.normalize(r.after.key)

        def brings(side) -> bool:
            return side is not None and side.figure is not None and any(
                names.normalize(m.name) == key for m in side.figure.members)

        return any(x.before is not None and x.before.manager == "pip" and brings(x.before) and not brings(x.after)
                   for x in self.rows)

    def _renamed_in(self, r) -> bool:
        """Whether an added conda row is the variant an applied rename brings in place of a row it removes (a
        pixi manifest: the default table's line renamed, the target table's line it stood behind dropped, so the
        report's two rows do not pair): it stays installed, and the saving counts it on the after side."""
        if r.after is None or r.after.manager != "conda" or r.after.figure is None:
            return False
        from envslim import conda as condaspec
        from envslim.document.edits import ReplaceValue

        for o in self.plan.applied:
            for op in o.finding.ops:
                spec = condaspec.parse_line(op.text) if isinstance(op, ReplaceValue) else None
                if spec is not None and spec.name == r.after.key and spec.name != o.finding.package:
                    return True
        return False

    def _arrives(self, r) -> bool:
        """Whether an added row is what an applied fix's saving counts as arriving (``Effect.arriving``: the conda
        pip a move to pip adds where the environment had no pip; the wheel it adds where the conda name is not the
        PyPI one, pyarrow-core's ``pyarrow``), so the total agrees with the fix."""
        if r.after is None:
            return False
        for o in self.plan.applied:
            arriving = getattr(getattr(o.finding, "effect", None), "arriving", ())
            if r.after.manager == "conda":
                if r.after.key in arriving:
                    return True
            elif o.finding.action == "move-to-pip" and names.normalize(r.after.name) in map(names.normalize, arriving):
                return True
        return False

    def unseen_staying(self) -> list[str]:
        """The names that stay which an applied fix could not see through (the snapshot does not know them,
        ``Effect.unseen``): what they keep of what would leave is unknown, so the total saving is too."""
        return sorted({n for o in self.plan.applied
                       for n in getattr(getattr(o.finding, "effect", None), "unseen", ())})

    def disagreeing(self) -> list[str]:
        """The names that stay whose build the walk took for a package an applied fix removes, against a spec of
        one that stays (``Effect.disagree``: the snapshot's builds disagree): what stays of them is not what the
        model holds, so the total saving is unknown too."""
        return sorted({n for o in self.plan.applied
                       for n in getattr(getattr(o.finding, "effect", None), "disagree", ())})

    def unpriced_changes(self) -> list[str]:
        """The rows an applied fix changes (moves, renames, removes, pins) that have no figure on a side they
        have (a move's wheel with no figure for the target): what the rewrite saves on them is unknown, so the
        total saving is too, never the difference of the other rows as if they saved nothing."""
        return sorted(r.name for r in self.rows if r.rules and r.before is not None
                      and any(s is not None and s.figure is None for s in (r.before, r.after)))

    def saving(self) -> tuple[int, int, int] | None:
        """:meth:`saving_bound`, or None where a name that stays is not in the snapshot
        (:meth:`unseen_staying`), a changed row has no figure (:meth:`unpriced_changes`) or the snapshot's builds
        disagree on a name that stays (:meth:`disagreeing`): then the figures' difference is only a bound, or
        not even that."""
        return None if self.unseen_staying() or self.unpriced_changes() or self.disagreeing() else self.saving_bound()

    def saving_bound(self) -> tuple[int, int, int] | None:
        """(saving, low, high) over the packages known on both sides (each package counted once), or None
        when no row is known on both sides and changed."""
        rows = self.saving_rows()
        if not any(r.before is not None and r.after is not None or r.rules for r in rows):
            return None
        return footprint.difference(_pieces([r.before for r in rows if r.before is not None]),
                                    _pieces([r.after for r in rows if r.after is not None]))


def own_first(rows: list[Row], outcomes) -> list:
    """``outcomes`` with those whose finding is on one of ``rows``' lines first: an implied row (nomkl's mkl) takes
    the figure of its own environment's fix, not that of a pixi scope of another environment or platform."""
    mine = {s.item.value_start for r in rows for s in (r.before, r.after)
            if s is not None and getattr(s, "item", None) is not None}
    return sorted(outcomes, key=lambda o: getattr(o.finding.item, "value_start", None) not in mine)


def _pieces(sides: list[Side]) -> list:
    return [((s.manager, s.key), s.figure.counted(s.key, s.manager)) for s in sides]


def knowledge_figure(side: Side, target: "Target | None" = None, fallback: str = "") -> Fig | None:
    """The knowledge base's figure for one side on the target (platform, Python, the line's version
    constraint), as ``footprint.pick`` chooses it; None when no figure is true for the target. ``fallback``:
    the entry to read when the side's name has none (a pip variant, such as opencv-python-headless, is
    recorded in the entry of the package it replaces; its wheels name their own project)."""
    entry = knowledge.load(side.key) or (knowledge.load(fallback) if fallback else None)
    t = footprint.Target(target.platform, target.python) if target else footprint.Target()
    if side.manager == "conda":
        p = footprint.pick(entry, footprint.CONDA_SIDES, ("closure", "package"), t, side.parsed)
    else:
        p = footprint.pick(entry, ("pypi",), ("wheel",), t, PipSpec(side.spec) if side.spec else None, side.name)
    if p is None or entry is None:
        return None
    fig = p.figure
    return Fig(
        bytes=fig.installed_bytes, kind=fig.kind, origin="knowledge", version=fig.version, platform=fig.platform,
        source=knowledge_source(p),
        url=fig.source.url, date=fig.date, archive_bytes=fig.archive_bytes, packages=fig.packages, channel=fig.side,
        estimate=p.estimate, low=p.low, high=p.high, stand_in=p.stand_in, members=p.members(),
    )
