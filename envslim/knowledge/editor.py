"""The knowledge-entry editor: a ``[[figures]]`` table and its ``[[sources]]`` entry put into an entry's TOML
text, which is edited in place and never re-serialised.

A figure with the same id is replaced (its table's text only), a new one goes after the last ``[[figures]]``
table, a new source at the end of the file; every other byte, comments included, stays. A figure whose
numbers did not change is left alone. :func:`apply_wheel` writes a PyPI wheel's figure (``envslim knowledge
refresh --pypi``), :func:`apply_closure` a solved conda-forge closure's (``--conda``); the command validates
the entry and writes it.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from typing import Any

from envslim.errors import EnvslimError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Block", "append_source", "apply_closure", "apply_wheel", "blocks", "figure_text", "next_source_id",
           "put_figure", "source_text"]

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")


@dataclass
class Block:
    """One table of the document: its header name and the span of its text (header line to the line
    before the next header, without the blank lines and comments that trail it)."""

    name: str
    start: int  # offset of the header line
    end: int  # offset just past its last content line (its line ending included)


def blocks(text: str) -> list[Block]:
    """The tables of a TOML document, in order (multi-line strings are skipped over)."""
    out: list[Block] = []
    offset = 0
    in_string: str | None = None
    last_content = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if in_string is None:
            m = _HEADER.match(body)
            if m:
                if out:
                    out[-1].end = last_content
                out.append(Block(m.group(1).strip(), offset, offset + len(line)))
                last_content = offset + len(line)
            elif body.strip() and not body.lstrip().startswith("#"):
                last_content = offset + len(line)
        for quote in ('"""', "'''"):
            count = body.count(quote)
            if count % 2 and (in_string is None or in_string == quote):
                in_string = None if in_string == quote else quote
        offset += len(line)
    if out:
        out[-1].end = last_content
    return out


def _ensure_eol(text: str, eol: str) -> str:
    return text if not text or text.endswith(("\n", "\r")) else text + eol


def _toml_str(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, except that JSON leaves DEL (U+007F) raw, which a TOML
    basic string may not hold (a wheel's name or title from a hostile index would break the entry)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def figure_text(fig: dict, eol: str) -> str:
    lines = ["[[figures]]"]
    for key in ("id", "side", "kind", "version", "platform", "archive_bytes", "installed_bytes", "packages", "heavy",
                "note", "source", "date"):
        if key in ("packages", "heavy") and key not in fig:  # closures only
            continue
        value = fig[key]
        lines.append(f"{key} = {value}" if isinstance(value, int) else f"{key} = {_toml_str(value)}")
    return eol.join(lines) + eol


def source_text(src: dict, eol: str) -> str:
    lines = ["[[sources]]"] + [f"{k} = {_toml_str(src[k])}" for k in ("id", "title", "url", "date")]
    return eol.join(lines) + eol


def append_source(text: str, src: dict, eol: str) -> str:
    """``text`` with the ``[[sources]]`` table ``src`` at its end, after one blank line."""
    text = _ensure_eol(text, eol)
    return text + ("" if text.endswith(eol + eol) or not text.strip() else eol) + source_text(src, eol)


def next_source_id(data: dict) -> str:
    used = {s.get("id") for s in data.get("sources", ())}
    numbers = [int(m.group(1)) for i in used if isinstance(i, str) and (m := re.fullmatch(r"S(\d+)", i))]
    n = max(numbers, default=0) + 1
    while f"S{n}" in used:
        n += 1
    return f"S{n}"


def _referenced(data: dict) -> set[str]:
    refs = {f.get("source") for f in data.get("figures", ())}
    refs |= set(data.get("advice", {}).get("sources", ()))
    refs |= {s for v in data.get("slim_variants", ()) for s in v.get("sources", ())}
    refs |= set(data.get("numpy_abi", {}).get("sources", ()))
    return {r for r in refs if r}


def _block_with_id(text: str, name: str, wanted: str) -> Block | None:
    for b in blocks(text):
        if b.name == name:
            try:
                table = tomllib.loads(text[b.start:b.end].replace(f"[[{name}]]", "", 1))
            except tomllib.TOMLDecodeError:
                continue
            if table.get("id") == wanted:
                return b
    return None


def put_figure(text: str, fig_id: str, new_fig: str, *, replace: bool, eol: str) -> str:
    """``text`` with the ``[[figures]]`` table ``fig_id`` replaced by ``new_fig`` (its table's text only), or
    ``new_fig`` added after the last ``[[figures]]`` table (before the first ``[[sources]]`` when there is
    none, else at the end)."""
    if replace:
        b = _block_with_id(text, "figures", fig_id)
        if b is None:
            raise EnvslimError(f"cannot locate the [[figures]] table {fig_id!r} in the text")
        return text[:b.start] + new_fig + text[b.end:]
    figs = [b for b in blocks(text) if b.name == "figures"]
    srcs = [b for b in blocks(text) if b.name == "sources"]
    if figs:
        at = figs[-1].end
        return _ensure_eol(text[:at], eol) + eol + new_fig + text[at:]
    if srcs:
        return text[:srcs[0].start] + new_fig + eol + text[srcs[0].start:]
    return _ensure_eol(text, eol) + eol + new_fig


def apply_wheel(text: str, wheel, today: str, python: str, platform: str) -> tuple[str, str, str]:
    """``text`` with the figure for ``wheel`` (a ``sources.WheelInfo``) added or replaced: (new text, what
    happened: "added" | "replaced" | "unchanged", the figure id)."""
    data = tomllib.loads(text)
    eol = "\r\n" if "\r\n" in text else "\n"
    parts = wheel.filename[: -len(".whl")].split("-")
    tag = "-".join(parts[-3:])
    fig_id = f"pypi-wheel-{wheel.version}-{parts[-3]}"
    old = next((f for f in data.get("figures", ()) if f.get("id") == fig_id), None)
    numbers = {"side": "pypi", "kind": "wheel", "version": wheel.version, "platform": tag,
               "archive_bytes": wheel.wheel_bytes, "installed_bytes": wheel.installed_bytes}
    sources = {s.get("id"): s for s in data.get("sources", ())}
    if old is not None and all(old.get(k) == v for k, v in numbers.items()) \
            and sources.get(old.get("source"), {}).get("url") == wheel.url:
        return text, "unchanged", fig_id
    same_url = next((s for s in data.get("sources", ()) if s.get("url") == wheel.url), None)
    source_id = same_url["id"] if same_url else next_source_id(data)
    fig = {"id": fig_id, **numbers,
           "note": f"{wheel.filename}: installed = sum of the file sizes in its zip central directory (HTTP range"
                   f" reads), before byte-compilation; envslim knowledge refresh --pypi (Python {python},"
                   f" {platform})",
           "source": source_id, "date": today}
    text = put_figure(text, fig_id, figure_text(fig, eol), replace=old is not None, eol=eol)
    if same_url:
        b = _block_with_id(text, "sources", source_id)
        chunk = re.sub(r'(?m)^(\s*date\s*=\s*)"[^"\r\n]*"', lambda m: f'{m.group(1)}"{today}"', text[b.start:b.end])
        text = text[:b.start] + chunk + text[b.end:]
    else:
        text = append_source(text, {"id": source_id, "title": f"PyPI wheel {wheel.filename}", "url": wheel.url,
                                    "date": today}, eol)
    if old is not None and old.get("source") != source_id:  # the replaced figure's source may now be unused
        gone = old.get("source")
        if gone and gone not in _referenced(tomllib.loads(text)):
            b = _block_with_id(text, "sources", gone)
            if b is not None:
                end = b.end
                while text.startswith(eol, end):
                    end += len(eol)
                text = text[:b.start] + text[end:]
    return text, "replaced" if old is not None else "added", fig_id


def apply_closure(text: str, measured: dict[str, Any], today: str, python: str) -> tuple[str, str, str]:
    """``text`` with the solved closure figure added or replaced: (new text, "added" | "replaced" |
    "unchanged", the figure id). Raises ``ValueError`` when a size is not exact."""
    closure = measured["closure"]
    inexact = [p.filename for p in closure if p.size.value is None or p.size.estimate]
    if inexact:
        raise ValueError(f"no exact installed size for {', '.join(inexact)}")
    data = tomllib.loads(text)
    eol = "\r\n" if "\r\n" in text else "\n"
    fig_id = f"cf-closure-{measured['version']}-{measured['platform']}-solved"
    heavy = [p.name for p in sorted(closure, key=lambda p: (-p.size.value, p.name))[:5]]
    numbers = {"side": "conda-forge", "kind": "closure", "version": measured["version"],
               "platform": measured["platform"], "archive_bytes": sum(p.archive_bytes or 0 for p in closure),
               "installed_bytes": sum(p.size.value for p in closure), "packages": len(closure), "heavy": heavy}
    old = next((f for f in data.get("figures", ()) if f.get("id") == fig_id), None)
    if old is not None and all(old.get(k) == v for k, v in numbers.items()):
        return text, "unchanged", fig_id
    url = measured["url"]
    same_url = next((s for s in data.get("sources", ()) if s.get("url") == url), None)
    source_id = same_url["id"] if same_url else next_source_id(data)
    fig = {"id": fig_id, **numbers,
           "note": f"closure of {measured['filename']} beyond the python={python} closure, solved on conda-forge"
                   f" (py-rattler, strict priority, __glibc {measured.get('glibc', '2.28')}); installed = sum of size_in_bytes in each"
                   f" artifact's info/paths.json; envslim knowledge refresh --conda",
           "source": source_id, "date": today}
    text = put_figure(text, fig_id, figure_text(fig, eol), replace=old is not None, eol=eol)
    if not same_url:
        text = append_source(text, {"id": source_id, "url": url, "date": today,
                                    "title": f"conda-forge artifact {measured['filename']} and its solved closure"}, eol)
    return text, "replaced" if old is not None else "added", fig_id
