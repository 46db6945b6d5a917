"""``envslim knowledge refresh --pypi``: figures measured on a real local index, written into the TOML text
surgically (comments, order and line endings kept), dated, sourced and valid."""

from __future__ import annotations

import datetime
import shutil
import sys
from pathlib import Path

import pytest

from envslim.knowledge import Entry
from envslim.knowledge.schema import validate_entry
from tests.onlinekit import add_wheels, index, run_cli  # noqa: F401
from tests.online.pkgserver import Fault

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent.parent
TODAY = datetime.date.today().isoformat()
TAG = "cp311-cp311-manylinux_2_28_x86_64"
NOTE = ("installed = sum of the file sizes in its zip central directory (HTTP range reads), before byte-compilation;"
        " envslim knowledge refresh --pypi (Python 3.11, linux-64)")


def figure(fig_id, version, platform, wheel, source, eol="\n"):
    return eol.join([
        "[[figures]]", f'id = "{fig_id}"', 'side = "pypi"', 'kind = "wheel"', f'version = "{version}"',
        f'platform = "{platform}"', f"archive_bytes = {len(wheel.data)}", f"installed_bytes = {wheel.installed}",
        f'note = "{wheel.filename}: {NOTE}"', f'source = "{source}"', f'date = "{TODAY}"']) + eol


def source(sid, wheel, url, eol="\n"):
    return eol.join(["[[sources]]", f'id = "{sid}"', f'title = "PyPI wheel {wheel.filename}"', f'url = "{url}"',
                     f'date = "{TODAY}"']) + eol


@pytest.fixture
def kdir(tmp_path):
    """A copy of the real pyarrow entry, with a comment of ours at the top."""
    d = tmp_path / "packages"
    d.mkdir()
    text = "# kept by hand: do not lose this comment\n" + (ROOT / "knowledge/packages/pyarrow.toml").read_text()
    (d / "pyarrow.toml").write_text(text)
    return d


def refresh(capsys, kdir, *names):
    return run_cli(capsys, "knowledge", "refresh", "--pypi", *names, "--knowledge-dir", str(kdir))


def test_new_version_is_added_after_the_last_figure(capsys, index, kdir):
    wheel = add_wheels(index, "pyarrow", {"99.0.0": 40_000})["99.0.0"]
    path = kdir / "pyarrow.toml"
    old = path.read_text()
    rc, out, err = refresh(capsys, kdir, "pyarrow")
    assert (rc, err) == (0, "")
    assert out == f"{path}: added pypi-wheel-99.0.0-cp311: {len(wheel.data):,} B wheel, {wheel.installed:,} B installed\n"
    k = old.index("\n[[sources]]")  # all figures come before the sources in this entry
    expected = old[:k] + "\n" + figure("pypi-wheel-99.0.0-cp311", "99.0.0", TAG, wheel, "S16") + old[k:]
    expected += "\n" + source("S16", wheel, wheel.url(index))
    assert path.read_text() == expected
    data = tomllib.loads(expected)
    assert validate_entry(data, "pyarrow") == []
    fig = next(f for f in Entry(data, path).figures if f.id == "pypi-wheel-99.0.0-cp311")
    assert (fig.installed_bytes, fig.archive_bytes, fig.date, fig.source.url) == (
        wheel.installed, len(wheel.data), TODAY, wheel.url(index))


def test_same_id_is_replaced_in_place_and_its_orphaned_source_removed(capsys, index, kdir):
    wheel = add_wheels(index, "pyarrow", {"26.0.1": 40_000})["26.0.1"]
    path = kdir / "pyarrow.toml"
    old = path.read_text()
    rc, out, err = refresh(capsys, kdir, "pyarrow")
    assert (rc, err) == (0, "")
    assert out.startswith(f"{path}: replaced pypi-wheel-26.0.1-cp311: ")
    start = old.index('[[figures]]\nid = "pypi-wheel-26.0.1-cp311"')
    end = old.index("\n\n", start) + 1
    expected = old[:start] + figure("pypi-wheel-26.0.1-cp311", "26.0.1", TAG, wheel, "S16") + old[end:]
    s4 = expected.index('[[sources]]\nid = "S4"\n')
    expected = expected[:s4] + expected[expected.index("\n\n", s4) + 2:]
    expected += "\n" + source("S16", wheel, wheel.url(index))
    assert path.read_text() == expected
    assert validate_entry(tomllib.loads(expected), "pyarrow") == []


def test_a_second_run_changes_nothing(capsys, index, kdir):
    add_wheels(index, "pyarrow", {"99.0.0": 40_000})
    refresh(capsys, kdir, "pyarrow")
    path = kdir / "pyarrow.toml"
    first = path.read_bytes()
    rc, out, err = refresh(capsys, kdir, "pyarrow")
    assert (rc, out, err) == (0, f"{path}: pypi-wheel-99.0.0-cp311 unchanged\n", "")
    assert path.read_bytes() == first


def small_entry(eol: str, url: str = "https://example.org/x", figure_text: str = "") -> str:
    lines = ["# a hand-made entry", 'name = "tinylib"', 'pypi_name = "tinylib"',
             'summary = "a test library"  # inline comment', ""]
    text = eol.join(lines) + eol + figure_text
    return text + eol.join(["[[sources]]", 'id = "S1"', 'title = "x"', f'url = "{url}"', 'date = "2025-01-01"']) + eol


def test_crlf_and_comments_are_kept(capsys, index, tmp_path):
    wheel = add_wheels(index, "tinylib", {"1.0": 3_000}, tag="py3-none-any")["1.0"]
    kdir = tmp_path / "k"
    kdir.mkdir()
    path = kdir / "tinylib.toml"
    old = small_entry("\r\n")
    path.write_bytes(old.encode())
    rc, out, err = refresh(capsys, kdir, "tinylib")
    assert (rc, err) == (0, "")
    at = old.index("[[sources]]")
    expected = (old[:at] + figure("pypi-wheel-1.0-py3", "1.0", "py3-none-any", wheel, "S2", "\r\n") + "\r\n"
                + old[at:] + "\r\n" + source("S2", wheel, wheel.url(index), "\r\n"))
    assert path.read_bytes() == expected.encode()
    assert validate_entry(tomllib.loads(expected), "tinylib") == []


def test_a_source_with_the_same_url_is_reused_and_redated(capsys, index, tmp_path):
    wheel = add_wheels(index, "tinylib", {"1.0": 3_000}, tag="py3-none-any")["1.0"]
    kdir = tmp_path / "k"
    kdir.mkdir()
    path = kdir / "tinylib.toml"
    stale = ('[[figures]]\nid = "pypi-wheel-1.0-py3"\nside = "pypi"\nkind = "wheel"\nversion = "1.0"\n'
             'platform = "py3-none-any"\narchive_bytes = 1\ninstalled_bytes = 2\nnote = "old"\nsource = "S1"\n'
             'date = "2025-01-01"\n\n')
    old = small_entry("\n", wheel.url(index), stale)
    path.write_text(old)
    rc, out, err = refresh(capsys, kdir, "tinylib")
    assert (rc, err) == (0, "")
    expected = old.replace(stale, figure("pypi-wheel-1.0-py3", "1.0", "py3-none-any", wheel, "S1") + "\n")
    expected = expected.replace('date = "2025-01-01"\n', f'date = "{TODAY}"\n')
    assert path.read_text() == expected


def test_failures_warn_and_keep_the_file(capsys, index, kdir):
    add_wheels(index, "pyarrow", {"99.0.0": 40_000})
    index.add_fault("/pypi/pyarrow/json", *[Fault("status", 503)] * 3)
    path = kdir / "pyarrow.toml"
    old = path.read_bytes()
    rc, out, err = refresh(capsys, kdir, "pyarrow")
    assert (rc, out) == (0, "")
    assert err == (f"envslim: warning: PyPI pyarrow: HTTP 503 Service Unavailable; gave up after 3 attempts"
                   f" ({index.url}/pypi/pyarrow/json); figures kept\n")
    assert path.read_bytes() == old


def test_an_entry_that_would_be_invalid_is_not_written(capsys, index, tmp_path):
    add_wheels(index, "tinylib", {"1.0": 3_000}, tag="py3-none-any")
    kdir = tmp_path / "k"
    kdir.mkdir()
    path = kdir / "tinylib.toml"
    old = small_entry("\n").replace('date = "2025-01-01"', 'date = "last week"')
    path.write_text(old)
    rc, out, err = refresh(capsys, kdir, "tinylib")
    assert (rc, out) == (2, "")
    assert err.startswith(f"{path}:1:1: the refreshed entry would be invalid: sources[0].date: ")
    assert path.read_text() == old


def test_default_is_every_entry_with_a_pypi_name(capsys, index, tmp_path):
    add_wheels(index, "tinylib", {"1.0": 3_000}, tag="py3-none-any")
    kdir = tmp_path / "k"
    kdir.mkdir()
    (kdir / "tinylib.toml").write_text(small_entry("\n"))
    shutil.copy(ROOT / "knowledge/packages/python.toml", kdir / "python.toml")  # no pypi_name: not looked up
    rc, out, err = refresh(capsys, kdir)
    assert (rc, err) == (0, "")
    assert out.startswith(f"{kdir / 'tinylib.toml'}: added pypi-wheel-1.0-py3: ")
    assert {p for p, _ in index.log} == {"/pypi/tinylib/json", "/files/tinylib-1.0-py3-none-any.whl"}


@pytest.mark.parametrize("argv, rc, err", [
    (["knowledge", "refresh", "pyarrow"], 2, "envslim: error: nothing to refresh: pass --pypi, --conda or --graph\n"),
    (["knowledge", "refresh", "--pypi", "--platform", "vms", "pyarrow"], 2, "envslim: error: unknown platform 'vms'\n"),
])
def test_bad_usage(capsys, kdir, argv, rc, err):
    assert run_cli(capsys, *argv, "--knowledge-dir", str(kdir)) == (rc, "", err)


def test_unknown_entry(capsys, index, kdir):
    rc, out, err = refresh(capsys, kdir, "nosuchpkg")
    assert (rc, out, err) == (2, "", f"{kdir / 'nosuchpkg.toml'}:1:1: no knowledge entry named 'nosuchpkg'\n")
    assert index.log == []


@pytest.mark.parametrize("value", ["plain", "del\x7fhere", "tab\tquote\"back\\slash", "c1\x9b and \u2028"])
def test_the_editor_writes_every_string_as_valid_toml(value):
    """A source's title comes from the index a refresh reads: JSON's quoting left DEL (U+007F) raw, which a TOML
    basic string may not hold, so the entry no longer parsed. Each value reads back as it was."""
    import tomllib

    from envslim.knowledge.editor import source_text

    text = source_text({"id": "S9", "title": value, "url": "https://example.org/x", "date": "2026-12-07"}, "\n")
    assert tomllib.loads(text) == {"sources": [{"id": "S9", "title": value, "url": "https://example.org/x",
                                                "date": "2026-12-07"}]}
