"""Locate the dependencies of a pixi manifest in its text, and splice edits into that text.

A pixi manifest is ``pixi.toml``, or ``pyproject.toml`` with its pixi tables under ``[tool.pixi]``.
Conda packages sit in ``[dependencies]``, PyPI packages in ``[pypi-dependencies]``, each also under
``[target.<platform>.…]``, ``[feature.<name>.…]`` and ``[feature.<name>.target.<platform>.…]``.

tomllib reads the document but gives no positions, so a small scanner walks the text (tomllib having
accepted it first) and records where every key, value, line, inline comment and table header is. The
scanner's reading is checked against tomllib's (:meth:`PixiManifest.check`). Edits are spans of the
original text; after splicing, the new text is read again with tomllib and the edit is kept only if the
document now reads as intended, and nothing else in it changed (Renovate's replace-then-verify).

The scanner and the located nodes are :mod:`pixi_scan`; this module is the manifest itself: the
operations on its dependencies, their edits and the re-read check; one scope as the rules see an
environment file (:class:`ScopeView`); one environment's lines (:class:`EnvironmentView`); and the
manifest (:class:`PixiManifest`). It imports nothing from envslim but the rest of the document layer
(edits, the text helpers, the TOML reader), the record decorator and the error types.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from envslim._record import dataclass, field
from envslim.document.edits import (
    Edit, FixError, InsertChannel, InsertConda, InsertPip, RemoveItem, ReplaceValue, splice,
)
from envslim.document.envfile import BOM, TextDocument, normalize
from envslim.document.platforms import judged_platform
from envslim.document.pixi_scan import (
    CONDA, DEP_TABLES, PYPI, WS, Channel, Dep, Header, Key, Pair, Scanner, Scope, copy_value, decode_string,
    dep_paths, dep_table, get_path,
)
from envslim.document.toml import load_toml, reader as _tomllib, toml_error
from envslim.errors import EnvslimError, InputError

__all__ = [
    "CONDA", "DEP_TABLES", "PYPI", "AddDep", "Channel", "Dep", "FixError", "Header", "ItemSeq", "Key",
    "NotPixiManifest", "Op", "Pair", "PixiItem", "PixiManifest", "RemoveDep", "Rename", "Scope", "ScopeView",
    "SetValue", "is_pixi_pyproject", "manifest_root", "scopes",
]


# -- operations, their edits and the re-read check -------------------------------------------------------
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_AFTER = 1 << 20  # the order of a new table among insertions at one offset: after the lines


@dataclass(frozen=True)
class RemoveDep:
    dep: Dep


@dataclass(frozen=True)
class Rename:
    """Swap the package name in place; the value (version, channel, …) stays."""

    dep: Dep
    name: str


@dataclass(frozen=True)
class SetValue:
    dep: Dep
    text: str  # the new value as TOML text
    comment: str = ""


@dataclass(frozen=True)
class AddDep:
    """Add ``name = "value"`` to the ``table`` of ``scope`` (created after its sibling table if absent)."""

    scope: Scope
    table: str
    name: str
    value: str
    comment: str = ""


Op = RemoveDep | Rename | SetValue | AddDep

# -- the edits of the operations ----------------------------------------------------------------
def manifest_edits(doc: "PixiManifest", ops: Iterable[Op]) -> list[Edit]:
    """The splice edits that make ``ops`` in ``doc`` (FixError for an entry envslim does not edit)."""
    ops = list(ops)
    removed = {op.dep.span for op in ops if isinstance(op, RemoveDep)}
    edits: list[Edit] = []
    adds: dict[tuple[Scope, str], list[AddDep]] = {}
    for op in ops:
        if isinstance(op, RemoveDep):
            _check(op.dep)
            edits.append(Edit(op.dep.pair.line_start, op.dep.pair.line_end, ""))
        elif isinstance(op, Rename):
            _check(op.dep)
            edits.append(Edit(op.dep.pair.key.start, op.dep.pair.key.end, _key(op.name)))
        elif isinstance(op, SetValue):
            _check(op.dep)
            edits.append(Edit(op.dep.pair.value_start, op.dep.pair.value_end, op.text))
            if op.comment:
                end = op.dep.pair.line_end - len(op.dep.pair.eol)
                edits.append(Edit(end, end, op.comment))
        elif isinstance(op, AddDep):
            adds.setdefault((op.scope, op.table), []).append(op)
        else:
            raise TypeError(op)
    for (scope, table), new in adds.items():
        edits += _add(doc, scope, table, new, removed)
    return edits


def _check(dep: Dep) -> None:
    if not dep.editable:
        raise FixError(f"line {dep.line + 1}: {dep.why_not}")


def _add(doc: "PixiManifest", scope: Scope, table: str, new: list[AddDep], removed: set[tuple[int, int]]) -> list[Edit]:
    siblings = [d for d in doc.deps_in(scope, table) if d.editable]
    live = [d for d in siblings if d.span not in removed]
    existing = {normalize(d.name) for d in doc.deps_in(scope, table)}
    for op in new:
        if normalize(op.name) in existing:
            raise FixError(f"'{op.name}' is already in [{'.'.join(doc.table_path(scope, table))}]")
    header = doc.header_of(scope, table)
    if doc.deps_in(scope, table) and header is None:
        raise FixError(f"[{'.'.join(doc.table_path(scope, table))}] is written as dotted keys or an inline table")
    other = "dependencies" if table != "dependencies" else "pypi-dependencies"
    models = live or siblings or [d for d in doc.deps_in(scope, other) if d.editable]
    quote = next((d.quote for d in siblings + doc.deps_in(scope, other) if d.quote), '"')
    sep = _common_sep(doc, models)
    out: list[Edit] = []
    if header is not None:
        anchor_end = (live[-1].pair.line_end if live else header.line_end)
        keys = [d.name.lower() for d in live]
        is_sorted = len(keys) > 1 and keys == sorted(keys)
        ordered = sorted(new, key=lambda op: op.name.lower()) if is_sorted else new
        eol = (live[-1].pair.eol if live else header.eol) or doc.eol
        for seq, op in enumerate(ordered):
            line = _key(op.name) + sep + _string(op.value, quote) + op.comment
            target = next((d for d in live if d.name.lower() > op.name.lower()), None) if is_sorted else None
            if target is not None:
                at = doc.above_comments(target.pair.line)
                out.append(Edit(at, at, line + (target.pair.eol or doc.eol), seq))
            elif doc.text[anchor_end - 1:anchor_end] == "\n" or anchor_end == 0:
                out.append(Edit(anchor_end, anchor_end, line + eol, seq))
            else:
                out.append(Edit(anchor_end, anchor_end, doc.eol + line, seq))
        return out
    # no such table: create it after the scope's conda table (or, for a conda pin, its PyPI table)
    base = doc.header_of(scope, other)
    if base is None:
        raise FixError(f"no [{'.'.join(doc.table_path(scope, other))}] table to place "
                       f"[{'.'.join(doc.table_path(scope, table))}] beside")
    base_deps = [d for d in doc.deps_in(scope, other) if d.pair.header is not None and d.pair.header.line_start == base.line_start]
    live_base = [d for d in base_deps if d.span not in removed]
    anchor = live_base[-1].pair if live_base else None
    anchor_end = anchor.line_end if anchor else base.line_end
    eol = (anchor.eol if anchor else base.eol) or doc.eol
    raw = doc.text[base.key.start:base.key.end]
    last = raw.rfind(".")
    head = raw[: last + 1] if last >= 0 else ""
    if last >= 0 and _raw_last_part(raw) != _key(other):
        raise FixError(f"line {base.line + 1}: the table header is written in a form envslim does not extend")
    lines = [f"[{head}{_key(table)}]"]
    for op in sorted(new, key=lambda op: op.name.lower()):
        lines.append(_key(op.name) + sep + _string(op.value, quote) + op.comment)
    block = eol + eol.join(lines)
    # (after any line added to the table it follows, at the same offset)
    if doc.text[anchor_end - 1:anchor_end] == "\n":
        return [Edit(anchor_end, anchor_end, block + eol, _AFTER)]
    return [Edit(anchor_end, anchor_end, eol + block, _AFTER)]


def verify_text(doc: "PixiManifest", new_text: str, ops: list[Op]) -> None:
    """Renovate's rule: read the new text with tomllib; it must equal the old reading with exactly
    the changes the ops ask for, and locate again."""
    tomllib = _tomllib()
    try:
        got = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as e:
        raise FixError(f"the edit would not read as TOML ({toml_error(doc.path, new_text, e).message})") from None
    want = copy_value(doc.data)
    for op in ops:
        if isinstance(op, RemoveDep):
            del get_path(want, op.dep.path)[op.dep.name]
        elif isinstance(op, Rename):
            table = get_path(want, op.dep.path)
            table[op.name] = table.pop(op.dep.name)
        elif isinstance(op, SetValue):
            get_path(want, op.dep.path)[op.dep.name] = decode_string(op.text)
        elif isinstance(op, AddDep):
            table = want
            for part in doc.table_path(op.scope, op.table):
                table = table.setdefault(part, {})
            table[op.name] = op.value
    if got != want:
        raise FixError("the edit does not read back as intended; nothing changed")
    try:
        type(doc).from_text(new_text, doc.path, root=doc.root)
    except InputError as e:
        raise FixError(f"the edited manifest would not read ({e.message})") from None



# -- spelling --------------------------------------------------------------------------------------
def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _raw_last_part(raw: str) -> str:
    last = raw.rfind(".")
    return raw[last + 1:].strip(WS)


def _string(value: str, quote: str) -> str:
    if any(ord(c) < 0x20 or c == "\x7f" for c in value):
        raise FixError(f"'{value!r}' holds control characters")
    if quote == "'" and "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _common_sep(doc: "PixiManifest", deps: list[Dep]) -> str:
    """The spacing around ``=`` that the table's entries share (`` = `` when they differ)."""
    seps = {doc.text[d.pair.key.end:d.pair.value_start] for d in deps}
    return seps.pop() if len(seps) == 1 else " = "


# -- the rules' view of one scope -------------------------------------------------------------------
# The rules read an environment file's shape: conda lines (``deps``), pip lines (``pip_items``), channels,
# and ask for edits as envfile ops. A ScopeView presents one scope of a manifest that way: its conda
# table's entries as conda spec lines, its PyPI table's entries as PEP 508 lines, and it turns the
# envfile ops the rules return into edits of the pixi tables of that scope.
_NAME_RE = re.compile(r"\s*([A-Za-z0-9_][A-Za-z0-9_.+-]*)\s*(.*?)\s*\Z", re.S)
_BARE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*")


@dataclass
class PixiItem:
    """A dependency (or channel) as the rules see an environment file's line."""

    value: str  # a conda spec (conda table), a PEP 508 requirement (PyPI table), or a channel name
    line: int
    col: int
    dash_col: int
    comment: str
    eol: str
    editable: bool
    why_not: str
    dep: Dep | None = None
    quote: str = ""
    context: bool = False  # a package of another scope of the same environment, shown read-only
    partial: bool = False  # (context) not installed everywhere this scope's lines are (ScopeView)
    only_on: tuple[str, ...] = ()  # (context) the platforms it is installed on, where not on all of them
    line_start: int = 0  # offsets in the text (without BOM), as an environment file's Item has them
    line_end: int = 0
    value_start: int = 0
    value_end: int = 0

    @property
    def text(self) -> str:
        return self.value

    @property
    def selector(self) -> str | None:
        return None  # pixi has no line selectors: a target table is a scope of its own


@dataclass
class ItemSeq:
    items: list[PixiItem]
    flow: bool = False


def _pep508(dep: Dep) -> str | None:
    """A PyPI table entry as a PEP 508 requirement (None for path, git and url entries)."""
    value = dep.value
    extras = ""
    if isinstance(value, dict):
        if {"path", "git", "url"} & set(value):
            return None
        if value.get("extras"):
            extras = "[" + ",".join(str(e) for e in value["extras"]) + "]"
        value = value.get("version", "*")
    spec = str(value).strip()
    return dep.name + extras + ("" if spec in ("", "*") else spec)


class ScopeView:
    """One scope of a pixi manifest in the shape of :class:`envslim.document.envfile.EnvFile`."""

    format = "pixi"

    def __init__(self, manifest: "PixiManifest", scope: Scope, published: set[str] = frozenset(),
                 context: bool = True) -> None:
        self.manifest = manifest
        self.scope = scope
        self.published = published  # normalised names in a pyproject's [project].dependencies
        self.has_context = context
        self.path = manifest.path
        self.text = manifest.text
        self.bom = manifest.bom
        self.line_starts = manifest.line_starts
        self.name = None
        self.pip_item = None
        # pixi's system-requirements: a CUDA version there says the environment is for a GPU
        where = manifest.root + (("feature", scope.feature) if scope.feature else ()) + ("system-requirements",)
        reqs = manifest.data
        for part in where:
            reqs = reqs.get(part) if isinstance(reqs, dict) else None
        self.cuda_requirement = str(reqs.get("cuda", "")) if isinstance(reqs, dict) else ""
        # the environments this scope's lines are installed in, each with the CUDA version its features ask for
        # and the feature that asks ("" and None: pixi solves it without the __cuda virtual package)
        self.environment_cuda = manifest.environment_cuda(scope.feature)
        conda = []
        for d in manifest.deps_in(scope, "dependencies"):
            spec = d.conda_spec()
            if spec is None:
                continue
            item = self.item_of(d, spec)
            if normalize(d.name) in published:
                item.editable = False
                item.why_not = "also in [project].dependencies (the published package's metadata): move it by hand"
            conda.append(item)
        # the platforms the workspace (and this scope's feature) is solved for: a rename must exist on each
        self.target_platforms = manifest.platforms_of(scope.feature)
        # the platforms this scope's lines are installed on, and the one its environment is judged on
        self.platforms = manifest.scope_platforms(scope)
        self.platform = judged_platform(self.platforms)
        # the environment its lines are judged in (the default one where it has them, else the first that
        # does) and the python line pixi uses there: a feature in environments of several pythons is priced
        # for one of them, named, never for a python none of them has
        self.judged_environment = manifest.judged_environment(scope.feature)
        self.python_line = manifest.python_line(self.judged_environment, self.platform) if self.judged_environment else None
        # The conda packages of the scopes this one shares an environment with, read-only: a package there
        # that pulls one of ours back blocks its move (rules see them; their findings are not this scope's).
        # One that is not installed wherever this scope's lines are (another feature's, where an environment
        # has this scope without it; another target's) is ``partial``: it blocks, it never stands in for ours.
        for d in (manifest.neighbours(scope) if context else []):
            spec = d.conda_spec()
            if spec is not None:
                item = self.item_of(d, spec)
                item.editable, item.why_not, item.context = False, f"in the [{'.'.join(d.path)}] table", True
                item.partial = not manifest.always_with(d.scope, scope, self.platforms)
                theirs = manifest.scope_platforms(d.scope)
                if theirs and not set(self.platforms) <= set(theirs):
                    item.only_on = theirs
                elif d.scope.target is not None and not theirs:
                    item.only_on = (d.scope.target,)
                conda.append(item)
        pip = []
        for d in manifest.deps_in(scope, "pypi-dependencies"):
            req = _pep508(d)
            if req is not None:
                pip.append(self.item_of(d, req))
        self.dependencies = ItemSeq(conda)
        self.pip = ItemSeq(pip) if pip else None
        chans = manifest.channels_of(scope.feature) if scope.feature else []
        chans = chans + [c for c in manifest.channels_of() if c.name not in {c.name for c in chans}]
        self.channels = ItemSeq([self._channel(c) for c in chans])
        self.memo: dict = {}  # what readers work out once per document (rules.common)

    @staticmethod
    def item_of(d: Dep, value: str) -> PixiItem:
        # (dash_col is where a finding's column points: the key)
        p = d.pair
        return PixiItem(value, d.line, p.col, p.col, d.comment, p.eol, d.editable, d.why_not, d, d.quote,
                        line_start=p.line_start, line_end=p.line_end, value_start=p.value_start, value_end=p.value_end)

    def _channel(self, c: Channel) -> PixiItem:
        start = self.line_starts[c.line]
        return PixiItem(c.name, c.line, c.start - start, -1, "", "", False, "channels of a pixi manifest are not edited",
                        line_start=start, line_end=start, value_start=c.start, value_end=c.end)

    def reread(self, text: str) -> "ScopeView":
        return ScopeView(type(self.manifest).from_text(text, self.path, root=self.manifest.root), self.scope, self.published,
                         self.has_context)

    # the EnvFile queries the rules use
    @property
    def deps(self) -> list[PixiItem]:
        return list(self.dependencies.items)

    @property
    def pip_items(self) -> list[PixiItem]:
        return list(self.pip.items) if self.pip else []

    @property
    def has_pip_section(self) -> bool:
        return False  # PyPI packages are installed by pixi (with uv): no pip package needed

    @property
    def channel_names(self) -> list[str]:
        return [i.text for i in self.channels.items]

    @property
    def eol(self) -> str:
        return self.manifest.eol

    def position(self, offset: int) -> tuple[int, int]:
        return self.manifest.position(offset)

    def pixi_ops(self, ops: Iterable) -> list[Op]:
        """The envfile ops of a fix as edits of this scope's tables (FixError when one has no pixi form)."""
        out: list[Op] = []
        for op in ops:
            if isinstance(op, RemoveItem):
                out.append(RemoveDep(self._dep(op.item)))
            elif isinstance(op, ReplaceValue):
                dep = self._dep(op.item)
                rest = op.item.value[len(dep.name):]
                head = op.text[: len(op.text) - len(rest)] if op.text.endswith(rest) else ""
                if head and _BARE_NAME.fullmatch(head):  # the name changes, the rest of the spec stays
                    name, version = head, None
                elif dep.kind == PYPI:
                    raise FixError(f"line {dep.line + 1}: only the name of a PyPI entry is rewritten")
                else:
                    name, version = _split(op.text)
                if name != dep.name:
                    if isinstance(dep.value, dict) and "channel" in dep.value:
                        raise FixError(f"line {dep.line + 1}: the entry names its own channel; not renamed")
                    out.append(Rename(dep, name))
                if version is not None and version != (_split(op.item.value)[1] or "*"):
                    if not isinstance(dep.value, str):
                        raise FixError(f"line {dep.line + 1}: the entry is an inline table; its version is not rewritten")
                    out.append(SetValue(dep, _string(version or "*", dep.quote or '"'), op.comment))
                elif op.comment:
                    out.append(SetValue(dep, dep.text, op.comment))
            elif isinstance(op, InsertConda):
                name, version = _split(op.text)
                if name == "pip":
                    continue  # pixi installs PyPI packages itself
                out.append(AddDep(self.scope, "dependencies", name, version or "*", op.comment))
            elif isinstance(op, InsertPip):
                name, version = _split(op.text)
                if re.search(r"[\[;@]", op.text):
                    raise FixError(f"'{op.text}' has extras, markers or a URL: not written as a pixi entry")
                out.append(AddDep(self.scope, "pypi-dependencies", name, version or "*", op.comment))
            elif isinstance(op, InsertChannel):
                raise FixError("channels of a pixi manifest are not edited")
            else:
                raise TypeError(op)
        return out

    @staticmethod
    def _dep(item) -> Dep:
        if not isinstance(item, PixiItem) or item.dep is None:
            raise FixError("the entry is not a dependency of this manifest")
        if not item.editable:
            raise FixError(f"line {item.line + 1}: {item.why_not}")
        return item.dep

    def edits(self, ops: Iterable) -> list[Edit]:
        """The edits of ``ops``, spliced and read back first: FixError if they would not read as intended."""
        pixi = self.pixi_ops(ops)
        edits = self.manifest.edits(pixi)
        self.manifest.verify(splice(self.text, edits), pixi)
        return edits

    def render(self, ops: Iterable) -> str:
        return self.manifest.render(self.pixi_ops(ops))


def _split(text: str) -> tuple[str, str]:
    """``"numpy >=1,<2"`` -> ``("numpy", ">=1,<2")``; a build string or channel has no pixi string form."""
    if "::" in text or "[" in text:
        raise FixError(f"'{text}' has a channel or bracket fields: not written as a pixi entry")
    m = _NAME_RE.match(text)
    if not m:
        raise FixError(f"'{text}' is not a package name with a version")
    version = m.group(2).replace(" ", "")
    if re.search(r"\s", m.group(2).strip()) and not re.fullmatch(r"[<>=!~]=?\s*\S+", m.group(2).strip()):
        raise FixError(f"'{text}' has a build string: not written as a pixi entry")
    if version.startswith("=") and not version.startswith("=="):
        version = version[1:] + ("" if version.endswith("*") else ".*")  # conda's name=1.2 means 1.2.*
    return m.group(1), version


def scopes(manifest: PixiManifest) -> list[Scope]:
    """The scopes that have a conda or PyPI table, in the order they first appear."""
    seen: list[Scope] = []
    for d in manifest.deps:
        if d.table in ("dependencies", "pypi-dependencies") and d.scope not in seen:
            seen.append(d.scope)
    return seen


def _apart(other: Scope, scope: Scope, platforms: tuple[str, ...]) -> bool:
    """Whether ``other``'s lines are never installed on a platform ``scope``'s are (two targets of no common
    platform: ``[target.win-64]`` and ``[target.osx-arm64]``)."""
    if other.target is None or scope.target is None or other.target == scope.target:
        return False
    if platforms:
        return not any(_targets(other.target, p) for p in platforms)
    return "-" in other.target and "-" in scope.target  # (two platforms; selectors may overlap)


# -- one environment's lines -----------------------------------------------------------------------
# A target selector of pixi other than a platform: the platforms it covers (by the subdir's family).
_SELECTORS = {"unix": ("linux", "osx"), "linux": ("linux",), "osx": ("osx",), "win": ("win",)}


def _targets(target: str | None, platform: str) -> bool:
    """True when a dependency of ``target`` (None: every platform) is installed on ``platform``."""
    return target is None or target == platform or platform.split("-")[0] in _SELECTORS.get(target, ())


def scope_platforms(scope: Scope, platforms: tuple[str, ...]) -> tuple[str, ...]:
    """The platforms of ``platforms`` (the manifest's) a scope's lines are installed on; a target platform
    the manifest does not list is its own (pixi warns and skips it); () when the manifest lists none."""
    mine = tuple(p for p in platforms if _targets(scope.target, p))
    if not mine and scope.target is not None and "-" in scope.target:
        return (scope.target,)
    return mine


class EnvironmentView:
    """The conda and PyPI lines of one pixi environment on one platform (``deps`` and ``pip_items``, as an
    environment file has them; read by ``report``, ``report --solve`` and ``dockerfile``): the dependencies
    of its features (the default one first unless it opts out), each feature's targets for the platform
    included. A name given twice (a feature's table, a target's) is the line pixi uses last: a target over
    its feature, a later feature over an earlier."""

    def __init__(self, manifest: PixiManifest, environment: str, platform: str) -> None:
        envs = manifest.environments()
        if environment not in envs:
            raise EnvslimError(f"{manifest.path}: no pixi environment '{environment}' (it has: {', '.join(envs)})")
        feats = envs[environment]
        chosen: dict[tuple[str, str], object] = {}
        for feat in feats:
            for target_last in (False, True):
                for d in manifest.deps:
                    if d.scope.feature != feat or (d.scope.target is not None) != target_last:
                        continue
                    if not _targets(d.scope.target, platform) or d.table not in ("dependencies", "pypi-dependencies"):
                        continue
                    value = d.conda_spec() if d.table == "dependencies" else _pep508(d)
                    if value is None:  # a source dependency (path, git, url): nothing to size
                        continue
                    kind = "conda" if d.table == "dependencies" else "pip"
                    chosen.pop((kind, d.name.lower()), None)
                    chosen[(kind, d.name.lower())] = ScopeView.item_of(d, value)
        self.deps = [i for (k, _), i in chosen.items() if k == "conda"]
        self.pip_items = [i for (k, _), i in chosen.items() if k == "pip"]
        self.platform = platform  # (the platform its figures are for: envslim.environment.model reads it)
        # its channels: its features' (in order), then the workspace's; pixi never adds defaults
        names: list[str] = []
        for feat in feats:
            names += manifest.channel_names(feat) if feat else []
        names += manifest.channel_names(None)
        self.channel_names = list(dict.fromkeys(names)) + ["nodefaults"]


# -- the manifest ---------------------------------------------------------------------------------
@dataclass
class PixiManifest(TextDocument):
    path: str
    text: str  # without BOM
    bom: str
    data: dict  # tomllib's reading
    root: tuple[str, ...]  # () for pixi.toml, ("tool", "pixi") for pyproject.toml
    headers: list[Header] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    deps: list[Dep] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)

    @classmethod
    def from_text(cls, text: str, path: str, root: tuple[str, ...] | None = None) -> "PixiManifest":
        bom = BOM if text.startswith(BOM) else ""
        body = text[len(bom):]
        data = load_toml(body, path)
        if root is None:
            root = manifest_root(path, data)
        if root and not isinstance(get_path(data, root), dict):
            raise NotPixiManifest(path, 1, 1, "no [tool.pixi] table: not a pixi manifest")
        scanner = Scanner(body, path)
        scanner.run()
        doc = cls(path=path, text=body, bom=bom, data=data, root=root, headers=scanner.headers,
                  pairs=scanner.pairs, line_starts=scanner.line_starts)
        doc._locate(scanner)
        return doc

    def _locate(self, scanner: Scanner) -> None:
        n = len(self.root)
        spread: set[tuple[str, ...]] = set()
        for pair in self.pairs:
            full = pair.path + pair.key.parts[-1:]
            if full[:n] != self.root:
                continue
            rel = full[n:]
            self._refuse_a_shape_pixi_refuses(rel, get_path(self.data, full), pair, full)
            k = next((k for k in range(1, len(rel)) if dep_table(rel[:k]) is not None), None)
            if k is None:
                continue
            table, scope = dep_table(rel[:k])
            name = rel[k]
            if k + 1 < len(rel):  # a key inside a dependency's value
                if pair.inline or full[:n + k + 1] in spread:
                    continue  # (part of a value located with its dependency, or already seen)
                # the dependency is spread over keys of its own: [dependencies.NAME] or NAME.version = …
                spread.add(full[:n + k + 1])
                self._refuse_a_value_pixi_refuses(name, get_path(self.data, full[:n + k + 1]), pair)
                dep = Dep(name=name, kind=DEP_TABLES[table], table=table, scope=scope,
                          value=get_path(self.data, full[:n + k + 1]), pair=pair, text="", editable=False,
                          why_not="the entry is written as a table or dotted keys of its own",
                          table_path=full[:n + k])
                self.deps.append(dep)
                continue
            value = get_path(self.data, full)
            self._refuse_a_value_pixi_refuses(name, value, pair)
            dep = Dep(name=name, kind=DEP_TABLES[table], table=table, scope=scope, value=value,
                      pair=pair, text=self.text[pair.value_start:pair.value_end], table_path=full[:n + k])
            if not pair.own_line:
                dep.editable, dep.why_not = False, "the entry is inside an inline table"
            elif "\n" in self.text[pair.value_start:pair.value_end]:
                dep.editable, dep.why_not = False, "the entry spans more than one line"
            elif len(pair.key.parts) > 1:
                dep.editable, dep.why_not = False, "the entry is a dotted key"
            self.deps.append(dep)
        for path, spans in scanner.arrays.items():
            rel = path[n:] if path[:n] == self.root else None
            if rel is None or rel[-1:] != ("channels",):
                continue
            if rel[:-1] not in (("project",), ("workspace",)) and not (len(rel) == 3 and rel[0] == "feature"):
                continue
            values = get_path(self.data, path)
            for (start, end), value in zip(spans, values):
                self.channels.append(Channel(value, start, end, scanner.line_of(start), path))

    def _refuse_a_shape_pixi_refuses(self, rel: tuple[str, ...], value: object, pair, full: tuple[str, ...]) -> None:
        """pixi refuses a manifest whose dependency table, feature, target or environment is not a table (an
        environment may be an array of features), or whose channels or platforms are not an array; read as
        nothing, a rewrite went on with the rest. Bad input: one line at the value."""
        if dep_table(rel) is not None or (len(rel) == 2 and rel[0] in ("feature", "target")) or (
                len(rel) == 4 and rel[0] == "feature" and rel[2] == "target"):
            wanted, ok = "a table", isinstance(value, dict)
        elif len(rel) == 2 and rel[0] == "environments":
            wanted, ok = "an array of features or a table", isinstance(value, (list, dict))
        elif rel[-1:] in (("channels",), ("platforms",)) and (
                rel[:-1] in (("project",), ("workspace",)) or (len(rel) == 3 and rel[0] == "feature")):
            wanted, ok = "an array", isinstance(value, list)
        else:
            return
        if not ok:
            where = pair.value_start
            line = self.text.count("\n", 0, where) + 1
            col = where - (self.text.rfind("\n", 0, where) + 1) + 1
            raise InputError(self.path, line, col, f"{'.'.join(full)}: pixi takes {wanted} here, not {_kind(value)}")

    def _refuse_a_value_pixi_refuses(self, name: str, value: object, pair) -> None:
        """pixi takes a dependency as a version string or a table (whose ``version`` is a string); an
        integer, a boolean, a float, a date or an array is an error to pixi, so it is bad input here too
        (read as "any version", a rewrite turned ``pyarrow = 12`` into ``"*"``)."""
        got = value.get("version", "") if isinstance(value, dict) else value
        if isinstance(got, str):
            return
        what = _kind(got)
        where = pair.value_start
        if isinstance(value, dict):  # the version inside the table, where it can be found on the line
            found = re.search(r"\bversion\s*=\s*", self.text[pair.value_start:pair.value_end])
            where = pair.value_start + found.end() if found else where
        line = self.text.count("\n", 0, where) + 1
        col = where - (self.text.rfind("\n", 0, where) + 1) + 1
        raise InputError(self.path, line, col, f"{name}: pixi takes a version string ('==12', '>=12') or a"
                         f" table here, not {what}")

    # -- queries ----------------------------------------------------------------------------------
    @property
    def conda_deps(self) -> list[Dep]:
        return [d for d in self.deps if d.kind == CONDA]

    @property
    def pypi_deps(self) -> list[Dep]:
        return [d for d in self.deps if d.kind == PYPI]

    def channel_names(self, feature: str | None = None) -> list[str]:
        return [c.name for c in self.channels_of(feature)]

    def channels_of(self, feature: str | None = None) -> list[Channel]:
        """The channels of ``feature``, or (None) of the workspace."""
        n = len(self.root)
        want = ("feature", feature, "channels") if feature else None
        return [c for c in self.channels if (c.path[n:] == want if want else c.path[n:][0] != "feature")]

    def table_path(self, scope: Scope, table: str) -> tuple[str, ...]:
        path = self.root
        if scope.feature is not None:
            path += ("feature", scope.feature)
        if scope.target is not None:
            path += ("target", scope.target)
        return path + (table,)

    def header_of(self, scope: Scope, table: str) -> Header | None:
        path = self.table_path(scope, table)
        return next((h for h in self.headers if h.path == path and not h.array), None)

    def deps_in(self, scope: Scope, table: str) -> list[Dep]:
        return [d for d in self.deps if d.scope == scope and d.table == table]

    def neighbours(self, scope: Scope) -> list[Dep]:
        """The conda dependencies of the other scopes that can be installed together with ``scope``: those of
        every feature sharing an environment with its feature, for any target that shares a platform with
        ``scope``'s (more packages seen means fewer moves, never a wrong one)."""
        together = {scope.feature}
        for feats in self.environments().values():
            if scope.feature in feats:
                together.update(feats)
        mine = self.scope_platforms(scope)

        def apart(other: Scope) -> bool:
            theirs = self.scope_platforms(other)
            if mine and theirs:
                return not set(mine) & set(theirs)
            return _apart(other, scope, mine)

        return [d for d in self.deps if d.kind == CONDA and d.table == "dependencies" and d.scope != scope
                and d.scope.feature in together and not apart(d.scope)]

    def scope_platforms(self, scope: Scope) -> tuple[str, ...]:
        """The platforms ``scope``'s lines are installed on (its feature's, narrowed by its target)."""
        return scope_platforms(scope, self.platforms_of(scope.feature))

    def always_with(self, other: Scope, scope: Scope, platforms: tuple[str, ...]) -> bool:
        """Whether the lines of ``other`` are installed wherever those of ``scope`` are: in every environment
        that has ``scope``'s feature, on each of ``platforms`` (``scope``'s; none known: the same target)."""
        for feats in self.environments().values():
            if scope.feature in feats and other.feature not in feats:
                return False
        theirs = self.scope_platforms(other)
        if platforms and theirs:
            return set(platforms) <= set(theirs)
        if other.target is None:
            return True
        return all(_targets(other.target, p) for p in platforms) if platforms else other.target == scope.target

    def judged_environment(self, feature: str | None) -> str | None:
        """The environment a feature's lines are judged in: ``default`` where it has the feature, else the
        first environment (in the manifest's order) that does; None when none has it."""
        envs = self.environments()
        if feature in envs.get("default", ()):
            return "default"
        return next((name for name, feats in envs.items() if feature in feats), None)

    def python_line(self, environment: str, platform: str | None) -> str | None:
        """The conda spec of the python line pixi uses in ``environment`` on ``platform`` (a later feature's
        over an earlier one's, a target's over its feature's), or None."""
        view = EnvironmentView(self, environment, platform or "linux-64")
        return next((i.text for i in view.deps if i.dep is not None and i.dep.name.lower() == "python"), None)

    def platforms_of(self, feature: str | None = None) -> tuple[str, ...]:
        """The platforms a feature's lines are installed on: the workspace's, each once, in their order; a
        feature that lists its own is available on those only (pixi: an environment's platforms are the
        intersection of its features')."""
        plats: list[str] = []
        for where in (self.root + ("workspace",), self.root + ("project",)):
            node = get_path(self.data, where + ("platforms",))
            plats += [p for p in (node if isinstance(node, list) else []) if isinstance(p, str) and p not in plats]
        own = get_path(self.data, self.root + ("feature", feature, "platforms")) if feature else None
        if isinstance(own, list):
            own = [p for p in own if isinstance(p, str)]
            plats = [p for p in own if p in plats or not plats]
        return tuple(dict.fromkeys(plats))

    def system_cuda(self, feature: str | None) -> str:
        """The CUDA version in a feature's ``system-requirements`` (the workspace's for None), or ""."""
        node = get_path(self.data, self.root + (("feature", feature) if feature else ()) + ("system-requirements",))
        cuda = node.get("cuda") if isinstance(node, dict) else None
        return str(cuda) if isinstance(cuda, (str, int, float)) and str(cuda) else ""

    def environment_cuda(self, feature: str | None) -> dict[str, tuple[str, str]]:
        """For each environment that has ``feature``: the CUDA version it is solved with and what asks for it
        (``its cuda feature's system-requirements``, ``the workspace's system-requirements``, ``the workspace's
        platform cuda-linux-64``), or ("", ""). pixi solves with the ``__cuda`` virtual package only where the
        manifest names CUDA (pixi docs, "System Requirements": "To use CUDA in your project, you must specify the
        desired CUDA version in the system-requirements table"; prefix-dev/pixi#1288; a pixi.lock records each
        platform's virtual packages: prefix-dev/pixi examples/multi-machine's has ``__cuda=12`` only on its
        platforms that say ``cuda = "12"``), so elsewhere conda-forge's CUDA builds, which depend on ``__cuda``,
        are never chosen."""
        plats = []
        for where in (self.root + ("workspace",), self.root + ("project",)):
            node = get_path(self.data, where + ("platforms",))
            plats += [p for p in (node if isinstance(node, list) else []) if isinstance(p, dict) and p.get("cuda")]
        out: dict[str, tuple[str, str]] = {}
        for name, feats in self.environments().items():
            if feature in feats:
                asks = [(self.system_cuda(f), f"its {f} feature's system-requirements" if f else
                         "the workspace's system-requirements") for f in feats if self.system_cuda(f)]
                asks += [(str(p["cuda"]), f"the workspace's platform {p.get('name') or p.get('platform')}")
                         for p in plats]
                out[name] = asks[0] if asks else ("", "")
        return out

    @property
    def features(self) -> list[str]:
        feats = get_path(self.data, self.root + ("feature",))
        return list(feats) if isinstance(feats, dict) else []

    def environments(self) -> dict[str, list[str | None]]:
        """Each environment's features, the default feature (None) first unless it opts out."""
        envs = get_path(self.data, self.root + ("environments",))
        out: dict[str, list[str | None]] = {"default": [None]}
        if not isinstance(envs, dict):
            return out
        for name, spec in envs.items():
            if isinstance(spec, list):
                feats, no_default = spec, False
            elif isinstance(spec, dict):
                feats, no_default = spec.get("features", []), bool(spec.get("no-default-feature", False))
            else:
                continue
            feats = feats if isinstance(feats, list) else []  # (``features = 1``: none pixi could read)
            out[name] = ([] if no_default else [None]) + [f for f in feats if isinstance(f, str)]
        return out

    def project_dependencies(self) -> list[str]:
        """The normalised names in a pyproject.toml's ``[project].dependencies`` (the published package's
        metadata: read, never edited)."""
        if not self.root:
            return []
        reqs = get_path(self.data, ("project", "dependencies"))
        out = []
        for req in reqs if isinstance(reqs, list) else []:
            m = re.match(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)", str(req))
            if m:
                out.append(normalize(m.group(1)))
        return out

    def check(self) -> None:
        """Raise AssertionError unless the scanner's dependencies are exactly tomllib's."""
        mine: dict[tuple[str, ...], dict] = {}
        for d in self.deps:
            mine.setdefault(d.path, {})[d.name] = decode_string(d.text) if d.text else d.value
        theirs = {}
        for path in dep_paths(self.data, self.root):
            table = get_path(self.data, path)
            if isinstance(table, dict) and table:
                theirs[path] = table
        assert mine == theirs, (mine, theirs)

    # -- the Document interface (envslim.document.Document) -----------------------------------------
    format = "pixi"

    def reread(self, text: str) -> "PixiManifest":
        """``text`` (a rewrite of this manifest) read as a manifest of the same kind."""
        return type(self).from_text(text, self.path, root=self.root)

    def rule_scopes(self) -> list[Scope]:
        """The scopes the rules are run on one after another (see :func:`scopes`)."""
        return scopes(self)

    def scope_view(self, scope: Scope, current: "PixiManifest | None" = None) -> ScopeView:
        """``scope`` of ``current`` (the text the scopes before it left; default this manifest) as the rules
        see an environment file; a dependency also in this manifest's ``[project].dependencies`` is read-only."""
        return ScopeView(current if current is not None else self, scope, published=set(self.project_dependencies()))

    def environment(self, name: str | None, platform: str | None) -> EnvironmentView:
        """The lines of the environment ``name`` (default: "default") on ``platform``; None: the platform of
        its features' lists it is judged on (:func:`judged_platform`; linux-64 where they list none)."""
        name = name or "default"
        if platform is None:
            platform = judged_platform(self.environment_platforms(name)) or "linux-64"
        return EnvironmentView(self, name, platform)

    def environment_platforms(self, name: str) -> tuple[str, ...]:
        """The platforms an environment is solved for: those every one of its features is available on."""
        feats = self.environments().get(name, [None]) or [None]
        listed = [self.platforms_of(f) for f in feats]
        return tuple(p for p in listed[0] if all(p in other for other in listed[1:]))

    def lock_beside(self) -> str | None:
        """The ``pixi.lock`` in the manifest's folder, if there is one."""
        import os

        lock = os.path.join(os.path.dirname(self.path), "pixi.lock")
        return lock if os.path.isfile(lock) else None

    # -- editing (manifest_edits, verify_text) ---------------------------------------------------
    def render(self, ops: Iterable[Op]) -> str:
        """The new text (BOM included) after ``ops``, read back and verified; FixError if it cannot be made."""
        ops = list(ops)
        new = self.spliced(self.edits(ops))
        self.verify(new, ops)
        return self.bom + new

    def edits(self, ops: Iterable[Op]) -> list[Edit]:
        return manifest_edits(self, ops)

    def verify(self, new_text: str, ops: list[Op]) -> None:
        """Renovate's rule: read the new text with tomllib; it must equal the old reading with exactly
        the changes the ops ask for, and locate again."""
        verify_text(self, new_text, ops)


# -- reading --------------------------------------------------------------------------------------
def manifest_root(path: str, data: dict) -> tuple[str, ...]:
    """``("tool", "pixi")`` for a pyproject.toml (by name, or a document with [tool.pixi] and no
    top-level pixi tables), ``()`` for a pixi.toml."""
    import os

    if os.path.basename(path) == "pyproject.toml":
        return ("tool", "pixi")
    tool = data.get("tool")
    if isinstance(tool, dict) and "pixi" in tool and not ({"workspace", "dependencies"} & set(data)):
        return ("tool", "pixi")
    return ()


def _kind(value: object) -> str:
    """What a TOML value is, for a message: ``a string``, ``an integer``, ``an array`` ..."""
    return ("a string" if isinstance(value, str) else "a boolean" if isinstance(value, bool) else
            "an integer" if isinstance(value, int) else "a float" if isinstance(value, float) else
            "an array" if isinstance(value, list) else "a table" if isinstance(value, dict) else "a date or time")


class NotPixiManifest(InputError):
    """A pyproject.toml without pixi tables: nothing for envslim to do in it."""


def is_pixi_pyproject(text: str) -> bool:
    """True when a pyproject.toml text has a ``[tool.pixi…]`` table (a cheap test, for file selection)."""
    return re.search(r"(?m)^[ \t]*\[\[?[ \t]*tool[ \t]*\.[ \t]*[\"']?pixi\b", text) is not None

