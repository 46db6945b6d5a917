"""How envslim shows things, whatever the layer: the one credential redactor, the one size formatter, and
the escapes that keep text from a file inert on a terminal (``printable``) and in Markdown (``md_code``).

A leaf: it imports nothing from envslim, so the document and conda layers may use it too.
"""

from __future__ import annotations

import re

# ``scheme://user:token@host``: everything up to the last ``@`` before the path is credentials (a password
# may hold an unescaped ``@``).
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/\s]+@")
# ``user:token@host/...`` with no scheme (a conda channel, a pip option value): a colon before the ``@`` and
# a host after it; ``user@example.com`` (no colon) is an address, not a credential.
_BARE_USERINFO = re.compile(r"(?<![\w.+:/@-])[^\s/@:'\"<>=]+:[^\s/@'\"<>]+@(?=[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d+)?(?:[/\s'\"]|$))")
# anaconda.org / conda tokens, ``.../t/<token>/channel`` or ``.../t/<token>`` at the end: after a URL's
# host (with a scheme, or a dotted host without one), never in a relative path such as ``./t/local``.
_HOST = r"(?:[A-Za-z][A-Za-z0-9+.-]*://[^\s/'\"<>]+|(?<![\w./-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?)"
_TOKEN = re.compile(rf"({_HOST}(?:/[^\s/'\"<>]+)*?/t/)[^\s/'\"<>]+")


def redact(text: str) -> str:
    """``text`` with every credential in a URL replaced by ``***``: ``https://user:pw@host`` ->
    ``https://***@host``, ``user:pw@host/x`` -> ``***@host/x``, ``host/t/<token>/chan`` and a trailing
    ``host/t/<token>`` -> ``host/t/***``. envslim never prints a credential, in any output."""
    text = _USERINFO.sub(lambda m: f"{m.group('scheme')}***@", text)
    text = _BARE_USERINFO.sub("***@", text)
    return _TOKEN.sub(r"\1***", text)


def mb(n: int | None) -> str:
    """Bytes as decimal megabytes, ``1,030.4 MB``; ``unknown`` for None (never zero)."""
    return "unknown" if n is None else f"{n / 1e6:,.1f} MB"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]|\r(?!\n)")  # CRLF line ends stay


def printable(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``), so that an ANSI or OSC sequence in a
    dependency string cannot recolour, retitle or rewrite a terminal. Newlines, tabs and the CR of a CRLF
    line end stay (a lone CR, which would overwrite the line, is escaped)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100
                        else f"\\u{ord(m.group(0)):04x}", text)


def md_code(text: str) -> str:
    """``text`` as a Markdown code span that its own backticks cannot close (CommonMark: a fence longer than
    any run of backticks inside, padded when the text starts or ends with one); pipes escaped for tables."""
    text = printable(text).replace("\n", " ").replace("|", "\\|")
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
