"""``envslim prune PREFIX``: delete what a deployed environment never needs, and say what went."""

from __future__ import annotations

from envslim.errors import EnvslimError
from envslim.image.prune import carry_out, select, render


def run(options, out, err) -> int:
    if options.strip and options.keep_used_by is None:
        raise EnvslimError("envslim prune: --strip needs --keep-used-by (its second run shows the stripped libraries still load)")
    if options.keep_used_by is not None:
        from envslim.image import trace

        return trace.run(options, out, err)
    plan = select(options.prefix, aggressive=options.aggressive, keep=tuple(options.keep))
    outcome = carry_out(plan, dry_run=options.dry_run)
    for rel, _, why in outcome.failed:
        print(f"envslim prune: cannot remove {rel}: {why}", file=err)
    out.write(render(plan, outcome, dry_run=options.dry_run))
    return 0
