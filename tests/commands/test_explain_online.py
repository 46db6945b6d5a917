"""``envslim explain NAME[==VER] --online``: the wheel pip would pick, from a real local index."""

from __future__ import annotations

import pytest

from envslim import knowledge
from envslim.commands import explain
from tests.onlinekit import add_wheels, index, run_cli, run_json  # noqa: F401
from tests.online.pkgserver import Fault


@pytest.fixture
def wheels(index):
    return {
        "pyarrow": add_wheels(index, "pyarrow", {"15.0.0": 20_000, "16.1.0": 30_000}),
        "tinylib": add_wheels(index, "tinylib", {"0.9": 1_000, "1.0": 2_000}, tag="py3-none-any"),
    }


def test_pinned_version_with_a_knowledge_entry(capsys, index, wheels):
    rc, data, err = run_json(capsys, "explain", "pyarrow==15.0.0", "--online", "--json")
    w = wheels["pyarrow"]["15.0.0"]
    assert (rc, err) == (0, "")
    assert data["pypi"] == {
        "name": "pyarrow", "version": "15.0.0", "wheel": "pyarrow-15.0.0-cp311-cp311-manylinux_2_28_x86_64.whl",
        "wheel_bytes": len(w.data), "installed_bytes": w.installed, "url": w.url(index),
        "python": "3.11", "platform": "linux-64"}
    # everything the offline entry has is still there
    offline = explain.entry_dict(knowledge.load("pyarrow"))
    assert {k: v for k, v in data.items() if k != "pypi"} == {"schema": "envslim-explain/1", **offline}


def test_latest_for_the_target(capsys, index, wheels):
    osx = add_wheels(index, "osxlib", {"1.0": 1_000, "2.0": 1_500}, tag="cp312-cp312-macosx_11_0_arm64")
    rc, data, err = run_json(capsys, "explain", "osxlib", "--online", "--json", "--python", "3.12",
                             "--platform", "osx-arm64")
    w = osx["2.0"]
    assert (rc, err) == (0, "")
    assert data == {"schema": "envslim-explain/1", "name": "osxlib", "pypi_name": "osxlib", "pypi": {
        "name": "osxlib", "version": "2.0", "wheel": "osxlib-2.0-cp312-cp312-macosx_11_0_arm64.whl",
        "wheel_bytes": len(w.data), "installed_bytes": w.installed, "url": w.url(index), "python": "3.12",
        "platform": "osx-arm64"}}
    rc, data, err = run_json(capsys, "explain", "osxlib", "--online", "--json")  # no wheel for linux-64
    assert data["pypi"] is None
    assert err == "envslim: warning: PyPI osxlib: no file for Python 3.11 on linux-64\n"


def test_name_without_knowledge_entry(capsys, index, wheels):
    assert knowledge.load("tinylib") is None
    rc, data, err = run_json(capsys, "explain", "tinylib", "--online", "--json")
    w = wheels["tinylib"]["1.0"]
    assert (rc, err) == (0, "")
    assert data == {"schema": "envslim-explain/1", "name": "tinylib", "pypi_name": "tinylib", "pypi": {
        "name": "tinylib", "version": "1.0", "wheel": "tinylib-1.0-py3-none-any.whl", "wheel_bytes": len(w.data),
        "installed_bytes": w.installed, "url": w.url(index), "python": "3.11", "platform": "linux-64"}}


def test_text_output(capsys, index, wheels):
    rc, out, err = run_cli(capsys, "explain", "tinylib==0.9", "--online")
    w = wheels["tinylib"]["0.9"]
    assert (rc, err) == (0, "")
    assert out == (
        "tinylib: no knowledge entry\n"
        "PyPI wheel pip would pick (Python 3.11, linux-64): tinylib-0.9-py3-none-any.whl\n"
        f"  {len(w.data):,} B ({len(w.data) / 1e6:.1f} MB) wheel, {w.installed:,} B ({w.installed / 1e6:.1f} MB)"
        f" installed <{w.url(index)}>\n"
    )


def test_text_output_keeps_the_entry(capsys, index, wheels):
    rc, out, err = run_cli(capsys, "explain", "pyarrow==16.1.0", "--online")
    assert out.startswith(explain.entry_text(knowledge.load("pyarrow"), verbose=False) + "\nPyPI wheel pip would pick (Python 3.11,"
                          " linux-64): pyarrow-16.1.0-cp311-cp311-manylinux_2_28_x86_64.whl\n")


def test_server_error_gives_one_warning_and_null(capsys, index, wheels):
    index.add_fault("/pypi/tinylib/json", *[Fault("status", 500)] * 3)
    rc, data, err = run_json(capsys, "explain", "tinylib", "--online", "--json")
    assert rc == 0
    assert data["pypi"] is None
    assert err == (f"envslim: warning: PyPI tinylib: HTTP 500 Internal Server Error; gave up after 3 attempts"
                   f" ({index.url}/pypi/tinylib/json)\n")


def test_malformed_json(capsys, index, wheels):
    index.add_fault("/pypi/tinylib/json", Fault("malformed"))
    rc, data, err = run_json(capsys, "explain", "tinylib", "--online", "--json")
    assert (rc, data["pypi"]) == (0, None)
    assert len(err.splitlines()) == 1 and err.startswith("envslim: warning: PyPI tinylib: malformed JSON: ")


def test_dropped_connection_on_the_wheel_keeps_the_wheel_without_installed_size(capsys, index, wheels):
    path = "/files/tinylib-1.0-py3-none-any.whl"
    index.add_fault(path, *[Fault("drop")] * 3)
    rc, data, err = run_json(capsys, "explain", "tinylib", "--online", "--json")
    assert rc == 0
    assert data["pypi"]["installed_bytes"] is None
    assert data["pypi"]["wheel_bytes"] == len(wheels["tinylib"]["1.0"].data)
    assert len(err.splitlines()) == 1
    assert err.startswith("envslim: warning: PyPI tinylib-1.0-py3-none-any.whl: connection dropped")


def test_no_such_version(capsys, index, wheels):
    rc, data, err = run_json(capsys, "explain", "tinylib==7.0", "--online", "--json")
    assert (rc, data["pypi"]) == (0, None)
    assert err == "envslim: warning: PyPI tinylib: no release matches '==7.0'\n"


def test_no_pypi_counterpart(capsys, index):
    rc, data, err = run_json(capsys, "explain", "python", "--online", "--json")
    assert rc == 0
    assert data["pypi"] is None
    assert index.log == []
    assert err.startswith("envslim: warning: python: no PyPI counterpart (")


def test_unknown_name_offline_is_still_an_error(capsys, index):
    rc, out, err = run_cli(capsys, "explain", "tinylib")
    assert (rc, out, err) == (2, "", "envslim: error: no knowledge entry or rule named 'tinylib'\n")
    assert index.log == []


def test_bad_platform(capsys, index):
    rc, out, err = run_cli(capsys, "explain", "tinylib", "--online", "--platform", "beos")
    assert (rc, out, err) == (2, "", "envslim: error: unknown platform 'beos'\n")


def test_rules_are_unaffected(capsys, index):
    rc, data, err = run_json(capsys, "explain", "ES001", "--json", "--online")
    assert (rc, data["id"], err) == (0, "ES001", "")
    assert index.log == []
