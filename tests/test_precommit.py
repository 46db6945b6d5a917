"""A real pre-commit run of this working tree's hooks (``pre-commit try-repo``, which takes uncommitted
changes too): the fixer rewrites, the second run passes. Needs only the package registry (pre-commit
installs the hook's environment with pip)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_readme_precommit import pinned, readme_snippet

ENV = """\
name: svc
channels:
  - conda-forge
  - defaults
dependencies:
  - numpy<2
  - pandas<2.0.0
  - pyarrow>=12  # parquet
  - python=3.11
"""

FIXED = """\
name: svc
channels:
  - conda-forge
  - defaults
dependencies:
  - numpy<2
  - pandas<2.0.0
  - pip
  - python=3.11
  - pip:
    - pyarrow>=12  # parquet
"""


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


pytestmark = pytest.mark.slow  # each run builds the hook's environment


@pytest.fixture
def repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    try:
        _git(ROOT, "rev-parse", "HEAD")
    except subprocess.CalledProcessError:
        pytest.skip("this checkout is not a git repository")
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q")
    _git(work, "config", "user.email", "t@example.com")
    _git(work, "config", "user.name", "t")
    (work / "environment.yml").write_text(ENV)
    (work / "README.md").write_text("not an env file\n")
    _git(work, "add", ".")
    return work


def _run(work: Path, hook: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files",
                           "--color", "never"], cwd=work, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def precommit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


def test_fixer_hook_rewrites_then_passes(repo, precommit_home):
    first = _run(repo, "envslim", precommit_home)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    # (the pip line the move adds arrives: 8.7 MB less than the move alone)
    assert "environment.yml:8:3: ES001 pyarrow: move to pip (saves ~96.0 MB, 3.2 MB to 186.6 MB) [fixed]\n" in first.stdout
    assert (repo / "environment.yml").read_text() == FIXED
    second = _run(repo, "envslim", precommit_home)
    assert second.returncode == 0, second.stdout + second.stderr
    assert (repo / "environment.yml").read_text() == FIXED


def test_check_hook_reports_and_changes_nothing(repo, precommit_home):
    result = _run(repo, "envslim-check", precommit_home)
    assert result.returncode == 1
    assert "would rewrite environment.yml" in result.stdout
    assert (repo / "environment.yml").read_text() == ENV


# -- the README's snippet, as written (its rev: tests/test_readme_precommit.py) ------------------------------------
def test_the_readme_snippet_runs_as_written_and_autoupdate_moves_it(repo, precommit_home):
    """The snippet with this checkout in place of the GitHub URL: a real ``pre-commit run``, then
    ``pre-commit autoupdate`` moves ``rev`` to the head (no tags: pre-commit takes the branch's head)."""
    try:
        _git(ROOT, "cat-file", "-e", f"{pinned()}^{{commit}}")
    except subprocess.CalledProcessError:
        pytest.skip("this clone does not have the pinned commit (a shallow clone)")
    config = repo / ".pre-commit-config.yaml"
    config.write_text(readme_snippet().replace("https://github.com/envslim/envslim", str(ROOT)))
    _git(repo, "add", ".")
    env = dict(os.environ, PRE_COMMIT_HOME=str(precommit_home), NO_COLOR="1")

    def pre_commit(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo, env=env, capture_output=True,
                              text=True, timeout=900)

    first = pre_commit("run", "--all-files", "--color", "never")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert "  - pip:\n    - pyarrow>=12  # parquet\n" in (repo / "environment.yml").read_text()
    second = pre_commit("run", "--all-files", "--color", "never")
    assert second.returncode == 0, second.stdout + second.stderr
    update = pre_commit("autoupdate", "--repo", str(ROOT))
    assert update.returncode == 0, update.stdout + update.stderr
    head = _git(ROOT, "rev-parse", "HEAD")
    assert f"    rev: {head}" in config.read_text()
