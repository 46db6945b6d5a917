"""``envslim report PATH...``: where each package comes from before and after the rewrite, its footprint on
each side with the source of every figure, and the totals.

The plan is the one ``envslim rewrite`` would make (same config and rule options); the "after" side is the
rewritten text, parsed again, so the report shows exactly what the rewrite leaves. A package that a fix
removes without the file naming it (``mkl``, which ``nomkl`` keeps out of a defaults environment) is listed
as implied.

Figures, all installed bytes:

- the knowledge base, through ``footprint.pick`` (the figure the rules use: closures before single packages);
- with ``--online``: for the pip side, the wheel pip would pick for the target Python and platform (PyPI JSON
  API, installed size from the wheel's zip central directory); for a conda package the knowledge base has no
  closure for, the installed size of the conda file that matches the spec (anaconda.org files API and the
  ``.conda``'s ``info/paths.json``);
- with ``--lockfile`` (and ``--online``): the lockfile's exact artifacts, by their URLs: a conda package's
  closure walked in the lock's dependency graph (beyond python's own closure, as the knowledge base counts
  closures), a pip package's locked wheel, and a moved package's wheel at the locked version.

``--offline`` runs the same lookups against what earlier online runs cached and never touches the network.
A lookup that fails is one warning line on stderr and the knowledge figure stands.

``--solve`` proves the plan by solves (``envslim.solve``: py-rattler and uv, for every ``--platform``): the
exact solved packages before and after with their installed bytes, each requested spec's attribution, and
each fix's verdict and measured saving (``FileReport.proof``, which the renderers add). With ``--solve`` a
``--lockfile`` ending in ``.lock`` (a pixi.lock) is the exact "before" side instead of a solve; a pixi manifest
(``--environment NAME``) is solved likewise, with the ``pixi.lock`` beside it as its "before" side.

Knowledge figures count only for the target (``footprint.pick``: platform, Python, the line's version; a
labelled stand-in of the same platform otherwise). The totals are a union of the known figures: a closure
carries its members, so a package shared by two closures counts once. The saving is computed over the rows
known on both sides (a row known on one side only, or a line the file did not name before, is left out and
named), with its range when a figure is an estimate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from envslim import knowledge
from envslim import conda as condaspec
from envslim.knowledge import footprint, names
from envslim.document.envfile import EnvFile, Item, pip_sort_key
from envslim.errors import EnvslimError
from envslim.online.settings import check_target, session_options
from envslim.display import printable, redact
from envslim.commands.report_pixi import _PixiEnv  # (also read by dockerfile and report --solve)

# Packages a fix drops without the file naming them: rule id -> (package, why it was there).
IMPLIED = {"ES002": ("mkl", "not in the file: installed for its BLAS users (defaults builds) or for pytorch (conda-forge cpu_mkl builds)")}


# -- figures, sides, rows -------------------------------------------------------------------------------------


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
    members: tuple = ()  # knowledge.Member of a closure, so totals count each package once

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
    item: Item | None = None
    parsed: object = None  # condaspec.MatchSpec of a conda line
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


@dataclass
class Target:
    python: str
    python_from: str  # "--python", "the lockfile", "config", "the file", "default"
    platform: str


@dataclass
class FileReport:
    path: str
    plan: object  # envslim.plan.Plan
    rows: list[Row]
    target: Target
    lock: object = None  # envslim.lockfile.Lock
    stale: list[str] = field(default_factory=list)
    cfg: object = None  # the file's envslim.config.Config
    proof: object = None  # envslim.solve.fileplan.PlanProof, under --solve
    image: object = None  # envslim.image.model.Model, once the figures are final

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

    def left_out(self) -> list[str]:
        """Rows with a figure that the saving leaves out: the other side has none on the target, or the file
        did not name the package before (an added line, such as a pin, may name a package that was already
        installed as a dependency)."""
        return [r.name for r in self.rows
                if any(s is not None and s.figure is not None for s in (r.before, r.after))
                and (r.before is None or any(s is not None and s.figure is None for s in (r.before, r.after)))]

    def saving(self) -> tuple[int, int, int] | None:
        """(saving, low, high) over the packages known on both sides (each package counted once), or None
        when no row is known on both sides and changed."""
        rows = [r for r in self.rows
                if r.before is not None and all(s is None or s.figure is not None for s in (r.before, r.after))]
        if not any(r.before is not None and r.after is not None or r.rules for r in rows):
            return None
        return footprint.difference(_pieces([r.before for r in rows if r.before is not None]),
                                    _pieces([r.after for r in rows if r.after is not None]))


def _pieces(sides: list) -> list:
    return [((s.manager, s.key), s.figure.counted(s.key, s.manager)) for s in sides]


# -- reading a file -------------------------------------------------------------------------------------------


def _conda_sides(env: EnvFile) -> list[Side]:
    out = []
    for item in env.deps:
        text = item.text.strip()
        parsed = condaspec.parse_line(text)
        if parsed is not None:
            out.append(Side(parsed.name.lower(), parsed.name.lower(), "conda", text, item, parsed))
        else:  # a URL, a package file, Jinja: listed, with no figure
            out.append(Side(text, text, "conda", text, item))
    return out


def _pip_sides(env: EnvFile) -> list[Side]:
    out = []
    for item in env.pip_items:
        text = item.text.strip()
        if text.startswith("-"):  # pip options (-r, --index-url, -e ...): not a package of their own
            continue
        pname = pip_sort_key(text)
        key = (names.conda_name(pname) or pname) if pname else text
        out.append(Side(key, pname or text, "pip", text, item))
    return out


def sides_of(env: EnvFile) -> list[Side]:
    return _conda_sides(env) + _pip_sides(env)


# -- a pixi manifest: one environment's features combined, seen as one environment file -------------------
# (its lines are read by envslim.commands.report_pixi._PixiEnv)

def _solve_adapter(rep: "FileReport", options):
    """How ``--solve`` reads a pixi manifest's environment (the lines this report reads), or None."""
    if isinstance(rep.plan.env, EnvFile):
        return None
    from envslim.solve.pixi import PixiAdapter

    return PixiAdapter(getattr(options, "environment", None) or "default", _PixiEnv)


def pixi_sides(manifest, environment: str, platform: str) -> list[Side]:
    env = _PixiEnv(manifest, environment, platform)
    return _conda_sides(env) + _pip_sides(env)  # type: ignore[arg-type]


def _own_finding(before: list[Side]):
    """``implies`` for :func:`pair` on a pixi environment: the finding is on one of its lines (a fix found on
    a package of another environment or platform drops nothing from this one)."""
    spans = {s.item.dep.span for s in before if s.item is not None and s.item.dep is not None}
    return lambda o: getattr(getattr(o.finding.item, "dep", None), "span", None) in spans


def pair(before: list[Side], after: list[Side], plan, implies=None) -> list[Row]:
    """Rows matching each package before the rewrite with itself after it. ``implies(outcome)``: whether an
    applied fix's implied drop (``IMPLIED``) is true of these sides (a pixi environment: only when the line
    the finding is on is one of its own)."""
    rows: list[Row] = []
    b_left, a_left = list(before), list(after)

    def take(b: Side, a: Side) -> None:
        rows.append(Row(b.key, b, a))
        b_left.remove(b)
        a_left.remove(a)

    for o in plan.applied:  # a line a fix rewrote: the old text and the new one are one package
        for c in o.changes:
            if c.kind == "replace":
                b = next((s for s in b_left if s.item is not None and s.item.value_start == c.start), None)
                a = next((s for s in a_left if b and s.manager == b.manager and s.spec == c.new.strip()), None)
                if b and a:
                    take(b, a)
    for same_manager in (True, False):  # then the same package on the same side, then moved across
        for b in list(b_left):
            a = next((s for s in a_left if s.key == b.key and (s.manager == b.manager) == same_manager), None)
            if a is not None:
                take(b, a)
    rows += [Row(b.key, b, None) for b in b_left] + [Row(a.key, None, a) for a in a_left]
    _attribute(rows, plan)
    for o in plan.applied:
        implied = IMPLIED.get(o.finding.rule)
        if implied and not o.finding.guard and not any(r.key == implied[0] for r in rows) \
                and (implies is None or implies(o)):
            name, why = implied
            rows.append(Row(name, Side(name, name, "conda", ""), None, rules=[o.finding.rule], implied=why))
    rows.sort(key=lambda r: (r.key.lower(), r.before is None, r.before.manager if r.before else ""))
    return rows


def _attribute(rows: list[Row], plan) -> None:
    """Name on each row the rules whose applied fixes touch it."""
    for o in plan.applied:
        rule = o.finding.rule
        for c in o.changes:
            row = None
            if c.kind in ("remove", "replace"):
                row = next((r for r in rows if r.before and r.before.item is not None
                            and r.before.item.value_start == c.start), None)
            elif c.kind in ("insert-conda", "insert-pip"):
                manager = "conda" if c.kind == "insert-conda" else "pip"
                row = next((r for r in rows if r.after and r.after.manager == manager
                            and r.after.spec == c.new.strip() and r.before != r.after), None)
            if row is not None and rule not in row.rules:
                row.rules.append(rule)


class _PipSpec:
    """A pip requirement's version constraint, as ``footprint.pick`` asks it (``matches_version``). With
    ``packaging`` (not a dependency of the offline report) PEP 440 decides; without it, a constraint is read
    as a conda version spec where it is one, else no version matches it (figures become labelled stand-ins,
    never silently the wrong version's)."""

    def __init__(self, text: str) -> None:
        self.specifier = self.conda = None
        self.unreadable = False
        try:
            from packaging.requirements import InvalidRequirement, Requirement
        except ImportError:
            m = re.match(r"\s*[A-Za-z0-9._-]+(\[[^\]]*\])?\s*([^;@]*)", text)
            constraint = (m.group(2) if m else "").replace(" ", "")
            constraint = ",".join(c[2:] if c.startswith("==") and c.endswith(".*") else c for c in constraint.split(","))
            if constraint:
                try:
                    self.conda = condaspec.parse_version_spec(constraint)
                except (condaspec.CondaSpecError, ValueError):
                    self.unreadable = True
            return
        try:
            self.specifier = Requirement(text).specifier
        except InvalidRequirement:
            self.unreadable = True

    def matches_version(self, version: str) -> bool:
        if self.unreadable:
            return False
        if self.conda is not None:
            return bool(self.conda.match(version))
        return self.specifier is None or self.specifier.contains(version, prereleases=True)


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
        p = footprint.pick(entry, ("pypi",), ("wheel",), t, _PipSpec(side.spec) if side.spec else None, side.name)
    if p is None or entry is None:
        return None
    fig = p.figure
    return Fig(
        bytes=fig.installed_bytes, kind=fig.kind, origin="knowledge", version=fig.version, platform=fig.platform,
        source=f"knowledge/packages/{entry.name}.toml {fig.id} [{fig.source.id}] {fig.source.title}",
        url=fig.source.url, date=fig.date, archive_bytes=fig.archive_bytes, packages=fig.packages, channel=fig.side,
        estimate=p.estimate, low=p.low, high=p.high, stand_in=p.stand_in, members=p.members(),
    )


_PY_PIN = re.compile(r"^(\d+)\.(\d+)")


def _file_python(sides: list[Side]) -> str | None:
    """``"3.9"`` when the file pins python to one minor version (``python=3.9``, ``python==3.9.7``)."""
    for s in sides:
        if s.manager == "conda" and s.key == "python" and s.parsed is not None and s.parsed.raw_version:
            raw = s.parsed.raw_version.strip()
            m = _PY_PIN.match(raw.lstrip("=").rstrip("*").rstrip("."))
            if m and not re.search(r"[<>!,|]", raw):
                return f"{m.group(1)}.{m.group(2)}"
    return None


def target_for(options, cfg, sides: list[Side], lock) -> Target:
    from envslim.config import Config

    platform = options.platform or cfg.platform
    if options.python:
        return Target(options.python, "--python", platform)
    locked = lock.python_version(platform) if lock is not None else None
    if locked:
        return Target(locked, "the lockfile", platform)
    if cfg.python != Config().python:
        return Target(cfg.python, "config", platform)
    pinned = _file_python(sides)
    if pinned:
        return Target(pinned, "the file", platform)
    return Target(cfg.python, "default", platform)


def build(path: str, env: EnvFile, plan, options, cfg, lock=None) -> FileReport:
    if not isinstance(env, EnvFile):  # a pixi manifest: one environment, on the report's platform
        from envslim.document.pixi import PixiManifest

        environment, platform = getattr(options, "environment", None) or "default", options.platform or cfg.platform
        before = pixi_sides(env, environment, platform)
        after = pixi_sides(PixiManifest.from_text(plan.new_text, env.path, root=env.root), environment, platform)
    elif getattr(options, "environment", None):
        raise EnvslimError(f"{path}: --environment names a pixi environment; this is an environment file")
    else:
        before = sides_of(env)
        after = sides_of(EnvFile.from_bytes(plan.new_text.encode("utf-8"), path))
    rows = pair(before, after, plan, None if isinstance(env, EnvFile) else _own_finding(before))
    target = target_for(options, cfg, before, lock)
    for r in rows:
        for side in (r.before, r.after):
            if side is not None:
                variant = side is r.after and r.before is not None and r.before.manager == side.manager == "pip"
                side.figure = knowledge_figure(side, target, r.before.key if variant else "")
                if lock is not None:
                    pkg = lock.get(side.manager, side.name, target.platform)
                    side.locked = pkg.version if pkg else None
    stale = []
    if lock is not None:
        from envslim import lockfile

        stale = lockfile.stale(lock, plan)
    return FileReport(path, plan, rows, target, lock, stale, cfg)


# -- the command ----------------------------------------------------------------------------------------------


def _refuse_an_input_as_output(options) -> None:
    import os

    for given in (*options.paths, options.lockfile, options.config):
        if not given or given == "-" or not os.path.exists(given):
            continue
        same = os.path.exists(options.output) and os.path.samefile(options.output, given)
        if same or os.path.realpath(options.output) == os.path.realpath(given):
            raise EnvslimError(redact(f"{options.output}: is an input of the report ({given}); write the report to another path"))


def run(options, out, err) -> int:
    """Plan each file as ``envslim rewrite`` would (same config and rule options), pair the packages before
    and after, look figures up if asked, and render the reports."""
    import sys

    from envslim.plan import known_rules, plan_file

    known = known_rules(options.select, options.ignore, options.extend_select)
    if options.refresh and not options.online:
        raise EnvslimError("envslim: error: --refresh needs --online")
    check_target(options.python, options.platform)
    if options.output:  # data loss otherwise: `report env.yml -o env.yml` would replace the file it reads
        _refuse_an_input_as_output(options)
    lock = None
    if options.lockfile and not (options.solve and options.lockfile.endswith(".lock")):
        from envslim import lockfile  # conda-lock; a pixi.lock is read by --solve (envslim.solve.lockfiles)

        lock = lockfile.read(options.lockfile)
    if options.format in ("svg", "html") and len(options.paths) != 1:
        raise EnvslimError(f"envslim: error: --format {options.format} draws one file; got {len(options.paths)}")
    rc = 0
    reports: list[FileReport] = []
    for path in options.paths:
        stdin = path == "-"
        shown = "<stdin>" if stdin else path
        try:
            env, cfg, plan = plan_file(path, options, known, sys.stdin.buffer if stdin else None)
            if not isinstance(env, EnvFile) and lock is not None:
                raise EnvslimError(f"{path}: --lockfile without --solve takes a conda-lock file and an environment"
                                   " file; a pixi manifest's pixi.lock is read by --solve")
            rep = build(shown, env, plan, options, cfg, lock)
        except EnvslimError as e:
            print(printable(redact(str(e))), file=err)
            rc = 2
            continue
        if lock is not None and rep.target.platform not in lock.platforms:
            print(f"envslim: warning: {lock.path} has no packages for {rep.target.platform} "
                  f"(it locks {', '.join(lock.platforms)}); its versions are not used", file=err)
        reports.append(rep)
    if reports and options.solve:
        from envslim.solve import command

        if command.attach(reports, options, err, lambda rep: _solve_adapter(rep, options)):
            return 2
    if reports and (options.online or options.offline):
        opts = session_options(offline=bool(options.offline), refresh=bool(options.refresh))
        from envslim.commands.report_lookups import _lookup, warning_lines
        from envslim.online import run as run_async

        for line in warning_lines(run_async(_lookup(reports, opts, err)), bool(options.offline)):
            print(line, file=err)
    from envslim.image.model import model

    for rep in reports:
        rep.image = model(rep.totals())  # after the lookups: the figures are final
        for line in rep.stale:
            print(redact(f"envslim: warning: {rep.lock.path} is stale after the rewrite of {rep.path}: {line};"
                         " re-run conda-lock"), file=err)
    from envslim.output.report import to_json, to_markdown, to_table

    if options.format in ("svg", "html"):
        from envslim.output import picture

        draw = getattr(picture, f"to_{options.format}")  # a solved report draws its solve
        text = "".join(draw(picture.from_solved(rep) if rep.proof is not None else picture.from_report(rep))
                       for rep in reports)
    elif options.format == "json":
        text = to_json(reports)
    else:
        render = to_markdown if options.format == "markdown" else to_table
        text = "\n".join(render(rep) for rep in reports)
    if options.output:
        if not reports:  # every file was bad input: nothing is written
            return rc
        from envslim.document.atomic import write_atomic

        try:
            write_atomic(options.output, text)
        except OSError as e:
            raise EnvslimError(redact(f"{options.output}: cannot write: {e.strerror or e}")) from None
    else:
        out.write(text)
    return rc
