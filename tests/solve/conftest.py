"""A real conda channel and a real PyPI for the solve tests, served with Range on 127.0.0.1.

``channel.add(name, version, ...)`` builds a real ``.conda`` (or ``.tar.bz2``) with py-rattler-build's
``assemble_package`` from a payload that compresses (archive bytes differ from installed bytes);
``channel.publish()`` indexes the directory with ``rattler.index.index_fs`` (repodata.json and shards)
and puts every file on the server under ``/conda/<channel>/``. ``pypi.add(name, version, requires)``
builds a real wheel and serves it through the simple API (PEP 691 JSON + PEP 658 metadata) and the
JSON API. ``env`` points envslim at both (ENVSLIM_CONDA_URL, ENVSLIM_PYPI_URL, ENVSLIM_CACHE_DIR).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "online"))

from pkgserver import PackageServer, PypiFile, add_simple_project, build_wheel  # noqa: E402

pytest.importorskip("rattler")
pytest.importorskip("rattler_build")


def payload(name: str, size: int) -> bytes:
    """``size`` bytes that compress well but not to nothing: a line of the name repeated."""
    line = (f"{name} " * 8 + "\n").encode()
    return (line * (size // len(line) + 1))[:size]


class Channel:
    def __init__(self, root: Path, server: PackageServer, name: str = "conda-forge") -> None:
        self.name = name
        self.dir = root / name
        self.server = server
        self.staging = root / f"{name}-staging"
        self.built: dict[str, Path] = {}
        for sub in ("noarch",):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)

    def add(
        self,
        name: str,
        version: str,
        *,
        build: str = "h0_0",
        subdir: str = "linux-64",
        depends: tuple[str, ...] | list[str] = (),
        constrains: tuple[str, ...] | list[str] = (),
        files: dict[str, int] | None = None,
        noarch: str | None = None,
        bz2: bool = False,
        build_number: int = 0,
    ) -> Path:
        """One artifact; ``files`` maps paths to sizes (default: ``lib/<name>.so`` of 50,000 bytes)."""
        import rattler_build

        stage = self.staging / f"{name}-{version}-{build}-{subdir}"
        stage.mkdir(parents=True, exist_ok=True)
        for rel, size in (files if files is not None else {f"lib/{name}.so": 50_000}).items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(payload(f"{name}-{version}-{rel}", size))
        out_dir = self.dir / ("noarch" if noarch else subdir)
        out_dir.mkdir(parents=True, exist_ok=True)
        kind = rattler_build.ArchiveType.TarBz2 if bz2 else rattler_build.ArchiveType.Conda
        result = rattler_build.assemble_package(
            name, version, "noarch" if noarch else subdir, build, out_dir, files_dir=stage,
            depends=list(depends), constrains=list(constrains), noarch=noarch, archive_type=kind,
            build_number=build_number, detect_prefix=False,
        )
        path = Path(result.path)
        self.built[f"{path.parent.name}/{path.name}"] = path
        return path

    def index(self) -> None:
        from rattler.index import index_fs

        coro = index_fs(channel_directory=self.dir, force=True)
        if asyncio.iscoroutine(coro):
            asyncio.run(coro)

    def serve(self, server: PackageServer, name: str | None = None) -> str:
        """Put every file of the channel on ``server`` under ``/conda/<name>/``."""
        name = name or self.name
        for path in self.dir.rglob("*"):
            if path.is_file():
                server.add_file(f"/conda/{name}/{path.relative_to(self.dir).as_posix()}", path.read_bytes())
        return f"{server.url}/conda/{name}"

    def publish(self) -> str:
        self.index()
        return self.serve(self.server)

    def installed_bytes(self, url: str) -> int:
        """The reference: the sum of size_in_bytes in the artifact's info/paths.json, read locally
        (``url``: the artifact's URL, or ``subdir/filename``)."""
        import rattler

        key = "/".join(url.split("/")[-2:])
        return sum(e.size_in_bytes for e in rattler.PathsJson.from_package_archive(self.built[key]).paths)


class PyPI:
    def __init__(self, server: PackageServer) -> None:
        self.server = server
        self.projects: dict[str, list[PypiFile]] = {}

    def add(self, name: str, version: str, requires: list[str] = (), *, size: int = 20_000,
            tag: str = "py3-none-any", sdist_only: bool = False) -> bytes:
        if sdist_only:
            f = PypiFile(f"{name}-{version}.tar.gz", version, data=payload(name, 1000))
        else:
            wheel = build_wheel(name, version, tag, {f"{name}/__init__.py": payload(name, size)},
                                requires=list(requires))
            f = PypiFile(f"{name.replace('-', '_')}-{version}-{tag}.whl", version, data=wheel)
        self.projects.setdefault(name, []).append(f)
        add_simple_project(self.server, name, self.projects[name])
        self.server.add_pypi_project(name, self.projects[name])
        return f.data


@pytest.fixture
def server() -> Iterator[PackageServer]:
    with PackageServer() as srv:
        yield srv


@pytest.fixture
def channel(tmp_path: Path, server: PackageServer) -> Channel:
    return Channel(tmp_path / "channels", server)


@pytest.fixture(scope="session")
def built_world(tmp_path_factory: pytest.TempPathFactory) -> Channel:
    """The shared packages of world.py, built and indexed once per test session."""
    from .world import build_world

    world = Channel(tmp_path_factory.mktemp("world"), None)  # type: ignore[arg-type]
    build_world(world)
    world.index()
    return world


@pytest.fixture
def world(built_world: Channel, server: PackageServer, pypi: PyPI) -> Channel:
    """The shared world served as conda-forge, with its PyPI projects."""
    from .world import build_pypi

    built_world.serve(server)
    build_pypi(pypi)
    return built_world


@pytest.fixture
def pypi(server: PackageServer) -> PyPI:
    return PyPI(server)


@pytest.fixture
def env(tmp_path: Path, server: PackageServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "ENVSLIM_CONDA_URL": server.url + "/conda",
        "ENVSLIM_DEFAULTS_URL": server.url + "/defaults",
        "ENVSLIM_PYPI_URL": server.url,
        "ENVSLIM_CACHE_DIR": str(tmp_path / "cache"),
        "UV_HTTP_RETRIES": "0",
    }
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    return values


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_json(text: str) -> object:
    return json.loads(text)
