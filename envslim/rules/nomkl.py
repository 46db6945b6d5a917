from __future__ import annotations

from envslim import footprint
from envslim.envfile import InsertConda
from envslim.rules import Context, Finding, register
from envslim.rules.common import defaults_in_play, parsed_deps


@register("ES002", "nomkl", "Add nomkl where the defaults channel would install MKL for a BLAS user", "safe")
def check(ctx: Context):
    """
    ## What it does
    Adds `nomkl` to the conda dependencies when a package that links BLAS/LAPACK (numpy, scipy,
    scikit-learn, numexpr, ...) may come from the `defaults` channel: `defaults` is listed, or the
    file lists no channels at all (conda's own default configuration). On conda-forge alone the
    default BLAS is OpenBLAS; there the rule fires only when a dependency in the file is known to pull
    MKL in.

    ## Why is this bad?
    The defaults channel builds its BLAS users against Intel MKL. `mkl` alone installs to about
    800 MB (`envslim explain mkl` for the figure and its source); OpenBLAS is a few MB. `nomkl` is the
    conda meta-package that makes the solver pick the non-MKL builds.

    ## Example
    ```yaml
    channels:
      - defaults
    dependencies:
      - numpy
    ```

    ## Use instead
    ```yaml
    channels:
      - defaults
    dependencies:
      - nomkl
      - numpy
    ```

    ## Fix safety
    Safe: the OpenBLAS builds provide the same API. Code that calls MKL-specific functions
    (`mkl-service`, `numpy.__config__` checks) should keep MKL; say so with `# envslim: keep`.
    """
    env = ctx.env
    deps = parsed_deps(env)
    if "nomkl" in deps or "mkl" in deps or "blas" in deps or "libblas" in deps:
        return
    users = []
    pullers = []
    for name in deps:
        entry = ctx.load(name)
        if entry is None:
            continue
        if "blas-user" in entry.tags:
            users.append(name)
        if "pulls-mkl" in entry.tags:
            pullers.append(name)
    if not users and not pullers:
        return
    if defaults_in_play(env):
        why = f"the defaults channel builds {', '.join(sorted(users or pullers))} against MKL"
        channel = "defaults"
    elif pullers:
        why = f"{', '.join(sorted(pullers))} pulls MKL in on conda-forge"
        channel = "conda-forge"
    else:
        return
    est = footprint.removal(ctx.load("mkl"), (channel,), footprint.target_of(env))  # the figure of the channel MKL comes from
    first = deps[sorted(users or pullers)[0]][0]
    yield Finding(
        "ES002", "nomkl", f"add nomkl: {why}", item=first, ops=(InsertConda("nomkl"),), safety="safe",
        saving_bytes=est.saving_bytes, source=est.how,
    )
