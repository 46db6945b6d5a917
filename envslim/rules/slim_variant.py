from __future__ import annotations

import re

from envslim.knowledge import footprint, names
from envslim.document.edits import RemoveItem, ReplaceValue
from envslim.document.envfile import pip_sort_key
from envslim.rules import Context, Finding, register
from envslim.rules.common import cuda_intent, parsed_deps, parsed_lines, serving_channel, variant_exists

# Variants that mean "no GPU": never suggested where the file targets CUDA.
_CPU_VARIANTS = {"pytorch-cpu", "tensorflow-cpu", "xgboost-cpu", "py-xgboost-cpu"}
# Qt bindings: with one of them listed, matplotlib -> matplotlib-base drops no Qt.
_QT_NAMES = {"pyqt", "pyqt5", "pyqt6", "pyside2", "pyside6", "qt", "qt-main", "qt6-main", "pyqtgraph", "spyder",
             "napari", "qtconsole"}


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
    - pytorch from the pytorch channel: there the CPU switch is `cpuonly`, and its `pytorch-cpu`
      packages stop at 1.1; reported, not rewritten, and not reported where `cpuonly` is listed.
    - A build string is never carried across a rename (a metapackage's build is not its base's
      build): the rename drops it, which makes the fix unsafe.
    - conda-forge's headless libopencv builds (no qt6-main) are selected by a build pin, not a rename:
      for `opencv`, `py-opencv`, `libopencv` on conda-forge they are reported, never written, and not
      where a Qt binding is listed or the file targets a GPU.
    - `matplotlib` → `matplotlib-base` is only reported when a Qt binding (`pyqt`, `pyside6`, `qt`) is
      listed anyway: the binding stays, so the rename would save nothing.

    ## Fix safety
    As each variant's knowledge entry says: safe where the slim variant is the same library without
    optional extras; unsafe where code that uses the dropped parts (interactive backends, a GUI) breaks.
    """
    env = ctx.env
    deps = parsed_deps(env)
    cuda = None  # worked out on first need
    for name, item, spec in parsed_lines(env):  # every line: a duplicate is replaced too
        entry = ctx.load(name)
        for v in (entry.slim_variants if entry else ()):
            if v.get("side") != "conda":
                continue
            repl = v["replacement"]
            est = footprint.replacement(entry, ctx.load(repl), footprint.target_of(env), spec)
            base = dict(rule="ES004", package=name, item=item, saving_bytes=est.saving_bytes, saving_range=est.range,
                        source=est.how)
            reason = v.get("reason", "")
            if repl in _CPU_VARIANTS:
                cuda = cuda_intent(ctx) if cuda is None else cuda
                if cuda:
                    yield Finding(message=f"{repl} not suggested: {cuda}, so the file targets a GPU",
                                  refused="the file targets a GPU", **{**base, "saving_bytes": None, "saving_range": None})
                    continue
            if repl.lower() in deps:
                yield Finding(message=f"{repl} is already listed: drop {name} ({reason})", ops=(RemoveItem(item),),
                              safety=v.get("safety", "safe"), **base)
                continue
            channel = serving_channel(ctx, name, spec)
            if channel == "pytorch" and repl == "pytorch-cpu":
                if "cpuonly" in deps:  # the file has the CPU switch already: nothing to ask for
                    continue
                yield Finding(message="on the pytorch channel the CPU switch is the cpuonly metapackage, not "
                              "pytorch-cpu (its packages stop at 1.1): add cpuonly and drop the CUDA packages by hand",
                              refused="pytorch channel", **{**base, "saving_bytes": None, "saving_range": None})
                continue
            exists, why = variant_exists(repl, channel, spec)
            if exists == "no":
                yield Finding(message=f"{repl} not suggested: {why}", refused="no such variant",
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
            if gui:  # the Qt binding stays for them: the rename would change the file and save nothing
                yield Finding(message=f"{repl} not suggested: {', '.join(gui)} is listed anyway, so the Qt binding"
                              " stays and the rename saves nothing", **{**base, "saving_bytes": None,
                                                                       "saving_range": None})
                continue
            if repl in _CPU_VARIANTS and channel == "conda-forge":
                base["saving_bytes"], base["saving_range"] = None, None
                reason += ("; no saving claimed: conda-forge's CUDA builds depend on the __cuda virtual package, so"
                           " an image built on a host without a GPU gets CPU builds anyway (unless CONDA_OVERRIDE_CUDA"
                           " is set)")
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
                if cuda:
                    yield Finding("ES004", pname, f"{repl} not suggested: {cuda}, so the file targets a GPU",
                                  item=item, refused="the file targets a GPU")
                    continue
            missing = _pip_below_first(item.text, repl)
            if missing:
                yield Finding("ES004", pname, f"{repl} not suggested: {missing}", item=item,
                              refused="no such variant")
                continue
            if pip_sort_key(repl) in pip_names:
                ops = (RemoveItem(item),)
                msg = f"{repl} is already listed: drop {pname} ({v.get('reason', '')})"
            else:
                ops = (ReplaceValue(item, _rename(item.text, pname, repl) if pname in item.text.lower() else item.text),)
                msg = f"use {repl}: {v.get('reason', '')}"
            if isinstance(ops[0], ReplaceValue) and ops[0].text == item.text:
                ops = ()  # the name is spelled differently from its normal form; report only
            yield Finding("ES004", pname, msg, item=item, ops=ops, safety=v.get("safety", "safe"))


def _pip_below_first(text: str, repl: str) -> str:
    """Why the PyPI variant ``repl`` has no release the pip requirement ``text`` admits (its first
    release, from knowledge/variants.toml, is above every version the requirement allows), or ""."""
    from envslim import knowledge

    fact = knowledge.variants()["_by_package"].get(repl, {}).get("pypi")
    if not fact or not fact.get("first") or not re.search(r"[<=~]", text.split(";")[0]):
        return ""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import Version

    try:
        req = Requirement(text.split("#")[0].strip())
    except InvalidRequirement:
        return ""
    first = Version(fact["first"])
    for sp in req.specifier:
        try:
            v = Version(sp.version.rstrip(".*"))
        except ValueError:
            continue
        if sp.operator == "~=":
            parts = list(v.release[:-1]) or [v.release[0]]
            parts[-1] += 1
            upper, closed = Version(".".join(map(str, parts))), False
        elif sp.operator in ("==", "===", "<=") and not sp.version.endswith(".*"):
            upper, closed = v, True
        elif sp.operator == "==" :  # ==2.0.*
            parts = list(v.release)
            parts[-1] += 1
            upper, closed = Version(".".join(map(str, parts))), False
        elif sp.operator == "<":
            upper, closed = v, False
        else:
            continue
        if upper < first or (upper == first and not closed):
            return f"{repl}'s first release on PyPI is {fact['first']}; the file asks for {req.specifier}"
    return ""


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


def _gui_listed(deps) -> list[str]:
    return sorted(n for n in deps if n in _QT_NAMES)
