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
        "Moving to pip saves on linux-64, Python 3.11: ~105.0 MB, estimate 15.6 MB to 192.1 MB\n"
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
