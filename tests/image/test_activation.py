"""Activation baked into the image: the variables per package (knowledge/activation.toml), golden
Dockerfiles for gdal/proj/openjdk environments (exact text, hadolint clean), and the build stage's check
run by the shell against real prefixes with etc/conda/activate.d scripts."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from envslim.cli import main
from envslim.image.dockerfile import PREFIX
from envslim.image import activation
from tests.image.test_dockerfile import hadolint

GOLDEN = Path(__file__).parent.parent / "golden" / "activation"

VARIANTS = {
    "gdal-distroless": ("gdal.yml", ["--distroless"]),
    "proj": ("proj.yml", []),
    "openjdk": ("openjdk.yml", ["--entrypoint", "python -m app"]),
}


def check_golden(capsys, argv: list[str], golden: Path, err: str = "") -> None:
    """``envslim dockerfile ARGV`` writes exactly ``golden`` (ENVSLIM_REGEN_GOLDEN=1 rewrites it) and says
    ``err``."""
    assert main(["dockerfile", *argv]) == 0
    cap = capsys.readouterr()
    assert cap.err == err
    if os.environ.get("ENVSLIM_REGEN_GOLDEN"):
        golden.write_text(cap.out)
    assert cap.out == golden.read_text()


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_golden(variant: str, capsys, monkeypatch) -> None:
    monkeypatch.chdir(GOLDEN)
    envfile, argv = VARIANTS[variant]
    check_golden(capsys, [envfile, *argv], GOLDEN / f"{variant}.Dockerfile")


@pytest.mark.slow  # hadolint, a real binary, on every variant
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_golden_passes_hadolint(variant: str, tmp_path: Path) -> None:
    assert hadolint((GOLDEN / f"{variant}.Dockerfile").read_text(), tmp_path) == (0, "")


def _final_env(text: str) -> list[str]:
    final = text.split("\n# -- final stage", 1)[1]
    block = final.split("\nENV ", 1)[1].split("\n")
    words = []
    for line in block:
        words.append(line.strip().removesuffix(" \\").strip())
        if not line.endswith("\\"):
            break
    return words


def test_gdal_distroless_bakes_gdal_and_proj_in_the_final_stage() -> None:
    text = (GOLDEN / "gdal-distroless.Dockerfile").read_text()
    assert _final_env(text) == [
        f"PATH={PREFIX}/bin:$PATH",
        f"GDAL_DATA={PREFIX}/share/gdal",
        "CPL_ZIP_ENCODING=UTF-8",
        f"PROJ_DATA={PREFIX}/share/proj",
        "PROJ_NETWORK=OFF",  # proj-data is in the file: its grids are local
    ]
    final = text.split("\nFROM gcr.io/distroless/base-debian12:nonroot\n", 1)[1]
    assert not re.search(r"^RUN", final, re.M)  # the check runs in the build stage, which has a shell


def test_openjdk_and_proj_without_proj_data() -> None:
    assert _final_env((GOLDEN / "openjdk.Dockerfile").read_text()) == [
        f"PATH={PREFIX}/bin:$PATH",
        f"JAVA_HOME={PREFIX}/lib/jvm",
        f"JAVA_LD_LIBRARY_PATH={PREFIX}/lib/jvm/lib/server",
    ]
    assert _final_env((GOLDEN / "proj.Dockerfile").read_text()) == [
        f"PATH={PREFIX}/bin:$PATH",
        f"PROJ_DATA={PREFIX}/share/proj",
        "PROJ_NETWORK=ON",
    ]


def _pairs(names: list[str]) -> list[tuple[str, str]]:
    return [(b.name, b.value) for b in activation.baked(names, "/p")]


def test_baked_per_package_and_conditions() -> None:
    assert _pairs(["numpy", "pandas"]) == []
    assert _pairs(["libgdal"]) == [
        ("GDAL_DATA", "/p/share/gdal"),
        ("GDAL_DRIVER_PATH", "/p/lib/gdalplugins"),  # libgdal pulls the plugin packages
        ("CPL_ZIP_ENCODING", "UTF-8"),
        ("PROJ_DATA", "/p/share/proj"),
        ("PROJ_NETWORK", "ON"),
    ]
    assert _pairs(["udunits2", "esmf"]) == [
        ("UDUNITS2_XML_PATH", "/p/share/udunits/udunits2.xml"),
        ("ESMFMKFILE", "/p/lib/esmf.mk"),
    ]


def test_knowledge_entries_have_sources_and_dates() -> None:
    assert [a.package for a in activation.entries()] == ["libgdal-core", "proj", "openjdk", "libudunits2", "esmf"]
    for a in activation.entries():
        assert re.fullmatch(r"conda-forge/[a-z0-9.-]+-feedstock recipe/scripts/activate\.sh at [0-9a-f]{7} .*", a.source)
        assert re.fullmatch(r"20\d\d-\d\d-\d\d", a.date)
        assert a.script.startswith("etc/conda/activate.d/") and a.script.endswith(".sh")
        for v in a.variables:
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*", v.name)
            assert not (v.when_any and v.unless_any) and (v.why or not (v.when_any or v.unless_any))


# -- the build-stage check, run by the shell -------------------------------------------------------------

# Activation scripts in the style of the feedstocks' (written for these tests): keep the old value for
# deactivation, export the variable, unset it when its directory is missing.
GDAL_SCRIPT = """\
if [ -n "${GDAL_DATA:-}" ]; then export _CONDA_SET_GDAL_DATA="$GDAL_DATA"; fi
export GDAL_DATA="$CONDA_PREFIX/share/gdal"
export GDAL_DRIVER_PATH="$CONDA_PREFIX/lib/gdalplugins"
if [ ! -d "$GDAL_DRIVER_PATH" ]; then unset GDAL_DRIVER_PATH; fi
export CPL_ZIP_ENCODING=UTF-8
"""
PROJ_SCRIPT = """\
export PROJ_DATA="${CONDA_PREFIX}/share/proj"
if [ -f "${CONDA_PREFIX}/share/proj/copyright_and_licenses.csv" ]; then export PROJ_NETWORK=OFF; else export PROJ_NETWORK=ON; fi
"""


def _prefix(root: Path, scripts: dict[str, str], files: tuple[str, ...] = ()) -> Path:
    d = root / "etc" / "conda" / "activate.d"
    d.mkdir(parents=True)
    for name, text in scripts.items():
        (d / name).write_text(text)
    (d / "ignored.csh").write_text("setenv CSH_ONLY 1\n")  # only *.sh scripts are sourced
    for f in files:
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        (root / f).write_text("")
    return root


def _check_run(dockerfile: str) -> str:
    """The build stage's activation RUN, as Docker hands it to /bin/sh."""
    run = dockerfile.split("# hadolint ignore=SC2016\nRUN ", 1)[1].split("\n\n", 1)[0]
    return run.replace(" \\\n", " ")


def _run_check(dockerfile: str, prefix: Path) -> subprocess.CompletedProcess:
    cmd = _check_run(dockerfile).replace(PREFIX, str(prefix))
    return subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, env={"PATH": os.environ["PATH"]})


def test_check_passes_when_the_image_sets_what_activation_sets(tmp_path: Path) -> None:
    prefix = _prefix(
        tmp_path / "env",
        {"gdal-activate.sh": GDAL_SCRIPT, "proj4-activate.sh": PROJ_SCRIPT},
        ("share/proj/copyright_and_licenses.csv",),
    )
    done = _run_check((GOLDEN / "gdal-distroless.Dockerfile").read_text(), prefix)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_check_fails_naming_a_missing_variable(tmp_path: Path) -> None:
    """The plugin directory exists (a plugin package was pulled in unseen): GDAL_DRIVER_PATH is missing."""
    prefix = _prefix(
        tmp_path / "env",
        {"gdal-activate.sh": GDAL_SCRIPT, "proj4-activate.sh": PROJ_SCRIPT, "x.sh": "export UNKNOWN_HOME=/x\n"},
        ("share/proj/copyright_and_licenses.csv", "lib/gdalplugins/gdal_HDF5.so"),
    )
    done = _run_check((GOLDEN / "gdal-distroless.Dockerfile").read_text(), prefix)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"envslim: conda activation sets GDAL_DRIVER_PATH, missing from the image (ENV GDAL_DRIVER_PATH={prefix}/lib/gdalplugins)\n"
        "envslim: conda activation sets UNKNOWN_HOME, missing from the image (ENV UNKNOWN_HOME=/x)\n"
    )


def test_check_fails_naming_a_variable_set_differently_and_notes_extras(tmp_path: Path) -> None:
    """Without proj-data's licence file the script turns the network on; the image bakes OFF."""
    prefix = _prefix(tmp_path / "env", {"gdal-activate.sh": GDAL_SCRIPT, "proj4-activate.sh": PROJ_SCRIPT.replace("PROJ_DATA", "PROJ_LIB")})
    done = _run_check((GOLDEN / "gdal-distroless.Dockerfile").read_text(), prefix)
    assert done.returncode == 1
    assert done.stdout == f"envslim: note: the image sets PROJ_DATA={prefix}/share/proj; conda activation does not\n"
    assert done.stderr == (
        f"envslim: conda activation sets PROJ_LIB, missing from the image (ENV PROJ_LIB={prefix}/share/proj)\n"
        "envslim: conda activation sets PROJ_NETWORK=ON; the image sets PROJ_NETWORK=OFF\n"
    )


def test_check_on_an_environment_without_activation_scripts(tmp_path: Path) -> None:
    """The seed's env bakes nothing; a prefix with no activate.d passes, one with a script fails."""
    text = (Path(__file__).parent.parent / "golden" / "seed-micromamba.Dockerfile").read_text()
    (tmp_path / "bare").mkdir()
    done = _run_check(text, tmp_path / "bare")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    prefix = _prefix(tmp_path / "env", {"openjdk_activate.sh": 'export JAVA_HOME="$CONDA_PREFIX/lib/jvm"\n'})
    done = _run_check(text, prefix)
    assert (done.returncode, done.stderr) == (
        1,
        f"envslim: conda activation sets JAVA_HOME, missing from the image (ENV JAVA_HOME={prefix}/lib/jvm)\n",
    )
