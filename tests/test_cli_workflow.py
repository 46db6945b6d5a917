"""The command line as a new user meets it: no abbreviations, usage without arguments, a clear word on a
file envslim does not read, and no finding that asks for what the file already has."""

from __future__ import annotations

import pytest

from envslim.cli import main

READS = ("envslim reads conda environment files (YAML with 'dependencies:', like environment.yml) and pixi"
         " manifests (pixi.toml, pyproject.toml with [tool.pixi])")


def test_an_abbreviated_option_is_refused(tmp_path, capsys):
    path = tmp_path / "env.yml"
    path.write_text("dependencies:\n  - python=3.11\n")
    with pytest.raises(SystemExit) as e:
        main(["rewrite", "--dif", str(path)])
    assert e.value.code == 2
    assert capsys.readouterr().err.endswith("envslim: error: unrecognized arguments: --dif\n")
    with pytest.raises(SystemExit) as e:
        main(["report", "--form", "json", str(path)])
    assert e.value.code == 2


def test_no_arguments_prints_the_usage(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[:14] == [  # (then argparse's own "options:" section, worded by the Python version)
        "usage: envslim [-h] [--version] {rewrite,explain,report,knowledge,dockerfile,prune} ...",
        "",
        "Make conda-based Docker images small.",
        "",
        "positional arguments:",
        "  {rewrite,explain,report,knowledge,dockerfile,prune}",
        "    rewrite             rewrite environment files in place (move bloated packages to pip:, add",
        "                        pins)",
        "    explain             what the knowledge base knows about a package or rule, with sources",
        "    report              per-package footprint before and after the rewrite, with sources and",
        "                        totals",
        "    knowledge           maintain the knowledge base",
        "    dockerfile          a slim multi-stage Dockerfile for an environment file",
        "    prune               delete what a deployed environment never needs",
    ]


@pytest.mark.parametrize(("name", "text", "message"), [
    ("requirements.txt", "numpy==1.26\npandas>=2\n",
     f"1:1: a pip requirements file, not a conda environment file: {READS}"),
    ("requirements-dev.txt", "-r requirements.txt\npytest\n",
     f"1:1: a pip requirements file, not a conda environment file: {READS}"),
    ("requirements.in", "numpy\nfoo: [\n", f"1:1: a pip requirements file, not a conda environment file: {READS}"),
    ("ci.yml", "name: ci\non: push\njobs: {}\n", f"1:1: no 'dependencies' key: not a conda environment file: {READS}"),
    ("list.yml", "- a\n- b\n",
     f"1:1: not a conda environment file (the top level is a list, not a mapping with 'dependencies'): {READS}"),
])
def test_a_file_envslim_does_not_read_says_what_it_reads(tmp_path, capsys, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    for argv in (["rewrite", str(path)], ["rewrite", "--check", str(path)], ["report", str(path)]):
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert (out, err) == ("", f"{path}:{message}\n")
    assert path.read_text() == text


def test_es004_asks_nothing_when_cpuonly_is_listed(tmp_path, capsys):
    (tmp_path / ".envslim.toml").write_text("")
    path = tmp_path / "environment.yml"
    text = "channels:\n  - pytorch\n  - nodefaults\ndependencies:\n  - python=3.11\n  - pytorch\n  - {}\n"
    path.write_text(text.format("numpy"))
    assert main(["rewrite", "--check", "--select", "ES004", str(path)]) == 0
    assert capsys.readouterr().out == (
        f"{path}:6:3: ES004 pytorch: on the pytorch channel the CPU switch is the cpuonly metapackage, not"
        " pytorch-cpu [not fixed: pytorch channel]\n")
    path.write_text(text.format("cpuonly"))
    assert main(["rewrite", "--check", "--select", "ES004", str(path)]) == 0
    assert capsys.readouterr().out == ""
