"""Rules: small pure checks over an EnvFile and the knowledge base, registered by decorator.

Takes a :class:`Context` (the document and the knowledge loader); gives :class:`Finding` records. A rule
reads; it never writes, prints or touches the network. A Finding's ``ops`` say what text edit would fix
it, and ``safety`` whether that fix is applied by default ("safe"), only with ``--unsafe-fixes``
("unsafe"), or not at all (None: reported only). A rule that sees a fix it will not make says why in
``refused``. What then happens to each finding is the plan's :class:`envslim.plan.Outcome`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from envslim._record import dataclass
from envslim.document.edits import Op
from envslim.document.envfile import EnvFile, Item

# The rule modules, in id order. Imported on first use so that startup stays cheap.
RULE_MODULES = (
    "move_to_pip",
    "nomkl",
    "pip_dependency",
    "slim_variant",
    "numpy_abi",
    "duplicate",
    "defaults_channel",
    "runtime_only",
    "export_builds",
    "nomkl_guard",
)


@dataclass(frozen=True)
class Finding:
    """What a rule found; frozen: the plan records what became of it in an Outcome, never in here."""

    rule: str
    package: str
    message: str
    item: Item | None = None  # the line it is about (None: the file as a whole)
    ops: tuple[Op, ...] = ()
    safety: str | None = None  # "safe" | "unsafe" | None (no fix)
    saving_bytes: int | None = None
    saving_range: tuple[int, int] | None = None  # (low, high) when the saving is an estimate with a range
    source: str = ""  # how the saving was worked out, with the figures' sources
    note: str = ""  # what the fix loses (an unsafe fix), or why there is no fix (a report)
    refused: str = ""  # a fix the rule will not make, and why ("conflicting pin")
    action: str = ""  # what the fix does (ACTIONS); "" lets the plan tell it from the ops
    fix_title: str = ""  # a one-line title of the fix, e.g. "move pyarrow to pip"; "" for none
    guard: bool = False  # a fix that saves nothing where it is added (nomkl where MKL would not be installed)
    effect: object = None  # the fix's envslim.environment.effects.Effect on the whole environment (None: not judged)
    # the fixes (rule, package) it is due with: made only where they are made in the same round, else it has no
    # effect and is left out (numpy<2 beside a conda-forge pyarrow 15 is due only once ES001 makes it a wheel)
    with_fix: tuple[tuple[str, str], ...] = ()

    @property
    def line(self) -> int:
        return self.item.line + 1 if self.item else 1

    @property
    def col(self) -> int:
        return self.item.dash_col + 1 if self.item and self.item.dash_col >= 0 else 1


# What a fix does, as the JSON report's "action" says it.
ACTIONS = ("move-to-pip", "replace", "remove", "add", "edit-channels", "edit", "report")


@dataclass
class Context:
    env: EnvFile
    load: Callable  # knowledge.load
    channels: list | None = None  # the channel list after the plan's channel fixes (None: as written)
    platform: str | None = None  # the platform to judge for (--platform, the config's); None: the file's own

    def environment(self):
        """The file's :class:`envslim.environment.model.Environment` (its lines walked through the graph
        snapshot for its target, on the channels the plan will write), built on first use and shared by
        the rules of this document."""
        return self._model("environment", "from_document")

    def lines(self):
        """:meth:`environment` before its walk (``Environment.lines_of``): its target and the channel that
        serves a name, for a rule that needs only those (the walk is made only where a fix is judged)."""
        return self.env.memo.get(self._key("environment")) or self._model("lines", "lines_of")

    def platforms_apart(self) -> list[str]:
        """The other platforms the document's lines are installed on where a line of its environment is
        installed and not on the platform it is judged on (a pixi target table's): a fix must hold there too."""
        judged = self.lines().target.platform
        mine = getattr(self.env, "platforms", ())
        return sorted({p for item in self.env.deps for p in getattr(item, "only_on", ())
                       if p != judged and p in mine})

    def environment_on(self, platform: str):
        """:meth:`environment` judged on another of the document's platforms (:meth:`platforms_apart`)."""
        key = ("environment-on", platform) + self._key("environment")[1:]
        got = self.env.memo.get(key)
        if got is None:
            from envslim.environment.model import Environment, Target

            t = self.lines().target
            target = Target(platform, t.channels, t.python, "given")
            got = self.env.memo[key] = Environment.from_document(self.env, target)
        return got

    def given_platform(self) -> str | None:
        """The platform the options give the rules (``platform``) where this document's lines are installed on
        it: a pixi target table for another platform is judged on its own (None: the document's own)."""
        mine = getattr(self.env, "platforms", ())
        return self.platform if self.platform and (not mine or self.platform in mine) else None

    def _key(self, kind: str) -> tuple:
        return kind, tuple(self.channels) if self.channels is not None else None, self.given_platform()

    def _model(self, kind: str, make: str):
        key = self._key(kind)
        got = self.env.memo.get(key)
        if got is None:
            from envslim.environment.model import Environment

            doc = self.env if self.channels is None else _Channels(self.env, self.channels)
            target = None
            if self.given_platform():  # (else the file's own: build strings, platform-only packages, or linux-64)
                from envslim.environment.pricing import file_target

                target = file_target(doc, self.platform, None)
            got = self.env.memo[key] = getattr(Environment, make)(doc, target)
        return got


class _Channels:
    """A document seen with another channel list (the plan's, after its channel fixes)."""

    def __init__(self, doc, channels) -> None:
        self.deps, self.pip_items, self.channel_names = doc.deps, doc.pip_items, list(channels)
        self.platform = getattr(doc, "platform", None)  # (a pixi scope's: the platform it is judged on,
        self.python_line = getattr(doc, "python_line", None)  # and the python line of its environment)
        self.listed_platform = getattr(doc, "listed_platform", None)  # (an environment file's platforms: key)


# The kinds of fix a rule makes (``Rule.fix``): what its fix does to the environment.
FIX_KINDS = ("move", "rename", "drop", "pin", "channel")
# The document formats a rule can apply to (``envslim.document.Document.format``).
FORMATS = ("conda-env", "pixi")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    summary: str
    safety: str  # the safety of the rule's fixes: "safe", "unsafe", or "none"
    doc: str  # What it does / Why is this bad? / Example / Use instead / Fix safety
    check: Callable[[Context], Iterable[Finding]]
    fix: str | None = None  # FIX_KINDS: what its fix does; None: it reports only
    opt_in: bool = False  # like ruff's preview rules: runs only with --select / --extend-select
    formats: tuple[str, ...] = FORMATS  # the document formats whose premise the rule shares
    implies: tuple[str, str] | None = None  # (package, why): what an applied fix drops that the file does not name


REGISTRY: dict[str, Rule] = {}


def register(id: str, name: str, summary: str, safety: str, *, fix: str | None, opt_in: bool = False,
             formats: tuple[str, ...] = FORMATS, implies: tuple[str, str] | None = None):
    """Register ``check`` under ``id``; its docstring is the rule's documentation."""
    if fix is not None and fix not in FIX_KINDS:
        raise ValueError(f"{id}: unknown fix kind {fix!r}")
    if not set(formats) <= set(FORMATS):
        raise ValueError(f"{id}: unknown formats {formats!r}")

    def deco(check: Callable[[Context], Iterable[Finding]]):
        if id in REGISTRY:
            raise ValueError(f"duplicate rule id {id}")
        REGISTRY[id] = Rule(id, name, summary, safety, (check.__doc__ or "").strip("\n"), check, fix, opt_in,
                            tuple(formats), implies)
        return check

    return deco


def all_rules() -> list[Rule]:
    for mod in RULE_MODULES:
        importlib.import_module(f"envslim.rules.{mod}")
    return sorted(REGISTRY.values(), key=lambda r: r.id)


def by_ref(ref: str) -> Rule | None:
    """A rule by id (``ES001``) or name (``move-to-pip``)."""
    for rule in all_rules():
        if ref.upper() == rule.id or ref.lower() == rule.name:
            return rule
    return None
