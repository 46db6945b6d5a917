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
