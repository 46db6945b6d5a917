"""The engine against a real local channel (.conda files built by rattler-build, indexed by rattler)
and a real local PyPI, both on 127.0.0.1."""

from __future__ import annotations

import pytest

from envslim.solve.engine import EnvSpec, Settings, solve_environment, solve_many
from envslim.solve.errors import SolveUnavailable, Unsolvable
from envslim.solve.sizes import BZ2_HOW, NOARCH_PYTHON

pytestmark = pytest.mark.slow  # real solves (py-rattler, uv) on the tests' local channel and index


def solve(*conda, pip=(), channels=("conda-forge",), **kw):
    return solve_environment(EnvSpec(tuple(channels), tuple(conda), tuple(pip)), Settings.from_environ(**kw))


def rows(solution):
    return [(p.manager, p.name, p.version, p.build, p.size.value) for p in solution.packages]


def test_solved_sizes_are_the_artifacts_paths_json_sums(world, env):
    sol = solve("python=3.11", "pyarrow=15", "pip", pip=("tqdm",))["linux-64"]
    assert [(m, n, v, b) for m, n, v, b, _ in rows(sol)] == [
        ("conda", "libarrow", "15.0.0", "h0_0"),
        ("conda", "libaws", "1.11.0", "h0_0"),
        ("conda", "libblas", "3.9.0", "21_openblas"),
        ("conda", "libopenblas", "0.3.26", "h0_0"),
        ("conda", "numpy", "1.26.4", "py311h0_0"),
        ("conda", "pip", "24.0", "pyhd8ed1ab_0"),
        ("conda", "pyarrow", "15.0.0", "py311h0_0"),
        ("conda", "python", "3.11.8", "h0_0_cpython"),
        ("pip", "tqdm", "4.66.0", ""),
    ]
    for p in sol.conda():
        assert p.size.value == world.installed_bytes(p.url)
        assert not p.size.estimate
        assert p.archive_bytes is not None and p.archive_bytes < p.size.value  # the payload compresses
    assert [p.size.value for p in sol.conda()] == [200_000, 210_000, 3_000, 110_000, 90_000, 30_000, 70_000, 200_000]
    assert sol.find("tqdm", "pip").size.value == sum(map(len, _wheel_members("tqdm-4.66.0-py3-none-any.whl", env)))
    assert sol.size.value == sum(p.size.value for p in sol.packages)
    assert sol.find("pip").size.how == NOARCH_PYTHON
    assert sol.find("numpy").size.how == ""


def _wheel_members(filename, env):
    import io
    import zipfile

    from urllib.request import urlopen

    with urlopen(f"{env['ENVSLIM_PYPI_URL']}/files/{filename}") as r:
        data = r.read()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [zf.read(i) for i in zf.infolist()]


def test_attribution_is_what_nothing_else_needs(world, env):
    sol = solve("python=3.11", "pyarrow=15", "numpy", "pip")["linux-64"]
    by = {a.name: a for a in sol.attribution()}
    assert by["pyarrow"].packages == ("libarrow", "libaws", "pyarrow")
    assert by["pyarrow"].size.value == 200_000 + 210_000 + 70_000
    assert by["numpy"].packages == ()  # pyarrow needs it too
    assert by["python"].packages == ()  # pip and numpy need it too
    assert by["pip"].packages == ("pip",)
    assert by["pyarrow"].line(lambda n: f"{n / 1e6:.2f} MB") == "pyarrow: 3 packages, 0.48 MB that nothing else needs"
    alone = {a.name: a for a in solve("python=3.11", "pyarrow=15")["linux-64"].attribution()}
    assert alone["pyarrow"].packages == ("libarrow", "libaws", "libblas", "libopenblas", "numpy", "pyarrow")


def test_tar_bz2_artifact_is_a_marked_estimate(world, env, server):
    sol = solve("locket")["linux-64"]
    old = sol.find("locket")
    assert old.filename == "locket-0.9-h0_0.tar.bz2"
    assert old.size.estimate and old.size.how == BZ2_HOW
    assert (old.size.value, old.size.low, old.size.high) == (
        round(old.archive_bytes * 3.7), round(old.archive_bytes * 1.6), round(old.archive_bytes * 5.7))
    assert sol.size.estimate
    assert not any(p.endswith("locket-0.9-h0_0.tar.bz2") for p, _ in server.log)  # never downloaded


def test_unsolvable_file_gives_one_line_naming_the_conflict(world, env):
    with pytest.raises(Unsolvable) as info:
        solve("python=3.11", "pyarrow>=99")
    assert info.value.message == "linux-64: Cannot solve the request because of: No candidates were found for pyarrow >=99"
    assert "\n" not in info.value.message


def test_variant_missing_at_the_pinned_version(world, env):
    with pytest.raises(Unsolvable) as info:
        solve("python=3.11", "pyarrow-core=15")
    assert "pyarrow-core 15.*" in info.value.message


def test_glibc_and_cuda_virtual_packages(world, env):
    with pytest.raises(Unsolvable) as info:
        solve("newglibc")
    assert "__glibc >=2.34" in info.value.message
    assert solve("newglibc", glibc="2.34")["linux-64"].find("newglibc") is not None
    with pytest.raises(Unsolvable) as info:
        solve("gpukit")
    assert "__cuda >=12" in info.value.message
    assert solve("gpukit", cuda="12.4")["linux-64"].find("gpukit") is not None


def test_nomkl_keeps_openblas_and_conflicts_with_an_mkl_only_build(world, env):
    sol = solve("numpy", "nomkl")["linux-64"]
    assert sol.find("libblas").build == "21_openblas" and sol.find("mkl") is None
    with pytest.raises(Unsolvable) as info:
        solve("mklsolver", "nomkl")
    assert "mkl" in info.value.message and "nomkl" in info.value.message


def test_two_platforms(world, env):
    out = solve("python=3.11", "numpy", platforms=["linux-64", "linux-aarch64"])
    assert list(out) == ["linux-64", "linux-aarch64"]
    assert out["linux-aarch64"].find("numpy").size.value == 91_000
    assert out["linux-64"].find("numpy").size.value == 90_000
    with pytest.raises(Unsolvable) as info:
        solve("python=3.11", "pyarrow", platforms=["linux-64", "linux-aarch64"])
    assert info.value.platform == "linux-aarch64"


def test_pip_side_accepts_conda_numpy_and_never_replaces_it(world, env):
    sol = solve("python=3.11", "numpy", "pip", pip=("pyarrow==15.0.0",))["linux-64"]
    assert [(p.name, p.version) for p in sol.pip()] == [("pyarrow", "15.0.0")]
    assert sol.find("numpy", "conda").version == "1.26.4"
    with pytest.raises(Unsolvable) as info:
        solve("python=3.11", "numpy", "pip", pip=("tensorfake",))
    message = info.value.message
    assert message.startswith("linux-64: pip side does not resolve against the conda side: ")
    assert "numpy==1.26.4 (from conda)" in message and "tensorfake" in message
    # without conda's numpy, pip may install numpy 2 itself
    sol = solve("python=3.11", "pip", pip=("tensorfake",))["linux-64"]
    assert [(p.name, p.version) for p in sol.pip()] == [("numpy", "2.0.0"), ("tensorfake", "2.16.0")]


def test_pip_lines_that_are_not_wheels_are_left_and_reported(world, env):
    sol = solve("python=3.11", "pip", pip=("-e .", "git+https://example.invalid/x.git", "sdistonly", "tqdm"))
    sol = sol["linux-64"]
    assert [(p.name, p.version) for p in sol.pip()] == [("tqdm", "4.66.0")]
    assert sol.not_verified == [
        ("-e .", "a pip option or editable install, not a requirement"),
        ("git+https://example.invalid/x.git", "a URL or path, not resolvable as a wheel from the index"),
        ("sdistonly", "no wheel for the target (sdist only)"),
    ]


def test_channel_that_cannot_be_read_is_unavailable_not_unsolvable(world, env):
    with pytest.raises(SolveUnavailable) as info:
        solve("python=3.11", channels=("no-such-channel",))
    assert info.value.message.startswith("linux-64: cannot read the channels: ")
    assert "\n" not in info.value.message


def test_warm_run_reads_no_artifact(world, env, server):
    solve("python=3.11", "pyarrow=15", "pip", pip=("tqdm",))
    before = len(server.log)
    solve("python=3.11", "pyarrow=15", "pip", pip=("tqdm",))
    artifacts = [p for p, _ in server.log[before:] if p.endswith((".conda", ".whl"))]
    assert artifacts == []


def test_solve_many_returns_failures_in_place(world, env):
    good = EnvSpec(("conda-forge",), ("python=3.11",))
    bad = EnvSpec(("conda-forge",), ("pyarrow>=99",))
    results = solve_many([good, bad], Settings.from_environ())
    assert results[0]["linux-64"].find("python").version == "3.11.8"
    assert isinstance(results[1], Unsolvable)


def test_pip_attribution_follows_requires_dist(world, env):
    sol = solve("python=3.11", "pip", pip=("tensorfake", "tqdm"))["linux-64"]
    by = {a.name: a for a in sol.attribution() if a.manager == "pip"}
    assert by["tensorfake"].packages == ("numpy", "tensorfake")
    assert by["tensorfake"].size.value == sol.find("numpy", "pip").size.value + sol.find("tensorfake").size.value
    assert by["tqdm"].packages == ("tqdm",)
    assert by["tqdm"].spec == "tqdm"


def test_credentials_in_channel_urls_are_never_in_results_or_messages(world, env, server):
    host = server.url.split("://", 1)[1]
    private = f"http://user:s3cret@{host}/conda/conda-forge"
    sol = solve("python=3.11", channels=(private,))["linux-64"]
    assert "s3cret" not in repr(sol.to_json()) and "s3cret" not in sol.find("python").channel
    with pytest.raises(SolveUnavailable) as info:
        solve("python=3.11", channels=(f"http://user:s3cret@{host}/t/tok-123/conda/missing",))
    assert "s3cret" not in info.value.message and "tok-123" not in info.value.message


def test_defaults_expands_to_main_and_r_under_the_redirect(built_world, server, env, tmp_path, monkeypatch):
    from .conftest import Channel

    built_world.serve(server, "anaconda/main")
    r = Channel(tmp_path / "r-channel", server, "anaconda/r")
    r.add("r-base", "4.3.0", files={"lib/R/libR.so": 1_000})
    r.publish()
    monkeypatch.setenv("ENVSLIM_DEFAULTS_URL", server.url + "/conda/anaconda")
    sol = solve("python=3.11", "r-base", channels=("defaults",))["linux-64"]
    assert {p.name: p.channel for p in sol.packages} == {
        "python": server.url + "/conda/anaconda/main",
        "r-base": server.url + "/conda/anaconda/r",
    }


def test_channel_prefixed_specs_resolve_against_the_alias(world, env, server):
    sol = solve("python=3.11", "conda-forge::pyarrow=15")["linux-64"]
    assert sol.find("pyarrow").channel == server.url + "/conda/conda-forge"


def test_repodata_json_only_and_a_server_without_range(tmp_path, server, env):
    import asyncio

    from rattler.index import index_fs

    from .conftest import Channel

    plain = Channel(tmp_path / "plain", server, "conda-forge")
    plain.add("python", "3.11.8", build="h0_0_cpython", files={"bin/python3.11": 80_000})
    coro = index_fs(channel_directory=plain.dir, write_shards=False, write_zst=False, force=True)
    if asyncio.iscoroutine(coro):
        asyncio.run(coro)
    plain.serve(server)
    assert not any("shards" in p for p in server.files)
    server.ignore_range.add("/conda/conda-forge/linux-64/python-3.11.8-h0_0_cpython.conda")
    sol = solve("python=3.11")["linux-64"]
    assert sol.find("python").size.value == plain.installed_bytes(sol.find("python").url) == 80_000


def test_the_wheel_for_the_target_is_measured_of_those_uv_lists(world, env, pypi):
    # one release, wheels for two Pythons and two platforms: pip on linux-64 / 3.11 takes the cp311 manylinux one
    for tag, size in (("cp310-cp310-manylinux_2_17_x86_64", 11_000), ("cp311-cp311-macosx_11_0_arm64", 12_000),
                      ("cp311-cp311-manylinux_2_17_x86_64", 13_000), ("cp311-cp311-manylinux_2_17_aarch64", 14_000)):
        pypi.add("multi", "1.0", size=size, tag=tag)
    sol = solve("python=3.11", "pip", pip=("multi",))["linux-64"]
    assert sol.find("multi", "pip").filename == "multi-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"
    aarch = solve("python=3.11", "pip", pip=("multi",), platforms=["linux-aarch64"])
    assert aarch["linux-aarch64"].find("multi", "pip").filename == "multi-1.0-cp311-cp311-manylinux_2_17_aarch64.whl"


def test_a_late_callback_into_a_closed_loop_prints_nothing(capsys, monkeypatch):
    """rattler may finish a fetch after a failed solve's loop is closed; its binding reports that through
    sys.excepthook. Exactly that error is dropped; any other still reaches the previous hook."""
    import sys

    from envslim.solve import engine

    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    engine.quiet_late_callbacks()
    engine.quiet_late_callbacks()  # installed once
    sys.excepthook(RuntimeError, RuntimeError("Event loop is closed"), None)
    assert capsys.readouterr().err == ""
    sys.excepthook(ValueError, ValueError("real"), None)
    assert capsys.readouterr().err == "ValueError: real\n"


def test_pip_find_links_lines_are_passed_to_uv(world, env, server):
    from tests.online.pkgserver import build_wheel

    wheel = build_wheel("linkonly", "1.0+cpu", "py3-none-any", {"linkonly/__init__.py": b"X = 1\n"})
    name = "linkonly-1.0+cpu-py3-none-any.whl"
    server.add_file(f"/links/{name}", wheel)
    page = server.add_file("/links/index.html", f'<html><body><a href="{name}">{name}</a></body></html>'.encode())
    server.content_types["/links/index.html"] = "text/html"
    sol = solve("python=3.11", "pip", pip=(f"-f {page}", "linkonly==1.0+cpu"))["linux-64"]
    assert sol.find("linkonly").version == "1.0+cpu"
    assert sol.find("linkonly").url == f"{server.url}/links/{name}"
    assert sol.not_verified == []


def test_invalid_conda_names_are_named_whole(world, env):
    with pytest.raises(Unsolvable) as info:
        solve("python=3.11", "py$thon")
    assert info.value.message == (
        "invalid conda spec 'py$thon': invalid package name 'py$thon': 'py$thon' is not a valid"
        " package name. Package names can only contain 0-9, a-z, A-Z, -, _, or .")


def test_a_file_channel_is_read_in_place(built_world, env, server):
    sol = solve("python=3.11", "pyarrow=15", channels=(built_world.dir.as_uri(),))["linux-64"]
    arrow = sol.find("pyarrow")
    assert arrow.url.startswith(built_world.dir.as_uri() + "/")
    assert arrow.size.value == built_world.installed_bytes(arrow.url)
    assert not [p for p, _ in server.log if "repodata" in p]  # nothing of it went over the network
