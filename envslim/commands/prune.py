"""``envslim prune PREFIX``: delete what a deployed environment never needs, and say what went."""

from __future__ import annotations

import functools
import os
import shlex
import shutil
from typing import TextIO

from envslim.display import printable
from envslim.errors import EnvslimError
from envslim.image import interrupt
from envslim.image.interrupt import commit, held, pause
from envslim.image.prune import carry_out, prefix_kind, render, select
from envslim.image.strip import prefix_python, strip_candidates, strip_into, unlink_quietly
from envslim.image.trace import CATEGORIES, STRIP, RunResult, Runner, owners, package_of, run_command, trace
from envslim.image.trace import select as trace_select
from envslim.image.trash import Trash


def run(options, out, err) -> int:
    if options.strip and options.keep_used_by is None:
        raise EnvslimError("envslim prune: --strip needs --keep-used-by (its second run shows the stripped libraries still load)")
    if not 0 < options.smoke_timeout < float("inf"):  # (inf waited forever; nan is neither)
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
        return run_traced(options, out, err)
    plan = select(options.prefix, aggressive=options.aggressive, keep=tuple(options.keep))
    outcome = carry_out(plan, dry_run=options.dry_run)
    for rel, _, why in outcome.failed:
        print(f"envslim prune: cannot remove {rel}: {why}", file=err)
    out.write(printable(render(plan, outcome, dry_run=options.dry_run)))  # (file names may hold escapes)
    return 0


# -- --keep-used-by: prune what a traced command never touched, then run it again ---------------------------------------------------------------------------------------------


def _tail(text: str, n: int = 20) -> str:
    lines = text.rstrip("\n").splitlines()
    return "\n".join("    " + ln for ln in lines[-n:])


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0.0%"


def _failed(err: TextIO, command: str, result: RunResult, when: str, state: str) -> int:
    """Report a failing run of COMMAND (its output's last lines too) and return exit status 2."""
    from envslim.display import redact

    how = (
        f"did not finish within {result.timed_out:g} s {when} (--smoke-timeout)"
        if result.timed_out
        else f"fails {when} (exit {result.returncode})"
    )
    print(redact(f"envslim prune: --keep-used-by {shlex.quote(command)} {how}; {state}"), file=err)
    if result.output.strip():
        print(redact(_tail(result.output)), file=err)
    return 2


def run_traced(options, out: TextIO, err: TextIO, runner: Runner = run_command) -> int:
    """``envslim prune PREFIX --keep-used-by COMMAND``, given the command's PruneOptions (``runner``: how
    COMMAND is run, the tests' hook)."""
    from envslim.display import redact
    from envslim.image import prune

    prefix = options.prefix
    command = options.keep_used_by
    if runner is run_command:
        runner = functools.partial(run_command, timeout=options.smoke_timeout)
    plan = prune.select(prefix, aggressive=options.aggressive, keep=tuple(options.keep))
    first, touched, processes = trace(command, prefix, runner)
    if first.returncode != 0:
        return _failed(err, command, first, "before pruning", "nothing was changed")
    if processes == 0:
        raise EnvslimError(
            redact(
                f"envslim prune: --keep-used-by {shlex.quote(command)} started no Python from {prefix}: "
                "nothing to trace; nothing was changed"
            )
        )
    skip = {rel for r in plan.removals.values() for rel, _ in r.files}
    sel = trace_select(prefix, touched, skip=skip, keep=tuple(options.keep))
    owner = owners(prefix)

    rows: list[tuple[str, list[tuple[str, int]]]] = [(cid, r.files) for cid, r in plan.removals.items()]
    rows += [(c.id, sel.files[c.id]) for c in CATEGORIES]
    every = [(cid, rel, b) for cid, files in rows for rel, b in files]
    stripped: list[tuple[str, int, str]] = []
    if options.strip:
        exe = shutil.which("strip")
        if exe is None:
            raise EnvslimError("envslim prune: --strip needs the strip program (binutils); nothing was changed")
        files = strip_candidates(prefix, {rel for _, rel, _ in every}, tuple(options.keep))
        stripped = strip_into(exe, prefix, files, prefix_python(prefix))
        rows.append((STRIP.id, [(rel, saved) for rel, saved, _ in stripped]))
    total = sum(b for _, _, b in every) + sum(saved for _, saved, _ in stripped)
    per_package: dict[str, int] = {}
    for rel, b in [(rel, b) for _, rel, b in every] + [(rel, saved) for rel, saved, _ in stripped]:
        pkg = package_of(rel, owner)
        per_package[pkg] = per_package.get(pkg, 0) + b

    lines = [
        f"prefix {prefix} ({plan.kind}): {plan.total_files:,} files, {plan.total_bytes:,} bytes",
        f"traced {shlex.quote(command)}: {processes} Python process{'es' if processes != 1 else ''} touched "
        f"{sel.touched_files:,} files, {sel.touched_bytes:,} bytes ({_pct(sel.touched_bytes, plan.total_bytes)})",
        f"{'category':<20} {'files':>9} {'bytes':>15} {'share':>6}",
    ]
    for cid, files in rows:
        b = sum(x for _, x in files)
        lines.append(f"{cid:<20} {len(files):>9,} {b:>15,} {_pct(b, plan.total_bytes):>6}")
    lines.append(f"{'total':<20} {len(every):>9,} {total:>15,} {_pct(total, plan.total_bytes):>6}")
    lines.append("by package:")
    for pkg, b in sorted(per_package.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {pkg:<30} {b:>15,}")
    left = plan.total_bytes - total
    if options.dry_run:
        lines.append("would remove:")
        lines += [f"  {rel} ({b:,} bytes, {cid})" for cid, rel, b in sorted(every, key=lambda t: t[1])]
        lines += [f"  {rel} (symbolic link to a removed file)" for rel in sel.links]
        lines += [f"  {rel} (strip saves {saved:,} bytes)" for rel, saved, _ in stripped]
        lines.append(f"dry run: would remove {total:,} bytes, leaving {left:,}; nothing was changed")
        for _, _, copy in stripped:
            unlink_quietly(copy)
        out.write(printable(redact("\n".join(lines) + "\n")))
        return 0

    trash = None
    try:
        try:
            with held():
                trash = Trash(prefix)
        except OSError as e:
            raise EnvslimError(f"{prefix}: cannot make a trash directory: {e.strerror or e}; nothing was changed") from None
        rel = ""
        try:
            for i, rel in enumerate([rel for _, rel, _ in every] + sel.links):
                trash.put(rel)
                if i == 0:
                    pause("moving")
            for rel, _, copy in stripped:  # the original goes to the trash, the stripped copy in its place
                trash.put(rel)
                fd, base = trash.dirs.parent(rel)  # both in the folder the original left, never by path
                os.rename(os.path.basename(copy), base, src_dir_fd=fd, dst_dir_fd=fd)
        except OSError as e:
            trash.restore()
            raise EnvslimError(
                f"{os.path.join(prefix, rel)}: cannot move it aside: {e.strerror or e}; every file was put back"
            ) from None
        pause("trashed")
        second = runner(command, prefix, {})
        if second.returncode != 0:
            trash.restore()
        else:
            pause("verified")
            commit("deleting the verified files")  # from here a signal waits for the end of the run
            pause("deleting")
    except EnvslimError:
        raise
    except BaseException:
        if trash is not None:
            trash.restore()
        raise
    finally:
        with held():
            for _, _, copy in stripped:  # the copies not yet moved into place
                unlink_quietly(copy)
    if second.returncode != 0:
        out.write(printable(redact("\n".join(lines) + "\n")))
        return _failed(err, command, second, "after pruning", "every file was put back")
    for r in plan.removals.values():  # the plain categories' emptied trees, through the trash's descriptors
        for d in sorted(r.dirs, key=lambda d: (-d.count("/"), d)):
            try:
                trash.drop_dir(d)
            except OSError:
                pass
    trash.empty()
    lines.append(f"verified: {shlex.quote(command)} passes after pruning; removed {total:,} bytes, {left:,} left")
    out.write(printable(redact("\n".join(lines) + "\n")))
    return 0
