"""Rendering: finding lines, unified diffs, credential redaction."""

from __future__ import annotations

import difflib
import re

from envslim.footprint import mb
from envslim.rules import Finding

_CRED_RE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<cred>[^/@\s]+)@")


def redact(text: str) -> str:
    """Hide ``user:token@`` in URLs; envslim never prints credentials."""
    return _CRED_RE.sub(lambda m: f"{m.group('scheme')}***@", text)


def finding_line(path: str, f: Finding, *, dry: bool) -> str:
    saving = f" (saves ~{mb(f.saving_bytes)}, estimate)" if f.saving_bytes else ""
    if f.applied:
        status = "fix available" if dry else "fixed"
    elif f.ops and f.safety == "unsafe" and not f.note.startswith("not fixed"):
        status = f"unsafe fix, use --unsafe-fixes: {f.note}" if f.note != "an unsafe fix" else "unsafe fix, use --unsafe-fixes"
    elif f.note.startswith("not fixed"):
        status = f.note
    else:
        status = "report only"
    return redact(f"{path}:{f.line}:{f.col}: {f.rule} {f.package}: {f.message}{saving} [{status}]")


def diff(old: str, new: str, path: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def color_enabled(stream) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    import os

    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


_COLORS = {"+": "\x1b[32m", "-": "\x1b[31m", "@": "\x1b[36m", "#": "\x1b[33m"}
_RESET = "\x1b[0m"


def _paint(line: str, color: bool) -> str:
    if not color:
        return line
    key = "@" if line.startswith("@@") else line[:1]
    if line.startswith(("+++", "---")):
        return f"\x1b[1m{line.rstrip(chr(10))}{_RESET}\n"
    code = _COLORS.get(key)
    return f"{code}{line.rstrip(chr(10))}{_RESET}\n" if code else line


def review_diff(plan, path: str, *, color: bool = False) -> str:
    """The unified diff, each hunk followed by ``# RULE package: why (saving)`` for the changes in it."""
    text = redact(diff(plan.old_text, plan.new_text, path))
    hunks: list[list[str]] = []
    header: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("@@"):
            hunks.append([line])
        elif hunks:
            hunks[-1].append(line)
        else:
            header.append(line)
    spans = []
    for h in hunks:
        m = re.match(r"@@ -(\d+)(?:,(\d+))? \+", h[0])
        start = int(m.group(1))
        spans.append((start, start + int(m.group(2) or 1)))
    placed: list[list] = [[] for _ in hunks]
    for f in plan.applied:
        line = f.line
        best = min(range(len(hunks)), key=lambda i: 0 if spans[i][0] <= line < max(spans[i][1], spans[i][0] + 1)
                   else min(abs(line - spans[i][0]), abs(line - spans[i][1])) + 1) if hunks else None
        if best is not None:
            placed[best].append(f)
    out = [_paint(line, color) for line in header]
    for h, fs in zip(hunks, placed):
        out += [_paint(line, color) for line in h]
        for f in fs:
            saving = f" (saves ~{mb(f.saving_bytes)}, estimate)" if f.saving_bytes else ""
            out.append(_paint(redact(f"# {f.rule} {f.package}: {f.message}{saving}") + "\n", color))
    return "".join(out)


def markdown_summary(path: str, plan, *, dry: bool) -> str:
    """A summary of one file's findings sized for a pull-request comment."""
    def cell(s: str) -> str:
        return redact(s).replace("|", "\\|").replace("\n", " ")

    rows = []
    total = 0
    for f in plan.findings:
        status = ("due" if dry else "fixed") if f.applied else (f.note or "report only")
        saving = f"~{mb(f.saving_bytes)}" if f.saving_bytes else ""
        if f.applied and f.saving_bytes:
            total += f.saving_bytes
        rows.append(f"| `{f.rule}` | `{cell(f.package)}` | {cell(f.message)} | {saving} | {cell(status)} |")
    out = [f"### envslim: `{cell(path)}`", ""]
    if not rows:
        return "\n".join(out + ["Nothing to change.", ""]) + "\n"
    out += ["| rule | package | finding | est. saving | status |", "|---|---|---|---:|---|", *rows, ""]
    if total:
        out.append(f"**Estimated saving of the {'due' if dry else 'applied'} changes: ~{mb(total)}** "
                   "(estimates from the knowledge base; `envslim explain PACKAGE` shows each figure's source)")
        out.append("")
    if plan.changed:
        out += ["<details><summary>diff</summary>", "", "```diff", redact(diff(plan.old_text, plan.new_text, path)).rstrip("\n"),
                "```", "", "</details>", ""]
    return "\n".join(out) + "\n"
