"""What ``envslim explain`` tells users, claim by claim, against its evidence (the explain6 audit, 2026-12-07).

Each text here was checked against PyPI's JSON API, ../shared/data (lock_entries.jsonl, conda_closures.csv)
and the graph snapshot; the notes are in the audit report, not needed to run the tests.
"""

from __future__ import annotations

from envslim.cli import main


def _explain(capsys, *argv: str) -> list[str]:
    assert main(["explain", *argv]) == 0
    return capsys.readouterr().out.splitlines()


def test_pyarrow_reason_gives_the_wheel_sizes_of_the_releases_pip_installs_for_25_0(capsys):
    # PyPI: pyarrow 25.0.0 installs 156,986,306 .. 157,169,329 B for cp310 .. cp314 and 25.0.1 cp310
    # 157,011,235 B; 26.0.1 171.3 .. 171.4 MB (Requires-Python >=3.11). 141 MB was 21.0.0, which pip
    # installs for Python 3.9 only, a Python the reason is not shown for ("by Python" was not so).
    lines = _explain(capsys, "pyarrow")
    assert lines[1] == (
        "Advice: move-to-pip (fix: safe): conda-forge pyarrow 25.0 pulls 65 packages beyond python on linux-64"
        " (AWS/Azure/GCS SDKs, gRPC, protobuf: 51.4 MB of archives, an estimated 187 to 364 MB installed);"
        " the PyPI wheel is one self-contained package (157 MB installed for 25.0, 171 MB for 26.0.1)")


def test_es001_documentation_describes_todays_conda_forge_pyarrow(capsys):
    # conda-forge split pyarrow at 16.0.0 (arrow-cpp-feedstock#1255): Gandiva (LLVM) is in pyarrow-all only;
    # libarrow 25.0.0 depends on the AWS, Azure and Google Cloud SDKs (lock_entries.jsonl). The wheel is
    # smaller, not "several times smaller": 157 MB against an estimated 276 MB closure.
    text = "\n".join(_explain(capsys, "ES001"))
    assert ("drags in a larger native closure than the PyPI wheel installs (pyarrow: libarrow with the AWS, Azure\n"
            "and Google Cloud C++ SDKs, gRPC and protobuf; before 16.0.0 also LLVM for Gandiva, which conda-forge\n"
            "now ships only in `pyarrow-all`).") in text
    assert ("same project links what it needs statically into one package and installs smaller (pyarrow 25.0 on\n"
            "linux-64: a closure estimated at 276 MB, 187 to 364 MB, against a 157 MB wheel).") in text
    assert "LLVM for Gandiva)" not in text and "several\ntimes smaller" not in text


def test_pytorch_cpu_variant_names_the_release_and_build_of_each_closure(capsys):
    # conda_closures.csv: 2,290,360,316 B is pytorch 2.4.0 over libtorch cuda120 (pixi examples/pytorch @7bed12c),
    # 241,663,753 B pytorch 2.8.0 cpu_mkl (detectron2 @9641ec7): two releases, neither cited before.
    lines = _explain(capsys, "pytorch", "--verbose")
    assert ("Slimmer variant (conda): pytorch-cpu: conda-forge metapackage that selects a CPU build: the CUDA 12.0"
            " build of pytorch 2.4.0 pulled 2.29 GB of archives beyond python (libtorch, cuDNN, cuBLAS, MAGMA, NCCL),"
            " its cpu_generic build 0.11 GB; the cpu_mkl build of 2.8.0 0.24 GB [S9, S12, S2, S1]") in lines
    assert ("  [S12] prefix-dev/pixi examples/pytorch/pixi.lock @7bed12c (2024-09-24): closure of pytorch 2.4.0 with"
            " libtorch 2.4.0 cuda120 beyond python, 2,290,360,316 B of archives, shared/data/conda_closures.csv row"
            " 'libtorch 2.4.0 cuda120 (pixi pytorch example)' <https://github.com/prefix-dev/pixi/blob/"
            "7bed12cbadcb4355a00ac0a1d85d3e8d115e0d5f/examples/pytorch/pixi.lock> (2026-11-27)") in lines


def test_libgdal_is_a_metapackage_of_plugins_since_3_9_1_build_11(capsys):
    # Graph snapshot: libgdal 3.9.1 h8617584_6 (xugrid @bb389f0, 2024-07-12) depends on poppler, tiledb ...
    # itself; 3.9.1 ha770c72_11 (xugrid @38467a0, 2024-08-23) to 3.13.1 (Ribasim @f750dad) on libgdal-core and
    # the plugin packages. The libgdal-core closure (49 packages, 68.8 MB) came from 3DBAG/geodepot, not S1.
    lines = _explain(capsys, "libgdal", "--verbose")
    assert lines[0] == (
        "libgdal: GDAL C++ library: one package with every driver (poppler, PostgreSQL, TileDB, netCDF, HDF4/5,"
        " KEA...) up to 3.9.1 build 6; from 3.9.1 build 11 (2024-08) a metapackage of libgdal-core and one plugin"
        " package per heavy driver")
    assert lines[lines.index("Advice: slim-variant (fix: unsafe) [S1, S2, S3]") + 1] == (
        "  libgdal-core leaves out the drivers libgdal brings as plugins (PDF/poppler, PostgreSQL and PostGIS raster,"
        " TileDB, netCDF, HDF4, HDF5, KEA, FITS, GRIB, JPEG 2000, XLS; ADBC from 3.11); unsafe because code that"
        " reads those formats breaks")
    assert ("Slimmer variant (conda): libgdal-core: GDAL core with the common drivers: gdal 3.9.3 over libgdal-core"
            " pulled 49 packages beyond python (68.8 MB of archives), gdal 3.9.1 over the one-package libgdal 121"
            " (123.4 MB) [S1, S4]") in lines


def test_dask_names_pyarrow_among_what_the_metapackage_pulls(capsys):
    # Graph snapshot: dask 2023.12.1 (imod-python @8983294) to 2026.7.1 (Ribasim @f750dad) depend on pyarrow;
    # 2023.3.0 (CoastSeg @5152daa, the entry's figures) does not. The reason listed only distributed, bokeh,
    # pandas and numpy for any release.
    lines = _explain(capsys, "dask", "--verbose")
    assert lines[lines.index("Advice: slim-variant (fix: unsafe) [S1, S3, S4]") + 1] == (
        "  dask pulls distributed, bokeh, pandas and numpy, and pyarrow with the Arrow C++ stack (2023.12.1 to"
        " 2026.7.1 depend on it; 2023.3.0 does not); dask-core alone is enough when neither the distributed"
        " scheduler and dashboard nor dask.dataframe are used")
    assert ("Slimmer variant (conda): dask-core: dask-core is the dask library without distributed, bokeh, pandas,"
            " numpy and (from 2023.12.1 at the latest) pyarrow (closure 1.6 MB vs 54.3 MB of archives beyond python"
            " 3.12 for 2023.3.0, before pyarrow) [S1, S3, S4]") in lines


def test_matplotlib_names_the_qt_binding_of_each_release(capsys):
    # lock_entries.jsonl: matplotlib 3.10.8 (linux-64, win-64) depends on pyside6 >=6.7.2, 3.8.4 on pyqt >=5.10
    # (its closure's heaviest member is qt-main, LK1); the reason named qt6-main and pyside6 for any release.
    lines = _explain(capsys, "matplotlib")
    assert lines[1] == (
        "Advice: slim-variant (fix: safe): the conda matplotlib metapackage pulls a Qt binding that a headless image"
        " never uses (pyside6 and qt6-main for 3.10.8, pyqt and qt-main for 3.8.4, on linux-64 and win-64);"
        " matplotlib-base has the same Python package")


def test_es006_example_is_a_line_the_rule_removes(capsys, tmp_path):
    # The example was a pip line with a constraint (`requests>=2.31`) merged into the conda line; the rule
    # reports such a line and leaves it ("merge its constraint into the conda line by hand"). The example is
    # now what the rule does: the bare pip line goes, the conda line stays.
    text = "\n".join(_explain(capsys, "ES006"))
    example = "dependencies:\n  - requests\n  - pip\n  - pip:\n    - requests\n"
    assert f"## Example\n```yaml\n{example}```\n\n## Use instead\n```yaml\ndependencies:\n  - requests\n  - pip\n```" in text
    path = tmp_path / "environment.yml"
    path.write_text(example)
    assert main(["rewrite", "--unsafe-fixes", str(path)]) == 0
    capsys.readouterr()
    assert path.read_text() == "dependencies:\n  - requests\n  - pip\n"


def test_one_line_summaries_compare_one_release_on_one_platform(capsys):
    # polars: 87 MB was the osx-arm64 conda package of 0.20.16, 178 MB the Linux runtime wheel of 2.1.0; the
    # 0.20.16 macOS arm64 wheel installs 84,515,704 B (PyPI, uploaded 2024-03-18). libopenblas: "6 MB archive"
    # was 0.3.33's linux-64 archive, told beside the osx-arm64 installed size (0.3.26's archive is 2.9 MB).
    # pdal: only its win-64 builds depend on mkl (lock_entries.jsonl, qgis @9641ec7). dask-core: the dask
    # metapackage depends on pyarrow from 2023.12.1 at the latest.
    assert _explain(capsys, "polars")[:2] == [
        "polars: Rust dataframe library; one large native extension, about the same size from conda-forge and PyPI"
        " (0.20.16 on osx-arm64: 87.3 MB and 84.5 MB installed); on PyPI from 2.x it is the separate"
        " polars-runtime-32 wheel (178 MB installed for 2.1.0 on Linux)",
        "Advice: none (fix: safe): the PyPI wheels are not smaller: 0.20.16 on osx-arm64 installs 87.3 MB from"
        " conda-forge and 84.5 MB from its abi3 wheel (the conda closure adds numpy); polars 2.x on PyPI needs"
        " polars-runtime-32, 178 MB installed for 2.1.0 on Linux"]
    assert _explain(capsys, "libopenblas")[0] == (
        "libopenblas: OpenBLAS, the default BLAS of conda-forge (0.3.33 on linux-64: a 5.9 MB archive; 0.3.26 on"
        " osx-arm64: 2.9 MB archive, 10.5 MB installed)")
    assert _explain(capsys, "pdal")[0] == (
        "pdal: Point Data Abstraction Library (C++); on conda-forge it depends on libgdal, and on win-64 also on mkl"
        " (2.7.2: its win-64 build depends on blas and mkl, the linux-64 and macOS builds on neither)")
    assert _explain(capsys, "dask-core")[0] == (
        "dask-core: The dask library alone (conda-forge); the dask metapackage adds distributed, bokeh, pandas and"
        " numpy, and pyarrow from 2023.12.1 at the latest")


def test_mkl_advice_says_conda_forge_defaults_to_mkl_on_win_64(capsys):
    # conda-forge/blas-feedstock@415a2b6 recipe/conda_build_config.yaml: blas_default_impl openblas [not win],
    # mkl [win] (what ES002 acts on); the advice said "conda-forge uses OpenBLAS by default" for every platform.
    assert _explain(capsys, "mkl")[1] == (
        "Advice: none (fix: safe): remove it with nomkl (defaults) or by not requesting MKL builds (conda-forge uses"
        " OpenBLAS by default on linux and macOS; on win-64 its default BLAS is MKL); the nomkl rule handles it")


def test_es001_does_not_make_a_move_that_costs_bytes(capsys, tmp_path):
    # libgdal 3.13's tiledb plugin depends on aws-sdk-cpp, azure-*-cpp and libgoogle-cloud (graph snapshot): with
    # libgdal listed, what leaves with pyarrow weighs less than the 157 MB wheel. The move was a safe fix
    # "saves ~-80.6 MB, -120.3 MB to -41.9 MB"; now it is reported with that figure and not made.
    text = "channels:\n  - conda-forge\ndependencies:\n  - python=3.12\n  - libgdal\n  - pyarrow\n"
    path = tmp_path / "environment.yml"
    path.write_text(text)
    assert main(["rewrite", "--check", "-v", "--select", "ES001", str(path)]) == 0
    assert capsys.readouterr().out == (
        f"{path}:6:3: ES001 pyarrow: conda-forge pyarrow 25.0 pulls 65 packages beyond python on linux-64"
        " (AWS/Azure/GCS SDKs, gRPC, protobuf: 51.4 MB of archives, an estimated 187 to 364 MB installed); the PyPI"
        " wheel is one self-contained package (157 MB installed for 25.0, 171 MB for 26.0.1); not moved: the rest of"
        " its closure stays for other packages, so the wheel weighs more than what leaves (the move would save"
        " -80.6 MB, -120.3 MB to -41.9 MB) [not fixed: the move adds more than it removes]\n")
    assert path.read_text() == text
