"""tools/recipe_records.py on feedstocks made in the test (a real git repository each): a recipe whose Jinja
the script does not render is skipped with one warning line naming it; one it renders gives its record."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("recipe_records", ROOT / "tools" / "recipe_records.py")
recipe_records = importlib.util.module_from_spec(spec)
spec.loader.exec_module(recipe_records)

# conda-forge/pynvml-feedstock's recipe/meta.yaml (the head of it, 13.0.1, 2025-09-08): its third line computes a
# variable, which the script's Jinja does not render
PYNVML = """\
{% set name = "pynvml" %}
{% set version = "13.0.1" %}
{% set major_version = version.split(".")[0]|int %}

package:
  name: {{ name|lower }}
  version: {{ version }}

build:
  number: 0
  noarch: python

requirements:
  run:
    - python >={{ python_min }}
    - nvidia-ml-py >=12.0.0
"""
DATE = "2025-09-08T12:00:00+00:00"
# the same recipe without that line (as its 12.0.0 recipe was)
RENDERED = PYNVML.replace('{% set major_version = version.split(".")[0]|int %}\n', "")


def _feedstock(root: Path, text: str) -> tuple[str, str]:
    """A git repository with recipe/meta.yaml: (its git folder, the commit)."""
    (root / "recipe").mkdir(parents=True)
    (root / "recipe" / "meta.yaml").write_text(text)

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com",
                               "-c", "commit.gpgsign=false", *args], check=True, capture_output=True, text=True,
                              env={**os.environ, "GIT_AUTHOR_DATE": DATE, "GIT_COMMITTER_DATE": DATE}).stdout.strip()

    git("init", "-q")
    git("add", "recipe/meta.yaml")
    git("commit", "-q", "-m", "recipe")
    return str(root / ".git"), git("rev-parse", "HEAD")


def _main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = recipe_records.main(list(argv))
    return rc, out.getvalue(), err.getvalue()


def test_a_recipe_whose_jinja_is_not_rendered_is_skipped_with_one_line(tmp_path):
    gitdir, commit = _feedstock(tmp_path / "pynvml-feedstock", PYNVML)
    fill = tmp_path / "graph_fill.jsonl"
    rc, out, err = _main(gitdir, "github.com/conda-forge/pynvml-feedstock", "--out", str(fill))
    assert (rc, out) == (0, "")
    assert err == (f"recipe_records: warning: github.com/conda-forge/pynvml-feedstock/blob/{commit}/recipe/meta.yaml:"
                   " skipped: not YAML once its Jinja is rendered as far as this script renders it (line 3, column 2:"
                   " found character '%' that cannot start any token)\n")
    assert not fill.exists()


def test_a_recipe_it_renders_gives_its_record(tmp_path):
    gitdir, commit = _feedstock(tmp_path / "pynvml-feedstock", RENDERED)
    fill = tmp_path / "graph_fill.jsonl"
    rc, out, err = _main(gitdir, "github.com/conda-forge/pynvml-feedstock", "--out", str(fill))
    assert (rc, out, err) == (0, "", "pynvml 13.0.1 recipe_0: python, nvidia-ml-py >=12.0.0\n")
    (record,) = map(json.loads, fill.read_text().splitlines())
    source = f"github.com/conda-forge/pynvml-feedstock/blob/{commit}/recipe/meta.yaml"
    assert record == {"name": "pynvml", "version": "13.0.1", "build": "recipe_0", "subdir": "noarch",
                      "channel": "conda-forge", "url": source, "size": None,
                      "depends": ["python", "nvidia-ml-py >=12.0.0"], "timestamp": None, "recipe": True,
                      "source": source, "source_date": "2025-09-08"}


@pytest.mark.parametrize(("text", "line"), [
    ("package:\n  name: x\n{% if true %}\nbuild:\n  noarch: python\n{% endif %}\n", 3),
    ("package:\n  name: x\nbuild: [noarch\n", 4),
])
def test_records_says_where_the_rendered_recipe_is_not_yaml(text, line):
    with pytest.raises(recipe_records.Unrendered, match=rf"^not YAML once its Jinja is rendered as far as this script"
                                                          rf" renders it \(line {line}, column \d+: "):
        recipe_records.records(text, "src", "2025-09-08")
