"""The README's pre-commit snippet pins a commit of this repository at the released version (fast: git only;
tests/test_precommit.py runs the snippet itself)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT


def _git(cwd, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def readme_snippet() -> str:
    """The ``.pre-commit-config.yaml`` block of the README's pre-commit section."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## pre-commit\n", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def pinned() -> str:
    rev = re.search(r"(?m)^    rev: ([0-9a-f]{40})  # (\S+)$", readme_snippet())
    assert rev, "the snippet pins a full commit id with its version beside it"
    return rev.group(1)


def test_the_readme_pins_a_commit_of_this_repository_at_its_version():
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    rev = pinned()
    try:
        _git(ROOT, "cat-file", "-e", f"{rev}^{{commit}}")
    except subprocess.CalledProcessError:
        pytest.skip(f"this clone does not have {rev} (a shallow clone)")
    _git(ROOT, "merge-base", "--is-ancestor", rev, "HEAD")  # on this branch's history (main's)
    version = re.search(r'(?m)^version = "([^"]+)"', _git(ROOT, "show", f"{rev}:pyproject.toml")).group(1)
    assert f"rev: {rev}  # {version}\n" in readme_snippet()
    assert version == "0.2.0"
    assert f"## [{version}] - " in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    hooks_then = _git(ROOT, "show", f"{rev}:.pre-commit-hooks.yaml")
    for hook in re.findall(r"(?m)^ +#? *- id: (\S+)", readme_snippet()):
        assert f"- id: {hook}\n" in hooks_then


