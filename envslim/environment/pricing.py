"""The report's offline conda figures, from the environment model: each requested package priced as its
closure (the chosen builds it reaches beyond python's own closure), each member once, with its source.

A row's figure carries its members (``knowledge.Member``), so the report's totals stay a union: a library
two packages share counts once. Members the snapshot does not know are named on the figure
(``Fig.unknown``) and not counted; a package that is itself unknown has no figure.
"""

from __future__ import annotations

from envslim import knowledge
from envslim.environment.graph import Graph, snapshot
from envslim.environment.model import (DEFAULT_PLATFORM, Environment, Target, doc_platform, file_channels,
                                       python_pin, scope_python, unselected_specs)
from envslim.environment.report import Fig

SNAPSHOT_NOTE = ("conda figures: the offline graph snapshot of {date} (depends and archive bytes from public lock"
                 " files; installed bytes measured where a committed conda-meta has them, else estimated from"
                 " the archive bytes with a range), walked with the builds a solver would choose for the target")


def file_target(doc, platform: str | None, python: str | None, graph: Graph | None = None) -> Target:
    """The model's target for ``doc``: ``platform`` when one is given, else the file's own (build strings,
    platform-only packages, subdirs), else linux-64; the file's channel order; ``python``, else the file's
    pin."""
    from envslim import conda as condaspec

    graph = graph if graph is not None else snapshot()
    lines = []
    for item in doc.deps:
        spec = condaspec.parse_line(item.text)
        if spec is not None:
            lines.append((getattr(item, "selector", None), spec))
    specs = {}
    for _sel, spec in lines:
        specs.setdefault(spec.name, spec)
    why = "given"
    if platform is None:
        platform, why = doc_platform(doc, unselected_specs(lines), graph)
        platform, why = (platform, why) if platform else (DEFAULT_PLATFORM, "default")
    return Target(platform, file_channels(doc.channel_names), python or python_pin(scope_python(doc) or specs), why)


def environment(doc, target: Target, graph: Graph | None = None, pins: tuple[str, ...] = ()) -> Environment:
    return Environment.from_document(doc, target, graph, pins)


def closure_figure(env: Environment, name: str) -> Fig | None:
    """The figure of a requested conda package: its chosen build and what that build reaches beyond
    python's own closure (python's row is python's closure), each member priced once; None when the
    package itself is unknown."""
    b = env.packages.get(name)
    if b is None or b.figure is None:
        return None
    members_names = env.closure([name])
    if name != "python" and "python" in env.packages:  # (python unknown: what any python allowed keeps)
        members_names -= env.kept(["python"])
    members_names.add(name)
    members = []
    unknown = []
    archive = 0
    estimate = False
    for n in sorted(members_names):
        f = env.figure(n)
        if f is None:
            unknown.append(n)
            continue
        members.append(knowledge.Member(n, f.build.version, f.bytes, f.low, f.high))
        archive += f.build.archive_bytes or 0
        estimate |= f.estimate
    total = sum(m.installed_bytes for m in members)
    low = sum(m.low for m in members)
    high = sum(m.high for m in members)
    graph = env.graph
    where = "beyond python's closure" if name != "python" else "python and its closure"
    source = (f"graph snapshot {graph.date}: {b.name} {b.version} {b.build} ({b.channel} {b.subdir}) and "
              f"{len(members) - 1} more package(s) {where}; {b.name} seen in {b.source}")
    return Fig(bytes=total, kind="closure", origin="snapshot", version=b.version, platform=b.subdir,
               source=source, url=_source_url(graph, b.source), date=b.date, archive_bytes=archive or None,
               packages=len(members), channel=b.channel, estimate=estimate or low != high, low=low, high=high,
               stand_in=env.stand_in.get(name, ""), members=tuple(members), unknown=tuple(unknown))


def _source_url(graph: Graph, source: str) -> str:
    """The web address of the lock file a build was seen in (``repository path @commit (date)``)."""
    repo, _, rest = source.partition(" ")
    path, _, rest = rest.partition(" @")
    short = rest.partition(" ")[0]
    for s_repo, s_path, commit, _date in graph.sources:
        if s_repo == repo and s_path == path and commit.startswith(short) and repo.startswith("github.com/"):
            return f"https://{repo}/blob/{commit}/{path}"
    return ""


def implied_figure(env: Environment, name: str) -> Fig | None:
    """The figure of a package the file does not name but a fix keeps out (``mkl``, which ``nomkl`` keeps out
    of a defaults environment): from the environment where it is in it, else its closure on the channel that
    serves it for the file's target (defaults data for a defaults file, or unknown)."""
    if name in env.packages:
        return closure_figure(env, name)
    alone = Environment.from_specs([name], env.target, env.graph)
    return closure_figure(alone, name)


def wheel_figure(env: Environment, key: str, project: str, spec_text: str, python: str, pip_names: set[str],
                 fallback: str = "") -> Fig | None:
    """The figure of a pip line (``spec_text``, the PyPI ``project``; ``key`` its conda name) on the
    environment's platform and ``python``: the knowledge base's wheel for the target, with the wheels its
    Requires-Dist brings (:func:`wheel_requirements`); None when the knowledge base has no wheel for the
    target. A move's arriving wheel is priced by the same ``wheels.wheel``, so both print one figure."""
    from envslim.environment.report import Side, Target as ReportTarget, knowledge_figure

    fig = knowledge_figure(Side(key, project, "pip", spec_text), ReportTarget(python, "", env.target.platform), fallback)
    if fig is None:
        return None
    return wheel_requirements(fig, project, env, python, pip_names)


def wheel_requirements(fig: Fig, project: str, env: Environment, python: str, pip_names: set[str]) -> Fig:
    """``fig`` (a pip line's wheel) with the wheels its Requires-Dist brings counted as members where the
    knowledge base has a figure for the target, and named unknown where not (``wheels.requirements``)."""
    import dataclasses

    from envslim.environment import wheels

    own = list(fig.members) or [knowledge.Member(project, fig.version, fig.bytes, fig.lo, fig.hi)]
    members, unknown, read = wheels.requirements(project, fig.version, own, fig.unknown, set(env.packages),
                                                 env.target.platform, python, set(pip_names))
    if not read:
        return dataclasses.replace(fig, unknown=unknown)
    total, low, high = (sum(m.installed_bytes for m in members), sum(m.low for m in members),
                        sum(m.high for m in members))
    return dataclasses.replace(fig, bytes=total, low=low, high=high, members=tuple(members), unknown=tuple(unknown),
                               estimate=fig.estimate or low != high, packages=len(members))


def symmetric_wheels(before: Fig, old: str, after: Fig, new: str) -> tuple[Fig, Fig]:
    """The wheels of a pip rename (``old`` -> ``new``: opencv-python -> opencv-python-headless), compared alike:
    where the snapshot read the Requires-Dist of one and not of the other, each is its own wheel only and its
    requirements are named, not counted (a requirement counted on one side only would be a saving nobody
    measured: tensorflow-cpu requires numpy as tensorflow does)."""
    from envslim.environment import wheels

    read = wheels.requirements_read(old, before.version), wheels.requirements_read(new, after.version)
    if read[0] == read[1]:
        return before, after
    return (_own_wheel(before, old, new) if read[0] else before), (_own_wheel(after, new, old) if read[1] else after)


def _own_wheel(fig: Fig, project: str, other: str) -> Fig:
    import dataclasses

    own = fig.members[0] if fig.members else knowledge.Member(project, fig.version, fig.bytes, fig.lo, fig.hi)
    return dataclasses.replace(fig, bytes=own.installed_bytes, low=own.low, high=own.high, members=(own,),
                               packages=None, estimate=own.low != own.high,
                               unknown=(f"{project}'s requirements (not counted: {other}'s are not in the snapshot)",))


def openblas_figure(env: Environment, platform: str | None = None, channel: str | None = None) -> Fig | None:
    """The figure of the OpenBLAS build that ``nomkl`` brings in place of MKL, for ``platform`` (default the
    environment's): the snapshot's newest libopenblas on the channel that serves it, else conda-forge's as a
    stand-in (said on the figure); None where the snapshot has no build for the platform."""
    platform = platform or env.target.platform
    graph = env.graph
    channel = channel or env.serving_channel("libopenblas") or next(
        (c for c in env.target.channels if c in ("conda-forge", "defaults")), "conda-forge")
    builds = graph.builds("libopenblas", platform=platform, channel=channel)
    stand_in = ""
    if not len(builds) and channel != "conda-forge":
        stand_in = f"conda-forge's libopenblas stands in ({channel} has no OpenBLAS build in the snapshot)"
        builds = graph.builds("libopenblas", platform=platform, channel="conda-forge")
    b = builds[0] if len(builds) else None
    if b is None or b.figure is None:
        return None
    n, low, high = b.figure
    source = (f"graph snapshot {graph.date}: libopenblas {b.version} {b.build} ({b.channel} {b.subdir}), seen in"
              f" {b.source}; its runtime (libgfortran) not counted")
    return Fig(bytes=n, kind="package", origin="snapshot", version=b.version, platform=b.subdir, source=source,
               url=_source_url(graph, b.source), date=b.date, archive_bytes=b.archive_bytes, packages=1,
               channel=b.channel, estimate=b.estimate or low != high, low=low, high=high, stand_in=stand_in,
               members=(knowledge.Member("libopenblas", b.version, n, low, high),))


def nomkl_figures(env: Environment, platform: str | None = None,
                  channel: str | None = None) -> tuple[Fig | None, Fig | None]:
    """What ``nomkl`` changes, priced once for its finding and the report alike: (the MKL side that leaves:
    mkl's closure as the environment would install it, :func:`implied_figure`; the OpenBLAS side that
    arrives, :func:`openblas_figure`). ``platform``: another platform than the environment's (a file whose
    BLAS users are for win-64 only); ``channel``: the channel MKL would come from where the environment
    does not reach it (defaults for a BLAS user taken from ``anaconda::``)."""
    if platform and platform != env.target.platform:
        env = Environment.from_specs(list(env.requested.values()),
                                     Target(platform, env.target.channels, env.target.python), env.graph)
    if channel and "mkl" not in env.packages:
        alone = Target(env.target.platform, (channel,), env.target.python, env.target.platform_from)
        mkl = closure_figure(Environment.from_specs(["mkl"], alone, env.graph), "mkl")
    else:
        mkl = implied_figure(env, "mkl")
    if mkl is not None:  # what the rest of the file keeps (or has already) does not leave
        import dataclasses

        stays = env.kept(set(env.requested), without=("mkl",))
        members = tuple(m for m in mkl.members if m.name == "mkl" or m.name not in stays)
        unknown = tuple(n for n in mkl.unknown if n not in stays)
        source = mkl.source.replace(f"and {len(mkl.members) - 1} more package(s)",
                                    f"and {len(members) - 1} more package(s) that leave with it,", 1)
        mkl = dataclasses.replace(mkl, source=source, bytes=sum(m.installed_bytes for m in members), low=sum(m.low for m in members),
                                  high=sum(m.high for m in members), members=members, unknown=unknown,
                                  packages=len(members))
    return mkl, openblas_figure(env, platform, channel)


def without(fig: Fig, names: set[str]) -> Fig:
    """``fig`` (a closure) without the members ``names``: what it still installs once a guard keeps them out
    (nomkl: a package whose build links MKL is counted after the rewrite without the MKL side)."""
    import dataclasses

    members = tuple(m for m in fig.members if m.name not in names)
    if len(members) == len(fig.members):
        return fig
    return dataclasses.replace(fig, bytes=sum(m.installed_bytes for m in members), low=sum(m.low for m in members),
                               high=sum(m.high for m in members), members=members, packages=len(members),
                               source=f"{fig.source}; without {', '.join(sorted(names & {m.name for m in fig.members}))}"
                                      " (kept out by nomkl)")
