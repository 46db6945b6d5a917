"""PyPI: PEP 440, tags, the wheel pip would pick, and lookups against the local server."""

from __future__ import annotations

import re

import pytest
from pkgserver import PypiFile, build_wheel, unzip_sum

from envslim.online import WheelInfo, lookup_wheels
from envslim.online.pypi import (
    choose,
    parse_requirement,
    platform_tags,
    specifier_set,
    target_tags,
    wheel_tags,
)

ptags = pytest.importorskip("packaging.tags")
SpecifierSet = pytest.importorskip("packaging.specifiers").SpecifierSet

# -- PEP 440 and PEP 508 are packaging's; what envslim adds is the one-line message -----------------


@pytest.mark.parametrize("spec", [">1.0+local.7", "~=1", "==1.0.*.*", "=>1", "==1.0+x.*"])
def test_invalid_specifiers_name_the_clause(spec):
    with pytest.raises(ValueError, match=f"invalid specifier '{re.escape(spec)}'"):
        specifier_set(f">=0,{spec}")


def test_requirements():
    req = parse_requirement("Pillow[extra] (>=9,<11) ; python_version >= '3.8'")
    assert req.name == "Pillow"
    assert req.specifier == SpecifierSet(">=9,<11")
    assert list(parse_requirement("six").specifier) == []
    with pytest.raises(ValueError, match="URL requirement 'x @ https://h/x.whl' is not looked up"):
        parse_requirement("x @ https://h/x.whl")
    with pytest.raises(ValueError, match="invalid specifier '>>1' in 'x>>1'"):
        parse_requirement("x>>1")
    with pytest.raises(ValueError, match="invalid requirement '-e .'"):
        parse_requirement("-e .")


# -- tags -----------------------------------------------------------------------------------------


def test_manylinux_platforms_x86_64_glibc_2_17():
    assert platform_tags("linux-64:glibc2.17") == [
        "manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux_2_16_x86_64",
        "manylinux_2_15_x86_64", "manylinux_2_14_x86_64", "manylinux_2_13_x86_64",
        "manylinux_2_12_x86_64", "manylinux2010_x86_64", "manylinux_2_11_x86_64",
        "manylinux_2_10_x86_64", "manylinux_2_9_x86_64", "manylinux_2_8_x86_64",
        "manylinux_2_7_x86_64", "manylinux_2_6_x86_64", "manylinux_2_5_x86_64",
        "manylinux1_x86_64", "linux_x86_64",
    ]  # fmt: skip


def test_other_platforms():
    assert platform_tags("linux-aarch64:glibc2.18") == [
        "manylinux_2_18_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64", "linux_aarch64",
    ]  # fmt: skip
    assert platform_tags("linux-64:musl1.2") == [
        "musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64", "linux_x86_64",
    ]  # fmt: skip
    assert platform_tags("linux-64")[:3] == [
        "manylinux_2_36_x86_64", "manylinux_2_35_x86_64", "manylinux_2_34_x86_64",
    ]  # fmt: skip
    assert platform_tags("win-64") == ["win_amd64"]
    assert platform_tags("win-arm64") == ["win_arm64"]


@pytest.mark.parametrize(
    ("platform", "version", "arch"),
    [("osx-arm64:12.0", (12, 0), "arm64"), ("osx-64:10.15", (10, 15), "x86_64"),
     ("osx-64:14.0", (14, 0), "x86_64"), ("osx-arm64", (14, 0), "arm64")],
)  # fmt: skip
def test_macos_platforms_match_packaging(platform, version, arch):
    assert platform_tags(platform) == list(ptags.mac_platforms(version, arch))


@pytest.mark.parametrize("python", ["3.8", "3.11", "3.13", "3.7"])
@pytest.mark.parametrize("platform", ["linux-64:glibc2.28", "osx-arm64:13.0", "win-64"])
def test_tag_order_matches_packaging(python, platform):
    major, minor = map(int, python.split("."))
    plats = platform_tags(platform)
    abi = f"cp{major}{minor}" + ("m" if (major, minor) < (3, 8) else "")
    expected = [str(t) for t in ptags.cpython_tags((major, minor), [abi], plats)]
    expected += [str(t) for t in ptags.compatible_tags((major, minor), f"cp{major}{minor}", plats)]
    assert target_tags(python, platform) == expected


def test_free_threaded_has_no_abi3():
    # packaging 26 adds the free-threaded stable ABI (abi3t, PEP 803) but never the GIL one (abi3)
    tags = target_tags("3.13t", "win-64")
    assert tags[0] == "cp313-cp313t-win_amd64" and "cp313-none-win_amd64" in tags
    assert not [t for t in tags if "-abi3-" in t]


def test_wheel_tags():
    assert wheel_tags("numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl") == (
        {"cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"},
        (-1, ""),
    )
    assert wheel_tags("six-1.17.0-py2.py3-none-any.whl") == (
        {"py2-none-any", "py3-none-any"},
        (-1, ""),
    )
    assert wheel_tags("x-1.0-12b-py3-none-any.whl") == ({"py3-none-any"}, (12, "b"))
    assert wheel_tags("x-1.0.tar.gz") is None


# -- choosing the wheel ---------------------------------------------------------------------------


def files(*names, requires_python=None, yanked=False):
    return [
        {
            "filename": n,
            "packagetype": "bdist_wheel" if n.endswith(".whl") else "sdist",
            "requires_python": requires_python,
            "yanked": yanked,
            "size": 1,
            "url": n,
        }
        for n in names
    ]


RELEASES = {
    "1.0": files("fast-1.0.tar.gz", "fast-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
    "2.0": files(
        "fast-2.0.tar.gz",
        "fast-2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "fast-2.0-cp311-cp311-manylinux_2_28_x86_64.whl",
        "fast-2.0-cp311-cp311-musllinux_1_2_x86_64.whl",
        "fast-2.0-cp311-cp311-macosx_11_0_arm64.whl",
        "fast-2.0-cp311-cp311-win_amd64.whl",
        "fast-2.0-cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "fast-2.0-py3-none-any.whl",
    ),
    "2.0.1": files("fast-2.0.1-py3-none-any.whl", yanked=True),
    "2.1rc1": files("fast-2.1rc1-py3-none-any.whl"),
    "3.0": files("fast-3.0-py3-none-any.whl", requires_python=">=3.12"),
}


@pytest.mark.parametrize(
    ("spec", "python", "platform", "version", "filename"),
    [
        ("", "3.11", "linux-64", "2.0", "fast-2.0-cp311-cp311-manylinux_2_28_x86_64.whl"),
        ("", "3.11", "linux-64:glibc2.17", "2.0",
         "fast-2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
        ("", "3.11", "linux-64:musl1.2", "2.0", "fast-2.0-cp311-cp311-musllinux_1_2_x86_64.whl"),
        ("", "3.11", "osx-arm64", "2.0", "fast-2.0-cp311-cp311-macosx_11_0_arm64.whl"),
        ("", "3.11", "osx-64", "2.0", "fast-2.0-py3-none-any.whl"),
        ("", "3.11", "win-64", "2.0", "fast-2.0-cp311-cp311-win_amd64.whl"),
        ("", "3.11", "linux-aarch64", "2.0", "fast-2.0-py3-none-any.whl"),
        ("", "3.10", "linux-64", "2.0",
         "fast-2.0-cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
        ("", "3.12", "linux-64", "3.0", "fast-3.0-py3-none-any.whl"),
        ("<2", "3.11", "linux-64", "1.0", "fast-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
        (">=2.1rc1", "3.11", "linux-64", "2.1rc1", "fast-2.1rc1-py3-none-any.whl"),
        ("==2.0.1", "3.11", "linux-64", "2.0.1", "fast-2.0.1-py3-none-any.whl"),
        ("==2.0.*", "3.11", "linux-64", "2.0", "fast-2.0-cp311-cp311-manylinux_2_28_x86_64.whl"),
    ],
)  # fmt: skip
def test_choose(spec, python, platform, version, filename):
    choice = choose(RELEASES, SpecifierSet(spec), python, platform)
    assert (choice.version, choice.file and choice.file["filename"]) == (version, filename)


def test_choose_problems():
    only_sdist = {"1.0": files("x-1.0-py3-none-any.whl"), "2.0": files("x-2.0.tar.gz")}
    choice = choose(only_sdist, SpecifierSet(""), "3.11", "linux-64")
    assert (choice.version, choice.file, choice.problem) == (
        "2.0", None, "no wheel for Python 3.11 on linux-64 (sdist only)"
    )
    choice = choose(RELEASES, SpecifierSet(">=9"), "3.11", "linux-64")
    assert choice.problem == "no release matches '>=9'"
    native = {"1.0": files("y-1.0-cp311-cp311-win_amd64.whl")}
    assert choose(native, SpecifierSet(""), "3.11", "linux-64").problem == (
        "no file for Python 3.11 on linux-64"
    )


def test_choose_prefers_the_higher_build_tag():
    releases = {"1.0": files("z-1.0-1-py3-none-any.whl", "z-1.0-2-py3-none-any.whl")}
    assert choose(releases, SpecifierSet(""), "3.11", "linux-64").file["filename"] == (
        "z-1.0-2-py3-none-any.whl"
    )


# -- lookups against the local server -------------------------------------------------------------


@pytest.fixture
def index(server):
    demo_old = build_wheel("demo", "1.0", "py3-none-any", {"demo/__init__.py": b"OLD = 1\n"})
    demo = build_wheel("demo", "1.1", "py3-none-any", {"demo/__init__.py": b"X = 1\n" * 100})
    native_linux = build_wheel(
        "native", "0.5", "cp311-cp311-manylinux_2_28_x86_64",
        {"native/_core.so": bytes(range(256)) * 64, "native/__init__.py": b""}, zip64=True,
    )  # fmt: skip
    native_win = build_wheel("native", "0.5", "cp311-cp311-win_amd64", {"native/_core.pyd": b"w" * 9})
    server.add_pypi_project("demo", [
        PypiFile("demo-1.0-py3-none-any.whl", "1.0", demo_old),
        PypiFile("demo-1.1-py3-none-any.whl", "1.1", demo),
    ])  # fmt: skip
    server.add_pypi_project("native", [
        PypiFile("native-0.5-cp311-cp311-manylinux_2_28_x86_64.whl", "0.5", native_linux),
        PypiFile("native-0.5-cp311-cp311-win_amd64.whl", "0.5", native_win),
        PypiFile("native-0.5.tar.gz", "0.5", b"sdist"),
    ], relative_urls=True)  # fmt: skip
    server.add_pypi_project("source-only", [PypiFile("source_only-2.0.tar.gz", "2.0", b"sd")])
    return {"demo-1.0": demo_old, "demo": demo, "native": native_linux, "native-win": native_win}


def lookup(use, session, reqs, **kw):
    return use(session, lambda s: lookup_wheels(reqs, session=s, **kw))


def test_lookup_wheels(server, make_session, use, index):
    session = make_session()
    result = lookup(use, session, ["demo", "Native", "demo==1.0"][:2])
    assert result == {
        "demo": WheelInfo(
            "demo", "1.1", "demo-1.1-py3-none-any.whl", f"{server.url}/files/demo-1.1-py3-none-any.whl",
            len(index["demo"]), unzip_sum(index["demo"]),
        ),
        "native": WheelInfo(
            "native", "0.5", "native-0.5-cp311-cp311-manylinux_2_28_x86_64.whl",
            f"{server.url}/files/native-0.5-cp311-cp311-manylinux_2_28_x86_64.whl",
            len(index["native"]), unzip_sum(index["native"]),
        ),
    }  # fmt: skip
    assert session.warnings == []
    assert session.requests == 4  # two JSON documents, one range read per (small) wheel


def test_lookup_pins_and_platforms(make_session, use, index):
    session = make_session()
    result = lookup(use, session, ["demo==1.0"])
    assert result["demo"].version == "1.0"
    assert result["demo"].installed_bytes == unzip_sum(index["demo-1.0"])
    result = lookup(use, make_session(), ["native"], platform="win-64")
    assert result["native"].filename == "native-0.5-cp311-cp311-win_amd64.whl"
    assert result["native"].installed_bytes == unzip_sum(index["native-win"])


def test_lookup_without_installed_sizes(server, make_session, use, index):
    session = make_session()
    result = lookup(use, session, ["demo"], installed=False)
    assert result["demo"].installed_bytes is None
    assert server.requests_to("/files/demo-1.1-py3-none-any.whl") == []


def test_lookup_problems_are_warnings(server, make_session, use, index):
    session = make_session()
    result = lookup(
        use, session, ["native", "source-only", "missing", "bad>>1", "demo>5", "u @ https://h/u.whl"],
        platform="osx-arm64",
    )  # fmt: skip
    assert result == {
        "native": None, "source-only": None, "missing": None, "bad": None, "demo": None, "u": None,
    }  # fmt: skip
    assert session.warnings == [
        "PyPI native 0.5: no wheel for Python 3.11 on osx-arm64 (sdist only)",
        "PyPI source-only 2.0: no wheel for Python 3.11 on osx-arm64 (sdist only)",
        f"PyPI missing: not found (HTTP 404) ({server.url}/pypi/missing/json)",
        "PyPI: invalid specifier '>>1' in 'bad>>1'",
        "PyPI demo: no release matches '>5'",
        "PyPI: URL requirement 'u @ https://h/u.whl' is not looked up",
    ]


def test_unknown_target(make_session, use, index):
    session = make_session()
    assert lookup(use, session, ["demo"], platform="amiga-68k") == {"demo": None}
    assert session.warnings == ["PyPI: unknown platform 'amiga-68k'"]
    assert session.requests == 0


def test_warm_lookup_makes_no_request(make_session, use, index):
    first = lookup(use, make_session(), ["demo", "native"])
    session = make_session()
    assert lookup(use, session, ["demo", "native"]) == first
    assert session.requests == 0
    offline = make_session(offline=True)
    assert lookup(use, offline, ["demo", "native"]) == first
    assert offline.warnings == []
