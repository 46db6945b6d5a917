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
    assert ("Moving to pip saves on linux-64, Python 3.11, in a file of python, pyarrow and pip alone: ~129.3 MB,"
            " estimate 26.2 MB to 229.3 MB (environment estimate (range 26.2 MB to 229.3 MB) for linux-64, Python 3.11,"
            " from the graph snapshot of 2026-08-17: 65 package(s) leave (aws-c-auth, aws-c-cal, aws-c-common,"
            " aws-c-compression ...), each counted once; arriving: the pyarrow 26.0.1 wheel (171.3 MB;"
            " knowledge/packages/pyarrow.toml pypi-wheel-26.0.1-cp311 [S4] PyPI wheel"
            " pyarrow-26.0.1-cp311-cp311-manylinux_2_28_x86_64.whl, 2026-11-27))") in lines
    sources = lines[lines.index("Sources:") + 1:]
    assert sources == [f"  [{s.id}] {s.title} <{s.url}> ({s.date})" for s in entry.sources.values()]
    assert len(sources) == 23


def test_explain_json(capsys):
    assert main(["explain", "pyarrow", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "pyarrow" and data["advice"]["action"] == "move-to-pip"
    est = data["move_to_pip_estimate"]  # (linux-64, Python 3.11: the file of python, pyarrow and pip alone)
    assert (est["saving_bytes"], est["saving_range"], est["file"]) == (
        129_314_466, [26_196_251, 229_320_016], ["python=3.11", "pyarrow", "pip"])
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


def test_explain_prints_the_saving_rewrite_prints_for_the_package_alone(tmp_path, capsys):
    """explain said ~105.0 MB for pyarrow (the knowledge base's closure, which counts libstdcxx with python) and
    'unknown' for pyarrow-core, while rewrite said ~129.3 MB and ~110.6 MB on a file of python 3.11, the package and
    pip: one figure, one value. explain now prints what ES001 says on that file."""
    for name in ("pyarrow", "pyarrow-core", "pyarrow-all"):
        path = tmp_path / f"{name}.yml"
        path.write_text(f"channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - {name}\n  - pip\n")
        main(["rewrite", "--check", "--select", "ES001", str(path)])
        finding = capsys.readouterr().out.splitlines()[0].split(f" ES001 {name}: move to pip (")[1]
        assert main(["explain", name]) == 0
        (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith("Moving to pip")]
        assert (finding, line) == {
            "pyarrow": ("saves ~129.3 MB, 26.2 MB to 229.3 MB) [fix available]", "Moving to pip saves on linux-64, Python"
                        " 3.11, in a file of python, pyarrow and pip alone: ~129.3 MB, estimate 26.2 MB to 229.3 MB"),
            "pyarrow-core": ("saves ~110.6 MB, 12.6 MB to 205.6 MB) [fix available]", "Moving to pip saves on linux-64,"
                             " Python 3.11, in a file of python, pyarrow-core and pip alone: ~110.6 MB, estimate 12.6 MB"
                             " to 205.6 MB"),
            "pyarrow-all": ("saving unknown: the environment has no figure for pyarrow-all) [unsafe fix, use"
                            " --unsafe-fixes]", "Moving to pip saves on linux-64, Python 3.11, in a file of python,"
                            " pyarrow-all and pip alone: unknown"),
        }[name]
