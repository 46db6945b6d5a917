"""``envslim report PREFIX`` on real prefixes: installed by rattler from a local channel built in the test
(conda-meta written by the installer, with paths_data), conda's history beside them, and
a wheel installed by pip into its site-packages."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from envslim.cli import main

pytestmark = pytest.mark.slow  # rattler installs a prefix; pip installs a wheel


def install(channel_dir: Path, prefix: Path, specs: list[str]) -> None:
    import rattler

    async def go():
        records = await rattler.solve(
            [rattler.Channel(channel_dir.as_uri())], specs, platforms=["linux-64", "noarch"],
            virtual_packages=[rattler.GenericVirtualPackage(rattler.PackageName("__glibc"),
                                                            rattler.Version("2.28"), rattler.BuildString("0"))])
        await rattler.install(records, prefix, cache_dir=prefix.parent / "pkgs", platform=rattler.Subdir("linux-64"),
                              show_progress=False)
    asyncio.run(go())


def wheel(path: Path, name: str, version: str, files: dict[str, int], requires: list[str] = ()) -> Path:
    whl = path / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires)
    members = {**{rel: b"x" * size for rel, size in files.items()}, f"{info}/METADATA": meta.encode(),
               f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = "".join(f"{rel},sha256={_digest(data)},{len(data)}\n" for rel, data in members.items())
    with zipfile.ZipFile(whl, "w") as z:
        for rel, data in members.items():
            z.writestr(rel, data)
        z.writestr(f"{info}/RECORD", record + f"{info}/RECORD,,\n")
    return whl


def _digest(data: bytes) -> str:
    import base64
    import hashlib

    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


@pytest.fixture
def prefix(tmp_path, built_world):
    prefix = tmp_path / "env"
    install(built_world.dir, prefix, ["python 3.11.*", "pyarrow", "requests"])
    (prefix / "conda-meta" / "history").write_text(
        "==> 2026-12-06 10:00:00 <==\n# cmd: conda create -p env python=3.11 pyarrow requests\n"
        "# update specs: ['python=3.11', 'pyarrow', 'requests']\n")
    site = prefix / "lib" / "python3.11" / "site-packages"
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    whl = wheel(wheels, "tinyapp", "1.0", {"tinyapp/__init__.py": 12_000}, ["tinydep>=1"])
    wheel(wheels, "tinydep", "2.0", {"tinydep/__init__.py": 3_000})
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--find-links", str(wheels),
                    "--no-compile", "--target", str(site), str(whl)], check=True)  # tinydep: as its dependency
    return prefix


def conda_bytes(prefix: Path) -> dict[str, int]:
    out = {}
    for rec in (prefix / "conda-meta").glob("*.json"):
        data = json.loads(rec.read_text())
        out[data["name"]] = sum(p["size_in_bytes"] for p in data["paths_data"]["paths"])
    return out


def record_bytes(site: Path, name: str) -> int:
    """The bytes on disk of every file the dist-info's RECORD lists (the reference)."""
    info = next(site.glob(f"{name}-*.dist-info"))
    return sum((site / line.rsplit(",", 2)[0]).lstat().st_size for line in (info / "RECORD").read_text().splitlines())


def test_json_measures_every_package_and_attributes_it(prefix, capsys):
    assert main(["report", "--format", "json", str(prefix)]) == 0
    data = json.loads(capsys.readouterr().out)
    installed = data["files"][0]["installed"]
    conda = conda_bytes(prefix)
    site = prefix / "lib" / "python3.11" / "site-packages"
    pip = {"tinyapp": record_bytes(site, "tinyapp"), "tinydep": record_bytes(site, "tinydep")}
    got = {(p["manager"], p["name"]): p for p in installed["packages"]}
    assert {k: p["installed_bytes"] for k, p in got.items()} == {
        **{("conda", n): b for n, b in conda.items()}, **{("pip", n): b for n, b in pip.items()}}
    assert got[("conda", "libaws")]["attribution"] == ["pyarrow"]
    assert got[("conda", "python")]["attribution"] == ["python=3.11", "pyarrow", "requests"]
    assert got[("pip", "tinydep")]["attribution"] == ["tinyapp"]
    assert set(got[("conda", "pyarrow")]) >= {"manager", "name", "version", "build", "installed_bytes", "attribution"}
    assert got[("conda", "pyarrow")]["version"] == "15.0.0" and got[("conda", "pyarrow")]["build"] == "py311h0_0"
    attribution = {a["name"]: a for a in installed["attribution"]}
    private = ["libaws", "libarrow", "libblas", "libopenblas", "numpy", "pyarrow"]
    assert sorted(attribution["pyarrow"]["private"]) == sorted(private)
    assert attribution["pyarrow"]["installed_bytes"] == sum(conda[n] for n in private)
    assert attribution["requests"]["private"] == ["requests"]
    assert attribution["tinyapp"]["private"] == ["tinyapp", "tinydep"]
    assert installed["installed_bytes"] == sum(conda.values()) + sum(pip.values())


def test_table_attribution_lines(prefix, capsys):
    assert main(["report", str(prefix)]) == 0
    out = capsys.readouterr().out.splitlines()
    conda = conda_bytes(prefix)
    from envslim.display import mb

    pyarrow = sum(conda[n] for n in ["libaws", "libarrow", "libblas", "libopenblas", "numpy", "pyarrow"])
    assert out[1:5] == ["attribution (what each requested spec alone brings):",
                        "  python: 0 packages: what it needs, other requested specs need too",
                        f"  pyarrow: 6 packages, {mb(pyarrow)} that nothing else needs",
                        f"  requests: 1 package, {mb(conda['requests'])} that nothing else needs"]


def test_the_picture_draws_the_installed_packages(prefix, capsys, tmp_path):
    out = tmp_path / "p.svg"
    assert main(["report", "--format", "svg", "-o", str(out), str(prefix)]) == 0
    svg = out.read_text()
    from envslim.display import mb

    total = sum(conda_bytes(prefix).values()) + sum(record_bytes(prefix / "lib" / "python3.11" / "site-packages", n)
                                                     for n in ("tinyapp", "tinydep"))
    assert f"<title>{prefix}: {mb(total)} installed (measured in the installed environment); linux-64, Python 3.11.8" \
        "</title>" in svg
    assert 'data-package="libaws"' in svg and 'data-package="tinyapp"' in svg and 'data-side="after"' not in svg


def test_rewrite_refuses_a_prefix(prefix, capsys):
    assert main(["rewrite", "--check", str(prefix)]) == 2
    assert capsys.readouterr().err == (f"{prefix}: an installed conda environment, not an environment file:"
                                       f" `envslim report {prefix}` measures it\n")
