"""``envslim rewrite DIR``, ``rewrite --check DIR``, ``rewrite --diff DIR`` and ``report DIR``: the
environment files and pixi manifests found under it, each shown by its path under the directory given."""

from __future__ import annotations

import json

from envslim.cli import main

MIXED = "channels:\n  - conda-forge\n  - defaults\ndependencies:\n  - python=3.11\n"
CLEAN = "channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n"
FIXED = "channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n"
ES007 = "ES007 defaults: mixes defaults with conda-forge; use nodefaults"


def project(root):
    for rel, text in {"environment.yml": MIXED, "svc/env-dev.yaml": MIXED, "svc/clean.env.yml": CLEAN,
                      "legacy/environment.yml": MIXED, "build/environment.yml": MIXED,
                      "node_modules/x/environment.yml": MIXED, "docs/conf.yml": MIXED}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / ".gitignore").write_text("build/\n")
    (root / ".envslim.toml").write_text('select = ["ES007"]\nunsafe-fixes = true\nexclude = ["legacy/"]\n')


def test_rewrite_check_a_directory(tmp_path, capsys, monkeypatch):
    project(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["rewrite", "--check", "."]) == 1
    assert capsys.readouterr() == (
        f"environment.yml:3:3: {ES007} [fix available]\nwould rewrite environment.yml\n"
        f"svc/env-dev.yaml:3:3: {ES007} [fix available]\nwould rewrite svc/env-dev.yaml\n", "")
    assert main(["rewrite", "--check", "svc"]) == 1
    assert capsys.readouterr().out == f"svc/env-dev.yaml:3:3: {ES007} [fix available]\nwould rewrite svc/env-dev.yaml\n"
    monkeypatch.chdir(tmp_path / "svc")  # the config is found upward from the directory; paths as given
    assert main(["rewrite", "--check", ".."]) == 1
    assert capsys.readouterr().out.splitlines()[1::2] == ["would rewrite ../environment.yml",
                                                          "would rewrite ../svc/env-dev.yaml"]


def test_a_file_named_on_the_command_line_is_always_read(tmp_path, capsys, monkeypatch):
    project(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["rewrite", "--check", "legacy/environment.yml", "build/environment.yml", "docs/conf.yml"]) == 1
    assert capsys.readouterr().out.splitlines()[1::2] == [
        "would rewrite legacy/environment.yml", "would rewrite build/environment.yml", "would rewrite docs/conf.yml"]


def test_rewrite_a_directory_in_place_and_diff(tmp_path, capsys, monkeypatch):
    project(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["rewrite", "--diff", "svc"]) == 1
    assert capsys.readouterr() == (
        "--- a/svc/env-dev.yaml\n+++ b/svc/env-dev.yaml\n@@ -1,5 +1,5 @@\n channels:\n   - conda-forge\n"
        f"-  - defaults\n+  - nodefaults\n dependencies:\n   - python=3.11\n# {ES007}\n", "")
    assert main(["rewrite", "."]) == 0
    assert capsys.readouterr().out == (f"environment.yml:3:3: {ES007} [fixed]\nrewrote environment.yml\n"
                                       f"svc/env-dev.yaml:3:3: {ES007} [fixed]\nrewrote svc/env-dev.yaml\n")
    assert [(tmp_path / p).read_text() for p in ("environment.yml", "svc/env-dev.yaml", "legacy/environment.yml",
                                                 "build/environment.yml")] == [FIXED, FIXED, MIXED, MIXED]
    assert main(["rewrite", "--check", "."]) == 0
    assert capsys.readouterr() == ("", "")


def test_report_a_directory(tmp_path, capsys, monkeypatch):
    project(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--format", "json", "."]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in data["files"]] == ["environment.yml", "svc/clean.env.yml", "svc/env-dev.yaml"]


def test_a_directory_without_environment_files(tmp_path, capsys):
    (tmp_path / "README.md").write_text("hello\n")
    assert main(["rewrite", "--check", str(tmp_path)]) == 0
    assert capsys.readouterr() == ("", f"envslim: warning: {tmp_path}: no environment files or pixi manifests found"
                                       " (environment*.yml, env*.yml, *.env.yml, pixi.toml, pyproject.toml with"
                                       " [tool.pixi])\n")


def test_a_bad_include_is_one_line(tmp_path, capsys):
    (tmp_path / ".envslim.toml").write_text('include = "deploy/*.yaml"\n')
    (tmp_path / "environment.yml").write_text(CLEAN)
    assert main(["rewrite", "--check", str(tmp_path)]) == 2
    assert capsys.readouterr() == ("", f"{tmp_path / '.envslim.toml'}:1:1: 'include' must be a list of strings,"
                                       " not a string\n")
