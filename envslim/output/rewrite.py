"""Rendering rewrite's results: finding lines, the unified diff explained hunk by hunk, the markdown summary.

Everything here reads the plan's outcomes (``envslim.plan.Outcome``); :func:`status` is the one wording
of each outcome state, which ``envslim report`` uses too."""

from __future__ import annotations

import re

from envslim.display import mb, md_code, printable, redact
from envslim.plan import Outcome, State

def status(o: Outcome, *, dry: bool, due: str = "fix available") -> str:
    """The one wording of an outcome: ``due`` (dry run) or "fixed"; an unsafe fix and what it loses; why a
    fix was refused; or "report only"."""
    if o.state is State.APPLIED:
        return due if dry else "fixed"
    if o.state is State.UNSAFE:
        return "unsafe fix, use --unsafe-fixes" + (f": {o.reason}" if o.reason else "")
    if o.state is State.REFUSED:
        return f"not fixed: {o.reason}"
    return "report only"


def saving(o: Outcome, verbose: bool = True) -> str:
    """The estimated saving of a fix that is made (or would be, with --unsafe-fixes); a refused fix or a
    report saves nothing, so it claims nothing. Short: ``(saves ~105.0 MB, 15.6 to 192.1 MB)``. A fix that
    changes what is installed but has no figure says so, with why when that is short (always when verbose):
    ``(saving unknown: rdkit stays and is not in the snapshot)``; unknown is never left out as if nothing."""
    f = o.finding
    if o.state not in (State.APPLIED, State.UNSAFE):
        return ""
    if not f.saving_bytes:
        if f.saving_bytes is None and not f.guard and saves_bytes(o):
            why = unknown_reason(f.source, None if verbose else REASON)
            return f" (saving unknown{f': {why}' if why else ''})"
        return ""
    rng = f.saving_range
    if not verbose:
        return f" (saves ~{mb(f.saving_bytes)}" + (f", {mb(rng[0])} to {mb(rng[1])})" if rng else ")")
    spread = f" {mb(rng[0])} to {mb(rng[1])}" if rng else ""
    return f" (saves ~{mb(f.saving_bytes)}, estimate{spread})"


REASON = 90  # why a saving is unknown, on a terminal's short line: left out when longer (--verbose gives it)


def unknown_reason(source: str, limit: int | None = None) -> str:
    """Why a fix's saving is unknown, from its source (``unknown: why; what is known``): the why, cut to the
    part before ", so " when longer than ``limit``, and "" when still longer (or the source gives none)."""
    if not source.startswith("unknown: "):
        return ""
    why = source.removeprefix("unknown: ").split("; ", 1)[0].strip()
    if limit is not None and len(why) > limit:
        why = why.split(", so ", 1)[0]
    return why if limit is None or len(why) <= limit else ""


SHORT = 90  # a message longer than this is cut to its headline on a terminal (the rest: --verbose, explain)


def headline(message: str) -> str:
    """A finding's message as one short line: without its parentheses (figures, versions, sources) when it
    is long, and then, if still long, only what comes before its first ": " (rules write "what: why"), and
    then before its first "; "."""
    if len(message) <= SHORT:
        return message
    short = message
    while True:
        stripped = re.sub(r"\s*\([^()]*\)", "", short)
        if stripped == short:
            break
        short = stripped
    if len(short) <= SHORT:
        return short
    for sep in (": ", "; "):
        head = short.split(sep, 1)[0]
        if len(head) >= 8:
            short = head
        if len(short) <= SHORT:
            break
    return short


def saves_bytes(o: Outcome) -> bool:
    """Whether a fix changes what is installed, so that a missing figure is an unknown saving rather than none:
    by its effect on the environment where it was judged (packages leave or arrive, or parts have no figure;
    a pin that only rules versions out saves nothing), else by what it does (a move, a rename, a drop)."""
    e = o.finding.effect
    if e is not None:
        return bool(e.leaving or e.arriving or e.unpriced)
    return o.action in ("move-to-pip", "replace", "remove")


def short_status(o: Outcome, dry: bool) -> str:
    """The status without an unsafe fix's reasoning (``--verbose`` gives it)."""
    if o.state is State.UNSAFE:
        return "unsafe fix, use --unsafe-fixes"
    return status(o, dry=dry)


def finding_dict(o: Outcome, status_text: str) -> dict:
    """One finding with its outcome, as every JSON output gives it (``report``'s adds what a solve proved)."""
    f = o.finding
    return {"rule": f.rule, "package": f.package, "action": o.action, "saving_bytes": f.saving_bytes,
            **({"saving_range": list(f.saving_range)} if f.saving_range else {}),
            **({"effect": f.effect.as_json()} if f.effect is not None else {}),
            "source": redact(f.source), "message": redact(f.message), "applied": o.applied, "outcome": o.state.value,
            "reason": redact(o.reason), "status": status_text, "line": o.line}


def finding_line(path: str, o: Outcome, *, dry: bool, verbose: bool = True) -> str:
    """``path:line:col: RULE package: message (saving) [status]``; short (``verbose=False``, a terminal's
    default): the message's headline, the saving and its range, the status without its reasoning."""
    f = o.finding
    if not verbose:
        return printable(redact(f"{path}:{o.line}:{o.col}: {f.rule} {f.package}: {headline(f.message)}"
                                f"{saving(o, False)} [{short_status(o, dry)}]"))
    return printable(redact(f"{path}:{o.line}:{o.col}: {f.rule} {f.package}: {f.message}{saving(o)}"
                            f" [{status(o, dry=dry)}]"))


def diff(old: str, new: str, path: str) -> str:
    import difflib

    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def color_enabled(stream) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set and not empty (https://no-color.org) or
    TERM is "dumb"."""
    import os

    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


_COLORS = {"+": "\x1b[32m", "-": "\x1b[31m", "@": "\x1b[36m", "#": "\x1b[33m", "\\": "\x1b[2m", "h": "\x1b[1m"}
_RESET = "\x1b[0m"


def _paint(line: str, kind: str, color: bool) -> str:
    """``line`` (ending in a newline) in the colour for ``kind``: h(eader), @, +, -, space, \\ or #."""
    code = _COLORS.get(kind) if color else None
    return f"{code}{line[:-1]}{_RESET}\n" if code else line


def review_diff(plan, path: str, *, color: bool = False, verbose: bool = True) -> str:
    """The unified diff, each hunk followed by ``# RULE package: why (saving)`` for the changes in it (a fix
    that spans two hunks, such as a move, is explained once, after the first)."""
    text = printable(redact(diff(plan.old_text, plan.new_text, path)))  # (colour codes are added after)
    header: list[str] = []
    hunks: list[tuple[range, list[str]]] = []
    for line in text.splitlines(keepends=True):
        m = re.match(r"@@ -(\d+)(?:,(\d+))? \+", line)
        if m:
            start, count = int(m.group(1)), int(m.group(2) or 1)
            hunks.append((range(start, start + max(count, 1) + (count == 0)), [line]))
        elif hunks:
            hunks[-1][1].append(line)
        else:
            header.append(line)
    reasons: list[list[Outcome]] = [[] for _ in hunks]
    for o in plan.applied:
        where = [i for i, (span, _) in enumerate(hunks) if o.lines.intersection(span)]
        if not where and hunks:  # not expected: explain it after the nearest hunk
            where = [min(range(len(hunks)), key=lambda i: min(abs(o.line - n) for n in hunks[i][0]))]
        reasons[where[0]].append(o) if where else None  # once, after the first hunk it changes
    out = [_paint(line, "h", color) for line in header]
    for (_, lines), fs in zip(hunks, reasons):
        out += [_paint(line, line[:1], color) for line in lines]
        out += [_paint(printable(redact(f"# {o.finding.rule} {o.finding.package}: "
                                        f"{o.finding.message if verbose else headline(o.finding.message)}"
                                        f"{saving(o, verbose)}")) + "\n", "#", color) for o in fs]
    return "".join(out)


def markdown_summary(path: str, plan, *, dry: bool) -> str:
    """A summary of one file's findings sized for a pull-request comment. Its total is the union of the made
    fixes' effects (each package counted once, :func:`envslim.environment.effects.union_saving`); a fix whose
    saving is unknown is named, not counted."""
    from envslim.environment.effects import Effect, union_saving
    from envslim.knowledge import Member

    def cell(s: str) -> str:
        return printable(redact(s)).replace("|", "\\|").replace("\n", " ")

    rows = []
    counted: list[Effect] = []
    unknown: list[str] = []
    for o in plan.shown:
        f = o.finding
        rng = f.saving_range
        saving = f"~{mb(f.saving_bytes)}" + (f" ({mb(rng[0])} to {mb(rng[1])})" if rng else "") if f.saving_bytes else ""
        if o.applied and f.saving_bytes:
            if f.effect is not None and (f.effect.gone or f.effect.come):
                counted.append(f.effect)
            else:  # the knowledge base's estimate: no packages behind it to share, counted as it is
                low, high = rng or (f.saving_bytes, f.saving_bytes)
                key = ("fix", f"{f.rule} {f.package} {o.line}")
                counted.append(Effect(gone=((key, Member(f.package, "", f.saving_bytes, low, high)),)))
        elif o.applied and f.saving_bytes is None and not f.guard and saves_bytes(o):
            saving = "unknown"
            unknown.append(f"{md_code(redact(f.package))} ({f.rule})")
        rows.append(f"| `{f.rule}` | {md_code(redact(f.package))} | {cell(f.message)} | {saving} |"
                    f" {cell(status(o, dry=dry, due='due'))} |")
    out = [f"### envslim: {md_code(redact(path))}", ""]
    if not rows:
        return "\n".join(out + ["Nothing to change.", ""]) + "\n"
    out += ["| rule | package | finding | est. saving | status |", "|---|---|---|---:|---|", *rows, ""]
    which = "due" if dry else "applied"
    not_counted = f"; saving unknown, not counted: {', '.join(unknown)}" if unknown else ""
    if counted:
        total, low, high = union_saving(counted)
        spread = f", {mb(low)} to {mb(high)}" if (low, high) != (total, total) else ""
        out.append(f"**Estimated saving of the {which} changes: ~{mb(total)}**{spread} (the fixes' effects on the"
                   " environment together, each package counted once, from the graph snapshot, or the knowledge"
                   " base's estimate where the snapshot cannot price it; `--format json` gives each finding's"
                   f" source){not_counted}")
        out.append("")
    elif unknown:
        out.append(f"**Estimated saving of the {which} changes: unknown** (no figure for the target: "
                   f"{', '.join(unknown)})")
        out.append("")
    if plan.changed:
        body = printable(redact(diff(plan.old_text, plan.new_text, path))).rstrip("\n")
        fence = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", body)), default=0))
        out += ["<details><summary>diff</summary>", "", f"{fence}diff", body, fence, "", "</details>", ""]
    return "\n".join(out) + "\n"
