"""A footprint picture for reviews: the environment's installed bytes as a treemap, before and after the
rewrite side by side, grouped by the requested spec that brings each package, with a bar per finding.

``to_svg(picture)`` and ``to_html(picture)`` are pure functions of a :class:`Picture` (the same input gives
the same bytes); the output is self-contained: no scripts, fonts, images or URLs it loads; the HTML page is
the SVG inline, then the tables behind it. ``envslim.output.picture_sources.from_report`` builds a
:class:`Picture` from today's ``envslim report`` data (``environment.report.FileReport``): figures from the
knowledge base (or the online lookups), one requested spec per package, and the title says so.
``from_solved`` builds it from the solve ``report --solve`` attaches (``FileReport.proof``): every solved package
of the first platform once with its exact installed bytes, grouped by the requested specs whose dependencies reach
it (``envslim.solve.model.brought_by``), and each applied fix's bar from the solve that measured it.

Layout: a squarified treemap (Bruls, Huizing and van Wijk, "Squarified Treemaps", 2000), written here with
the standard library. Both sides share one scale (bytes per square pixel), so the after side is as much
smaller as its total. Packages with no figure are listed beside the treemaps, never drawn as zero; a known
zero-byte package is listed there too (it has no area). Colours are the Okabe-Ito palette (Okabe and Ito,
"Color Universal Design", 2002), chosen to stay distinct under the common colour-vision deficiencies; the
packages that leave are also hatched, so the picture does not depend on colour alone.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from envslim.display import printable

from envslim.knowledge.footprint import mb
from envslim.output.rewrite import redact

SIDES = ("before", "after")

# Okabe-Ito colours (all readable with black text).
CONDA = "#56B4E9"  # sky blue
PIP = "#009E73"  # bluish green
LEAVES = "#D55E00"  # vermillion, hatched
NET = "#0072B2"  # blue
OUTLINE = "#222222"
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"  # installed fonts only: nothing is downloaded

WIDTH = 1120
MARGIN = 20
PANEL = 420  # width of each treemap
SIDE_COLUMN = 200  # the list of packages that are not drawn
TREE_HEIGHT = 420  # height of the larger side's treemap
LABEL_SIZE = 11
STRIP = 14  # height of the strip naming a group of several packages
STRIP_SIZE = 10
STRIP_FILL = "#e8e8e8"
CHAR = 0.62  # average advance of a character, in font sizes (DejaVu Sans is among the wider sans fonts)
BOLD_CHAR = 0.68


@dataclass(frozen=True)
class Package:
    """One package on one side of the rewrite."""

    name: str
    version: str
    build: str
    bytes: int | None  # installed bytes; None: no figure
    manager: str  # "conda" | "pip"
    specs: tuple[str, ...]  # the requested specs (file lines) that bring it; () for one the file does not name
    side: str  # "before" | "after"
    leaving: bool = False  # before side: gone from this manager after the rewrite
    kind: str = ""  # what the figure measures: "package", "closure" (with what it pulls in), "wheel"
    platform: str = ""  # the platform the figure was measured for (a knowledge figure may be another's)
    source: str = ""  # the figure's source, one line
    why: str = ""  # for a package the file does not name: why it is there
    estimate: tuple[int, int] | None = None  # (low, high) when ``bytes`` is an estimate

    @property
    def group(self) -> str:
        """The group the package is drawn in: its spec, or the specs that share it."""
        if not self.specs:
            return f"{self.name} (not in the file)"
        if len(self.specs) == 1:
            return self.specs[0]
        return "shared: " + ", ".join(self.specs)


@dataclass(frozen=True)
class Bar:
    """One finding: what leaves conda, what pip adds, and the net saving (None: unknown)."""

    rule: str
    package: str
    message: str
    leaving_conda: int | None
    added_pip: int | None
    net: int | None
    source: str
    estimate: bool = False  # a size in the figures is an estimate


@dataclass(frozen=True)
class Picture:
    path: str
    platform: str
    python: str
    solved: bool  # True: exact bytes of solved packages; False: the knowledge base's figures (estimates)
    packages: tuple[Package, ...]
    bars: tuple[Bar, ...] = ()
    note: str = ""  # how the figures were made (shown under the title)
    figures: str = ""  # what the figures are, for the title ("knowledge-base estimates"); default: solved/estimates
    # The report's totals as a union (each package once) and its saving, when the drawn figures are closures that
    # can share packages: ((before bytes, unknown), (after bytes, unknown), saving). None: the drawn sum is the total.
    union: tuple | None = None
    # The measured saving of the whole rewrite (bytes, is an estimate), when a solve gives it; None: from the sums.
    saving: tuple[int | None, bool] | None = None
    unsolved: str = ""  # why the after side has no solve ("": it has one, or it is not a solve)
    installed: bool = False  # an installed environment (report PREFIX): one side, no rewrite

    def side(self, side: str) -> list[Package]:
        return [p for p in self.packages if p.side == side]

    def total(self, side: str) -> tuple[int | None, int]:
        """(bytes of the packages with a figure, how many have none); bytes None when none has a figure."""
        pkgs = self.side(side)
        known = [p.bytes for p in pkgs if p.bytes is not None]
        return (sum(known) if known or not pkgs else None), len(pkgs) - len(known)

    def arriving(self, p: Package) -> bool:
        return p.side == "after" and self.counterpart(p) is None

    def counterpart(self, p: Package) -> Package | None:
        """The same package (name and manager) on the other side (the first of them, as the packages are
        ordered). Looked up in an index made once: a scan for each package made 50,000 pip lines take minutes."""
        index = self.__dict__.get("_by_side")
        if index is None:
            index = {}
            for q in self.packages:
                index.setdefault((q.side, q.name, q.manager), q)
            object.__setattr__(self, "_by_side", index)  # (frozen: set once, derived from the packages)
        return index.get(("after" if p.side == "before" else "before", p.name, p.manager))

    def approximate(self, side: str) -> bool:
        """True when a figure in the side's sum is an estimate."""
        return any(p.estimate is not None and p.bytes is not None for p in self.side(side))


# -- layout ---------------------------------------------------------------------------------------------------


def _worst(row: list[float], side: float) -> float:
    s = sum(row)
    return max(max(side * side * r / (s * s), s * s / (side * side * r)) for r in row)


def squarify(values: list[float], x: float, y: float, w: float, h: float) -> list[tuple[float, float, float, float]]:
    """Rectangles (x, y, w, h) tiling the box, one per value (positive, largest first), areas proportional to
    the values, each row kept as close to square as the greedy rule of Bruls et al. allows."""
    total = sum(values)
    if not values or total <= 0 or w <= 0 or h <= 0:
        return [(x, y, 0.0, 0.0) for _ in values]
    areas = [v * w * h / total for v in values]
    out = []
    i = 0
    while i < len(areas):
        short = min(w, h)
        row = [areas[i]]
        i += 1
        while i < len(areas) and _worst(row + [areas[i]], short) <= _worst(row, short):
            row.append(areas[i])
            i += 1
        s = sum(row)
        if i == len(areas):  # the last row takes what is left (no drift from rounding)
            s = w * h
        if w >= h:  # a column at the left
            t = s / h
            yy = y
            for a in row:
                out.append((x, yy, t, a / t))
                yy += a / t
            x, w = x + t, w - t
        else:  # a row at the top
            t = s / w
            xx = x
            for a in row:
                out.append((xx, y, a / t, t))
                xx += a / t
            y, h = y + t, h - t
    return out


def _groups(pkgs: list[Package]) -> list[tuple[str, list[Package]]]:
    """Drawn packages by group, largest group first, then by name (deterministic)."""
    groups: dict[str, list[Package]] = {}
    for p in pkgs:
        if p.bytes:
            groups.setdefault(p.group, []).append(p)
    for members in groups.values():
        members.sort(key=lambda p: (-p.bytes, p.name, p.manager))  # type: ignore[operator]
    return sorted(groups.items(), key=lambda g: (-sum(p.bytes for p in g[1]), g[0]))  # type: ignore[misc]


# -- SVG ------------------------------------------------------------------------------------------------------


_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")  # (what printable leaves and XML 1.0 does not allow)


def _esc(text: str) -> str:
    """Text for SVG and HTML: credentials redacted, control characters shown as escapes (XML 1.0 allows no
    C0 control but tab and line ends), then the markup characters as entities: well-formed whatever the
    input."""
    text = _NOT_XML.sub(lambda m: f"\\u{ord(m.group(0)):04x}", printable(redact(text)))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _n(v: float) -> str:
    s = f"{v:.1f}"
    return "0" if s in ("0.0", "-0.0") else s[:-2] if s.endswith(".0") else s


def _attr(n: int | None) -> str:
    return "" if n is None else str(n)


def _fits(text: str, width: float, size: float, bold: bool = False) -> bool:
    return len(text) * size * (BOLD_CHAR if bold else CHAR) <= width


def _text(x: float, y: float, text: str, size: float = LABEL_SIZE, *, bold: bool = False, anchor: str = "",
          cls: str = "") -> str:
    attrs = f' x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"'
    if bold:
        attrs += ' font-weight="bold"'
    if anchor:
        attrs += f' text-anchor="{anchor}"'
    if cls:
        attrs += f' class="{cls}"'
    return f"<text{attrs}>{_esc(text)}</text>"


def _size(n: int | None, approx: bool = False) -> str:
    return "unknown" if n is None else ("~" if approx else "") + mb(n)


def _psize(p: Package) -> str:
    return _size(p.bytes, p.estimate is not None)


def _describe(pic: Picture, p: Package) -> str:
    """The hover text of a rectangle (and the line in the HTML's list)."""
    what = " ".join(x for x in (p.name, p.version, p.build) if x)
    figure = f"{_psize(p)} ({p.bytes:,} B)" if p.bytes is not None else "no figure"
    if p.estimate is not None and p.bytes is not None:
        figure = f"{_psize(p)} ({p.bytes:,} B, an estimate: {p.estimate[0]:,} to {p.estimate[1]:,} B)"
    kind = "".join(f", {x}" for x in (p.kind, p.platform) if x)
    brought = f"brought by {', '.join(p.specs)}" if p.specs else p.why or "not in the file"
    state = f"; {_change(pic, p)}" if _change(pic, p) else ""
    source = f"; {p.source}" if p.source else ""
    return f"{what} ({p.manager}{kind}): {figure}, {p.side}; {brought}{state}{source}"


def _change(pic: Picture, p: Package) -> str:
    if p.leaving:
        return "leaves"
    if pic.arriving(p):
        return "arrives"
    q = pic.counterpart(p)
    if q is not None and p.side == "after" and pic.solved and (q.version, q.build) != (p.version, p.build):
        return "was " + " ".join(x for x in (q.version, q.build) if x)
    return ""


def _fill(pic: Picture, p: Package) -> str:
    if p.leaving:
        return "url(#leaves)"
    if pic.arriving(p):
        return f"url(#arrives-{'pip' if p.manager == 'pip' else 'conda'})"
    return PIP if p.manager == "pip" else CONDA


def _pattern(name: str, colour: str, angle: int) -> list[str]:
    """Stripes over ``colour``: the changes are marked by more than colour alone."""
    return [f'<pattern id="{name}" width="8" height="8" patternUnits="userSpaceOnUse"'
            f' patternTransform="rotate({angle})">',
            f'<rect width="8" height="8" fill="{colour}"/>',
            '<rect width="3" height="8" fill="#ffffff" fill-opacity="0.4"/>',
            "</pattern>"]


def _rect(pic: Picture, p: Package, box: tuple[float, float, float, float], group_one: bool,
          named: bool = False) -> list[str]:
    x, y, w, h = box
    data = (f' data-package="{_esc(p.name)}" data-version="{_esc(p.version)}" data-build="{_esc(p.build)}"'
            f' data-bytes="{_attr(p.bytes)}" data-manager="{p.manager}" data-spec="{_esc("; ".join(p.specs))}"'
            f' data-side="{p.side}" data-leaving="{"true" if p.leaving else "false"}"')
    out = [f'<g class="pkg"{data}><title>{_esc(_describe(pic, p))}</title>',
           f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{_fill(pic, p)}"'
           ' stroke="#ffffff" stroke-width="1"/>']
    lines = [(p.name, True), (_psize(p), False)]
    if group_one and not p.specs:
        lines.append(("not in the file", False))
    elif group_one and p.specs != (p.name,):
        lines.append((p.group, False))
    elif not group_one and not named:  # (a group with a strip shows its name there)
        lines.append(("in " + p.group, False))
    step = LABEL_SIZE + 2
    shown = 0
    for text, bold in lines:
        if (shown + 1) * step + 3 > h or not _fits(text, w - 6, LABEL_SIZE, bold):
            break
        out.append(_text(x + 3, y + 3 + LABEL_SIZE + shown * step, text, bold=bold, cls="label"))
        shown += 1
    out.append("</g>")
    return out


def _strip_label(name: str, members: list[Package], w: float, h: float) -> str | None:
    """The text on a group's strip: its spec(s) and size, or only the spec(s), or none when the group is too
    small for a strip or the spec does not fit."""
    if h < 3 * STRIP:
        return None
    nbytes = sum(p.bytes for p in members)  # type: ignore[misc]
    for text in (f"{name}: {_size(nbytes, any(p.estimate for p in members))}", name):
        if _fits(text, w - 6, STRIP_SIZE, bold=True):
            return text
    return None


def _treemap(pic: Picture, side: str, x: float, y: float, w: float, h: float) -> list[str]:
    groups = _groups(pic.side(side))
    out = [f'<g class="treemap" data-side="{side}">']
    if not groups:
        empty = "does not solve" if side == "after" and pic.unsolved else "no package with a figure"
        out.append(_text(x + 6, y + 18, empty, 12))
    boxes = squarify([float(sum(p.bytes for p in members)) for _, members in groups], x, y, w, h)  # type: ignore[misc]
    for (name, members), (gx, gy, gw, gh) in zip(groups, boxes):
        out.append(f'<g class="group" data-group="{_esc(name)}">')
        label = _strip_label(name, members, gw, gh) if len(members) > 1 else None
        top = STRIP if label else 0.0
        if label:  # the group's name on a strip at its top (part of the group's area)
            out.append(f'<rect x="{_n(gx)}" y="{_n(gy)}" width="{_n(gw)}" height="{STRIP}" fill="{STRIP_FILL}"/>')
            out.append(_text(gx + 3, gy + STRIP - 3.5, label, STRIP_SIZE, bold=True))
        inner = squarify([float(p.bytes) for p in members], gx, gy + top, gw, gh - top)  # type: ignore[arg-type]
        for p, box in zip(members, inner):
            out += _rect(pic, p, box, len(members) == 1, named=bool(label))
        out.append(f'<rect x="{_n(gx)}" y="{_n(gy)}" width="{_n(gw)}" height="{_n(gh)}" fill="none"'
                   f' stroke="{OUTLINE}" stroke-width="1.5"/>')
        out.append("</g>")
    out.append("</g>")
    return out


def _total_text(total: tuple[int | None, int], approx: bool = False) -> str:
    known, unknown = total
    if known is None:  # no package on this side has a figure
        return "unknown"
    return _size(known, approx) + (f" + {unknown} unknown" if unknown else "")


def _side_text(pic: Picture, side: str) -> str:
    if side == "after" and pic.unsolved:
        return "does not solve"
    return _total_text(counted(pic, side), pic.union is None and pic.approximate(side))


def counted(pic: Picture, side: str) -> tuple[int | None, int]:
    """A side's total as the title states it: the report's union when there is one, else the drawn sum."""
    if pic.union is not None:
        return pic.union[0 if side == "before" else 1]
    return pic.total(side)


def _saving_text(pic: Picture) -> str:
    if pic.unsolved:
        return ""
    if pic.saving is not None:  # measured
        n, approx = pic.saving
        if n is None:
            return ", saving unknown"
        if n < 0:
            return f", grows by {_size(-n, approx)}"
        return f", saves {_size(n, approx)}"
    (before, _), (after, _) = counted(pic, "before"), counted(pic, "after")
    if pic.union is not None:
        n = pic.union[2]
        return f", saves ~{mb(n)}" if n else ""
    return f", saves ~{mb(before - after)}" if before is not None and after is not None and before > after else ""


def title(pic: Picture) -> str:
    what = pic.figures or ("solved" if pic.solved else "estimates")
    before = [p for p in pic.packages if p.side == "before"]
    unknown = sum(1 for p in before if p.bytes is None)
    lead = f"{unknown} of {len(before)} packages have no figure: " if before and unknown * 2 > len(before) else ""
    if pic.installed:
        return f"{lead}{pic.path}: {_side_text(pic, 'before')} installed ({what}); {pic.platform}, Python {pic.python}"
    return (f"{lead}{pic.path}: {_side_text(pic, 'before')} \u2192 {_side_text(pic, 'after')}"
            f" installed{_saving_text(pic)} ({what}); {pic.platform}, Python {pic.python}")


def subtitle(pic: Picture) -> str:
    if pic.solved:
        estimated = sum(1 for p in pic.packages if p.estimate is not None and p.bytes is not None)
        what = "Exact installed bytes of the solved packages" + (
            f" ({estimated} marked ~ {'is an estimate' if estimated == 1 else 'are estimates'})" if estimated else "")
    else:
        what = ("Estimates, not a solve: each figure is for the version and platform it names, and closures of"
                " different packages can share dependencies")
    return f"{what}. {pic.note}".strip() if pic.note else what + "."


def _not_drawn(pic: Picture) -> list[tuple[str, str]]:
    """(name, why) for every package with no area, each name once, in name order."""
    rows: dict[tuple[str, str], list[str]] = {}
    for p in pic.packages:
        if not p.bytes:
            why = "no figure" if p.bytes is None else "0 B"
            rows.setdefault((p.name, why), []).append(p.side)
    out = []
    for (name, why), sides in sorted(rows.items()):
        where = "before and after" if len(sides) > 1 else sides[0]
        out.append((f"{name}", f"{why}, {where}"))
    return out


def _chars(size: float, bold: bool = False, width: float = WIDTH - 2 * MARGIN) -> int:
    """How many characters of this size fit on a line of ``width``."""
    return int(width / (size * (BOLD_CHAR if bold else CHAR)))


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(redact(text), width, break_long_words=True, break_on_hyphens=False) or [""]


def _bars(pic: Picture, y: float) -> tuple[list[str], float]:
    if not pic.bars:
        return [], y
    heading = "Findings the rewrite applies" + (", each measured by a solve" if pic.solved else "")
    out = ['<g class="findings">', _text(MARGIN, y + 14, heading, 14, bold=True)]
    y += 26
    biggest = max([v for b in pic.bars for v in (b.leaving_conda, b.added_pip, b.net) if v] or [1])
    left, span = MARGIN + 130, 560
    for b in pic.bars:
        out.append(f'<g class="bar" data-rule="{_esc(b.rule)}" data-package="{_esc(b.package)}"'
                   f' data-leaving-conda="{_attr(b.leaving_conda)}" data-added-pip="{_attr(b.added_pip)}"'
                   f' data-net="{_attr(b.net)}">')
        out.append(f"<title>{_esc(f'{b.rule} {b.package}: {b.message}; {b.source}')}</title>")
        for line in _wrap(f"{b.rule} {b.package}: {b.message}", _chars(12, bold=True)):
            out.append(_text(MARGIN, y + 12, line, 12, bold=True))
            y += 16
        y += 2
        for label, value, colour in (("leaves conda", b.leaving_conda, LEAVES), ("added by pip", b.added_pip, PIP),
                                     ("net saving", b.net, NET)):
            out.append(_text(MARGIN + 8, y + 11, label, LABEL_SIZE))
            length = span * value / biggest if value else 0.0
            if value:
                out.append(f'<rect x="{_n(left)}" y="{_n(y + 2)}" width="{_n(length)}" height="11" fill="{colour}"/>')
            out.append(_text(left + length + 6, y + 11, _size(value, b.estimate), LABEL_SIZE))
            y += 15
        source = f"source: {b.source}" if b.source else "source: none given"
        for line in _wrap(source, _chars(10, width=WIDTH - 3 * MARGIN)):
            out.append(_text(MARGIN + 8, y + 10, line, 10, cls="source"))
            y += 13
        out.append("</g>")
        y += 8
    out.append("</g>")
    return out, y


def _legend(y: float) -> list[str]:
    out = ['<g class="legend">']
    x = MARGIN
    for fill, label in ((CONDA, "conda"), (PIP, "pip"), ("url(#leaves)", "leaves"),
                        ("url(#arrives-conda)", "arrives (conda)"), ("url(#arrives-pip)", "arrives (pip)")):
        out.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="14" height="14" fill="{fill}" stroke="{OUTLINE}"'
                   ' stroke-width="0.5"/>')
        out.append(_text(x + 19, y + 11, label, LABEL_SIZE))
        x += 19 + len(label) * LABEL_SIZE * CHAR + 12
    out.append(_text(x, y + 11, "Area = installed bytes, same scale both sides; outlined: what one requested"
                     " spec brings", LABEL_SIZE))
    out.append("</g>")
    return out


def to_svg(pic: Picture) -> str:
    """The picture as a standalone SVG document."""
    totals = {s: pic.total(s)[0] or 0 for s in SIDES}
    scale = TREE_HEIGHT / max(max(totals.values()), 1)
    title_lines = _wrap(title(pic), _chars(17, bold=True))
    subtitle_lines = _wrap(subtitle(pic), _chars(11))
    top = 28 + 21 * (len(title_lines) - 1)
    heads = top + 22 + 14 * len(subtitle_lines)
    tree_top = heads + 20
    body: list[str] = []
    heights = {s: TREE_HEIGHT if max(totals.values()) == 0 else totals[s] * scale for s in SIDES}
    for i, s in enumerate(SIDES[:1] if pic.installed else SIDES):
        x = MARGIN + i * (PANEL + MARGIN)
        pkgs = pic.side(s)
        head = f"{'Installed' if pic.installed else s.capitalize()}: {_side_text(pic, s)}" + (
            "" if s == "after" and pic.unsolved else f", {len(pkgs)} packages")
        body.append(_text(x, heads + 12, head, 13, bold=True))
        body += _treemap(pic, s, x, tree_top, PANEL, heights[s])
    col = MARGIN + 2 * (PANEL + MARGIN)
    body.append('<g class="not-drawn">')
    body.append(_text(col, heads + 12, "Not drawn", 13, bold=True))
    yy = tree_top + 12
    missing = _not_drawn(pic)
    for name, why in missing:
        body.append(_text(col, yy, name, LABEL_SIZE, bold=True))
        body.append(_text(col, yy + 13, why, 10))
        yy += 30
    if not missing:
        body.append(_text(col, yy, "every package has a figure", LABEL_SIZE))
        yy += 30
    body.append("</g>")
    y = max(tree_top + TREE_HEIGHT, yy) + 14
    body += _legend(y)
    bars, y = _bars(pic, y + 30)
    body += bars
    height = y + MARGIN
    head = [_text(MARGIN, 28 + 21 * i, line, 17, bold=True) for i, line in enumerate(title_lines)]
    head += [_text(MARGIN, top + 19 + 14 * i, line, 11) for i, line in enumerate(subtitle_lines)]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{_n(height)}"'
        f' viewBox="0 0 {WIDTH} {_n(height)}" role="img" aria-label="{_esc(title(pic))}"'
        f' font-family="{FONT}">',
        f"<title>{_esc(title(pic))}</title>",
        "<defs>",
        *_pattern("leaves", LEAVES, 45),
        *_pattern("arrives-conda", CONDA, -45),
        *_pattern("arrives-pip", PIP, -45),
        "<style>.label{paint-order:stroke;stroke:#ffffff;stroke-width:2.5px;stroke-opacity:0.75}</style>",
        "</defs>",
        f'<rect width="{WIDTH}" height="{_n(height)}" fill="#ffffff"/>',
        *head,
        *body,
        "</svg>",
    ]
    return "\n".join(out) + "\n"


# -- HTML -----------------------------------------------------------------------------------------------------

_CSS = """\
body{font-family:DejaVu Sans,Verdana,Arial,sans-serif;margin:16px;color:#111;background:#fff}
h2{font-size:15px;margin-top:24px}
table{border-collapse:collapse;font-size:12px}
th,td{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"""


def _cell(text: str, numeric: bool = False) -> str:
    return f'<td class="n">{_esc(text)}</td>' if numeric else f"<td>{_esc(text)}</td>"


def _exact(p: Package) -> str:
    if p.bytes is None:
        return "unknown"
    if p.estimate is not None:
        return f"~{p.bytes:,} ({p.estimate[0]:,} to {p.estimate[1]:,})"
    return f"{p.bytes:,}"


def to_html(pic: Picture) -> str:
    """One self-contained page: the SVG inline, then every package and finding as tables."""
    rows = []
    for s in SIDES:
        for p in sorted(pic.side(s), key=lambda p: (p.group, -(p.bytes or 0), p.name, p.manager)):
            figure = f"{p.kind} ({p.platform})" if p.kind and p.platform else p.kind
            rows.append("<tr>" + "".join((
                _cell(s), _cell(p.group), _cell(p.name), _cell(p.version), _cell(p.build), _cell(p.manager),
                _cell(figure), _cell(_exact(p), True), _cell(_psize(p), True), _cell(_change(pic, p)),
                _cell(p.source or p.why))) + "</tr>")
    bars = ["<tr>" + "".join((
        _cell(b.rule), _cell(b.package), _cell(b.message), _cell(_size(b.leaving_conda, b.estimate), True),
        _cell(_size(b.added_pip, b.estimate), True), _cell(_size(b.net, b.estimate), True), _cell(b.source)))
        + "</tr>" for b in pic.bars]
    unknown = [f"<li>{_esc(name)}: {_esc(why)}</li>" for name, why in _not_drawn(pic)]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8"/>',  # (a void element closed: the page is well-formed XML too)
        f"<title>{_esc(title(pic))}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        to_svg(pic).rstrip("\n"),  # (it carries the title and the note)
    ]
    if bars:
        out += ["<h2>Findings: figures and sources</h2>", "<table>",
                "<tr><th>rule</th><th>package</th><th>finding</th><th>leaves conda</th><th>added by pip</th>"
                "<th>net saving</th><th>source</th></tr>", *bars, "</table>"]
    out += ["<h2>Packages</h2>", "<table>",
            "<tr><th>side</th><th>requested spec</th><th>package</th><th>version</th><th>build</th><th>manager</th>"
            "<th>figure</th><th>bytes</th><th>MB</th><th>change</th><th>source</th></tr>", *rows, "</table>"]
    if unknown:
        out += ["<h2>Not drawn</h2>", "<ul>", *unknown, "</ul>"]
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
