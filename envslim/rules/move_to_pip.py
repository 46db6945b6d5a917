from __future__ import annotations

from envslim import condaspec, footprint, names
from envslim.envfile import InsertConda, InsertPip, RemoveItem
from envslim.envfile import pip_sort_key
from envslim.rules import Context, Finding, register
from envslim.rules.common import parsed_deps, parsed_lines


@register("ES001", "move-to-pip", "Install a package whose conda-forge build is bloated from PyPI instead", "safe")
def check(ctx: Context):
    """
    ## What it does
    Moves a conda dependency to the `pip:` section when the knowledge base says its conda-forge build
    drags in a much larger native closure than the PyPI wheel (pyarrow: libarrow with the AWS and GCP
    C++ SDKs, gRPC and LLVM for Gandiva). The conda spec is translated to PEP 440.

    ## Why is this bad?
    conda cannot install optional parts of a package, so conda-forge builds carry every optional
    native feature. The PyPI wheel of the same project links what it needs statically and is several
    times smaller installed. `envslim explain PACKAGE` shows the figures and their sources.

    ## Example
    ```yaml
    dependencies:
      - pandas<2.0.0
      - pyarrow>=12
    ```

    ## Use instead
    ```yaml
    dependencies:
      - pandas<2.0.0
      - pip
      - pip:
        - pyarrow>=12
    ```

    ## Fix safety
    Safe when the spec translates exactly to PEP 440 and no other conda dependency in the file pulls
    the package back in or links its native library (conda and pip builds of such libraries are not
    ABI compatible). A translation that drops a build string, channel or subdir is an unsafe fix, and
    says what it drops. A spec that PEP 440 cannot express (OR branches, regexes, inner globs) and a
    package that another conda dependency needs are reported and left alone.
    """
    env = ctx.env
    deps = parsed_deps(env)
    pip_names = {pip_sort_key(i.text) for i in env.pip_items}
    for name, item, spec in parsed_lines(env):  # every line: a duplicate moves too, so a second run is clean
        entry = ctx.load(name)
        if entry is None or entry.action != "move-to-pip":
            continue
        pypi = entry.pypi_name or names.pypi_name(name)
        if not pypi:
            continue
        reason = entry.advice.get("reason", "its conda-forge build is much larger than the PyPI wheel")
        est = footprint.move_to_pip(entry, footprint.target_of(env), spec)
        base = dict(rule="ES001", package=name, item=item, saving_bytes=est.saving_bytes, saving_range=est.range,
                    source=est.how)
        blockers = sorted(n for n in deps if n != name and (n in entry.pulled_by or n in entry.links_native))
        if blockers:
            why = ", ".join(
                f"{b} {'links its native library' if b in entry.links_native else 'depends on it'}" for b in blockers
            )
            yield Finding(message=f"{reason}; not moved: {why} in conda", note="kept in conda", **base)
            continue
        tr = condaspec.to_pep440(spec, pypi_name=pypi)
        if tr.status == "untranslatable":
            yield Finding(message=f"{reason}; not moved: {tr.reason}", note=tr.reason_code or "", **base)
            continue
        ops = [RemoveItem(item)]
        if pip_sort_key(pypi) not in pip_names:
            ops.append(InsertPip(tr.requirement, item.comment))
        if "pip" not in deps:
            ops.append(InsertConda("pip"))
        safety = entry.advice.get("safety", "safe") if tr.status == "exact" else "unsafe"
        note = "" if tr.status == "exact" else f"the PEP 440 requirement drops: {', '.join(tr.dropped)}"
        yield Finding(message=f"move to pip: {reason}", ops=tuple(ops), safety=safety, note=note, **base)
