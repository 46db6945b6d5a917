"""The solved picture (``envslim report --solve --format svg|html``) against the solve tests' local channel of
real ``.conda`` files and local PyPI (tests/solve/conftest.py, world.py): golden SVG and HTML (exact bytes), every
solved package drawn once with the exact bytes the solve's JSON gives, the groups and bars as the JSON's
attribution and findings, a fix the solve refuses, an after side that does not solve, and a real headless
Chromium rendering it (``bench/out/picture/solved.png``; the test skips without ``chromium``).

``ENVSLIM_REGEN_GOLDEN=1`` rewrites the golden files.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from envslim.output import picture
from tests.onlinekit import run_cli
from tests.solve.conftest import built_world, channel, env, pypi, server, world  # noqa: F401 (fixtures)
from tests.output.test_picture import PNG_DIR, SVG, _chromium, _golden, _not_drawn, _pkgs, _read_png, _rgb, _screenshot

pytestmark = pytest.mark.slow  # real solves (py-rattler, uv) on the tests' local channel and index

HEAD = "name: t\nchannels:\n  - conda-forge\n  - nodefaults\ndependencies:\n"
# A move to pip the solve proves (pyarrow and the libarrow/libaws closure only it needs), a numpy<2 guard, a
# package several specs share (python, numpy's BLAS), a .tar.bz2 whose size is an estimate (locket), and a pip
# package on both sides.
SOLVED = HEAD + ("  - python=3.11\n  - pip\n  - numpy\n  - pyarrow=15\n  - requests\n  - locket\n"
                 "  - pip:\n    - tqdm\n")


def _solve(capsys, monkeypatch, tmp_path, fmt: str, text: str = SOLVED, *extra: str) -> str:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "environment.yml").write_text(text)
    rc, out, err = run_cli(capsys, "report", "--solve", "--format", fmt, *extra, "environment.yml")
    assert (rc, err) == (0, "")
    return out


def _by_key(root: ET.Element) -> dict[tuple[str, str, str], ET.Element]:
    return {(g.get("data-side"), g.get("data-manager"), g.get("data-package")): g for g in _pkgs(root)}


def _bars(root: ET.Element) -> list[tuple[str | None, ...]]:
    return [(b.get("data-rule"), b.get("data-leaving-conda"), b.get("data-added-pip"), b.get("data-net"),
             b.find(f"{SVG}title").text) for b in root.iter(f"{SVG}g") if b.get("class") == "bar"]


# -- golden ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["svg", "html"])
def test_solved_picture_is_exact(fmt, world, env, capsys, monkeypatch, tmp_path):
    out = _solve(capsys, monkeypatch, tmp_path, fmt)
    assert "127.0.0.1" not in out  # (the channel's address is the test server's: it is never drawn)
    assert out == _golden(f"solved.{fmt}", out)
    rc, again, err = run_cli(capsys, "report", "--solve", "--format", fmt, "environment.yml")
    assert (rc, err, again) == (0, "", out)  # a second run (sizes from the cache) gives the same bytes


# -- structure ------------------------------------------------------------------------------------------------


def test_every_solved_package_is_drawn_once_with_the_bytes_of_the_solve(world, env, capsys, monkeypatch, tmp_path):
    solved = json.loads(_solve(capsys, monkeypatch, tmp_path, "json"))["files"][0]
    root = ET.fromstring(_solve(capsys, monkeypatch, tmp_path, "svg"))
    for side in picture.SIDES:
        expected = sorted((p["manager"], p["name"], p["version"], p["build"], p["installed_bytes"])
                          for p in solved["solved"][side]["packages"])
        drawn = sorted((g.get("data-manager"), g.get("data-package"), g.get("data-version"), g.get("data-build"),
                        int(g.get("data-bytes"))) for g in _pkgs(root) if g.get("data-side") == side)
        assert drawn == expected and len(set(drawn)) == len(drawn)
        heading = next(t.text for t in root.iter(f"{SVG}text") if t.text.startswith(side.capitalize() + ":"))
        assert heading == f"{side.capitalize()}: ~{picture.mb(solved['solved'][side]['installed_bytes'])}, {len(expected)} packages"
    assert _not_drawn(root) == []
    # a group of one spec holds exactly what the JSON attributes to that spec (what nothing else needs)
    for side in picture.SIDES:
        (tree,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "treemap" and g.get("data-side") == side]
        groups = {g.get("data-group"): sorted(p.get("data-package") for p in _pkgs(g)) for g in tree.findall(f"{SVG}g")}
        private = {a["spec"]: sorted(a["private"]) for a in solved["solved"][side]["attribution"] if a["private"]}
        assert {k: v for k, v in groups.items() if not k.startswith("shared: ")} == private
    assert {k: v for k, v in groups.items() if k.startswith("shared: ")} == {
        "shared: python=3.11, pip, numpy<2, requests": ["python"]}  # (the after side's; tqdm is pip's)
    g = _by_key(root)
    libaws = g[("before", "conda", "libaws")]
    assert (libaws.get("data-leaving"), libaws.get("data-spec")) == ("true", "pyarrow=15")
    assert libaws.find(f"{SVG}title").text == (
        "libaws 1.11.0 h0_0 (conda, package, linux-64): 0.2 MB (210,000 B), before; brought by pyarrow=15; leaves;"
        " info/paths.json of libaws-1.11.0-h0_0.conda")
    assert g[("before", "conda", "libopenblas")].get("data-spec") == "numpy; pyarrow=15"
    wheel = next(p for p in solved["solved"]["after"]["packages"] if p["manager"] == "pip" and p["name"] == "pyarrow")
    arrives = g[("after", "pip", "pyarrow")]
    assert arrives.find(f"{SVG}rect").get("fill") == "url(#arrives-pip)"
    assert arrives.find(f"{SVG}title").text == (
        f"pyarrow 15.0.0 (pip, wheel, linux-64): 0.3 MB ({wheel['installed_bytes']:,} B), after; brought by"
        " pyarrow==15.*; arrives; wheel central directory of pyarrow-15.0.0-py3-none-any.whl")
    locket = next(p for p in solved["solved"]["before"]["packages"] if p["name"] == "locket")
    assert g[("before", "conda", "locket")].find(f"{SVG}title").text == (
        f"locket 0.9 h0_0 (conda, package, linux-64): ~0.0 MB ({locket['installed_bytes']:,} B, an estimate:"
        f" {locket['installed_bytes_low']:,} to {locket['installed_bytes_high']:,} B), before; brought by locket;"
        f" info/paths.json of locket-0.9-h0_0.tar.bz2; {locket['size_note']}")
    assert g[("before", "pip", "tqdm")].find(f"{SVG}rect").get("fill") == picture.PIP  # on both sides: plain
    # the bars: the bytes each fix alone takes out of conda and adds to pip, and the JSON's measured saving
    findings = {f["rule"]: f for f in solved["findings"]}
    source = ("verified; measured on linux-64: the file solved with and without this fix (py-rattler, uv); installed"
              " bytes from info/paths.json and wheel central directories")
    assert _bars(root) == [
        ("ES005", "0", "0", "0", f"ES005 numpy: {findings['ES005']['message']}; {source}"),
        ("ES001", "480000", str(wheel["installed_bytes"]), str(findings["ES001"]["saving_bytes"]),
         f"ES001 pyarrow: {findings['ES001']['message']}; {source}")]
    assert findings["ES001"]["saving_bytes"] == 480_000 - wheel["installed_bytes"]
    measured = solved["solved"]["before"]["installed_bytes"] - solved["solved"]["after"]["installed_bytes"]
    assert root.find(f"{SVG}title").text == (
        f"environment.yml: ~{picture.mb(solved['solved']['before']['installed_bytes'])} \u2192"
        f" ~{picture.mb(solved['solved']['after']['installed_bytes'])} installed, saves {picture.mb(measured)}"
        " (solved with py-rattler and uv); linux-64, Python 3.11.8")


def test_html_lists_every_solved_package_with_its_exact_bytes(world, env, capsys, monkeypatch, tmp_path):
    solved = json.loads(_solve(capsys, monkeypatch, tmp_path, "json"))["files"][0]["solved"]
    html = _solve(capsys, monkeypatch, tmp_path, "html")
    table = html[html.index("<h2>Packages</h2>"):]
    rows = [[c.split(">", 1)[1] for c in r.split("</td>")[:-1]] for r in table.split("<tr>")[2:]]
    listed = sorted((r[0], r[5], r[2], r[3], r[4], r[7]) for r in rows)
    expected = sorted((side, p["manager"], p["name"], p["version"], p["build"],
                       f"~{p['installed_bytes']:,} ({p['installed_bytes_low']:,} to {p['installed_bytes_high']:,})"
                       if p.get("estimate") else f"{p['installed_bytes']:,}")
                      for side in picture.SIDES for p in solved[side]["packages"])
    assert listed == expected


def test_a_move_the_solve_refuses_is_drawn_as_it_solves(world, env, capsys, monkeypatch, tmp_path):
    """zict needs conda's pyarrow: after the rewrite it stays on conda with its closure, brought by zict alone,
    and pip installs no wheel (conda's satisfies the pip line); the bar says the fix is not verified and why,
    with what that fix alone measured: nothing leaves, nothing is added."""
    text = HEAD + "  - python=3.11\n  - pip\n  - pyarrow=15\n  - zict\n"
    solved = json.loads(_solve(capsys, monkeypatch, tmp_path, "json", text))["files"][0]
    root = ET.fromstring(_solve(capsys, monkeypatch, tmp_path, "svg", text))
    g = _by_key(root)
    assert [p["manager"] for p in solved["solved"]["after"]["packages"]] == ["conda"] * 9
    assert {k for k in g if k[0] == "after"} == {("after", "conda", k[2]) for k in g if k[0] == "before"}
    assert not any(p.get("data-leaving") == "true" for p in _pkgs(root))
    assert (g[("before", "conda", "pyarrow")].get("data-spec"), g[("after", "conda", "pyarrow")].get("data-spec")) == (
        "pyarrow=15; zict", "zict")  # the file no longer asks for it
    es001 = next(f for f in solved["findings"] if f["rule"] == "ES001")
    assert next(b for b in _bars(root) if b[0] == "ES001") == (
        "ES001", "0", "0", "0", f"ES001 pyarrow: {es001['message']}; not verified: pyarrow pulled back: zict 1.4.0"
        " requires pyarrow from conda; measured on linux-64: the file solved with and without this fix (py-rattler,"
        " uv); installed bytes from info/paths.json and wheel central directories")
    assert root.find(f"{SVG}title").text.startswith(
        "environment.yml: 0.9 MB \u2192 0.9 MB installed, saves 0.0 MB (solved")


def test_an_after_side_that_does_not_solve(channel, pypi, env, capsys, monkeypatch, tmp_path):
    """The wheel the move picks needs numpy 2, which the conda side does not have: the file solves, the rewrite
    does not. The after side says so (never drawn as zero), the move's bar has no figures, the guard's has."""
    _small_channel(channel, ("1.26.4",))
    pypi.add("pyarrow", "15.0.0", ["numpy>=2"], size=300_000)
    text = HEAD + "  - python=3.11\n  - pip\n  - numpy\n  - pyarrow=15\n"
    solved = json.loads(_solve(capsys, monkeypatch, tmp_path, "json", text))["files"][0]
    failure = solved["solved"]["after_failure"]
    assert failure.startswith("linux-64: pip side does not resolve against the conda side: ")
    root = ET.fromstring(_solve(capsys, monkeypatch, tmp_path, "svg", text))
    assert root.find(f"{SVG}title").text == (
        "environment.yml: 0.3 MB \u2192 does not solve installed (solved with py-rattler and uv); linux-64, Python 3.11.8")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "After: does not solve" in texts and "does not solve" in texts
    assert " ".join(texts).count("After the rewrite the file does not solve: linux-64: pip side does not") == 1
    assert {g.get("data-side") for g in _pkgs(root)} == {"before"}
    bars = {b[0]: b for b in _bars(root)}
    assert bars["ES001"][1:4] == ("", "", "")
    assert bars["ES001"][4].startswith(f"ES001 pyarrow: {next(f['message'] for f in solved['findings'] if f['rule'] == 'ES001')};"
                                       " not verified: linux-64: pip side does not resolve")
    assert bars["ES005"][1:4] == ("0", "0", "0")


def _small_channel(channel, numpys: tuple[str, ...]) -> None:
    py = ["python >=3.11,<3.12.0a0"]
    channel.add("python", "3.11.8", build="h0_0_cpython", files={"bin/python3.11": 80_000})
    channel.add("pip", "24.0", build="pyhd8ed1ab_0", noarch="python", depends=["python >=3.8"],
                files={"site-packages/pip/__init__.py": 30_000})
    for version in numpys:
        channel.add("numpy", version, build="py311h0_0", depends=py, files={"site-packages/numpy/core.so": 90_000})
    channel.add("pyarrow", "15.0.0", build="py311h0_0", depends=[*py, "numpy >=1.25"],
                files={"site-packages/pyarrow/lib.so": 70_000})
    channel.publish()


def test_a_version_the_rewrite_changes_says_what_it_was(channel, pypi, env, capsys, monkeypatch, tmp_path):
    """numpy<2 (ES005) takes numpy from 2.0.0 to 1.26.4: one package on each side, the after one says what it
    was (in its hover text and the HTML's change column); neither leaves nor arrives."""
    _small_channel(channel, ("1.26.4", "2.0.0"))
    pypi.add("pyarrow", "15.0.0", ["numpy>=1.16.6"], size=300_000)
    text = HEAD + "  - python=3.11\n  - pip\n  - numpy\n  - pyarrow=15\n"
    root = ET.fromstring(_solve(capsys, monkeypatch, tmp_path, "svg", text))
    g = _by_key(root)
    before, after = g[("before", "conda", "numpy")], g[("after", "conda", "numpy")]
    assert (before.get("data-version"), after.get("data-version")) == ("2.0.0", "1.26.4")
    assert (before.get("data-leaving"), after.find(f"{SVG}rect").get("fill")) == ("false", picture.CONDA)
    assert after.find(f"{SVG}title").text == (
        "numpy 1.26.4 py311h0_0 (conda, package, linux-64): 0.1 MB (90,000 B), after; brought by numpy<2; was 2.0.0"
        " py311h0_0; info/paths.json of numpy-1.26.4-py311h0_0.conda")
    html = _solve(capsys, monkeypatch, tmp_path, "html", text)
    assert ("<td>numpy</td><td>1.26.4</td><td>py311h0_0</td><td>conda</td><td>package (linux-64)</td>"
            '<td class="n">90,000</td><td class="n">0.1 MB</td><td>was 2.0.0 py311h0_0</td>') in html


def test_two_platforms_draw_the_first_and_say_so(world, env, capsys, monkeypatch, tmp_path):
    root = ET.fromstring(_solve(capsys, monkeypatch, tmp_path, "svg", HEAD + "  - python=3.11\n  - numpy\n",
                                "--platform", "linux-64,linux-aarch64"))
    assert root.find(f"{SVG}title").text.endswith("(solved with py-rattler and uv); linux-64, Python 3.11.8")
    words = " ".join(t.text for t in root.iter(f"{SVG}text"))
    assert ("Solved for linux-64 with py-rattler (conda) and uv (pip), the first of 2 platforms (the JSON report"
            " has linux-aarch64 too)") in words
    assert g_bytes(root, "numpy") == "90000"  # linux-64's build (linux-aarch64's has 91,000 B)


def g_bytes(root: ET.Element, name: str) -> str | None:
    return next(g.get("data-bytes") for g in _pkgs(root) if g.get("data-package") == name)


@pytest.mark.slow  # (about 10 s: two Chromium starts)
def test_chromium_renders_the_solved_picture(world, env, capsys, monkeypatch, tmp_path):
    browser = _chromium()
    svg = _solve(capsys, monkeypatch, tmp_path, "svg")
    html = _solve(capsys, monkeypatch, tmp_path, "html")
    height = int(ET.fromstring(svg).get("height"))
    (tmp_path / "page.svg").write_text(svg, encoding="utf-8")
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    png = PNG_DIR / "solved.png"
    _screenshot(browser, tmp_path / "page.svg", png, 1120, height, tmp_path)
    width, got_height, colours = _read_png(png.read_bytes())
    assert (width, got_height) == (1120, height)
    # the fills were drawn: conda, the net-saving bar, the move's leaving bar and pip's (the bars' own colours)
    assert {_rgb(picture.CONDA), _rgb(picture.NET), _rgb(picture.LEAVES), _rgb(picture.PIP)} <= colours
    page_png = tmp_path / "page.png"
    _screenshot(browser, tmp_path / "page.html", page_png, 1160, 1000, tmp_path)
    assert {_rgb(picture.CONDA), _rgb(picture.NET)} <= _read_png(page_png.read_bytes())[2]
    with capsys.disabled():
        print(f"\nsolved footprint picture written to {png}")


def test_a_pixi_lock_as_the_before_side(world, env, server, capsys, monkeypatch, tmp_path):
    """``--lockfile pixi.lock``: the lock's packages are the before side; its wheel that the file does not ask
    for (tqdm) is drawn in a group of its own, saying no requested spec reaches it; the rewrite's solve has no
    tqdm, so it leaves."""
    from tests.solve.test_lockfiles import records, write_pixi_lock

    recs = [r for r in records(server.url) if r.name.normalized != "locket"]
    write_pixi_lock(tmp_path / "pixi.lock", recs, f"{server.url}/files/tqdm-4.66.0-py3-none-any.whl", "")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "environment.yml").write_text(HEAD + "  - python=3.11\n  - pyarrow=15\n")
    rc, out, err = run_cli(capsys, "report", "--solve", "--lockfile", "pixi.lock", "--format", "svg", "environment.yml")
    assert rc == 0 and err.startswith("envslim: warning: pixi.lock is stale after the rewrite of environment.yml")
    root = ET.fromstring(out)
    tqdm = _by_key(root)[("before", "pip", "tqdm")]
    assert (tqdm.get("data-spec"), tqdm.get("data-leaving")) == ("", "true")
    assert tqdm.find(f"{SVG}title").text == (
        f"tqdm 4.66.0 (pip, wheel, linux-64): 0.0 MB ({int(tqdm.get('data-bytes')):,} B), before; reached from no"
        " requested spec; leaves; wheel central directory of tqdm-4.66.0-py3-none-any.whl")
    groups = [g.get("data-group") for g in root.iter(f"{SVG}g") if g.get("class") == "group"]
    assert "tqdm (not in the file)" in groups
