"""The directory search (envslim.document.discover): which files it finds, what it passes over."""

from __future__ import annotations

import os

import pytest

from envslim.document import discover

ENV = "dependencies:\n  - python=3.11\n"
PIXI = '[workspace]\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n[dependencies]\npython = "3.11.*"\n'


def tree(root, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_finds_environment_files_and_pixi_manifests_by_name(tmp_path):
    tree(tmp_path, {
        "environment.yml": ENV, "environment-dev.yaml": ENV, "binder/environment.yml": ENV, "env.yml": ENV,
        "ci/env-py311.yaml": ENV, "ml.env.yml": ENV, "workflow/envs/bwa.yaml": ENV, "svc/pixi.toml": PIXI,
        "tool/pyproject.toml": "[project]\nname = 'x'\n[tool.pixi.workspace]\nchannels = []\n",
        # not environment files by name, or excluded by name
        "pyproject.toml": "[project]\nname = 'x'\n", "conda-lock.yml": ENV, "environment.lock.yml": ENV,
        "recipe/meta.yaml": ENV, "recipe/conda_build_config.yaml": ENV, "envoy.yaml": ENV, ".github/ci.yml": ENV,
        "requirements.txt": "numpy\n",
    })
    assert discover.find(str(tmp_path)) == sorted(str(tmp_path / p) for p in [
        "binder/environment.yml", "ci/env-py311.yaml", "env.yml", "environment-dev.yaml", "environment.yml",
        "ml.env.yml", "svc/pixi.toml", "tool/pyproject.toml", "workflow/envs/bwa.yaml"])


def test_paths_are_joined_to_the_directory_as_given(tmp_path, monkeypatch):
    tree(tmp_path, {"a/environment.yml": ENV, "a/b/env.yml": ENV})
    monkeypatch.chdir(tmp_path)
    assert discover.find(".") == ["a/b/env.yml", "a/environment.yml"]
    assert discover.find("a") == ["a/b/env.yml", "a/environment.yml"]
    assert discover.find("a/") == ["a/b/env.yml", "a/environment.yml"]
    monkeypatch.chdir(tmp_path / "a" / "b")
    assert discover.find("..") == ["../b/env.yml", "../environment.yml"]


def test_skips_hidden_folders_pixi_node_modules_and_gitignored(tmp_path):
    tree(tmp_path, {
        "environment.yml": ENV,
        ".hidden/environment.yml": ENV, ".pixi/envs/default/environment.yml": ENV, ".venv/env.yml": ENV,
        "node_modules/pkg/environment.yml": ENV, "web/node_modules/pkg/environment.yml": ENV,
        "build/environment.yml": ENV, "out/environment.yml": ENV, "out/keep/environment.yml": ENV,
        "sub/generated.env.yml": ENV, "sub/env.yml": ENV,
        ".gitignore": "build/\nout/*\n!out/keep/\n",
        "sub/.gitignore": "generated.*\n",
    })
    (tmp_path / ".git").mkdir()
    assert discover.find(str(tmp_path)) == [str(tmp_path / p) for p in [
        "environment.yml", "out/keep/environment.yml", "sub/env.yml"]]
    # a .gitignore above the folder searched, up to the repository's root, counts too
    assert discover.find(str(tmp_path / "out")) == [str(tmp_path / "out/keep/environment.yml")]
    assert discover.find(str(tmp_path / "build")) == []


def test_a_gitignore_above_a_repository_root_does_not_count(tmp_path):
    tree(tmp_path, {".gitignore": "*.yml\n", "repo/environment.yml": ENV})
    (tmp_path / "repo" / ".git").mkdir()
    assert discover.find(str(tmp_path / "repo")) == [str(tmp_path / "repo/environment.yml")]


def test_include_and_exclude_relative_to_the_config_folder(tmp_path):
    tree(tmp_path, {"environment.yml": ENV, "deploy/app.yaml": ENV, "deploy/notes.yaml": ENV,
                    "legacy/environment.yml": ENV, "svc/environment.yml": ENV})
    found = discover.find(str(tmp_path / "svc"), ["deploy/app.yaml"], ["legacy/"], base=str(tmp_path))
    assert found == [str(tmp_path / "svc/environment.yml")]
    found = discover.find(str(tmp_path), ["deploy/app.yaml"], ["legacy/", "svc/environment.yml"])
    assert found == [str(tmp_path / p) for p in ["deploy/app.yaml", "environment.yml"]]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_linked_folder_is_not_followed(tmp_path):
    tree(tmp_path, {"real/environment.yml": ENV, "repo/environment.yml": ENV})
    os.symlink(tmp_path / "real", tmp_path / "repo" / "link")
    assert discover.find(str(tmp_path / "repo")) == [str(tmp_path / "repo/environment.yml")]
