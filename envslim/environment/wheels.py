"""A pip line's wheel on the target, as the knowledge base prices it, with the wheels its Requires-Dist brings.

One copy for the report's pip rows (``pricing.wheel_figure``) and a move's arriving wheel
(``effects.effect_of_move``), so both print one figure. Light on purpose: the hook path prices a move's
wheel here, and ``packaging`` is imported only where a requirement must be read.
"""

from __future__ import annotations

from envslim._record import dataclass
from envslim import knowledge
from envslim.knowledge import footprint


@dataclass(frozen=True)
class Wheel:
    """A wheel's figure on the target: the wheel and the wheels it requires (``members``, each once), what
    has no figure for the target named in ``unknown`` (not counted)."""

    project: str
    priced: footprint.Priced  # the wheel's own knowledge figure
    members: tuple[knowledge.Member, ...]
    unknown: tuple[str, ...]

    @property
    def bytes(self) -> int:
        return sum(m.installed_bytes for m in self.members)

    @property
    def low(self) -> int:
        return sum(m.low for m in self.members)

    @property
    def high(self) -> int:
        return sum(m.high for m in self.members)

    @property
    def version(self) -> str:
        return self.priced.figure.version

    @property
    def source(self) -> str:
        return knowledge_source(self.priced)


def knowledge_source(p: footprint.Priced) -> str:
    """``knowledge/packages/NAME.toml FIGURE-ID [SOURCE-ID] title``: where a knowledge figure comes from."""
    fig = p.figure
    return f"knowledge/packages/{p.entry}.toml {fig.id} [{fig.source.id}] {fig.source.title}"


def pick(key: str, project: str, spec, platform: str, python: str, fallback: str = "") -> footprint.Priced | None:
    """The knowledge base's wheel of ``project`` (its conda name ``key``; ``fallback``: the entry to read when
    ``key`` has none) for the target under ``spec`` (anything with ``matches_version``; None: any)."""
    entry = knowledge.load(key) or (knowledge.load(fallback) if fallback else None)
    return footprint.pick(entry, ("pypi",), ("wheel",), footprint.Target(platform, python), spec, project)


def requirements_read(project: str, version: str) -> bool:
    """Whether the snapshot read the Requires-Dist of ``project`` at ``version`` (see :func:`requirements`)."""
    from envslim.environment.graph import pypi_requires

    req = pypi_requires(project)
    return req is not None and req.version == version


def requirements(project: str, version: str, members, unknown, conda: set[str], platform: str, python: str,
                 pip_names: set[str]) -> tuple[tuple[knowledge.Member, ...], tuple[str, ...], bool]:
    """``members`` and ``unknown`` of ``project``'s wheel (at ``version``) with the wheels its Requires-Dist
    brings: counted where the knowledge base has a figure for the target, named unknown where not. A
    requirement that another pip line (``pip_names``) or a conda package of the environment (``conda``)
    provides is left to it. Only the release the snapshot read: for another version the requirements are one
    unknown entry. The last value: whether the requirements were read (False: one unknown entry added)."""
    from envslim.environment.graph import pypi_requires
    from envslim.knowledge import names

    members, unknown = list(members), list(unknown)
    req = pypi_requires(project)
    if req is None:
        return tuple(members), tuple(unknown + [f"{project}'s requirements (not in the snapshot)"]), False
    if req.version != version:
        return (tuple(members), tuple(unknown + [f"{project} {version}'s requirements (the snapshot has {req.version}'s)"]),
                False)
    seen = {names.normalize(project)} | set(pip_names)
    todo = list(req.requires)
    environment = _marker_environment(platform, python) if todo else {}
    while todo:
        text = todo.pop(0)
        name, spec = _requirement(text, environment)
        if name is None or name in seen:
            continue
        seen.add(name)
        key = names.conda_name(name) or name
        if key in conda:  # pip sees the conda package installed: satisfied
            continue
        wheel = pick(key, name, PipSpec(spec) if spec else None, platform, python)
        if wheel is None:
            unknown.append(name)
            continue
        members.append(knowledge.Member(name, wheel.figure.version, wheel.bytes, wheel.low, wheel.high))
        more = pypi_requires(name)
        if more is not None and more.version == wheel.figure.version:
            todo += list(more.requires)
    return tuple(members), tuple(unknown), True


def wheel(key: str, project: str, spec, conda: set[str], platform: str, python: str, pip_names: set[str],
          fallback: str = "") -> Wheel | None:
    """The wheel of a pip line and the wheels it requires, on the target; None where the knowledge base has no
    figure for the wheel itself."""
    p = pick(key, project, spec, platform, python, fallback)
    if p is None:
        return None
    own = knowledge.Member(project, p.figure.version, p.bytes, p.low, p.high)
    members, unknown, _read = requirements(project, p.figure.version, (own,), (), conda, platform, python, pip_names)
    return Wheel(project, p, members, unknown)


class PipSpec:
    """A requirement's version constraint as ``footprint.pick`` asks it (``matches_version``): PEP 440 decides
    (``packaging``); an unreadable requirement matches no version."""

    def __init__(self, text: str) -> None:
        from envslim import pipreq

        req = pipreq.parse(text)
        self.specifier, self.unreadable = (req.specifier, False) if req is not None else (None, True)

    def matches_version(self, version: str) -> bool:
        if self.unreadable:
            return False
        return self.specifier is None or self.specifier.contains(version, prereleases=True)


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
    from envslim import pipreq
    from envslim.knowledge import names

    r = pipreq.parse(text)
    if r is None or (r.marker and not pipreq.only_extra(r.marker)):  # a marker to evaluate: packaging reads it
        from packaging.requirements import InvalidRequirement, Requirement

        try:
            r = Requirement(text)
        except InvalidRequirement:
            return None, ""
        if r.marker is not None and not r.marker.evaluate(environment):
            return None, ""
    elif r.marker:  # extra == "..." only: no extra is asked for
        return None, ""
    return names.normalize(r.name), f"{r.name}{r.specifier}"
