"""How envslim shows things, whatever the layer: the one credential redactor (and ``Redacting``, the output
boundary every command writes through), the one size formatter, and the escapes that keep text from a file
inert on a terminal (``printable``) and in Markdown (``md_code``).

A leaf: it imports nothing from envslim, so the document and conda layers may use it too.
"""

from __future__ import annotations

import re

# The redactor scans: every step moves forward through the text or inside a run that is looked at once (no
# regular expression that can backtrack), so a 1 MB line costs a few passes over 1 MB, never its square.
# (The patterns here are runs of one character class, or labels separated by dots: each character can be
# consumed one way only, so a match never backtracks.)
_LABEL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
_AUTHORITY = re.compile(r"[^\s/<>]*")  # where ``scheme://`` credentials stop (never inside markup)
_HOST_PORT = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[\w-]+(?:\.[\w-]+)*)(?::[0-9]+)?")  # (IPv6, IDN names too)
_RUN_END = frozenset("/@'\"<>")  # (and white space) what a schemeless ``user:token`` never holds
_HOST_END = frozenset("/'\"<>\\,;)&")  # (and white space, or the end) what may follow ``@host[:port]``
# A schemeless credential starts where the character before it is none of these: not inside a word, a
# path, a dotted name, an HTML entity (``&#x27;``) or a JSON escape (``\u001b``), so that what is cut
# out never splits one and the SVG, HTML and JSON around it stay well-formed.
_NOT_BEFORE = frozenset(".+:/@-\\")  # (and a word character; ``&`` and ``&#`` before an entity's ``;``)
_TOKEN_RUN = re.compile(r"[^\s'\"<>]+")  # (one character class: each character is looked at once)
# A query parameter's name (at most 64 characters are looked at from each ``?``, ``&`` or ``;``), the names and
# the words in a name that make its value a secret, and what ends the value.
_QUERY_KEY = re.compile(r"[?&;]([A-Za-z0-9_.-]{1,64})=")
_SECRET_NAMES = frozenset({"sig", "key", "pass", "pw", "code"})
_SECRET_WORDS = ("token", "secret", "passw", "pwd", "signature", "credential", "apikey", "api_key", "api-key",
                 "access_key", "accesskey", "auth")
_VALUE_END = frozenset("&;#'\"<>\\")


def redact(text: str) -> str:
    """``text`` with every credential in a URL replaced by ``***``: ``https://user:pw@host`` ->
    ``https://***@host``, ``user:pw@host/x`` -> ``***@host/x``, ``host/t/<token>/chan`` and a trailing
    ``host/t/<token>`` -> ``host/t/***``, ``?private_token=<secret>`` -> ``?private_token=***``. envslim never prints a credential, in any output. Linear in the
    length of ``text``; it never cuts into an HTML entity, a JSON escape or markup."""
    if "@" in text:
        text = _bare_userinfo(_scheme_userinfo(text)) if "://" in text else _bare_userinfo(text)
    if "?" in text and "=" in text:
        text = _query_secrets(text)
    return _tokens(text) if "/t/" in text else text


def _query_secrets(text: str) -> str:
    """``?token=<secret>`` -> ``?token=***``: the value of a query parameter whose name says it is a secret
    (a token, a password, a signature, a credential, an API key: ``private_token``, ``X-Amz-Signature``,
    Azure's ``sig``), up to the next ``&``, ``;``, ``#``, quote, markup, backslash or white space (so an HTML
    entity or a JSON escape after it stays whole)."""
    out, done = [], 0
    for m in _QUERY_KEY.finditer(text):
        key = m.group(1).lower()
        if m.start() < done or not (key in _SECRET_NAMES or any(w in key for w in _SECRET_WORDS)):
            continue
        end = m.end()
        while end < len(text) and text[end] not in _VALUE_END and not text[end].isspace():
            end += 1
        if end > m.end():
            out += (text[done:m.end()], "***")
            done = end
    out.append(text[done:])
    return "".join(out)


def _scheme_userinfo(text: str) -> str:
    """``scheme://user:pw@host`` -> ``scheme://***@host``: everything up to the last ``@`` before the end
    of the authority is credentials (a password may hold an unescaped ``@``)."""
    out, done, i = [], 0, text.find("://")
    while i >= 0:  # (with or without the scheme: a message may quote a URL cut after it)
        start = i + 3
        at = text.rfind("@", start, _AUTHORITY.match(text, start).end())
        if at > start:
            out += (text[done:start], "***")
            done = at
        i = text.find("://", start)  # (an authority never holds a whole ``://``: the scans never overlap)
    out.append(text[done:])
    return "".join(out)


def _bare_userinfo(text: str) -> str:
    """``user:token@host[:port]`` (no scheme) -> ``***@host``; ``user@example.com`` (no colon) is an
    address, not a credential."""
    out, done, at = [], 0, text.find("@")
    while at >= 0:
        after = _host_end(text, at + 1) if at + 1 < len(text) and (text[at + 1] in _LABEL or text[at + 1] == "["
                                                                   or text[at + 1].isalnum()) else None
        nxt = text.find("@", at + 1)
        if after is not None:
            begin = at
            while begin > done and text[begin - 1] not in _RUN_END and not text[begin - 1].isspace():
                begin -= 1
            start = _user_start(text, begin, at)
            if start is not None:
                out += (text[done:start], "***")
                done = at
        at = nxt
    out.append(text[done:])
    return "".join(out)


def _host_end(text: str, i: int) -> int | None:
    """Where ``host[:port]`` starting at ``i`` ends, if one does and what follows may end a URL's host."""
    m = _HOST_PORT.match(text, i)
    if m is None:
        return None
    k = m.end()
    return k if k == len(text) or text[k] in _HOST_END or text[k].isspace() else None


def _user_start(text: str, begin: int, at: int) -> int | None:
    """The first place in ``text[begin:at]`` (a run without white space, ``/``, ``@``, quotes) where
    ``user:token`` starts: a user without ``:`` or ``=`` (maybe empty), then ``:`` and a token of at least
    one character, after a character that does not continue a word or a path."""
    after_sep, semicolon = begin, -1  # the first place after the last ``:`` or ``=``; the last ``;``
    for k in range(begin, at - 1):
        c = text[k]
        if c == ":":  # (s == k: an empty user, ``:token@host``, as a message quoting a cut URL shows it)
            for s in range(after_sep, k + 1):
                before = text[s - 1] if s > 0 else " "
                entity = semicolon >= s and (before == "&" or (before == "#" and s > 1 and text[s - 2] == "&"))
                if not (entity or before in _NOT_BEFORE or before == "_" or before.isalnum()):
                    return s
            after_sep = k + 1
        elif c == "=":
            after_sep = k + 1
        elif c == ";":
            semicolon = k
    return None


def _tokens(text: str) -> str:
    """``host/.../t/<token>`` -> ``host/.../t/***`` after a URL's host (with a scheme, or a dotted host
    without one), never in a relative path such as ``./t/local``."""
    out, done = [], 0
    for m in _TOKEN_RUN.finditer(text):
        run = m.group(0)
        if "/t/" not in run:
            continue
        segs = run.split("/")
        changed, hosted, k = False, False, 0
        while k < len(segs):
            seg = segs[k]
            if not hosted and _dotted_host_at_end(seg, "/" if k else text[m.start() - 1] if m.start() else " "):
                hosted, k = True, k + 1
            elif seg.endswith(":") and k + 2 < len(segs) and segs[k + 1] == "" and segs[k + 2]:
                hosted, k = True, k + 2  # ``scheme://authority``: the authority may itself end in ``scheme:``
                if not (segs[k].endswith(":") and k + 2 < len(segs) and segs[k + 1] == "" and segs[k + 2]):
                    k += 1
            elif hosted and seg == "t" and k + 1 < len(segs) and segs[k + 1] and segs[k + 1][0] != "\\":
                token = segs[k + 1]  # (up to a backslash: a JSON escape such as ``\"`` stays whole)
                segs[k + 1], changed, k = "***" + token[token.index("\\"):] if "\\" in token else "***", True, k + 2
            else:
                hosted = hosted and seg != ""
                k += 1
        if changed:
            out += (text[done:m.start()], "/".join(segs))
            done = m.end()
    out.append(text[done:])
    return "".join(out)


def _dotted_host_at_end(seg: str, before_seg: str) -> bool:
    """``seg`` ends with ``name.name[...][:port]`` that starts after no word or path character (``./t/local``
    has none): inside ``seg``, or at its start when ``before_seg`` (what precedes it) allows."""
    head, colon, port = seg.rpartition(":")
    if colon and port.isdigit():
        seg = head
    j = len(seg)
    while j > 0 and (seg[j - 1] in _LABEL or seg[j - 1] == "."):
        j -= 1
    host = seg[j:]
    if "." not in host or not all(host.split(".")):
        return False
    before = seg[j - 1] if j > 0 else before_seg
    return not (before == "_" or before.isalnum() or before in "./-")


def mb(n: int | None) -> str:
    """Bytes as decimal megabytes, ``1,030.4 MB``; ``unknown`` for None (never zero)."""
    return "unknown" if n is None else f"{n / 1e6:,.1f} MB"


# C0 and C1 controls, the line and paragraph separators, and the bidirectional controls (U+202A-E embeddings
# and overrides, U+2066-9 isolates, and the marks U+200E, U+200F, U+061C) that reorder what a terminal
# shows (Trojan Source, CVE-2021-42574); a lone CR, which would overwrite the line (CRLF line ends stay).
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # the bidirectional controls
_CONTROL = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u2028\\u2029{BIDI}]|\\r(?!\\n)")

ECHO_LIMIT = 1000  # characters of one line shown; a longer line (a 1 MB dependency name) is cut


def printable(text: str, limit: int | None = ECHO_LIMIT) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``, ``\\u202e``), so that an ANSI or OSC
    sequence or a bidirectional override in a dependency string cannot recolour, retitle, rewrite or reorder
    a terminal. Newlines, tabs and the CR of a CRLF line end stay (a lone CR is escaped). A line longer than
    ``limit`` characters is cut there, and says how much was left out (None: data, such as JSON, is whole)."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100
                        else f"\\u{ord(m.group(0)):04x}", text)
    if limit is None or len(text) <= limit or all(len(line) <= limit for line in text.split("\n")):
        return text
    return "\n".join(line if len(line) <= limit else f"{line[:limit]}... [{len(line) - limit:,} more characters]"
                     for line in text.split("\n"))


class StreamError(OSError):
    """A write to a stream failed (a full disk, a closed pipe): ``name`` says which stream."""

    def __init__(self, name: str, error: OSError) -> None:
        super().__init__(error.errno, error.strerror or str(error))
        self.name = name


class Redacting:
    """A text stream whose output goes through :func:`redact` a whole line at a time, so that a credential
    is caught whatever wrote it and however it was cut into writes: the output boundary. ``exact`` is the
    stream itself; :meth:`write_exact` writes text that must pass unchanged (``rewrite -``: the user's
    own file). With ``escape`` (standard error, which carries only messages) every line is also made
    :func:`printable`, whoever wrote it. A failed write raises :class:`StreamError` naming the stream."""

    PENDING_LIMIT = 1 << 20  # a line without an end is let through (redacted) once it is this long

    def __init__(self, stream, name: str, *, escape: bool = False) -> None:
        self.exact = stream
        self.name = name
        self.escape = escape  # (stderr: messages only) control characters shown as escapes, lines cut
        self._parts: list[str] = []  # the line under way (joined once it ends: many small writes stay linear)
        self._size = 0

    def write(self, text: str) -> int:
        if "\n" not in text and self._size + len(text) <= self.PENDING_LIMIT:
            self._parts.append(text)
            self._size += len(text)
            return len(text)
        whole = "".join(self._parts) + text
        cut = whole.rfind("\n") + 1
        if len(whole) - cut > self.PENDING_LIMIT:
            cut = len(whole)
        rest = whole[cut:]
        self._parts, self._size = ([rest], len(rest)) if rest else ([], 0)
        if cut:
            self._put(redact(whole[:cut]))
        return len(text)

    def write_exact(self, text: str) -> None:
        """``text`` unchanged (not a message: the user's own file), after what is pending."""
        self.flush()
        try:
            self.exact.write(text)
            self.exact.flush()
        except OSError as e:
            raise StreamError(self.name, e) from None

    def flush(self) -> None:
        if self._parts:
            text, self._parts, self._size = "".join(self._parts), [], 0
            self._put(redact(text))
        try:
            self.exact.flush()
        except OSError as e:
            raise StreamError(self.name, e) from None

    def _put(self, text: str) -> None:
        if self.escape:  # (a CR stays: a progress line is redrawn with it; the cut is a net behind each echo's)
            text = "\r".join(printable(piece, 2 * ECHO_LIMIT) for piece in text.split("\r"))
        try:
            self.exact.write(text)
        except OSError as e:
            raise StreamError(self.name, e) from None

    def __getattr__(self, name: str):  # isatty, fileno, encoding ... of the stream
        if name == "exact":  # (not set yet: no recursion)
            raise AttributeError(name)
        return getattr(self.exact, name)


def md_code(text: str) -> str:
    """``text`` as a Markdown code span that its own backticks cannot close (CommonMark: a fence longer than
    any run of backticks inside, padded when the text starts or ends with one); pipes escaped for tables."""
    text = printable(text).replace("\n", " ").replace("|", "\\|")
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
