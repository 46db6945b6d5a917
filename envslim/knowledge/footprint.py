"""Footprints from the knowledge base: which figure is true for the user's target, and what a change saves.

A figure counts only for its target: the same platform (or noarch; for a wheel, a platform tag of the
target's kind, or ``any``), a Python the figure holds for (a wheel's ``cpXY`` tag, a conda build's
``python``), and a version the file's constraint allows. Where no such figure exists, a figure of a
version the constraint allows built for another Python may *stand in*: it is labelled so, and its range
widens to every such figure. A figure of another version never stands in (``tensorflow==1.4.0`` is not
priced with 2.21's figure): the package is unknown (``None``), never zero.

A priced figure carries its members (the packages of a closure, each with its version and bytes), so that
totals can be a union: each package counted once (``union``).
"""

from __future__ import annotations

from envslim._record import dataclass
from envslim.conda.python import DEFAULT_PYTHON, python_minor
from envslim.display import mb  # the one size formatter (describe uses it)
from envslim.knowledge import Entry, Figure, Member

CONDA_SIDES = ("conda-forge", "defaults")
DEFAULT_PLATFORM = "linux-64"
_KIND_RANK = {"closure": 0, "package": 1, "wheel": 2}
# conda subdir -> what its wheels' platform tags contain
_WHEEL_PLATFORM = {
    "linux-64": ("linux", "x86_64"), "linux-aarch64": ("linux", "aarch64"), "linux-ppc64le": ("linux", "ppc64le"),
    "osx-64": ("macosx", "x86_64"), "osx-arm64": ("macosx", "arm64"), "win-64": ("win", "amd64"),
}


@dataclass(frozen=True)
class Target:
    platform: str = DEFAULT_PLATFORM
    python: str = DEFAULT_PYTHON  # "3.9"
    channels: tuple[str, ...] = CONDA_SIDES  # the conda channels whose figures count (the one serving the package)

    def __str__(self) -> str:
        return f"{self.platform}, Python {self.python}, {' or '.join(self.channels) or 'no conda channel'}"


@dataclass(frozen=True)
class Priced:
    """A knowledge figure that stands for one package on the target."""

    figure: Figure
    low: int
    high: int
    stand_in: str = ""  # why a figure of another version or Python stands in ("" when it fits)
    entry: str = ""  # the knowledge entry the figure is from

    @property
    def bytes(self) -> int:
        return self.figure.installed_bytes  # type: ignore[return-value]

    @property
    def estimate(self) -> bool:
        return bool(self.figure.estimate or self.stand_in or self.low != self.high)

    def members(self) -> tuple[Member, ...]:
        """The closure's members, their ranges widened as the stand-in's range is (so a stand-in's
        packages are still counted once); ``()`` for a figure without members."""
        from envslim import knowledge

        fig = self.figure
        found = knowledge.members(self.entry, fig.id) if fig.kind == "closure" else ()
        if not found:
            return ()
        lo0, hi0 = _low_high(fig)
        f_lo = self.low / lo0 if lo0 else 1.0
        f_hi = self.high / hi0 if hi0 else 1.0
        if f_lo == 1.0 and f_hi == 1.0:
            return found
        return tuple(Member(m.name, m.version, m.installed_bytes, min(m.installed_bytes, round(m.low * f_lo)),
                            max(m.installed_bytes, round(m.high * f_hi))) for m in found)


def python_of(env) -> str | None:
    """``"3.9"`` when the file pins python to one minor version (``python=3.9``, ``python==3.9.7``), or bounds it
    away from the default (``python>=3.7,<3.9``: ``"3.8"``)."""
    from envslim import conda as condaspec

    for item in env.deps:
        text = item.text.strip()
        if "{{" in text or "{%" in text:
            continue
        try:
            spec = condaspec.parse(text)
        except condaspec.CondaSpecError:
            continue
        if (spec.name or "").lower() == "python" and spec.raw_version:
            return python_minor(spec.raw_version, DEFAULT_PYTHON)
    return None


def target_of(env, platform: str | None = None, python: str | None = None) -> Target:
    """A target for ``env`` (a document): the given platform (default linux-64) and the file's python pin
    (else the given or default Python). Rules price for the environment model's target instead
    (``rules.common.knowledge_target``): the platform the file is for, the channel that serves the package."""
    return Target(platform or DEFAULT_PLATFORM, python_of(env) or python or DEFAULT_PYTHON)


def _pyver(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in text.split(".")[:2])
    except ValueError:
        return ()


def _wheel_fits(tag: str, target: Target) -> tuple[bool, bool]:
    """(platform fits, python fits) for a wheel tag ``interp-abi-platform``."""
    parts = tag.split("-")
    if len(parts) not in (2, 3):
        return False, False
    interp, abi, plat = parts[0], parts[1] if len(parts) == 3 else "", parts[-1]
    if plat == "any":
        plat_ok = True
    else:
        os_part, arch = _WHEEL_PLATFORM.get(target.platform.partition(":")[0], ("?", "?"))
        plat_ok = any(os_part in p and p.endswith(arch) for p in plat.split("."))
    want = _pyver(target.python)
    py_ok = False
    for it in interp.split("."):
        if it.startswith("cp") and it[2:].isdigit():
            have = (int(it[2]), int(it[3:] or 0))
            py_ok |= have == want or (abi == "abi3" and have[0] == want[0] and have <= want)
        elif it.startswith("py") and it[2:].isdigit():
            py_ok |= int(it[2]) == (want[0] if want else 3)
    return plat_ok, py_ok


def _fits(fig: Figure, target: Target) -> tuple[bool, bool]:
    if fig.kind == "wheel":
        return _wheel_fits(fig.platform, target)
    plat_ok = fig.platform in (target.platform.partition(":")[0], "noarch")
    py_ok = not fig.python or _pyver(fig.python) == _pyver(target.python)
    return plat_ok, py_ok


def _order(version: str):
    from envslim import conda as condaspec

    try:
        return (1, condaspec.VersionOrder(version))
    except (ValueError, TypeError):
        return (0, version)


def _version_ok(fig: Figure, spec) -> bool:
    if spec is None:
        return True
    try:
        return bool(spec.matches_version(fig.version))
    except (ValueError, TypeError, AttributeError):
        return False


def _low_high(fig: Figure) -> tuple[int, int]:
    n = fig.installed_bytes or 0
    return (fig.installed_low if fig.installed_low is not None else n,
            fig.installed_high if fig.installed_high is not None else n)


def _project(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def pick(entry: Entry | None, sides: tuple[str, ...], kinds: tuple[str, ...] = ("closure", "package", "wheel"),
         target: Target | None = None, spec=None, project: str | None = None) -> Priced | None:
    """The figure that is true for ``entry`` on ``target`` under the version constraint ``spec`` (a
    condaspec.MatchSpec or anything with ``matches_version``): closures before single packages, then the
    newest fitting version (what a solver would install), ties the most recent date. Without a fitting
    figure, a labelled stand-in of the same platform, or None. A wheel figure counts only for its own PyPI
    project (``project``, default the entry's): opencv-python is not priced with opencv-contrib-python."""
    if entry is None:
        return None
    target = target or Target()
    want = _project(project or entry.pypi_name or entry.name)
    on_platform = []
    for f in entry.figures:
        if f.side not in sides or f.kind not in kinds or f.installed_bytes is None:
            continue
        if f.side != "pypi" and f.side not in target.channels:  # another channel's build is another package
            continue
        if f.kind == "wheel" and _project(f.pypi_name or entry.pypi_name or entry.name) != want:
            continue
        plat_ok, py_ok = _fits(f, target)
        if plat_ok:
            on_platform.append((f, py_ok, _version_ok(f, spec)))
    if not on_platform:
        return None
    exact = [f for f, py_ok, v_ok in on_platform if py_ok and v_ok]
    if exact:
        best = min(exact, key=lambda f: (_KIND_RANK.get(f.kind, 9), _neg(_order(f.version)), _neg_date(f.date)))
        return Priced(best, *_low_high(best), entry=entry.name)
    # a stand-in: another Python's figure of a version the file allows (the closest kind); a figure of a
    # version the file does not allow never stands in (issue 22: tensorflow==1.4.0 is not 2.21's figure)
    allowed_all = [(f, py_ok, v_ok) for f, py_ok, v_ok in on_platform if v_ok]
    if not allowed_all:
        return None
    rank = min(_KIND_RANK.get(f.kind, 9) for f, _, _ in allowed_all)
    allowed = [f for f, _, _ in allowed_all if _KIND_RANK.get(f.kind, 9) == rank]
    best = max(allowed, key=lambda f: (_order(f.version), f.date))
    lows, highs = zip(*(_low_high(f) for f in allowed))
    return Priced(best, min(lows), max(highs), _stand_in_text(best, target), entry.name)


def _stand_in_text(fig: Figure, target: Target) -> str:
    """What a stand-in figure is of: the Python its build is for, where the figure says, not the target's (the
    knowledge base's lack of a figure says nothing of whether the release is built for the target's Python:
    numpy 1.26.4 has cp312 wheels, the knowledge base measured cp311's)."""
    built = fig.python
    if fig.kind == "wheel":
        interp = fig.platform.split("-")[0].split(".")[0]
        built = f"{interp[2]}.{interp[3:]}" if interp.startswith("cp") and interp[2:].isdigit() else ""
    if built:
        return f"stand-in: {fig.version}'s figure is of its Python {built} build, not {target.python}'s"
    return f"stand-in: the knowledge base has no figure of {fig.version} for Python {target.python}"


def _neg(order) -> tuple:
    return (-order[0], _Rev(order[1]))


class _Rev:
    """Reverses the ordering of a VersionOrder (or str) for ``min``."""

    def __init__(self, v) -> None:
        self.v = v

    def __lt__(self, other: "_Rev") -> bool:
        return other.v < self.v

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Rev) and self.v == other.v


def _neg_date(date: str) -> tuple[int, ...]:
    return tuple(-int(p) for p in date.split("-") if p.isdigit())


def _chosen(pieces) -> dict:
    chosen: dict[tuple[str, str], tuple[bool, Member]] = {}
    for own, members in pieces:
        for key, m in members:
            mine = key == own
            old = chosen.get(key)
            if old is None or (mine and not old[0]) or (mine == old[0] and m.installed_bytes > old[1].installed_bytes):
                chosen[key] = (mine, m)
    return {k: m for k, (_, m) in chosen.items()}


def union(pieces) -> tuple[int, int, int, int]:
    """``pieces``: (own key, [(key, Member)]) per counted side. Each key counts once: the member a package's
    own figure gives, else the largest. Returns (bytes, low, high, packages)."""
    ms = list(_chosen(pieces).values())
    return (sum(m.installed_bytes for m in ms), sum(m.low for m in ms), sum(m.high for m in ms), len(ms))


def difference(before_pieces, after_pieces) -> tuple[int, int, int]:
    """(saving, low, high) of two unions. A package counted by the same figure on both sides cancels (its
    uncertainty too); any other adds its own range."""
    b, a = _chosen(before_pieces), _chosen(after_pieces)
    saving = low = high = 0
    for key in b.keys() | a.keys():
        x, y = b.get(key), a.get(key)
        if x == y:
            continue
        if x is not None:
            saving, low, high = saving + x.installed_bytes, low + x.low, high + x.high
        if y is not None:
            saving, low, high = saving - y.installed_bytes, low - y.high, high - y.low
    return saving, low, high


@dataclass(frozen=True)
class Estimate:
    saving_bytes: int | None
    before: Priced | None
    after: Priced | None
    low: int | None = None
    high: int | None = None
    why: str = ""  # why there is no saving figure
    target: Target | None = None  # what the figures were picked for

    @property
    def range(self) -> tuple[int, int] | None:
        """(low, high) of an estimated saving; None when there is no saving figure or no spread."""
        if self.saving_bytes is None or self.low is None or self.high is None or self.low == self.high:
            return None
        return (self.low, self.high)

    @property
    def how(self) -> str:
        if self.why:
            return self.why
        where = f" ({self.target})" if self.target is not None else ""
        if self.before is None:
            return f"unknown: no installed-size figure for the target{where} on the conda side in the knowledge base"
        if self.after is None:
            return f"unknown: {describe(self.before)}; no figure for the replacement on the target{where}"
        rng = f" (range {mb(self.low)} to {mb(self.high)})" if self.low != self.high else ""
        return f"estimate{rng}: {describe(self.before)} minus {describe(self.after)}"


def describe(p: Priced | Figure) -> str:
    fig = p.figure if isinstance(p, Priced) else p
    where = " ".join(x for x in (fig.version, fig.platform, f"python {fig.python}" if fig.python else "") if x)
    est = ", estimate" if isinstance(p, Priced) and p.estimate else ""
    stand = f"; {p.stand_in}" if isinstance(p, Priced) and p.stand_in else ""
    return (f"{fig.side} {fig.kind} {mb(fig.installed_bytes)} installed{est} ({where}; "
            f"{fig.source.id or 'unsourced'}, {fig.date}{stand})")


def _difference(before: Priced | None, after: Priced | None, target: Target | None) -> Estimate:
    if before is None or after is None:
        return Estimate(None, before, after, target=target)
    saving = before.bytes - after.bytes
    low, high = before.low - after.high, before.high - after.low
    return Estimate(saving if saving > 0 else None, before, after, low, high, target=target)


def move_to_pip(entry: Entry, target: Target | None = None, spec=None) -> Estimate:
    """What moving ``entry`` from conda to the wheel pip would pick saves, on ``target``."""
    before = pick(entry, CONDA_SIDES, ("closure", "package"), target, spec)
    after = pick(entry, ("pypi",), ("wheel",), target, spec)
    return _difference(before, after, target or Target())


def removal(entry: Entry | None, sides: tuple[str, ...] = CONDA_SIDES, target: Target | None = None,
            spec=None) -> Estimate:
    """What dropping ``entry``'s conda package (and what only it pulls) from ``sides`` saves."""
    before = pick(entry, sides, ("closure", "package"), target, spec)
    if before is None:
        return Estimate(None, None, None, target=target or Target())
    return Estimate(before.bytes, before, None, before.low, before.high, target=target or Target())


def replacement(entry: Entry | None, other: Entry | None, target: Target | None = None, spec=None) -> Estimate:
    """What replacing ``entry`` by ``other`` on the conda side saves; unknown (never a one-sided figure)
    unless both are known on the target."""
    before = pick(entry, CONDA_SIDES, ("closure", "package"), target, spec)
    after = pick(other, CONDA_SIDES, ("closure", "package"), target, spec)
    return _difference(before, after, target or Target())
