"""The plan: the one record of what happened to each finding.

Takes a document and the options (config, suppressions, ``--unsafe-fixes``); runs the rules, decides
each finding's :class:`Outcome` and gives a :class:`Plan`: every finding with its outcome, the edits of
each applied fix in original-text offsets, and the new text. Renderers, the report, the lockfile check
and JSON read outcomes only: nothing joins results back by object identity or parses message text.

A fix can make another rule fire (adding ``numpy<2`` gives nomkl a BLAS user), so the rules run again
on the new text until nothing more is due. A later round's edits are in the offsets of its intermediate
text; an :class:`OffsetMap` per round carries them back to the original text.
"""

from __future__ import annotations

import bisect
import re
from enum import Enum  # (``re`` imports enum already: no cost on the hook path)

from envslim import knowledge
from envslim._record import dataclass, field, replace
from envslim.document.edits import Edit, FixError, InsertChannel, InsertConda, InsertPip, RemoveItem, ReplaceValue
from envslim.document.envfile import EnvFile, selector_of
from envslim.errors import EnvslimError, InputError
from envslim.knowledge.names import normalize
from envslim.rules import Context, Finding, all_rules

# ``ignore(ES001)`` is the same as ``ignore[ES001]``; conda-lock reads any ``[...]`` at the end of a
# comment as a platform selector and drops the line, so files locked with conda-lock need the parentheses.
_SUPPRESS_RE = re.compile(r"#\s*envslim:\s*(keep\b|ignore(?:\[([A-Za-z0-9_,\s-]+)\]|\(([A-Za-z0-9_,\s-]+)\)))", re.I)


class State(Enum):
    """What became of a finding. The values are the JSON report's ``outcome`` (README, "Report")."""

    APPLIED = "applied"  # the fix is in the new text
    UNSAFE = "unsafe"  # an unsafe fix, not applied without --unsafe-fixes
    SUPPRESSED = "suppressed"  # silenced by a comment or the config; never shown
    REFUSED = "refused"  # a fix that cannot be made safely; ``reason`` says why
    REPORT_ONLY = "report-only"  # the rule offers no fix


@dataclass(frozen=True)
class Change:
    """One operation of an applied fix, in the original text: ``start``-``end`` is the value of the item it
    removes or rewrites, or (``start == end``) where an insertion goes. ``section`` is "dependencies", "pip" or
    "channels"; ``old`` the line's value before, ``new`` after ("" for a removal)."""

    kind: str  # "remove" | "replace" | "insert-conda" | "insert-pip" | "insert-channel"
    section: str
    start: int
    end: int
    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class Outcome:
    finding: Finding
    state: State
    reason: str = ""  # REFUSED: why; UNSAFE: what the fix loses ("" if nothing); SUPPRESSED: by what
    line: int = 1  # 1-based line and column in the original text
    col: int = 1
    action: str = "report"  # what the fix does (rules.ACTIONS)
    changes: tuple[Change, ...] = ()  # an applied fix's operations, original-text offsets
    edits: tuple[Edit, ...] = ()  # an applied fix's edits, original-text offsets
    lines: frozenset[int] = frozenset()  # 1-based original lines the fix changes or inserts between
    round: int = 0  # 0: found in the original text; n: after n rounds of fixes

    @property
    def applied(self) -> bool:
        return self.state is State.APPLIED


@dataclass
class Options:
    unsafe_fixes: bool = False
    select: frozenset[str] = frozenset()  # rule ids; empty: all
    ignore: frozenset[str] = frozenset()
    extend_select: frozenset[str] = frozenset()  # rule ids added to the selection (the opt-in rules)
    keep: frozenset[str] = frozenset()  # package names never touched
    per_package_ignores: dict[str, frozenset[str]] = field(default_factory=dict)
    # (rule, normalised package) -> why its fix is refused: a REFUSED outcome, the fix not made (rewrite --verify)
    refused: dict[tuple[str, str], str] = field(default_factory=dict)
    annotate: bool = False  # leave "# envslim: <why>" on the lines a fix adds
    platform: str | None = None  # the platform the rules judge for (--platform, the config's); None: the file's own


@dataclass
class Plan:
    env: EnvFile
    outcomes: list[Outcome] = field(default_factory=list)
    old_text: str = ""
    new_text: str = ""
    offsets: OffsetMap | None = None  # maps offsets of new_text back to the text the outcomes are placed in

    @property
    def changed(self) -> bool:
        return self.new_text != self.old_text

    @property
    def applied(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.state is State.APPLIED]

    @property
    def shown(self) -> list[Outcome]:
        """The outcomes an output lists: all but the suppressed."""
        return [o for o in self.outcomes if o.state is not State.SUPPRESSED]


class OffsetMap:
    """Maps offsets of a text made by splicing ``edits`` into an older text back to the older text. An
    offset inside inserted text maps to the start of the edit (``end=True``: to its end)."""

    def __init__(self, edits: list[Edit], then: OffsetMap | None = None) -> None:
        self.then = then  # the map of the round before, to go on back to the original
        self.new_starts: list[int] = []
        self.edits = sorted(edits, key=lambda e: (e.start, e.end, e.seq))
        delta = 0
        for e in self.edits:
            self.new_starts.append(e.start + delta)
            delta += len(e.text) - (e.end - e.start)

    def back(self, pos: int, *, end: bool = False) -> int:
        i = bisect.bisect_right(self.new_starts, pos) - 1
        old = pos
        if i >= 0:
            e, at = self.edits[i], self.new_starts[i]
            if pos < at + len(e.text) or (pos == at + len(e.text) and end and e.text):
                old = e.end if end else e.start
            else:
                old = e.end + (pos - at - len(e.text))
        return self.then.back(old, end=end) if self.then is not None else old


def suppression(finding: Finding) -> str:
    """``# envslim: keep`` on a line silences every rule for it; ``# envslim: ignore[ES001,ES004]`` (or
    ``ignore(ES001,ES004)``) those. The comment that does, or ""."""
    if finding.item is None:
        return ""
    for m in _SUPPRESS_RE.finditer(finding.item.comment):
        ids = m.group(2) or m.group(3)
        if ids is None or finding.rule in {x.strip().upper() for x in ids.split(",")}:
            return m.group(0)
    return ""


def suppressed(finding: Finding) -> bool:
    return bool(suppression(finding))


MAX_ROUNDS = 4


def _channel_fix(env: EnvFile, f: Finding) -> bool:
    starts = {i.value_start for i in (env.channels.items if env.channels else ())}
    return bool(f.ops) and all(isinstance(op, InsertChannel)
                               or (isinstance(op, ReplaceValue) and op.item.value_start in starts) for op in f.ops)


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
                names[next(i for i, it in enumerate(items) if it.value_start == op.item.value_start)] = op.text
        changed = True
    return names if changed else None


def make_plan(env: EnvFile, options: Options | None = None, load=knowledge.load, *, original=None,
              back: OffsetMap | None = None) -> Plan:
    """Run the rules and apply their fixes, round after round until nothing more is due; the fixes
    applied in a later round are added to the plan with their edits mapped back to the original text.

    ``original`` and ``back`` place the outcomes in an older text than ``env``'s, which ``back`` maps
    ``env``'s offsets to (the scopes of a pixi manifest are planned one after another, each on the text
    the scope before it left: :func:`plan_document`)."""
    options = options or Options()
    original = original if original is not None else env
    plan = _rounds(env, options, load, original, back)
    if options.unsafe_fixes:
        plan = _label_enabled_fixes(plan, _rounds(env, replace(options, unsafe_fixes=False), load, original, back))
    return plan


def _label_enabled_fixes(plan: Plan, safe_plan: Plan) -> Plan:
    """A fix made possible by an unsafe fix is unsafe: a fix labelled safe that the safe-only plan does
    not make (an unsafe dask -> dask-core lifted the block on moving pyarrow) is relabelled."""
    safe = {(o.finding.rule, normalize(o.finding.package)) for o in safe_plan.applied}
    enablers = [o.finding for o in plan.applied if o.finding.safety == "unsafe"]
    if not enablers:
        return plan
    by = ", ".join(f"{f.rule} {f.package}" for f in enablers)
    outcomes = []
    for o in plan.outcomes:
        f = o.finding
        if o.applied and f.safety == "safe" and (f.rule, normalize(f.package)) not in safe:
            f = replace(f, safety="unsafe", note=f"made possible by an unsafe fix ({by})",
                        message=f.message + f"; an unsafe fix: made possible by {by}")
            o = replace(o, finding=f)
        outcomes.append(o)
    return replace(plan, outcomes=outcomes)


def _rounds(env: EnvFile, options: Options, load, original, back: OffsetMap | None) -> Plan:
    plan, offsets = _round(env, original, options, load, back, 0)
    current = plan
    for n in range(1, MAX_ROUNDS):
        if not current.changed:
            break
        current, offsets = _round(_reread(env, current.new_text), original, options, load, offsets, n)
        done = {(o.finding.rule, o.finding.package) for o in current.applied}  # a later fix replaces its report
        plan.outcomes = [o for o in plan.outcomes if o.applied or (o.finding.rule, o.finding.package) not in done]
        plan.outcomes += current.applied
        plan.new_text = current.new_text
    if plan.changed and current.changed:  # (an unchanged last round has read plan.new_text already)
        try:
            _reread(env, plan.new_text)
        except InputError as e:  # never write a file that no longer reads
            raise EnvslimError(f"{env.path}: envslim: internal error: the rewrite would not parse ({e.message});"
                               " nothing written") from None
    plan.offsets = offsets
    return plan


def _reread(env, text: str):
    """``text`` read in the format of ``env`` (a document, or a pixi manifest's scope view)."""
    return env.reread(text)


def selected(rule, options: Options) -> bool:
    """Whether ``rule`` runs: in ``select`` (or, when select is empty, in the default selection: every rule
    but the opt-in ones) or in ``extend_select``, and not in ``ignore``."""
    if rule.id in options.ignore:
        return False
    if rule.id in options.extend_select:
        return True
    if options.select:
        return rule.id in options.select
    return not rule.opt_in


class _Refusal(str):
    """Why a finding's fix is refused (``Options.refused``): left out as a suppressed one is, shown as refused."""


def _round(env: EnvFile, original: EnvFile, options: Options, load, back: OffsetMap | None,
           n: int) -> tuple[Plan, OffsetMap | None]:
    """One round: the rules on ``env`` (the original, or the text after ``n`` rounds of fixes, which
    ``back`` maps to the original), each finding's outcome, and the map of this round's edits."""
    ctx = Context(env=env, load=load, platform=options.platform)
    keep = {normalize(k) for k in options.keep}
    per_package = {normalize(k): v for k, v in options.per_package_ignores.items()}
    rules = [rule for rule in all_rules() if selected(rule, options) and env.format in rule.formats]

    def run(rules) -> list[tuple[Finding, str]]:
        out = []
        for rule in rules:
            for f in rule.check(ctx):
                package = normalize(f.package)
                why = suppression(f)
                if not why and package in keep:
                    why = "keep in the config"
                elif not why and f.rule in per_package.get(package, ()):
                    why = "per-package-ignores in the config"
                elif not why and (f.rule, package) in options.refused:
                    why = _Refusal(options.refused[(f.rule, package)])
                out.append((f, why))
        return out

    found = run(rules)
    final = _final_channels(env, [f for f, why in found if not why], options)
    if final is not None:  # rules see the channel set the plan will write (ES002 after ES007's nodefaults)
        channel_rules = {f.rule for f, _ in found if _channel_fix(env, f)}
        ctx.channels = final
        found = [p for p in found if p[0].rule in channel_rules] + run([r for r in rules if r.id not in channel_rules])
    found.sort(key=lambda p: (p[0].line, p[0].rule, p[0].package))
    place = _Placer(env, original, back)
    placed: dict[int, Outcome] = {}  # index in ``found`` -> outcome (a fix made with another one is decided last)
    ops_of: dict[int, list] = {}  # index in ``found`` -> the operations its applied fix adds, in the file's order
    touched: dict[int, str] = {}  # the value offset of an item a fix removes or rewrites -> that fix's rule
    made: set[tuple[str, str]] = set()  # (rule, package) of the fixes applied in this round

    def in_order(extra: dict) -> list:
        every = {**ops_of, **extra}
        return [op for i in sorted(every) for op in every[i]]

    def decide(i: int, f: Finding, why: str) -> Outcome:
        o = place.outcome(f, State.REPORT_ONLY, n, f.note)
        if why:
            return replace(o, state=State.REFUSED if isinstance(why, _Refusal) else State.SUPPRESSED, reason=str(why))
        if not f.ops or f.safety not in ("safe", "unsafe"):
            return replace(o, state=State.REFUSED, reason=f.refused) if f.refused else o
        if f.safety == "unsafe" and not options.unsafe_fixes:
            return replace(o, state=State.UNSAFE, reason=f.note)
        clash = [touched[op.item.value_start] for op in f.ops
                 if isinstance(op, (RemoveItem, ReplaceValue)) and op.item.value_start in touched]
        if clash:
            return replace(o, state=State.REFUSED, reason=f"the line is already changed by {clash[0]}")
        before = in_order({})
        new_ops = [_annotated(op, f) if options.annotate else op for op in f.ops if not _already(op, before)]
        try:
            env.edits(in_order({i: new_ops}))
        except FixError as e:
            return replace(o, state=State.REFUSED, reason=str(e))
        ops_of[i] = new_ops
        for op in new_ops:
            if isinstance(op, (RemoveItem, ReplaceValue)):
                touched[op.item.value_start] = f.rule
        made.add((f.rule, normalize(f.package)))
        return place.applied(o, new_ops)

    for i, (f, why) in enumerate(found):
        if not f.with_fix:
            placed[i] = decide(i, f, why)
    for i, (f, why) in enumerate(found):
        # made only with the fixes it is due with; without them it changes nothing and is left out
        if f.with_fix and all((r, normalize(p)) in made for r, p in f.with_fix):
            placed[i] = decide(i, f, why)
    outcomes = [placed[i] for i in sorted(placed)]
    ops = in_order({})
    old_text = env.bom + env.text
    plan = Plan(env=env, outcomes=outcomes, old_text=old_text, new_text=env.render(ops) if ops else old_text)
    return plan, (OffsetMap(env.edits(ops), back) if ops else back)


class _Placer:
    """Puts a finding of one round's document into the original text's coordinates."""

    def __init__(self, env: EnvFile, original: EnvFile, back: OffsetMap | None) -> None:
        self.env, self.original, self.back = env, original, back
        self.sections = {}
        for name, seq in (("channels", env.channels), ("pip", env.pip), ("dependencies", env.dependencies)):
            for i in seq.items if seq else ():
                self.sections.setdefault(i.value_start, name)

    def _orig(self, pos: int, *, end: bool = False) -> int:
        return self.back.back(pos, end=end) if self.back is not None else pos

    def outcome(self, f: Finding, state: State, n: int, reason: str) -> Outcome:
        line = col = 1
        if f.item is not None:
            at = self._orig(f.item.line_start)
            line = self.original.position(at)[0] + 1 if self.back is not None else f.line
            col = f.col
        return Outcome(f, state, reason, line, col, f.action or self.action(f.ops), round=n)

    def action(self, ops) -> str:
        """What a fix does, told from its operations when the rule did not say."""
        kinds = {type(op) for op in ops}
        if not kinds:
            return "report"
        if all(isinstance(op, InsertChannel) or self.sections.get(getattr(op, "item", None) and op.item.value_start)
               == "channels" for op in ops):
            return "edit-channels"
        if RemoveItem in kinds and InsertPip in kinds:
            return "move-to-pip"
        if ReplaceValue in kinds:
            return "replace"
        if RemoveItem in kinds:
            return "remove"
        if InsertConda in kinds or InsertPip in kinds:
            return "add"
        return "edit"

    def applied(self, o: Outcome, ops: list) -> Outcome:
        try:  # this fix's own edits (the plan checked them together with the fixes before it)
            own = self.env.edits(ops)
        except FixError:
            own = []
        changes = []
        for op in ops:
            if isinstance(op, (RemoveItem, ReplaceValue)):
                item = op.item
                changes.append(Change("remove" if isinstance(op, RemoveItem) else "replace",
                                      self.sections.get(item.value_start, "dependencies"),
                                      self._orig(item.value_start), self._orig(item.value_end, end=True), item.text,
                                      "" if isinstance(op, RemoveItem) else op.text))
        edits = tuple(Edit(self._orig(e.start), self._orig(e.end, end=True), e.text, e.seq) for e in own)
        inserts = [e for e in edits if e.start == e.end]
        for op in ops:
            kind = {InsertConda: "insert-conda", InsertPip: "insert-pip", InsertChannel: "insert-channel"}.get(type(op))
            if kind:
                at = next((e.start for e in inserts if op.text in e.text), inserts[0].start if inserts else 0)
                changes.append(Change(kind, {"insert-conda": "dependencies", "insert-pip": "pip"}.get(kind, "channels"),
                                      at, at, "", op.text))
        lines = {o.line}
        for e in edits:
            first = self.original.position(e.start)[0] + 1
            last = self.original.position(max(e.start, e.end - 1))[0] + 1
            lines.update(range(first, last + 1))
            if e.start == e.end:  # an insertion before line ``first``: it sits between first - 1 and first
                lines.add(first - 1)
        return replace(o, state=State.APPLIED, reason="", changes=tuple(changes), edits=edits, lines=frozenset(lines))


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
    if selector_of(comment) is not None:
        why = re.sub(r"\s*[()]\s*", lambda m: " " if m.group(0).strip() == "(" else "", why).strip()
    return f"  # envslim: {f.rule} {why}"


_NO_BRACKETS = str.maketrans("[]", "()")


def _already(op, ops: list) -> bool:
    """An insertion that an earlier fix already makes (two moves both adding ``pip``)."""
    if isinstance(op, (InsertConda, InsertPip, InsertChannel)):
        return any(type(o) is type(op) and o.text == op.text for o in ops)
    return False


def known_rules(select: frozenset[str], ignore: frozenset[str], extend: frozenset[str] = frozenset()) -> set[str]:
    """The known rule ids; an unknown id in ``select``, ``ignore`` or ``extend-select`` is an error."""
    known = {r.id for r in all_rules()}
    for rid in sorted(select | ignore | extend):
        if rid not in known:
            raise EnvslimError(f"envslim: error: unknown rule id {rid} (known: {', '.join(sorted(known))})")
    return known


def plan_file(path: str, opts, known: set[str], stdin=None):
    """Read one environment file (``stdin``, a binary stream, for ``-``) or pixi manifest
    (``envslim.document.open_document`` chooses) with its config, and plan it.
    ``opts`` carries ``config``, ``unsafe_fixes``, ``select``, ``ignore`` and ``annotate`` (a command's
    options record); the config adds its own. Gives ``(env, cfg, plan)``."""
    import os

    from envslim import config as configmod
    from envslim.document import open_document

    where = opts.config or (os.getcwd() if stdin is not None else os.path.dirname(path) or os.curdir)
    cfg = configmod.load(where, known, explicit=bool(opts.config))
    env = open_document(path, stdin)  # (NotPixiManifest for a pyproject.toml without [tool.pixi])
    return env, cfg, plan_document(env, plan_options(opts, cfg))


def plan_document(doc, options: Options | None = None, load=knowledge.load) -> Plan:
    """:func:`make_plan` for a document read whole (an environment file); for one whose rules run scope by
    scope (a pixi manifest: a feature and/or a target, or the default, its conda and PyPI tables seen as an
    environment file), each scope's fixes are spliced into the text the scope before it left, and every
    edit is read back before it is kept. Each scope's plan places its outcomes in the document's original
    text (``make_plan(original=, back=)``), so the record is the same as an environment file's: lines,
    edits and changes in original-text offsets. Rules that do not apply to the document's format
    (``Rule.formats``) do not run."""
    options = options or Options()
    scopes = doc.rule_scopes()
    if scopes is None:
        return make_plan(doc, options, load)
    plan = Plan(env=doc, old_text=doc.bom + doc.text)
    current, back = doc, None  # the text the scopes so far left, and the map of its offsets to the original
    for scope in scopes:
        view = doc.scope_view(scope, current)
        scoped = make_plan(view, options, load, original=doc, back=back)
        # (a package of another scope of the same environment is there for the rules to see, not to report)
        # (an applied fix whose finding is on such a package is kept: its edit is in the text)
        plan.outcomes += [o for o in scoped.outcomes if not getattr(o.finding.item, "context", False) or o.applied]
        if scoped.changed:
            current = current.reread(scoped.new_text)
            back = scoped.offsets
    plan.new_text = current.bom + current.text
    plan.offsets = back
    return plan


def plan_options(opts, cfg) -> Options:
    """The plan's options: a command's options record (see :func:`plan_file`) with the file's config. The
    platform the rules judge for is the command's first ``--platform``, else the config's where it names one
    other than the default, else (None) the file's own, as the report prices it."""
    from envslim.config import Config

    platform = getattr(opts, "platform", None) or (cfg.platform if cfg.platform != Config().platform else None)
    return Options(
        platform=platform,
        unsafe_fixes=opts.unsafe_fixes or cfg.unsafe_fixes,
        select=opts.select or cfg.select,
        ignore=opts.ignore | cfg.ignore,
        extend_select=opts.extend_select | cfg.extend_select,
        keep=cfg.keep,
        per_package_ignores=cfg.per_package_ignores,
        annotate=opts.annotate,
    )
