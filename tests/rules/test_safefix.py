"""Issue 11: every fix checked against what exists, offline, from the knowledge base.

One regression test per case of the issue, on the real corpus file where there is one (skipped when
../shared is absent) and on a minimal file; exact output and exact bytes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from envslim import knowledge
from envslim.cli import main
from tests.conftest import CORPUS, ROOT, SHARED

MPL = knowledge.load("matplotlib").slim_variants[0]["reason"]
DASK = knowledge.load("dask").slim_variants[0]["reason"]
PYARROW = knowledge.load("pyarrow").advice["reason"]
CF = "channels:\n  - conda-forge\n  - nodefaults\n"


def run(tmp_path, capsys, text: str, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "env.yml"
    path.write_text(text)
    rc = main(["rewrite", "-v", *args, str(path)])
    out, err = capsys.readouterr()
    return rc, (out + err).replace(str(path), "env.yml"), path.read_text()


def corpus(tmp_path, capsys, prefix: str, *args: str) -> tuple[list[str], bytes, bytes]:
    """``rewrite`` on a copy of the corpus file ``prefix__*``: its output lines (path cut off) and the bytes
    before and after."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    (src,) = CORPUS.glob(f"{prefix}__*")
    copy = tmp_path / src.name
    shutil.copyfile(src, copy)
    main(["rewrite", "-v", *args, str(copy)])
    out, err = capsys.readouterr()
    lines = [line.replace(str(copy), "F") for line in (out + err).splitlines()]
    return lines, src.read_bytes(), copy.read_bytes()


def about(lines: list[str], rule: str, package: str) -> list[str]:
    return [line for line in lines if f" {rule} {package}: " in line]


# -- 1. build strings are never carried across a rename ----------------------------------------------------------
def test_gneiss_anaconda_matplotlib_build_is_not_renamed(tmp_path, capsys):
    lines, before, after = corpus(tmp_path, capsys, "130", "--unsafe-fixes")
    assert about(lines, "ES004", "matplotlib") == [
        "F:8:1: ES004 matplotlib: matplotlib-base not suggested: matplotlib-base is not known to exist on the"
        " defaults channel [not fixed: variant not known there]"]
    assert b"anaconda::matplotlib=1.5.1=np111py35_0" in after


def test_a_rename_drops_the_build_string_and_is_unsafe(tmp_path, capsys):
    text = "channels:\n  - conda-forge\ndependencies:\n  - matplotlib=3.3.4=py38h_0  # plots\n  - python=3.8\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES004")
    assert (rc, new) == (0, text)
    assert out == (f"env.yml:4:3: ES004 matplotlib: use matplotlib-base: {MPL}"
                   " (saving unknown: not judged on the environment: the snapshot has no build of it for the target)"
                   " [unsafe fix, use --unsafe-fixes:"
                   " drops the build string py38h_0 (a build of matplotlib is not a build of matplotlib-base)]\n")
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES004", "--unsafe-fixes")
    assert new == text.replace("matplotlib=3.3.4=py38h_0", "matplotlib-base==3.3.4")


@pytest.mark.parametrize("prefix, line", [
    ("002", "F:246:3: ES004 pytorch: pytorch-cpu not suggested: libtorch=2.5.1=gpu_mps_h82d5d13_202 (line 170) is a"
            " GPU build, so the file targets a GPU [not fixed: the file targets a GPU]"),
    ("008", "F:35:3: ES004 pytorch: pytorch-cpu not suggested: cudatoolkit=11.3.1=h59b6b97_2 (line 13) targets CUDA,"
            " so the file targets a GPU [not fixed: the file targets a GPU]"),
])
def test_pytorch_gpu_builds_get_no_cpu_rename(tmp_path, capsys, prefix, line):
    lines, before, after = corpus(tmp_path, capsys, prefix, "--unsafe-fixes", "--select", "ES004")
    assert about(lines, "ES004", "pytorch") == [line]
    assert b"pytorch-cpu" not in after


# -- 2. variants that do not exist at that version ---------------------------------------------------------------
@pytest.mark.parametrize("prefix, package, variant, line", [
    ("230", "libgdal", "libgdal-core", "F:149:3: ES004 libgdal: libgdal-core not suggested: libgdal-core exists on"
                                       " conda-forge from 3.9.1; the file asks for 3.3.1 [not fixed: no such variant]"),
    ("228", "xgboost", "xgboost-cpu", "F:152:7: ES004 xgboost: xgboost-cpu not suggested: xgboost-cpu's first release"
                                      " on PyPI is 2.1.1; the file asks for ==2.0.3 [not fixed: no such variant]"),
])
def test_no_variant_before_its_first_version(tmp_path, capsys, prefix, package, variant, line):
    lines, _, after = corpus(tmp_path, capsys, prefix, "--unsafe-fixes", "--select", "ES004")
    assert about(lines, "ES004", package) == [line]
    assert variant.encode() not in after


def test_matplotlib_base_before_its_first_version(tmp_path, capsys):
    text = CF + "dependencies:\n  - matplotlib=2.1.2\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES004", "--unsafe-fixes")
    assert (out, new) == ("env.yml:5:3: ES004 matplotlib: matplotlib-base not suggested: matplotlib-base exists on"
                          " conda-forge from 3.0.0; the file asks for 2.1.2* [not fixed: no such variant]\n", text)


def test_a_range_the_variant_covers_in_part_is_unsafe(tmp_path, capsys):
    text = CF + "dependencies:\n  - matplotlib>=2.0\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES004")
    assert (out, new) == (f"env.yml:5:3: ES004 matplotlib: use matplotlib-base: {MPL}"
                          " (saves ~650.9 MB, estimate 289.1 MB to 995.4 MB) [unsafe fix, use"
                          " --unsafe-fixes: matplotlib-base exists on conda-forge from 3.0.0: the range >=2.0 is"
                          " narrowed]\n", text)


@pytest.mark.parametrize("spec, fires", [("tensorflow==2.0.1", False), ("tensorflow<2.1", False),
                                         ("tensorflow~=2.0.0", False), ("tensorflow>=2.10", True)])
def test_tensorflow_cpu_first_release_on_pypi(tmp_path, capsys, spec, fires):
    text = CF + f"dependencies:\n  - pip\n  - pip:\n    - {spec}\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES004", "--unsafe-fixes")
    assert ("tensorflow-cpu" in new) is fires
    if not fires:
        assert "tensorflow-cpu's first release on PyPI is 2.1.0" in out


# -- 3. channel blindness ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix", ["136", "016", "148", "150"])
def test_no_nomkl_next_to_pytorch_channel_pytorch(tmp_path, capsys, prefix):
    lines, _, after = corpus(tmp_path, capsys, prefix, "--unsafe-fixes")
    assert about(lines, "ES002", "nomkl") == []
    assert b"nomkl" not in after


def test_pytorch_channel_cpu_switch_is_cpuonly(tmp_path, capsys):
    lines, _, after = corpus(tmp_path, capsys, "148", "--unsafe-fixes", "--select", "ES004")
    assert about(lines, "ES004", "pytorch") == [
        "F:7:1: ES004 pytorch: on the pytorch channel the CPU switch is the cpuonly metapackage, not pytorch-cpu"
        " (its packages stop at 1.1): add cpuonly and drop the CUDA packages by hand [not fixed: pytorch channel]"]


@pytest.mark.parametrize("channels, deps", [
    ("channels:\n  - pytorch\n  - conda-forge\n", "  - pytorch\n  - numpy\n"),
    ("channels:\n  - conda-forge\n", "  - pytorch::pytorch\n  - numpy\n"),
    ("channels:\n  - https://conda.anaconda.org/pytorch/\n  - defaults\n", "  - pytorch\n"),
])
def test_pytorch_channel_is_recognised_in_every_spelling(tmp_path, capsys, channels, deps):
    text = channels + "dependencies:\n" + deps
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES002,ES004", "--unsafe-fixes")
    assert new == text
    assert "nomkl" not in out


# -- 4. CUDA intent ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dep", ["  - pytorch-cuda=12.1\n", "  - cudnn\n", "  - cuda-version=12\n",
                                 "  - pip:\n    - tensorflow[and-cuda]\n"])
def test_cpu_variants_do_not_fire_where_the_file_targets_cuda(tmp_path, capsys, dep):
    text = CF + "dependencies:\n  - pytorch\n  - pip\n" + dep
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES002,ES004", "--unsafe-fixes")
    assert new == text
    assert "ES004 pytorch: pytorch-cpu not suggested: " in out and "so the file targets a GPU" in out


def test_pip_tensorflow_cpu_not_suggested_next_to_cuda(tmp_path, capsys):
    text = CF + "dependencies:\n  - cudatoolkit=11.8\n  - pip\n  - pip:\n    - tensorflow==2.15\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES004", "--unsafe-fixes")
    assert (out, new) == ("env.yml:8:5: ES004 tensorflow: tensorflow-cpu not suggested: cudatoolkit=11.8 (line 5)"
                          " targets CUDA, so the file targets a GPU [not fixed: the file targets a GPU]\n", text)


# -- 5. nomkl claims and conflicts -------------------------------------------------------------------------------
@pytest.mark.parametrize("mkl", ["mkl", "mkl-service", "mkl_fft", "mkl_random", "intel-openmp", "blas=*=mkl"])
def test_no_nomkl_next_to_explicit_mkl(tmp_path, capsys, mkl):
    text = "channels:\n  - defaults\ndependencies:\n  - numpy\n  - " + mkl + "\n"
    assert run(tmp_path, capsys, text, "--select", "ES002") == (0, "", text)


def test_no_nomkl_next_to_pytorch_cuda(tmp_path, capsys):
    text = "channels:\n  - defaults\ndependencies:\n  - numpy\n  - pytorch-cuda=11.8\n"
    assert run(tmp_path, capsys, text, "--select", "ES002") == (0, "", text)


@pytest.mark.parametrize("prefix, line", [
    ("014", "F:18:5: ES002 nomkl: nomkl not added: pytorch==1.9.0 may predate conda-forge's builds without MKL"
            " (cpu_generic, conda-forge/pytorch-cpu-feedstock#175), and nomkl would then make it unsolvable"
            " [not fixed: the builds without MKL may not exist]"),
    # (libxml2 stays: datasets, unknown for the file's versions, may bring pyarrow, whose gandiva builds need LLVM;
    # timm, maite and two more stay and are not in the snapshot: what they keep of tbb and libhwloc is unknown,
    # so no saving is claimed)
    ("190", "F:24:1: ES002 nomkl: add nomkl: pytorch pulls MKL in on conda-forge (saving unknown:"
            " adversarial-robustness-toolbox, maite, timm and 1 more stay and are not in the snapshot, so what they"
            " keep of what would leave cannot be judged) [fix available]"),
])
def test_nomkl_for_conda_forge_pytorch_only_where_its_newest_builds_are_open(tmp_path, capsys, prefix, line):
    lines, _, _ = corpus(tmp_path, capsys, prefix, "--check", "--select", "ES002")
    assert about(lines, "ES002", "nomkl") == [line]


def test_nomkl_as_a_guard_is_opt_in_claims_no_saving_and_no_mkl_row(tmp_path, capsys):
    """conda-forge before defaults: MKL is not installed, so ES002 adds nothing (issue 22: 020, 044, 066, 090,
    120, 122, 244); the opt-in ES010 adds the guard and claims no saving."""
    text = "channels:\n  - conda-forge\n  - defaults\ndependencies:\n  - numpy\n"
    assert run(tmp_path, capsys, text, "--select", "ES002")[1:] == ("", text)
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES010")
    assert out == ("env.yml:5:3: ES010 nomkl: add nomkl: a guard only, saves nothing: conda-forge, listed before"
                   " defaults, serves numpy without MKL (strict channel priority) [fixed]\nrewrote env.yml\n")
    assert new == text.replace("  - numpy\n", "  - nomkl\n  - numpy\n")
    (tmp_path / "env.yml").write_text(text)
    assert main(["report", "--format", "json", "--select", "ES010", str(tmp_path / "env.yml")]) == 0
    import json

    (report,) = json.loads(capsys.readouterr().out)["files"]
    assert [p["name"] for p in report["packages"]] == ["nomkl", "numpy", "python"]  # python: implied by numpy
    assert [p["implied"] for p in report["packages"] if p.get("implied")] == [
        "not in the file: installed for the packages that depend on it"]
    assert [(f["rule"], f["saving_bytes"]) for f in report["findings"]] == [("ES010", 0)]


@pytest.mark.parametrize("text", [
    "channels:\n  - defaults\n  - conda-forge\ndependencies:\n  - numpy\n",
    CF + "dependencies:\n  - anaconda::numpy\n",  # the anaconda channel is the defaults channel
])
def test_nomkl_where_defaults_serves_numpy_keeps_its_saving(tmp_path, capsys, text):
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES002")
    assert out == ("env.yml:5:3: ES002 nomkl: add nomkl: the defaults channel builds numpy against MKL"
                   " (saves ~849.7 MB, estimate 844.0 MB to 855.5 MB) [fixed]\nrewrote env.yml\n")


def test_nomkl_for_a_prefixed_defaults_package_on_conda_forge(tmp_path, capsys):
    text = CF + "dependencies:\n  - defaults::scipy\n  - numpy\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES002")
    assert out.startswith("env.yml:5:3: ES002 nomkl: add nomkl: the defaults channel builds scipy against MKL")


def test_seed_adds_nomkl_as_a_guard_only_when_asked(tmp_path, capsys):
    shutil.copyfile(ROOT / "examples" / "environment.yml", tmp_path / "env.yml")
    main(["rewrite", "-v", "--check", str(tmp_path / "env.yml")])
    assert "nomkl:" not in capsys.readouterr().out
    main(["rewrite", "-v", "--check", "--extend-select", "ES010", str(tmp_path / "env.yml")])
    out = capsys.readouterr().out
    assert "ES010 nomkl: add nomkl: a guard only, saves nothing: conda-forge, listed before defaults, serves numpy" in out
    assert "799" not in out


# -- 6. selectors ------------------------------------------------------------------------------------------------
def test_added_numpy_pin_carries_the_selector_of_its_motivating_line(tmp_path, capsys):
    text = "channels:\n  - defaults\n" + "dependencies:\n  - python=3.11\n  - pandas<2.0  # [win]\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES005")
    assert new == text + "  - numpy<2  # [win]\n"


def test_unselected_numpy_line_is_not_pinned_for_a_selected_motivation(tmp_path, capsys):
    text = "channels:\n  - defaults\n" + "dependencies:\n  - numpy\n  - pandas<2.0  # [win]\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES005")
    assert (out, new) == ("env.yml:4:3: ES005 numpy: pandas is held below 2.2.2 (under [win]), built against numpy"
                          " 1.x; numpy has no such selector: add numpy<2  # [win] by hand [not fixed: the pin is due"
                          " only under a selector]\n", text)


def test_nomkl_carries_the_shared_selector(tmp_path, capsys):
    text = "channels:\n  - defaults\ndependencies:\n  - numpy  # [win]\n  - python\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES002")
    assert new == "channels:\n  - defaults\ndependencies:\n  - nomkl  # [win]\n  - numpy  # [win]\n  - python\n"


# -- 7. rule interactions ----------------------------------------------------------------------------------------
def test_a_fix_made_possible_by_an_unsafe_fix_is_unsafe(tmp_path, capsys):
    text = CF + "dependencies:\n  - dask\n  - pyarrow\n  - python=3.11\n"
    rc, out, new = run(tmp_path, capsys, text, "--unsafe-fixes")
    # each figure is the fix's effect on the environment: dask's 42 packages (distributed, bokeh, pandas, numpy...)
    # leave; then pyarrow's 65 (python_abi and libstdcxx with them: nothing else keeps them) for the 26.0.1 wheel and
    # the conda pip the move adds (the file has none)
    assert out == (f"env.yml:5:3: ES004 dask: use dask-core: {DASK} (saves ~199.5 MB, estimate 137.6 MB to 259.7 MB)"
                   " [fixed]\n"
                   f"env.yml:6:3: ES001 pyarrow: move to pip: {PYARROW}; an unsafe fix: made possible by ES004 dask"
                   " (saves ~120.9 MB, estimate 14.3 MB to 224.5 MB) [fixed]\nrewrote env.yml\n")
    assert new == CF + "dependencies:\n  - dask-core\n  - pip\n  - python=3.11\n  - pip:\n    - pyarrow\n"
    rc, out, new = run(tmp_path, capsys, text)  # safe mode: neither
    assert new == text


def test_rules_see_the_final_channel_set(tmp_path, capsys):
    text = "channels:\n  - conda-forge\n  - defaults\ndependencies:\n  - numpy\n"
    rc, out, new = run(tmp_path, capsys, text, "--unsafe-fixes")
    assert out == "env.yml:3:3: ES007 defaults: mixes defaults with conda-forge; use nodefaults [fixed]\nrewrote env.yml\n"
    assert new == "channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - numpy\n"


# -- 8. reverse dependencies from real data ----------------------------------------------------------------------
@pytest.mark.parametrize("dependent", ["deltalake", "libarrow-dataset", "pyarrow-hotfix", "datasets"])
def test_pyarrow_stays_while_a_seen_dependent_stays(tmp_path, capsys, dependent):
    text = CF + f"dependencies:\n  - {dependent}\n  - pyarrow\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES001")
    assert new == text
    assert f"not moved: {dependent} " in out


def test_reverse_deps_file_is_what_the_tool_generates():
    lock = SHARED / "data" / "raw" / "lock_entries.jsonl"
    if not lock.is_file():
        pytest.skip("../shared is absent")
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "reverse_deps.py"), str(lock)], capture_output=True,
                         text=True, check=True).stdout
    assert out == (ROOT / "knowledge" / "reverse_deps.toml").read_text()
    by = knowledge.reverse_deps("pyarrow")
    assert by["deltalake"].startswith("deltalake ") and "pixi.lock" in by["deltalake"]


# -- missed opportunities and the opt-in rules -------------------------------------------------------------------
def test_matplotlib_base_is_not_suggested_next_to_its_own_qt_binding(tmp_path, capsys):
    """matplotlib 3.10's metapackage brings pyside6: listed anyway, it stays, and only tornado would leave."""
    text = CF + "dependencies:\n  - matplotlib\n  - pyside6\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES004")
    assert (out, new) == ("env.yml:5:3: ES004 matplotlib: matplotlib-base not suggested: pyside6 is listed anyway, so"
                          " the Qt binding stays and the rename would take out only tornado [report only]\n", text)


def test_matplotlib_base_next_to_another_qt_binding_is_an_unsafe_fix(tmp_path, capsys):
    """pyqt (Qt 5) listed beside matplotlib 3.10, whose metapackage brings pyside6 and qt6-main: the rename keeps a
    Qt GUI (the QtAgg backend runs on PyQt5) and takes the second Qt stack out; unsafe, not 'saves nothing'."""
    text = CF + "dependencies:\n  - matplotlib\n  - pyqt\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES004")
    assert (out, new) == ("env.yml:5:3: ES004 matplotlib: use matplotlib-base: " + MPL + " (saves ~283.3 MB, estimate"
                          " 125.3 MB to 433.8 MB) [unsafe fix, use --unsafe-fixes: pyqt is listed, so matplotlib's Qt"
                          " backend runs on it; matplotlib's own binding leaves (pyside6, qt6-main)]\n", text)
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES004", "--unsafe-fixes")
    assert new == CF + "dependencies:\n  - matplotlib-base\n  - pyqt\n"


@pytest.mark.parametrize("extra, reported", [("", True), ("  - pyqt\n", False), ("  - libopencv=*=headless*\n", False)])
def test_headless_opencv_builds_are_reported_not_written(tmp_path, capsys, extra, reported):
    text = CF + "dependencies:\n  - py-opencv\n" + extra
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES004", "--unsafe-fixes")
    assert new == text
    assert out == ("env.yml:5:3: ES004 py-opencv: conda-forge also builds libopencv without qt6-main (libopencv 4.13.0"
                   " headless_py310h4a2b41a_7 (linux-64)): pin libopencv=*=headless* if the image opens no windows"
                   " [report only]\n" if reported else "")


def test_opt_in_rules_are_quiet_by_default(tmp_path, capsys):
    text = CF + "dependencies:\n  - jupyterlab\n  - pytest\n  - python=3.11\n"
    assert run(tmp_path, capsys, text) == (0, "", text)
    rc, out, new = run(tmp_path, capsys, text, "--extend-select", "ES008")
    # each priced on the environment: what only it brings leaves (jupyterlab's 111 packages, pytest's 4)
    assert out == ("env.yml:5:3: ES008 jupyterlab: a Jupyter component, not needed at run time in an image: drop it"
                   " from the image's environment (saves ~209.8 MB, estimate 143.8 MB to 274.1 MB) [unsafe fix, use"
                   " --unsafe-fixes]\n"
                   "env.yml:6:3: ES008 pytest: a test runner, not needed at run time in an image: drop it from the"
                   " image's environment (saves ~1.4 MB, estimate 0.6 MB to 2.1 MB) [unsafe fix, use --unsafe-fixes]\n")


def test_extend_select_in_config(tmp_path, capsys):
    (tmp_path / ".envslim.toml").write_text('extend-select = ["ES009"]\n')
    deps = "".join(f"  - pkg{i}=1.0=h{i}_0\n" for i in range(5))
    rc, out, new = run(tmp_path, capsys, CF + "dependencies:\n" + deps)
    assert out == ("env.yml:5:3: ES009 build-strings: 5 of 5 dependencies pin a build string (a conda env export):"
                   " builds are platform-specific; keep the versions, drop the builds, or use a lock file"
                   " [report only]\n")


def test_explain_says_when_each_rule_does_not_fire():
    from envslim.rules import all_rules

    for rule in all_rules():
        if rule.id != "ES003" and rule.id != "ES006":
            assert "## When it does not fire" in rule.doc, rule.id


def test_variant_facts_are_sourced():
    import tomllib

    data = tomllib.loads((ROOT / "knowledge" / "variants.toml").read_text())
    for fact in data["variants"]:
        assert fact["source"] and fact["url"].startswith("https://") and len(fact["date"]) == 10, fact
    for name, table in data["channels"].items():
        assert table["source"], name
