"""``envslim rewrite``'s output for CI: JSON (each finding with its outcome, as ``report`` gives them),
GitHub Actions annotations (ruff's ``--output-format github`` shape) and SARIF 2.1.0 (code scanning)."""

from __future__ import annotations

import json

from envslim.display import printable, redact
from envslim.output.rewrite import diff, finding_dict, headline, saving, short_status, status
from envslim.output.schema import SCHEMAS
from envslim.plan import Outcome, State


class FileResult:
    """One file's results: its plan (None when it could not be read), what was done, the error if any."""

    def __init__(self, path: str, plan=None, *, written: bool = False, error: str = ""):
        self.path, self.plan, self.written, self.error = path, plan, written, error


def to_json(results: list[FileResult], *, mode: str) -> str:
    """``mode``: "check", "diff" or "write". A changed file carries its unified ``diff`` in every mode."""
    from envslim import __version__

    files = []
    for r in results:
        if r.plan is None:
            files.append({"path": r.path, "error": redact(r.error)})
            continue
        d = {"path": r.path, "changed": r.plan.changed, "written": r.written,
             "findings": [{**finding_dict(o, status(o, dry=mode != "write")), "col": o.col} for o in r.plan.shown]}
        if r.plan.changed:
            d["diff"] = diff(r.plan.old_text, r.plan.new_text, r.path)
        files.append(d)
    payload = {"schema": SCHEMAS["rewrite"], "envslim": __version__, "mode": mode, "files": files}
    return redact(json.dumps(payload, indent=2)) + "\n"


def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping (actions/toolkit, command.ts): data and property values
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(path: str, o: Outcome, *, dry: bool) -> str:
    """``::warning file=PATH,line=N,col=M,title=ES001::message`` for one finding."""
    f = o.finding
    message = printable(redact(f"{f.package}: {headline(f.message)}{saving(o, False)} [{short_status(o, dry)}]"))
    return (f"::warning file={_escape_property(printable(redact(path)))},line={o.line},col={o.col},"
            f"title={_escape_property(f.rule)}::{_escape_data(message)}")


def github_error(path: str, line: int, col: int, message: str) -> str:
    """``::error file=PATH,line=N,col=M,title=envslim::message`` for a file envslim could not read."""
    return (f"::error file={_escape_property(printable(redact(path)))},line={line},col={col},title=envslim::"
            f"{_escape_data(printable(redact(message)))}")


def to_sarif(results: list[FileResult], rules, *, dry: bool) -> str:
    """One SARIF 2.1.0 run: ``rules`` is the registry's rules (id, name, summary); each shown finding a result
    (level ``warning`` for a fix due or unsafe, ``note`` for a report or a refused fix)."""
    from envslim import __version__

    from urllib.parse import quote

    index = {r.id: i for i, r in enumerate(rules)}
    out, notes = [], []
    for r in results:
        # a URI reference (SARIF 3.10.2): a space, '#', '?' or '%' in a file name is percent-encoded, or a
        # reader takes `a b#c%20.yml` for the file `a b` (with a fragment) or decodes `%20` to a space
        uri = quote(redact(r.path).replace("\\", "/"), safe="/")
        if r.plan is None:  # a file envslim could not read or write: the run's notification, as stderr says it
            if r.error:
                notes.append({"level": "error", "message": {"text": printable(redact(r.error))},
                              "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]})
            continue
        for o in r.plan.shown:
            f = o.finding
            level = "warning" if o.state in (State.APPLIED, State.UNSAFE) else "note"
            out.append({
                "ruleId": f.rule, **({"ruleIndex": index[f.rule]} if f.rule in index else {}), "level": level,
                "message": {"text": redact(f"{f.package}: {f.message} [{status(o, dry=dry)}]")},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": o.line, "startColumn": o.col}}}],
            })
    run = {
        "tool": {"driver": {
            "name": "envslim", "version": __version__, "informationUri": "https://github.com/envslim/envslim",
            "rules": [{"id": r.id, "name": r.name, "shortDescription": {"text": r.summary},
                       "help": {"text": f"envslim explain {r.id}"}} for r in rules],
        }},
        "results": out,
    }
    if notes:  # (SARIF 3.20: the invocation failed, and why, file by file)
        run["invocations"] = [{"executionSuccessful": False, "toolExecutionNotifications": notes}]
    sarif = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return redact(json.dumps(sarif, indent=2)) + "\n"
