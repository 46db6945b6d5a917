"""The shipped graph snapshot's gap-filling records (issue 22): names no priced lock file has are known from a
conda-lock file or a conda-forge feedstock recipe (tools/data/graph_fill.jsonl), so the whole-environment
judgement can see what they reach, while their own bytes stay unknown in the report, never zero."""

from __future__ import annotations

import json

from envslim.cli import main

FILE = "name: nlp\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - nltk\n  - olefile\n  - fastapi\n" \
       "  - pyarrow\n"

DIFF = """\
--- a/environment.yml
+++ b/environment.yml
@@ -6,4 +6,6 @@
   - nltk
   - olefile
   - fastapi
-  - pyarrow
+  - pip
+  - pip:
+    - pyarrow
# ES001 pyarrow: move to pip (saves ~124.4 MB, 18.8 MB to 227.1 MB)
"""


def test_recipe_only_names_do_not_block_a_move(tmp_path, capsys, monkeypatch):
    # nltk and olefile are known only from their feedstock recipes' run requirements: neither reaches
    # pyarrow, so the move is made (before, "nltk is not in the snapshot" refused it)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "environment.yml").write_text(FILE, encoding="utf-8")
    assert main(["rewrite", "--diff", "environment.yml"]) == 1
    out, _err = capsys.readouterr()
    assert out == DIFF
    assert (tmp_path / "environment.yml").read_text(encoding="utf-8") == FILE


def test_recipe_only_names_are_priced_unknown_not_zero(tmp_path, capsys):
    path = tmp_path / "environment.yml"
    path.write_text(FILE, encoding="utf-8")
    assert main(["report", "--format", "json", str(path)]) == 0
    (rep,) = json.loads(capsys.readouterr().out)["files"]
    before = {p["name"]: p["before"] for p in rep["packages"] if p["before"] is not None}
    assert before["nltk"] == {"manager": "conda", "name": "nltk", "spec": "nltk", "bytes": None}
    assert before["olefile"] == {"manager": "conda", "name": "olefile", "spec": "olefile", "bytes": None}
    # fastapi comes from a pixi.lock with archive sizes: priced (an estimate from them), with its source
    assert before["fastapi"]["bytes"] > 0 and before["fastapi"]["estimate"] is True
    assert "github.com/bhklab/science-portal-mailing pixi.lock" in before["fastapi"]["source"]
    assert before["pyarrow"]["bytes"] > 0


def test_the_pytorch_channels_cpuonly_is_known_from_its_recipe(tmp_path):
    from envslim.document import open_document
    from envslim.environment.model import Environment

    path = tmp_path / "environment.yml"
    path.write_text("channels:\n  - pytorch\n  - conda-forge\ndependencies:\n  - python=3.10\n  - cpuonly\n",
                    encoding="utf-8")
    env = Environment.from_document(open_document(str(path)))
    b = env.packages["cpuonly"]
    assert (b.version, b.build, b.channel, b.subdir, b.depends) == ("2.0", "recipe_0", "pytorch", "noarch",
                                                                   ("pytorch-mutex 1.0 cpu",))
    assert (b.archive_bytes, b.installed_bytes, env.figure("cpuonly")) == (None, None, None)
    assert b.source.startswith("github.com/pytorch/builder conda/cpuonly/meta.yaml @37ac645 (2024-11-19)")
    assert env.unknown == set() and env.closure(["cpuonly"]) == {"cpuonly", "pytorch-mutex"}
