"""The :class:`Document` interface: what the layers above read of a manifest (see :mod:`envslim.document`)."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["Document"]


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
