from __future__ import annotations

from envslim.rules import Context, Finding, register
from envslim.rules.common import exported_builds, parsed_lines


@register("ES009", "exported-builds", "A `conda env export` file pins build strings: it solves on one platform only", "none", fix=None, opt_in=True)
def check(ctx: Context):
    """
    ## What it does
    Opt-in (not in the default selection; enable it with `--extend-select ES009`): reports a file in
    which most dependencies pin an exact build (`numpy=1.26.4=py311h64a7726_0`), the output of
    `conda env export`. Reported once per file, at its first such line, with the count.

    ## Why is this bad?
    Build strings are platform-specific (`h64a7726_0` is one linux-64 build; osx-arm64 and win-64
    builds have other hashes) and name exact channel builds that channels later remove or mark broken;
    such files then fail to solve anywhere else, and every other rule has to leave those lines alone
    (a build string is never carried across a rename or into pip).

    ## Example
    ```yaml
    dependencies:
      - ca-certificates=2024.2.2=hbcca054_0
      - numpy=1.26.4=py311h64a7726_0
      - python=3.11.8=hab00c5b_0_cpython
    ```

    ## Use instead
    ```yaml
    dependencies:
      - numpy=1.26.4
      - python=3.11.8
    ```
    (`conda env export --from-history` writes only what was asked for), or a lock file (conda-lock,
    pixi) for exact per-platform builds.

    ## When it does not fire
    Not by default. Not when fewer than half of the specs (or fewer than five) pin a build: a few
    deliberate build pins (`blas=*=openblas`, `pytorch=*=*cuda*`) are intent, not an export.

    ## Fix safety
    No fix: which lines the file's author asked for is not in the file; dropping every build string
    and dependency that was only pulled in needs a decision.
    """
    lines = parsed_lines(ctx.env)
    built = exported_builds(ctx.env)
    if not built:
        return
    item, spec = built[0]
    yield Finding("ES009", "build-strings", f"{len(built)} of {len(lines)} dependencies pin a build string (a"
                  " conda env export): builds are platform-specific; keep the versions, drop the builds, or use a lock file",
                  item=item)
