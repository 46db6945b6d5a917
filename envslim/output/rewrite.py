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


def _saving(o: Outcome) -> str:
    """The estimated saving of a fix that is made (or would be, with --unsafe-fixes); a refused fix or a
    report saves nothing, so it claims nothing."""
    f = o.finding
    if not f.saving_bytes or o.state not in (State.APPLIED, State.UNSAFE):
        return ""
    rng = f.saving_range
    spread = f" {mb(rng[0])} to {mb(rng[1])}" if rng else ""
    return f" (saves ~{mb(f.saving_bytes)}, estimate{spread})"


def finding_dict(o: Outcome, status_text: str) -> dict:
    """One finding with its outcome, as every JSON output gives it (``report``'s adds what a solve proved)."""
    f = o.finding
    return {"rule": f.rule, "package": f.package, "action": o.action, "saving_bytes": f.saving_bytes,
            **({"saving_range": list(f.saving_range)} if f.saving_range else {}),
            "source": redact(f.source), "message": redact(f.message), "applied": o.applied, "outcome": o.state.value,
            "reason": redact(o.reason), "status": status_text, "line": o.line}


def finding_line(path: str, o: Outcome, *, dry: bool) -> str:
    f = o.finding
    return printable(redact(f"{path}:{o.line}:{o.col}: {f.rule} {f.package}: {f.message}{_saving(o)}"
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


def review_diff(plan, path: str, *, color: bool = False) -> str:
    """The unified diff, each hunk followed by ``# RULE package: why (saving)`` for the changes in it (a fix
    that spans two hunks, such as a move, is explained after each)."""
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
        for i in where:
            reasons[i].append(o)
    out = [_paint(line, "h", color) for line in header]
    for (_, lines), fs in zip(hunks, reasons):
        out += [_paint(line, line[:1], color) for line in lines]
        out += [_paint(printable(redact(f"# {o.finding.rule} {o.finding.package}: {o.finding.message}{_saving(o)}")) + "\n", "#",
                       color) for o in fs]
    return "".join(out)


def markdown_summary(path: str, plan, *, dry: bool) -> str:
    """A summary of one file's findings sized for a pull-request comment."""
    def cell(s: str) -> str:
        return printable(redact(s)).replace("|", "\\|").replace("\n", " ")

    rows = []
    total = low = high = 0
    for o in plan.shown:
        f = o.finding
        rng = f.saving_range
        saving = f"~{mb(f.saving_bytes)}" + (f" ({mb(rng[0])} to {mb(rng[1])})" if rng else "") if f.saving_bytes else ""
        if o.applied and f.saving_bytes:
            total += f.saving_bytes
            low += rng[0] if rng else f.saving_bytes
            high += rng[1] if rng else f.saving_bytes
        rows.append(f"| `{f.rule}` | {md_code(redact(f.package))} | {cell(f.message)} | {saving} |"
                    f" {cell(status(o, dry=dry, due='due'))} |")
    out = [f"### envslim: {md_code(redact(path))}", ""]
    if not rows:
        return "\n".join(out + ["Nothing to change.", ""]) + "\n"
    out += ["| rule | package | finding | est. saving | status |", "|---|---|---|---:|---|", *rows, ""]
    if total:
        spread = f", {mb(low)} to {mb(high)}" if (low, high) != (total, total) else ""
        out.append(f"**Estimated saving of the {'due' if dry else 'applied'} changes: ~{mb(total)}**{spread} "
                   "(estimates from the knowledge base; `envslim explain PACKAGE` shows each figure's source)")
        out.append("")
    if plan.changed:
        body = printable(redact(diff(plan.old_text, plan.new_text, path))).rstrip("\n")
        fence = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", body)), default=0))
        out += ["<details><summary>diff</summary>", "", f"{fence}diff", body, fence, "", "</details>", ""]
    return "\n".join(out) + "\n"
