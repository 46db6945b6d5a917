from __future__ import annotations

from envslim.document.edits import InsertChannel, ReplaceValue
from envslim.environment import effects
from envslim.rules import Context, Finding, register
from envslim.rules.common import channel_id


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

    Not where the file would no longer solve without defaults: a pinned build that only defaults
    publishes (defaults' hashes such as `h06a4308`, `hecd8cb5`, `pyhd3eb1b0`, `_libgcc_mutex=0.1=main`, or a
    build the graph snapshot has on defaults only), a pinned version conda-forge does not publish (`tensorflow-gpu`
    before 2.6.0: `defaults_only` in knowledge/variants.toml), or a pinned build the snapshot does not have on the
    remaining channels (then it cannot be judged offline): reported, with the builds it names.

    ## Fix safety
    Unsafe: a package that exists only on defaults stops resolving, and the solver picks different
    builds for the rest. Check that the environment still solves.
    """
    env = ctx.env
    names = [c.strip().lower() for c in env.channel_names]
    if "conda-forge" not in names or "nodefaults" in names:
        return
    env_model = _Pinned(ctx)  # the file's specs and the snapshot: no walk needed (the hook stays fast)
    # what still serves once the defaults entry is nodefaults: anaconda or a mirror of defaults listed by name stays
    kept = [channel_id(c) for c, low in zip(env.channel_names, names) if low != "defaults"]
    remaining = tuple(dict.fromkeys(c for c in kept if c != "nodefaults"))
    eff = effects.effect_of_channel(env_model, "defaults", remaining=remaining)
    if eff.blocked:
        item = env.channels.items[names.index("defaults")] if "defaults" in names else env.channels.items[-1]
        what = "mixes defaults with conda-forge" if "defaults" in names else "conda-forge without nodefaults"
        yield Finding("ES007", "defaults", f"{what}, but nodefaults is not suggested: {eff.why}",
                      item=item, refused="the file needs defaults" if eff.pulled_back_by else "builds the snapshot does not know",
                      effect=eff)
        return
    if "defaults" in names:
        item = env.channels.items[names.index("defaults")]
        yield Finding("ES007", "defaults", "mixes defaults with conda-forge; use nodefaults", item=item,
                      ops=(ReplaceValue(item, "nodefaults"),), safety="unsafe")
    else:
        item = env.channels.items[-1]
        yield Finding("ES007", "defaults", "conda-forge without nodefaults: a .condarc can add defaults back",
                      item=item, ops=(InsertChannel("nodefaults"),), safety="unsafe")


class _Pinned:
    """What :func:`envslim.environment.effects.effect_of_channel` reads of an environment: the file's specs by
    name and the graph snapshot (the channel fix needs no walk)."""

    def __init__(self, ctx) -> None:
        from envslim.environment.graph import snapshot
        from envslim.rules.common import parsed_deps

        self.requested = {name: spec for name, (_item, spec) in parsed_deps(ctx.env).items()}
        self.graph = snapshot()
