"""Documents: the manifest text and the nodes located in it, and the edits that change it.

Takes the bytes of a manifest (a conda environment YAML file, or a pixi manifest: ``pixi.toml``, or
``pyproject.toml`` with ``[tool.pixi]``) and gives a document: the original text plus every dependency,
channel and pip item with its span, indentation, inline comment and selector. Edits are spans of the
original text; splicing them gives the new text and every byte outside an edit stays the same byte. Writes
are atomic. Nothing here knows about rules, knowledge or output; this layer imports nothing else from
envslim but its errors and the record decorator.

:func:`open_document` is the one place that chooses a format; the layers above see the :class:`Document`
interface (:mod:`envslim.document.interface`), which :class:`envslim.document.envfile.EnvFile` and
:class:`envslim.document.pixi.PixiManifest` implement.
"""

from __future__ import annotations

__all__ = ["Document", "lock_format", "open_document"]


def __getattr__(name: str):
    # the interface lives in its own module: it needs typing.Protocol, which the hook path does without
    if name == "Document":
        from envslim.document.interface import Document

        return Document
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_document(path: str, stdin=None) -> "Document":
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
