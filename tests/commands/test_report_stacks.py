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
    ("api", ["fastapi", "scikit-learn", "structlog"]),  # no conda-forge fastapi or scikit-learn 1.4 py311 build
    ("geo", ["fastapi"]),                                 # in the snapshot; structlog is a pip line
    ("torch", ["cpuonly", "fastapi"]),
])
def test_stacks_show_figures_not_unknown(stack, unknown, shared_dir, capsys):
    assert main(["report", "--format", "json", str(shared_dir / "examples" / "stacks" / f"{stack}.yml")]) == 0
    (rep,) = json.loads(capsys.readouterr().out)["files"]
    before = [p for p in rep["packages"] if p["before"] is not None]
    assert [p["name"] for p in before if p["before"]["bytes"] is None] == unknown
    assert len(before) - len(unknown) >= 9  # priced: python, numpy, pandas, pyarrow, gdal, pytorch, ...
    assert rep["snapshot"]["date"] == "2026-08-17"
