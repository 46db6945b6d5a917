"""The online lookups of ``envslim report``: each figure a lookup can improve, looked up once, with a
progress line on a terminal."""

from __future__ import annotations

import asyncio
import datetime
import re
from typing import Callable

from envslim import conda as condaspec
from envslim.environment.report import Fig, FileReport, Side
from envslim.display import redact

_OFFLINE_MISS = "no cached data (offline)"


class Progress:
    """``envslim: looking up ... k/n`` on stderr, redrawn in place, once lookups have taken over ``delay``
    seconds and only when stderr is a terminal; erased when they finish."""

    def __init__(self, stream, delay: float = 1.0) -> None:
        self.stream = getattr(stream, "exact", stream)  # (its own text and an erase sequence, past the escapes)
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
        from envslim.online import lookup_wheels

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
        from envslim.online import remotezip

        if not pkg.filename.endswith(".whl"):
            self.session.warn(f"{lock_path}: {pkg.name} {pkg.version} is locked as {pkg.filename}, not a wheel;"
                              " no installed size")
            return None
        size = await remotezip.installed_bytes(self.session, pkg.url, what=f"PyPI {pkg.filename}")
        if size is None:
            return None
        return Fig(
            bytes=size, kind="wheel", origin="lockfile", version=pkg.version, platform=_wheel_platform(pkg.filename),
            source=f"{lock_path}: {pkg.filename}: installed = sum of the file sizes in its zip central directory",
            url=pkg.url, date=self.today, channel="pypi",
        )

    async def conda_installed(self, pkg) -> int | None:
        from envslim.online import CondaFile, conda_installed_bytes

        file = CondaFile(
            channel=pkg.channel, name=pkg.name, version=pkg.version, build=pkg.build or "", build_number=0,
            subdir=pkg.subdir, basename=f"{pkg.subdir}/{pkg.filename}",
            size=None,  # type: ignore[arg-type]  # the lockfile does not record it; range reads find the end
            md5=pkg.md5, sha256=pkg.sha256, depends=(), upload_time=None, distribution_type="conda", labels=(),
            download_url=pkg.url, url=pkg.url,
        )
        return await conda_installed_bytes(file, session=self.session)

    async def lock_closure(self, lock, name: str, platform: str) -> Fig | None:
        from envslim.knowledge import Member

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
            members=tuple(Member(p.name, p.version, n, n, n) for p, n in zip(members, sizes)),
        )

    async def conda_package(self, channel: str, spec, subdir: str, python: str) -> Fig | None:
        from envslim.online import conda_files, conda_installed_bytes

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


async def lookup(reports: list[FileReport], session_opts: dict, err) -> list[str]:
    from envslim.online import Session

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
        hosts = {host: (session.unreachable[host], ws) for host, ws in session.unreachable_warnings.items()}
        return list(session.warnings), hosts


def warning_lines(found, offline: bool) -> list[str]:
    """The lookups' warnings, each once; a host that could not be reached is one line (not one per package)."""
    warnings, hosts = found
    said = {w for _, ws in hosts.values() for w in ws}
    misses = [w for w in warnings if w.endswith(_OFFLINE_MISS)]
    lines = [f"envslim: warning: {w}; using the knowledge base's figure, if any"
             for w in sorted(set(warnings) - set(misses) - said)]
    for host, (problem, ws) in sorted(hosts.items()):
        lines.append(f"envslim: warning: cannot reach {host}: {problem}; {len(set(ws))} lookup(s) there use the"
                     " knowledge base's figures, if any")
    if offline and misses:
        lines.append(f"envslim: warning: --offline: {len(misses)} lookup(s) had no cached data;"
                     " using the knowledge figures")
    return [redact(line) for line in lines]


