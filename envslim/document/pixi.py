"""Locate the dependencies of a pixi manifest in its text, and splice edits into that text.

A pixi manifest is ``pixi.toml``, or ``pyproject.toml`` with its pixi tables under ``[tool.pixi]``.
Conda packages sit in ``[dependencies]``, PyPI packages in ``[pypi-dependencies]``, each also under
``[target.<platform>.…]``, ``[feature.<name>.…]`` and ``[feature.<name>.target.<platform>.…]``.

tomllib reads the document but gives no positions, so a small scanner walks the text (tomllib having
accepted it first) and records where every key, value, line, inline comment and table header is. The
scanner's reading is checked against tomllib's (:meth:`PixiManifest.check`). Edits are spans of the
original text; after splicing, the new text is read again with tomllib and the edit is kept only if the
document now reads as intended, and nothing else in it changed (Renovate's replace-then-verify).

The work is split by job: :mod:`pixi_scan` (the span scanner and the located nodes), :mod:`pixi_edits`
(the operations, their edits and the re-read check), :mod:`pixi_view` (one scope as the rules see an
environment file). This module reads a manifest (:class:`PixiManifest`) and re-exports the public names
of the others, so ``from envslim.document.pixi import …`` gives the whole API.

This module and those import nothing from envslim but the rest of the document layer (edits, the text
helpers, the TOML reader), the record decorator and the error types.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from envslim._record import dataclass, field
from envslim.document import pixi_edits
from envslim.document.edits import Edit, FixError
from envslim.document.envfile import BOM, TextDocument, normalize
from envslim.document.pixi_edits import AddDep, Op, RemoveDep, Rename, SetValue
from envslim.document.pixi_scan import (
    CONDA, DEP_TABLES, PYPI, Channel, Dep, Header, Key, Pair, Scope, _Scanner, _decode_string, _dep_paths,
    _dep_table, _get,
)
from envslim.document.pixi_view import ItemSeq, PixiItem, ScopeView, scopes
from envslim.document.toml import load_toml
from envslim.errors import InputError

__all__ = [
    "CONDA", "DEP_TABLES", "PYPI", "AddDep", "Channel", "Dep", "FixError", "Header", "ItemSeq", "Key",
    "NotPixiManifest", "Op", "Pair", "PixiItem", "PixiManifest", "RemoveDep", "Rename", "Scope", "ScopeView",
    "SetValue", "is_pixi_pyproject", "manifest_root", "scopes",
]


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
        if root and not isinstance(_get(data, root), dict):
            raise NotPixiManifest(path, 1, 1, "no [tool.pixi] table: not a pixi manifest")
        scanner = _Scanner(body, path)
        scanner.run()
        doc = cls(path=path, text=body, bom=bom, data=data, root=root, headers=scanner.headers,
                  pairs=scanner.pairs, line_starts=scanner.line_starts)
        doc._locate(scanner)
        return doc

    def _locate(self, scanner: _Scanner) -> None:
        n = len(self.root)
        spread: set[tuple[str, ...]] = set()
        for pair in self.pairs:
            full = pair.path + pair.key.parts[-1:]
            if full[:n] != self.root:
                continue
            rel = full[n:]
            k = next((k for k in range(1, len(rel)) if _dep_table(rel[:k]) is not None), None)
            if k is None:
                continue
            table, scope = _dep_table(rel[:k])
            name = rel[k]
            if k + 1 < len(rel):  # a key inside a dependency's value
                if pair.inline or full[:n + k + 1] in spread:
                    continue  # (part of a value located with its dependency, or already seen)
                # the dependency is spread over keys of its own: [dependencies.NAME] or NAME.version = …
                spread.add(full[:n + k + 1])
                dep = Dep(name=name, kind=DEP_TABLES[table], table=table, scope=scope,
                          value=_get(self.data, full[:n + k + 1]), pair=pair, text="", editable=False,
                          why_not="the entry is written as a table or dotted keys of its own",
                          table_path=full[:n + k])
                self.deps.append(dep)
                continue
            value = _get(self.data, full)
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
            values = _get(self.data, path)
            for (start, end), value in zip(spans, values):
                self.channels.append(Channel(value, start, end, scanner.line_of(start), path))

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
        every feature sharing an environment with its feature, for any target (more packages seen means
        fewer moves, never a wrong one)."""
        together = {scope.feature}
        for feats in self.environments().values():
            if scope.feature in feats:
                together.update(feats)
        return [d for d in self.deps if d.kind == CONDA and d.table == "dependencies" and d.scope != scope
                and d.scope.feature in together]

    @property
    def features(self) -> list[str]:
        feats = _get(self.data, self.root + ("feature",))
        return list(feats) if isinstance(feats, dict) else []

    def environments(self) -> dict[str, list[str | None]]:
        """Each environment's features, the default feature (None) first unless it opts out."""
        envs = _get(self.data, self.root + ("environments",))
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
            out[name] = ([] if no_default else [None]) + [f for f in feats if isinstance(f, str)]
        return out

    def project_dependencies(self) -> list[str]:
        """The normalised names in a pyproject.toml's ``[project].dependencies`` (the published package's
        metadata: read, never edited)."""
        if not self.root:
            return []
        reqs = _get(self.data, ("project", "dependencies"))
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
            mine.setdefault(d.path, {})[d.name] = _decode_string(d.text) if d.text else d.value
        theirs = {}
        for path in _dep_paths(self.data, self.root):
            table = _get(self.data, path)
            if isinstance(table, dict) and table:
                theirs[path] = table
        assert mine == theirs, (mine, theirs)

    # -- editing (envslim.document.pixi_edits) ---------------------------------------------------
    def render(self, ops: Iterable[Op]) -> str:
        """The new text (BOM included) after ``ops``, read back and verified; FixError if it cannot be made."""
        ops = list(ops)
        new = self.spliced(self.edits(ops))
        self.verify(new, ops)
        return self.bom + new

    def edits(self, ops: Iterable[Op]) -> list[Edit]:
        return pixi_edits.edits(self, ops)

    def verify(self, new_text: str, ops: list[Op]) -> None:
        """Renovate's rule: read the new text with tomllib; it must equal the old reading with exactly
        the changes the ops ask for, and locate again."""
        pixi_edits.verify(self, new_text, ops)


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


class NotPixiManifest(InputError):
    """A pyproject.toml without pixi tables: nothing for envslim to do in it."""


def is_pixi_pyproject(text: str) -> bool:
    """True when a pyproject.toml text has a ``[tool.pixi…]`` table (a cheap test, for file selection)."""
    return re.search(r"(?m)^[ \t]*\[\[?[ \t]*tool[ \t]*\.[ \t]*[\"']?pixi\b", text) is not None

