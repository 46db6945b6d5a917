"""Locate the parts of a conda environment file in its text, and splice edits into that text.

The YAML parser (libyaml's, through PyYAML) is used only to find nodes and their positions. Nothing is ever
re-serialised: an edit is a span of the original text replaced by new text, and every byte outside the
edits stays as it was (BOM, CRLF, missing final newline, comments, selectors, odd indentation, Jinja).

This module imports nothing else from envslim but its error type.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from envslim._record import dataclass, field
from envslim.document.atomic import kind as file_kind
from envslim.document.edits import Edit, FixError, InsertChannel, InsertConda, InsertPip, Op, RemoveItem, ReplaceValue, splice  # noqa: F401
from envslim.document.nodes import Item, Seq, selector_of  # noqa: F401 (the document's nodes, read through here too)
from envslim.document.yamlnodes import Node, count_nodes, line_starts, load
from envslim.errors import EnvslimError, InputError

BOM = "\ufeff"
_JINJA_BLOCK_RE = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)
_JINJA_EXPR_RE = re.compile(r"\{\{.*?\}\}")
# Enough of a conda spec's name to sort by; the full grammar lives in condaspec.
_CONDA_NAME_RE = re.compile(r"\s*(?:[^\s:]+::)?([A-Za-z0-9_*][A-Za-z0-9_.*+-]*)")
_PIP_NAME_RE = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")


def decode_utf8(data: bytes, path: str) -> str:
    """``data`` as UTF-8 text; otherwise ``path:line:col: not UTF-8 text`` at the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputError(path, line, col, "not UTF-8 text") from None


def conda_sort_key(value: str) -> str | None:
    """The lower-cased package name of a conda dependency line, for ordering; None if there is none."""
    m = _CONDA_NAME_RE.match(value)
    return m.group(1).lower() if m else None


_SEPARATORS = re.compile(r"[-_.]+")


def normalize(name: str) -> str:
    """The one PEP 503 normaliser: lower case, runs of ``-``, ``_`` and ``.`` become one ``-``
    (``envslim.knowledge.names.normalize`` is this function)."""
    return _SEPARATORS.sub("-", name).lower()


def pip_sort_key(value: str) -> str | None:
    """The normalised project name of a pip requirement line; None for options, paths and URLs."""
    if value.lstrip().startswith("-") or "://" in value or value.lstrip().startswith((".", "/")):
        return None
    m = _PIP_NAME_RE.match(value)
    return normalize(m.group(1)) if m else None


class TextDocument:
    """What every located document (an environment file, a pixi manifest) does with its text: read it from a
    file, place an offset, tell its line ending, splice edits in. Its records hold ``path``, ``text`` (without
    BOM) and ``line_starts``."""

    @classmethod
    def read(cls, path: str):
        return cls.from_bytes(read_bytes(path), path)

    @classmethod
    def from_bytes(cls, data: bytes, path: str):
        return cls.from_text(decode_utf8(data, path), path)

    def position(self, offset: int) -> tuple[int, int]:
        """0-based (line, col) of an offset."""
        import bisect

        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line, offset - self.line_starts[line]

    @property
    def eol(self) -> str:
        """The file's usual line ending."""
        return "\r\n" if self.text.count("\r\n") * 2 > self.text.count("\n") else "\n"

    def above_comments(self, line: int) -> int:
        """The start of the run of full-line comments right above 0-based ``line`` (they usually describe it)."""
        while line > 0:
            prev = self.text[self.line_starts[line - 1]:self.line_starts[line]].strip()
            if not prev.startswith("#"):
                break
            line -= 1
        return self.line_starts[line]

    def spliced(self, edits: Iterable["Edit"]) -> str:
        """The text (without BOM) with ``edits`` in; a text without a final newline keeps none."""
        new = splice(self.text, edits)
        if self.text and not self.text.endswith("\n") and new.endswith("\n"):
            new = new[: -2 if new.endswith("\r\n") else -1]
        return new


# The order of a new pip: section among insertions at one offset (``Edit.seq``): after the conda lines.
PIP_LAST = 1 << 30


@dataclass
class EnvFile(TextDocument):
    path: str
    text: str  # without BOM
    bom: str
    name: str | None = None
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)  # top-level key -> (line, col)
    channels: Seq | None = None
    dependencies: Seq | None = None
    pip: Seq | None = None  # the items of the ``- pip:`` mapping's list
    pip_item: Item | None = None  # the ``- pip:`` item itself
    merge_item: Item | None = None  # a ``- <<: *base`` entry of dependencies, which may supply ``pip:``
    platforms: tuple[str, ...] = ()  # conda-lock's ``platforms:`` key: the platforms the file is locked for
    line_starts: list[int] = field(default_factory=list)
    memo: dict = field(default_factory=dict)  # what readers work out once per document (rules.common)

    # -- the Document interface (envslim.document.Document) -------------------------------------
    format = "conda-env"

    @property
    def listed_platform(self) -> str | None:
        """The platform of its ``platforms:`` key it is judged on where its specs do not say (build strings)."""
        from envslim.document.platforms import judged_platform

        return judged_platform(self.platforms)

    def reread(self, text: str) -> "EnvFile":
        """``text`` (a rewrite of this file) read as an environment file."""
        return EnvFile.from_text(text, self.path)

    def rule_scopes(self) -> None:
        """None: the rules see the whole file at once (a pixi manifest's scopes are seen one by one)."""
        return None

    def environment(self, name: str | None, platform: str) -> "EnvFile":
        """The file's lines (it is one environment, for every platform); a named environment is an error."""
        if name:
            raise EnvslimError(f"{self.path}: --environment names a pixi environment; this is an environment file")
        return self

    def lock_beside(self) -> None:
        """None: a conda-lock file is named by --lockfile, never found beside the file."""
        return None

    # -- reading ------------------------------------------------------------------------------
    @classmethod
    def from_text(cls, text: str, path: str) -> "EnvFile":
        bom = BOM if text.startswith(BOM) else ""
        body = text[len(bom):]
        env = cls(path=path, text=body, bom=bom)
        env.line_starts = line_starts(body)
        if "\x00" in body:
            off = body.index("\x00")
            line, col = env.position(off)
            raise InputError(path, line + 1, col + 1, "binary data (NUL byte)")
        if not body.strip():
            raise InputError(path, 1, 1, "empty file: expected a mapping with 'dependencies'")
        try:
            doc = load(_mask_jinja(body), path)
        except InputError:
            if _requirements_name(path):
                raise InputError(path, 1, 1, f"a pip requirements file, not a conda environment file: {READS}") from None
            raise
        env._locate(doc)
        return env

    def _error(self, line: int, col: int, message: str) -> InputError:
        return InputError(self.path, line + 1, col + 1, message)

    def _locate(self, doc: "Node | None") -> None:
        if doc is None:
            raise self._error(0, 0, "empty file: expected a mapping with 'dependencies'")
        if doc.kind != "map":
            if _requirements_name(self.path):
                raise self._error(0, 0, f"a pip requirements file, not a conda environment file: {READS}")
            kind = "a list" if doc.kind == "seq" else "a scalar"
            raise self._error(doc.line, doc.col, f"not a conda environment file (the top level is {kind}, not a"
                              f" mapping with 'dependencies'): {READS}")
        count_nodes(doc, self._error)
        top = {}
        for key, value in doc.value:
            if key.kind == "scalar" and isinstance(key.value, str):
                self.keys[key.value] = (key.line, key.col)
                top[key.value] = value
        name = top.get("name")
        if name is not None and name.kind == "scalar" and isinstance(name.value, str):
            self.name = name.value
        channels = top.get("channels")
        if channels is not None and not channels.is_null:
            self.channels = self._seq(channels, "channels", scalar_only=True)
        platforms = top.get("platforms")  # (conda-lock reads it; conda ignores it: never an error here)
        if platforms is not None and platforms.kind == "seq":
            self.platforms = tuple(dict.fromkeys(c.value for c in platforms.value
                                                 if c.kind == "scalar" and isinstance(c.value, str)))
        if "dependencies" not in top:
            raise self._error(doc.line, doc.col, f"no 'dependencies' key: not a conda environment file: {READS}")
        deps = top["dependencies"]
        if deps.is_null:
            line, col = self.keys["dependencies"]
            self.dependencies = Seq([], flow=False, line=line, col=col)
            return
        self.dependencies = self._seq(deps, "dependencies", scalar_only=False)
        for item in self.dependencies.items:
            if isinstance(item.value, dict) and "<<" in item.value and self.merge_item is None:
                self.merge_item = item
            if isinstance(item.value, dict) and "pip" in item.value:
                self.pip_item = item
                pip = item.value["pip"]
                if pip.is_null:
                    self.pip = Seq([], flow=False, line=pip.line, col=pip.col)
                else:
                    self.pip = self._seq(pip, "pip", scalar_only=True)

    def _seq(self, node: "Node", key: str, *, scalar_only: bool) -> Seq:
        if node.kind != "seq":
            raise self._error(node.line, node.col, f"'{key}' must be a list")
        seq = Seq([], flow=node.flow, line=node.line, col=node.col)
        for child in node.value:
            if child.kind == "map" and scalar_only:
                raise self._error(child.line, child.col, f"'{key}' entries must be strings")
            if child.kind == "seq":
                raise self._error(child.line, child.col, f"'{key}' entries must not be lists")
            if child.is_null:
                raise self._error(child.line, child.col, f"empty entry in '{key}'")
            item = self._item(child, node.flow)
            if child.anchor and item.editable:
                item.editable = False
                item.why_not = (f"the entry is the YAML anchor &{child.anchor}, which an alias repeats elsewhere;"
                                " envslim does not edit anchored or aliased entries")
            seq.items.append(item)
        return seq

    def _item(self, node: "Node", flow: bool) -> Item:
        line, col = node.line, node.col
        start = self.line_starts[line]
        end = self.line_starts[line + 1] if line + 1 < len(self.line_starts) else len(self.text)
        line_text = self.text[start:end]
        m = _EOL_RE.search(line_text)
        eol = m.group(0) if m else ""
        content = line_text[: len(line_text) - len(eol)]
        dash = content.rfind("-", 0, col)
        if node.kind == "map":
            value: object = {k.value: v for k, v in node.value if k.kind == "scalar"}
        else:
            raw = self.text[node.start:node.end]
            value = raw if ("{{" in raw or "{%" in raw) else node.value  # the parser saw Jinja masked
        item = Item(value=value, line=line, col=col, dash_col=dash, line_start=start, line_end=end,
                    value_start=node.start, value_end=node.end, comment="", eol=eol, quote=node.quote)
        if flow:
            item.editable, item.why_not = False, "a flow-style list ([a, b]) cannot be edited line by line"
            return item
        if dash < 0 or content[:dash].strip() or content[dash + 1:col].strip():
            item.editable, item.why_not = False, "the entry does not start its own '- ' line"
            return item
        if node.kind == "map":
            m = re.search(r"[ \t]+#", content[col:])
            item.comment = content[col + m.start():] if m else ""
            return item
        if node.end > start + len(content):
            item.editable, item.why_not = False, "the entry spans more than one line"
            return item
        item.comment = content[node.end - start:]
        raw = self.text[node.start:node.end]
        if item.comment.strip() and not item.comment.lstrip().startswith("#"):
            item.editable, item.why_not = False, "the entry continues past its line"
        elif "{{" in raw or "{%" in raw:
            item.editable, item.why_not = False, "the entry holds a Jinja expression"
        elif node.quote not in ("", "'", '"'):
            item.editable, item.why_not = False, "a block scalar cannot be edited line by line"
        return item

    # -- queries ------------------------------------------------------------------------------
    @property
    def deps(self) -> list[Item]:
        """The conda dependencies (string entries of ``dependencies``)."""
        return [i for i in (self.dependencies.items if self.dependencies else []) if isinstance(i.value, str)]

    @property
    def pip_items(self) -> list[Item]:
        return list(self.pip.items) if self.pip else []

    @property
    def has_pip_section(self) -> bool:
        return self.pip_item is not None

    @property
    def channel_names(self) -> list[str]:
        return [i.text for i in self.channels.items] if self.channels else []

    # -- editing ------------------------------------------------------------------------------
    def render(self, ops: Iterable["Op"]) -> str:
        """The full new text (BOM included) after applying ``ops``; raises FixError if one cannot be made."""
        return self.bom + self.spliced(self.edits(ops))

    def edits(self, ops: Iterable["Op"]) -> list["Edit"]:
        ops = list(ops)
        removed = {op.item.value_start for op in ops if isinstance(op, RemoveItem)}
        edits: list[Edit] = []
        for op in ops:
            if isinstance(op, RemoveItem):
                edits.append(self._remove(op.item))
            elif isinstance(op, ReplaceValue):
                edits.append(self._replace(op.item, op.text))
                if op.comment:
                    end = op.item.line_end - len(op.item.eol)
                    edits.append(Edit(end, end, op.comment))
        conda_new = [op for op in ops if isinstance(op, InsertConda)]
        pip_new = [op for op in ops if isinstance(op, InsertPip)]
        if self.pip and self.pip.items and not pip_new and all(i.value_start in removed for i in self.pip.items):
            edits.append(self._remove(self.pip_item))  # an empty ``pip:`` would be null: drop the header too
        chan_new = [op for op in ops if isinstance(op, InsertChannel)]
        if conda_new:
            if self.deps:
                edits += self._insert_into(self.deps, conda_new, removed, conda_sort_key, "dependencies")
            elif self.pip_item is not None:  # only a pip: section: the conda lines go above it
                anchor = self.pip_item
                self._check_editable(anchor)
                text = "".join(self._line_for(anchor, op) + (anchor.eol or self.eol) for op in conda_new)
                edits.append(Edit(anchor.line_start, anchor.line_start, text))
            else:
                raise FixError("'dependencies' is empty: no entry to place a new line beside")
        if pip_new:
            if self.pip_item is not None and self.pip_item.selector:
                raise FixError(
                    f"line {self.pip_item.line + 1}: the pip: section is under a selector [{self.pip_item.selector}];"
                    " adding to it would make the package conditional"
                )
            if self.pip_item is None and self.merge_item is not None:
                raise FixError(
                    f"line {self.merge_item.line + 1}: a YAML merge key (<<) may supply the pip: section;"
                    " a second pip: would hide it, so add the requirement there by hand"
                )
            if self.pip_item is None:
                edits.append(self._create_pip(pip_new, removed))
            elif not self.pip or not self.pip.items:
                edits.append(self._fill_pip(pip_new))
            else:
                edits += self._insert_into(self.pip.items, pip_new, removed, pip_sort_key, "pip")
        if chan_new:
            if not self.channels or not self.channels.items:
                raise FixError("the file has no channel list to add to")
            edits += self._insert_into(self.channels.items, chan_new, removed, None, "channels")
        return edits

    def _remove(self, item: Item) -> "Edit":
        self._check_editable(item)
        return Edit(item.line_start, item.line_end, "")

    def _replace(self, item: Item, text: str) -> "Edit":
        self._check_editable(item)
        q = item.quote
        return Edit(item.value_start, item.value_end, f"{q}{text}{q}")

    @staticmethod
    def _check_editable(item: Item) -> None:
        if not item.editable:
            raise FixError(f"line {item.line + 1}: {item.why_not}")

    def _line_for(self, like: Item, op: "Op") -> str:
        return f"{' ' * like.dash_col}-{like.gap}{op.text}{op.comment}"

    def _insert_into(self, siblings: list[Item], new: list["Op"], removed: set[int], key, where: str) -> list["Edit"]:
        live = [i for i in siblings if i.value_start not in removed] or siblings[-1:]
        if not live:
            raise FixError(f"no entry in '{where}' to place a new line beside")
        keys = [key(i.text) for i in live] if key else []
        is_sorted = key is not None and None not in keys and keys == sorted(keys)
        out: list[Edit] = []
        ordered = sorted(new, key=lambda op: key(op.text) or "") if is_sorted else new
        for seq, op in enumerate(ordered):
            target = None
            if is_sorted:
                nk = key(op.text) or ""
                target = next((i for i, k in zip(live, keys) if k > nk), None)
            self._check_editable(target or live[-1])
            if target is not None:
                at = self.above_comments(target.line)
                out.append(Edit(at, at, self._line_for(target, op) + (target.eol or self.eol), seq))
            else:
                last = live[-1]
                line = self._line_for(last, op)
                if last.eol:
                    out.append(Edit(last.line_end, last.line_end, line + last.eol, seq))
                else:
                    out.append(Edit(last.line_end, last.line_end, self.eol + line, seq))
        return out

    def _pip_lines(self, ops: list["InsertPip"], dash_col: int, gap: str, eol: str) -> list[str]:
        ops = sorted(ops, key=lambda op: pip_sort_key(op.text) or "")
        return [f"{' ' * dash_col}-{gap}{op.text}{op.comment}" for op in ops]

    def _create_pip(self, ops: list["InsertPip"], removed: set[int]) -> "Edit":
        items = self.dependencies.items if self.dependencies else []
        live = [i for i in items if i.value_start not in removed] or items[-1:]
        if not live:
            raise FixError("no entry in 'dependencies' to place a pip section beside")
        last = live[-1]
        self._check_editable(last)
        eol = last.eol or self.eol
        lines = [f"{' ' * last.dash_col}-{last.gap}pip:"]
        lines += self._pip_lines(ops, last.col, last.gap, eol)
        block = eol.join(lines)
        # (after every conda line inserted at the same place: the new pip: section ends the list)
        if last.eol:
            return Edit(last.line_end, last.line_end, block + last.eol, PIP_LAST)
        return Edit(last.line_end, last.line_end, self.eol + block, PIP_LAST)

    def _fill_pip(self, ops: list["InsertPip"]) -> "Edit":
        item = self.pip_item
        self._check_editable(item)
        if self.pip is not None and self.pip.flow:
            raise FixError(f"line {item.line + 1}: a flow-style pip list cannot be edited line by line")
        eol = item.eol or self.eol
        block = eol.join(self._pip_lines(ops, item.col, item.gap, eol))
        if item.eol:
            return Edit(item.line_end, item.line_end, block + item.eol)
        return Edit(item.line_end, item.line_end, self.eol + block)


# -- helpers ----------------------------------------------------------------------------------
_EOL_RE = re.compile("(?:\r\n|[\r\n\x85\u2028\u2029])\\Z")


def _mask_jinja(text: str) -> str:
    """Blank out Jinja so the YAML parser sees the same positions: blocks become comments, expressions letters."""
    def block(m: re.Match) -> str:
        s = m.group(0)
        return "#" + re.sub(r"[^\n]", " ", s[1:]) if "\n" not in s else re.sub(r"[^\n]", " ", s)

    text = _JINJA_BLOCK_RE.sub(block, text)
    return _JINJA_EXPR_RE.sub(lambda m: "J" * len(m.group(0)), text)


# What envslim reads, for the message that refuses another file (a requirements.txt, a CI workflow).
READS = ("envslim reads conda environment files (YAML with 'dependencies:', like environment.yml) and pixi"
         " manifests (pixi.toml, pyproject.toml with [tool.pixi])")


def _requirements_name(path: str) -> bool:
    """A pip requirements file by its name: ``requirements*.txt``, ``*.txt``, ``*.in``."""
    return os.path.basename(path).lower().endswith((".txt", ".in"))


MAX_FILE_BYTES = 64 * 1024 * 1024  # the largest corpus file is 26 KB; a bigger "file" is a device or a mistake


def read_bytes(path: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes. A FIFO, a device or a directory is refused
    before anything is read (opened non-blocking, so a FIFO without a writer does not hang)."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        try:  # (a socket cannot be opened at all: say what it is, as for a FIFO)
            mode = os.stat(path).st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            raise InputError(path, 1, 1, f"not a regular file ({file_kind(mode)})") from None
        raise EnvslimError(f"{path}: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(path, 1, 1, f"not a regular file ({file_kind(st.st_mode)})")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise InputError(path, 1, 1, f"larger than {limit:,} bytes: not an environment file")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as e:
        raise EnvslimError(f"{path}: {e.strerror or e}") from None
    finally:
        os.close(fd)


def read_stream(stream, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """At most ``limit`` bytes of a binary stream (stdin), refusing more the way :func:`read_bytes` does."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(name, 1, 1, f"larger than {limit:,} bytes: not an environment file")
    return data
