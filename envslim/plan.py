"""Findings -> edits: run the rules, apply suppressions, choose the fixes, render the new text."""

from __future__ import annotations

import re

from envslim import knowledge
from envslim._record import dataclass, field, replace
from envslim.envfile import _SELECTOR_RE, EnvFile, FixError, InsertChannel, InsertConda, InsertPip, RemoveItem, ReplaceValue
from envslim.errors import EnvslimError, InputError
from envslim.names import normalize
from envslim.rules import Context, Finding, all_rules

# ``ignore(ES001)`` is the same as ``ignore[ES001]``; conda-lock reads any ``[...]`` at the end of a
# comment as a platform selector and drops the line, so files locked with conda-lock need the parentheses.
_SUPPRESS_RE = re.compile(r"#\s*envslim:\s*(keep\b|ignore(?:\[([A-Za-z0-9_,\s-]+)\]|\(([A-Za-z0-9_,\s-]+)\)))", re.I)


@dataclass
class Options:
    unsafe_fixes: bool = False
    select: frozenset[str] = frozenset()  # rule ids; empty: all
    ignore: frozenset[str] = frozenset()
    extend_select: frozenset[str] = frozenset()  # rule ids added to the selection (the opt-in rules)
    keep: frozenset[str] = frozenset()  # package names never touched
    per_package_ignores: dict[str, frozenset[str]] = field(default_factory=dict)
    annotate: bool = False  # leave "# envslim: <why>" on the lines a fix adds


@dataclass
class Plan:
    env: EnvFile
    findings: list[Finding] = field(default_factory=list)
    old_text: str = ""
    new_text: str = ""

    @property
    def changed(self) -> bool:
        return self.new_text != self.old_text

    @property
    def applied(self) -> list[Finding]:
        return [f for f in self.findings if f.applied]


def suppressed(finding: Finding) -> bool:
    """``# envslim: keep`` on a line silences every rule for it; ``# envslim: ignore[ES001,ES004]`` (or
    ``ignore(ES001,ES004)``) those."""
    if finding.item is None:
        return False
    for m in _SUPPRESS_RE.finditer(finding.item.comment):
        ids = m.group(2) or m.group(3)
        if ids is None:  # keep
            return True
        if finding.rule in {x.strip().upper() for x in ids.split(",")}:
            return True
    return False


MAX_ROUNDS = 4
OPT_IN = frozenset({"ES008", "ES009"})  # like ruff's preview rules: only with --select / --extend-select


def _channel_fix(env: EnvFile, f: Finding) -> bool:
    ids = {id(i) for i in (env.channels.items if env.channels else ())}
    return bool(f.ops) and all(isinstance(op, InsertChannel) or (isinstance(op, ReplaceValue) and id(op.item) in ids)
                               for op in f.ops)


def _final_channels(env: EnvFile, findings: list[Finding], options: Options) -> list[str] | None:
    """The channel names after the channel fixes this round applies, or None when there are none."""
    names = list(env.channel_names)
    items = list(env.channels.items) if env.channels else []
    changed = False
    for f in findings:
        if not _channel_fix(env, f) or (f.safety == "unsafe" and not options.unsafe_fixes) or f.safety is None:
            continue
        for op in f.ops:
            if isinstance(op, InsertChannel):
                names.append(op.text)
            else:
                names[next(i for i, it in enumerate(items) if it is op.item)] = op.text
        changed = True
    return names if changed else None


def make_plan(env: EnvFile, options: Options | None = None, load=knowledge.load) -> Plan:
    """Run the rules and apply their fixes. A fix can make another rule fire (adding ``numpy<2`` gives
    nomkl a BLAS user), so the rules run again on the new text until nothing more is due; findings
    fixed in a later round are added to the plan (their lines are those of the intermediate text)."""
    options = options or Options()
    plan = _rounds(env, options, load)
    if options.unsafe_fixes:
        _label_enabled_fixes(plan, _rounds(env, replace(options, unsafe_fixes=False), load))
    return plan


def _label_enabled_fixes(plan: Plan, safe_plan: Plan) -> None:
    """A fix made possible by an unsafe fix is unsafe: a fix labelled safe that the safe-only plan does
    not make (an unsafe dask -> dask-core lifted the block on moving pyarrow) is relabelled."""
    safe = {(f.rule, normalize(f.package)) for f in safe_plan.applied}
    enablers = [f for f in plan.applied if f.safety == "unsafe"]
    if not enablers:
        return
    by = ", ".join(f"{f.rule} {f.package}" for f in enablers)
    for f in plan.applied:
        if f.safety == "safe" and (f.rule, normalize(f.package)) not in safe:
            f.safety = "unsafe"
            f.note = f"made possible by an unsafe fix ({by})"
            f.message += f"; an unsafe fix: made possible by {by}"


def _rounds(env: EnvFile, options: Options, load) -> Plan:
    plan = current = _round(env, options, load)
    for _ in range(MAX_ROUNDS - 1):
        if not current.changed:
            break
        current = _round(EnvFile.from_text(current.new_text, env.path), options, load)
        done = {(f.rule, f.package) for f in current.applied}  # a later round's fix replaces its earlier report
        plan.findings = [f for f in plan.findings if f.applied or (f.rule, f.package) not in done]
        plan.findings += current.applied
        plan.new_text = current.new_text
    if plan.changed and current.changed:  # (an unchanged last round has read plan.new_text already)
        try:
            EnvFile.from_text(plan.new_text, env.path)
        except InputError as e:  # never write a file that no longer reads
            raise EnvslimError(f"{env.path}: envslim: internal error: the rewrite would not parse ({e.message});"
                               " nothing written") from None
    return plan


def selected(rule, options: Options) -> bool:
    """Whether ``rule`` runs: in ``select`` (or, when select is empty, in the default selection: every rule
    but the opt-in ones) or in ``extend_select``, and not in ``ignore``."""
    if rule.id in options.ignore:
        return False
    if rule.id in options.extend_select:
        return True
    if options.select:
        return rule.id in options.select
    return rule.id not in OPT_IN


def _round(env: EnvFile, options: Options, load) -> Plan:
    ctx = Context(env=env, load=load)
    keep = {normalize(k) for k in options.keep}
    per_package = {normalize(k): v for k, v in options.per_package_ignores.items()}
    rules = [rule for rule in all_rules() if selected(rule, options)]

    def run(rules) -> list[Finding]:
        out = []
        for rule in rules:
            for f in rule.check(ctx):
                package = normalize(f.package)
                if suppressed(f) or package in keep or f.rule in per_package.get(package, ()):
                    continue
                out.append(f)
        return out

    findings = run(rules)
    final = _final_channels(env, findings, options)
    if final is not None:  # rules see the channel set the plan will write (ES002 after ES007's nodefaults)
        channel_rules = {f.rule for f in findings if _channel_fix(env, f)}
        ctx.channels = final
        findings = [f for f in findings if f.rule in channel_rules] + run(
            [r for r in rules if r.id not in channel_rules])
    findings.sort(key=lambda f: (f.line, f.rule, f.package))
    plan = Plan(env=env, findings=findings, old_text=env.bom + env.text)
    ops: list = []
    touched: dict[int, str] = {}
    for f in findings:
        if not f.ops:
            continue
        if f.safety == "unsafe" and not options.unsafe_fixes:
            f.note = f.note or "an unsafe fix"
            continue
        if f.safety not in ("safe", "unsafe"):
            continue
        clash = [touched[id(op.item)] for op in f.ops if isinstance(op, (RemoveItem, ReplaceValue)) and id(op.item) in touched]
        if clash:
            f.note = f"not fixed: the line is already changed by {clash[0]}"
            continue
        new_ops = [_annotated(op, f) if options.annotate else op for op in f.ops if not _already(op, ops)]
        try:
            env.edits(ops + new_ops)
        except FixError as e:
            f.note = f"not fixed: {e}"
            continue
        ops += new_ops
        for op in new_ops:
            if isinstance(op, (RemoveItem, ReplaceValue)):
                touched[id(op.item)] = f.rule
        f.applied = True
    plan.new_text = env.render(ops) if ops else plan.old_text
    return plan


def _annotated(op, f: Finding):
    """``op`` leaving ``# envslim: RULE why`` at the end of its line. The note never holds brackets (tools
    would read ``[...]`` at the end of a line as a selector); after a selector comment (``# [linux]``) it
    holds no parentheses either, so that conda-lock and conda-build still see the selector."""
    if isinstance(op, (InsertConda, InsertPip, InsertChannel)):
        return replace(op, comment=op.comment + _note(f, op.comment))
    if isinstance(op, ReplaceValue):
        return replace(op, comment=_note(f, op.item.comment))
    return op


def _note(f: Finding, comment: str) -> str:
    why = f.message.translate(_NO_BRACKETS)
    if _SELECTOR_RE.search(comment):
        why = re.sub(r"\s*[()]\s*", lambda m: " " if m.group(0).strip() == "(" else "", why).strip()
    return f"  # envslim: {f.rule} {why}"


_NO_BRACKETS = str.maketrans("[]", "()")


def _already(op, ops: list) -> bool:
    """An insertion that an earlier fix already makes (two moves both adding ``pip``)."""
    if isinstance(op, (InsertConda, InsertPip, InsertChannel)):
        return any(type(o) is type(op) and o.text == op.text for o in ops)
    return False
