from __future__ import annotations

from envslim import conda as condaspec
from envslim.document.edits import InsertConda, ReplaceValue
from envslim.document.envfile import pip_sort_key
from envslim.environment.effects import Effect
from envslim.rules import Context, Finding, register
from envslim.rules.common import parsed_deps

PIN = "<2"


def _admits_none(spec, pin: str) -> bool:
    """True when the spec admits some version but none that also meets ``pin`` (``>=2``, ``<2``)."""
    if spec.version is None:
        return False
    try:
        return condaspec.merge_pin(spec.raw_version, pin).status == "conflict"
    except condaspec.CondaSpecError:
        return False


def _only_below(spec, threshold: str) -> bool:
    """True when the spec admits no version at or above ``threshold`` (but some version)."""
    return _admits_none(spec, f">={threshold}")


def _only_above(spec, threshold: str) -> bool:
    """True when the spec admits no version below ``threshold`` (``numpy>=2``)."""
    return _admits_none(spec, f"<{threshold}")


@register("ES005", "numpy-abi", "Pin numpy<2 when a package is held to releases built against numpy 1.x", "safe", fix="pin")
def check(ctx: Context):
    """
    ## What it does
    Adds `<2` to the numpy spec (or adds `numpy<2`) when another dependency is pinned to releases that
    were compiled against numpy 1.x, such as `pandas<2.2.2`.

    ## Why is this bad?
    Extension modules built against numpy 1.x fail to import under numpy 2
    (`ValueError: numpy.dtype size changed, may indicate binary incompatibility`). A solver that sees
    no upper bound on numpy may pick 2.x; moving packages to pip makes this more likely, since pip
    does not know what conda's builds were compiled against.

    ## Example
    ```yaml
    dependencies:
      - numpy
      - pandas<2.0
    ```

    ## Use instead
    ```yaml
    dependencies:
      - numpy<2
      - pandas<2.0
    ```

    ## When it does not fire
    - numpy 2 cannot come anyway (no change without effect): the file's python pin admits no Python
      numpy 2 supports (3.9 and later; pip cannot install numpy 2 there either: its Requires-Python is
      `>=3.9`, so a held wheel such as `torch==1.9.0` beside `python=3.8` needs no pin), or a held
      package comes from conda-forge, where every build
      compiled against numpy 1.x depends on `numpy <2.0a0` (numpy's run_export since
      conda-forge/numpy-feedstock@bca0916, 2022; older builds patched by
      conda-forge/conda-forge-repodata-patches-feedstock#728, 2024). It fires where the held package
      comes from a channel without that bound recorded (defaults, the pytorch channel: its pytorch
      builds do not depend on numpy at all).
    - numpy comes from pip (a `pip:` line names it): the pin is the pip line's business.
    - The held line carries a selector (`pandas<2.0  # [win]`): an added `numpy<2` carries the same
      selector; an existing numpy line without it is not pinned (that would pin every platform), and
      the finding says to add `numpy<2  # [win]` by hand.

    ## Fix safety
    Safe: the pin only removes numpy releases that the pinned package cannot import with. When the
    file already asks for numpy 2 (`numpy>=2`), the conflict is reported and nothing is written.
    """
    deps = parsed_deps(ctx.env)
    held = []
    for name, (item, spec) in deps.items():
        entry = ctx.load(name)
        below = entry.numpy_abi.get("numpy1_only_below") if entry else None
        if below and _only_below(spec, below):
            held.append((name, below, item))
    conda_held = [n for n, _, _ in held]
    held += _pip_held(ctx)  # wheels built against numpy 1.x: their Requires-Dist has no numpy upper bound
    if not held:
        return
    # Where numpy 2 cannot come anyway the pin would exclude nothing: no change without effect (a file that asks
    # for numpy 2 next to a held package is still reported: it does not solve). A held wheel keeps numpy 2 possible.
    # (the file's python pin rules numpy 2 out for the wheels too: numpy 2's Requires-Python is >=3.9)
    ruled_out, movers = numpy2_ruled_out(ctx, deps, conda_held) if len(conda_held) == len(held) else (
        python_rules_out_numpy2(deps), ())
    # (a held conda-forge build that ES001 moves to pip: the pin is due only where that move is made)
    with_fix = tuple(("ES001", n) for n in movers)
    why = ", ".join(f"{n} is held below {b}" for n, b, _ in held)
    if "numpy" not in deps:
        if ruled_out:
            return
        if any(pip_sort_key(i.text) == "numpy" for i in ctx.env.pip_items):
            return  # numpy comes from pip here; its pin is the pip line's business
        selector = _selector(held)
        comment = f"  # [{selector}]" if selector else ""
        yield Finding("ES005", "numpy", f"add numpy<2: {why}, built against numpy 1.x", item=held[0][2],
                      ops=(InsertConda(f"numpy{PIN}", comment),), safety="safe", effect=NUMPY2_EXCLUDED,
                      with_fix=with_fix)
        return
    item, spec = deps["numpy"]
    selector = _selector(held)
    if ruled_out and not _only_above(spec, "2"):
        return
    if selector and item.selector != selector:
        # numpy<2 is due only under the selector: pinning the unselected numpy line would pin every platform.
        yield Finding("ES005", "numpy", f"{why} (under [{selector}]), built against numpy 1.x; {item.text} has no "
                      f"such selector: add numpy<2  # [{selector}] by hand", item=item,
                      refused="the pin is due only under a selector")
        return
    try:
        merged = condaspec.merge_pin(spec.raw_version, PIN)
    except condaspec.CondaSpecError as e:
        yield _by_hand(why, item, e.reason)
        return
    if merged.status == "redundant":
        return
    if merged.status in ("conflict", "prerelease_only"):
        yield Finding("ES005", "numpy", f"{why}, built against numpy 1.x, but the file asks for {item.text}: "
                      f"conflicting pin, not written ({merged.reason})", item=item, refused="conflicting pin")
        return
    if merged.merged is None:  # "unknown": regexes and globs keep envslim from deciding
        yield _by_hand(why, item, merged.reason)
        return
    try:
        new = spec.with_version(merged.merged)
    except condaspec.CondaSpecError as e:
        yield _by_hand(why, item, e.reason)
        return
    yield Finding("ES005", "numpy", f"pin numpy<2: {why}, built against numpy 1.x", item=item,
                  ops=(ReplaceValue(item, new),), safety="safe", effect=NUMPY2_EXCLUDED, with_fix=with_fix)


# numpy 2.0.0 needs Python 3.9 or later (its Requires-Python is ">=3.9", https://pypi.org/pypi/numpy/2.0.0/json;
# the conda-forge and defaults builds exist for python >=3.9 only).
NUMPY2_FIRST_PYTHON = "3.9"
# On these channels every build of a package compiled against numpy 1.x depends on ``numpy <2.0a0``:
# conda-forge's numpy has a run_export with that bound since conda-forge/numpy-feedstock@bca0916 (2022), and
# the older builds got it by a repodata patch (conda-forge/conda-forge-repodata-patches-feedstock#728,
# merged 2024-05-13, bounds from numpy/numpy#26191).
NUMPY1_BOUND_CHANNELS = ("conda-forge",)
# The pin's effect: it rules numpy 2 out (made only where numpy 2 is possible: numpy2_ruled_out says "")
NUMPY2_EXCLUDED = Effect(excluded=("numpy 2.*",))


def numpy2_ruled_out(ctx, deps, held: list[str]) -> tuple[str, tuple[str, ...]]:
    """Why numpy 2 cannot come into this environment anyway ("" when it can): the file's python pin admits
    no Python numpy 2 supports, or a held package comes from a channel whose numpy 1.x builds carry the
    ``numpy <2.0a0`` bound; and the held packages of such a channel that ES001 moves to pip (then numpy 2
    can come only once every one of them is a wheel, whose Requires-Dist has no numpy upper bound)."""
    from envslim.rules.common import serving_channel

    why = python_rules_out_numpy2(deps)
    if why:
        return why, ()
    movers = []
    for name in held:
        channel = serving_channel(ctx, name, deps[name][1])
        if channel not in NUMPY1_BOUND_CHANNELS:
            continue
        entry = ctx.load(name)
        if entry is not None and entry.action == "move-to-pip":
            movers.append(name)
            continue
        return f"{channel}'s builds of {name} built against numpy 1.x depend on numpy <2.0a0", ()
    return "", tuple(movers)


def python_rules_out_numpy2(deps) -> str:
    """Why the file's python pin keeps numpy 2 out, for conda and pip alike ("" when it does not)."""
    if "python" in deps and _only_below(deps["python"][1], NUMPY2_FIRST_PYTHON):
        return f"{deps['python'][0].text.strip()} admits no Python that numpy 2 supports (>=3.9)"
    return ""


def _pip_held(ctx) -> list:
    """The pip requirements held below their project's first release built against numpy 2, as
    (name, threshold, item): pyarrow==12.0.1 after a move to pip."""
    from envslim.knowledge import names
    from envslim.rules.common import pip_upper_bound

    out = []
    for item in ctx.env.pip_items:
        pname = pip_sort_key(item.text)
        conda = names.conda_name(pname) if pname else None
        entry = ctx.load(conda) if conda else None
        below = entry.numpy_abi.get("numpy1_only_below") if entry else None
        bound = pip_upper_bound(item.text) if below else None  # (imports packaging only for a bounded line)
        if bound is None:
            continue
        from packaging.version import Version

        if bound[0] < Version(below) or (bound[0] == Version(below) and not bound[1]):
            out.append((f"pip {pname}", below, item))
    return out


def _selector(held) -> str | None:
    """The selector shared by every held line (None when one has none: then the pin is due everywhere)."""
    sels = {item.selector for _, _, item in held}
    if None in sels or len(sels) != 1:
        return None
    return sels.pop()


def _by_hand(why: str, item, reason: str) -> Finding:
    return Finding("ES005", "numpy", f"{why}, built against numpy 1.x; add <2 to {item.text} by hand ({reason})",
                   item=item, refused="the pin cannot be merged into this spec")
