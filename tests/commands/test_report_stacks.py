"""The three service stacks of ../shared/examples/stacks (an API, a geospatial tile service, a CPU inference
service): their offline reports price their packages from the graph snapshot compiled into the wheel, not
"unknown" (issue 22). Exact output, against goldens (``ENVSLIM_REGEN_GOLDEN=1`` rewrites them); skipped
without ../shared (the bundled example's goldens, tests/golden/report/seed.*, hold the snapshot's pricing
then)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from envslim.cli import main

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "report" / "stacks"
STACKS = ("api", "geo", "torch")


def _golden(name: str, text: str) -> str:
    path = GOLDEN / name
    if os.environ.get("ENVSLIM_REGEN_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("stack", STACKS)
def test_stack_report_is_exact(stack, shared_dir, capsys, monkeypatch):
    monkeypatch.chdir(shared_dir / "examples" / "stacks")
    rc = main(["report", f"{stack}.yml"])
    out, err = capsys.readouterr()
    assert (rc, err) == (0, "")
    assert out == _golden(f"{stack}.txt", out)


@pytest.mark.parametrize("stack, unknown", [
    ("api", ["structlog"]),  # a pip line (pip lines are priced from wheel figures)
    ("geo", []),
    ("torch", ["cpuonly"]),                  # known from pytorch/builder's recipe only: no bytes
])
def test_stacks_show_figures_not_unknown(stack, unknown, shared_dir, capsys):
    assert main(["report", "--format", "json", str(shared_dir / "examples" / "stacks" / f"{stack}.yml")]) == 0
    (rep,) = json.loads(capsys.readouterr().out)["files"]
    before = [p for p in rep["packages"] if p["before"] is not None]
    assert [p["name"] for p in before if p["before"]["bytes"] is None] == unknown
    assert len(before) - len(unknown) >= 9  # priced: python, numpy, pandas, pyarrow, gdal, pytorch, ...
    assert rep["snapshot"]["date"] == "2026-08-17"


API_DIFF = """\
--- a/api.yml
+++ b/api.yml
@@ -8,7 +8,6 @@
   - uvicorn
   - pydantic>=2
   - pandas>=2.1
-  - pyarrow>=14  # parquet on S3
   - s3fs
   - boto3
   - scikit-learn=1.4
# ES001 pyarrow: move to pip (saves ~104.8 MB, 15.4 MB to 191.6 MB)
@@ -18,4 +17,5 @@
   - prometheus_client
   - pip
   - pip:
+    - pyarrow>=14  # parquet on S3
     - structlog==24.1.0
"""


def test_api_stack_moves_pyarrow_offline(shared_dir, capsys, monkeypatch):
    # fastapi and uvicorn are in the snapshot (a public pixi.lock has them), and neither they nor anything
    # else the file lists reaches pyarrow: the move is made offline, with its inline comment
    monkeypatch.chdir(shared_dir / "examples" / "stacks")
    assert main(["rewrite", "--diff", "api.yml"]) == 1
    out, err = capsys.readouterr()
    assert out == API_DIFF
    assert err == "api.yml:4:3: ES007 defaults: conda-forge without nodefaults: a .condarc can add defaults back" \
                  " [unsafe fix, use --unsafe-fixes]\n"
    assert (shared_dir / "examples" / "stacks" / "api.yml").read_bytes().count(b"pyarrow>=14") == 1
