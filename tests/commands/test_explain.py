"""``envslim explain NAME|RULE``: a knowledge entry with its figures and sources, or a rule's documentation."""

from __future__ import annotations

import json
from pathlib import Path

from envslim import knowledge
from envslim.cli import main
from envslim.commands.explain import entry_text

ENTRY = {
    "name": "demo",
    "pypi_name": "demo-py",
    "summary": "a demo package",
    "tags": ["blas-user"],
    "pulled_by": ["big"],
    "advice": {"action": "move-to-pip", "safety": "safe", "reason": "conda pulls a lot", "sources": ["S1"]},
    "figures": [
        {"id": "c", "side": "conda-forge", "kind": "closure", "version": "1.0", "platform": "linux-64",
         "archive_bytes": 30_000_000, "installed_bytes": 120_000_000, "packages": 9, "heavy": ["libbig"],
         "source": "S1", "date": "2026-01-02"},
        {"id": "w", "side": "pypi", "kind": "wheel", "version": "1.0", "platform": "cp311-manylinux_2_28_x86_64",
         "archive_bytes": 10_000_000, "installed_bytes": 40_000_000, "note": "unzipped", "source": "S2",
         "date": "2026-01-03"},
    ],
    "sources": [
        {"id": "S1", "title": "a lock file", "url": "https://example.org/lock", "date": "2026-01-02"},
        {"id": "S2", "title": "the wheel", "url": "https://example.org/w.whl", "date": "2026-01-03"},
    ],
}


def test_entry_text_exact():
    assert entry_text(knowledge.Entry(ENTRY, Path("demo.toml"))) == """\
demo: a demo package
PyPI name: demo-py
Tags: blas-user
Pulled in by (a move is refused while one stays in conda): big

Advice: move-to-pip (fix: safe) [S1]
  conda pulls a lot

Figures:
  conda-forge closure 1.0 linux-64: 120,000,000 B (120.0 MB) installed, 30,000,000 B (30.0 MB) archives, 9 packages [S1, 2026-01-02]
    heavy: libbig
  pypi wheel 1.0 cp311-manylinux_2_28_x86_64: 40,000,000 B (40.0 MB) installed, 10,000,000 B (10.0 MB) wheel [S2, 2026-01-03]
    unzipped

Moving to pip saves on linux-64, Python 3.11: 80.0 MB (estimate: conda-forge closure 120.0 MB installed (1.0 linux-64; S1, 2026-01-02) minus pypi wheel 40.0 MB installed (1.0 cp311-manylinux_2_28_x86_64; S2, 2026-01-03))

Sources:
  [S1] a lock file <https://example.org/lock> (2026-01-02)
  [S2] the wheel <https://example.org/w.whl> (2026-01-03)
"""


def test_explain_pyarrow_shows_its_advice_figures_and_every_source(capsys):
    assert main(["explain", "pyarrow", "--verbose"]) == 0
    out = capsys.readouterr().out
    entry = knowledge.load("pyarrow")
    lines = out.splitlines()
    assert lines[0] == f"pyarrow: {entry.summary}"
    assert f"Advice: move-to-pip (fix: safe) [{', '.join(entry.advice['sources'])}]" in lines
    assert ("Moving to pip saves on linux-64, Python 3.11: 105.0 MB (estimate (range 15.6 MB to 192.1 MB):"
            " conda-forge closure 276.3 MB installed, estimate (25.0.0 linux-64 python 3.11; S2, 2026-08-03) minus"
            " pypi wheel 171.3 MB installed (26.0.1 cp311-cp311-manylinux_2_28_x86_64; S4, 2026-11-27))") in lines
    sources = lines[lines.index("Sources:") + 1:]
    assert sources == [f"  [{s.id}] {s.title} <{s.url}> ({s.date})" for s in entry.sources.values()]
    assert len(sources) == 23


def test_explain_json(capsys):
    assert main(["explain", "pyarrow", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "pyarrow" and data["advice"]["action"] == "move-to-pip"
    assert data["move_to_pip_estimate"]["saving_bytes"] == 276_343_364 - 171_308_396  # linux-64, Python 3.11
    assert {f["source"] for f in data["figures"]} <= {s["id"] for s in data["sources"]}


def test_explain_rule(capsys):
    assert main(["explain", "ES001"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ES001 move-to-pip (fix: safe)\nInstall a package whose conda-forge build is bloated"
                          " from PyPI instead\n\n## What it does\n")
    assert main(["explain", "nomkl"]) == 0  # a package name that is also a rule name: the package wins
    assert capsys.readouterr().out.startswith("nomkl: ")
    assert main(["explain", "es002"]) == 0
    assert capsys.readouterr().out.startswith("ES002 nomkl (fix: safe)\n")


def test_explain_unknown_is_one_line_exit_2(capsys):
    assert main(["explain", "no-such-package"]) == 2
    assert capsys.readouterr().err == "envslim: error: no knowledge entry or rule named 'no-such-package'\n"
