"""Text and markdown for a proven plan (``report --solve``); ``fmt`` formats a byte count (the
report's own formatter, so that there is one).

The package table is the union of both sides, one row per (manager, name): version, build and exact
installed bytes before and after, ``-`` where the side does not have it. Then the totals, each
requested spec's attribution (before), each finding's verdict and measured saving, and the pip lines
that could not be verified.
"""

from __future__ import annotations

from typing import Callable

from envslim.solve.model import Size, Solution

TYPE_CHECKING = False
if TYPE_CHECKING:
    from envslim.solve.fileplan import PlanProof

__all__ = ["markdown_lines", "table_lines"]


def _bytes(size: Size | None) -> str:
    if size is None:
        return "-"
    if size.value is None:
        return "unknown"
    return f"~{size.value:,} B" if size.estimate else f"{size.value:,} B"


def _total(sol: Solution | None, fmt: Callable[[int | None], str]) -> str:
    if sol is None:
        return "does not solve"
    size = sol.size
    n = len(sol.packages)
    pip = len(sol.pip())
    what = f"{n} packages" + (f" ({pip} pip)" if pip else "")
    if size.value is None:
        return f"{what}, size unknown"
    if size.estimate:
        return f"{what}, ~{fmt(size.value)} (estimate: {fmt(size.low)} to {fmt(size.high)})"
    return f"{what}, {fmt(size.value)} ({size.value:,} B)"


def _rows(before: Solution, after: Solution | None) -> list[tuple[str, ...]]:
    keys: dict[tuple[str, str], None] = {}
    for sol in (before, after):
        for p in sol.packages if sol else ():
            keys[(p.manager, p.name)] = None
    rows = []
    for manager, name in sorted(keys, key=lambda k: (k[0] != "conda", k[1])):
        b = before.find(name, manager)
        a = after.find(name, manager) if after else None
        rows.append((manager, name,
                     f"{b.version} {b.build}".strip() if b else "-", _bytes(b.size if b else None),
                     f"{a.version} {a.build}".strip() if a else "-", _bytes(a.size if a else None)))
    return rows


def _verdict_text(fields: dict[str, object], fmt: Callable[[int | None], str]) -> str:
    saving = fields["saving_bytes"]
    if fields["verified"]:
        measured = "unknown" if saving is None else f"{saving:,} B ({fmt(saving)})"
        return f"verified, measured saving {'~' if fields['estimate'] else ''}{measured}"
    return f"not verified: {fields['reason']}"


def table_lines(proof: PlanProof, outcomes: list, fmt: Callable[[int | None], str]) -> list[str]:
    lines: list[str] = []
    for platform in proof.platforms:
        before = proof.before[platform]
        after = proof.after[platform] if proof.after else None
        lines.append(f"solved for {platform} (py-rattler, uv): before {_total(before, fmt)}; "
                     f"after {_total(after, fmt)}")
        if proof.after is None:
            lines.append(f"  after the rewrite: {proof.after_failure}")
        cells = [("manager", "package", "before", "", "after", "")] + _rows(before, after)
        widths = [max(len(c[i]) for c in cells) for i in range(6)]
        lines += ["  " + "  ".join(c[i].ljust(widths[i]) for i in range(6)).rstrip() for c in cells]
        attribution = before.attribution()
        if attribution:
            lines.append("  attribution (before):")
            lines += ["    " + a.line(fmt) for a in attribution]
        for line, why in (after or before).not_verified:
            lines.append(f"  not verified: {line}: {why}")
        lines += [f"  note: {n}" for n in before.notes]
        estimated = sorted({p.size.how for p in before.packages + (after.packages if after else []) if p.size.how})
        lines += [f"  note: {how}" for how in estimated]
    if outcomes:
        lines.append("findings, proven by a solve:")
        for o in outcomes:
            lines.append(f"  {o.finding.rule} {o.finding.package}: {_verdict_text(proof.finding_fields(o), fmt)}")
    return lines


def markdown_lines(proof: PlanProof, outcomes: list, fmt: Callable[[int | None], str]) -> list[str]:
    from envslim.display import md_code  # (a package name from the file may hold backticks)

    def md(text: str) -> str:
        return text.replace("|", "\\|")

    out: list[str] = []
    for platform in proof.platforms:
        before = proof.before[platform]
        after = proof.after[platform] if proof.after else None
        out += [f"**Solved for {platform}:** before {_total(before, fmt)}; after {_total(after, fmt)}.", ""]
        out += ["| manager | package | before | | after | |", "|---|---|---|---:|---|---:|"]
        out += ["| " + " | ".join(md(c) for c in row) + " |" for row in _rows(before, after)]
        out.append("")
        out += [f"- {md(a.line(fmt))}" for a in before.attribution()]
        out.append("")
    if outcomes:
        out += [f"- `{o.finding.rule}` {md_code(o.finding.package)}: {md(_verdict_text(proof.finding_fields(o), fmt))}"
                for o in outcomes]
        out.append("")
    return out
