"""What several rules need: the file's conda dependencies parsed once, by name."""

from __future__ import annotations

import re

from envslim import conda as condaspec
from envslim.document.envfile import EnvFile, Item
from envslim.environment.model import channel_id


def parsed_lines(env: EnvFile) -> list[tuple[str, Item, "condaspec.MatchSpec"]]:
    """Every conda dependency line as (lower-cased name, item, spec), duplicates included. Lines that are
    not conda specs (URLs, package files, Jinja, specs conda rejects) are left out: no rule acts on them."""
    cached = env.memo.get("conda-lines")  # every rule asks, in turn, for the same document's lines
    if cached is not None:
        return cached
    out = []
    for item in env.deps:
        spec = condaspec.parse_line(item.text)
        if spec is not None:
            out.append((spec.name.lower(), item, spec))
    env.memo["conda-lines"] = out
    return out


def parsed_deps(env: EnvFile, everywhere: bool = False) -> dict[str, tuple[Item, "condaspec.MatchSpec"]]:
    """Conda dependencies by lower-cased package name; the first line wins on duplicates. ``everywhere``:
    only lines installed wherever the document's own are (a pixi scope sees another feature's or target's
    lines, ``partial`` where an environment or platform has its own lines without them): what a fix may
    count on to stand in for a line it drops."""
    out: dict[str, tuple[Item, object]] = {}
    for name, item, spec in parsed_lines(env):
        if not (everywhere and getattr(item, "partial", False)):
            out.setdefault(name, (item, spec))
    return out


# A file counts as a `conda env export` when at least this share of its specs pin a build (and >= MIN do).
EXPORT_SHARE, EXPORT_MIN = 0.5, 5


def exported_builds(env: EnvFile) -> list:
    """The (item, spec) lines that pin an exact build when the file is a `conda env export` (most of its
    specs pin one, at least five), else []. Such a file lists its whole environment."""
    lines = parsed_lines(env)
    built = [(item, spec) for _name, item, spec in lines if spec.build and "*" not in spec.build]
    if len(built) < EXPORT_MIN or len(built) < EXPORT_SHARE * len(lines):
        return []
    return built


def knowledge_target(ctx, name: str | None = None):
    """The target the knowledge base's figures must fit for a rule's judgement of ``name``: the environment
    model's (the platform the file is for, read from its build strings and packages; its python pin, else
    the knowledge base's default Python) and the conda channel that serves ``name`` there (else the first of
    conda-forge and defaults in the file's channel order). A figure for another target is never used: where
    the knowledge base has none for this one, the estimate is unknown."""
    from envslim.knowledge import footprint

    env = ctx.lines()  # (the target and the serving channel need no walk)
    t = env.target
    served = env.serving_channel(name) if name else None
    sides = (served,) if served in footprint.CONDA_SIDES else tuple(
        c for c in t.channels if c in footprint.CONDA_SIDES)[:1]
    return footprint.Target(t.platform, t.python or footprint.python_of(ctx.env) or footprint.DEFAULT_PYTHON, sides)


def saving_of(eff, est, why: str = "") -> dict:
    """A finding's ``saving_bytes``, ``saving_range`` and ``source``: the fix's effect on the whole environment
    where it was priced there (what leaves as a union, what arrives subtracted, from the graph snapshot),
    else the knowledge base's per-package estimate ``est`` (``footprint.Estimate``), saying so and why."""
    if eff is not None and eff.how:
        return {"saving_bytes": eff.saving_bytes, "saving_range": eff.saving_range, "source": eff.how}
    if not why:
        why = ("not judged on the environment: the snapshot has no build of it for the target" if eff is None
               else f"the environment has no figure for {', '.join(eff.unpriced)}" if eff.unpriced
               else "the environment could not price it")
    if est.saving_bytes is None:
        return {"saving_bytes": None, "saving_range": None,
                "source": f"unknown: {why}; knowledge base, per package: {est.how.removeprefix('unknown: ')}"}
    return {"saving_bytes": est.saving_bytes, "saving_range": est.range,
            "source": f"knowledge base, per package ({why}): {est.how}"}


def conda_names(env: EnvFile) -> set[str]:
    return set(parsed_deps(env))


def defaults_in_play(env: EnvFile) -> bool:
    """True when the defaults channel can serve packages: listed, or no channel list at all (conda's
    default configuration), and not switched off by ``nodefaults``."""
    names = [c.strip().lower() for c in env.channel_names]
    if "nodefaults" in names:
        return False
    return not names or "defaults" in names


# -- channels, as a strict-priority solve sees them --------------------------------------------------
# (channel_id, which reads defaults' mirrors given by URL as defaults too, is the environment model's)


def channels(ctx) -> list[str]:
    """The file's channels in order, as the rules judge them: the final set of the plan (after the
    channel fixes that will be applied), reduced by :func:`channel_id`."""
    names = ctx.channels if getattr(ctx, "channels", None) is not None else ctx.env.channel_names
    return [channel_id(c) for c in names]


def _carries(channel: str, name: str) -> bool | None:
    """Whether ``channel`` serves ``name``: True, False, or None (not known)."""
    if channel in ("conda-forge", "defaults"):
        return True
    from envslim import knowledge

    table = knowledge.variants().get("channels", {}).get(channel)
    if table is None:
        return None
    if "carries_none_of" in table:
        return False if name in table["carries_none_of"] else None
    return name in table.get("carries", ()) or name.startswith(tuple(table.get("carries_prefix", ())))


def serving_channel(ctx, name: str, spec=None) -> str | None:
    """The channel a strict-priority solve takes ``name`` from: the spec's own ``channel::``, else the
    first listed channel that serves it, else ``defaults`` (conda appends its default channels unless
    the file says ``nodefaults``; a channel the file lists by name, ``defaults`` or ``anaconda``, stays:
    conda's env installer, conda/env/installers/conda.py ``_solve``, drops only the ``nodefaults`` entry
    and the default channels it would append). None when a
    channel listed ahead of the first that surely serves it is not known, or nothing serves it."""
    if spec is not None and spec.channel:
        return channel_id(spec.channel)
    names = channels(ctx)
    for c in names:
        if c == "nodefaults":
            continue
        carries = _carries(c, name)
        if carries is None:
            return None
        if carries:
            return c
    return None if "nodefaults" in names else "defaults"


def unknown_serving(ctx, name: str) -> str:
    """Why :func:`serving_channel` is None for ``name``: the first listed channel not known to carry it or not
    (``pyviz/label/dev may carry dask (the knowledge base does not say), ahead of conda-forge``), or that no
    listed channel serves it."""
    names = [c for c in channels(ctx) if c != "nodefaults"]
    for i, c in enumerate(names):
        carries = _carries(c, name)
        if carries is None:
            after = f", ahead of {names[i + 1]}" if i + 1 < len(names) else ""
            return f"{c} may carry {name} (the knowledge base does not say){after}"
        if carries:
            break
    return f"no listed channel serves {name}"


def variant_exists(repl: str, channel: str | None, spec, unknown: str = "") -> tuple[str, str]:
    """Whether ``repl`` exists on ``channel`` at the version ``spec`` asks for, from
    knowledge/variants.toml: ("yes" | "narrows" | "no" | "unknown", why). "narrows": only part of the range;
    "unknown": the knowledge base does not record the variant on that channel, or not from which version, or
    the channel is None (``unknown`` says why)."""
    from envslim import conda as condaspec, knowledge

    facts = knowledge.variants()["_by_package"].get(repl, {})
    fact = facts.get(channel or "")
    if fact is None:
        if channel is None:  # (``unknown``: why the channel is not known, unknown_serving)
            return "unknown", f"the channel that would serve it is not known: {unknown}" if unknown else \
                "the channel that would serve it is not known"
        return "unknown", f"{repl} is not known to exist on the {channel} channel"
    raw = spec.raw_version if spec is not None else None
    last = fact.get("last")
    if last and raw is None:
        return "no", f"{repl} on {channel} stops at {last} ({fact['source']})"
    first = fact.get("first", "")
    if raw is None:
        return "yes", ""
    if not first:
        return "unknown", (f"{repl} on {channel}: its first version is not recorded, so {spec.original.strip()} cannot"
                           " be checked")
    checks = [(f">={first}", f"{repl} exists on {channel} from {first}")]
    if last:
        checks.append((f"<={last}", f"{repl} on {channel} stops at {last}"))
    status = "yes"
    for pin, why in checks:
        try:
            merged = condaspec.merge_pin(raw, pin).status
        except condaspec.CondaSpecError:
            return "unknown", f"{why}; the version spec cannot be compared"
        if merged == "conflict":
            return "no", f"{why}; the file asks for {raw}"
        if merged != "redundant":
            status = "narrows"
    return status, ("" if status == "yes" else f"{checks[0][1]}: the range {raw} is narrowed")


# -- what the file's packages say about its target ----------------------------------------------------
_CUDA_NAMES = ("pytorch-cuda", "cudatoolkit", "cudnn", "cuda-toolkit", "cuda", "cuda-version", "cuda-runtime",
               "cuda-nvcc", "cudatoolkit-dev", "tensorflow-gpu", "nccl", "cupy", "jaxlib-cuda", "cuda-cudart")
_CUDA_PIP = r"(?i)^(tensorflow(-gpu)?\s*\[[^\]]*and-cuda|tensorflow-gpu\b|nvidia-|jax\s*\[[^\]]*cuda|cupy-cuda)"  # (re compiles it on first use)


def cuda_intent(ctx) -> str:
    """Why the file targets a GPU (a CUDA package, a ``*cuda*`` build, the nvidia channel, a CUDA pip
    extra, a pixi feature's ``system-requirements`` CUDA version), or "" when nothing says so."""
    cuda = getattr(ctx.env, "cuda_requirement", "")
    if cuda:
        return f"its system-requirements ask for CUDA {cuda}"
    for name, item, spec in parsed_lines(ctx.env):
        if name in _CUDA_NAMES or name.startswith("cuda-"):
            return f"{item.text.strip()} (line {item.line + 1}) targets CUDA"
        build = (spec.build or "").lower()
        if ("cuda" in build or "gpu" in build) and "cpu" not in build:
            return f"{item.text.strip()} (line {item.line + 1}) is a GPU build"
    if "nvidia" in channels(ctx):
        return "the nvidia channel is listed"
    for item in ctx.env.pip_items:
        if re.match(_CUDA_PIP, item.text.strip()):
            return f"pip {item.text.strip()} (line {item.line + 1}) targets CUDA"
    return ""


# -- pip requirements ---------------------------------------------------------------------------------
def _requirement(text: str):
    from envslim import pipreq

    return pipreq.parse(text)


def bound_text(text: str) -> str:
    """The version specifier of a pip requirement line, as packaging writes it."""
    req = _requirement(text)
    return str(req.specifier) if req is not None else ""


def pip_admits(text: str, version: str) -> bool:
    """Whether the pip requirement line ``text`` admits the release ``version`` (a line that does not parse, or
    names no version, admits every release)."""
    import re as _re

    if not _re.search(r"[<>=!~]", text.split(";")[0]):
        return True
    req = _requirement(text)
    if req is None:
        return True
    return req.specifier.contains(version, prereleases=True)


def pip_upper_bound(text: str):
    """The lowest upper bound of a pip requirement line's versions, as (Version, closed), or None when it
    has none (or does not parse). ``~=2.1`` is below 3, ``==2.0.*`` below 2.1, ``<=2.2`` closed at 2.2."""
    import re as _re

    if not _re.search(r"<|==|~=", text.split(";")[0]):  # no upper bound to find (and no packaging import)
        return None
    req = _requirement(text)
    if req is None:
        return None
    from packaging.version import Version

    best = None
    for sp in req.specifier:
        try:
            v = Version(sp.version.rstrip(".*"))
        except ValueError:
            continue
        if sp.operator == "~=":
            parts = list(v.release[:-1]) or [v.release[0]]
            parts[-1] += 1
            bound = (Version(".".join(map(str, parts))), False)
        elif sp.operator in ("==", "===", "<=") and not sp.version.endswith(".*"):
            bound = (v, True)
        elif sp.operator == "==":  # ==2.0.*
            parts = list(v.release)
            parts[-1] += 1
            bound = (Version(".".join(map(str, parts))), False)
        elif sp.operator == "<":
            bound = (v, False)
        else:
            continue
        if best is None or bound[0] < best[0] or (bound[0] == best[0] and not bound[1]):
            best = bound
    return best


def overridden(ctx, name: str) -> tuple[list[str], object]:
    """Where a pixi target table lists ``name`` too, pixi installs its line instead of this scope's on that
    platform: (the tables that stand over this line on the platform it is judged on, the environment of a
    platform of its own where none does, or None where the line is stood over everywhere). ([], None): not so."""
    scope = getattr(ctx.env, "scope", None)
    if scope is None or scope.target is not None:
        return [], None
    others = []
    for item in ctx.env.deps:
        dep = getattr(item, "dep", None)
        spec = condaspec.parse_line(item.text) if getattr(item, "context", False) and dep is not None else None
        if spec is not None and spec.name.lower() == name and dep.scope.target is not None \
                and dep.scope.feature == scope.feature:
            others.append(item)
    judged_on = ctx.lines().target.platform
    over = [f"[{'.'.join(i.dep.path)}]" for i in others if not i.only_on or judged_on in i.only_on]
    if not over:
        return [], None
    for platform in getattr(ctx.env, "platforms", ()):
        if not any(not i.only_on or platform in i.only_on for i in others):
            return over, ctx.environment_on(platform)
    return over, None
