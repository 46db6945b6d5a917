"""The footprint picture (``envslim report --format svg|html``): golden SVG and HTML for a fixed model (exact
bytes), the structure (every package once, with its exact bytes, areas on one scale, no overlaps), the
squarified layout, the bundled example through the command line, and a real headless Chromium rendering the
page to a PNG (Debian's ``chromium``; the test skips when it is not installed).

The PNGs are written to ``bench/out/picture/`` (``example.png``: the README's picture, ``model.png``) and
their paths printed; ``ENVSLIM_REGEN_GOLDEN=1`` rewrites the golden files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

from envslim.output import picture
from envslim.output.picture import Bar, Package, Picture
from tests.onlinekit import add_conda, add_wheels, conda_pkg, index, run_cli  # noqa: F401 (index: a fixture)

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = ROOT / "tests" / "golden" / "picture"
PNG_DIR = ROOT / "bench" / "out" / "picture"
SVG = "{http://www.w3.org/2000/svg}"


def _pkg(name, version, nbytes, specs, side, manager="conda", **kw) -> Package:
    return Package(name=name, version=version, build=kw.pop("build", "h0_0" if manager == "conda" else ""),
                   bytes=nbytes, manager=manager, specs=specs, side=side, **kw)


BIG = ("bigarrow>=15",)
FOO = ("libfoo>=1.2",)
PRIVATE = "https://user:s3cret@example.com/pkgs/private-1.0-py3-none-any.whl"

# A fixed, made-up environment (the names are test fixtures, the bytes chosen for the test): a package that
# leaves conda with what only it pulls in, a package two specs share, one spec's three packages, a pip
# package, one with no figure, a zero-byte metapackage, a URL with credentials and a name that needs
# escaping.
MODEL = Picture(
    path="envs/demo & test.yml",
    platform="linux-64",
    python="3.11",
    solved=True,
    note="Fixture: the figures are made up for the test.",
    packages=(
        _pkg("python", "3.11.9", 52_000_000, ("python=3.11",), "before", build="h955ad1f_0_cpython"),
        _pkg("openssl", "3.3.1", 9_000_000, ("python=3.11", "bigarrow>=15"), "before"),
        _pkg("libfoo", "1.2.0", 30_000_000, FOO, "before"),
        _pkg("libfoo-data", "1.2.0", 12_500_000, FOO, "before"),
        _pkg("libfoo-doc", "1.2.0", 300_000, FOO, "before"),
        _pkg("libzstd", "1.5.6", 2_000_000, ("bigarrow>=15", "libfoo>=1.2"), "before"),
        _pkg("bigarrow", "15.0.0", 90_000_000, BIG, "before", leaving=True),
        _pkg("libcloud-sdk", "2.1.0", 160_000_000, BIG, "before", leaving=True),
        _pkg("tinylib", "1.0", 40_000, ("tinylib==1.0",), "before", manager="pip"),
        _pkg("mystery", "0.1", None, ("mystery",), "before"),
        _pkg("empty-meta", "1.0", 0, ("empty-meta",), "before"),
        _pkg("private", "1.0", 1_000_000, (PRIVATE,), "before", manager="pip"),
        _pkg("a<b>", "1", 5_000_000, ('a<b>="1"',), "before"),
        _pkg("python", "3.11.9", 52_000_000, ("python=3.11",), "after", build="h955ad1f_0_cpython"),
        _pkg("openssl", "3.3.1", 9_000_000, ("python=3.11",), "after"),
        _pkg("libfoo", "1.2.0", 30_000_000, FOO, "after"),
        _pkg("libfoo-data", "1.2.0", 12_500_000, FOO, "after"),
        _pkg("libfoo-doc", "1.2.0", 300_000, FOO, "after"),
        _pkg("libzstd", "1.5.6", 2_000_000, FOO, "after"),
        _pkg("bigarrow", "15.0.2", 45_000_000, ("bigarrow>=15",), "after", manager="pip"),
        _pkg("tinylib", "1.0", 40_000, ("tinylib==1.0",), "after", manager="pip"),
        _pkg("mystery", "0.1", None, ("mystery",), "after"),
        _pkg("empty-meta", "1.0", 0, ("empty-meta",), "after"),
        _pkg("private", "1.0", 1_000_000, (PRIVATE,), "after", manager="pip"),
        _pkg("a<b>", "1", 5_000_000, ('a<b>="1"',), "after"),
    ),
    bars=(
        Bar("ES001", "bigarrow", "move to pip: the conda build pulls a cloud SDK", 250_000_000, 45_000_000,
            205_000_000, "fixture: solved before and after"),
        Bar("ES099", "mystery", "a finding whose saving is not known", None, 0, None, ""),
    ),
)


def _golden(name: str, text: str) -> str:
    path = GOLDEN / name
    if os.environ.get("ENVSLIM_REGEN_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return path.read_bytes().decode("utf-8")


# -- golden ---------------------------------------------------------------------------------------------------


def test_model_svg_is_exact():
    assert picture.to_svg(MODEL) == _golden("model.svg", picture.to_svg(MODEL))


def test_model_html_is_exact():
    assert picture.to_html(MODEL) == _golden("model.html", picture.to_html(MODEL))


def test_output_is_deterministic_whatever_the_order_of_the_packages():
    from dataclasses import replace

    shuffled = replace(MODEL, packages=tuple(reversed(MODEL.packages)))
    assert picture.to_svg(shuffled) == picture.to_svg(MODEL)


def test_example_svg_and_html_through_the_cli(capsys, monkeypatch, tmp_path):
    """The bundled example, knowledge-base figures: the title says so, the unknown packages are listed beside
    the treemaps and not drawn, and ``-o`` writes the file (nothing on stdout)."""
    monkeypatch.chdir(ROOT)
    for fmt in ("svg", "html"):
        out_file = tmp_path / f"example.{fmt}"
        rc, out, err = run_cli(capsys, "report", "--format", fmt, "-o", str(out_file), "examples/environment.yml")
        assert (rc, out, err) == (0, "", "")
        text = out_file.read_text(encoding="utf-8")
        assert text == _golden(f"example.{fmt}", text)
    rc, out, err = run_cli(capsys, "report", "--format", "svg", "examples/environment.yml")
    assert (rc, err) == (0, "") and out == (tmp_path / "example.svg").read_text(encoding="utf-8")
    root = ET.fromstring(out)
    assert root.find(f"{SVG}title").text == (
        "examples/environment.yml: ~503.0 MB + 4 unknown \u2192 ~379.7 MB + 4 unknown installed, saves ~123.2 MB"
        " (estimates from the graph snapshot and the knowledge base); linux-64, Python 3.9")
    words = " ".join(t.text for t in root.findall(f"{SVG}text"))  # the heading's lines
    assert "Estimates, not a solve" in words
    assert "Figures from the graph snapshot of 2026-08-17 and the envslim knowledge base; each package is drawn once" in words
    drawn = [(g.get("data-side"), g.get("data-package"), int(g.get("data-bytes"))) for g in _pkgs(root)]
    assert len(drawn) == len({(side, name) for side, name, _ in drawn})  # each package once a side
    rc, out, err = run_cli(capsys, "report", "--format", "json", "examples/environment.yml")
    estimate = json.loads(out)["files"][0]["estimate"]
    # the areas add up to the report's totals (each package once), not more (linux-64, Python 3.9)
    assert sum(b for side, _, b in drawn if side == "before") == estimate["before_bytes"] == 502_965_572
    assert sum(b for side, _, b in drawn if side == "after") == estimate["after_bytes"] == 379_720_264
    libarrow = next(g for g in _pkgs(root) if g.get("data-package") == "libarrow")
    assert (libarrow.get("data-spec"), libarrow.get("data-side"), libarrow.get("data-leaving")) == (
        "pyarrow", "before", "true")  # in pyarrow's group, leaving with the move
    assert ("after", "pyarrow", 141_197_952) in drawn  # the pip line as its wheel
    assert _not_drawn(root) == [
        ("aiobotocore", "no figure, before and after"), ("botocore", "no figure, before and after"),
        ("pandas", "no figure, before and after"), ("s3fs", "no figure, before and after")]
    bars = [(b.get("data-rule"), b.get("data-leaving-conda"), b.get("data-added-pip"), b.get("data-net"))
            for b in root.iter(f"{SVG}g") if b.get("class") == "bar"]
    # the bar is the fix's effect on the environment: the 61 packages that leave (a union: what numpy and
    # python keep stays; not pyarrow's whole 289.0 MB closure), less the 21.0.0 wheel: the rewrite's saving
    assert bars == [("ES001", "264443260", "141197952", "123245308")]


def test_picture_takes_one_file_and_reports_an_unwritable_output(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    rc, out, err = run_cli(capsys, "report", "--format", "svg", "examples/environment.yml", "examples/environment.yml")
    assert (rc, out, err) == (2, "", "envslim: error: --format svg draws one file; got 2\n")
    target = tmp_path / "missing" / "x.html"
    rc, out, err = run_cli(capsys, "report", "--format", "html", "-o", str(target), "examples/environment.yml")
    assert (rc, out, err) == (2, "", f"{target}: cannot write: No such file or directory\n")
    assert not target.parent.exists()


# -- structure ------------------------------------------------------------------------------------------------


def _pkgs(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "pkg"]


def _not_drawn(root: ET.Element) -> list[tuple[str, str]]:
    (col,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "not-drawn"]
    texts = [t.text for t in col.iter(f"{SVG}text")][1:]
    return list(zip(texts[::2], texts[1::2]))


def _box(g: ET.Element) -> tuple[float, float, float, float]:
    """The box of a rect, or of a package's rect."""
    r = g if g.tag == f"{SVG}rect" else g.find(f"{SVG}rect")
    return tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def test_every_package_is_drawn_once_with_its_exact_bytes():
    root = ET.fromstring(picture.to_svg(MODEL))
    drawn = [(g.get("data-side"), g.get("data-package"), g.get("data-manager"), int(g.get("data-bytes")))
             for g in _pkgs(root)]
    expected = [(p.side, p.name, p.manager, p.bytes) for p in MODEL.packages if p.bytes]
    assert sorted(drawn) == sorted(expected) and len(set(drawn)) == len(drawn)
    assert _not_drawn(root) == [("empty-meta", "0 B, before and after"), ("mystery", "no figure, before and after")]
    by_key = {(g.get("data-side"), g.get("data-package")): g for g in _pkgs(root)}
    big = by_key[("before", "bigarrow")]
    assert (big.get("data-leaving"), big.get("data-spec"), big.get("data-version")) == ("true", "bigarrow>=15", "15.0.0")
    assert big.find(f"{SVG}title").text == (
        "bigarrow 15.0.0 h0_0 (conda): 90.0 MB (90,000,000 B), before; brought by bigarrow>=15; leaves")
    assert by_key[("after", "bigarrow")].find(f"{SVG}rect").get("fill") == "url(#arrives-pip)"
    assert by_key[("before", "openssl")].get("data-spec") == "python=3.11; bigarrow>=15"
    groups = {g.get("data-group") for g in root.iter(f"{SVG}g") if g.get("class") == "group"}
    assert "shared: python=3.11, bigarrow>=15" in groups and "shared: bigarrow>=15, libfoo>=1.2" in groups


def test_areas_share_one_scale_and_do_not_overlap():
    """One scale for both sides: the larger side's 361.84 MB fill 420 x 420 px (coordinates to 0.1 px). A group
    of several packages gives the strip with its name (14 px high) out of its area; its packages share the
    rest in proportion."""
    root = ET.fromstring(picture.to_svg(MODEL))
    px = 420 * 420 / 361_840_000
    for side in picture.SIDES:
        (tree,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "treemap" and g.get("data-side") == side]
        for group in tree.findall(f"{SVG}g"):
            members = _pkgs(group)
            x, y, w, h = _box(group.findall(f"{SVG}rect")[-1])  # the outline
            total = sum(int(g.get("data-bytes")) for g in members)
            assert w * h == pytest.approx(total * px, rel=0.01, abs=25)
            strip = 14 if group.find(f"{SVG}text") is not None else 0
            assert strip == (14 if len(members) > 1 and h >= 42 else 0)
            for g in members:
                assert _box(g)[2] * _box(g)[3] == pytest.approx(
                    int(g.get("data-bytes")) * (h - strip) / h * px, rel=0.01, abs=25)
        gs = [g for g in _pkgs(root) if g.get("data-side") == side]
        boxes = [_box(g) for g in gs]
        for x, y, w, h in boxes:
            assert 20 <= x and x + w <= 20 + 440 * (side == "after") + 420 + 0.11
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
                dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
                assert dx <= 0.11 or dy <= 0.11, (a, b)


def test_squarify_follows_bruls_et_al():
    """The paper's worked example: 6, 6, 4, 3, 2, 2, 1 in a 6 x 4 box (Bruls, Huizing, van Wijk 2000): a column
    of the two 6s, a row of 4 and 3, and 2, 2, 1 side by side in what is left."""
    boxes = picture.squarify([6, 6, 4, 3, 2, 2, 1], 0, 0, 6, 4)
    rounded = [tuple(round(v, 3) for v in b) for b in boxes]
    assert rounded == [
        (0, 0, 3, 2), (0, 2, 3, 2),  # first column: 6 and 6
        (3, 0, 1.714, 2.333), (4.714, 0, 1.286, 2.333),  # then a row at the top: 4 and 3
        (3, 2.333, 1.2, 1.667), (4.2, 2.333, 1.2, 1.667), (5.4, 2.333, 0.6, 1.667),  # 2, 2, 1 fill the rest
    ]
    assert sum(w * h for _, _, w, h in boxes) == pytest.approx(24)


def test_labels_only_where_they_fit():
    root = ET.fromstring(picture.to_svg(MODEL))
    for g in _pkgs(root):
        x, y, w, h = _box(g)
        for t in g.iter(f"{SVG}text"):
            size = float(t.get("font-size"))
            advance = 0.68 if t.get("font-weight") == "bold" else 0.62
            assert len(t.text) * size * advance <= w - 6 and float(t.get("y")) <= y + h
    labels = {g.get("data-package"): [t.text for t in g.iter(f"{SVG}text")] for g in _pkgs(root)
              if g.get("data-side") == "before"}
    assert labels["libcloud-sdk"] == ["libcloud-sdk", "160.0 MB"]  # its group's strip names bigarrow>=15
    strips = [t.text for g in root.iter(f"{SVG}g") if g.get("class") == "group" for t in g.findall(f"{SVG}text")]
    assert strips == ["bigarrow>=15: 250.0 MB", "libfoo>=1.2", "python=3.11: 61.0 MB", "libfoo>=1.2"]
    assert labels["tinylib"] == []  # 40 kB: far too small for a label


def test_self_contained_and_redacted():
    for text in (picture.to_svg(MODEL), picture.to_html(MODEL)):
        assert "s3cret" not in text and "https://***@example.com/pkgs/private-1.0-py3-none-any.whl" in text
        assert not re.search(r"<script|<link|<img|@import|href=|src=|@font-face", text)
        assert re.findall(r"url\((.*?)\)", text) and all(u.startswith("#") for u in re.findall(r"url\((.*?)\)", text))
        assert re.findall(r"http://[^\"]*", text) == ["http://www.w3.org/2000/svg"]
    ET.fromstring(picture.to_svg(MODEL))  # well-formed XML (names and specs escaped)


# -- a real browser -------------------------------------------------------------------------------------------


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium; .ci/run installs it as root)")
    return found


def _screenshot(browser: str, page: Path, png: Path, width: int, height: int, tmp_path: Path) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    profile = tmp_path / "chromium-profile"
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--hide-scrollbars", f"--window-size={width},{height}",
           f"--screenshot={png}", page.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr


def _read_png(data: bytes) -> tuple[int, int, set[tuple[int, int, int]]]:
    """(width, height, the set of RGB colours) of an 8-bit RGB or RGBA PNG, decoded with zlib."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, head = 8, b"", None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = head  # type: ignore[misc]
    assert (depth, colour, interlace) in ((8, 2, 0), (8, 6, 0))
    bpp = 3 if colour == 2 else 4
    raw, stride, prev, colours = zlib.decompress(idat), width * bpp, bytearray(width * bpp), set()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        colours.update(bytes(line[i:i + 3]) for i in range(0, stride, bpp))  # type: ignore[misc]
        prev = line
    return width, height, {tuple(c) for c in colours}  # type: ignore[misc]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@pytest.mark.slow  # a real headless Chromium per page
@pytest.mark.parametrize("name", ["example", "model"])
def test_chromium_renders_the_page(name, capsys, monkeypatch, tmp_path):
    browser = _chromium()
    if name == "example":
        monkeypatch.chdir(ROOT)
        rc, svg, err = run_cli(capsys, "report", "--format", "svg", "examples/environment.yml")
        assert (rc, err) == (0, "")
        rc, html, err = run_cli(capsys, "report", "--format", "html", "examples/environment.yml")
        assert (rc, err) == (0, "")
    else:
        svg, html = picture.to_svg(MODEL), picture.to_html(MODEL)
    height = int(ET.fromstring(svg).get("height"))
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    (tmp_path / "page.svg").write_text(svg, encoding="utf-8")
    png = PNG_DIR / f"{name}.png"
    _screenshot(browser, tmp_path / "page.svg", png, 1120, height, tmp_path)
    width, got_height, colours = _read_png(png.read_bytes())
    assert (width, got_height) == (1120, height)
    # the fills were drawn: the plain conda colour, the net-saving bars, the pip colour (legend swatch)
    assert {_rgb(picture.CONDA), _rgb(picture.NET), _rgb(picture.PIP)} <= colours
    page_png = tmp_path / "page.png"  # the HTML page (SVG inline) renders too
    _screenshot(browser, tmp_path / "page.html", page_png, 1160, 1000, tmp_path)
    assert {_rgb(picture.CONDA), _rgb(picture.NET)} <= _read_png(page_png.read_bytes())[2]
    with capsys.disabled():
        print(f"\nfootprint picture written to {png}")


def test_readme_picture_is_the_example_at_its_size(capsys, monkeypatch):
    """docs/footprint-example.png (the README's) has the size of the example's SVG: re-render it when the
    picture changes shape (see the README's "Footprint picture")."""
    monkeypatch.chdir(ROOT)
    rc, svg, err = run_cli(capsys, "report", "--format", "svg", "examples/environment.yml")
    data = (ROOT / "docs" / "footprint-example.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1120, int(ET.fromstring(svg).get("height")))
    assert len(data) < 64_000


def test_bad_input_writes_nothing_and_an_empty_file_draws_no_area(capsys, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("name: x\ndependencies:\n  - [oops\n")
    target = tmp_path / "bad.svg"
    rc, out, err = run_cli(capsys, "report", "--format", "svg", "-o", str(target), str(bad))
    assert (rc, out) == (2, "") and err.startswith(f"{bad}:4:1: invalid YAML") and err.count("\n") == 1
    assert not target.exists()
    empty = tmp_path / "empty.yml"
    empty.write_text("name: x\ndependencies:\n  - mystery-package\n")
    rc, out, err = run_cli(capsys, "report", "--format", "svg", str(empty))
    root = ET.fromstring(out)
    assert (rc, err, _pkgs(root)) == (0, "", [])
    assert root.find(f"{SVG}title").text == (
        f"1 of 1 packages have no figure: {empty}: unknown \u2192 unknown installed (estimates from the knowledge"
        " base); linux-64, Python 3.11")
    assert [t.text for t in root.iter(f"{SVG}text")].count("no package with a figure") == 2
    assert _not_drawn(root) == [("mystery-package", "no figure, before and after")]


def test_online_figures_are_drawn_with_their_sources(capsys, index, monkeypatch, tmp_path):
    """``--online`` against the local index: the pip side's wheel and a conda package are PyPI's and
    anaconda.org's figures, and the title and note say the figures are not only the knowledge base's."""
    monkeypatch.chdir(tmp_path)
    # (libfoo, which the graph snapshot does not know, is drawn from a second file: next to it pyarrow is not
    # moved, since whether libfoo pulls pyarrow back cannot be judged offline)
    Path("environment.yml").write_text(
        "name: demo\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pyarrow>=15\n")
    Path("libfoo.yml").write_text(
        "name: demo\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - libfoo>=1.2\n")
    wheel = add_wheels(index, "pyarrow", {"16.1.0": 40_000})["16.1.0"]
    libfoo, python = conda_pkg("libfoo", "1.2.3", 20_000), conda_pkg("python", "3.11.9", 50_000)
    add_conda(index, libfoo, python, conda_pkg("pip", "24.0", 3_000, build="pyh0_0", subdir="noarch"))
    rc, out, err = run_cli(capsys, "report", "--online", "--format", "svg", "libfoo.yml")
    assert (rc, err) == (0, "")
    drawn = {(g.get("data-side"), g.get("data-package")): g for g in _pkgs(ET.fromstring(out))}
    assert drawn[("before", "libfoo")].get("data-bytes") == str(libfoo.installed)
    rc, out, err = run_cli(capsys, "report", "--online", "--format", "svg", "environment.yml")
    assert (rc, err) == (0, "")
    root = ET.fromstring(out)
    drawn = {(g.get("data-side"), g.get("data-package")): g for g in _pkgs(root)}
    after = drawn[("after", "pyarrow")]
    assert (after.get("data-bytes"), after.get("data-version"), after.get("data-manager")) == (
        str(wheel.installed), "16.1.0", "pip")
    assert after.find(f"{SVG}title").text.startswith(
        f"pyarrow 16.1.0 (pip, wheel, cp311-cp311-manylinux_2_28_x86_64): 0.0 MB ({wheel.installed:,} B), after;"
        " brought by pyarrow>=15; arrives; PyPI pyarrow-16.1.0-cp311-cp311-manylinux_2_28_x86_64.whl")
    assert root.find(f"{SVG}title").text.endswith(
        "(estimates from the graph snapshot and the knowledge base and online lookups); linux-64, Python 3.11")
    words = " ".join(t.text for t in root.findall(f"{SVG}text"))
    assert ("Figures from the graph snapshot of 2026-08-17 and the envslim knowledge base, PyPI, anaconda.org or"
            " the lockfile; each package is drawn once") in words  # (the conda side the model's; pip online)


@pytest.mark.parametrize("stack", ["api", "geo", "torch"])
def test_a_stack_draws_each_package_once_and_adds_up_to_its_total(capsys, shared_dir, stack):
    """The service stacks of ../shared: the rectangles of a side add up to the report's total for it (an API
    service's drew 744 MB against a 669.6 MB total when each requested package was drawn with its closure)."""
    found = sorted((shared_dir / "examples" / "stacks").glob(f"*{stack}*"))
    if not found:
        pytest.skip(f"no {stack} stack in ../shared/examples/stacks")
    path = found[0] / "environment.yml" if found[0].is_dir() else found[0]
    rc, out, err = run_cli(capsys, "report", "--format", "svg", str(path))
    assert rc == 0
    drawn = [(g.get("data-side"), g.get("data-package"), int(g.get("data-bytes"))) for g in _pkgs(ET.fromstring(out))]
    assert len(drawn) == len({(side, name) for side, name, _ in drawn})
    rc, out, err = run_cli(capsys, "report", "--format", "json", str(path))
    estimate = json.loads(out)["files"][0]["estimate"]
    assert sum(b for side, _, b in drawn if side == "before") == estimate["before_bytes"]
    assert sum(b for side, _, b in drawn if side == "after") == estimate["after_bytes"]
