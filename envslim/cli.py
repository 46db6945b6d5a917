"""Command line: ``envslim SUBCOMMAND ...``; ``main(argv) -> int``. Each subcommand imports what it needs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence  # (not typing: it costs the hook ~6 ms to import)

from envslim import __version__
from envslim.errors import EnvslimError

EXIT_OK, EXIT_DUE, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, as every other error
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")

    def _get_formatter(self):
        # argparse sizes help from shutil.get_terminal_size, and importing shutil (bz2, lzma, ...) costs the
        # hook path ~6 ms even when no help is printed; os gives the same width.
        import os

        try:
            width = int(os.environ["COLUMNS"])
        except (KeyError, ValueError):
            try:
                width = os.get_terminal_size(sys.__stdout__.fileno()).columns
            except (AttributeError, ValueError, OSError):
                width = 80
        return self.formatter_class(prog=self.prog, width=max(width - 2, 11))


def _plan_arguments(sp: argparse.ArgumentParser, unsafe_help: str) -> None:
    """The options that shape the plan (shared by rewrite and report)."""
    sp.add_argument("--unsafe-fixes", action="store_true", help=unsafe_help)
    sp.add_argument("--select", default="", metavar="IDS", help="comma-separated rule ids to run (default: all)")
    sp.add_argument("--ignore", default="", metavar="IDS", help="comma-separated rule ids to skip")
    sp.add_argument("--config", metavar="PATH", help="use this pyproject.toml or .envslim.toml instead of searching upward")


def _solve_arguments(sp: argparse.ArgumentParser, flag: str) -> None:
    sp.add_argument("--glibc", metavar="X.Y", help=f"with {flag}: the target's glibc (__glibc; default 2.28)")
    sp.add_argument("--cuda", metavar="X.Y", help=f"with {flag}: the target's CUDA driver (__cuda; default: none)")


def _platforms(args: argparse.Namespace) -> None:
    """``--platform a,b``: the list in ``args.platforms``, the first in ``args.platform``."""
    if getattr(args, "platform", None) and "," in args.platform:
        from envslim.solve.target import UnknownPlatform, parse_platforms

        try:
            args.platforms = parse_platforms(args.platform)
        except UnknownPlatform as e:
            raise EnvslimError(f"envslim: error: {e}") from None
        args.platform = args.platforms[0]


def _parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    p = _Parser(prog="envslim", description="Make conda-based Docker images small.")
    p.add_argument("--version", action="version", version=f"envslim {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    rw = sub.add_parser("rewrite", help="rewrite environment files in place (move bloated packages to pip:, add pins)")
    rw.add_argument("paths", nargs="+", metavar="PATH", help="environment files; '-' reads stdin and writes stdout")
    mode = rw.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a unified diff, write nothing (exit 1 if a change is due)")
    mode.add_argument("--check", action="store_true", help="write nothing, list what is due (exit 1 if a change is due)")
    _plan_arguments(rw, "also apply fixes that may change what gets installed")
    rw.add_argument("--annotate", action="store_true", help="leave a '# envslim: <why>' comment on moved and added lines")
    rw.add_argument("--format", choices=("text", "markdown"), default="text", help="markdown: a summary sized for a PR comment")
    rw.add_argument("--verify", action="store_true", help="apply a fix only if the new file solves on every --platform and saves (py-rattler, uv)")
    rw.add_argument("--platform", metavar="SUBDIR[,SUBDIR]", help="with --verify: target conda subdir(s) (default: config, else linux-64)")
    _solve_arguments(rw, "--verify")

    ex = sub.add_parser("explain", help="what the knowledge base knows about a package or rule, with sources")
    ex.add_argument("target", metavar="NAME|RULE")
    ex.add_argument("--json", action="store_true", help="machine-readable output")
    ex.add_argument("--online", action="store_true", help="also look up the wheel pip would pick on PyPI (NAME or NAME==VER)")
    ex.add_argument("--python", metavar="X.Y", help="target Python for --online (default: 3.11)")
    ex.add_argument("--platform", metavar="SUBDIR", help="target conda subdir for --online (default: linux-64)")

    rp = sub.add_parser("report", help="per-package footprint before and after the rewrite, with sources and totals")
    rp.add_argument("paths", nargs="+", metavar="PATH", help="environment files; '-' reads stdin")
    rp.add_argument("--format", choices=("table", "json", "markdown"), default="table", help="markdown: sized for a PR comment")
    net = rp.add_mutually_exclusive_group()
    net.add_argument("--online", action="store_true", help="look sizes up on PyPI and anaconda.org (cached)")
    net.add_argument("--offline", action="store_true", help="use sizes cached by earlier --online runs; never touch the network")
    rp.add_argument("--refresh", action="store_true", help="with --online: ignore the cache")
    rp.add_argument("--python", metavar="X.Y", help="target Python (default: lockfile, config, the file's python pin, 3.11)")
    rp.add_argument("--platform", metavar="SUBDIR[,SUBDIR]", help="target conda subdir(s), comma-separated; --solve solves each (default: config, else linux-64)")
    _solve_arguments(rp, "--solve")
    rp.add_argument("--solve", action="store_true", help="solve before and after (py-rattler, uv): exact packages, installed bytes, attribution, each fix verified")
    rp.add_argument("--lockfile", metavar="PATH", help="a conda-lock.yml (with --solve also a pixi.lock): its exact versions and URLs; warns when the rewrite makes it stale")
    _plan_arguments(rp, "count the unsafe fixes as applied, as rewrite --unsafe-fixes would")

    kn = sub.add_parser("knowledge", help="maintain the knowledge base")
    ksub = kn.add_subparsers(dest="knowledge_command", required=True, parser_class=_Parser)
    kr = ksub.add_parser("refresh", help="update figures in knowledge/packages/*.toml from live APIs, dated and sourced")
    kr.add_argument("names", nargs="*", metavar="NAME", help="conda package names (default: every entry with a pypi_name)")
    kr.add_argument("--pypi", action="store_true", help="refresh the PyPI wheel figures")
    kr.add_argument("--conda", action="store_true", help="re-measure the conda-forge closure by a solve (py-rattler): exact installed bytes")
    kr.add_argument("--python", default="3.11", metavar="X.Y", help="target Python of the wheel (default: 3.11)")
    kr.add_argument("--platform", default="linux-64", metavar="SUBDIR", help="target conda subdir (default: linux-64)")
    kr.add_argument("--knowledge-dir", metavar="DIR", help="the packages directory to edit (default: the shipped knowledge/packages)")

    # Subcommands whose options live with their code: only the one being run is imported.
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, module, text in (
        ("dockerfile", "envslim.dockerfile", "a slim multi-stage Dockerfile for an environment file"),
        ("prune", "envslim.prune", "delete what a deployed environment never needs"),
    ):
        sp = sub.add_parser(name, help=text)
        sp.set_defaults(module=module)
        if chosen == name:
            import importlib

            importlib.import_module(module).add_arguments(sp)
    return p


def _ids(text: str) -> frozenset[str]:
    return frozenset(x.strip().upper() for x in text.split(",") if x.strip())


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser(argv).parse_args(argv)
    try:
        if args.command == "rewrite":
            return _rewrite(args)
        if args.command == "explain":
            from envslim.explain import run

            return run(args, sys.stdout)
        if args.command == "report":
            return _report(args)
        if args.command == "knowledge":
            from envslim import refresh

            return refresh.run(args, sys.stdout, sys.stderr)
        if getattr(args, "module", None):
            import importlib

            return importlib.import_module(args.module).run(args, sys.stdout, sys.stderr)
    except EnvslimError as e:
        from envslim.report import redact

        print(redact(str(e)), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("envslim: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as e:  # a bug: one line instead of a traceback; ENVSLIM_DEBUG=1 shows the traceback
        import os

        if os.environ.get("ENVSLIM_DEBUG"):
            raise
        from envslim.report import redact

        print(redact(f"envslim: internal error: {type(e).__name__}: {e} (please report it)"), file=sys.stderr)
        return EXIT_ERROR
    raise AssertionError(args.command)  # pragma: no cover


def _rule_filters(args: argparse.Namespace) -> tuple[set[str], frozenset[str], frozenset[str]]:
    """The known rule ids and the --select / --ignore ids (an unknown id is an error)."""
    from envslim.rules import all_rules

    known = {r.id for r in all_rules()}
    cli_select, cli_ignore = _ids(args.select), _ids(args.ignore)
    for rid in sorted(cli_select | cli_ignore):
        if rid not in known:
            raise EnvslimError(f"envslim: error: unknown rule id {rid} (known: {', '.join(sorted(known))})")
    return known, cli_select, cli_ignore


def _read(args: argparse.Namespace, path: str, stdin: bool, filters):
    """One environment file, its config, and the plan options the command line and the config give."""
    import os

    from envslim import config as configmod
    from envslim.envfile import EnvFile
    from envslim.plan import Options

    known, cli_select, cli_ignore = filters
    where = args.config or (os.getcwd() if stdin else os.path.dirname(path) or os.curdir)
    cfg = configmod.load(where, known, explicit=bool(args.config))
    env = EnvFile.from_bytes(sys.stdin.buffer.read(), "<stdin>") if stdin else EnvFile.read(path)
    options = Options(
        unsafe_fixes=args.unsafe_fixes or cfg.unsafe_fixes,
        select=cli_select or cfg.select,
        ignore=cli_ignore | cfg.ignore,
        keep=cfg.keep,
        per_package_ignores=cfg.per_package_ignores,
        annotate=getattr(args, "annotate", False),
    )
    return env, cfg, options


def _report(args: argparse.Namespace) -> int:
    from envslim import reportcmd
    from envslim.plan import make_plan

    _platforms(args)
    filters = _rule_filters(args)

    def plan_for(path: str, stdin: bool):
        env, cfg, options = _read(args, path, stdin, filters)
        return env, make_plan(env, options), cfg

    return reportcmd.run(args, sys.stdout, sys.stderr, plan_for)


def _rewrite(args: argparse.Namespace) -> int:
    from envslim.envfile import write_atomic
    from envslim.plan import make_plan
    from envslim.report import color_enabled, finding_line, markdown_summary, redact, review_diff

    _platforms(args)
    filters = _rule_filters(args)
    color = color_enabled(sys.stdout)
    rc = EXIT_OK
    for path in args.paths:
        stdin = path == "-"
        shown = "<stdin>" if stdin else path
        try:
            env, cfg, options = _read(args, path, stdin, filters)
            plan = make_plan(env, options)
            if args.verify:  # keep only the fixes a solve proves (py-rattler, uv)
                from envslim._record import replace
                from envslim.solve import command

                plan = command.verify(plan, args, cfg, sys.stderr,
                                      lambda keep, env=env, o=options: make_plan(env, replace(o, keep=o.keep | keep)))
        except EnvslimError as e:  # this file is left alone; the others are still done
            print(redact(str(e)), file=sys.stderr)
            rc = EXIT_ERROR
            continue
        dry = args.diff or args.check
        notes = sys.stderr if (stdin or args.diff) else sys.stdout
        if args.format == "markdown":
            if dry or not stdin:  # (a filter's stdout is the new text)
                sys.stdout.write(markdown_summary(shown, plan, dry=dry))
        else:
            for f in plan.findings:
                if not (args.diff and f.applied):  # under --diff, applied changes are explained after their hunk
                    print(finding_line(shown, f, dry=dry), file=notes)
        if stdin and not dry:  # a filter: the new text on stdout
            sys.stdout.write(plan.new_text)
            sys.stdout.flush()
            continue
        if not plan.changed:
            continue
        if args.diff:
            if args.format == "text":
                sys.stdout.write(review_diff(plan, shown, color=color))
            rc = max(rc, EXIT_DUE)
        elif args.check:
            if args.format == "text":
                print(f"would rewrite {shown}", file=notes)
            rc = max(rc, EXIT_DUE)
        else:
            try:
                write_atomic(path, plan.new_text)
            except OSError as e:
                print(f"{path}: cannot write: {e.strerror or e}", file=sys.stderr)
                rc = EXIT_ERROR
                continue
            if args.format == "text":
                print(f"rewrote {path}", file=notes)
    return rc


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
