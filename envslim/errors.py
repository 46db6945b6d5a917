"""Errors that reach the user as one line and exit code 2."""

from __future__ import annotations


class EnvslimError(Exception):
    """An error the CLI reports as one line, exit 2."""


class InputError(EnvslimError):
    """Bad input at a known place: ``path:line:col: message`` (line and col are 1-based)."""

    def __init__(self, path: str, line: int, col: int, message: str) -> None:
        self.path = path
        self.line = line
        self.col = col
        self.message = message
        super().__init__(f"{path}:{line}:{col}: {message}")
