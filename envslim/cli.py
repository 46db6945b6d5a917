"""Command line: ``envslim SUBCOMMAND ...``; ``main(argv) -> int``.

Parses argv, builds the chosen command's options record (``envslim.commands.options``) and runs
``envslim.commands.<command>.run(options, out, err)``; an ``EnvslimError`` is one line on stderr and
exit 2. Each command imports what it needs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence  # (not typing: it costs the hook ~6 ms to import)

from envslim import EXIT_INTERRUPTED, INTERRUPTED, __version__
from envslim.errors import EnvslimError

EXIT_OK, EXIT_DUE, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):  # no abbreviations: ``--dif`` is an error, not ``--diff``
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

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
    sp.add_argument("--extend-select", default="", metavar="IDS",
                    help="comma-separated rule ids to add to the selection (the opt-in rules ES008, ES009, ES010)")
    sp.add_argument("--ignore", default="", metavar="IDS", help="comma-separated rule ids to skip")
    sp.add_argument("--config", metavar="PATH", help="use this pyproject.toml or .envslim.toml instead of searching upward")


def _solve_arguments(sp: argparse.ArgumentParser, flag: str) -> None:
    sp.add_argument("--glibc", metavar="X.Y", help=f"with {flag}: the target's glibc (__glibc; default 2.28)")
    sp.add_argument("--cuda", metavar="X.Y", help=f"with {flag}: the target's CUDA driver (__cuda; default: none)")


COMMANDS = ("rewrite", "explain", "report", "knowledge", "dockerfile", "prune")


def _parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    p = _Parser(prog="envslim", description="Make conda-based Docker images small.")
    p.add_argument("--version", action="version", version=f"envslim {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    # each command's options are added only when it is the one run (or none is named yet: help lists all);
    # the hook's `rewrite --check` does not pay for the other commands' dozens of arguments
    # and a command's parser is made only when it is the one run (or none is named, or an unknown one: the
    # help and the error list them all): each ArgumentParser costs the hook its own gettext look-ups
    chosen = next((a for a in argv if not a.startswith("-")), None)
    only = chosen if chosen in COMMANDS else None

    def wanted(name: str) -> bool:
        return only is None or only == name

    if wanted("rewrite"):
        rw = sub.add_parser("rewrite", help="rewrite environment files in place (move bloated packages to pip:, add pins)")
        rw.add_argument("paths", nargs="+", metavar="PATH", help="environment files, pixi manifests or directories to search; '-' reads stdin and writes stdout")
        mode = rw.add_mutually_exclusive_group()
        mode.add_argument("--diff", action="store_true", help="print a unified diff, write nothing (exit 1 if a change is due)")
        mode.add_argument("--check", action="store_true", help="write nothing, list what is due (exit 1 if a change is due)")
        _plan_arguments(rw, "also apply fixes that may change what gets installed")
        rw.add_argument("--annotate", action="store_true", help="leave a '# envslim: <why>' comment on moved and added lines")
        rw.add_argument("--format", choices=("text", "markdown", "json", "github", "sarif"), default="text",
                        help="markdown: a summary sized for a PR comment; json: each finding with its outcome; github:"
                        " GitHub Actions annotations; sarif: SARIF 2.1.0 for code scanning")
        rw.add_argument("-v", "--verbose", action="store_true",
                        help="each finding's whole reasoning with its figures (default: one short line per finding)")
        rw.add_argument("--verify", action="store_true", help="apply a fix only if the new file solves on every --platform and saves (py-rattler, uv)")
        rw.add_argument("--platform", metavar="SUBDIR[,SUBDIR]", help="target conda subdir(s): the first is the one the rules judge for; --verify solves each (default: config, else the file's own, else linux-64)")
        _solve_arguments(rw, "--verify")

    if wanted("explain"):
        ex = sub.add_parser("explain", help="what the knowledge base knows about a package or rule, with sources")
        ex.add_argument("target", metavar="NAME|RULE")
        ex.add_argument("--json", action="store_true", help="machine-readable output")
        ex.add_argument("-v", "--verbose", action="store_true",
                        help="a package: every figure with its note and source, and the reasoning (default: a summary)")
        ex.add_argument("--online", action="store_true", help="also look up the wheel pip would pick on PyPI (NAME or NAME==VER)")
        ex.add_argument("--python", metavar="X.Y", help="target Python for --online (default: 3.11)")
        ex.add_argument("--platform", metavar="SUBDIR", help="target conda subdir for --online (default: linux-64)")

    if wanted("report"):
        rp = sub.add_parser("report", help="per-package footprint before and after the rewrite, with sources and totals")
        rp.add_argument("paths", nargs="+", metavar="PATH", help="environment files, pixi manifests or directories to search; '-' reads stdin")
        rp.add_argument("--format", choices=("table", "json", "markdown", "svg", "html"), default="table",
                        help="markdown: sized for a PR comment; svg, html: a footprint picture (one file)")
        rp.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout ('-': stdout)")
        net = rp.add_mutually_exclusive_group()
        net.add_argument("--online", action="store_true", help="look sizes up on PyPI and anaconda.org (cached)")
        net.add_argument("--offline", action="store_true", help="use sizes cached by earlier --online runs; never touch the network")
        rp.add_argument("--refresh", action="store_true", help="with --online: ignore the cache")
        rp.add_argument("--python", metavar="X.Y", help="target Python (default: lockfile, config, the file's python pin, 3.11)")
        rp.add_argument("--platform", metavar="SUBDIR[,SUBDIR]", help="target conda subdir(s), comma-separated; --solve solves each (default: config, else linux-64)")
        _solve_arguments(rp, "--solve")
        rp.add_argument("--solve", action="store_true", help="solve before and after (py-rattler, uv): exact packages, installed bytes, attribution, each fix verified")
        rp.add_argument("--environment", metavar="NAME", help="a pixi manifest's environment: its features combined (default: default)")
        rp.add_argument("--lockfile", metavar="PATH", help="a conda-lock.yml (with --solve also a pixi.lock): its exact versions and URLs; warns when the rewrite makes it stale")
        _plan_arguments(rp, "count the unsafe fixes as applied, as rewrite --unsafe-fixes would")

    if wanted("knowledge"):
        kn = sub.add_parser("knowledge", help="maintain the knowledge base")
        ksub = kn.add_subparsers(dest="knowledge_command", required=True, parser_class=_Parser)
        kr = ksub.add_parser("refresh", help="update figures in knowledge/packages/*.toml from live APIs, dated and sourced")
        kr.add_argument("names", nargs="*", metavar="NAME", help="conda package names (default: every entry with a pypi_name)")
        kr.add_argument("--pypi", action="store_true", help="refresh the PyPI wheel figures")
        kr.add_argument("--conda", action="store_true", help="re-measure the conda-forge closure by a solve (py-rattler): exact installed bytes")
        kr.add_argument("--graph", action="store_true", help="rebuild the offline graph snapshot (knowledge/graph/conda.jsonl) from the live channels' repodata (py-rattler): NAMEs and what they reach, default every name it has")
        kr.add_argument("--channel", action="append", metavar="NAME", help="with --graph: a channel to read (repeatable; default conda-forge)")
        kr.add_argument("--out", metavar="PATH", help="with --graph: where to write the snapshot (default: the checkout's knowledge/graph/conda.jsonl)")
        kr.add_argument("--python", default="3.11", metavar="X.Y", help="target Python of the wheel (default: 3.11)")
        kr.add_argument("--platform", default="linux-64", metavar="SUBDIR", help="target conda subdir (default: linux-64)")
        kr.add_argument("--knowledge-dir", metavar="DIR", help="the packages directory to edit (default: the shipped knowledge/packages)")

    # dockerfile and prune: their options only when they are run, even for help (the help strings need the
    # image modules' constants)
    if wanted("dockerfile"):
        df = sub.add_parser("dockerfile", help="a slim multi-stage Dockerfile for an environment file")
    if wanted("prune"):
        pr = sub.add_parser("prune", help="delete what a deployed environment never needs")
    if chosen == "dockerfile":
        _dockerfile_arguments(df)
    elif chosen == "prune":
        pr.add_argument("prefix", metavar="PREFIX", help="a conda environment (conda-meta/) or a venv (pyvenv.cfg)")
        pr.add_argument("--dry-run", action="store_true", help="report what would go; change nothing")
        _selection_arguments(pr)
        pr.add_argument(
            "--keep-used-by",
            metavar="COMMAND",
            help="also remove what COMMAND (a smoke test, run by /bin/sh) never touches under lib/, then run it "
            "again and put everything back if it fails (envslim/image/trace.py)",
        )
        pr.add_argument(
            "--strip",
            action="store_true",
            help="with --keep-used-by: also strip --strip-unneeded the shared objects that stay (no symbol names "
            "in native backtraces)",
        )
        pr.add_argument(
            "--smoke-timeout",
            type=float,
            default=600.0,
            metavar="SECONDS",
            help="with --keep-used-by: end each run of COMMAND (its whole process group) after SECONDS and fail "
            "(default: 600)",
        )
    return p


def _selection_arguments(parser: argparse.ArgumentParser) -> None:
    """--aggressive and --keep, shared by prune and dockerfile."""
    parser.add_argument(
        "--aggressive",
        action="store_true",
        help="also remove bytecode (slower start-up), static libraries and headers (no run-time compilation)",
    )
    parser.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="GLOB",
        help="keep paths (relative to the prefix) matching GLOB, or under a directory matching it; repeatable",
    )


def _dockerfile_arguments(parser: argparse.ArgumentParser) -> None:
    from envslim.image.dockerfile import DEFAULT_BASE, DISTROLESS_BASE, INSTALLERS

    parser.add_argument("envfile", metavar="ENVFILE", help="the conda environment file (environment.yml), or a pixi manifest (pixi.toml, pyproject.toml with [tool.pixi]) with its pixi.lock")
    parser.add_argument("--environment", metavar="NAME", help="with a pixi manifest: the environment to install (default: default)")
    parser.add_argument("-o", "--output", metavar="PATH", help="write the Dockerfile here ('-' or none: stdout)")
    parser.add_argument(
        "--installer",
        choices=sorted(INSTALLERS),
        default="micromamba",
        help="what creates the environment in the build stage (default: micromamba)",
    )
    base = parser.add_mutually_exclusive_group()
    base.add_argument("--base", metavar="IMAGE", help=f"the final stage's image (default: {DEFAULT_BASE})")
    base.add_argument(
        "--distroless", action="store_true", help=f"final stage on {DISTROLESS_BASE} (no shell; caveats in the output)"
    )
    parser.add_argument("--user", metavar="UID[:GID]", help="run as this numeric non-root user")
    parser.add_argument(
        "--entrypoint",
        metavar="COMMAND",
        help="the command to run, split like a shell would, written in exec form (default: python)",
    )
    parser.add_argument(
        "--cache",
        choices=("mount", "clean"),
        default="mount",
        help="package cache: a BuildKit cache mount (default) or a clean step",
    )
    _selection_arguments(parser)
    parser.add_argument(
        "--smoke",
        metavar="COMMAND",
        help="run this smoke test in the build stage with envslim prune --keep-used-by (needs envslim's wheel)",
    )
    parser.add_argument(
        "--envslim-wheel",
        metavar="PATH",
        help="envslim's wheel in the build context for --smoke (default: envslim-VERSION-py3-none-any.whl)",
    )
    parser.add_argument(
        "--context", default=".", metavar="DIR", help="the build context ENVFILE is copied from (default: .)"
    )


def _ids(text: str) -> frozenset[str]:
    return frozenset(x.strip().upper() for x in text.split(",") if x.strip())


# subcommand -> (its module in envslim.commands, its options record in envslim.commands.options)
COMMANDS = {
    "rewrite": ("rewrite", "RewriteOptions"),
    "report": ("report", "ReportOptions"),
    "explain": ("explain", "ExplainOptions"),
    "knowledge": ("refresh", "RefreshOptions"),
    "dockerfile": ("dockerfile", "DockerfileOptions"),
    "prune": ("prune", "PruneOptions"),
}


def options_from(args: argparse.Namespace):
    """The chosen command's options record, from the parsed argv (lists become tuples, rule ids sets)."""
    from envslim import _record
    from envslim.commands import options

    record = getattr(options, COMMANDS[args.command][1])
    values = {}
    for name in _record.fields(record):
        if not hasattr(args, name):  # an option this command's parser does not offer: the record's default
            continue
        value = getattr(args, name)
        if name in ("select", "ignore", "extend_select"):
            value = _ids(value)
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    if "platforms" in _record.fields(record):  # (rewrite, report)
        values.update(_platforms(values.get("platform")))
    return record(**values)


def _platforms(value: str | None) -> dict:
    """``--platform a,b``: ``platforms`` the list (each once), ``platform`` the first; one platform is both."""
    if not value:
        return {}
    if "," not in value:
        return {"platforms": (value,)}
    from envslim.solve.target import UnknownPlatform, parse_platforms

    try:
        platforms = tuple(parse_platforms(value))
    except UnknownPlatform as e:
        raise EnvslimError(f"envslim: error: {e}") from None
    return {"platform": platforms[0], "platforms": platforms}


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None and next((a for a in sys.argv[1:] if not a.startswith("-")), None) == "rewrite":
        # the pre-commit hook's command: a run makes few reference cycles, and the collector's passes over
        # everything the walk allocates cost more than they free (`rewrite --check` of the 130 corpus files
        # in one run: 1.38 -> 1.14 s of CPU, peak memory 83 -> 87 MB; the bundled example 80 -> 75 ms;
        # 2026-12-06). The process ends with leave(), so it is never switched back on.
        import gc

        gc.disable()
    try:
        code = _bounded(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:  # (before the output boundary is up; while envslim.cli imports: envslim._uncaught)
        print(INTERRUPTED, file=sys.stderr)
        code = EXIT_INTERRUPTED
    if argv is None:  # the console script: see leave()
        leave(code)
    return code


def leave(code: int) -> None:
    """End the process now with ``code``, after flushing, without the interpreter's finalisation.

    Why (measured 2026-12-06, py-rattler 0.28.0, Python 3.11.7): a bare script whose ``rattler.solve``
    fails and which then returns normally dies at exit in about 1 run in 6 (60 runs against a local
    ``file://`` channel: 10 crashes; over HTTP: 10), with "Fatal Python error: PyGILState_Release: thread
    state ... must be current when releasing; Python runtime state: finalizing" (exit 134) or a segfault
    (139). py-rattler does its work on runtime threads that are never joined and that take and release
    the GIL when they finish (handing back the result, dropping Python objects); one still busy right
    after the failed solve meets ``Py_FinalizeEx`` tearing the interpreter down. The same script that
    waits half a second before exiting: 0 crashes in 40; that leaves with ``os._exit``: 0 in 60.
    py-rattler offers no way to shut its runtime down or wait for it, so a run that imported rattler
    flushes its output and leaves with ``os._exit``: nothing of the interpreter runs after envslim's
    last line. Every other run leaves the same way: by then each file it wrote is closed (the atomic
    writer's, the caches'), no thread of its own is left, and the interpreter's teardown (freeing every
    module and object, the graph snapshot's among them) would cost the pre-commit hook about 10 ms of
    its ~75 ms of CPU (``rewrite --check`` on the bundled example, 15 runs each way, 2026-12-06). Only for
    the process entry point (``main()`` without argv); tests calling ``main([...])`` return."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or a full device: the code already says what it can
            code = code or EXIT_ERROR
    os._exit(code)


def _bounded(argv: list[str]) -> int:
    """Everything the command writes, to stdout or stderr, passes the one redactor a line at a time
    (``display.Redacting``); an interrupt at any point is one line; a failed write to stdout (a full disk)
    is one line on stderr, exit 2."""
    from envslim.display import Redacting, StreamError

    real = sys.stdout, sys.stderr
    out, err = Redacting(real[0], "standard output"), Redacting(real[1], "standard error", escape=True)
    sys.stdout, sys.stderr = out, err  # (what a lower layer, argparse or a warning prints passes it too)
    try:
        try:
            return _main(argv, out, err)
        finally:
            sys.stdout, sys.stderr = real
            out.flush()
            err.flush()
    except StreamError as e:
        _give_up_on(e, out, err)
        return EXIT_ERROR
    except KeyboardInterrupt:  # (also while the parser and the command are being imported)
        try:
            print(INTERRUPTED, file=err)
            err.flush()
        except OSError:
            pass
        return EXIT_INTERRUPTED


def _main(argv: list[str], out, err) -> int:
    from envslim.display import StreamError

    parser = _parser(argv)
    if not argv:  # no arguments: the usage and the commands, exit 2
        parser.print_help(err)
        return EXIT_ERROR
    args = parser.parse_args(argv)
    try:
        import importlib

        command = importlib.import_module(f"envslim.commands.{COMMANDS[args.command][0]}")
        return command.run(options_from(args), out, err)
    except EnvslimError as e:
        from envslim.display import printable

        print(printable(str(e)), file=err)
        return EXIT_ERROR
    except (KeyboardInterrupt, StreamError):
        raise  # (the caller says which stream failed)
    except Exception as e:  # a bug: one line instead of a traceback; ENVSLIM_DEBUG=1 shows the traceback
        import os

        damaged = _damaged_data()  # (not a bug of envslim's: data compiled into the package is damaged)
        if damaged is not None:
            from envslim.display import printable

            print(printable(damaged), file=err)
            return EXIT_ERROR
        if os.environ.get("ENVSLIM_DEBUG"):
            raise
        from envslim.display import printable

        print(printable(f"envslim: internal error: {type(e).__name__}: {e} (please report it)"), file=err)
        return EXIT_ERROR


def _damaged_data() -> str | None:
    """One line naming the compiled file (graph snapshot, knowledge index) whose data read so far is damaged,
    or None: asked after an unexpected error, of the modules the command has imported."""
    import sys

    for module in ("envslim.environment.graph", "envslim.knowledge"):
        loaded = sys.modules.get(module)
        if loaded is not None:
            try:
                got = loaded.damage()
            except Exception:  # (the check itself met the damage)
                got = None
            if got is not None:
                return got
    return None


def _give_up_on(e, out, err) -> None:
    """A stream that cannot be written: say so on stderr (if that is not the one), and point the failed
    stream at /dev/null so that the interpreter's own flush at exit does not fail again with a traceback."""
    import os

    from envslim.display import printable

    stream = out.exact if e.name == "standard output" else err.exact
    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (AttributeError, OSError, ValueError):
        pass  # (not a file: a test's capture)
    if stream is not err.exact:
        try:
            err.exact.write(printable(f"envslim: {e.name}: {e.strerror}") + "\n")
            err.exact.flush()
        except OSError:
            pass


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
