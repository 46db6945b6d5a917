"""The renderings of ``envslim report``: a text table, markdown for a pull-request comment, and JSON."""

from __future__ import annotations

import json

from envslim.display import mb, md_code, printable, redact
from envslim.output.rewrite import finding_dict, finding_line, status
from envslim.output.schema import SCHEMAS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from envslim.environment.report import Fig, FileReport, Row, Side


class _Refs:
    """Numbers for the figures a report cites, in order of first use."""

    def __init__(self) -> None:
        self.figs: list[tuple[str, Fig]] = []

    def ref(self, name: str, fig: Fig) -> int:
        for i, (_, f) in enumerate(self.figs):
            if f == fig:
                return i + 1
        self.figs.append((name, fig))
        return len(self.figs)


def _cell(side: Side | None, refs: _Refs) -> str:
    if side is None:
        return "-"
    if side.figure is None:
        return f"{side.manager} unknown"
    f = side.figure
    mark = " stand-in" if f.stand_in else " est." if f.estimate else ""
    return f"{side.manager} {mb(f.bytes)} {f.kind}{mark} [{refs.ref(side.name, f)}]"


def _fig_line(n: int, name: str, f: Fig) -> str:
    where = " ".join(x for x in (f.channel, f.kind, f.version, f.platform) if x)
    extra = f", {f.packages} packages" if f.packages else ""
    est = f", estimate {_span(f.lo, f.hi)}" if f.estimate else ""
    stand = f"; {f.stand_in}" if f.stand_in else ""
    if f.unknown:
        stand += f"; not counted, no figure for the target: {', '.join(f.unknown)}"
    url = f" <{f.url}>" if f.url else ""
    return f"[{n}] {name}: {f.bytes:,} B installed ({where}{extra}{est}{stand}); {f.source}{url} ({f.date})"


def _span(low: int, high: int) -> str:
    """A range, ``1.2 to 3.4 MB``; one figure where both ends print the same (``125.4 MB``)."""
    lo, hi = f"{low / 1e6:,.1f}", f"{high / 1e6:,.1f}"
    return f"{lo} MB" if lo == hi else f"{lo} to {hi} MB"


def _spread(low: int, high: int) -> bool:
    """Whether a range prints as two figures."""
    return mb(low) != mb(high)


def _parts(rep: FileReport, side: str) -> list[str]:
    """What the counted figures of one side need and have no figure for (a closure's members, a wheel's
    requirements): not counted, each once."""
    rows = {r.name for r in rep.rows if getattr(r, side) is not None}  # (a row without a figure counts itself)
    return sorted({u for r in rep.rows for s in (getattr(r, side),)
                   if s is not None and s.figure is not None for u in s.figure.unknown} - rows)


def _estimate(rep: FileReport) -> dict:
    t = rep.totals()
    (b, b_unknown, b_count), (a, a_unknown, a_count) = t["before"], t["after"]
    saving = rep.saving()
    unseen = rep.unseen_staying()
    estimated = any(s is not None and s.figure is not None and s.figure.estimate
                    for r in rep.rows for s in (r.before, r.after))
    d = {"before_bytes": b[0] if b else None, "after_bytes": a[0] if a else None,
         "saving_bytes": saving[0] if saving else None,
         "unknown_before": b_unknown, "unknown_after": a_unknown,
         "packages_before": b_count, "packages_after": a_count,
         "counted_before": b[3] if b else 0, "counted_after": a[3] if a else 0,
         "unknown_parts_before": _parts(rep, "before"), "unknown_parts_after": _parts(rep, "after"),
         "estimated": estimated, "left_out": [n for n in rep.left_out() if n not in rep.unpriced_changes()]}
    if unseen:  # the saving is unknown; the figures' difference, as far as the snapshot knows, is a bound
        bound = rep.saving_bound()
        d["unseen_staying"] = unseen
        if bound:
            d["saving_bound_bytes"], d["saving_bound_range"] = bound[0], [bound[1], bound[2]]
    unpriced = rep.unpriced_changes()
    if unpriced:  # a package the rewrite changes has no figure on a side: the saving is unknown, not a bound
        d["unpriced_changes"] = unpriced
    disagree = rep.disagreeing()
    if disagree:  # the snapshot's builds disagree on a name that stays: the saving is unknown, not a bound
        d["builds_disagree"] = disagree
    if estimated:
        if b:
            d["before_range"] = [b[1], b[2]]
        if a:
            d["after_range"] = [a[1], a[2]]
        if saving:
            d["saving_range"] = [saving[1], saving[2]]
    return d


def _totals_sentence(est: dict) -> str:
    out = (f"{est['unknown_before']} of {est['packages_before']} packages before and {est['unknown_after']} of"
           f" {est['packages_after']} after have no figure for the target and are not counted")
    before, after = est["unknown_parts_before"], est["unknown_parts_after"]
    segs = [", ".join(p for p in before if p in after),
            "before only: " + ", ".join(p for p in before if p not in after),
            "after only: " + ", ".join(p for p in after if p not in before)]
    segs = [x for x in segs if x and not x.endswith(": ")]
    if segs:
        out += f"; nor are the parts of counted figures that have none: {'; '.join(segs)}"
    if est["left_out"]:
        out += f"; the saving leaves out {', '.join(est['left_out'])} (known on one side only)"
    return out


def _saving_estimated(rep: FileReport) -> bool:
    """Whether a figure the saving counts is an estimate (a row with the same figure on both sides cancels)."""
    for r in rep.saving_rows():
        figs = [s.figure for s in (r.before, r.after) if s is not None]
        if not (len(figs) == 2 and figs[0] == figs[1]) and any(f.estimate for f in figs):
            return True
    return False


def _saving_text(est: dict, rep: FileReport) -> str:
    saving = est["saving_bytes"]
    unseen = est.get("unseen_staying")
    unpriced = est.get("unpriced_changes")
    if unpriced and not unseen:
        shown = ", ".join(unpriced[:3]) + (f" and {len(unpriced) - 3} more" if len(unpriced) > 3 else "")
        return f"saving unknown: {shown} {'has' if len(unpriced) == 1 else 'have'} no figure for the target on a side"
    disagree = est.get("builds_disagree")
    if disagree and not unseen:
        return f"saving unknown: the snapshot's builds disagree on {', '.join(disagree)} (--verify solves)"
    if unseen:
        shown = ", ".join(unseen[:3]) + (f" and {len(unseen) - 3} more" if len(unseen) > 3 else "")
        bound = est.get("saving_bound_bytes")
        return (f"saving unknown: {shown} {'stays and is' if len(unseen) == 1 else 'stay and are'} not in the"
                f" snapshot" + (f" (at most ~{mb(bound)} as far as it knows)" if bound and bound > 0 else ""))
    if not saving:
        return ""
    rng = est.get("saving_range")
    if rng and _spread(*rng):
        return f"saves ~{mb(saving)}, estimate {_span(*rng)}"
    return f"saves ~{mb(saving)}" + (", estimate" if _saving_estimated(rep) else "")


def _total_bytes(est: dict, side: str) -> str:
    """One side's total in bytes, with its range where it is an estimate that spreads (``1,234 B (1.0 to 1.5
    MB)``): the range the JSON report gives as ``before_range``/``after_range``."""
    n, rng = est[f"{side}_bytes"], est.get(f"{side}_range")
    if n is None:
        return "unknown"
    return f"{n:,} B ({_span(*rng)})" if rng and _spread(*rng) else f"{n:,} B"


def _total_mb(est: dict, side: str) -> str:
    """One side's total in MB, with its range where it is an estimate that spreads."""
    rng = est.get(f"{side}_range")
    return f"{mb(est[f'{side}_bytes'])} ({_span(*rng)})" if rng and _spread(*rng) else mb(est[f"{side}_bytes"])


def _unknown_count(est: dict, side: str) -> str:
    """The total's unknown parts on one side: the packages without a figure and what counted ones need
    without one (each once)."""
    return f"{est[f'unknown_{side}'] + len(est[f'unknown_parts_{side}'])} unknown"


def snapshot_line(rep: FileReport) -> str:
    """Where the offline conda figures come from: the graph snapshot and its date."""
    return (f"conda figures: the offline graph snapshot of {rep.snapshot} (depends and archive bytes from public"
            " lock files; installed bytes measured where a committed conda-meta has them, else estimated from the"
            " archive bytes, with a range), walked with the builds a solver would choose for the target")


CAVEAT = ("Totals are a union: each package counted once, priced for the target platform, Python and the"
          " file's versions; a figure marked est. is estimated (its range is given), stand-in is a figure of"
          " another Python's build or another version, named in its source line.")


def _status(o) -> str:
    """The report's wording of an outcome: rewrite's (``output.rewrite.status``), with "applied by rewrite"
    for a fix the rewrite makes."""
    return "applied by rewrite" if o.applied else status(o, dry=True)


NOT_SOLVED = "not verified: run with --solve"


def _finding_json(rep: FileReport, o) -> dict:
    """One finding of the JSON report, with ``estimate``, ``verified`` and ``reason``: what a solve proved
    (``--solve``: the measured ``saving_bytes``, its range when a size in it is estimated, and how it was
    measured as ``source``), or that none was run (the knowledge base's estimate stands)."""
    d = finding_dict(o, _status(o))
    if rep.proof is None:
        return {**d, "estimate": True, "verified": False, "reason": redact(o.reason or NOT_SOLVED)}
    v = rep.proof.verdict(o)
    if v is not None:
        d.pop("saving_range", None)
        if v.saving.estimate and v.saving.low is not None and v.saving.high is not None:
            d["saving_range"] = [v.saving.low, v.saving.high]
    fields = rep.proof.finding_fields(o)
    return {**d, **{k: redact(val) if isinstance(val, str) else val for k, val in fields.items()}}


def to_json(reports: list[FileReport]) -> str:
    files = []
    for rep in reports:
        d: dict = {
            "path": rep.path,
            "findings": [_finding_json(rep, o) for o in rep.plan.shown],
            "estimate": {**_estimate(rep), "note": CAVEAT},
            "target": {"python": rep.target.python, "python_from": rep.target.python_from,
                       "platform": rep.target.platform,
                       **({"platform_from": rep.target.platform_from} if rep.target.platform_from else {})},
            **({"snapshot": {"date": rep.snapshot, "note": snapshot_line(rep)}} if rep.snapshot else {}),
            "packages": [{"name": r.name, "before": r.before.as_dict() if r.before else None,
                          "after": r.after.as_dict() if r.after else None, "change": r.change,
                          "rules": r.rules, **({"implied": r.implied} if r.implied else {})} for r in rep.rows],
            **({"image": rep.image.as_dict()} if rep.image is not None else {}),
            "unknown": {"before": [r.name for r in rep.rows if r.before and r.before.figure is None],
                        "after": [r.name for r in rep.rows if r.after and r.after.figure is None]},
        }
        if rep.lock is not None:
            d["lockfile"] = {"path": rep.lock.path, "stale": rep.stale}
        if rep.proof is not None:
            d.update(rep.proof.to_json())
        files.append(d)
    return redact(json.dumps({"schema": SCHEMAS["report"], "files": files}, indent=2)) + "\n"  # every field, names of URL dependencies too


def _approx(t) -> str:
    if t is None:
        return "unknown"
    if not _spread(t[1], t[2]):  # one figure (the line says it is a modeled estimate)
        return f"~{mb(t[0])}"
    return f"~{mb(t[0])} ({_span(t[1], t[2])})"


# A target that is not Linux has no image to model: the base images (debian, distroless) are Linux ones.
NO_IMAGE = "image: not modeled for {platform} (the base images are Linux; --platform linux-64 models one)"


def image_line(m) -> str:
    """One line: the modeled image (``envslim.image.model``) before and after, with what it leaves out."""
    partial = []
    if m.unknown_before:
        partial.append(f"{m.unknown_before} before")
    if m.unknown_after:
        partial.append(f"{m.unknown_after} after")
    note = f"; partial: no figure for {' and '.join(partial)} package(s), not counted" if partial else ""
    if m.no_python:
        sides = " and ".join("before" if s == "before" else "after the rewrite" for s in m.no_python)
        note += f"; unknown {sides}: python itself has no figure for the target"
    # a side with packages not counted weighs more than its figure: at least that much (never as if they were zero)
    before = ("at least " if m.unknown_before and m.before is not None else "") + _approx(m.before)
    least = "at least " if m.unknown_after else ""

    def after(t) -> str:
        return (least if t is not None else "") + _approx(t)

    return (f"image (modeled, estimate): before {before}; after the rewrite {after(m.unpruned)},"
            f" with the default prune {after(m.after)} on {m.base_image} ({mb(m.base.bytes)}),"
            f" {after(m.distroless)} on distroless{note}")


def _change(rep: FileReport, r: Row) -> str:
    """The row's change, with the saving of the applied fix on its line: the finding's own figure and range
    (its effect on the environment), the one ``rewrite`` prints for it."""
    item = r.before.item if r.before is not None else None
    start = getattr(item, "value_start", None)
    from envslim.environment.report import own_first

    for o in (own_first(rep.rows, rep.plan.applied) if r.implied else rep.plan.applied):
        f = o.finding
        if f.rule not in r.rules or not (r.implied or (start is not None and f.item is not None
                                                        and f.item.value_start == start)):
            continue
        unpriced = [w for w, s in (("before", r.before), ("after", r.after)) if s is not None and s.figure is None]
        if f.saving_bytes and unpriced:
            # the table's environment (a lock's builds) has no figure on a side the fix changes: the saving here is
            # unknown, as the total says, whatever the finding's walk of the file without the lock priced
            return f"{r.change}: saving unknown: {r.name} has no figure for the target {unpriced[0]}"
        if f.saving_bytes:
            rng = f", {mb(f.saving_range[0])} to {mb(f.saving_range[1])}" if f.saving_range and _spread(*f.saving_range) else ""
            judged = f" (for {r.judged}, where the line is judged)" if r.judged else ""
            if rep.models and rep.models[0].pins:  # the table is the lock's builds; rewrite judges the file alone
                judged += " (rewrite's figure, for the file without its lock's builds)"
            return f"{r.change}: saves ~{mb(f.saving_bytes)}{rng}{judged}"
        if f.saving_bytes is None and f.effect is not None and (f.effect.leaving or f.effect.arriving):
            return f"{r.change}: saving unknown"  # (the finding's source says why; never left out as if nothing)
    return r.change


def _label(r: Row) -> str:
    return f"{r.name} (implied)" if r.implied else r.name


def _platform(t) -> str:
    return f"{t.platform} from {t.platform_from}" if getattr(t, "platform_from", "") else t.platform


def to_table(rep: FileReport) -> str:
    refs = _Refs()
    t = rep.target
    head = [f"{rep.path} (Python {t.python} from {t.python_from}, {_platform(t)})"]
    if not rep.rows:
        return "\n".join(head + ["no packages"]) + "\n"
    cells = [("package", "before", "after", "change")]
    cells += [tuple(printable(c) for c in (_label(r), _cell(r.before, refs), _cell(r.after, refs), _change(rep, r)))
              for r in rep.rows]
    est = _estimate(rep)
    cells.append(("total", f"{mb(est['before_bytes'])}, {_unknown_count(est, 'before')}",
                  f"{mb(est['after_bytes'])}, {_unknown_count(est, 'after')}", _saving_text(est, rep)))
    widths = [max(len(c[i]) for c in cells) for i in range(3)]
    lines = head + ["  " + "  ".join(c[i].ljust(widths[i]) for i in range(3)) + "  " + c[3] for c in cells]
    lines = [line.rstrip() for line in lines]
    lines.append(f"estimate: before {_total_bytes(est, 'before')}, after {_total_bytes(est, 'after')};"
                 f" {_totals_sentence(est)}")
    if rep.image is not None:
        lines.append(image_line(rep.image))
    elif not rep.target.platform.startswith("linux-"):
        lines.append(NO_IMAGE.format(platform=rep.target.platform))
    lines.append(CAVEAT)
    if rep.snapshot:
        lines.append(snapshot_line(rep))
    implied = [r for r in rep.rows if r.implied]
    for r in implied:
        lines.append(f"{r.name} (implied): {r.implied}")
    if refs.figs:
        lines.append("figures:")
        lines += ["  " + _fig_line(i + 1, name, f) for i, (name, f) in enumerate(refs.figs)]
    others = [o for o in rep.plan.shown if not o.applied]
    if others:
        lines.append("other findings:")
        lines += ["  " + finding_line(rep.path, o, dry=True) for o in others]
    if rep.proof is not None:
        lines += rep.proof.table_lines(rep.plan.shown, mb)
    return printable(redact("\n".join(lines))) + "\n"


def _md(text: str) -> str:
    return printable(redact(text)).replace("|", "\\|").replace("\n", " ")


def to_markdown(rep: FileReport) -> str:
    refs = _Refs()
    t = rep.target
    est = _estimate(rep)
    out = [f"### envslim report: {md_code(redact(rep.path))}", ""]
    if not rep.rows:
        return "\n".join(out + ["No packages.", ""]) + "\n"
    headline = f"**Estimated footprint: {_total_mb(est, 'before')} → {_total_mb(est, 'after')}**"
    if est["saving_bytes"] or est.get("unseen_staying") or est.get("unpriced_changes"):
        headline += f" ({_saving_text(est, rep)})"
    out += [f"{headline}; {_totals_sentence(est)}. Python {t.python} ({t.python_from}), {_platform(t)}.", ""]
    if rep.image is not None:
        out += [_md(image_line(rep.image)), ""]
    elif not rep.target.platform.startswith("linux-"):
        out += [_md(NO_IMAGE.format(platform=rep.target.platform)), ""]
    for line in rep.stale:
        out += [f"> **Lockfile {md_code(redact(rep.lock.path))} is stale after the rewrite:** {_md(line)}", ""]
    out += ["| package | before | after | change |", "|---|---|---|---|"]
    for r in rep.rows:
        name = f"{md_code(redact(r.name))} (implied)" if r.implied else md_code(redact(r.name))
        out.append(f"| {name} | {_md(_cell(r.before, refs))} | {_md(_cell(r.after, refs))} | {_md(_change(rep, r))} |")
    out.append(f"| **total** | **{mb(est['before_bytes'])}**, {_unknown_count(est, 'before')} | "
               f"**{mb(est['after_bytes'])}**, {_unknown_count(est, 'after')} | "
               f"{_saving_text(est, rep)} |")
    out.append("")
    others = [o for o in rep.plan.shown if not o.applied]
    if others:
        out += ["Not applied by `envslim rewrite`:", ""]
        out += [f"- `{o.finding.rule}` {md_code(redact(o.finding.package))}: {_md(o.finding.message)} ({_md(_status(o))})"
                for o in others]
        out.append("")
    out += ["<details><summary>figures and sources</summary>", ""]
    out += [f"{i + 1}. {_md(_fig_line(i + 1, name, f).split('] ', 1)[1])}" for i, (name, f) in enumerate(refs.figs)]
    out.append("")
    out += [f"{md_code(redact(r.name))} (implied): {_md(r.implied)}" for r in rep.rows if r.implied]
    out += ["", _md(CAVEAT)] + (["", _md(snapshot_line(rep))] if rep.snapshot else []) + ["", "</details>", ""]
    if rep.proof is not None:
        out += [printable(redact(line)) for line in rep.proof.markdown_lines(rep.plan.shown, mb)]
    return "\n".join(out) + "\n"


