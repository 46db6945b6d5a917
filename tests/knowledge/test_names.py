"""envslim.knowledge.names: curated conda <-> PyPI exceptions, the deny-list, PEP 503 fallback."""

from __future__ import annotations

import csv
import datetime
import os
import shutil
import subprocess
import sys

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from tests.conftest import ROOT
from envslim.knowledge import names
from envslim._paths import knowledge_dir

TOML = tomllib.loads((ROOT / "knowledge" / "names.toml").read_text(encoding="utf-8"))


def test_pypi_names():
    got = {c: names.pypi_name(c) for c in (
        "pytorch", "PyTorch", "py-opencv", "msgpack-python", "pytables", "typing_extensions", "dask-core",
        "ruamel.yaml", "pyarrow-core", "pyarrow-all", "brotli-python", "python-graphviz", "numpy",
        "scikit-learn", "zope.interface", "geopandas-base", "numpy-base", "netcdf4",
    )}
    assert got == {
        "pytorch": "torch", "PyTorch": "torch", "py-opencv": "opencv-python", "msgpack-python": "msgpack",
        "pytables": "tables", "typing_extensions": "typing-extensions", "dask-core": "dask",
        "ruamel.yaml": "ruamel-yaml", "pyarrow-core": "pyarrow", "pyarrow-all": "pyarrow",
        "brotli-python": "brotli", "python-graphviz": "graphviz", "numpy": "numpy",
        "scikit-learn": "scikit-learn", "zope.interface": "zope-interface", "geopandas-base": "geopandas",
        "numpy-base": "numpy", "netcdf4": "netCDF4",
    }


def test_no_pypi_counterpart():
    for conda in ("python", "pip", "nomkl", "mkl", "_openmp_mutex", "compilers", "c-compiler", "cxx-compiler",
                  "libgcc", "libstdcxx-ng", "libblas", "blas", "libarrow", "libtorch", "abseil-cpp"):
        assert names.pypi_name(conda) is None, conda
    # patterns and non-names have no PyPI name either
    assert [names.pypi_name(s) for s in ("*", "numpy*", "numpy>=1", "", "Has Space")] == [None] * 5


def test_deny_reasons():
    assert names.deny_reason("pip") == "conda needs pip in the environment to install the pip: section"
    assert names.deny_reason("Python") == "the interpreter itself: pip installs into a Python, it cannot provide one"
    assert names.deny_reason("numpy") is None


def test_conda_names():
    got = {p: names.conda_name(p) for p in (
        "torch", "Torch", "opencv-python", "opencv_python", "pyarrow", "typing-extensions", "Typing.Extensions",
        "matplotlib", "tensorflow", "xgboost", "brotli", "importlib-metadata", "requests", "geopandas", "netCDF4",
        "not a name",
    )}
    assert got == {
        "torch": "pytorch", "Torch": "pytorch", "opencv-python": "opencv", "opencv_python": "opencv",
        "pyarrow": "pyarrow", "typing-extensions": "typing_extensions", "Typing.Extensions": "typing_extensions",
        "matplotlib": "matplotlib-base", "tensorflow": "tensorflow", "xgboost": "xgboost",
        "brotli": "brotli-python", "importlib-metadata": "importlib-metadata", "requests": "requests",
        "geopandas": "geopandas", "netCDF4": "netcdf4", "not a name": None,
    }


def test_normalize():
    assert [names.normalize(n) for n in ("Foo_Bar", "foo.-_bar", "ruamel.yaml", "A")] == [
        "foo-bar", "foo-bar", "ruamel-yaml", "a"]


def test_names_toml_entries_cite_known_sources_and_do_not_overlap():
    ids = [s["id"] for s in TOML["sources"]]
    assert len(ids) == len(set(ids))
    for source in TOML["sources"]:
        assert set(source) == {"id", "title", "url", "date"}
        assert source["url"].startswith("https://")
        datetime.date.fromisoformat(source["date"])
    conda = [e["conda"] for e in TOML["map"] + TOML["deny"]]
    assert len(conda) == len(set(conda)), "a conda name is listed twice"
    for entry in TOML["map"]:
        assert set(entry) <= {"conda", "pypi", "pypi_to_conda", "sources", "note"}
        assert entry["sources"] and set(entry["sources"]) <= set(ids), entry["conda"]
    for entry in TOML["deny"]:
        assert set(entry) == {"conda", "reason", "sources"}
        assert entry["sources"] and set(entry["sources"]) <= set(ids), entry["conda"]
    # each PyPI name has at most one preferred conda package
    preferred = [names.normalize(e["pypi"]) for e in TOML["map"] if e.get("pypi_to_conda", True)]
    assert len(preferred) == len(set(preferred))


def test_every_pair_of_the_shared_name_map_holds(shared_dir):
    with open(shared_dir / "data" / "name_map.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 46
    assert {r["conda_name"]: names.pypi_name(r["conda_name"]) for r in rows} == {
        r["conda_name"]: r["pypi_name"] for r in rows}


def test_knowledge_dir_prefers_the_bundled_copy(tmp_path):
    assert knowledge_dir() == ROOT / "knowledge"
    # an installed layout: <site-packages>/<package>/_paths.py beside <package>/_knowledge (another package
    # name, so the editable install of envslim cannot shadow it)
    pkg = tmp_path / "installed_envslim"
    (pkg / "_knowledge").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    shutil.copy(ROOT / "envslim" / "_paths.py", pkg / "_paths.py")
    out = subprocess.run(
        [sys.executable, "-c", "from installed_envslim._paths import knowledge_dir; print(knowledge_dir())"],
        env=dict(os.environ, PYTHONPATH=str(tmp_path)), capture_output=True, text=True, check=True,
    ).stdout
    assert out == f"{pkg / '_knowledge'}\n"


def test_the_table_is_read_lazily_and_once():
    code = (
        "import sys, envslim.knowledge.names as n; print('tomllib' in sys.modules, n._TABLE is None); "
        "n.pypi_name('pytorch'); t = n._TABLE; n.conda_name('torch'); print(n._TABLE is t)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                         capture_output=True, text=True, check=True).stdout
    assert out == "False True\nTrue\n"


@pytest.mark.parametrize("entry", TOML["map"], ids=lambda e: e["conda"])
def test_each_mapped_name(entry):
    assert names.pypi_name(entry["conda"]) == entry["pypi"]
    if entry.get("pypi_to_conda", True):
        assert names.conda_name(entry["pypi"]) == entry["conda"]
    else:
        assert names.conda_name(entry["pypi"]) != entry["conda"]
