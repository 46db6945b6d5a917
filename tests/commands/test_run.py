"""Each command runs from its options record and two streams, without argv or sys.stdout."""

from __future__ import annotations

import io

from envslim.cli import COMMANDS, _parser, options_from
from envslim.commands import options as opts
from envslim.commands import explain, prune, rewrite

TEXT = "channels:\n  - conda-forge\n  - defaults\ndependencies:\n  - python=3.11\n"


def test_rewrite_check_writes_to_the_streams_it_is_given(tmp_path):
    (tmp_path / ".envslim.toml").write_text("")
    path = tmp_path / "env.yml"
    path.write_text(TEXT)
    out, err = io.StringIO(), io.StringIO()
    assert rewrite.run(opts.RewriteOptions(paths=(str(path),), check=True), out, err) == 0
    assert (out.getvalue(), err.getvalue()) == (
        f"{path}:3:3: ES007 defaults: mixes defaults with conda-forge; use nodefaults"
        " [unsafe fix, use --unsafe-fixes]\n", "")
    out = io.StringIO()
    assert rewrite.run(opts.RewriteOptions(paths=(str(path),), check=True, unsafe_fixes=True), out, err) == 1
    assert out.getvalue().endswith(f"[fix available]\nwould rewrite {path}\n")
    assert path.read_text() == TEXT


def test_explain_and_prune_from_their_records(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert explain.run(opts.ExplainOptions(target="ES007"), out, err) == 0
    assert out.getvalue().startswith("ES007 defaults-channel")
    (tmp_path / "conda-meta").mkdir()
    out = io.StringIO()
    assert prune.run(opts.PruneOptions(prefix=str(tmp_path), dry_run=True), out, err) == 0
    assert out.getvalue().endswith("dry run: would remove 0 bytes, leaving 0; nothing was changed\n")


def test_cli_builds_each_commands_record_from_argv():
    argvs = {
        "rewrite": ["rewrite", "--check", "--select", "es001, ES007", "a.yml", "b.yml"],
        "report": ["report", "--format", "json", "--python", "3.12", "a.yml"],
        "explain": ["explain", "pyarrow", "--json"],
        "knowledge": ["knowledge", "refresh", "--pypi", "numpy"],
        "dockerfile": ["dockerfile", "env.yml", "--keep", "a/*", "--keep", "b"],
        "prune": ["prune", "/opt/env", "--dry-run"],
    }
    assert set(argvs) == set(COMMANDS)
    got = {name: options_from(_parser(argv).parse_args(argv)) for name, argv in argvs.items()}
    assert got["rewrite"] == opts.RewriteOptions(paths=("a.yml", "b.yml"), check=True,
                                                 select=frozenset({"ES001", "ES007"}))
    assert got["report"] == opts.ReportOptions(paths=("a.yml",), format="json", python="3.12")
    assert got["explain"] == opts.ExplainOptions(target="pyarrow", json=True)
    assert got["knowledge"] == opts.RefreshOptions(names=("numpy",), pypi=True)
    assert got["dockerfile"] == opts.DockerfileOptions(envfile="env.yml", keep=("a/*", "b"))
    assert got["prune"] == opts.PruneOptions(prefix="/opt/env", dry_run=True)
