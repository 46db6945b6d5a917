"""``envslim report PREFIX``: an installed environment measured (``envslim.environment.installed``), its
bytes attributed to what was requested as ``report --solve`` attributes a solve ("pyarrow: 3 packages,
0.4 MB that nothing else needs"); as a table, markdown, JSON or the footprint picture."""

from __future__ import annotations

import json

from envslim.display import mb, printable, redact
from envslim.errors import EnvslimError


def solution_of(inst):
    """The installed packages as a ``envslim.solve.model.Solution`` (exact sizes), for its attribution."""
    from envslim.solve.model import Size, Solution, SolvedPackage

    packages = [SolvedPackage(p.manager, p.name, p.version, p.build, Size(p.installed_bytes, how=p.how),
                              depends=p.depends) for p in inst.packages]
    return Solution(platform=inst.platform, packages=packages, requested=list(inst.requested), notes=list(inst.notes))


def refuse_options(options) -> None:
    for flag, given in (("--solve", options.solve), ("--online", options.online), ("--offline", options.offline),
                        ("--lockfile", options.lockfile), ("--environment", options.environment)):
        if given:
            raise EnvslimError(f"envslim: error: report PREFIX measures what is installed; {flag} reads environment files")


def render(path: str, fmt: str) -> str:
    from envslim.environment.installed import read_prefix
    from envslim.solve.model import brought_by

    inst = read_prefix(path)
    sol = solution_of(inst)
    brought = brought_by(sol)
    if fmt == "json":
        return _json(path, inst, sol, brought)
    if fmt in ("svg", "html"):
        from envslim.output import picture
        from envslim.output.picture_sources import from_installed

        return getattr(picture, f"to_{fmt}")(from_installed(path, sol))
    return _markdown(path, inst, sol, brought) if fmt == "markdown" else _table(path, inst, sol, brought)


def _json(path, inst, sol, brought) -> str:
    from envslim.output.schema import SCHEMAS

    packages = [{**p.to_json(), "source": p.size.how, "attribution": list(brought.get((p.manager, p.name), ()))}
                for p in sol.packages]
    installed = {"platform": inst.platform, "packages": packages, "installed_bytes": sol.size.value,
                 "attribution": [a.to_json() for a in sol.attribution()], "notes": list(inst.notes)}
    data = {"schema": SCHEMAS["report"], "files": [{"path": path, "installed": installed}]}
    return redact(json.dumps(data, indent=2)) + "\n"


def _head(path, inst, sol) -> list[str]:
    conda = sum(1 for p in sol.packages if p.manager == "conda")
    pip = len(sol.packages) - conda
    return [f"{path} (installed, {inst.platform or 'platform unknown'}): {conda} conda and {pip} pip packages,"
            f" {mb(sol.size.value)} measured (conda-meta paths_data, dist-info RECORD)"]


def _attribution(sol) -> list[str]:
    lines = [a.line(mb) for a in sol.attribution()]
    return lines or ["no requested specs recorded (no requested_spec, history or REQUESTED)"]


def _table(path, inst, sol, brought) -> str:
    rows = [("package", "manager", "version", "installed", "brought by")]
    for p in sorted(sol.packages, key=lambda p: (-(p.size.value or 0), p.manager, p.name)):
        rows.append((p.name, p.manager, f"{p.version} {p.build}".strip(), mb(p.size.value),
                     ", ".join(brought.get((p.manager, p.name), ())) or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = _head(path, inst, sol) + ["attribution (what each requested spec alone brings):"]
    lines += ["  " + line for line in _attribution(sol)]
    lines += ["  " + "  ".join(r[i].ljust(widths[i]) if i != 3 else r[i].rjust(widths[i]) for i in range(4))
              .rstrip() + "  " + r[4] for r in rows]
    lines += [f"note: {n}" for n in inst.notes]
    return printable(redact("\n".join(line.rstrip() for line in lines))) + "\n"


def _markdown(path, inst, sol, brought) -> str:
    from envslim.display import md_code

    out = [f"### envslim: {md_code(redact(path))} (installed)", "", _head(path, inst, sol)[0].split(": ", 1)[1], "",
           *[f"- {line}" for line in _attribution(sol)], "", "| package | manager | version | installed |",
           "|---|---|---|---:|"]
    for p in sorted(sol.packages, key=lambda p: (-(p.size.value or 0), p.manager, p.name)):
        out.append(f"| {md_code(p.name)} | {p.manager} | {p.version} {p.build} | {mb(p.size.value)} |")
    out += [f"\n{n}" for n in inst.notes]
    return printable(redact("\n".join(out))) + "\n"
