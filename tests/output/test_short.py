"""Short messages: one finding per line by default (rule, package, what the fix does, the saving and its
range); the reasoning with -v, in explain --verbose, markdown and JSON; an unreachable host said once."""

from __future__ import annotations

import re
import socket

import pytest

from envslim import knowledge
from envslim.cli import main
from envslim.output.rewrite import headline

ENV = "channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n  - pip\n  - pyarrow>=12\n"


@pytest.fixture
def env(tmp_path, monkeypatch):
    (tmp_path / ".envslim.toml").write_text("")
    (tmp_path / "environment.yml").write_text(ENV)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "environment.yml"


def test_one_short_line_per_finding_and_the_whole_reasoning_with_verbose(env, capsys):
    assert main(["rewrite", "--check", "environment.yml"]) == 1
    assert capsys.readouterr().out == (
        "environment.yml:7:3: ES001 pyarrow: move to pip (saves ~129.3 MB, 26.2 MB to 229.3 MB) [fix available]\n"
        "would rewrite environment.yml\n")
    assert main(["rewrite", "--check", "-v", "environment.yml"]) == 1
    reason = knowledge.load("pyarrow").advice["reason"]
    assert capsys.readouterr().out == (
        f"environment.yml:7:3: ES001 pyarrow: move to pip: {reason} (saves ~129.3 MB, estimate 26.2 MB to 229.3 MB)"
        " [fix available]\nwould rewrite environment.yml\n")


def test_the_diff_explains_a_move_once(env, capsys):
    assert main(["rewrite", "--diff", "environment.yml"]) == 1
    out = capsys.readouterr().out
    assert out.count("# ES001 pyarrow:") == 1
    assert out.endswith("+  - pip:\n+    - pyarrow>=12\n# ES001 pyarrow: move to pip (saves ~129.3 MB, 26.2 MB to"
                        " 229.3 MB)\n")


@pytest.mark.parametrize(("message", "short"), [
    ("mixes defaults with conda-forge; use nodefaults", "mixes defaults with conda-forge; use nodefaults"),
    ("matplotlib-base is already listed: drop matplotlib (matplotlib-base is the library itself; the metapackage"
     " only adds the Qt GUI binding (closure 215 MB vs 34 MB of archives beyond python, 3.10.8 linux-64))",
     "matplotlib-base is already listed: drop matplotlib"),
    ("use matplotlib-base: matplotlib-base is the library itself; the metapackage only adds the Qt GUI binding"
     " (closure 215 MB vs 34 MB of archives beyond python, 3.10.8 linux-64)", "use matplotlib-base"),
    ("also a conda dependency; pip installs a second copy over conda's; merge its constraint into the conda line"
     " by hand", "also a conda dependency"),
])
def test_headline(message, short):
    assert headline(message) == short


def test_explain_is_a_summary_unless_verbose(capsys):
    assert main(["explain", "pyarrow"]) == 0
    entry = knowledge.load("pyarrow")
    assert capsys.readouterr().out == (
        f"pyarrow: {entry.summary}\n"
        f"Advice: move-to-pip (fix: safe): {entry.advice['reason']}\n"
        "Not moved while one of these stays in conda: pyarrow-all, dask, dask-expr, datasets, deltalake,"
        " pyarrow-hotfix\n"
        "Links its native library: cudf, libarrow-flight, libarrow-flight-sql, libarrow-gandiva\n"
        "numpy ABI: releases below 16.0.0 were built against numpy 1.x\n"
        "Moving to pip saves on linux-64, Python 3.11, in a file of python, pyarrow and pip alone: ~129.3 MB, estimate"
        " 26.2 MB to 229.3 MB\n"
        f"{len(entry.figures)} figures from {len(entry.sources)} sources: envslim explain pyarrow --verbose\n")
    assert main(["explain", "pyarrow", "--verbose"]) == 0
    verbose = capsys.readouterr().out
    assert len(verbose.splitlines()) > 100 and "\nSources:\n" in verbose


def test_an_unreachable_host_is_one_warning(env, capsys, monkeypatch, tmp_path):
    with socket.socket() as s:  # a port nobody listens on: every connection is refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    for var, value in (("ENVSLIM_PYPI_URL", url), ("ENVSLIM_ANACONDA_URL", url), ("ENVSLIM_CONDA_URL", url),
                       ("ENVSLIM_CACHE_DIR", str(tmp_path / "cache")), ("ENVSLIM_RETRY_BACKOFF", "0")):
        monkeypatch.setenv(var, value)
    (tmp_path / "environment.yml").write_text(ENV + "  - numpy\n  - requests\n")
    assert main(["report", "--online", "environment.yml"]) == 0
    err = capsys.readouterr().err  # every lookup failed: one line, not one per package
    assert re.fullmatch(rf"envslim: warning: cannot reach 127\.0\.0\.1:{port}: cannot connect: All connection attempts"
                        r" failed; \d+ lookup\(s\) there use the knowledge base's figures, if any\n", err), err


UNKNOWN = ("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.8\n  - matplotlib\n"
           "  - not-a-real-package-x\n  - pip\n  - pip:\n    - opencv-python==4.1.2.30\n")


def test_an_unknown_saving_is_said_with_why_not_left_out(tmp_path, monkeypatch, capsys):
    # matplotlib -> matplotlib-base cannot be priced: a package the snapshot does not know stays and may keep
    # what would leave; opencv-python 4.1.2.30 on Python 3.8 has no wheel figure. Short lines give a short why
    # (a long one only with -v); the diff's explanation and GitHub's annotation say it the same way.
    (tmp_path / ".envslim.toml").write_text("")
    (tmp_path / "environment.yml").write_text(UNKNOWN)
    monkeypatch.chdir(tmp_path)
    mpl = "environment.yml:6:3: ES004 matplotlib: use matplotlib-base"
    cv = "environment.yml:10:5: ES004 opencv-python: use opencv-python-headless: same cv2 without the GUI"
    assert main(["rewrite", "--check", "environment.yml"]) == 1
    assert capsys.readouterr().out == (
        f"{mpl} (saving unknown: not-a-real-package-x stays and is not in the snapshot) [fix available]\n"
        f"{cv} (highgui/Qt) (saving unknown) [unsafe fix, use --unsafe-fixes]\n"
        "would rewrite environment.yml\n")
    assert main(["rewrite", "--check", "-v", "environment.yml"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(" (saving unknown: not-a-real-package-x stays and is not in the snapshot, so what it keeps"
                           " of what would leave cannot be judged) [fix available]")
    assert out[1].endswith(" (saving unknown: the knowledge base has no figure for the opencv-python wheel and the"
                           " opencv-python-headless wheel on linux-64, Python 3.8) [unsafe fix, use --unsafe-fixes]")
    assert main(["rewrite", "--diff", "environment.yml"]) == 1
    assert capsys.readouterr().out.endswith(
        "# ES004 matplotlib: use matplotlib-base (saving unknown: not-a-real-package-x stays and is not in the"
        " snapshot)\n")
    assert main(["rewrite", "--check", "--format", "github", "environment.yml"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "::warning file=environment.yml,line=6,col=3,title=ES004::matplotlib: use matplotlib-base (saving unknown:"
        " not-a-real-package-x stays and is not in the snapshot) [fix available]")



def test_a_pin_that_only_rules_versions_out_claims_no_saving_in_markdown(tmp_path, monkeypatch, capsys):
    (tmp_path / ".envslim.toml").write_text("")
    (tmp_path / "environment.yml").write_text("channels:\n  - defaults\ndependencies:\n  - numpy >=1.22\n"
                                              "  - pandas=1.5\n")
    monkeypatch.chdir(tmp_path)
    assert main(["rewrite", "--check", "--select", "ES005", "--format", "markdown", "environment.yml"]) == 1
    out = capsys.readouterr().out
    assert out.split("<details>")[0] == (
        "### envslim: `environment.yml`\n\n| rule | package | finding | est. saving | status |\n|---|---|---|---:|---|\n"
        "| `ES005` | `numpy` | pin numpy<2: pandas is held below 2.2.2, built against numpy 1.x |  | due |\n\n")
