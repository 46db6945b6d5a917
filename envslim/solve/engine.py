"""Solve an environment for its target platforms and measure it.

    settings = Settings.from_environ(platforms=["linux-64"], glibc=None, cuda=None)
    solutions = solve_environment(EnvSpec(channels=("conda-forge",), conda=("pyarrow", "python=3.11"),
                                          pip=("requests",)), settings)
    solutions["linux-64"].packages      # SolvedPackage(manager, name, version, build, size, ...)

For each target: the conda specs are solved by rattler (:mod:`envslim.solve.conda`), the pip lines
resolved by uv against the result (:mod:`envslim.solve.pip`), and every artifact's installed bytes read
(:mod:`envslim.solve.sizes`). Packages come out sorted by manager then name. The environment decides
the endpoints: ``ENVSLIM_CONDA_URL`` (channel alias), ``ENVSLIM_DEFAULTS_URL`` (what ``defaults``
expands under), ``ENVSLIM_PYPI_URL`` (the index: ``{url}/simple/`` and ``{url}/pypi/NAME/json``),
``ENVSLIM_CACHE_DIR`` (the channels' repodata in ``repodata/``, fetched by envslim; uv's cache in
``solve/uv/``; installed sizes in the http cache). ``progress(text)`` is called with one short line per step for a terminal.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from envslim.solve.channels import CHANNEL_ALIAS, channel_urls
from envslim.solve.model import Size, Solution, SolvedPackage
from envslim.solve.target import Target

__all__ = ["EnvSpec", "Settings", "solve_environment", "solve_environment_async"]

PYPI_URL = "https://pypi.org"


@dataclass(frozen=True)
class EnvSpec:
    channels: tuple[str, ...] = ()
    conda: tuple[str, ...] = ()  # MatchSpecs as written in the file
    pip: tuple[str, ...] = ()  # the lines of the pip: list


@dataclass(frozen=True)
class Settings:
    targets: tuple[Target, ...] = (Target(),)
    alias: str = CHANNEL_ALIAS
    defaults_url: str | None = None
    pypi_url: str = PYPI_URL
    cache_dir: Path | None = None
    progress: Callable[[str], None] | None = field(default=None, compare=False)

    @classmethod
    def from_environ(
        cls,
        *,
        platforms: list[str] | None = None,
        glibc: str | None = None,
        cuda: str | None = None,
        alias: str | None = None,
        progress: Callable[[str], None] | None = None,
        environ: dict[str, str] | None = None,
    ) -> Settings:
        """Settings from the command line's values, the config's ``channel-alias`` and the environment
        (which wins over the config: it is how a mirror or a test server is named)."""
        env = os.environ if environ is None else environ
        targets = tuple(
            Target(p, **({"glibc": glibc} if glibc else {}), cuda=cuda) for p in (platforms or ["linux-64"])
        )
        cache = env.get("ENVSLIM_CACHE_DIR")
        return cls(
            targets=targets,
            alias=env.get("ENVSLIM_CONDA_URL") or alias or CHANNEL_ALIAS,
            defaults_url=env.get("ENVSLIM_DEFAULTS_URL") or None,
            pypi_url=env.get("ENVSLIM_PYPI_URL") or PYPI_URL,
            cache_dir=Path(cache) if cache else None,
            progress=progress,
        )

    def cache_root(self) -> Path:
        if self.cache_dir is not None:
            return self.cache_dir
        import platformdirs

        return Path(platformdirs.user_cache_dir("envslim"))


def spec_name(spec: str) -> str:
    """The package name of a conda spec as a file writes it (``pyarrow=15`` -> ``pyarrow``)."""
    import rattler

    try:
        m = rattler.MatchSpec(spec.split("::", 1)[-1])
    except Exception:  # InvalidMatchSpecError: reported by the solve itself
        return spec.split()[0]
    return m.name.normalized if m.name else spec


class Run:
    """One solve run: a gateway, the local channels and an http session shared by every target."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        root = settings.cache_root()
        self.root = root
        self.gateway: Any = None
        self.session: Any = None
        self.pip_runs: dict[tuple, Any] = {}  # the same pip lines against the same conda side: one uv run

    async def __aenter__(self) -> Run:
        from envslim.solve.conda import make_gateway
        from envslim.online import Cache, Session

        from envslim.online.limits import cache_max
        from envslim.solve.repodata import Localizer

        cache_max()  # a bad ENVSLIM_CACHE_MAX is an error before any work, not after

        self.gateway = make_gateway(self.root / "rattler")
        # sizes live in the online lookups' cache (ENVSLIM_CACHE_DIR, else platformdirs' .../envslim/http)
        cache = Cache(self.settings.cache_dir) if self.settings.cache_dir is not None else Cache()
        self.session = Session(cache=cache, pypi_url=self.settings.pypi_url, bound_cache=False)
        self.localizer = Localizer(self.session, self.root)
        return self

    async def __aexit__(self, *exc: object) -> None:
        from envslim.online.cache import enforce_bound
        from envslim.online.limits import cache_max

        await self.session.aclose()
        (self.root / "solve" / "uv").mkdir(parents=True, exist_ok=True)
        os.utime(self.root / "solve" / "uv")  # uv's cache was used now (its files keep their own times)
        enforce_bound(self.root, cache_max())

    def say(self, text: str) -> None:
        if self.settings.progress is not None:
            self.settings.progress(text)

    async def solve(self, env: EnvSpec, target: Target) -> Solution:
        from envslim.solve.conda import solve_conda
        from envslim.solve.sizes import Artifact

        channels = channel_urls(list(env.channels), alias=self.settings.alias,
                                defaults_url=self.settings.defaults_url)
        self.say(f"solving {target.platform}")
        records = await solve_conda(list(env.conda), channels.urls, target, gateway=self.gateway,
                                    localizer=self.localizer, alias=self.settings.alias)
        pip = await self.resolve_pip(list(env.pip), records, target)
        packages = await self.measure(target.platform, [Artifact.from_record(r) for r in records], pip.picks)
        requested = [("conda", spec_name(s), s) for s in env.conda]
        requested += [("pip", name, line) for name, line in pip.requested]
        return Solution(target.platform, packages, requested, list(pip.not_verified), list(channels.notes))

    async def resolve_pip(self, lines: list[str], records: list[Any], target: Target) -> Any:
        from envslim.solve.pip import conda_python_dists, resolve_pip

        python = next((str(r.version) for r in records if r.name.normalized == "python"), "")
        key = (tuple(lines), tuple(conda_python_dists(records)) if lines else (), python, target)
        if key not in self.pip_runs:
            self.pip_runs[key] = asyncio.ensure_future(resolve_pip(
                lines, records, target, index_url=self.settings.pypi_url, work_dir=self.root / "solve"))
        return await asyncio.shield(self.pip_runs[key])

    async def measure(self, platform: str, artifacts: list[Any], picks: list[Any]) -> list[SolvedPackage]:
        """Installed bytes of conda artifacts and wheels -> packages sorted by manager, then name."""
        from envslim.solve.sizes import conda_size, gather_sizes, wheel_size

        semaphore = asyncio.Semaphore(16)
        jobs: list[Callable[[], Any]] = []
        for a in artifacts:
            jobs.append(lambda a=a: conda_size(a, session=self.session, semaphore=semaphore))
        for p in picks:
            jobs.append(lambda p=p: wheel_size(p.url, p.sha256, session=self.session, what=f"{p.name} {p.version}"))

        def tick(done: int, total: int) -> None:
            self.say(f"sizes {platform}: {done}/{total}")

        sizes = await gather_sizes(jobs, tick)
        packages = [_conda_package(a, s) for a, s in zip(artifacts, sizes)]
        packages += [_pip_package(p, *s) for p, s in zip(picks, sizes[len(artifacts):])]
        packages.sort(key=lambda p: (p.manager != "conda", p.name))
        return packages


def _conda_package(a: Any, size: Size) -> SolvedPackage:
    from envslim.display import redact

    return SolvedPackage(
        manager="conda", name=a.name, version=a.version, build=a.build, size=size,
        channel=redact(a.channel).rstrip("/"), filename=a.filename, url=a.url, sha256=a.sha256,
        archive_bytes=a.archive_bytes, depends=a.depends, noarch=a.noarch,
    )


def _pip_package(pick: Any, size: Size, requires: tuple[str, ...]) -> SolvedPackage:
    return SolvedPackage(
        manager="pip",
        name=pick.name,
        version=pick.version,
        build="",
        size=size,
        filename=pick.url.rsplit("/", 1)[-1],
        url=pick.url,
        sha256=pick.sha256,
        depends=requires,
    )


async def solve_environment_async(env: EnvSpec, settings: Settings) -> dict[str, Solution]:
    async with Run(settings) as run:
        out: dict[str, Solution] = {}
        for target in settings.targets:
            out[target.platform] = await run.solve(env, target)
        return out


async def solve_many_async(envs: list[EnvSpec], settings: Settings) -> list[dict[str, Solution] | Exception]:
    """Solve several environments (a before and its afters) in one run; an environment that does not
    solve gets its :class:`~envslim.solve.errors.Unsolvable` in place of a result; a
    :class:`~envslim.solve.errors.SolveUnavailable` (network) is raised."""
    from envslim.solve.errors import Unsolvable

    async with Run(settings) as run:
        results: list[dict[str, Solution] | Exception] = []
        for env in envs:
            try:
                out = {}
                for target in settings.targets:
                    out[target.platform] = await run.solve(env, target)
                results.append(out)
            except Unsolvable as exc:  # a network failure is not a result: it ends the run
                results.append(exc)
        return results


def quiet_late_callbacks() -> None:
    """rattler's gateway can finish a fetch after the solve that asked for it has failed and its event loop
    is closed; its binding then prints ``RuntimeError: Event loop is closed`` through ``sys.excepthook``
    with a traceback. That is noise about a loop envslim has finished with, never a result: drop exactly
    that error (any other goes to the previous hook), so a failed solve ends with its one line."""
    import sys

    previous = sys.excepthook
    if getattr(previous, "_envslim_quiet", False):
        return

    def hook(kind, value, tb):
        if kind is RuntimeError and str(value) == "Event loop is closed":
            return
        previous(kind, value, tb)

    hook._envslim_quiet = True  # type: ignore[attr-defined]
    sys.excepthook = hook


def run_solve(coro):
    """``asyncio.run`` for the solve path, with :func:`quiet_late_callbacks` in place."""
    quiet_late_callbacks()
    return asyncio.run(coro)


def solve_environment(env: EnvSpec, settings: Settings) -> dict[str, Solution]:
    """Synchronous :func:`solve_environment_async`; raises :class:`~envslim.solve.errors.SolveFailure`."""
    return run_solve(solve_environment_async(env, settings))


def solve_many(envs: list[EnvSpec], settings: Settings) -> list[dict[str, Solution] | Exception]:
    return run_solve(solve_many_async(envs, settings))


async def lockfile_solutions_async(path: str | Path, settings: Settings, *,
                                   requested: list[tuple[str, str, str]] | tuple = (),
                                   environment: str = "default") -> dict[str, Solution]:
    """The solved set a pixi.lock (its ``environment``) or conda-lock.yml records, measured, for the
    settings' platforms."""
    from envslim.solve.lockfiles import solution_from_lockfile

    async with Run(settings) as run:
        return await solution_from_lockfile(path, run, platforms=[t.platform for t in settings.targets],
                                            requested=requested, environment=environment)


def lockfile_solutions(path: str | Path, settings: Settings, **kw: Any) -> dict[str, Solution]:
    return run_solve(lockfile_solutions_async(path, settings, **kw))
