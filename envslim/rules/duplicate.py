from __future__ import annotations


from envslim.knowledge import names
from envslim.document.edits import RemoveItem
from envslim.document.envfile import pip_sort_key
from envslim.rules import Context, Finding, register
from envslim.rules.common import parsed_deps


# Not for pixi: it installs a PyPI requirement with uv after the conda packages and leaves it out when a
# conda package already satisfies it, so no second copy is installed.
@register("ES006", "duplicate", "The same package is both a conda dependency and a pip requirement", "unsafe", fix="drop",
          formats=("conda-env",))
def check(ctx: Context):
    """
    ## What it does
    Finds a package listed both among the conda dependencies and in the `pip:` section, and removes
    the pip line.

    ## Why is this bad?
    pip installs over conda's copy: the environment then holds two builds of one package (pip's files
    replace conda's, conda's metadata still says it owns them), the image carries both downloads'
    worth of layers, and `conda list` no longer tells the truth. Native packages (numpy, pyarrow)
    built against different libraries can crash at import.

    ## Example
    ```yaml
    dependencies:
      - requests
      - pip
      - pip:
        - requests
    ```

    ## Use instead
    ```yaml
    dependencies:
      - requests
      - pip
    ```

    ## Fix safety
    Unsafe: pip may have installed a different version than conda's spec allows. A pip line that
    carries a version constraint, extras, a marker or a URL is reported and left alone: removing it
    would drop what it says. Packages the knowledge base says belong on pip (rule
    ES001) are left to that rule, which removes the conda line instead.
    """
    deps = parsed_deps(ctx.env, everywhere=True)
    for item in ctx.env.pip_items:
        pname = pip_sort_key(item.text)
        if not pname:
            continue
        conda = (names.conda_name(pname) or pname).lower()
        if conda not in deps and pname in deps and _slim_variant(ctx, pname, conda):
            conda = pname  # (pip matplotlib beside conda's matplotlib: the map says -base, the same project's slim build)
        if conda not in deps:
            continue
        entry = ctx.load(conda)
        if entry is not None and entry.action == "move-to-pip":
            continue
        conda_line = deps[conda][0]
        why = f"also a conda dependency (line {conda_line.line + 1}: {conda_line.text}); pip installs a second copy over conda's"
        if not _bare(item.text, pname):
            # The pip line constrains the version (or adds extras, markers, a URL): removing it would lose that.
            yield Finding("ES006", conda, f"{why}; merge its constraint into the conda line by hand", item=item,
                          refused="the pip line carries a constraint")
            continue
        yield Finding("ES006", conda, why, item=item, ops=(RemoveItem(item),), safety="unsafe")


def _slim_variant(ctx: Context, full: str, slim: str) -> bool:
    """Whether the conda package ``slim`` is the slim variant of the conda package ``full`` (knowledge: matplotlib ->
    matplotlib-base), so that a pip line the name map gives ``slim`` installs ``full``'s project too. Not where the
    map sends a PyPI name to another conda package than the one of the same name (PyPI's graphviz is conda's
    python-graphviz; conda's graphviz is the C tool)."""
    entry = ctx.load(full)
    return entry is not None and any(v.get("side") == "conda" and v.get("replacement") == slim
                                     for v in entry.slim_variants)


def _bare(text: str, pname: str) -> bool:
    """True when the pip line is the project name alone (any spelling PEP 503 normalises to it)."""
    return names.normalize(text.strip()) == pname
