from __future__ import annotations

import re

from envslim import footprint, names
from envslim.envfile import RemoveItem, ReplaceValue, pip_sort_key
from envslim.rules import Context, Finding, register
from envslim.rules.common import parsed_deps, parsed_lines


def _rename(text: str, old: str, new: str) -> str:
    """``text`` with its package name ``old`` (after any ``channel::``) replaced by ``new``."""
    return re.sub(rf"^(\s*(?:[^\s:]+::)?){re.escape(old)}(?![A-Za-z0-9_.-])", lambda m: m.group(1) + new, text,
                  count=1, flags=re.I)


@register("ES004", "slim-variant", "Use the slimmer variant of a package (matplotlib-base, dask-core, headless builds)", "safe")
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

    ## Fix safety
    As each variant's knowledge entry says: safe where the slim variant is the same library without
    optional extras; unsafe where code that uses the dropped parts (interactive backends, a GUI) breaks.
    """
    env = ctx.env
    deps = parsed_deps(env)
    for name, item, spec in parsed_lines(env):  # every line: a duplicate is replaced too
        entry = ctx.load(name)
        for v in (entry.slim_variants if entry else ()):
            if v.get("side") != "conda":
                continue
            repl = v["replacement"]
            est = footprint.replacement(entry, ctx.load(repl), footprint.target_of(env), spec)
            if repl.lower() in deps:
                ops = (RemoveItem(item),)
                msg = f"{repl} is already listed: drop {name} ({v.get('reason', '')})"
            else:
                ops = (ReplaceValue(item, _rename(item.text, name, repl)),)
                msg = f"use {repl}: {v.get('reason', '')}"
            yield Finding("ES004", name, msg, item=item, ops=ops, safety=v.get("safety", "safe"),
                          saving_bytes=est.saving_bytes, saving_range=est.range, source=est.how)
    pip_names = {pip_sort_key(i.text) for i in env.pip_items}
    for item in env.pip_items:
        pname = pip_sort_key(item.text)
        conda = names.conda_name(pname) if pname else None
        entry = ctx.load(conda) if conda else None
        for v in (entry.slim_variants if entry else ()):
            if v.get("side") != "pip" or pip_sort_key(v["replacement"]) == pname:
                continue
            repl = v["replacement"]
            if pip_sort_key(repl) in pip_names:
                ops = (RemoveItem(item),)
                msg = f"{repl} is already listed: drop {pname} ({v.get('reason', '')})"
            else:
                ops = (ReplaceValue(item, _rename(item.text, pname, repl) if pname in item.text.lower() else item.text),)
                msg = f"use {repl}: {v.get('reason', '')}"
            if isinstance(ops[0], ReplaceValue) and ops[0].text == item.text:
                ops = ()  # the name is spelled differently from its normal form; report only
            yield Finding("ES004", pname, msg, item=item, ops=ops, safety=v.get("safety", "safe"))
