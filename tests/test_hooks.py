""".pre-commit-hooks.yaml: the two hooks, and which files they run on (pre-commit matches with re.search)."""

from __future__ import annotations

import csv
import re

import pytest
from ruamel.yaml import YAML

from tests.conftest import ROOT, SHARED


def hooks() -> dict[str, dict]:
    return {h["id"]: h for h in YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def selected(path: str, hook: dict) -> bool:
    return bool(re.search(hook["files"], path)) and not re.search(hook["exclude"], path)


def test_the_two_hooks():
    found = hooks()
    assert sorted(found) == ["envslim", "envslim-check", "envslim-pixi"]
    assert [(h["entry"], h["language"]) for h in found.values()] == [
        ("envslim rewrite", "python"), ("envslim rewrite --check", "python"), ("envslim rewrite", "python")]
    assert found["envslim"]["files"] == found["envslim-check"]["files"]
    assert found["envslim"]["exclude"] == found["envslim-check"]["exclude"]


@pytest.mark.parametrize(("path", "runs"), [
    ("environment.yml", True),
    ("environment.yaml", True),
    ("binder/environment-dev.yml", True),
    ("ci/rtd_environment.yml", True),
    ("conda-environment.yaml", True),
    ("environments.yml", True),
    ("env.yml", True),
    ("env_3.yaml", True),
    ("env_dqc.cpu.yml", True),
    ("tests/test_env.yml", True),
    ("conda.yml", True),
    ("conda-env.yaml", True),
    ("workflow/envs/bwa.yaml", True),  # snakemake's conda envs
    ("conda/environments/all_cuda-118_arch-x86_64.yaml", True),
    (".dependencies/docs.devenv.yml", True),  # conda-devenv
    ("conda-lock.yml", False),
    ("environment.lock.yml", False),
    ("recipe/conda_build_config.yaml", False),
    ("envoy.yaml", False),
    ("environ.yml", False),
    ("recipe/meta.yaml", False),
    ("environment.yml.orig", False),
    ("environment.json", False),
    (".pre-commit-config.yaml", False),
])
def test_files_the_hooks_run_on(path, runs):
    assert selected(path, hooks()["envslim"]) is runs


def test_the_corpus_environment_files_are_selected_by_name(shared_dir):
    """Every corpus file whose name says it is an environment file; the rest (docs.yml, hcg-16.yml...) a
    project lists in its own ``files:``."""
    with open(SHARED / "corpus" / "manifest.csv", newline="") as f:
        paths = [row["path"] for row in csv.DictReader(f)]
    missed = sorted(p for p in paths if not selected(p, hooks()["envslim"]))
    assert missed == ["hcg-16.yml", "requirements/docs.yml", "requirements/dqc_install.yml"]


def test_the_hooks_and_the_directory_search_use_one_list_of_names():
    """``.pre-commit-hooks.yaml``'s ``files:``/``exclude:`` are envslim.document.discover's expressions."""
    from envslim.document import discover

    found = hooks()
    for hook in ("envslim", "envslim-check"):
        assert (found[hook]["files"], found[hook]["exclude"]) == (discover.ENV_FILES, discover.ENV_EXCLUDE)
    assert found["envslim-pixi"]["files"] == discover.PIXI_FILES


@pytest.mark.parametrize("path", [
    "environment.yml", "binder/environment-dev.yml", "env_3.yaml", "workflow/envs/bwa.yaml", "conda-lock.yml",
    "environment.lock.yml", "envoy.yaml", "recipe/meta.yaml", "pixi.toml", "a/pixi.toml", "a/pyproject.toml",
    "pixi.lock", "environment.json",
])
def test_the_directory_search_selects_by_name_what_the_hooks_run_on(path):
    from envslim.document import discover

    found = hooks()
    assert discover.by_name(path) is (selected(path, found["envslim"])
                                      or bool(re.search(found["envslim-pixi"]["files"], path)))
