from __future__ import annotations

from envslim._record import replace
from envslim.rules import Context, register
from envslim.rules.nomkl import judge


@register("ES010", "nomkl-guard", "Add nomkl as a guard where conda-forge, listed before defaults, serves the BLAS users", "safe",
          fix="pin", opt_in=True)
def check(ctx: Context):
    """
    ## What it does
    Opt-in (not in the default selection; enable it with `--extend-select ES010`): adds `nomkl` to a
    file that lists `conda-forge` before `defaults` and has a BLAS user (numpy, scipy, scikit-learn,
    ...). Under strict channel priority conda-forge serves them with OpenBLAS, so MKL is not installed
    and the line saves nothing today; it keeps MKL out if a `.condarc` (or `conda config --set
    channel_priority disabled`) lets defaults serve them later. The seed's own file does this.

    ## Why is this bad?
    The defaults channel builds its BLAS users against Intel MKL (about 800 MB installed, `envslim
    explain mkl`). Rule ES002 adds nomkl where MKL would really be installed; this rule adds it where
    it only might be.

    ## Example
    ```yaml
    channels:
      - conda-forge
      - defaults
    dependencies:
      - numpy
    ```

    ## Use instead
    ```yaml
    channels:
      - conda-forge
      - defaults
    dependencies:
      - nomkl
      - numpy
    ```

    ## When it does not fire
    Not by default: a line that changes nothing in the environment is churn for most files. Where ES002
    fires, or where nomkl would conflict (explicit MKL packages, pytorch from the pytorch channel),
    as ES002 says.

    ## Fix safety
    Safe: it excludes only builds that strict channel priority does not pick anyway.
    """
    for f in judge(ctx):
        if f.guard:
            yield replace(f, rule="ES010")
