"""Issue 22: every fix judged on the whole environment, on the real corpus files (../shared/corpus) where
the review found wrong fixes, fixes without effect and misses. Each test skips when ../shared is absent."""

from __future__ import annotations

import pytest

from tests.rules.test_safefix import about, corpus, run

DEFAULTS = "channels:\n  - defaults\n"


# -- nomkl: only where MKL would really be installed ------------------------------------------------------------
@pytest.mark.parametrize("prefix", ["020", "044", "066", "090", "120", "122", "244"])
def test_no_guard_only_nomkl_by_default(tmp_path, capsys, prefix):
    """conda-forge is listed before defaults: numpy comes with OpenBLAS, nomkl would save nothing."""
    lines, before, after = corpus(tmp_path, capsys, prefix, "--select", "ES002")
    assert (lines, after) == ([], before)


@pytest.mark.parametrize("prefix", ["020", "244"])
def test_the_guard_is_opt_in(tmp_path, capsys, prefix):
    lines, before, after = corpus(tmp_path, capsys, prefix, "--select", "ES010")
    (line,) = about(lines, "ES010", "nomkl")
    assert "a guard only, saves nothing" in line and line.endswith("[fixed]")
    assert after.count(b"- nomkl") == 1


# -- numpy<2: only where numpy 2 is possible ---------------------------------------------------------------------
@pytest.mark.parametrize("prefix", ["030", "036", "086", "182"])
def test_no_numpy_pin_where_conda_forge_builds_already_exclude_numpy_2(tmp_path, capsys, prefix):
    """scikit-learn 0.24/1.2 and pandas 1.5.3 from conda-forge depend on numpy <2.0a0 (rapidsai, rapidsai-nightly
    and dask/label/dev, listed first, do not serve them)."""
    lines, before, after = corpus(tmp_path, capsys, prefix, "--select", "ES005")
    assert (lines, after) == ([], before)


def test_numpy_pin_stays_where_the_pytorch_channel_serves_an_old_pytorch(tmp_path, capsys):
    """176: pytorch=2.1.0 from the pytorch channel, whose builds do not depend on numpy: numpy 2 is possible."""
    lines, before, after = corpus(tmp_path, capsys, "176", "--select", "ES005")
    assert about(lines, "ES005", "numpy") == [
        "F:8:3: ES005 numpy: add numpy<2: pytorch is held below 2.3.0, built against numpy 1.x [fixed]"]


@pytest.mark.parametrize("python", ["3.8", "3.7.*", "<3.9"])
def test_no_numpy_pin_where_python_rules_numpy_2_out(tmp_path, capsys, python):
    text = DEFAULTS + f"dependencies:\n  - python{'=' if python[0].isdigit() else ''}{python}\n  - pandas<2.0\n"
    assert run(tmp_path, capsys, text, "--select", "ES005")[1:] == ("", text)


def test_numpy_pin_where_python_3_9_is_allowed(tmp_path, capsys):
    text = DEFAULTS + "dependencies:\n  - python>=3.8\n  - pandas<2.0\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES005")
    assert new == text + "  - numpy<2\n"


def test_a_conflicting_numpy_spec_is_still_reported_on_conda_forge(tmp_path, capsys):
    text = "channels:\n  - conda-forge\ndependencies:\n  - numpy>=2\n  - pandas<2.0\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES005")
    assert new == text and out.endswith("[not fixed: conflicting pin]\n")


def test_a_held_wheel_keeps_numpy_2_possible(tmp_path, capsys):
    """pyarrow==12.0.1 as a wheel requires numpy>=1.16.6 with no upper bound: pip would take numpy 2, so the conda
    side pins numpy<2 even on conda-forge (the move to pip made the pin due)."""
    text = ("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - pip\n  - python=3.11\n"
            "  - pip:\n    - pyarrow==12.0.1\n")
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES005")
    assert out == ("env.yml:8:5: ES005 numpy: add numpy<2: pip pyarrow is held below 16.0.0, built against numpy 1.x"
                   " [fixed]\nrewrote env.yml\n")
    assert new == text.replace("  - pip\n", "  - numpy<2\n  - pip\n", 1)


@pytest.mark.parametrize("channel", ["https://mirrors.tuna.tsinghua.edu.cn/anaconda/pkgs/main",
                                     "https://mirrors.ustc.edu.cn/anaconda/pkgs/free/", "pkgs/main"])
def test_a_defaults_mirror_given_by_url_is_defaults(tmp_path, capsys, channel):
    text = f"channels:\n  - {channel}\ndependencies:\n  - numpy\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES002")
    assert out.startswith("env.yml:4:3: ES002 nomkl: add nomkl: the defaults channel builds numpy against MKL")
    assert new == text.replace("  - numpy\n", "  - nomkl\n  - numpy\n")


# -- drops and renames: the effect on the whole environment -------------------------------------------------------
@pytest.mark.parametrize("prefix, line", [("152", 106), ("214", 145), ("218", 180), ("220", None), ("242", None),
                                          ("248", None)])
def test_matplotlib_is_not_dropped_from_an_export_next_to_matplotlib_base(tmp_path, capsys, prefix, line):
    """Exports that list matplotlib-base (and pyqt/qt, or on osx-arm64 no Qt at all): everything the metapackage
    brings stays listed, so dropping it saves nothing and claims nothing."""
    lines, before, after = corpus(tmp_path, capsys, prefix, "--select", "ES004")
    (found,) = about(lines, "ES004", "matplotlib")
    assert "dropping matplotlib saves nothing: the file lists its whole environment (a conda env export)" in found
    assert found.endswith("[report only]") and "MB" not in found
    if line:
        assert found.startswith(f"F:{line}:3: ")
    assert after == before


@pytest.mark.parametrize("prefix", ["100", "102"])
def test_dask_is_not_renamed_where_dask_dataframe_needs_the_metapackages_pyarrow(tmp_path, capsys, prefix):
    lines, before, after = corpus(tmp_path, capsys, prefix, "--unsafe-fixes", "--select", "ES004")
    (found,) = about(lines, "ES004", "dask")
    assert "dask-core not suggested: dask.dataframe imports pyarrow, which only the dask metapackage brings here" in found
    assert found.endswith("[not fixed: dask.dataframe needs pyarrow]")
    assert b"dask-core" not in after


def test_dask_complete_is_never_renamed(tmp_path, capsys):
    lines, before, after = corpus(tmp_path, capsys, "074", "--unsafe-fixes", "--select", "ES004")
    assert about(lines, "ES004", "dask") == [
        "F:8:3: ES004 dask: dask-core not suggested: dask[complete] names extras, which a conda dask-core does not"
        " have [not fixed: the spec names extras]"]
    assert b"dask-core[complete]" not in after


def test_dask_core_where_nothing_does_dataframes(tmp_path, capsys):
    """054 lists dask-expr (which keeps pyarrow): the rename takes distributed, bokeh and their closure only."""
    lines, before, after = corpus(tmp_path, capsys, "054", "--unsafe-fixes", "--select", "ES004")
    (found,) = about(lines, "ES004", "dask")
    assert found.startswith("F:8:3: ES004 dask: use dask-core: ") and found.endswith("[fixed]")


def test_tensorflow_cpu_not_on_osx_arm64(tmp_path, capsys):
    lines, before, after = corpus(tmp_path, capsys, "170", "--unsafe-fixes", "--select", "ES004")
    assert about(lines, "ES004", "tensorflow") == [
        "F:152:5: ES004 tensorflow: tensorflow-cpu not suggested: tensorflow-cpu has no wheel for osx-arm64 (PyPI JSON"
        " API, releases of tensorflow-cpu, https://pypi.org/pypi/tensorflow-cpu/json) [not fixed: no such variant]"]
    assert b"tensorflow-cpu" not in after


@pytest.mark.parametrize("prefix, who", [("002", "imgaug"), ("008", "imgaug"), ("052", "realesrgan (and gfpgan)")])
def test_opencv_python_stays_while_a_pip_package_requires_it(tmp_path, capsys, prefix, who):
    lines, before, after = corpus(tmp_path, capsys, prefix, "--unsafe-fixes", "--select", "ES004")
    (found,) = about(lines, "ES004", "opencv-python")
    assert f"opencv-python-headless not suggested: {who} in the pip list require" in found
    assert found.endswith("so pip would install both wheels [not fixed: another pip package requires it]")
    assert after == before


# -- moves: nothing left on the conda side may reach the package -------------------------------------------------
def test_252_pyarrow_is_not_moved_past_a_package_the_snapshot_does_not_know(tmp_path, capsys):
    """icepyx -> dask-expr -> pyarrow: icepyx is not in the snapshot, so the move is refused and names it."""
    lines, before, after = corpus(tmp_path, capsys, "252", "--select", "ES001")
    (found,) = about(lines, "ES001", "pyarrow")
    assert "not moved: icepyx, " in found and "are not in the snapshot, so whether they pull pyarrow back" in found
    assert found.endswith("[not fixed: a package the snapshot does not know]")
    assert after == before


def test_a_move_names_the_path_that_pulls_the_package_back(tmp_path, capsys):
    """xugrid's conda-forge builds depend on dask, whose builds depend on pyarrow: two levels deep."""
    text = "channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.12\n  - xugrid\n  - pyarrow\n"
    rc, out, new = run(tmp_path, capsys, text, "--select", "ES001")
    assert out.startswith("env.yml:7:3: ES001 pyarrow: ") and new == text
    assert out.endswith("; not moved: xugrid \u2192 dask \u2192 pyarrow keeps it in conda (a build the file's pins allow"
                        " depends on it) [not fixed: another conda package pulls it back]\n")


# -- MKL judged on the environment ------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix, line, via", [
    ("062", 7, "(pandas \u2192 numpy; scikit-learn \u2192 numpy)"),  # FastAPI service on defaults
    ("064", 11, "(pandas \u2192 numpy)"),  # qiime2 (its own packages only), then defaults
])
def test_nomkl_where_defaults_numpy_comes_through_another_package(tmp_path, capsys, prefix, line, via):
    lines, before, after = corpus(tmp_path, capsys, prefix, "--select", "ES002")
    (found,) = about(lines, "ES002", "nomkl")
    assert found == (f"F:{line}:3: ES002 nomkl: add nomkl: the defaults channel builds numpy against MKL {via}"
                     " (saves ~849.7 MB, estimate 844.0 MB to 855.5 MB) [fixed]")
    assert after.count(b"- nomkl") == 1


def test_nomkl_saving_has_a_range_with_intel_openmp_and_the_openblas_side(tmp_path, capsys):
    import json

    from envslim.cli import main

    (tmp_path / "env.yml").write_text(DEFAULTS + "dependencies:\n  - numpy\n")
    assert main(["report", "--format", "json", "--select", "ES002", str(tmp_path / "env.yml")]) == 0
    (f,) = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert (f["saving_bytes"], f["saving_range"]) == (849_703_066, [843_986_598, 855_526_778])
    # what the snapshot has no defaults figure for in mkl's closure is named, not counted as zero
    assert f["effect"] == {"leaving": ["intel-openmp", "mkl"], "arriving": ["libopenblas"], "excluded": ["mkl"],
                           "unpriced": ["tbb", "zlib"]}
    assert "intel-openmp, mkl leave (defaults 2023.1.0, 871.0 MB)" in f["source"]
    assert "arriving: libopenblas 0.3.33 (conda-forge, 15.5 MB to 27.0 MB;" in f["source"]


def test_no_nomkl_where_pytorch_channel_pytorch_comes_through_another_package(tmp_path, capsys):
    """pytorch-lightning brings pytorch; with the pytorch channel first, its pytorch builds need MKL."""
    text = "channels:\n  - pytorch\n  - defaults\ndependencies:\n  - pytorch-lightning\n  - pandas\n"
    assert run(tmp_path, capsys, text, "--select", "ES002")[1:] == ("", text)


def test_no_nomkl_where_pytorch_channel_pytorch_is_reached_through_a_known_package(tmp_path, capsys):
    """pyro-ppl depends on pytorch, which the pytorch channel (listed first) serves with builds that need MKL."""
    text = "channels:\n  - pytorch\n  - defaults\ndependencies:\n  - pyro-ppl\n  - pandas\n"
    assert run(tmp_path, capsys, text, "--select", "ES002")[1:] == ("", text)


# -- the channel fix: only where the file still solves without defaults --------------------------------------------
@pytest.mark.parametrize("prefix, first", [
    ("026", "_libgcc_mutex=0.1=main"), ("068", "argon2-cffi=21.3.0=pyhd3eb1b0_0"), ("160", "_libgcc_mutex=0.1=main"),
    ("162", "freetype=2.5.5=vc14_2"), ("218", "_libgcc_mutex=0.1=main"), ("224", "bcrypt=3.2.0=py312h5eee18b_1"),
    ("242", "alabaster=0.7.12=pyhd3eb1b0_0"),
])
def test_no_nodefaults_for_exports_pinned_to_defaults_builds(tmp_path, capsys, prefix, first):
    lines, before, after = corpus(tmp_path, capsys, prefix, "--unsafe-fixes", "--select", "ES007")
    (found,) = about(lines, "ES007", "defaults")
    assert f"but nodefaults is not suggested: {first}, " in found
    assert found.endswith(("[not fixed: the file needs defaults]", "[not fixed: builds the snapshot does not know]"))
    assert after == before


def test_a_pin_carries_what_it_excludes(tmp_path, capsys):
    import json

    from envslim.cli import main

    (tmp_path / "env.yml").write_text(DEFAULTS + "dependencies:\n  - python=3.10\n  - pandas<2.0\n")
    assert main(["report", "--format", "json", "--select", "ES005", str(tmp_path / "env.yml")]) == 0
    (f,) = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert (f["rule"], f["effect"]) == ("ES005", {"leaving": [], "arriving": [], "excluded": ["numpy 2.*"]})


# -- what stays keeps what it may need ----------------------------------------------------------------------------
MPL_208_LEAVING = [
    "alsa-lib", "cyrus-sasl", "dbus", "double-conversion", "harfbuzz", "keyutils", "krb5", "libclang-cpp22.1",
    "libclang13", "libcups", "libdrm", "libedit", "libegl", "libegl-devel", "libgl", "libgl-devel", "libglvnd", "libglx",
    "libglx-devel", "libharfbuzz-devel", "libllvm22", "libntlm", "libopengl", "libpciaccess", "libpq",
    "libvulkan-loader", "libxkbcommon", "libxslt", "matplotlib", "openldap", "pyside6", "qt6-main", "tornado", "wayland",
    "xcb-util", "xcb-util-cursor", "xcb-util-image", "xcb-util-keysyms", "xcb-util-renderutil", "xcb-util-wm",
    "xkeyboard-config", "xorg-libxcomposite", "xorg-libxcursor", "xorg-libxdamage", "xorg-libxfixes", "xorg-libxi",
    "xorg-libxrandr", "xorg-libxtst", "xorg-libxxf86vm", "xorg-xorgproto"]


def _json_finding(tmp_path, capsys, text: str, rule: str, package: str) -> dict:
    import json

    from envslim.cli import main

    (tmp_path / "env.yml").write_text(text)
    main(["rewrite", "--diff", "--format", "json", str(tmp_path / "env.yml")])
    (found,) = [f for f in json.loads(capsys.readouterr().out)["files"][0]["findings"]
                if (f["rule"], f["package"]) == (rule, package)]
    return found


def test_208_what_unknown_python_needs_does_not_leave_with_matplotlib(tmp_path, capsys):
    """208 pins python 3.8, which the snapshot has no conda-forge build of: python is unknown, but what any of its
    builds needs (openssl, ncurses, libsqlite, ca-certificates, libxcrypt) stays. Without rdkit, which the snapshot
    does not know, the rename saves ~646.3 MB (it claimed ~663.8 MB with python's dependencies leaving)."""
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    (src,) = CORPUS.glob("208__*")
    text = src.read_text()
    assert "  - rdkit\n" in text
    f = _json_finding(tmp_path, capsys, text.replace("  - rdkit\n", ""), "ES004", "matplotlib")
    assert (f["saving_bytes"], f["saving_range"], f["outcome"]) == (646_276_916, [286_424_085, 988_858_160], "applied")
    assert f["effect"] == {"leaving": MPL_208_LEAVING, "arriving": []}
    # the file as it is: rdkit stays, and what it keeps cannot be judged: the saving is unknown, its figure a bound
    f = _json_finding(tmp_path, capsys, text, "ES004", "matplotlib")
    assert (f["saving_bytes"], "saving_range" in f, f["outcome"]) == (None, False, "applied")
    assert f["effect"] == {"leaving": MPL_208_LEAVING, "arriving": [],
                           "unpriced": ["what rdkit keeps (not in the snapshot)"]}
    assert f["source"] == ("unknown: rdkit stays and is not in the snapshot, so what it keeps of what would leave cannot"
                           " be judged; as far as the graph snapshot of 2026-08-17 knows, 50 package(s) leave for"
                           " linux-64, Python 3.8: at most ~646.3 MB (range 286.4 MB to 988.9 MB)")


# -- a name the snapshot does not know stays: what it keeps of what leaves is unknown, and so is the saving --------
UNSEEN = DEFAULTS + "dependencies:\n  - python=3.11\n  - numpy\n  - acme-internal-tools\n"


def test_nomkl_saving_is_unknown_where_a_name_the_snapshot_does_not_know_stays(tmp_path, capsys):
    """acme-internal-tools may depend on tbb or mkl itself: the MKL side's figure is a bound, not a saving."""
    f = _json_finding(tmp_path, capsys, UNSEEN, "ES002", "nomkl")
    assert (f["saving_bytes"], "saving_range" in f, f["outcome"]) == (None, False, "applied")
    assert f["effect"] == {"leaving": ["intel-openmp", "mkl"], "arriving": ["libopenblas"], "excluded": ["mkl"],
                           "unpriced": ["tbb", "what acme-internal-tools keeps (not in the snapshot)", "zlib"]}
    assert f["source"] == ("unknown: acme-internal-tools stays and is not in the snapshot, so what it keeps of what"
                           " would leave cannot be judged; as far as the graph snapshot of 2026-08-17 knows, 2"
                           " package(s) leave for linux-64, Python 3.11: at most ~849.7 MB (range 844.0 MB to 855.5 MB)")


def test_report_total_is_unknown_where_an_applied_fix_cannot_see_what_stays(tmp_path, capsys):
    import json

    from envslim.cli import main

    path = tmp_path / "env.yml"
    path.write_text(UNSEEN)
    assert main(["report", str(path)]) == 0
    (total,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  total")]
    assert total.split("  ")[-1] == ("saving unknown: acme-internal-tools stays and is not in the snapshot"
                                     " (at most ~849.7 MB as far as it knows)")
    assert main(["report", "--format", "json", str(path)]) == 0
    est = json.loads(capsys.readouterr().out)["files"][0]["estimate"]
    assert (est["saving_bytes"], est["unseen_staying"], est["saving_bound_bytes"], est["saving_bound_range"]) == (
        None, ["acme-internal-tools"], 849_703_066, [843_986_598, 855_526_778])
    assert main(["report", "--format", "markdown", str(path)]) == 0
    assert ("**Estimated footprint: 871.0 MB → 21.3 MB (15.5 to 27.0 MB)** (saving unknown: acme-internal-tools stays"
            " and is not in the snapshot (at most ~849.7 MB as far as it knows))") in capsys.readouterr().out
    # the same file without it: the saving is the figures' difference, as before
    path.write_text(UNSEEN.replace("  - acme-internal-tools\n", ""))
    assert main(["report", "--format", "json", str(path)]) == 0
    est = json.loads(capsys.readouterr().out)["files"][0]["estimate"]
    assert (est["saving_bytes"], "unseen_staying" in est) == (849_703_066, False)


def test_208_report_total_carries_rdkit(tmp_path, capsys):
    """The matplotlib rename's saving is unknown because rdkit stays (above): the report's total says so too."""
    import json

    from envslim.cli import main
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    (src,) = CORPUS.glob("208__*")
    (tmp_path / "env.yml").write_text(src.read_text())
    assert main(["report", "--format", "json", str(tmp_path / "env.yml")]) == 0
    est = json.loads(capsys.readouterr().out)["files"][0]["estimate"]
    assert (est["saving_bytes"], est["unseen_staying"]) == (None, ["rdkit"])


def test_no_nomkl_next_to_defaults_pytorch_on_x86_64(tmp_path, capsys):
    """Anaconda's pytorch for linux-64 runs on mkl and blas 1.0 mkl (AnacondaRecipes/pytorch-feedstock): nomkl
    would keep MKL or make the file unsolvable, so it is reported, not written (an audit file's finding)."""
    text = DEFAULTS + "dependencies:\n  - python=3.11\n  - pytorch=2.3\n  - numpy\n"
    assert run(tmp_path, capsys, text, "--select", "ES002") == (0, (
        "env.yml:5:3: ES002 nomkl: nomkl not added: the defaults channel builds pytorch for linux-64 against MKL (its"
        " builds run on mkl and blas 1.0 mkl: AnacondaRecipes/pytorch-feedstock), so MKL stays, or nomkl makes"
        " pytorch=2.3 unsolvable [not fixed: defaults' pytorch builds need MKL]\n"), text)


# -- a move adds conda's pip where the file has none: it arrives, in the fix's saving and in the report's total -----
NO_PIP = "channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pandas\n  - pyarrow\n"


def test_the_pip_a_move_adds_is_counted_in_its_saving_and_in_the_total(tmp_path, capsys):
    import json

    from envslim.cli import main

    f = _json_finding(tmp_path, capsys, NO_PIP, "ES001", "pyarrow")
    assert f["effect"]["arriving"] == ["pyarrow", "packaging", "pip", "setuptools", "wheel"]
    assert (f["saving_bytes"], f["saving_range"]) == (96_134_723, [3_210_373, 186_754_001])
    assert f["source"].endswith("and the conda pip the fix adds (packaging, pip, setuptools, wheel: 8.7 MB, 5.0 MB to"
                                " 12.3 MB)")
    # the file with a pip line: nothing but the wheel arrives, and the saving is pip's 8.7 MB more
    with_pip = _json_finding(tmp_path, capsys, NO_PIP + "  - pip\n", "ES001", "pyarrow")
    assert (with_pip["effect"]["arriving"], with_pip["saving_bytes"]) == (["pyarrow"], 104_857_702)
    (tmp_path / "env.yml").write_text(NO_PIP)
    assert main(["report", "--format", "json", str(tmp_path / "env.yml")]) == 0
    est = json.loads(capsys.readouterr().out)["files"][0]["estimate"]
    assert (est["saving_bytes"], est["left_out"]) == (96_134_723, [])
    assert est["before_bytes"] - est["after_bytes"] == 96_134_723


def test_the_pip_that_es003_adds_is_left_out_of_the_saving(tmp_path, capsys):
    """A pip: section without pip: ES003 adds it for pip to run, not to save: the saving leaves it out, named."""
    import json

    from envslim.cli import main

    (tmp_path / "env.yml").write_text("channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip:\n"
                                      "    - requests\n")
    assert main(["report", "--format", "json", str(tmp_path / "env.yml")]) == 0
    est = json.loads(capsys.readouterr().out)["files"][0]["estimate"]
    assert (est["saving_bytes"], est["left_out"]) == (0, ["pip"])


def test_a_pixi_table_with_a_channel_is_not_read_as_extras(tmp_path, capsys):
    """audit6: pixi reads `matplotlib = { version = ">=3.8", channel = "conda-forge" }` as the conda spec
    `matplotlib[version=">=3.8",channel="conda-forge"]`, whose brackets ES004's `dask[complete]` check took for pip
    extras ("names extras, which a conda matplotlib-base does not have"). The brackets hold key=value pairs: the
    finding gives its true reason, the editor's (a line that names its own channel is not renamed)."""
    (tmp_path / "pixi.toml").write_text(
        '[workspace]\nname = "svc"\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n[dependencies]\n'
        'python = "3.12.*"\nmatplotlib = { version = ">=3.8", channel = "conda-forge" }\n')
    from envslim.cli import main

    rc = main(["rewrite", "--check", str(tmp_path / "pixi.toml")])
    assert (rc, capsys.readouterr()) == (0, (
        f"{tmp_path / 'pixi.toml'}:8:1: ES004 matplotlib: use matplotlib-base [not fixed: line 8: the entry names its own"
        " channel; not renamed]\n", ""))
