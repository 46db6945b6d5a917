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

The totals add the figures that are known and say how many packages have none. They are estimates:
closures of different packages can share dependencies (each package's figure counts them), and a knowledge
figure is for the version and platform it names.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import re
from dataclasses import dataclass, field
from typing import Callable

from envslim import condaspec, footprint, knowledge, names
from envslim.envfile import EnvFile, InsertConda, InsertPip, Item, RemoveItem, ReplaceValue, pip_sort_key
from envslim.errors import EnvslimError
from envslim.report import finding_line, redact

# Packages a fix drops without the file naming them: rule id -> (package, why it was there).
IMPLIED = {"ES002": ("mkl", "not in the file: the defaults channel builds BLAS users against MKL")}

_ENV_SESSION = (("ENVSLIM_PYPI_URL", "pypi_url"), ("ENVSLIM_ANACONDA_URL", "anaconda_url"),
                ("ENVSLIM_CONDA_URL", "conda_url"))
_OFFLINE_MISS = "no cached data (offline)"


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

    def as_dict(self) -> dict:
        d = {"bytes": self.bytes, "kind": self.kind, "origin": self.origin, "version": self.version,
             "platform": self.platform, "source": redact(self.source), "url": redact(self.url), "date": self.date}
        if self.archive_bytes is not None:
            d["archive_bytes"] = self.archive_bytes
        if self.packages is not None:
            d["packages"] = self.packages
        if self.channel:
            d["channel"] = self.channel
        return d


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

    def totals(self) -> dict:
        out = {}
        for side in ("before", "after"):
            sides = [getattr(r, side) for r in self.rows if getattr(r, side) is not None]
            known = [s.figure.bytes for s in sides if s.figure is not None]
            out[side] = (sum(known) if known or not sides else None, len(sides) - len(known), len(sides))
        return out


# -- reading a file -------------------------------------------------------------------------------------------


def _conda_sides(env: EnvFile) -> list[Side]:
    out = []
    for item in env.deps:
        text = item.text.strip()
        parsed = None
        if "{{" not in text and "{%" not in text:
            try:
                parsed = condaspec.parse(text)
            except condaspec.CondaSpecError:
                parsed = None
        if parsed is not None and parsed.name and "*" not in parsed.name:
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


def pair(before: list[Side], after: list[Side], plan) -> list[Row]:
    """Rows matching each package before the rewrite with itself after it."""
    rows: list[Row] = []
    b_left, a_left = list(before), list(after)

    def take(b: Side, a: Side) -> None:
        rows.append(Row(b.key, b, a))
        b_left.remove(b)
        a_left.remove(a)

    for f in plan.applied:  # a line a fix rewrote: the old text and the new one are one package
        for op in f.ops:
            if isinstance(op, ReplaceValue):
                b = next((s for s in b_left if s.item is op.item), None)
                a = next((s for s in a_left if b and s.manager == b.manager and s.spec == op.text.strip()), None)
                if b and a:
                    take(b, a)
    for same_manager in (True, False):  # then the same package on the same side, then moved across
        for b in list(b_left):
            a = next((s for s in a_left if s.key == b.key and (s.manager == b.manager) == same_manager), None)
            if a is not None:
                take(b, a)
    rows += [Row(b.key, b, None) for b in b_left] + [Row(a.key, None, a) for a in a_left]
    _attribute(rows, plan)
    for f in plan.applied:
        implied = IMPLIED.get(f.rule)
        if implied and not any(r.key == implied[0] for r in rows):
            name, why = implied
            rows.append(Row(name, Side(name, name, "conda", ""), None, rules=[f.rule], implied=why))
    rows.sort(key=lambda r: (r.key.lower(), r.before is None, r.before.manager if r.before else ""))
    return rows


def _attribute(rows: list[Row], plan) -> None:
    """Name on each row the rules whose applied fixes touch it."""
    for f in plan.applied:
        for op in f.ops:
            row = None
            if isinstance(op, (RemoveItem, ReplaceValue)):
                row = next((r for r in rows if r.before and r.before.item is op.item), None)
            elif isinstance(op, (InsertConda, InsertPip)):
                manager = "conda" if isinstance(op, InsertConda) else "pip"
                row = next((r for r in rows if r.after and r.after.manager == manager
                            and r.after.spec == op.text.strip() and r.before != r.after), None)
            if row is not None and f.rule not in row.rules:
                row.rules.append(f.rule)


def knowledge_figure(side: Side) -> Fig | None:
    """The knowledge base's figure for one side (what the rules use)."""
    entry = knowledge.load(side.key)
    if side.manager == "conda":
        fig = footprint.pick(entry, footprint.CONDA_SIDES, ("closure", "package"))
    else:
        fig = footprint.pick(entry, ("pypi",), ("wheel",))
    if fig is None or entry is None:
        return None
    return Fig(
        bytes=fig.installed_bytes, kind=fig.kind, origin="knowledge", version=fig.version, platform=fig.platform,
        source=f"knowledge/packages/{entry.name}.toml {fig.id} [{fig.source.id}] {fig.source.title}",
        url=fig.source.url, date=fig.date, archive_bytes=fig.archive_bytes, packages=fig.packages, channel=fig.side,
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


def target_for(args, cfg, sides: list[Side], lock) -> Target:
    from envslim.config import Config

    platform = args.platform or cfg.platform
    if args.python:
        return Target(args.python, "--python", platform)
    locked = lock.python_version(platform) if lock is not None else None
    if locked:
        return Target(locked, "the lockfile", platform)
    if cfg.python != Config().python:
        return Target(cfg.python, "config", platform)
    pinned = _file_python(sides)
    if pinned:
        return Target(pinned, "the file", platform)
    return Target(cfg.python, "default", platform)


def check_target(python: str | None, platform: str | None) -> None:
    """Reject a --python or --platform the wheel chooser cannot target (exit 2)."""
    from envslim.sources.pypi import UnknownTarget, target_tags

    try:
        target_tags(python or "3.11", platform or "linux-64")
    except UnknownTarget as e:
        raise EnvslimError(f"envslim: error: {e}") from None


def build(path: str, env: EnvFile, plan, args, cfg, lock=None) -> FileReport:
    before = sides_of(env)
    after_env = EnvFile.from_bytes(plan.new_text.encode("utf-8"), path)
    rows = pair(before, sides_of(after_env), plan)
    target = target_for(args, cfg, before, lock)
    for r in rows:
        for side in (r.before, r.after):
            if side is not None:
                side.figure = knowledge_figure(side)
                if lock is not None:
                    pkg = lock.get(side.manager, side.name, target.platform)
                    side.locked = pkg.version if pkg else None
    stale = []
    if lock is not None:
        from envslim import lockfile

        stale = lockfile.stale(lock, plan)
    return FileReport(path, plan, rows, target, lock, stale, cfg)


# -- online lookups -------------------------------------------------------------------------------------------


def session_options(*, offline: bool = False, refresh: bool = False) -> dict:
    """Keyword arguments for ``envslim.sources.Session``: the modes, plus base URLs and a cache directory from
    the environment (``ENVSLIM_PYPI_URL``, ``ENVSLIM_ANACONDA_URL``, ``ENVSLIM_CONDA_URL``,
    ``ENVSLIM_CACHE_DIR``), for mirrors and for the tests' local server."""
    opts: dict = {"offline": offline, "refresh": refresh}
    for var, key in _ENV_SESSION:
        if os.environ.get(var):
            opts[key] = os.environ[var]
    if os.environ.get("ENVSLIM_CACHE_DIR"):
        from envslim.sources import Cache

        opts["cache"] = Cache(os.environ["ENVSLIM_CACHE_DIR"])
    return opts


class Progress:
    """``envslim: looking up ... k/n`` on stderr, redrawn in place, once lookups have taken over ``delay``
    seconds and only when stderr is a terminal; erased when they finish."""

    def __init__(self, stream, delay: float = 1.0) -> None:
        self.stream = stream
        self.delay = delay
        self.total = 0
        self.done = 0
        self.shown = False
        isatty = getattr(stream, "isatty", None)
        self.enabled = bool(isatty and isatty())

    def step(self, _task=None) -> None:
        self.done += 1

    async def tick(self) -> None:
        await asyncio.sleep(self.delay)
        while True:
            self.stream.write(f"\renvslim: looking up package sizes online: {self.done}/{self.total} done")
            self.stream.flush()
            self.shown = True
            await asyncio.sleep(0.2)

    def start(self):
        return asyncio.ensure_future(self.tick()) if self.enabled else None

    async def stop(self, task) -> None:
        if task is None:
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _wheel_platform(filename: str) -> str:
    parts = filename[: -len(".whl")].split("-") if filename.endswith(".whl") else [filename]
    return "-".join(parts[-3:])


class Online:
    """The lookups of one run, each made once (keyed), counted for the progress line."""

    def __init__(self, session, today: str, progress: Progress) -> None:
        self.session = session
        self.today = today
        self.progress = progress
        self._jobs: dict = {}

    def once(self, key, make: Callable):
        task = self._jobs.get(key)
        if task is None:
            task = asyncio.ensure_future(make())
            task.add_done_callback(self.progress.step)
            self.progress.total += 1
            self._jobs[key] = task
        return task

    async def wheel(self, requirement: str, python: str, platform: str) -> Fig | None:
        from envslim.sources import lookup_wheels

        found = await lookup_wheels([requirement], python=python, platform=platform, session=self.session)
        info = next(iter(found.values()), None)
        if info is None or info.installed_bytes is None:
            return None
        return Fig(
            bytes=info.installed_bytes, kind="wheel", origin="pypi", version=info.version,
            platform=_wheel_platform(info.filename),
            source=f"PyPI {info.filename} (pip's pick for Python {python} on {platform}): installed = sum of the "
                   "file sizes in its zip central directory",
            url=info.url, date=self.today, archive_bytes=info.wheel_bytes, channel="pypi",
        )

    async def locked_wheel(self, pkg, lock_path: str) -> Fig | None:
        from envslim.sources import wheelzip

        if not pkg.filename.endswith(".whl"):
            self.session.warn(f"{lock_path}: {pkg.name} {pkg.version} is locked as {pkg.filename}, not a wheel;"
                              " no installed size")
            return None
        size = await wheelzip.installed_bytes(self.session, pkg.url, what=f"PyPI {pkg.filename}")
        if size is None:
            return None
        return Fig(
            bytes=size, kind="wheel", origin="lockfile", version=pkg.version, platform=_wheel_platform(pkg.filename),
            source=f"{lock_path}: {pkg.filename}: installed = sum of the file sizes in its zip central directory",
            url=pkg.url, date=self.today, channel="pypi",
        )

    async def conda_installed(self, pkg) -> int | None:
        from envslim.sources import CondaFile, conda_installed_bytes

        file = CondaFile(
            channel=pkg.channel, name=pkg.name, version=pkg.version, build=pkg.build or "", build_number=0,
            subdir=pkg.subdir, basename=f"{pkg.subdir}/{pkg.filename}",
            size=None,  # type: ignore[arg-type]  # the lockfile does not record it; range reads find the end
            md5=pkg.md5, sha256=pkg.sha256, depends=(), upload_time=None, distribution_type="conda", labels=(),
            download_url=pkg.url, url=pkg.url,
        )
        return await conda_installed_bytes(file, session=self.session)

    async def lock_closure(self, lock, name: str, platform: str) -> Fig | None:
        members = lock.closure(name, platform)
        if name.lower() != "python":
            python = {p.name for p in lock.closure("python", platform)}
            members = [p for p in members if p.name not in python]
        if not members:
            return None
        sizes = await asyncio.gather(*(self.once(("conda-url", p.url), lambda p=p: self.conda_installed(p))
                                       for p in members))
        unreadable = [p.filename for p, s in zip(members, sizes) if s is None and not p.filename.endswith(".conda")]
        if unreadable:
            self.session.warn(f"{lock.path}: closure of {name} on {platform}: no installed size for {len(unreadable)}"
                              f" .tar.bz2 package(s), which cannot be range-read ({', '.join(unreadable[:3])})")
        if any(s is None for s in sizes):
            return None
        top = members[0]
        beyond = "" if name.lower() == "python" else " beyond python's closure"
        return Fig(
            bytes=sum(sizes), kind="closure", origin="lockfile", version=top.version, platform=platform,
            source=f"{lock.path}: {top.filename} and the {len(members) - 1} packages it pulls in{beyond};"
                   " installed = sum of each .conda's info/paths.json sizes",
            url=top.url, date=self.today, packages=len(members), channel=top.channel,
        )

    async def conda_package(self, channel: str, spec, subdir: str, python: str) -> Fig | None:
        from envslim.sources import conda_files, conda_installed_bytes

        files = await conda_files(channel, spec.name, subdir=subdir, session=self.session)
        if files is None:
            return None
        fits = [f for f in files if spec.match({"name": f.name, "version": f.version, "build": f.build,
                                                "build_number": f.build_number, "subdir": f.subdir,
                                                "channel": channel})]
        want = "py" + python.replace(".", "")[:3].rstrip("t")

        def python_fit(build: str) -> int:
            tags = re.findall(r"py(\d+)", build)
            return 2 if want[2:] in tags else 1 if not tags else 0

        if any(python_fit(f.build) for f in fits):
            fits = [f for f in fits if python_fit(f.build)]
        if not fits:
            self.session.warn(f"anaconda.org {channel}/{spec.name}: no {subdir} file matches {spec.original!r}")
            return None
        best = max(fits, key=lambda f: (_order(f.version), python_fit(f.build), f.filename.endswith(".conda"),
                                        f.build_number, f.upload_time or ""))
        size = await conda_installed_bytes(best, session=self.session)
        if size is None:
            return None
        return Fig(
            bytes=size, kind="package", origin="anaconda.org", version=best.version, platform=best.subdir,
            source=f"anaconda.org {channel}/{best.basename}: installed = sum of its info/paths.json sizes",
            url=best.url, date=self.today, archive_bytes=best.size, channel=channel,
        )


def _order(version: str):
    try:
        return (1, condaspec.VersionOrder(version))
    except (ValueError, TypeError):
        return (0, version)


def _channel(side: Side, env_channels: list[str]) -> str | None:
    """The anaconda.org channel to look a conda package up in (``defaults`` is the ``anaconda`` channel)."""
    chosen = getattr(side.parsed, "channel", None)
    if not chosen:
        usable = [c.strip() for c in env_channels if c.strip().lower() != "nodefaults"]
        chosen = usable[0] if usable else "defaults"
    if chosen in ("defaults", "pkgs/main", "main"):
        return "anaconda"
    return None if "/" in chosen or ":" in chosen else chosen


def _jobs(rep: FileReport, online: Online) -> list[tuple[Side, str, object]]:
    """(side, how the figure is used, awaitable) for every side a lookup can improve."""
    out = []
    t, lock = rep.target, rep.lock
    channels = rep.plan.env.channel_names
    for row in rep.rows:
        for side in (row.before, row.after):
            if side is None or row.implied:
                continue
            if side.manager == "pip":
                locked = lock.get("pip", side.name, t.platform) if lock is not None else None
                moved = lock.get("conda", row.key, t.platform) if lock is not None and row.before is not None \
                    and row.before.manager == "conda" else None
                if locked is not None:
                    job = online.once(("wheel-url", locked.url), lambda p=locked: online.locked_wheel(p, lock.path))
                else:
                    req = f"{side.name}=={moved.version}" if moved is not None else side.spec
                    job = online.once(("wheel", req, t.python, t.platform),
                                      lambda r=req: online.wheel(r, t.python, t.platform))
                out.append((side, "replace", job))
            elif lock is not None and lock.get("conda", side.key, t.platform) is not None:
                job = online.once(("lock-closure", lock.path, side.key, t.platform),
                                  lambda k=side.key: online.lock_closure(lock, k, t.platform))
                out.append((side, "replace", job))
            elif side.parsed is not None and (side.figure is None or side.figure.kind != "closure"):
                channel = _channel(side, channels)
                if channel is None:
                    continue
                job = online.once(("conda", channel, side.spec, t.platform, t.python),
                                  lambda s=side.parsed, c=channel: online.conda_package(c, s, t.platform, t.python))
                out.append((side, "package", job))
    return out


async def _lookup(reports: list[FileReport], session_opts: dict, err) -> list[str]:
    from envslim.sources import Session

    today = datetime.date.today().isoformat()
    progress = Progress(err)
    async with Session(**session_opts) as session:
        online = Online(session, today, progress)
        jobs = [j for rep in reports for j in _jobs(rep, online)]
        ticker = progress.start()
        try:
            results = await asyncio.gather(*(job for _, _, job in jobs))
        finally:
            await progress.stop(ticker)
        for (side, use, _), fig in zip(jobs, results):
            if fig is None:
                continue
            if use == "replace" or side.figure is None or side.figure.kind != "closure":
                side.figure = fig
        return list(session.warnings)


def warning_lines(warnings: list[str], offline: bool) -> list[str]:
    misses = [w for w in warnings if w.endswith(_OFFLINE_MISS)]
    lines = [f"envslim: warning: {w}; using the knowledge base's figure, if any"
             for w in sorted(set(warnings) - set(misses))]
    if offline and misses:
        lines.append(f"envslim: warning: --offline: {len(misses)} lookup(s) had no cached data;"
                     " using the knowledge figures")
    return [redact(line) for line in lines]


# -- rendering ------------------------------------------------------------------------------------------------


def _mb(n: int | None) -> str:
    return "unknown" if n is None else f"{n / 1e6:,.1f} MB"


class _Refs:
    """Numbers for the figures a report cites, in order of first use."""

    def __init__(self) -> None:
        self.figs: list[tuple[str, Fig]] = []

    def ref(self, name: str, fig: Fig) -> int:
        for i, (_, f) in enumerate(self.figs):
            if f == fig:
                return i + 1
        self.figs.append((name, fig))
        return len(self.figs)


def _cell(side: Side | None, refs: _Refs) -> str:
    if side is None:
        return "-"
    if side.figure is None:
        return f"{side.manager} unknown"
    f = side.figure
    return f"{side.manager} {_mb(f.bytes)} {f.kind} [{refs.ref(side.name, f)}]"


def _fig_line(n: int, name: str, f: Fig) -> str:
    where = " ".join(x for x in (f.channel, f.kind, f.version, f.platform) if x)
    extra = f", {f.packages} packages" if f.packages else ""
    url = f" <{f.url}>" if f.url else ""
    return f"[{n}] {name}: {f.bytes:,} B installed ({where}{extra}); {f.source}{url} ({f.date})"


def _estimate(rep: FileReport) -> dict:
    t = rep.totals()
    (b, b_unknown, b_count), (a, a_unknown, a_count) = t["before"], t["after"]
    saving = b - a if b is not None and a is not None else None
    return {"before_bytes": b, "after_bytes": a, "saving_bytes": saving,
            "unknown_before": b_unknown, "unknown_after": a_unknown,
            "packages_before": b_count, "packages_after": a_count}


def _totals_sentence(est: dict) -> str:
    return (f"{est['unknown_before']} of {est['packages_before']} packages before and {est['unknown_after']} of"
            f" {est['packages_after']} after have no figure and are not counted")


CAVEAT = ("Totals add each package's figure: closures of different packages can share dependencies, and a"
          " knowledge figure is for the version and platform it names.")


def _action(f, env: EnvFile) -> str:
    kinds = {type(op) for op in f.ops}
    if not kinds:
        return "report"
    channel_items = {id(i) for i in (env.channels.items if env.channels else [])}
    if all(type(op).__name__ == "InsertChannel" or id(getattr(op, "item", None)) in channel_items for op in f.ops):
        return "edit-channels"
    if RemoveItem in kinds and (InsertPip in kinds or f.rule == "ES001"):  # ES001 may find the pip line there
        return "move-to-pip"
    if ReplaceValue in kinds:
        return "replace"
    if RemoveItem in kinds:
        return "remove"
    if InsertConda in kinds or InsertPip in kinds:
        return "add"
    return "edit"


def _status(f) -> str:
    if f.applied:
        return "applied by rewrite"
    if f.ops and f.safety == "unsafe" and not f.note.startswith("not fixed"):
        return "unsafe fix, needs --unsafe-fixes"
    return f.note or "report only"


def to_json(reports: list[FileReport]) -> str:
    from envslim.solve import command

    files = []
    for rep in reports:
        env = rep.plan.env
        d: dict = {
            "path": rep.path,
            "findings": [{"rule": f.rule, "package": f.package, "action": _action(f, env),
                          "saving_bytes": f.saving_bytes, "source": redact(f.source), "message": redact(f.message),
                          "applied": f.applied, "status": _status(f), "line": f.line,
                          **command.finding_fields(rep, f)} for f in rep.plan.findings],
            "estimate": {**_estimate(rep), "note": CAVEAT},
            "target": {"python": rep.target.python, "python_from": rep.target.python_from,
                       "platform": rep.target.platform},
            "packages": [{"name": r.name, "before": r.before.as_dict() if r.before else None,
                          "after": r.after.as_dict() if r.after else None, "change": r.change,
                          "rules": r.rules, **({"implied": r.implied} if r.implied else {})} for r in rep.rows],
            "unknown": {"before": [r.name for r in rep.rows if r.before and r.before.figure is None],
                        "after": [r.name for r in rep.rows if r.after and r.after.figure is None]},
        }
        if rep.lock is not None:
            d["lockfile"] = {"path": rep.lock.path, "stale": rep.stale}
        d.update(command.json_fields(rep))
        files.append(d)
    return json.dumps({"files": files}, indent=2) + "\n"


def _label(r: Row) -> str:
    return f"{r.name} (implied)" if r.implied else r.name


def to_table(rep: FileReport) -> str:
    refs = _Refs()
    t = rep.target
    head = [f"{rep.path} (Python {t.python} from {t.python_from}, {t.platform})"]
    if not rep.rows:
        return "\n".join(head + ["no packages"]) + "\n"
    cells = [("package", "before", "after", "change")]
    cells += [(_label(r), _cell(r.before, refs), _cell(r.after, refs), r.change) for r in rep.rows]
    est = _estimate(rep)
    saving = est["saving_bytes"]
    cells.append(("total", f"{_mb(est['before_bytes'])}, {est['unknown_before']} unknown",
                  f"{_mb(est['after_bytes'])}, {est['unknown_after']} unknown",
                  f"saves ~{_mb(saving)} (estimate)" if saving else ""))
    widths = [max(len(c[i]) for c in cells) for i in range(3)]
    lines = head + ["  " + "  ".join(c[i].ljust(widths[i]) for i in range(3)) + "  " + c[3] for c in cells]
    lines = [line.rstrip() for line in lines]
    before, after = est["before_bytes"], est["after_bytes"]
    lines.append(f"estimate: before {'unknown' if before is None else f'{before:,} B'}, after "
                 f"{'unknown' if after is None else f'{after:,} B'}; {_totals_sentence(est)}")
    lines.append(CAVEAT)
    implied = [r for r in rep.rows if r.implied]
    for r in implied:
        lines.append(f"{r.name} (implied): {r.implied}")
    if refs.figs:
        lines.append("figures:")
        lines += ["  " + _fig_line(i + 1, name, f) for i, (name, f) in enumerate(refs.figs)]
    others = [f for f in rep.plan.findings if not f.applied]
    if others:
        lines.append("other findings:")
        lines += ["  " + finding_line(rep.path, f, dry=True) for f in others]
    if rep.proof is not None:
        from envslim.solve import command

        lines += command.table_lines(rep, _mb)
    return redact("\n".join(lines)) + "\n"


def _md(text: str) -> str:
    return redact(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(rep: FileReport) -> str:
    refs = _Refs()
    t = rep.target
    est = _estimate(rep)
    out = [f"### envslim report: `{_md(rep.path)}`", ""]
    if not rep.rows:
        return "\n".join(out + ["No packages.", ""]) + "\n"
    saving = est["saving_bytes"]
    headline = f"**Estimated footprint: {_mb(est['before_bytes'])} → {_mb(est['after_bytes'])}**"
    if saving:
        headline += f" (saves ~{_mb(saving)})"
    out += [f"{headline}; {_totals_sentence(est)}. Python {t.python} ({t.python_from}), {t.platform}.", ""]
    for line in rep.stale:
        out += [f"> **Lockfile `{_md(rep.lock.path)}` is stale after the rewrite:** {_md(line)}", ""]
    out += ["| package | before | after | change |", "|---|---|---|---|"]
    for r in rep.rows:
        name = f"`{_md(r.name)}` (implied)" if r.implied else f"`{_md(r.name)}`"
        out.append(f"| {name} | {_md(_cell(r.before, refs))} | {_md(_cell(r.after, refs))} | {_md(r.change)} |")
    out.append(f"| **total** | **{_mb(est['before_bytes'])}**, {est['unknown_before']} unknown | "
               f"**{_mb(est['after_bytes'])}**, {est['unknown_after']} unknown | "
               f"{'saves ~' + _mb(saving) if saving else ''} |")
    out.append("")
    others = [f for f in rep.plan.findings if not f.applied]
    if others:
        out += ["Not applied by `envslim rewrite`:", ""]
        out += [f"- `{f.rule}` `{_md(f.package)}`: {_md(f.message)} ({_md(_status(f))})" for f in others]
        out.append("")
    out += ["<details><summary>figures and sources</summary>", ""]
    out += [f"{i + 1}. {_md(_fig_line(i + 1, name, f).split('] ', 1)[1])}" for i, (name, f) in enumerate(refs.figs)]
    out.append("")
    out += [f"`{_md(r.name)}` (implied): {_md(r.implied)}" for r in rep.rows if r.implied]
    out += ["", _md(CAVEAT), "", "</details>", ""]
    if rep.proof is not None:
        from envslim.solve import command

        out += command.markdown_lines(rep, _mb)
    return "\n".join(out) + "\n"


# -- the command ----------------------------------------------------------------------------------------------


def run(args, out, err, plan_for: Callable) -> int:
    """``plan_for(path, stdin) -> (env, plan, cfg)`` reads one file and plans it as ``envslim rewrite`` would;
    it raises ``EnvslimError`` for bad input."""
    if args.refresh and not args.online:
        raise EnvslimError("envslim: error: --refresh needs --online")
    check_target(args.python, args.platform)
    lock = None
    if args.lockfile and not (getattr(args, "solve", False) and args.lockfile.endswith(".lock")):
        from envslim import lockfile  # conda-lock; a pixi.lock is read by --solve (envslim.solve.lockfiles)

        lock = lockfile.read(args.lockfile)
    rc = 0
    reports: list[FileReport] = []
    for path in args.paths:
        stdin = path == "-"
        shown = "<stdin>" if stdin else path
        try:
            env, plan, cfg = plan_for(path, stdin)
        except EnvslimError as e:
            print(redact(str(e)), file=err)
            rc = 2
            continue
        rep = build(shown, env, plan, args, cfg, lock)
        if lock is not None and rep.target.platform not in lock.platforms:
            print(f"envslim: warning: {lock.path} has no packages for {rep.target.platform} "
                  f"(it locks {', '.join(lock.platforms)}); its versions are not used", file=err)
        reports.append(rep)
    if reports and getattr(args, "solve", False):
        from envslim.solve import command

        if command.attach(reports, args, err):
            return 2
    if reports and (args.online or args.offline):
        opts = session_options(offline=bool(args.offline), refresh=bool(args.refresh))
        from envslim.sources import run as run_async

        for line in warning_lines(run_async(_lookup(reports, opts, err)), bool(args.offline)):
            print(line, file=err)
    for rep in reports:
        for line in rep.stale:
            print(redact(f"envslim: warning: {rep.lock.path} is stale after the rewrite of {rep.path}: {line};"
                         " re-run conda-lock"), file=err)
    if args.format == "json":
        out.write(to_json(reports))
    else:
        render = to_markdown if args.format == "markdown" else to_table
        out.write("\n".join(render(rep) for rep in reports))
    return rc
