"""An environment file's ``platforms:`` key (conda-lock reads it: the platforms the file is locked for) says
which platform its figures are for when its specs do not (issue 22: every figure true for the file's target)."""

from __future__ import annotations

import json

from tests.conftest import run

MAC = """\
# locked with: conda-lock -f environment.yml  (the platforms key below is conda-lock's)
name: mac-analysis
channels:
  - conda-forge
platforms:
  - osx-arm64
  - win-64
dependencies:
  - python=3.11
  - numpy<2
"""


def test_the_platforms_key_is_the_target_where_the_specs_do_not_say(capsys, tmp_path):
    p = tmp_path / "environment.yml"
    p.write_text(MAC)
    rc, out, err = run(capsys, "report", p)
    assert out.splitlines()[0] == f"{p} (Python 3.11 from the file, osx-arm64 from the file's platforms key)"
    rc, out, err = run(capsys, "report", "--format", "json", p)
    numpy = next(x for x in json.loads(out)["files"][0]["packages"] if x["name"] == "numpy")["before"]
    assert (numpy["platform"], numpy["version"]) == ("osx-arm64", "1.26.4")
    # with linux-64 in the list, linux-64 (a Docker image's)
    p.write_text(MAC.replace("  - win-64\n", "  - win-64\n  - linux-64\n"))
    rc, out, err = run(capsys, "report", p)
    assert out.splitlines()[0] == f"{p} (Python 3.11 from the file, linux-64)"


DEFAULTS_ARM = """\
name: m
channels:
  - defaults
platforms:
  - {platform}
dependencies:
  - python=3.11
  - numpy
  - scikit-learn
"""


def test_no_nomkl_where_there_is_no_mkl(capsys, tmp_path):
    # MKL is x86-only (defaults and conda-forge build mkl for linux-64, osx-64 and win-64): on osx-arm64 and
    # linux-aarch64 defaults links numpy against OpenBLAS, so nomkl would change nothing. It was added, with
    # "the defaults channel builds numpy against MKL" and an implied mkl row dropped that cannot exist there.
    p = tmp_path / "environment.yml"
    for platform in ("osx-arm64", "linux-aarch64"):
        p.write_text(DEFAULTS_ARM.format(platform=platform))
        rc, out, err = run(capsys, "rewrite", "--check", "--select", "ES002", p)
        assert (rc, out, err) == (0, "", "")
        rc, out, err = run(capsys, "report", "--format", "json", p)
        assert [x["name"] for x in json.loads(out)["files"][0]["packages"]] == ["numpy", "python", "scikit-learn"]
    p.write_text(DEFAULTS_ARM.format(platform="linux-64"))
    rc, out, err = run(capsys, "rewrite", "--check", "--select", "ES002", p)
    assert rc == 1 and out.startswith(f"{p}:8:3: ES002 nomkl: add nomkl: the defaults channel builds numpy")
