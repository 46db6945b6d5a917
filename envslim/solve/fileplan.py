"""An environment file's plan, proven by solves: the adapter between the rewrite plan and the engine.

``prove(plan, settings) -> PlanProof`` solves the file before the rewrite and after it for every target
platform, and each outcome's fix alone (the file with only that fix applied), and gives each outcome with
a fix a :class:`~envslim.solve.verify.Verdict`, keyed by :func:`outcome_key` (rule, package, line: never
by object identity), and the solutions that verdict was measured against (``compared``: the fix alone, or
the whole rewrite). ``PlanProof.to_json()`` is the JSON the report adds under ``files[i]``: ``solved``
(first platform) and ``solved_platforms`` (every platform), each with ``before``/``after``
``packages[]`` (``manager``, ``name``, ``version``, ``build``, ``installed_bytes``), totals and
``attribution``; ``finding_fields(outcome)`` gives a finding's ``saving_bytes``, ``estimate``,
``verified`` and ``reason``; ``table_lines`` and ``markdown_lines`` its report text (``fmt`` formats a
byte count: the report's own formatter, so that there is one): the package table, the union of both sides,
one row per (manager, name): version, build and exact installed bytes before and after, ``-`` where the
side does not have it; then the totals, each requested spec's attribution (before), each finding's verdict
and measured saving, and the pip lines that could not be verified.

How a fix is judged: by its kind (:func:`fix_of`: read from the edits
it makes) with the rule of :func:`envslim.solve.verify.compare`: a *move* must take the package and its
private closure off the conda side, have pip bring it and save bytes; a *rename* must take the old
package off, bring the new one and save bytes; a *channel* fix, a *pin* or a *guard* must solve (its
saving is reported, not required). A fix found in a later round of the plan (made possible by another
fix) is proven with the whole rewrite.

Selectors (``# [linux]``, ``# [not win]``, ``# [linux and x86_64]``) are evaluated per platform; a
selector outside that small language keeps its line, with a note.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Callable

from envslim.solve.engine import EnvSpec, Settings
from envslim.solve.errors import SolveFailure, Unsolvable
from envslim.solve.model import Size, Solution
from envslim.solve.verify import Verdict, combine, compare, refused

__all__ = ["Adapter", "Fix", "PlanProof", "env_spec", "fix_of", "outcome_key", "prove"]

NO_FIX = "no fix to verify"


def outcome_key(o: Any) -> tuple[str, str, int]:
    """What names an outcome across plans of the same file: its rule, package and original line."""
    return (o.finding.rule, o.finding.package, o.line)


def _selector_names(platform: str) -> dict[str, bool]:
    os_, _, arch = platform.partition("-")
    return {
        "linux": os_ == "linux", "osx": os_ == "osx", "win": os_ == "win", "unix": os_ in ("linux", "osx"),
        "linux64": platform == "linux-64", "aarch64": arch == "aarch64", "arm64": arch == "arm64",
        "x86_64": arch == "64", "x86": arch in ("64", "32"), "ppc64le": arch == "ppc64le",
        "win64": platform == "win-64", "osx64": platform == "osx-64",
    }


def selected(selector: str | None, platform: str) -> bool | None:
    """True/False for a selector of names, ``and``, ``or``, ``not`` and parentheses; None otherwise."""
    if not selector:
        return True
    names = _selector_names(platform)
    try:
        tree = ast.parse(selector.strip(), mode="eval")
    except SyntaxError:
        return None

    def ev(node: ast.AST) -> bool:
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.BoolOp):
            vals = [ev(v) for v in node.values]
            return all(vals) if isinstance(node.op, ast.And) else any(vals)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not ev(node.operand)
        raise ValueError(node)

    try:
        return ev(tree.body)
    except ValueError:
        return None


def env_spec(env: Any, platform: str) -> EnvSpec:
    """The channels, conda specs and pip lines of an ``EnvFile`` for ``platform``."""
    def keep(item: Any) -> bool:
        return selected(item.selector, platform) is not False

    conda = tuple(i.text.strip() for i in env.deps if keep(i) and i.text.strip())
    pip = tuple(i.text.strip() for i in env.pip_items if isinstance(i.value, str) and keep(i))
    return EnvSpec(tuple(env.channel_names), conda, pip)


@dataclass(frozen=True)
class Fix:
    """What a finding's fix does, as :func:`~envslim.solve.verify.compare` judges it: its ``kind`` (one
    of ``verify.KINDS``), the ``package`` it is about and, for a rename, the ``new`` name (for a move,
    the PyPI name the pip line installs)."""

    kind: str
    package: str
    new: str = ""


def _line_name(text: str, pip: bool) -> str:
    from envslim.document.envfile import conda_sort_key, pip_sort_key

    return (pip_sort_key if pip else conda_sort_key)(text)


def fix_of(finding: Any, doc: Any) -> Fix:
    """The fix's kind, read from its edits in ``doc``: a channel line replaced or added is a channel fix; a
    dependency replaced by another name a rename; a conda line removed with a pip line added (or, for a rule
    whose registered fix is a move, with the pip line already there) a move; a line removed alone a drop;
    anything else (nomkl, numpy<2, pip) a guard or pin. (A rule's registered kind, ``Rule.fix``, is the kind
    of its usual fix; one rule can make several kinds, ES004 a rename or a drop, so the edits decide.)"""
    from envslim.document.edits import InsertChannel, InsertPip, RemoveItem, ReplaceValue

    ops = list(finding.ops)
    kinds = {type(op) for op in ops}
    channel_lines = {c.line for c in getattr(getattr(doc, "channels", None), "items", ())}
    pip_lines = {i.line for i in getattr(doc, "pip_items", ())}
    inserted = next((op.text for op in ops if isinstance(op, InsertPip)), "")
    new = ""
    kind = "guard"
    if InsertChannel in kinds or any(getattr(getattr(op, "item", None), "line", None) in channel_lines
                                     for op in ops if isinstance(op, (ReplaceValue, RemoveItem))):
        kind = "channel"
    elif RemoveItem in kinds and InsertPip in kinds:
        kind, new = "move", _line_name(inserted, True)
    elif ReplaceValue in kinds:
        for op in ops:
            if not isinstance(op, ReplaceValue):
                continue
            pip = op.item.line in pip_lines or getattr(getattr(op.item, "dep", None), "table", "") == "pypi-dependencies"
            if _line_name(op.text, pip) != _line_name(op.item.text, pip):
                kind, new = "rename", _line_name(op.text, pip)
                break
        else:
            kind = "pin"
    elif [type(op) for op in ops] == [RemoveItem]:
        kind = "move" if _registered_kind(finding.rule) == "move" else "drop"  # a move: the pip line is there
    return Fix(kind, finding.package, new)


def _registered_kind(rule_id: str) -> str:
    """The fix kind the rule registry records for ``rule_id`` (``register(..., fix=...)``), or ""."""
    from envslim.rules import REGISTRY

    rule = REGISTRY.get(rule_id)
    return (rule.fix or "") if rule is not None else ""


@dataclass
class PlanProof:
    platforms: list[str]
    before: dict[str, Solution]
    after: dict[str, Solution] | None
    after_failure: str = ""
    verdicts: dict[tuple[str, str, int], Verdict] = field(default_factory=dict)  # outcome_key -> verdict
    # outcome_key -> the solutions its verdict was measured against (the fix alone, or the whole rewrite)
    compared: dict[tuple[str, str, int], dict[str, Solution]] = field(default_factory=dict)

    def verdict(self, o: Any) -> Verdict | None:
        return self.verdicts.get(outcome_key(o))

    def finding_fields(self, o: Any) -> dict[str, object]:
        """An outcome's ``saving_bytes`` (measured), ``estimate``, ``verified`` and ``reason`` (the plan's
        reason, if any, then the solve's)."""
        v = self.verdict(o)
        if v is None:
            return {"saving_bytes": o.finding.saving_bytes, "estimate": True, "verified": False,
                    "reason": o.reason or (NO_FIX if not o.finding.ops else "not verified")}
        out: dict[str, object] = {"saving_bytes": v.saving.value, "estimate": v.saving.estimate,
                                  "verified": v.verified, "reason": "; ".join(r for r in (o.reason, v.reason) if r)}
        if v.effect is not None:  # beside the offline judgement's ``effect``: the same terms, solved
            out["solved_effect"] = v.effect.as_json()
        if v.saving.value is not None:
            out["source"] = (f"measured on {self.platforms[0]}: the file solved with and without this fix"
                             " (py-rattler, uv); installed bytes from info/paths.json and wheel central directories")
        return out

    def _side(self, sol: Solution | None) -> dict[str, object] | None:
        return None if sol is None else sol.to_json()

    def platform_json(self, platform: str) -> dict[str, object]:
        after = self.after[platform] if self.after else None
        out: dict[str, object] = {"platform": platform, "before": self._side(self.before[platform]),
                                  "after": self._side(after)}
        if self.after is None:
            out["after_failure"] = self.after_failure
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "solved": self.platform_json(self.platforms[0]),
            "solved_platforms": {p: self.platform_json(p) for p in self.platforms},
        }

    def table_lines(self, outcomes: list[Any], fmt: Any) -> list[str]:
        return _table_lines(self, outcomes, fmt)

    def markdown_lines(self, outcomes: list[Any], fmt: Any) -> list[str]:
        return _markdown_lines(self, outcomes, fmt)


class Adapter:
    """How :func:`prove` reads a document: ``spec(doc, platform) -> EnvSpec``, ``render(doc, ops)`` (one
    fix alone) and ``parse(text, doc)`` (the rewritten text as a document of the same kind). This one reads an environment file."""

    def spec(self, doc: Any, platform: str) -> EnvSpec:
        return env_spec(doc, platform)

    def render(self, doc: Any, ops: list[Any]) -> str:
        """The text with only ``ops`` applied (FixError or InputError: proven with the whole rewrite)."""
        return doc.render(ops)

    def parse(self, text: str, doc: Any) -> Any:
        return doc.reread(text)


def _specs_for(env: Any, settings: Settings) -> list[EnvSpec]:
    return [env_spec(env, t.platform) for t in settings.targets]


def prove(plan: Any, settings: Settings, *, outcomes: list[Any] | None = None,
          before: dict[str, Solution] | None = None, adapter: Any = None) -> PlanProof:
    """Solve before, after, and each fix alone (``outcomes``: those to judge, default every shown
    outcome with a fix). Raises :class:`SolveFailure` when the file as it is does not solve (or a network
    failure), which the command reports on one line with exit 2. ``before`` (from a lockfile) replaces
    the solve of the file as it is. ``adapter`` (a pixi manifest's, see :class:`Adapter`) reads the
    document's specs per platform and re-reads a rewritten text; the default reads an environment file."""
    from envslim.document.edits import FixError
    from envslim.errors import InputError

    env = plan.env
    adapter = adapter or Adapter()
    findings = [o for o in (plan.shown if outcomes is None else outcomes) if o.finding.ops]
    alone: list[tuple[Any, Any]] = []
    for o in findings:
        if o.round == 0:  # its operations are on the original text's items
            try:
                alone.append((o, adapter.parse(adapter.render(env, o.finding.ops), env)))
            except (FixError, InputError):  # proven with the whole rewrite instead
                continue
    after_env = adapter.parse(plan.new_text, env) if plan.changed else env
    platforms = [t.platform for t in settings.targets]
    # one run: before, after, then each fix alone; a spec per platform is solved for that platform only
    given = before
    jobs = ([] if given is not None else [env]) + [after_env] + [e for _, e in alone]
    results = _solve_per_platform(jobs, settings, adapter.spec)
    if given is not None:
        results.insert(0, given)
    before = results[0]
    if isinstance(before, SolveFailure):
        raise before
    after = results[1]
    proof = PlanProof(platforms, before, None if isinstance(after, SolveFailure) else after,
                      after.message if isinstance(after, SolveFailure) else "")
    for (o, _), result in zip(alone, results[2:]):
        proof.verdicts[outcome_key(o)] = _judge(o.finding, env, before, result, platforms)
        if not isinstance(result, SolveFailure):
            proof.compared[outcome_key(o)] = result
    for o in findings:
        if outcome_key(o) not in proof.verdicts:
            proof.verdicts[outcome_key(o)] = _judge(o.finding, env, before, after, platforms)
            if proof.after is not None:
                proof.compared[outcome_key(o)] = proof.after
    return proof


def _judge(f: Any, doc: Any, before: dict[str, Solution], result: Any, platforms: list[str]) -> Verdict:
    if isinstance(result, SolveFailure):
        return refused(result)
    fix = fix_of(f, doc)
    return combine([compare(before[p], result[p], fix.kind, fix.package, fix.new) for p in platforms])


def _solve_per_platform(envs: list[Any], settings: Settings, spec: Any = None) -> list[Any]:
    """Each document solved for every target, its spec taken per platform (``spec(doc, platform)``,
    default :func:`env_spec`: an environment file's selectors)."""
    spec = spec or env_spec
    import asyncio

    from envslim.solve.engine import Run

    async def one(run: Any, env: Any) -> Any:
        try:
            return {t.platform: await run.solve(spec(env, t.platform), t) for t in settings.targets}
        except Unsolvable as exc:  # a network failure is not a verdict: it ends the run
            return exc

    async def go() -> list[Any]:
        async with Run(settings) as run:  # the files are solved concurrently (rattler and uv overlap)
            return list(await asyncio.gather(*(one(run, env) for env in envs)))

    from envslim.solve.engine import run_solve

    return run_solve(go())


# -- the report's text for a proven plan -------------------------------------------------------------------


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


def _table_lines(proof: PlanProof, outcomes: list, fmt: Callable[[int | None], str]) -> list[str]:
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


def _markdown_lines(proof: PlanProof, outcomes: list, fmt: Callable[[int | None], str]) -> list[str]:
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
