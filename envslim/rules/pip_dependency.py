from __future__ import annotations

from envslim.document.edits import InsertConda
from envslim.rules import Context, Finding, register
from envslim.rules.common import conda_names


@register("ES003", "pip-dependency", "List pip as a conda dependency when the file has a pip: section", "safe", fix="pin")
def check(ctx: Context):
    """
    ## What it does
    Adds `pip` to the conda dependencies when the file has a `pip:` section but no `pip` package.

    ## Why is this bad?
    The `pip:` list is installed by the environment's own pip. Without `pip` among the conda
    dependencies, `conda env create` inserts it on its own and warns, and the pip you get is whatever
    the solver picked; other tools (conda-lock, pixi) may not add it at all.

    ## Example
    ```yaml
    dependencies:
      - python=3.11
      - pip:
        - pyarrow
    ```

    ## Use instead
    ```yaml
    dependencies:
      - pip
      - python=3.11
      - pip:
        - pyarrow
    ```

    ## Fix safety
    Safe: it states what conda would do anyway.
    """
    env = ctx.env
    if env.has_pip_section and "pip" not in conda_names(env):
        yield Finding(
            "ES003", "pip", "the file has a pip: section but pip is not a conda dependency; add it",
            item=env.pip_item, ops=(InsertConda("pip"),), safety="safe",
        )
