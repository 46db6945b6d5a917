"""The footprint picture as one self-contained HTML page (the SVG inline, then the tables behind it);
:mod:`envslim.output.picture` holds the model, the layout and the SVG."""

from __future__ import annotations

from envslim.output.picture import Package, Picture, SIDES, _change, _esc, _not_drawn, _psize, _size, title, to_svg

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
        '<meta charset="utf-8">',
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
