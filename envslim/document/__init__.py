"""Documents: the manifest text and the nodes located in it, and the edits that change it.

Takes the bytes of a manifest (a conda environment YAML file, or a pixi manifest: ``pixi.toml``, or
``pyproject.toml`` with ``[tool.pixi]``) and gives a document: the original text plus every dependency,
channel and pip item with its span, indentation, inline comment and selector. Edits are spans of the
original text; splicing them gives the new text and every byte outside an edit stays the same byte. Writes
are atomic. Nothing here knows about rules, knowledge or output; this layer imports nothing else from
envslim but its errors and the record decorator.

:func:`open_document` is the one place that chooses a format; the layers above see the :class:`Document`
interface, which :class:`envslim.document.envfile.EnvFile` and :class:`envslim.document.pixi.PixiManifest`
implement.
"""

from __future__ import annotations

from typing import Any, BinaryIO, Protocol

__all__ = ["Document", "lock_format", "open_document"]


class Document(Protocol):
    """What the plan, the report, the solve and the Dockerfile read of a manifest."""

    path: str
    text: str  # without the BOM
    bom: str
    format: str  # "conda-env" | "pixi": the formats a rule applies to (rules.Rule.formats)

    def reread(self, text: str) -> Document:
        """A rewrite of this document read in the same format (InputError when it no longer reads)."""

    def rule_scopes(self) -> list[Any] | None:
        """The scopes the rules run on one after another (:meth:`scope_view` each), or None: the whole
        document at once."""

    def scope_view(self, scope: Any, current: Any = None) -> Any:
        """One of :meth:`rule_scopes` in ``current`` (a rewrite of this document) as the rules see an
        environment file (only for a document with scopes)."""

    def edits(self, ops: Any) -> list[Any]:
        """The spans of the original text that carry out ``ops`` (``envslim.document.edits``); FixError
        when one cannot be made safely."""

    def render(self, ops: Any) -> str:
        """The new text (BOM included) with ``ops`` spliced in (a pixi manifest's is read back and checked)."""

    def environment(self, name: str | None, platform: str) -> Any:
        """One environment's lines on ``platform`` (``deps`` and ``pip_items``); ``name`` selects a pixi
        environment (an error for a document with one)."""

    def lock_beside(self) -> str | None:
        """The lock file a rewrite of this document makes stale, when it sits beside it (pixi.lock)."""


def open_document(path: str, stdin: BinaryIO | None = None) -> Document:
    """Read ``path`` (or, given ``stdin``, a binary stream of an environment file) in its format: a ``.toml``
    path is a pixi manifest (``NotPixiManifest`` for a pyproject.toml without ``[tool.pixi]``), anything
    else a conda environment file."""
    if stdin is not None:
        from envslim.document.envfile import EnvFile, read_stream

        return EnvFile.from_bytes(read_stream(stdin, "<stdin>"), "<stdin>")
    if path.endswith(".toml"):
        from envslim.document.pixi import PixiManifest

        return PixiManifest.read(path)
    from envslim.document.envfile import EnvFile

    return EnvFile.read(path)


def lock_format(path: str) -> str:
    """The format of a lock file by its name: "pixi" (``pixi.lock``, any ``*.lock``) or "conda-lock"
    (``conda-lock.yml``); ``envslim.solve.lockfiles`` also reads a renamed pixi lock by its content."""
    return "pixi" if path.endswith(".lock") else "conda-lock"
