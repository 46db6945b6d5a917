from __future__ import annotations

from envslim import conda as condaspec
from envslim.document.edits import InsertConda, ReplaceValue
from envslim.document.envfile import pip_sort_key
from envslim.rules import Context, Finding, register
from envslim.rules.common import parsed_deps

PIN = "<2"


def _only_below(spec, threshold: str) -> bool:
    """True when the spec admits no version at or above ``threshold`` (but some version)."""
    if spec.version is None:
        return False
    try:
        return condaspec.merge_pin(spec.raw_version, f">={threshold}").status == "conflict"
    except condaspec.CondaSpecError:
        return False


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
    if not held:
        return
    why = ", ".join(f"{n} is held below {b}" for n, b, _ in held)
    if "numpy" not in deps:
        if any(pip_sort_key(i.text) == "numpy" for i in ctx.env.pip_items):
            return  # numpy comes from pip here; its pin is the pip line's business
        selector = _selector(held)
        comment = f"  # [{selector}]" if selector else ""
        yield Finding("ES005", "numpy", f"add numpy<2: {why}, built against numpy 1.x", item=held[0][2],
                      ops=(InsertConda(f"numpy{PIN}", comment),), safety="safe")
        return
    item, spec = deps["numpy"]
    selector = _selector(held)
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
                  ops=(ReplaceValue(item, new),), safety="safe")


def _selector(held) -> str | None:
    """The selector shared by every held line (None when one has none: then the pin is due everywhere)."""
    sels = {item.selector for _, _, item in held}
    if None in sels or len(sels) != 1:
        return None
    return sels.pop()


def _by_hand(why: str, item, reason: str) -> Finding:
    return Finding("ES005", "numpy", f"{why}, built against numpy 1.x; add <2 to {item.text} by hand ({reason})",
                   item=item, refused="the pin cannot be merged into this spec")
