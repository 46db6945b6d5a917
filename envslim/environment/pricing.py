"""The report's offline conda figures, from the environment model: each requested package priced as its
closure (the chosen builds it reaches beyond python's own closure), each member once, with its source.

A row's figure carries its members (``knowledge.Member``), so the report's totals stay a union: a library
two packages share counts once. Members the snapshot does not know are named on the figure
(``Fig.unknown``) and not counted; a package that is itself unknown has no figure.
"""

from __future__ import annotations

from envslim import knowledge
from envslim.environment.graph import Graph, snapshot
from envslim.environment.model import DEFAULT_PLATFORM, Environment, Target, file_channels, platform_of, python_pin
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
    specs = {}
    for item in doc.deps:
        spec = condaspec.parse_line(item.text)
        if spec is not None:
            specs.setdefault(spec.name, spec)
    why = "given"
    if platform is None:
        platform, why = platform_of(specs, graph)
        platform, why = (platform, why) if platform else (DEFAULT_PLATFORM, "default")
    return Target(platform, file_channels(doc.channel_names), python or python_pin(specs), why)


def environment(doc, target: Target, graph: Graph | None = None) -> Environment:
    return Environment.from_document(doc, target, graph)


def closure_figure(env: Environment, name: str) -> Fig | None:
    """The figure of a requested conda package: its chosen build and what that build reaches beyond
    python's own closure (python's row is python's closure), each member priced once; None when the
    package itself is unknown."""
    b = env.packages.get(name)
    if b is None or b.figure is None:
        return None
    members_names = env.closure([name])
    if name != "python" and "python" in env.packages:
        members_names -= env.closure(["python"])
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


def wheel_requirements(fig: Fig, project: str, env: Environment, python: str, pip_names: set[str]) -> Fig:
    """``fig`` (a pip line's wheel) with the wheels its Requires-Dist brings counted as members where the
    knowledge base has a figure for the target, and named unknown where not: requirements that another pip
    line or a conda package of the environment provides are left to them. Only the release the snapshot
    read (its version must be the wheel's); for another version the requirements are one unknown entry."""
    import dataclasses

    from envslim.environment.graph import pypi_requires
    from envslim.environment.report import Side, knowledge_figure
    from envslim.knowledge import names

    req = pypi_requires(project)
    if req is None:
        return dataclasses.replace(fig, unknown=fig.unknown + (f"{project}'s requirements (not in the snapshot)",))
    if req.version != fig.version:
        return dataclasses.replace(fig, unknown=fig.unknown + (
            f"{project} {fig.version}'s requirements (the snapshot has {req.version}'s)",))
    members = list(fig.members) or [knowledge.Member(project, fig.version, fig.bytes, fig.lo, fig.hi)]
    unknown = list(fig.unknown)
    seen = {names.normalize(project)} | pip_names
    todo = list(req.requires)
    environment = _marker_environment(env.target.platform, python)
    while todo:
        text = todo.pop(0)
        name, spec = _requirement(text, environment)
        if name is None or name in seen:
            continue
        seen.add(name)
        conda = names.conda_name(name) or name
        if conda in env.packages:  # pip sees the conda package installed: satisfied
            continue
        wheel = knowledge_figure(Side(conda, name, "pip", spec), _ReportTarget(env.target.platform, python), "")
        if wheel is None:
            unknown.append(name)
            continue
        members.append(knowledge.Member(name, wheel.version, wheel.bytes, wheel.lo, wheel.hi))
        more = pypi_requires(name)
        if more is not None and more.version == wheel.version:
            todo += list(more.requires)
    total, low, high = (sum(m.installed_bytes for m in members), sum(m.low for m in members),
                        sum(m.high for m in members))
    return dataclasses.replace(fig, bytes=total, low=low, high=high, members=tuple(members), unknown=tuple(unknown),
                               estimate=fig.estimate or low != high, packages=len(members))


class _ReportTarget:
    def __init__(self, platform: str, python: str) -> None:
        self.platform, self.python = platform, python


def _marker_environment(platform: str, python: str) -> dict:
    system = {"linux": "Linux", "osx": "Darwin", "win": "Windows"}.get(platform.split("-")[0], "Linux")
    machine = {"64": "x86_64", "aarch64": "aarch64", "arm64": "arm64", "ppc64le": "ppc64le"}.get(
        platform.split("-", 1)[-1], "x86_64")
    return {"platform_system": system, "sys_platform": {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}[system],
            "platform_machine": machine, "python_version": python, "python_full_version": python + ".0",
            "os_name": "nt" if system == "Windows" else "posix", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "extra": ""}


def _requirement(text: str, environment: dict) -> tuple[str | None, str]:
    """(normalised project name, requirement text) of a Requires-Dist line that applies to the target;
    (None, "") when its marker rules it out or it cannot be read."""
    from packaging.requirements import InvalidRequirement, Requirement

    from envslim.knowledge import names

    try:
        r = Requirement(text)
    except InvalidRequirement:
        return None, ""
    if r.marker is not None and not r.marker.evaluate(environment):
        return None, ""
    return names.normalize(r.name), f"{r.name}{r.specifier}"
