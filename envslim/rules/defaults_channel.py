from __future__ import annotations

from envslim.document.edits import InsertChannel, ReplaceValue
from envslim.rules import Context, Finding, register


# Not for pixi: it resolves from the channels it lists and nothing else (no .condarc, no implicit defaults).
@register("ES007", "defaults-channel", "Mixing the defaults channel with conda-forge: use nodefaults", "unsafe", fix="channel",
          formats=("conda-env",))
def check(ctx: Context):
    """
    ## What it does
    When a file lists `conda-forge` and also `defaults` (or leaves `defaults` in play by not saying
    `nodefaults`), suggests replacing `defaults` with `nodefaults`.

    ## Why is this bad?
    conda's own documentation advises against mixing channels in one environment
    (https://docs.conda.io/projects/conda/en/latest/user-guide/tasks/manage-channels.html), and
    conda-forge and defaults builds are not made to be binary compatible with each other
    (https://github.com/conda-forge/conda-forge.github.io/issues/434). defaults builds its BLAS users
    against MKL, the largest single package in most images (rule ES002). Under the user's own
    `.condarc`, `defaults` can come back into a file that does not list it; `nodefaults` keeps the
    channel list exactly as written.

    ## Example
    ```yaml
    channels:
      - conda-forge
      - defaults
    ```

    ## Use instead
    ```yaml
    channels:
      - conda-forge
      - nodefaults
    ```

    ## When it does not fire
    When the file does not list conda-forge, or already says `nodefaults`. With `--unsafe-fixes`,
    the other rules see the channel list this fix writes (ES002 does not add nomkl for a `defaults`
    that is about to go).

    ## Fix safety
    Unsafe: a package that exists only on defaults stops resolving, and the solver picks different
    builds for the rest. Check that the environment still solves.
    """
    env = ctx.env
    names = [c.strip().lower() for c in env.channel_names]
    if "conda-forge" not in names or "nodefaults" in names:
        return
    if "defaults" in names:
        item = env.channels.items[names.index("defaults")]
        yield Finding("ES007", "defaults", "mixes defaults with conda-forge; use nodefaults", item=item,
                      ops=(ReplaceValue(item, "nodefaults"),), safety="unsafe")
    else:
        item = env.channels.items[-1]
        yield Finding("ES007", "defaults", "conda-forge without nodefaults: a .condarc can add defaults back",
                      item=item, ops=(InsertChannel("nodefaults"),), safety="unsafe")
