"""``envslim prune PREFIX``: delete what a deployed environment never needs, and say what went."""

from __future__ import annotations

from envslim.errors import EnvslimError
from envslim.image import interrupt
from envslim.image.prune import carry_out, prefix_kind, render, select


def run(options, out, err) -> int:
    if options.strip and options.keep_used_by is None:
        raise EnvslimError("envslim prune: --strip needs --keep-used-by (its second run shows the stripped libraries still load)")
    if not options.smoke_timeout > 0:
        raise EnvslimError(f"envslim prune: --smoke-timeout {options.smoke_timeout:g}: give a number of seconds above 0")
    prefix_kind(options.prefix)  # an environment, or one line and nothing touched
    from envslim.image import leftovers

    with interrupt.raising():
        try:
            with leftovers.locked(options.prefix):
                line = leftovers.recover(options.prefix, dry_run=options.dry_run, tracing=options.keep_used_by is not None)
                if line:
                    print(line, file=err)
                code = _prune(options, out, err)
        except interrupt.Stopped as e:
            print(f"envslim prune: stopped by {e.name}; the prefix is as it was before this run", file=err)
            return 128 + e.signum
        for signum, what in interrupt.late[:1]:
            name = interrupt.Stopped(signum).name
            print(f"envslim prune: {name} came while {what}; the run was finished first", file=err)
            return 128 + signum
    return code


def _prune(options, out, err) -> int:
    if options.keep_used_by is not None:
        from envslim.image import trace

        return trace.run(options, out, err)
    plan = select(options.prefix, aggressive=options.aggressive, keep=tuple(options.keep))
    outcome = carry_out(plan, dry_run=options.dry_run)
    for rel, _, why in outcome.failed:
        print(f"envslim prune: cannot remove {rel}: {why}", file=err)
    out.write(render(plan, outcome, dry_run=options.dry_run))
    return 0
