"""Every knowledge entry is valid schema v1, and the validator rejects broken entries with exact messages."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

from envslim.knowledge.schema import KNOWN_TAGS, validate_entry

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGES = ROOT / "knowledge" / "packages"
ENTRY_FILES = sorted(PACKAGES.glob("*.toml"))


def load(path: Path) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def test_knowledge_base_has_at_least_60_entries():
    assert len(ENTRY_FILES) >= 60


@pytest.mark.parametrize("path", ENTRY_FILES, ids=lambda p: p.stem)
def test_entry_is_valid(path):
    assert validate_entry(load(path), path.stem) == []


def test_entry_names_are_unique_and_lower_case():
    names = [load(p)["name"] for p in ENTRY_FILES]
    assert len(names) == len(set(names))
    assert all(n == n.lower() for n in names)


@pytest.mark.parametrize("path", ENTRY_FILES, ids=lambda p: p.stem)
def test_pypi_name_agrees_with_name_map(path):
    names = pytest.importorskip("envslim.knowledge.names")
    data = load(path)
    if "pypi_name" not in data:
        pytest.skip("no pypi_name")
    assert validate_entry(data, path.stem, pypi_name_of=names.pypi_name) == []


def test_pyarrow_entry_carries_the_move_advice_and_its_evidence():
    data = load(PACKAGES / "pyarrow.toml")
    assert data["advice"]["action"] == "move-to-pip"
    assert data["advice"]["safety"] == "safe"
    installed = {f["id"]: f.get("installed_bytes") for f in data["figures"]}
    assert installed["cf-closure-15.0.0-osx-arm64-installed"] == 402339680
    assert installed["pypi-wheel-26.0.1-cp311"] == 171308396
    assert data["numpy_abi"]["numpy1_only_below"] == "16.0.0"


def test_blas_users_are_tagged():
    tagged = {p.stem for p in ENTRY_FILES if "blas-user" in load(p).get("tags", [])}
    assert {"numpy", "scipy", "numexpr", "pytorch", "libtorch", "libopencv"} <= tagged


# --- the validator itself, on a small valid entry and broken copies of it ---------------------------

GOOD = {
    "name": "demo",
    "pypi_name": "demo",
    "summary": "a demo entry",
    "tags": ["blas-user"],
    "pulled_by": ["other"],
    "advice": {"action": "move-to-pip", "safety": "safe", "reason": "smaller on PyPI", "sources": ["S1"]},
    "slim_variants": [
        {"side": "conda", "replacement": "demo-base", "reason": "no GUI", "safety": "safe", "sources": ["S1"]}
    ],
    "numpy_abi": {"numpy1_only_below": "2.2.2", "sources": ["S1"]},
    "figures": [
        {
            "id": "f1", "side": "pypi", "kind": "wheel", "version": "1.0", "platform": "cp312-cp312-manylinux_2_28_x86_64",
            "archive_bytes": 10, "installed_bytes": 30, "note": "measured", "source": "S1", "date": "2026-11-27",
        }
    ],
    "sources": [{"id": "S1", "title": "PyPI", "url": "https://pypi.org/pypi/demo/json", "date": "2026-11-27"}],
}


def broken(**changes) -> dict:
    data = copy.deepcopy(GOOD)
    for path, value in changes.items():
        target = data
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is DELETE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    return data


DELETE = object()


def test_good_entry_is_valid():
    assert validate_entry(GOOD, "demo") == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "other"}, "name: 'other' does not match the file name 'demo'"),
        ({"name": DELETE}, "name: required"),
        ({"summary": DELETE}, "summary: required"),
        ({"summary": "two\nlines"}, "summary: must be a non-empty single line"),
        ({"colour": "red"}, "colour: unknown field"),
        ({"tags": ["gpu"]}, "tags: unknown tag 'gpu' (known: blas-user, numpy-abi, pulls-mkl)"),
        ({"pulled_by": ["demo"]}, "pulled_by: lists the package itself"),
        ({"pulled_by": ["Other Pkg"]}, "pulled_by: 'Other Pkg' is not a conda package name"),
        ({"pulled_by_below": ["geoviews"]},
         "pulled_by_below: must be a table of conda name = first version whose builds no longer depend on it"),
        ({"pulled_by_below": {"Geo Views": "1.6.6"}}, "pulled_by_below: 'Geo Views' is not a conda package name"),
        ({"pulled_by_below": {"geoviews": 1.6}}, "pulled_by_below.geoviews: must be a version string"),
        ({"advice__action": "delete"}, "advice.action: 'delete' is not one of move-to-pip, slim-variant, none"),
        ({"advice__safety": "maybe"}, "advice.safety: 'maybe' is not one of safe, unsafe"),
        ({"advice__sources": ["S9"]}, "advice.sources: 'S9' is not a [[sources]] id"),
        ({"advice__sources": []}, "advice.sources: must be a non-empty list of source ids"),
        ({"slim_variants__0__side": "both"}, "slim_variants[0].side: 'both' is not one of conda, pip"),
        ({"slim_variants__0__sources": ["S2"]}, "slim_variants[0].sources: 'S2' is not a [[sources]] id"),
        ({"numpy_abi__numpy1_only_below": "2.x"}, "numpy_abi.numpy1_only_below: '2.x' is not a release number like '2.2.2'"),
        ({"numpy_abi__sources": ["S3"]}, "numpy_abi.sources: 'S3' is not a [[sources]] id"),
        ({"figures__0__installed_bytes": -1}, "figures[0].installed_bytes: -1 is not an integer >= 0"),
        ({"figures__0__archive_bytes": 1.5}, "figures[0].archive_bytes: 1.5 is not an integer >= 0"),
        ({"figures__0__archive_bytes": True}, "figures[0].archive_bytes: True is not an integer >= 0"),
        ({"figures__0__source": "S7"}, "figures[0].source: 'S7' is not a [[sources]] id"),
        ({"figures__0__source": DELETE}, "figures[0].source: required"),
        ({"figures__0__date": DELETE}, "figures[0].date: required"),
        ({"figures__0__date": "27/11/2026"}, "figures[0].date: '27/11/2026' is not an ISO date (YYYY-MM-DD, quoted)"),
        ({"figures__0__date": "2026-02-30"}, "figures[0].date: '2026-02-30' is not a real date"),
        ({"figures__0__side": "pip"}, "figures[0].side: 'pip' is not one of conda-forge, defaults, pypi"),
        ({"figures__0__kind": "env"}, "figures[0].kind: 'env' is not one of closure, package, wheel"),
        ({"figures__0__side": "conda-forge"}, "figures[0].kind: 'wheel' figures are on side 'pypi'"),
        ({"figures__0__note": DELETE}, "figures[0].note: required, one line"),
        ({"sources__0__url": "pypi.org"}, "sources[0].url: 'pypi.org' is not an http(s) URL"),
        ({"sources__0__date": DELETE}, "sources[0].date: None is not an ISO date (YYYY-MM-DD, quoted)"),
    ],
)
def test_broken_entry_is_rejected_with_exact_message(changes, message):
    assert message in validate_entry(broken(**changes), "demo")


def test_figure_without_any_bytes_is_rejected():
    data = broken(figures__0__archive_bytes=DELETE, figures__0__installed_bytes=DELETE)
    assert validate_entry(data, "demo") == ["figures[0]: needs archive_bytes or installed_bytes"]


def test_duplicate_figure_ids_and_source_ids_are_rejected():
    data = copy.deepcopy(GOOD)
    data["figures"].append(dict(data["figures"][0]))
    data["sources"].append(dict(data["sources"][0]))
    assert validate_entry(data, "demo") == [
        "sources[1].id: 'S1' used twice",
        "figures[1].id: 'f1' used twice in this entry",
    ]


def test_slim_variant_advice_needs_a_variant():
    data = broken(advice__action="slim-variant", slim_variants=DELETE)
    assert validate_entry(data, "demo") == ["advice.action: 'slim-variant' needs at least one [[slim_variants]]"]


def test_pypi_name_checked_against_a_name_map_when_given():
    assert validate_entry(GOOD, "demo", pypi_name_of=lambda name: "demo") == []
    assert validate_entry(GOOD, "demo", pypi_name_of=lambda name: None) == [
        "pypi_name: 'demo' disagrees with the name map (None)"
    ]


def test_known_tags_are_the_documented_ones():
    readme = (ROOT / "knowledge" / "README.md").read_text(encoding="utf-8")
    for tag in KNOWN_TAGS:
        assert f"`{tag}`" in readme
