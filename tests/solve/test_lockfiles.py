"""Lockfiles as exact offline inputs: a pixi.lock written by rattler from a real solve of the local
channel, and a conda-lock v1 file (by hand) for the same artifacts; both measured like a solve."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from envslim.solve.engine import EnvSpec, Settings, lockfile_solutions, solve_environment
from envslim.solve.errors import SolveUnavailable
from envslim.solve.lockfiles import is_pixi_lock

pytestmark = pytest.mark.slow  # real solves (py-rattler, uv) on the tests' local channel and index


def records(server_url):
    import rattler

    async def go():
        return await rattler.solve([rattler.Channel(server_url + "/conda/conda-forge")], ["python=3.11", "pyarrow=15", "locket"],
                                   platforms=["linux-64", "noarch"],
                                   virtual_packages=[rattler.GenericVirtualPackage(
                                       rattler.PackageName("__glibc"), rattler.Version("2.28"), rattler.BuildString("0"))])
    return asyncio.run(go())


def write_pixi_lock(path, recs, wheel_url, wheel_sha):
    import rattler

    platform = rattler.LockPlatform("linux-64")
    lock = rattler.LockFile([platform])
    lock.set_channels("default", [rattler.LockChannel("conda-forge")])
    for r in recs:
        lock.add_conda_package("default", platform, r)
    lock.add_pypi_package("default", platform, "tqdm", "4.66.0", f"{wheel_url}#sha256={wheel_sha}")
    lock.to_path(str(path))


def test_pixi_lock_gives_the_solved_set_with_the_same_sizes(world, env, server, tmp_path):
    recs = records(server.url)
    tqdm = f"{server.url}/files/tqdm-4.66.0-py3-none-any.whl"
    sha = hashlib.sha256(server.files["/files/tqdm-4.66.0-py3-none-any.whl"]).hexdigest()
    path = tmp_path / "pixi.lock"
    write_pixi_lock(path, recs, tqdm, sha)
    assert is_pixi_lock(path)
    got = lockfile_solutions(path, Settings.from_environ())["linux-64"]
    solved = solve_environment(EnvSpec(("conda-forge",), ("python=3.11", "pyarrow=15", "locket"), ("tqdm",)),
                               Settings.from_environ())["linux-64"]
    assert [p.to_json() for p in got.packages] == [p.to_json() for p in solved.packages]
    # warm: the lockfile is measured again with no artifact read
    before = len(server.log)
    lockfile_solutions(path, Settings.from_environ())
    assert [p for p, _ in server.log[before:]] == []


def test_conda_lock_gives_the_solved_set(world, env, server, tmp_path):
    pytest.importorskip("conda_lock")
    recs = records(server.url)
    body = ""
    for r in recs:
        deps = [d for d in r.depends]
        body += (f"- name: {r.name.normalized}\n  version: '{r.version}'\n  manager: conda\n  platform: linux-64\n"
                 "  dependencies:" + ("" if deps else " {}") + "\n"
                 + "".join(f"    {d.split()[0]}: '{(d.split(maxsplit=1) + ['*'])[1]}'\n" for d in deps)
                 + f"  url: {r.url}\n  hash:\n    md5: '{r.md5.hex()}'\n    sha256: '{r.sha256.hex()}'\n"
                 "  category: main\n  optional: false\n")
    path = tmp_path / "conda-lock.yml"
    path.write_text("version: 1\nmetadata:\n  content_hash:\n    linux-64: 0123abcd\n  channels:\n"
                    "  - url: conda-forge\n    used_env_vars: []\n  platforms:\n  - linux-64\n  sources:\n"
                    "  - environment.yml\npackage:\n" + body)
    assert not is_pixi_lock(path)
    got = lockfile_solutions(path, Settings.from_environ(), requested=[("conda", "pyarrow", "pyarrow=15")])
    sol = got["linux-64"]
    assert sol.find("pyarrow").size.value == world.installed_bytes(sol.find("pyarrow").url) == 70_000
    old = sol.find("locket")
    assert old.size.value is None and "archive size is not known" in old.size.how  # conda-lock has no size
    assert sol.size.value is None  # unknown stays unknown
    assert [a.packages for a in sol.attribution()] == [("libarrow", "libaws", "libblas", "libopenblas", "numpy",
                                                        "pyarrow", "python")]
    with pytest.raises(SolveUnavailable, match="the lockfile has no linux-aarch64 packages"):
        lockfile_solutions(path, Settings.from_environ(platforms=["linux-aarch64"]))
