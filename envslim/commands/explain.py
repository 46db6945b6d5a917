"""``envslim explain NAME|RULE``: what the knowledge base knows about a package, or a rule's documentation."""

from __future__ import annotations

import json
import textwrap

from envslim import knowledge
from envslim.display import mb
from envslim.knowledge import footprint
from envslim.errors import EnvslimError
from envslim.rules import Rule, by_ref


def rule_dict(rule: Rule) -> dict:
    return {"id": rule.id, "name": rule.name, "summary": rule.summary, "fix_safety": rule.safety,
            "doc": textwrap.dedent(rule.doc).strip()}


def rule_text(rule: Rule) -> str:
    return f"{rule.id} {rule.name} (fix: {rule.safety})\n{rule.summary}\n\n{textwrap.dedent(rule.doc).strip()}\n"


def figure_dict(f: knowledge.Figure) -> dict:
    d = {"id": f.id, "side": f.side, "kind": f.kind, "version": f.version, "platform": f.platform,
         "archive_bytes": f.archive_bytes, "installed_bytes": f.installed_bytes, "packages": f.packages,
         "heavy": list(f.heavy), "note": f.note, "source": f.source.id, "date": f.date, "python": f.python,
         "estimate": f.estimate or None, "installed_low": f.installed_low, "installed_high": f.installed_high}
    return {k: v for k, v in d.items() if v not in (None, "", [])}


def moved_alone(entry: knowledge.Entry) -> dict | None:
    """What ``rewrite`` says moving ``entry`` to pip saves in a file of the default target's python, ``entry`` and
    pip alone on conda-forge (ES001 on that file: its environment walked through the graph snapshot), so that
    explain prints the figure a user sees on such a file; None where ES001 does not judge it there (the name is
    not in the snapshot: then the knowledge base's estimate, :func:`footprint.move_to_pip`)."""
    from envslim.document.envfile import EnvFile
    from envslim.plan import Options, make_plan

    t = footprint.Target()
    lines = [f"python={t.python}", entry.name, "pip"]
    text = "channels:\n  - conda-forge\ndependencies:\n" + "".join(f"  - {x}\n" for x in lines)
    plan = make_plan(EnvFile.from_bytes(text.encode("utf-8"), "environment.yml"), Options(select=frozenset({"ES001"})))
    for o in plan.outcomes:
        f = o.finding
        if f.package == entry.name and (f.saving_bytes is not None or f.effect is not None):
            return {"saving_bytes": f.saving_bytes, "saving_range": list(f.saving_range) if f.saving_range else None,
                    "how": f.source, "file": lines}
    return None


def _moving_text(entry: knowledge.Entry, verbose: bool) -> str:
    """The line that says what moving ``entry`` to pip saves (:func:`moved_alone`, else the knowledge base's)."""
    t = footprint.Target()
    alone = moved_alone(entry)
    if alone is not None:
        where = f"Moving to pip saves on {t.platform}, Python {t.python}, in a file of python, {entry.name} and pip alone"
        saving, rng = alone["saving_bytes"], alone["saving_range"]
        spread = f", estimate {mb(rng[0])} to {mb(rng[1])}" if rng else ""
        figure = f"~{mb(saving)}{spread}" if saving is not None else "unknown"
        return f"{where}: {figure}" + (f" ({alone['how']})" if verbose and alone["how"] else "")
    est = footprint.move_to_pip(entry)
    if verbose:
        saving = mb(est.saving_bytes) if est.saving_bytes else "unknown"
        return f"Moving to pip saves on {t.platform}, Python {t.python}: {saving} ({est.how})"
    if est.saving_bytes:
        rng = est.range
        spread = f", estimate {mb(rng[0])} to {mb(rng[1])}" if rng else ""
        return f"Moving to pip saves on {t.platform}, Python {t.python}: ~{mb(est.saving_bytes)}{spread}"
    return f"Moving to pip saves on {t.platform}, Python {t.python}: unknown"


def entry_dict(entry: knowledge.Entry) -> dict:
    est = None
    if entry.action == "move-to-pip":
        est = moved_alone(entry)
    if est is None:
        known = footprint.move_to_pip(entry)
        est = {"saving_bytes": known.saving_bytes, "saving_range": list(known.range) if known.range else None,
               "how": known.how}
    return {
        "name": entry.name,
        "pypi_name": entry.pypi_name,
        "summary": entry.summary,
        "tags": sorted(entry.tags),
        "pulled_by": list(entry.pulled_by),
        "links_native": list(entry.links_native),
        "advice": entry.advice,
        "slim_variants": entry.slim_variants,
        "numpy_abi": entry.numpy_abi,
        "figures": [figure_dict(f) for f in entry.figures],
        "move_to_pip_estimate": est,
        "sources": [{"id": s.id, "title": s.title, "url": s.url, "date": s.date} for s in entry.sources.values()],
    }


def _bytes(n: int | None) -> str:
    return "?" if n is None else f"{n:,} B ({mb(n)})"


def entry_text(entry: knowledge.Entry, verbose: bool = True) -> str:
    """What the knowledge base knows about ``entry``; short (``verbose=False``, the default of ``explain
    NAME``): the advice in one line, the saving with its range, how many figures and sources stand behind
    it; verbose: the reasoning, every figure with its note and every source."""
    if not verbose:
        return _entry_short(entry)
    out = [f"{entry.name}: {entry.summary}"]
    out.append(f"PyPI name: {entry.pypi_name or '(none)'}")
    if entry.tags:
        out.append(f"Tags: {', '.join(sorted(entry.tags))}")
    if entry.pulled_by:
        out.append(f"Pulled in by (a move is refused while one stays in conda): {', '.join(entry.pulled_by)}")
    if entry.links_native:
        out.append(f"Links its native library: {', '.join(entry.links_native)}")
    if entry.advice:
        a = entry.advice
        out.append("")
        out.append(f"Advice: {a.get('action', 'none')} (fix: {a.get('safety', 'safe')}) [{', '.join(a.get('sources', []))}]")
        out.append(f"  {a.get('reason', '')}")
        if a.get("details"):
            out += ["  " + line for line in textwrap.wrap(a["details"], 96)]
    for v in entry.slim_variants:
        out.append(f"Slimmer variant ({v.get('side')}): {v.get('replacement')}: {v.get('reason', '')} [{', '.join(v.get('sources', []))}]")
    if entry.numpy_abi:
        n = entry.numpy_abi
        out.append(f"numpy ABI: releases below {n.get('numpy1_only_below')} were built against numpy 1.x [{', '.join(n.get('sources', []))}]")
    if entry.figures:
        out += ["", "Figures:"]
        for f in entry.figures:
            where = " ".join(x for x in (f.version, f.platform) if x)
            parts = []
            if f.installed_bytes is not None:
                parts.append(f"{_bytes(f.installed_bytes)} installed")
            if f.archive_bytes is not None:
                parts.append(f"{_bytes(f.archive_bytes)} {'wheel' if f.kind == 'wheel' else 'archives'}")
            if f.packages:
                parts.append(f"{f.packages} packages")
            out.append(f"  {f.side} {f.kind} {where}: {', '.join(parts)} [{f.source.id}, {f.date}]")
            if f.heavy:
                out.append(f"    heavy: {', '.join(f.heavy)}")
            if f.note:
                out += ["    " + line for line in textwrap.wrap(f.note, 94)]
    if entry.action == "move-to-pip":
        out += ["", _moving_text(entry, True)]
    if entry.sources:
        out += ["", "Sources:"]
        for s in entry.sources.values():
            out.append(f"  [{s.id}] {s.cite()}")
    return "\n".join(out) + "\n"


def _entry_short(entry: knowledge.Entry) -> str:
    out = [f"{entry.name}: {entry.summary}"]
    if entry.pypi_name and entry.pypi_name != entry.name:
        out.append(f"PyPI name: {entry.pypi_name}")
    if entry.advice:
        a = entry.advice
        out.append(f"Advice: {a.get('action', 'none')} (fix: {a.get('safety', 'safe')}): {a.get('reason', '')}")
    if entry.pulled_by:
        out.append(f"Not moved while one of these stays in conda: {', '.join(entry.pulled_by)}")
    if entry.links_native:
        out.append(f"Links its native library: {', '.join(entry.links_native)}")
    for v in entry.slim_variants:
        out.append(f"Slimmer variant ({v.get('side')}): {v.get('replacement')}")
    if entry.numpy_abi:
        out.append(f"numpy ABI: releases below {entry.numpy_abi.get('numpy1_only_below')} were built against numpy 1.x")
    if entry.action == "move-to-pip":
        out.append(_moving_text(entry, False))
    out.append(f"{len(entry.figures)} figures from {len(entry.sources)} sources: envslim explain {entry.name} --verbose")
    return "\n".join(out) + "\n"


def pypi_wheel(name: str, version: str, python: str, platform: str, err) -> dict | None:
    """The wheel pip would pick for conda package ``name`` (at ``version`` if given) on PyPI; ``None`` with
    one warning line on ``err`` when there is none or the lookup fails."""
    from envslim.knowledge import names
    from envslim.online.settings import check_target, session_options
    from envslim.online import Session, lookup_wheels, run as run_async

    check_target(python, platform)
    entry = knowledge.load(name.lower())
    pypi = (entry.pypi_name if entry else None) or names.pypi_name(name)
    if not pypi:
        why = names.deny_reason(name) or "no PyPI project name"
        print(f"envslim: warning: {name}: no PyPI counterpart ({why})", file=err)
        return None
    requirement = f"{pypi}=={version}" if version else pypi

    async def look():
        async with Session(**session_options()) as session:
            found = await lookup_wheels([requirement], python=python, platform=platform, session=session)
            return next(iter(found.values()), None), session.warnings

    info, warnings = run_async(look())
    for line in warnings:
        print(f"envslim: warning: {line}", file=err)
    if info is None:
        return None
    return {"name": info.name, "version": info.version, "wheel": info.filename, "wheel_bytes": info.wheel_bytes,
            "installed_bytes": info.installed_bytes, "url": info.url, "python": python, "platform": platform}


def pypi_text(pypi: dict | None) -> str:
    if pypi is None:
        return "PyPI: no wheel found (see the warning)\n"
    return (f"PyPI wheel pip would pick (Python {pypi['python']}, {pypi['platform']}): {pypi['wheel']}\n"
            f"  {_bytes(pypi['wheel_bytes'])} wheel, {_bytes(pypi['installed_bytes'])} installed <{pypi['url']}>\n")


def run(options, out, err) -> int:
    """What envslim knows of a rule or package. Everything it writes goes through the redactor and the
    terminal escapes: the target is echoed, and it may be a URL with credentials."""
    return _run(options, _Clean(out, whole=options.json), _Clean(err))


class _Clean:
    """A text stream whose writes are redacted and made printable (each write is a whole text or line);
    ``whole``: JSON, whose long lines are data, not echoes to cut."""

    def __init__(self, stream, whole: bool = False) -> None:
        self.stream = stream
        self.whole = whole

    def write(self, text: str) -> int:
        from envslim.display import ECHO_LIMIT, printable, redact

        return self.stream.write(printable(redact(text), None if self.whole else ECHO_LIMIT))

    def flush(self) -> None:
        self.stream.flush()


def _json(d: dict) -> str:
    from envslim.output.schema import SCHEMAS

    return json.dumps({"schema": SCHEMAS["explain"], **d}, indent=2) + "\n"


def _run(options, out, err) -> int:
    target = options.target
    name, pinned, version = target.partition("==")
    online = options.online
    rule = by_ref(target) if not pinned and (target[:2].upper() == "ES" or "-" in target) else None
    entry = None if rule else knowledge.load(name.strip().lower())
    if rule is None and entry is None and not pinned:
        rule = by_ref(target)
    if rule is not None:
        out.write(_json(rule_dict(rule)) if options.json else rule_text(rule))
        return 0
    if entry is None and not online:
        raise EnvslimError(f"envslim: error: no knowledge entry or rule named {target!r}")
    if not online:
        out.write(_json(entry_dict(entry)) if options.json else entry_text(entry, options.verbose))
        return 0
    python, platform = options.python or "3.11", options.platform or "linux-64"
    pypi = pypi_wheel(name.strip(), version.strip(), python, platform, err)
    if options.json:
        from envslim.knowledge import names

        d = entry_dict(entry) if entry else {"name": name.strip().lower(), "pypi_name": names.pypi_name(name.strip())}
        d["pypi"] = pypi
        out.write(_json(d))
    else:
        head = entry_text(entry, options.verbose) + "\n" if entry else f"{name.strip()}: no knowledge entry\n"
        out.write(head + pypi_text(pypi))
    return 0
