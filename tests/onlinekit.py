"""Shared by the report, explain --online, knowledge refresh and lockfile tests: a local package index
(tests/online/pkgserver.py, a real HTTP server on 127.0.0.1) with real wheels and .conda files, and the
environment variables that point envslim's sessions at it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pytest

from tests.online.pkgserver import CondaArtifact, PackageServer, PypiFile, build_conda, build_wheel, unzip_sum
from tests.conftest import run

TAG = "cp311-cp311-manylinux_2_28_x86_64"


def blob(n: int, seed: int) -> bytes:
    """``n`` bytes that do not compress away (so wheel and installed sizes differ realistically)."""
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}-{counter}".encode()).digest()
        counter += 1
    return bytes(out[:n])


@dataclass
class Wheel:
    name: str
    version: str
    filename: str
    data: bytes

    @property
    def installed(self) -> int:
        return unzip_sum(self.data)

    def url(self, server: PackageServer) -> str:
        return f"{server.url}/files/{self.filename}"


def add_wheels(server: PackageServer, name: str, versions: dict[str, int], tag: str = TAG) -> dict[str, Wheel]:
    """Serve ``/pypi/<name>/json`` with one real wheel per version (``version -> payload bytes``)."""
    wheels = {}
    for i, (version, size) in enumerate(versions.items()):
        module = name.replace("-", "_")
        data = build_wheel(module, version, tag, {f"{module}/__init__.py": b"X = 1\n",
                                                  f"{module}/_native.so": blob(size, i)})
        wheels[version] = Wheel(name, version, f"{module}-{version}-{tag}.whl", data)
    server.add_pypi_project(name, [PypiFile(w.filename, w.version, w.data) for w in wheels.values()])
    return wheels


@dataclass
class Conda:
    name: str
    version: str
    build: str
    subdir: str
    files: dict[str, bytes]
    data: bytes
    channel: str = "conda-forge"

    @property
    def installed(self) -> int:
        return sum(len(v) for v in self.files.values())

    @property
    def filename(self) -> str:
        return f"{self.name}-{self.version}-{self.build}.conda"

    def url(self, server: PackageServer) -> str:
        return f"{server.url}/conda/{self.channel}/{self.subdir}/{self.filename}"

    @property
    def md5(self) -> str:
        return hashlib.md5(self.data).hexdigest()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def conda_pkg(name: str, version: str, size: int, *, build: str = "h0_0", subdir: str = "linux-64") -> Conda:
    files = {f"lib/lib{name}.so": blob(size, len(name)), f"share/{name}/README": f"{name} {version}\n".encode()}
    return Conda(name, version, build, subdir, files, build_conda(name, version, build, subdir, files))


def add_conda(server: PackageServer, *packages: Conda) -> None:
    """Serve the anaconda.org files API for each package name and the .conda files themselves."""
    by_name: dict[str, list[Conda]] = {}
    for p in packages:
        by_name.setdefault(p.name, []).append(p)
    for name, items in by_name.items():
        server.add_conda_package(items[0].channel, name, [
            CondaArtifact(p.name, p.version, p.build, p.subdir, p.data) for p in items])


@pytest.fixture
def index(monkeypatch, tmp_path):
    """A started local index; envslim's sessions go to it and cache under tmp_path."""
    with PackageServer() as server:
        monkeypatch.setenv("ENVSLIM_PYPI_URL", server.url)
        monkeypatch.setenv("ENVSLIM_ANACONDA_URL", server.url)
        monkeypatch.setenv("ENVSLIM_CONDA_URL", server.url + "/conda")
        monkeypatch.setenv("ENVSLIM_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setenv("ENVSLIM_RETRY_BACKOFF", "0")  # failure tests retry at once, never sleep
        yield server


run_cli = run  # (the name the online tests use)


def run_json(capsys, *argv: str) -> tuple[int, dict, str]:
    rc, out, err = run_cli(capsys, *argv)
    return rc, json.loads(out), err
