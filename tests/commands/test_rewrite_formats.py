"""``envslim rewrite --format json|github|sarif``: what CI reads (exact output), and the ``schema`` every
JSON output carries."""

from __future__ import annotations

import json

import pytest

from envslim import __version__
from envslim.cli import main

MIXED = "channels:\n  - conda-forge\n  - defaults\ndependencies:\n  - python=3.11\n  - pip\n"
ES007 = "mixes defaults with conda-forge; use nodefaults"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "environment.yml").write_text(MIXED)
    (tmp_path / "environment.yml").write_text("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n")
    (tmp_path / ".envslim.toml").write_text('select = ["ES007"]\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_github_annotations_one_per_finding(project, capsys):
    assert main(["rewrite", "--check", "--format", "github", "--unsafe-fixes", "."]) == 1
    assert capsys.readouterr() == (
        f"::warning file=svc/environment.yml,line=3,col=3,title=ES007::defaults: {ES007} [fix available]\n", "")
    assert main(["rewrite", "--check", "--format", "github", "svc/environment.yml"]) == 0
    assert capsys.readouterr() == (
        f"::warning file=svc/environment.yml,line=3,col=3,title=ES007::defaults: {ES007} [unsafe fix, use"
        " --unsafe-fixes]\n", "")


def test_github_escapes_what_a_workflow_command_would_read(tmp_path, capsys, monkeypatch):
    (tmp_path / ".envslim.toml").write_text('select = ["ES007"]\n')
    odd = tmp_path / "a,b:c%environment.yml"
    odd.write_text(MIXED)
    monkeypatch.chdir(tmp_path)
    assert main(["rewrite", "--check", "--format", "github", odd.name]) == 0
    assert capsys.readouterr().out.startswith("::warning file=a%2Cb%3Ac%25environment.yml,line=3,col=3,title=ES007::")


def test_json_findings_with_their_outcome(project, capsys):
    assert main(["rewrite", "--check", "--format", "json", "--unsafe-fixes", "."]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == {
        "schema": "envslim-rewrite/1", "envslim": __version__, "mode": "check",
        "files": [
            {"path": "environment.yml", "changed": False, "written": False, "findings": []},
            {"path": "svc/environment.yml", "changed": True, "written": False,
             "findings": [{"rule": "ES007", "package": "defaults", "action": "edit-channels", "saving_bytes": None,
                           "source": "", "message": ES007, "applied": True, "outcome": "applied", "reason": "",
                           "status": "fix available", "line": 3, "col": 3}],
             "diff": "--- a/svc/environment.yml\n+++ b/svc/environment.yml\n@@ -1,6 +1,6 @@\n channels:\n"
                     "   - conda-forge\n-  - defaults\n+  - nodefaults\n dependencies:\n   - python=3.11\n   - pip\n"},
        ]}


def test_json_when_writing_and_on_bad_input(project, capsys):
    (project / "bad.yml").write_text("dependencies: [a\n")
    assert main(["rewrite", "--format", "json", "--unsafe-fixes", "svc", "bad.yml"]) == 2
    out, err = capsys.readouterr()
    assert err == "bad.yml:2:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)\n"
    data = json.loads(out)
    assert data["mode"] == "write"
    assert [(f["path"], f.get("written"), f.get("error")) for f in data["files"]] == [
        ("svc/environment.yml", True, None), ("bad.yml", None, err.rstrip("\n"))]
    assert data["files"][0]["findings"][0]["status"] == "fixed"
    assert "nodefaults" in (project / "svc" / "environment.yml").read_text()


def test_a_filter_refuses_a_machine_format(capsys):
    assert main(["rewrite", "--format", "json", "-"]) == 2
    assert capsys.readouterr() == ("", "envslim: error: --format json with '-' needs --check or --diff (a filter's"
                                       " stdout is the new text)\n")


def test_sarif(project, capsys):
    assert main(["rewrite", "--check", "--format", "sarif", "."]) == 0
    sarif = json.loads(capsys.readouterr().out)
    assert (sarif["$schema"], sarif["version"]) == ("https://json.schemastore.org/sarif-2.1.0.json", "2.1.0")
    (run,) = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "envslim" and rules[0]["id"] == "ES001"
    assert run["results"] == [{
        "ruleId": "ES007", "ruleIndex": [r["id"] for r in rules].index("ES007"), "level": "warning",
        "message": {"text": f"defaults: {ES007} [unsafe fix, use --unsafe-fixes]"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "svc/environment.yml"},
                                            "region": {"startLine": 3, "startColumn": 3}}}]}]


def test_every_json_output_carries_its_schema(project, capsys):
    assert main(["report", "--format", "json", "environment.yml"]) == 0
    assert json.loads(capsys.readouterr().out)["schema"] == "envslim-report/1"
    for target in ("pyarrow", "ES001"):
        assert main(["explain", "--json", target]) == 0
        assert next(iter(json.loads(capsys.readouterr().out).items())) == ("schema", "envslim-explain/1")


def test_github_annotates_a_file_it_cannot_read(project, capsys):
    (project / "environment.yml").write_text("dependencies: [a\n")
    assert main(["rewrite", "--check", "--format", "github", "environment.yml"]) == 2
    assert capsys.readouterr() == (
        "::error file=environment.yml,line=2,col=1,title=envslim::invalid YAML: did not find expected ',' or ']'"
        " (while parsing a flow sequence)\n",
        "environment.yml:2:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)\n")


def test_sarif_notifies_a_file_it_cannot_read(project, capsys):
    """A file envslim could not read was left out of the SARIF without a word (stderr and the exit code said it;
    `--format github` writes an ::error): the run's invocation now fails and names it."""
    (project / "environment.yml").write_text("dependencies: [a\n")
    assert main(["rewrite", "--check", "--format", "sarif", "environment.yml"]) == 2
    out, err = capsys.readouterr()
    message = ("environment.yml:2:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)")
    assert err == message + "\n"
    (run,) = json.loads(out)["runs"]
    assert (run["results"], run["invocations"]) == ([], [{"executionSuccessful": False, "toolExecutionNotifications": [
        {"level": "error", "message": {"text": message},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "environment.yml"}}}]}]}])
