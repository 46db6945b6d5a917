from __future__ import annotations

import re

from envslim.environment import effects
from envslim.knowledge import footprint, names
from envslim.document.edits import RemoveItem, ReplaceValue
from envslim.document.envfile import pip_sort_key
from envslim.rules import Context, Finding, register
from envslim.rules.common import (bound_text, cuda_intent, exported_builds, knowledge_target, overridden, parsed_deps,
                                  parsed_lines, pip_admits, pip_upper_bound, saving_of, serving_channel, unknown_serving,
                                  variant_exists)

# Variants that mean "no GPU": never suggested where the file targets CUDA.
_CPU_VARIANTS = {"pytorch-cpu", "tensorflow-cpu", "xgboost-cpu", "py-xgboost-cpu"}
# Qt bindings: with one of them listed, the file wants a Qt GUI (matplotlib -> matplotlib-base is judged apart).
_QT_NAMES = {"pyqt", "pyqt5", "pyqt6", "pyside2", "pyside6", "qt", "qt-main", "qt6-main", "pyqtgraph", "spyder",
             "napari", "qtconsole"}
# The Python Qt bindings matplotlib's QtAgg backend runs on (matplotlib.backends.qt_compat: PyQt6, PySide6, PyQt5,
# PySide2): one of them listed keeps the GUI when the metapackage's own binding (pyside6 since 3.9, pyqt before) goes.
_QT_BINDINGS = {"pyqt", "pyqt5", "pyqt6", "pyside2", "pyside6"}
_QT_STACK = _QT_NAMES | {"qt6-main", "qt-main", "qt"}


def _without_build(spec, repl: str) -> str:
    """The spec renamed to ``repl``, its build string dropped (channel, subdir and version kept). A plain
    version next to a build (``=3.3.4=py38h_0``) is exact in conda, so it becomes ``==3.3.4``."""
    from envslim import conda as condaspec

    raw = spec.raw_version
    if raw is not None and re.fullmatch(r"[0-9A-Za-z_.+!-]+", raw):
        raw = f"=={raw}"
    # A new spec: the parsed one is shared (condaspec caches parses) and must not change.
    new = condaspec.MatchSpec(spec.original, repl, spec.channel, spec.subdir, spec.raw_version, None,
                              spec.build_number, spec.fields, spec.version_sep)
    return new.with_version(raw, sep="")


def _constraint(spec) -> str:
    """A line's version constraint as written (``>=3.9``), "" for any version."""
    raw = (spec.raw_version or "").strip()
    return "" if raw in ("", "*") else raw


def _rename(text: str, old: str, new: str) -> str:
    """``text`` with its package name ``old`` (after any ``channel::``) replaced by ``new``."""
    return re.sub(rf"^(\s*(?:[^\s:]+::)?){re.escape(old)}(?![A-Za-z0-9_.-])", lambda m: m.group(1) + new, text,
                  count=1, flags=re.I)


@register("ES004", "slim-variant", "Use the slimmer variant of a package (matplotlib-base, dask-core, headless builds)", "safe", fix="rename")
def check(ctx: Context):
    """
    ## What it does
    Replaces a package by a slimmer variant of the same project where the knowledge base records one
    with its source: on the conda side (`matplotlib` → `matplotlib-base`, `dask` → `dask-core`) and on
    the pip side (`opencv-python` → `opencv-python-headless`). The version constraint is kept.

    ## Why is this bad?
    The full variants pull GUI toolkits (Qt), notebook servers or distributed extras that a service in
    a container never uses; `envslim explain PACKAGE` shows the figures.

    ## Example
    ```yaml
    dependencies:
      - matplotlib>=3.8
    ```

    ## Use instead
    ```yaml
    dependencies:
      - matplotlib-base>=3.8
    ```

    ## When it does not fire
    - The variant does not exist at the version the file asks for, on the channel that serves the
      package (strict channel priority; `pkg::` prefixes win): `knowledge/variants.toml` records, with
      sources, from which version each variant exists per channel (`matplotlib-base` on conda-forge
      from 3.0.0, `libgdal-core` from 3.9.1, `xgboost-cpu` on PyPI from 2.1.1, `tensorflow-cpu` from
      2.1.0). A channel with no record (defaults, anaconda, a private channel) gets no rename; a range
      the variant covers only in part is an unsafe fix.
    - A CPU variant (`pytorch-cpu`, `tensorflow-cpu`, `xgboost-cpu`) where the file targets a GPU:
      `pytorch-cuda`, `cudatoolkit`, `cudnn`, `cuda-*`, a `*cuda*` or `*gpu*` build, the nvidia
      channel, `tensorflow[and-cuda]`, `tensorflow-gpu`, `nvidia-*` wheels. (conda-forge's CUDA builds
      depend on the `__cuda` virtual package, so a Docker build on a host without a GPU gets CPU builds
      anyway; the swap saves bytes only where CUDA is forced or the packages come from the pytorch or
      nvidia channels.)
    - A CPU variant in a pixi manifest: where an environment that installs the line asks for CUDA in its
      features' `system-requirements` or a workspace platform says `cuda = "12"` (the rename would reach that
      environment too), and, on conda-forge, where none does: pixi solves with the `__cuda` virtual package
      only where the manifest names CUDA, so conda-forge's CPU build is what pixi installs already (reported:
      the rename changes nothing).
    - pytorch from the pytorch channel: there the CPU switch is `cpuonly`, and its `pytorch-cpu`
      packages stop at 1.1; reported, not rewritten, and not reported where `cpuonly` is listed.
    - A build string is never carried across a rename (a metapackage's build is not its base's
      build): the rename drops it, which makes the fix unsafe.
    - conda-forge's headless libopencv builds (no qt6-main) are selected by a build pin, not a rename:
      for `opencv`, `py-opencv`, `libopencv` on conda-forge they are reported, never written, and not
      where a Qt binding is listed or the file targets a GPU.
    - `dask` → `dask-core` (or dropping `dask` beside a listed `dask-core`) where pandas stays: `dask.dataframe`
      needs what only the metapackage brings (pyarrow in current releases, partd and fsspec in 2.x).
    - `matplotlib` → `matplotlib-base` where a Qt binding (`pyqt`, `pyside6`, `qt`) is listed: the file wants a
      Qt GUI. Where the metapackage's own binding is the one listed (`pyside6` for matplotlib 3.9 and later),
      nothing but tornado would leave: reported. Where it is another one (`pyqt` beside matplotlib 3.10, whose
      metapackage brings `pyside6` and `qt6-main`), matplotlib's QtAgg backend runs on the listed binding and
      the rename takes the second Qt stack out: an unsafe fix (code that imports PySide6 itself breaks).

    ## Fix safety
    As each variant's knowledge entry says: safe where the slim variant is the same library without
    optional extras; unsafe where code that uses the dropped parts (interactive backends, a GUI) breaks.
    """
    env = ctx.env
    deps = parsed_deps(env)
    # (a variant listed in only some of the environments or platforms a line is in stands in for it nowhere)
    listed = parsed_deps(env, everywhere=True)
    cuda = None  # worked out on first need
    for name, item, spec in parsed_lines(env):  # every line: a duplicate is replaced too
        entry = ctx.load(name)
        for v in (entry.slim_variants if entry else ()):
            if v.get("side") != "conda":
                continue
            repl = v["replacement"]
            est = footprint.replacement(entry, ctx.load(repl), knowledge_target(ctx, name), spec)
            base = dict(rule="ES004", package=name, item=item, saving_bytes=est.saving_bytes, saving_range=est.range,
                        source=est.how)
            reason = v.get("reason", "")
            if repl in _CPU_VARIANTS:
                cuda = cuda_intent(ctx) if cuda is None else cuda
                if cuda:
                    yield Finding(message=f"{repl} not suggested: {cuda}, so the file targets a GPU",
                                  refused="the file targets a GPU", **{**base, "saving_bytes": None, "saving_range": None})
                    continue
                solved = _pixi_cuda(ctx, name, spec)
                if solved:
                    yield Finding(message=f"{repl} not suggested: {solved}",
                                  refused="the file targets a GPU" if solved.endswith("GPU") else "",
                                  **{**base, "saving_bytes": None, "saving_range": None})
                    continue
            if repl.lower() in listed:
                eff = judged(ctx, name, lambda env: effects.effect_of_drop(env, name))
                if eff is not None and not eff.made:
                    yield Finding(message=f"{repl} is already listed, and dropping {name} saves nothing: {eff.why}",
                                  effect=eff, **{**base, "saving_bytes": None, "saving_range": None})
                    continue
                held, refused = _dataframe_kept(ctx, name, repl, eff)
                if held:
                    yield Finding(message=f"{repl} is already listed, but {name} is not dropped: {held}",
                                  refused=refused, effect=eff, **{**base, "saving_bytes": None, "saving_range": None})
                    continue
                kept = listed[repl.lower()][1]
                lost = _constraint(spec) and _constraint(spec) != _constraint(kept)
                yield Finding(message=f"{repl} is already listed: drop {name} ({reason})", ops=(RemoveItem(item),),
                              safety="unsafe" if lost else v.get("safety", "safe"), effect=eff,
                              note=(f"the dropped line's constraint ({_constraint(spec)}) is not the {repl} line's"
                                    f" ({_constraint(kept) or 'any version'}): it is lost") if lost else "",
                              **{**base, **saving_of(eff, est)})
                continue
            if _EXTRAS.search(item.text.split("#")[0]) and not spec.fields:
                # ``dask[complete]``: pip's extras syntax, which conda reads as the bare name; a rename would
                # write ``dask-core[complete]``, which asks for the core alone and drops what the extra meant
                yield Finding(message=f"{repl} not suggested: {item.text.strip()} names extras, which a conda"
                              f" {repl} does not have", refused="the spec names extras",
                              **{**base, "saving_bytes": None, "saving_range": None})
                continue
            channel = serving_channel(ctx, name, spec)
            if channel == "pytorch" and repl == "pytorch-cpu":
                if "cpuonly" in deps:  # the file has the CPU switch already: nothing to ask for
                    continue
                yield Finding(message="on the pytorch channel the CPU switch is the cpuonly metapackage, not "
                              "pytorch-cpu (its packages stop at 1.1): add cpuonly and drop the CUDA packages by hand",
                              refused="pytorch channel", **{**base, "saving_bytes": None, "saving_range": None})
                continue
            exists, why = variant_exists(repl, channel, spec, unknown_serving(ctx, name) if channel is None else "")
            if exists in ("no", "unknown"):  # (unknown: the variant may exist; the knowledge base cannot say)
                yield Finding(message=f"{repl} not suggested: {why}",
                              refused="no such variant" if exists == "no" else "variant not known there",
                              **{**base, "saving_bytes": None, "saving_range": None})  # nothing is saved
                continue
            safety = v.get("safety", "safe")
            notes = []
            if spec.build is not None:
                new_text = _without_build(spec, repl)
                notes.append(f"drops the build string {spec.build} (a build of {name} is not a build of {repl})")
            else:
                new_text = _rename(item.text, name, repl)
            if exists == "narrows":
                notes.append(why)
            if notes:
                safety = "unsafe"
            gui = _gui_listed(deps) if repl == "matplotlib-base" else []
            over, elsewhere = overridden(ctx, name)
            if over and elsewhere is None:
                yield Finding(message=f"{repl} not suggested: {', '.join(over)} lists {name} too, and pixi installs"
                              " that line instead of this one on every platform, so the rename changes nothing",
                              **{**base, "saving_bytes": None, "saving_range": None})
                continue
            eff = judged(ctx, name, lambda env: effects.effect_of_rename(env, name, repl, _parsed(new_text)), elsewhere)
            if elsewhere is not None:  # (the knowledge base's figures, where the environment has none, for that platform)
                t = knowledge_target(ctx, name)
                est = footprint.replacement(entry, ctx.load(repl), footprint.Target(elsewhere.target.platform, t.python,
                                                                                  t.channels), spec)
            if gui:  # the file wants a Qt GUI: the rename is made only where matplotlib's own, other binding leaves
                qt_leaving = [n for n in (eff.leaving if eff is not None else ()) if n in _QT_STACK]
                bindings = [n for n in gui if n in _QT_BINDINGS and n not in qt_leaving]
                if not qt_leaving or not bindings or not eff.made:
                    rest = [n for n in (eff.leaving if eff is not None else ()) if n != name]
                    yield Finding(message=f"{repl} not suggested: {', '.join(gui)} is listed anyway, so the Qt binding"
                                  " stays" + (f" and the rename would take out only {', '.join(rest)}" if rest else
                                              " and the rename saves nothing" if eff is not None else ""),
                                  effect=eff, **{**base, "saving_bytes": None, "saving_range": None})
                    continue
                safety = "unsafe"  # (code that imports matplotlib's own binding directly breaks)
                notes.append(f"{', '.join(bindings)} is listed, so matplotlib's Qt backend runs on it; matplotlib's own"
                             f" binding leaves ({', '.join(qt_leaving)})")
            if eff is not None and eff.unknown == (repl,):
                eff = None  # the variant is not in the snapshot: its closure is the knowledge base's business
            held = _held_by_old_builds(entry, deps) if eff is None else ""
            if held:
                yield Finding(message=f"{repl} not suggested: {held}, so {name} stays and the rename saves nothing",
                              **{**base, "saving_bytes": None, "saving_range": None})
                continue
            if eff is not None and not eff.made:
                yield Finding(message=f"{repl} not suggested: {eff.why}", effect=eff,
                              **{**base, "saving_bytes": None, "saving_range": None})
                continue
            kept, refused = _dataframe_kept(ctx, name, repl, eff)
            if kept:
                yield Finding(message=f"{repl} not suggested: {kept}", refused=refused,
                              effect=eff, **{**base, "saving_bytes": None, "saving_range": None})
                continue
            base["effect"] = eff
            base.update(saving_of(eff, est))
            if repl in _CPU_VARIANTS and channel == "conda-forge":
                base["saving_bytes"], base["saving_range"] = None, None
                base["source"] = ("unknown: depends on whether the image is built on a host with a GPU"
                                  + (f"; {base['source']}" if base.get("source") else ""))
                reason += ("; no saving claimed: conda-forge's CUDA builds depend on the __cuda virtual package, so"
                           " an image built on a host without a GPU gets CPU builds anyway (unless CONDA_OVERRIDE_CUDA"
                           " is set)")
            reason = _reason_on(reason, name, repl, eff, elsewhere or ctx.environment())
            yield Finding(message=f"use {repl}: {reason}", ops=(ReplaceValue(item, new_text),), safety=safety,
                          note="; ".join(notes), **base)
    yield from _build_variants(ctx, deps)
    pip_names = {pip_sort_key(i.text) for i in env.pip_items}
    for item in env.pip_items:
        pname = pip_sort_key(item.text)
        conda = names.conda_name(pname) if pname else None
        entry = ctx.load(conda) if conda else None
        for v in (entry.slim_variants if entry else ()):
            if v.get("side") != "pip" or pip_sort_key(v["replacement"]) == pname:
                continue
            repl = v["replacement"]
            if repl in _CPU_VARIANTS:
                cuda = cuda_intent(ctx) if cuda is None else cuda
                gpu_env = _pixi_cuda(ctx, pname, None, pip=True)
                if cuda or gpu_env:
                    yield Finding("ES004", pname, f"{repl} not suggested: {cuda + ', so the file targets a GPU' if cuda else gpu_env}",
                                  item=item, refused="the file targets a GPU")
                    continue
            missing = _pip_below_first(item.text, repl) or _pip_platforms_missing(ctx, item.text, repl)
            if missing:
                yield Finding("ES004", pname, f"{repl} not suggested: {missing}", item=item,
                              refused="no such variant")
                continue
            same = _pip_same_build(ctx, item.text, pname, repl)
            if same:
                yield Finding("ES004", pname, f"{repl} not suggested: {same}", item=item)
                continue
            held = _pip_required_by(env, pname)
            if held:
                who, fact = held[0]
                others = f" (and {', '.join(w for w, _ in held[1:])})" if len(held) > 1 else ""
                eff = effects.Effect(pulled_back_by=(who, pname), why=f"{who} \u2192 {pname}")
                via = f", through {fact['via']}" if fact.get("via") else ""
                yield Finding("ES004", pname, f"{repl} not suggested: {who}{others} in the pip list"
                              f" require{'s' if len(held) == 1 else ''} {pname}"
                              f" (its Requires-Dist{via}, PyPI {who} {fact['release']}), so pip would install both"
                              " wheels",
                              item=item, refused="another pip package requires it", effect=eff)
                continue
            if pip_sort_key(repl) in pip_names:
                ops = (RemoveItem(item),)
                msg = f"{repl} is already listed: drop {pname} ({v.get('reason', '')})"
            else:
                ops = (ReplaceValue(item, _rename(item.text, pname, repl) if pname in item.text.lower() else item.text),)
                msg = f"use {repl}: {_pip_reason(v, item.text, ctx.lines().target.platform)}"
            if isinstance(ops[0], ReplaceValue) and ops[0].text == item.text:
                ops = ()  # the name is spelled differently from its normal form; report only
            priced = {}
            if ops and isinstance(ops[0], ReplaceValue):  # the two wheels for the target, where both are measured
                eff = effects.effect_of_pip_rename(
                    ctx.environment(), conda, pname, item.text, pip_sort_key(repl), ops[0].text,
                    python=knowledge_target(ctx).python, pip_names=frozenset(n for n in pip_names if n))
                priced = {"effect": eff, **saving_of(eff, None)}
            yield Finding("ES004", pname, msg, item=item, ops=ops, safety=v.get("safety", "safe"), **priced)


def _pip_reason(v: dict, text: str, platform: str) -> str:
    """A pip variant's reason where its figures are for what this line installs (``reason_for``: the release and
    platform they were measured on; the line admits that release), else its ``summary``, which has none:
    ``opencv-python==4.1.2.30`` is not told 5.0.0.93's sizes."""
    given = v.get("reason_for")
    if not given or not v.get("summary"):
        return v.get("reason", "")
    version, where = given.split()[:2]
    return v["reason"] if where == platform and pip_admits(text, version) else v["summary"]


def _pip_required_by(env, project: str) -> list[tuple[str, dict]]:
    """The other pip requirements of the file whose project requires ``project`` (knowledge/pip_requires.toml),
    in file order, each with its fact; a VCS line counts by its ``#egg=`` name."""
    from envslim import knowledge

    requirers = knowledge.pip_requirers(project)
    if not requirers:
        return []
    out = []
    for item in env.pip_items:
        text = item.text.strip()
        egg = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", text)
        name = names.normalize(egg.group(1)) if egg else pip_sort_key(text)
        if name and name != project and name in requirers and all(n != name for n, _ in out):
            out.append((name, requirers[name]))
    return out


def _pip_below_first(text: str, repl: str) -> str:
    """Why the PyPI variant ``repl`` has no release the pip requirement ``text`` admits (its first
    release, from knowledge/variants.toml, is above every version the requirement allows), or ""."""
    from envslim import knowledge

    fact = knowledge.variants()["_by_package"].get(repl, {}).get("pypi")
    if not fact or not fact.get("first"):
        return ""
    bound = pip_upper_bound(text)
    if bound is None:
        return ""
    from packaging.version import Version

    (upper, closed), first = bound, Version(fact["first"])
    if upper < first or (upper == first and not closed):
        return f"{repl}'s first release on PyPI is {fact['first']}; the file asks for {bound_text(text)}"
    return ""


def _pip_platforms_missing(ctx: Context, text: str, repl: str) -> str:
    """Why the PyPI variant ``repl`` has no wheel for a platform the file is for ("" when it has one for each):
    knowledge/variants.toml records the platforms its wheels exist for (tensorflow-cpu: none for osx-arm64)."""
    from envslim import knowledge

    fact = knowledge.variants()["_by_package"].get(repl, {}).get("pypi")
    if not fact or "platforms" not in fact:
        return ""
    platforms = getattr(ctx.env, "target_platforms", ()) or (ctx.environment().target.platform,)
    for platform in platforms:
        if platform not in fact["platforms"]:
            return f"{repl} has no wheel for {platform} ({fact['source'].split('; ')[0].split(': ')[0]}, {fact['url']})"
        last = fact.get("platform_last", {}).get(platform)
        if last:
            bound = pip_upper_bound(text)
            from packaging.version import Version

            if bound is None or bound[0] > Version(last):
                return f"{repl}'s wheels for {platform} stop at {last}; the file asks for {bound_text(text) or 'any version'}"
    return ""


# pip's extras, ``dask[complete]``: brackets without a ``key=value`` (conda's ``name[version=">=3.8",channel=...]``,
# which a pixi table ``{ version = ">=3.8", channel = "conda-forge" }`` reads as, has one)
_EXTRAS = re.compile(r"\[[^\]=]*\]")


def _held_by_old_builds(entry, deps) -> str:
    """Where the environment could not judge a rename: the listed package whose every version the file admits
    is below the first whose conda-forge builds stop depending on the full variant (``pulled_by_below`` of its
    knowledge entry: geoviews before 1.6.6 depends on matplotlib), as "geoviews=1.6.3 depends on matplotlib
    (...)", else ""."""
    from envslim import conda as condaspec

    for other, first in entry.pulled_by_below.items():
        line = deps.get(other)
        if line is None:
            continue
        spec = line[1]
        if spec.raw_version and condaspec.merge_pin(spec.raw_version, f">={first}").status == "conflict":
            return (f"{line[0].text.strip()} depends on {entry.name} (its conda-forge builds before {first} do)")
    return ""


def _pip_same_build(ctx: Context, text: str, project: str, repl: str) -> str:
    """Why the pip rename of ``project`` to ``repl`` saves nothing ("" where it may save): on every platform the
    file is for, both names install the same build from a release on (knowledge/variants.toml ``platform_same``:
    tensorflow and tensorflow-cpu on win-64 from 2.11.0), and the release pip takes for the line (the newest it
    admits) is not below it."""
    from envslim import knowledge

    fact = knowledge.variants()["_by_package"].get(repl, {}).get("pypi")
    same = (fact or {}).get("platform_same")
    if not same:
        return ""
    platforms = getattr(ctx.env, "target_platforms", ()) or (ctx.environment().target.platform,)
    if any(p not in same for p in platforms):
        return ""
    from packaging.version import Version

    bound = pip_upper_bound(text)
    for platform in platforms:
        first = Version(same[platform])
        if bound is not None and (bound[0] < first or (bound[0] == first and not bound[1])):
            return ""
    firsts = sorted({same[p] for p in platforms})
    return (f"on {', '.join(platforms)} {project} and {repl} install the same build from {', '.join(firsts)} on"
            f" ({fact['platform_same_why']}), so the rename saves nothing")


def _pixi_cuda(ctx: Context, name: str, spec, pip: bool = False) -> str:
    """Why a pixi line's CPU rename is not made, from the environments that install it: one whose features'
    system-requirements ask for CUDA (the rename would reach it too), or, for a conda-forge line (not ``pip``),
    none that does (pixi solves them without ``__cuda``, so conda-forge's CPU build is installed already); ""
    otherwise and for a YAML file."""
    envs = getattr(ctx.env, "environment_cuda", None)
    if not envs:
        return ""
    for env_name, (cuda, asks) in envs.items():
        if cuda:
            return (f"the {env_name} environment, which installs this line, asks for CUDA {cuda} ({asks}), so the"
                    " file targets a GPU")
    if pip or serving_channel(ctx, name, spec) != "conda-forge":  # (a wheel's CUDA needs no __cuda)
        return ""
    names = ", ".join(envs)
    return (f"neither the system-requirements nor the platforms of {'the ' + names + ' environment' if len(envs) == 1 else 'its environments (' + names + ')'}"
            f" name CUDA, so pixi solves {'it' if len(envs) == 1 else 'them'} without the __cuda virtual package and"
            f" installs conda-forge's CPU build of {name} already: the rename changes nothing")


def _build_variants(ctx: Context, deps):
    """Build variants that a build-string pin selects (conda-forge's headless libopencv): reported only, at
    the first line they concern, where the file does not pin a build of that package already."""
    from envslim import knowledge

    for fact in knowledge.variants().get("builds", ()):
        lines = [(n, deps[n]) for n in fact["instead_of"] if n in deps]
        if not lines or any(spec.build for _, (_, spec) in lines):
            continue
        name, (item, spec) = lines[0]
        if serving_channel(ctx, name, spec) != fact["channel"] or cuda_intent(ctx) or _gui_listed(deps):
            continue
        yield Finding("ES004", name, f"{fact['channel']} also builds {fact['package']} without {fact['drops']}"
                      f" ({fact['example']}): pin {fact['package']}=*={fact['build']} if the image opens no windows",
                      item=item)


# A knowledge reason's closing "(..., 3.10.8 linux-64)": the platform its figures and claim are for.
_REASON_PLATFORM = r"\b(linux-64|linux-aarch64|linux-ppc64le|osx-64|osx-arm64|win-64)\)\s*$"  # (compiled on first use)


def _reason_on(reason: str, name: str, repl: str, eff, env) -> str:
    """``reason``, or where it speaks for another platform than the one the file is judged on, what the rename
    takes out there (matplotlib's metapackage pulls no Qt binding on osx: conda-forge's recipe adds pyside6
    only where ``not (osx or ppc64le)``), the largest first, as far as the graph snapshot knows."""
    m = re.search(_REASON_PLATFORM, reason)
    platform = env.target.platform
    if m is None or m.group(1) == platform or eff is None or not eff.leaving:
        return reason
    rest = sorted((n for n in eff.leaving if n != name),
                  key=lambda n: (-(env.figure(n).bytes if env.figure(n) is not None else 0), n))
    shown = ", ".join(rest[:4]) + (f" and {len(rest) - 4} more" if len(rest) > 4 else "")
    return (f"{repl} is the library itself; on {platform} {name} adds {shown or 'nothing else'} beyond it"
            " (graph snapshot)")


def judged(ctx: Context, name: str, how, env=None):
    """The effect ``how(environment)`` of a fix on ``name``, or None where the snapshot cannot judge it (the
    graph has no build of ``name`` for this file's target and channel: the knowledge base's figures stand)."""
    env = env if env is not None else ctx.environment()
    if env.packages.get(name) is None:
        if exported_builds(ctx.env):
            return effects.Effect(unknown=(name,), why=(
                f"the file lists its whole environment (a conda env export), so everything {name} brings stays"
                f" listed and only {name} itself would leave (the snapshot has no figure for it)"))
        return None
    return how(env)


def _parsed(text: str):
    from envslim import conda as condaspec

    try:
        return condaspec.parse_line(text)
    except condaspec.CondaSpecError:
        return None


# What imports pyarrow unconditionally once the dask metapackage is gone: ``dask.dataframe`` (dask 2025.1
# and later import pyarrow at ``import dask.dataframe``; conda-forge's dask-core does not depend on pyarrow,
# its dask metapackage does). Used where pandas stays in the environment: the file does dataframes.
def _dataframe_kept(ctx: Context, name: str, repl: str, eff) -> tuple[str, str]:
    """Why dropping ``dask`` for ``dask-core``, or renaming it, would break ``dask.dataframe`` here, and the
    refusal's short reason (("", "") when it would not). Judged on the environment: pyarrow leaves with the
    metapackage. Not judged (the snapshot has no build of the file's dask): what the metapackage brings for
    dataframes is not known here (pyarrow in current releases; partd and fsspec in 2.4.0), so any of it may leave."""
    if (name, repl) != ("dask", "dask-core"):
        return "", ""
    env = ctx.environment()
    if eff is not None and "pyarrow" not in eff.leaving:
        return "", ""  # pyarrow stays for something else (or never came): dask.dataframe keeps it
    users = sorted(n for n in env.requested if n != name and "pandas" in env.closure([n]))
    if not users:
        return "", ""
    more = f" and {len(users) - 3} more" if len(users) > 3 else ""
    why = "the file lists it" if "pandas" in users else f"brought by {', '.join(users[:3])}{more}"
    if eff is None:
        return (f"dask.dataframe needs packages that only the dask metapackage brings (pyarrow in current releases,"
                f" partd and fsspec in 2.4.0; the snapshot has no build of this one to tell), and pandas stays ({why}):"
                " the file does dataframes", "dask.dataframe needs the metapackage's packages")
    return (f"dask.dataframe imports pyarrow, which only the dask metapackage brings here, and pandas stays"
            f" ({why}): the file does dataframes", "dask.dataframe needs pyarrow")


def _gui_listed(deps) -> list[str]:
    return sorted(n for n in deps if n in _QT_NAMES)
