"""``envslim rewrite PATH...``: plan each file and write it (atomically), show the diff, or check.

Exit 0 when nothing is due or everything was written, 1 when ``--diff``/``--check`` find a change due,
2 when a file could not be read, planned or written (the other files are still done).

``--verify`` keeps only the fixes a solve proves (``envslim.commands.solving.verify``: py-rattler and uv, for
every ``--platform``); the others are refused outcomes that say why, and the file as it is must solve.
"""

from __future__ import annotations

import sys

from envslim.errors import EnvslimError, InputError

EXIT_OK, EXIT_DUE, EXIT_ERROR = 0, 1, 2


def run(options, out, err) -> int:
    from envslim.commands.inputs import expand
    from envslim.display import printable, redact
    from envslim.output.rewrite import color_enabled, finding_line, markdown_summary, review_diff
    from envslim.plan import known_rules, plan_file

    known = known_rules(options.select, options.ignore, options.extend_select)
    color = color_enabled(out)
    dry = options.diff or options.check
    machine = options.format in ("json", "github", "sarif")  # stdout is for the machine: notes go to stderr
    if machine and not dry and "-" in options.paths:
        raise EnvslimError(f"envslim: error: --format {options.format} with '-' needs --check or --diff"
                           " (a filter's stdout is the new text)")
    paths, rc = expand(options.paths, options, known, err, prefixes=False)
    results = []  # (json, sarif) envslim.output.ci.FileResult for each file

    def record(*args, **kwargs) -> None:  # (only json and sarif read them: other formats never import output.ci)
        if options.format in ("json", "sarif"):
            results.append(_result(*args, **kwargs))

    for path in paths:
        stdin = path == "-"
        shown = "<stdin>" if stdin else path
        try:
            if not (stdin or dry):
                from envslim.document.atomic import check_writable

                check_writable(path)  # before anything is said about the file
            env, cfg, plan = plan_file(path, options, known, sys.stdin.buffer if stdin else None)
            if options.verify:
                plan = _verified(env, cfg, plan, options, err)
        except EnvslimError as e:  # this file is left alone; the others are still done
            if _not_pixi(e):  # a pyproject.toml without [tool.pixi] (the envslim-pixi hook passes every one)
                continue
            print(printable(redact(str(e))), file=err)
            if options.format == "github" and isinstance(e, InputError):
                from envslim.output.ci import github_error

                print(github_error(shown, e.line, e.col, e.message), file=out)
            record(shown, error=str(e))
            rc = EXIT_ERROR
            continue
        notes = err if (stdin or options.diff or machine) else out
        name = printable(shown)  # (a file name may hold an escape sequence)
        failed = None
        if stdin and not dry:  # a filter: the new text on stdout, exactly (the user's own file, unredacted)
            if hasattr(out, "write_exact"):  # (before the findings say [fixed]; a full disk ends the run here)
                out.write_exact(plan.new_text)
            else:
                out.write(plan.new_text)
                out.flush()
        elif plan.changed and not dry:  # written before the findings say [fixed]
            from envslim.document.atomic import write_atomic

            try:
                write_atomic(path, plan.new_text, expect=plan.old_text)
            except EnvslimError as e:
                failed = str(e)
            except OSError as e:
                failed = f"{path}: cannot write: {e.strerror or e}"
        due = dry or failed is not None  # (a failed write fixed nothing: the findings are still due)
        if options.format == "markdown":
            if due or not stdin:  # (a filter's stdout is the new text)
                out.write(markdown_summary(shown, plan, dry=due))
        elif options.format == "github":
            from envslim.output.ci import github_line

            for o in plan.shown:
                print(github_line(shown, o, dry=due), file=out)
        elif options.format == "text":
            for o in plan.shown:
                if not (options.diff and o.applied):  # under --diff, applied changes are explained after their hunk
                    print(finding_line(shown, o, dry=due, verbose=options.verbose), file=notes)
        if failed is not None:
            print(printable(redact(failed)), file=err)
            record(shown, error=failed)
            rc = EXIT_ERROR
            continue
        if stdin and not dry:  # (its new text is written above)
            continue
        if not plan.changed:
            record(shown, plan)
            continue
        if options.diff:
            if options.format == "text":
                out.write(review_diff(plan, shown, color=color, verbose=options.verbose))
            rc = max(rc, EXIT_DUE)
        elif options.check:
            if options.format == "text":
                print(f"would rewrite {name}", file=notes)
            if env.lock_beside():
                print(f"{name}: the rewrite would make pixi.lock stale: run `pixi lock` after it", file=notes)
            rc = max(rc, EXIT_DUE)
        else:
            if options.format == "text":
                print(f"rewrote {name}", file=notes)
            if env.lock_beside():
                print(f"{name}: pixi.lock is now stale: run `pixi lock`", file=notes)
        record(shown, plan, written=not dry)
    if options.format == "json":
        from envslim.output.ci import to_json

        out.write(to_json(results, mode="diff" if options.diff else "check" if options.check else "write"))
    elif options.format == "sarif":
        from envslim.output.ci import to_sarif
        from envslim.rules import all_rules

        out.write(to_sarif(results, all_rules(), dry=dry))
    return rc


def _result(path: str, plan=None, *, written: bool = False, error: str = ""):
    from envslim.output.ci import FileResult

    return FileResult(path, plan, written=written, error=error)


def _not_pixi(e: EnvslimError) -> bool:
    if not isinstance(e, InputError):
        return False
    from envslim.document.pixi import NotPixiManifest

    return isinstance(e, NotPixiManifest)


def _verified(env, cfg, plan, options, err):
    """The plan with only the fixes a solve proves; the file is planned again with the refused fixes
    (``Options.refused``: refused outcomes, their fixes not made), so that what they made possible is planned
    without them. A pixi
    manifest is proven per environment, as ``report --solve`` solves one (:func:`_pixi_adapters`)."""
    from envslim._record import replace
    from envslim.knowledge.names import normalize
    from envslim.plan import plan_document, plan_options
    from envslim.commands import solving as command

    base = plan_options(options, cfg)
    adapters = _pixi_adapters(env) if env.format == "pixi" else None

    def replan(refusals):
        refused = {(rule, normalize(package)): why for (rule, package), why in refusals.items()}
        return plan_document(env, replace(base, refused=refused))

    return command.verify(plan, options, cfg, err, replan, adapters)


def _pixi_adapters(manifest):
    """One (adapter, includes) per environment of a pixi manifest: the adapter reads the environment's
    lines (its features' channels in pixi's order, its PyPI requirements for uv) as ``report --solve
    --environment NAME`` does; ``includes(outcome)`` is true when the outcome's line is in one of the
    environment's features (a finding on no line: every environment)."""
    from envslim.solve.pixi import PixiAdapter

    def includes_for(features):
        def includes(outcome):
            dep = getattr(outcome.finding.item, "dep", None)
            return dep is None or dep.scope.feature in features
        return includes

    return [(PixiAdapter(name), includes_for(set(feats))) for name, feats in manifest.environments().items()]
