"""Issue 11 follow-ups: reverse dependencies from PyPI's Requires-Dist, Arrow's native library listed by
name (libarrow, the defaults name arrow-cpp), nomkl's platform assumption (win-64), and the cases of the
issue that tests/rules/test_safefix.py did not cover. Exact output, exact bytes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from envslim import knowledge
from envslim.cli import main
from envslim.knowledge import names
from tests.conftest import ROOT, SHARED
from tests.online.pkgserver import PackageServer
from tests.rules.test_safefix import CF, PYARROW, run

TOOL = ROOT / "tools" / "reverse_deps.py"


# -- 1. reverse dependencies: the native library listed by name, and PyPI's Requires-Dist -----------------------
@pytest.mark.parametrize("channels, native", [("  - defaults\n", "arrow-cpp"), ("  - conda-forge\n", "libarrow"),
                                              ("  - conda-forge\n", "libparquet")])
def test_pyarrow_stays_while_its_native_library_is_listed(tmp_path, capsys, channels, native):
    text = f"channels:\n{channels}dependencies:\n  - {native}\n  - pyarrow\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES001")
    assert (rc, new) == (0, text)
    # libparquet's depends name libarrow (lock entries): a reverse dependency; the others are the library itself
    what = "depends on it" if native == "libparquet" else "is its native library"
    assert out == f"env.yml:5:3: ES001 pyarrow: {PYARROW}; not moved: {native} {what} in conda [report only]\n"


def test_arrow_cpp_has_no_pypi_counterpart():
    assert names.pypi_name("arrow-cpp") is None
    assert names.deny_reason("arrow-cpp").startswith("Arrow C++ library: the defaults channel's")
    assert "arrow-cpp" in knowledge.native_family("pyarrow")


def test_a_requirement_under_an_extra_does_not_hold_pyarrow(tmp_path, capsys):
    """PyPI dask requires pyarrow only with the dataframe extra; conda-forge's dask-core does not depend on
    it: the move goes ahead. conda-forge's dask (the extras' metapackage) does, and holds it."""
    import tomllib

    extra = tomllib.loads((ROOT / "knowledge" / "reverse_deps.toml").read_text())["packages"]["pyarrow"]["pypi_extra"]
    assert extra["dask-core"].startswith("dask 2026.8.0 (uploaded 2026-08-24) requires 'pyarrow>=16.0; extra == \"dataframe\"'")
    text = CF + "dependencies:\n  - dask-core\n  - pyarrow\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES001")
    assert new == CF + "dependencies:\n  - dask-core\n  - pip\n  - pip:\n    - pyarrow\n"
    rc, out, new = run(tmp_path, capsys, CF + "dependencies:\n  - dask\n  - pyarrow\n", "--select", "ES001")
    assert out == f"env.yml:6:3: ES001 pyarrow: {PYARROW}; not moved: dask depends on it in conda [report only]\n"


def test_pypi_requirers_in_the_knowledge_base():
    by = knowledge.pypi_requirers("pyarrow")
    assert sorted(by) == ["datasets"]
    assert by["datasets"].startswith("datasets 5.2.0 (uploaded 2026-11-09) requires 'pyarrow>=24.0.0';"
                                     " https://pypi.org/pypi/datasets/5.2.0/json (read 2026-12-02)")


def _project(name: str, version: str, requires: list[str] | None) -> bytes:
    return json.dumps({"info": {"name": name, "version": version, "requires_dist": requires},
                       "urls": [{"filename": f"{name}-{version}.tar.gz", "upload_time_iso_8601": "2026-03-04T05:06:07Z"},
                                {"filename": f"{name}-{version}-py3-none-any.whl",
                                 "upload_time_iso_8601": "2026-03-01T00:00:00Z"}],
                       "releases": {version: []}}).encode()


def test_the_tool_reads_requires_dist_from_a_pypi_json_api(tmp_path):
    """--fetch-pypi against a real local server speaking the PyPI JSON API: every project of the bounded set
    is asked for once; a requirement outside an extra (even with an environment marker) holds the move, one
    under an extra is recorded apart; the family's own projects never count."""
    with PackageServer() as srv:
        srv.json_docs["/pypi/transformers/json"] = _project("transformers", "9.1.0", [
            "numpy>=1.17", "pyarrow>=20; python_version >= '3.10'", "tokenizers"])
        srv.json_docs["/pypi/xarray/json"] = _project("xarray", "2026.1.0", ['pyarrow; extra == "arrow"'])
        srv.json_docs["/pypi/dask/json"] = _project("dask", "2026.1.0", None)
        snap = subprocess.run([sys.executable, str(TOOL), "--fetch-pypi", "--index", srv.url + "/pypi",
                               "--today", "2026-12-02"], capture_output=True, text=True, check=True).stdout
        asked = sorted({p for p, _ in srv.log})
    data = json.loads(snap)
    assert data["read"] == "2026-12-02"
    assert "/pypi/transformers/json" in asked and "/pypi/torch/json" in asked and len(asked) == len(data["projects"])
    assert data["projects"]["transformers"] == {
        "conda": ["transformers"], "name": "transformers", "version": "9.1.0", "uploaded": "2026-03-01",
        "url": "https://pypi.org/pypi/transformers/9.1.0/json",
        "requires_dist": ["numpy>=1.17", "pyarrow>=20; python_version >= '3.10'", "tokenizers"]}
    assert data["projects"]["torch"]["error"] == "HTTP Error 404: Not Found"
    assert data["projects"]["pyarrow"]["conda"] == ["pyarrow", "pyarrow-all", "pyarrow-core"]
    (tmp_path / "snap.json").write_text(snap)
    lock = tmp_path / "lock.jsonl"
    lock.write_text(json.dumps({"name": "cudf", "version": "24.08", "build": "py311_0", "subdir": "linux-64",
                                "depends": ["libarrow >=16"], "source": "github.com/o/r/blob/c/pixi.lock",
                                "source_date": "2025-01-02"}) + "\n")
    toml = subprocess.run([sys.executable, str(TOOL), str(lock), "--pypi-snapshot", str(tmp_path / "snap.json")],
                          capture_output=True, text=True, check=True).stdout
    section = toml.split('[packages."pyarrow"]\n', 1)[1]
    assert section == (
        'via = ["pyarrow", "pyarrow-core", "pyarrow-all", "libarrow*", "libparquet", "arrow-cpp"]\n'
        '[packages."pyarrow".by]\n'
        '"cudf" = "cudf 24.08 py311_0 (linux-64) depends on \'libarrow >=16\'; github.com/o/r/blob/c/pixi.lock'
        ' (2025-01-02)"\n'
        '[packages."pyarrow".pypi_by]\n'
        '"transformers" = "transformers 9.1.0 (uploaded 2026-03-01) requires \'pyarrow>=20; python_version >='
        ' \'3.10\'\'; https://pypi.org/pypi/transformers/9.1.0/json (read 2026-12-02)"\n'
        '[packages."pyarrow".pypi_extra]\n'
        '"xarray" = "xarray 2026.1.0 (uploaded 2026-03-01) requires \'pyarrow; extra == \\"arrow\\"\';'
        ' https://pypi.org/pypi/xarray/2026.1.0/json (read 2026-12-02)"\n')
    import tomllib

    from envslim.rules.move_to_pip import blockers

    rd = tomllib.loads(toml)["packages"]["pyarrow"]
    deps = {"transformers": None, "xarray": None, "libarrow": None, "pyarrow": None, "pandas": None}
    assert blockers("pyarrow", knowledge.load("pyarrow"), deps, rd["by"], rd["pypi_by"], tuple(rd["via"])) == [
        ("libarrow", "is its native library"),
        ("transformers", "depends on it (PyPI transformers 9.1.0 requires it)")]


def test_reverse_deps_snapshot_is_the_bounded_set():
    """The snapshot holds exactly the projects of names.toml's map and the entries' pypi_name: no others."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import reverse_deps
    finally:
        sys.path.pop(0)
    snap = json.loads((ROOT / "tools" / "data" / "pypi_requires_dist.json").read_text())
    assert sorted(snap["projects"]) == sorted(reverse_deps.pypi_projects())
    assert len(snap["projects"]) == 76


# -- 2. nomkl and the platform: conda-forge's default BLAS is OpenBLAS on linux/macOS, MKL on win-64 -------------
WIN = "conda-forge's default BLAS on win-64 is MKL, so numpy, scipy would link it there (on linux and macOS it is OpenBLAS)"


def test_nomkl_for_conda_forge_blas_users_on_win64(tmp_path, capsys):
    text = "channels:\n  - conda-forge\ndependencies:\n  - numpy  # [win]\n  - scipy  # [win64]\n  - python\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES002")
    # the two selectors differ, so the added line carries none of them (and goes last: the list is not sorted)
    # priced for win-64 on the environment: conda-forge's mkl 2026.1.0 side leaves (an estimate from archive bytes,
    # with its range), its libopenblas 0.3.30 arrives
    assert out == (f"env.yml:4:3: ES002 nomkl: add nomkl: {WIN} (saves ~418.7 MB, estimate 174.0 MB to 651.9 MB)"
                   " [fixed]\nrewrote env.yml\n")
    assert new == text + "  - nomkl\n"
    text = "channels:\n  - conda-forge\ndependencies:\n  - numpy  # [win]\n  - scipy  # [win]\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES002")
    assert new == "channels:\n  - conda-forge\ndependencies:\n  - nomkl  # [win]\n  - numpy  # [win]\n  - scipy  # [win]\n"


@pytest.mark.parametrize("selector", ["", "  # [linux]", "  # [not win]", "  # [win or osx]"])
def test_no_nomkl_for_conda_forge_blas_users_on_linux_and_macos(tmp_path, capsys, selector):
    text = f"channels:\n  - conda-forge\ndependencies:\n  - numpy{selector}\n  - scipy{selector}\n"
    assert run(tmp_path, capsys, text, "--select", "ES002") == (0, "", text)


def test_win64_nomkl_is_not_a_guard_when_conda_forge_comes_first(tmp_path, capsys):
    text = "channels:\n  - conda-forge\n  - defaults\ndependencies:\n  - numpy  # [win]\n  - scipy  # [win]\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES002")
    assert out == (f"env.yml:5:3: ES002 nomkl: add nomkl: {WIN} (saves ~425.3 MB, estimate 176.9 MB to 662.0 MB)"
                   " [fixed]\nrewrote env.yml\n")


def test_no_nomkl_for_conda_forge_pytorch_on_win64(tmp_path, capsys):
    text = "channels:\n  - conda-forge\ndependencies:\n  - numpy  # [win]\n  - pytorch  # [win]\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES002")
    assert (out, new) == ("env.yml:5:3: ES002 nomkl: nomkl not added: conda-forge's builds of pytorch without MKL"
                          " (cpu_generic) are recorded for linux-64 only, and on win-64 nomkl may make pytorch"
                          " unsolvable [not fixed: the builds without MKL may not exist]\n", text)


def test_explain_nomkl_states_the_platform_assumption(capsys):
    assert main(["explain", "ES002"]) == 0
    doc = " ".join(capsys.readouterr().out.split())
    assert ("On conda-forge the default BLAS depends on the platform (`blas_default_impl` in"
            " conda-forge/blas-feedstock@415a2b6e's `recipe/conda_build_config.yaml`): OpenBLAS on linux and"
            " macOS, MKL on win-64.") in doc
    assert "a file whose motivating lines all carry a `# [win]` (or `# [win64]`) selector is for win-64" in doc


# -- 3. the other cases -----------------------------------------------------------------------------------
from tests.rules.test_safefix import about, corpus  # noqa: E402


@pytest.mark.parametrize("prefix, line", [
    ("040", "F:79:3: ES004 matplotlib: matplotlib-base not suggested: matplotlib-base is not known to exist on the"
            " defaults channel [not fixed: variant not known there]"),
    # anaconda, conda-forge, defaults: ES007 writes nodefaults, and the anaconda channel listed first still serves
    ("088", "F:71:3: ES004 matplotlib: matplotlib-base not suggested: matplotlib-base is not known to exist on the"
            " defaults channel [not fixed: variant not known there]"),
    ("156", "F:51:3: ES004 matplotlib: matplotlib-base not suggested: matplotlib-base exists on conda-forge from"
            " 3.0.0; the file asks for 2.1.2 [not fixed: no such variant]"),
    ("162", "F:53:1: ES004 matplotlib: matplotlib-base not suggested: matplotlib-base is not known to exist on the"
            " intel channel [not fixed: variant not known there]"),
    ("164", "F:66:3: ES004 matplotlib: matplotlib-base not suggested: matplotlib-base is not known to exist on the"
            " defaults channel [not fixed: variant not known there]"),
    # pytorch, anaconda, conda-forge, defaults: anaconda serves matplotlib, before and after ES007's nodefaults
    ("234", "F:9:3: ES004 matplotlib: matplotlib-base not suggested: matplotlib-base is not known to exist on the"
            " defaults channel [not fixed: variant not known there]"),
])
def test_no_matplotlib_base_for_builds_of_other_channels(tmp_path, capsys, prefix, line):
    lines, _, after = corpus(tmp_path, capsys, prefix, "--unsafe-fixes")
    assert about(lines, "ES004", "matplotlib") == [line]
    assert b"matplotlib-base" not in after


def test_a_listed_defaults_channel_stays_next_to_nodefaults(tmp_path, capsys):
    """conda drops only the nodefaults entry (conda/env/installers/conda.py): anaconda or defaults listed by name
    still serves, ahead of conda-forge or after it."""
    text = ("channels:\n  - anaconda\n  - conda-forge\n  - defaults\ndependencies:\n"
            "  - matplotlib=3.0.1=py36h5429711_0\n  - python=3.6\n")
    rc, out, new = run(tmp_path, capsys, text, "--unsafe-fixes", "--select", "ES004,ES007")
    assert out == ("env.yml:4:3: ES007 defaults: mixes defaults with conda-forge; use nodefaults [fixed]\n"
                   "env.yml:6:3: ES004 matplotlib: matplotlib-base not suggested: matplotlib-base is not known to exist"
                   " on the defaults channel [not fixed: variant not known there]\nrewrote env.yml\n")
    assert new == text.replace("  - defaults\n", "  - nodefaults\n")
    text = "channels:\n  - conda-forge\n  - defaults\n  - nodefaults\ndependencies:\n  - numpy\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES010")
    assert out == ("env.yml:6:3: ES010 nomkl: add nomkl: a guard only, saves nothing: conda-forge, listed before"
                   " defaults, serves numpy without MKL (strict channel priority) [fixed]\nrewrote env.yml\n")


@pytest.mark.parametrize("channels, deps, why", [
    ("  - nvidia\n  - conda-forge\n", "  - pytorch\n", "the nvidia channel is listed"),
    ("  - conda-forge\n", "  - pytorch=2.1=cuda118*\n", "pytorch=2.1=cuda118* (line 4) is a GPU build"),
    ("  - conda-forge\n", "  - pytorch\n  - tensorflow-gpu\n", "tensorflow-gpu (line 5) targets CUDA"),
    ("  - conda-forge\n", "  - pytorch\n  - cudatoolkit=11.8\n", "cudatoolkit=11.8 (line 5) targets CUDA"),
])
def test_no_cpu_rename_where_the_file_targets_a_gpu(tmp_path, capsys, channels, deps, why):
    text = f"channels:\n{channels}dependencies:\n{deps}"
    rc, out, new = run(tmp_path, capsys, text, "--unsafe-fixes", "--select", "ES004")
    line = len(channels.splitlines()) + 3
    assert (out, new) == (f"env.yml:{line}:3: ES004 pytorch: pytorch-cpu not suggested: {why}, so the file targets a"
                          " GPU [not fixed: the file targets a GPU]\n", text)


def test_conda_forge_cpu_rename_claims_no_saving(tmp_path, capsys):
    text = CF + "dependencies:\n  - pytorch\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES004")
    reason = knowledge.load("pytorch").slim_variants[0]["reason"]
    assert (out, new) == (f"env.yml:5:3: ES004 pytorch: use pytorch-cpu: {reason}; no saving claimed: conda-forge's"
                          " CUDA builds depend on the __cuda virtual package, so an image built on a host without a"
                          " GPU gets CPU builds anyway (unless CONDA_OVERRIDE_CUDA is set) (saving unknown: depends on whether the"
                          " image is built on a host with a GPU) [unsafe fix, use"
                          " --unsafe-fixes]\n", text)


def test_a_spec_with_a_conda_comment_is_not_moved(tmp_path, capsys):
    """``pyarrow#=20.0.0`` is one YAML scalar; conda reads ``#...`` as a comment of the spec. Moving it to pip
    would drop that text silently (found by tests/document/test_mutations.py's hypothesis run)."""
    text = "channels:\n  - conda-forge\ndependencies:\n  - pyarrow#=20.0.0\n  - python=3.11\n"
    (tmp_path / "env.yml").write_text(text)
    from envslim.cli import main

    assert main(["rewrite", "-v", "--select", "ES001", str(tmp_path / "env.yml")]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "env.yml").read_text() == text
    assert out.endswith("not moved: the spec 'pyarrow#=20.0.0' holds a conda comment (#)"
                        " [not fixed: the spec holds a conda comment]\n")
