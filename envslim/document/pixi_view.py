"""The rules' view of one scope of a pixi manifest.

Takes a located manifest and one of its scopes and gives a :class:`ScopeView`: the scope in the shape of
an environment file (conda spec lines, PEP 508 lines, channels), and the envfile ops the rules return
turned into pixi operations and edits of that scope's tables (:meth:`ScopeView.pixi_ops`).
It imports nothing from envslim but the rest of the document layer and the record decorator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from envslim._record import dataclass
from envslim.document.edits import Edit, FixError, InsertChannel, InsertConda, InsertPip, RemoveItem, ReplaceValue, splice
from envslim.document.envfile import normalize
from envslim.document.pixi_edits import AddDep, Op, RemoveDep, Rename, SetValue, _string
from envslim.document.pixi_scan import PYPI, Channel, Dep, Scope

if TYPE_CHECKING:
    from envslim.document.pixi import PixiManifest

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
        conda = []
        for d in manifest.deps_in(scope, "dependencies"):
            spec = d.conda_spec()
            if spec is None:
                continue
            item = self._item(d, spec)
            if normalize(d.name) in published:
                item.editable = False
                item.why_not = "also in [project].dependencies (the published package's metadata): move it by hand"
            conda.append(item)
        # The conda packages of the scopes this one shares an environment with, read-only: a package there
        # that pulls one of ours back blocks its move (rules see them; their findings are not this scope's).
        for d in (manifest.neighbours(scope) if context else []):
            spec = d.conda_spec()
            if spec is not None:
                item = self._item(d, spec)
                item.editable, item.why_not, item.context = False, f"in the [{'.'.join(d.path)}] table", True
                conda.append(item)
        pip = []
        for d in manifest.deps_in(scope, "pypi-dependencies"):
            req = _pep508(d)
            if req is not None:
                pip.append(self._item(d, req))
        self.dependencies = ItemSeq(conda)
        self.pip = ItemSeq(pip) if pip else None
        chans = manifest.channels_of(scope.feature) if scope.feature else []
        chans = chans + [c for c in manifest.channels_of() if c.name not in {c.name for c in chans}]
        self.channels = ItemSeq([self._channel(c) for c in chans])
        self.memo: dict = {}  # what readers work out once per document (rules.common)

    @staticmethod
    def _item(d: Dep, value: str) -> PixiItem:
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
