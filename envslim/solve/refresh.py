"""``envslim knowledge refresh --conda NAME...``: re-measure a knowledge entry's conda-forge closure by a
solve, exactly, dated and sourced.

For each name: ``python=X.Y NAME`` and ``python=X.Y`` alone are solved on conda-forge for the target
(``--platform``, default linux-64; ``--python``, default 3.11) with the solve engine, and every
artifact's installed bytes read from its ``info/paths.json``. The closure is what the first solve has
and the second does not (the entry's package included): the same "beyond python" closure the
knowledge base records. Its figure, ``[[figures]]`` id ``cf-closure-<version>-<platform>-solved``:
``archive_bytes`` and ``installed_bytes`` (sums over the closure), ``packages``, ``heavy`` (the five
largest by installed bytes), today's date, and a ``[[sources]]`` entry citing the package's artifact
URL. A closure with a ``.tar.bz2`` artifact (whose installed size is an estimate) or an unknown size is
not written: the figure must be exact. The TOML text is edited as ``knowledge refresh --pypi`` edits it
(:mod:`envslim.commands.refresh`): only the figure's table and the source change, the entry is validated first,
and the write is atomic.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["apply_closure", "measure_closure", "run_conda"]


def measure_closure(name: str, python: str, settings: Any) -> dict[str, Any]:
    """The closure of ``name`` beyond python's, solved on conda-forge: figure numbers and the URL."""
    from envslim.solve.engine import EnvSpec, solve_many
    from envslim.solve.errors import SolveFailure

    cf = ("conda-forge",)
    with_it, alone = solve_many([EnvSpec(cf, (f"python={python}", name)), EnvSpec(cf, (f"python={python}",))],
                                settings)
    for result in (with_it, alone):
        if isinstance(result, SolveFailure):
            raise result
    platform = settings.targets[0].platform
    sol, base = with_it[platform], alone[platform]
    top = sol.find(name, "conda")
    base_names = {p.name for p in base.conda()}
    closure = [p for p in sol.conda() if p.name not in base_names or p.name == name]
    return {"version": top.version, "platform": platform, "url": top.url, "filename": top.filename,
            "channel": top.channel, "closure": closure, "glibc": settings.targets[0].glibc}


def apply_closure(text: str, measured: dict[str, Any], today: str, python: str) -> tuple[str, str, str]:
    """``text`` with the solved closure figure added or replaced: (new text, "added" | "replaced" |
    "unchanged", the figure id). Raises ``ValueError`` when a size is not exact."""
    from envslim.commands.refresh import _next_source_id, append_source, figure_text, put_figure

    closure = measured["closure"]
    inexact = [p.filename for p in closure if p.size.value is None or p.size.estimate]
    if inexact:
        raise ValueError(f"no exact installed size for {', '.join(inexact)}")
    data = tomllib.loads(text)
    eol = "\r\n" if "\r\n" in text else "\n"
    fig_id = f"cf-closure-{measured['version']}-{measured['platform']}-solved"
    heavy = [p.name for p in sorted(closure, key=lambda p: (-p.size.value, p.name))[:5]]
    numbers = {"side": "conda-forge", "kind": "closure", "version": measured["version"],
               "platform": measured["platform"], "archive_bytes": sum(p.archive_bytes or 0 for p in closure),
               "installed_bytes": sum(p.size.value for p in closure), "packages": len(closure), "heavy": heavy}
    old = next((f for f in data.get("figures", ()) if f.get("id") == fig_id), None)
    if old is not None and all(old.get(k) == v for k, v in numbers.items()):
        return text, "unchanged", fig_id
    url = measured["url"]
    same_url = next((s for s in data.get("sources", ()) if s.get("url") == url), None)
    source_id = same_url["id"] if same_url else _next_source_id(data)
    fig = {"id": fig_id, **numbers,
           "note": f"closure of {measured['filename']} beyond the python={python} closure, solved on conda-forge"
                   f" (py-rattler, strict priority, __glibc {measured.get('glibc', '2.28')}); installed = sum of size_in_bytes in each"
                   f" artifact's info/paths.json; envslim knowledge refresh --conda",
           "source": source_id, "date": today}
    text = put_figure(text, fig_id, figure_text(fig, eol), replace=old is not None, eol=eol)
    if not same_url:
        text = append_source(text, {"id": source_id, "url": url, "date": today,
                                    "title": f"conda-forge artifact {measured['filename']} and its solved closure"}, eol)
    return text, "replaced" if old is not None else "added", fig_id


def run_conda(options: Any, out: Any, err: Any, today: str | None = None) -> int:
    from envslim import knowledge
    from envslim.commands.refresh import read_entry, write_entry
    from envslim.config import Config
    from envslim.errors import EnvslimError
    from envslim.solve.command import settings_for
    from envslim.solve.errors import SolveFailure

    if not options.names:
        raise EnvslimError("envslim: error: --conda needs the names of the entries to refresh")
    directory = Path(options.knowledge_dir) if options.knowledge_dir else knowledge.packages_dir()
    settings = settings_for(options, Config())  # knowledge figures are for linux-64 unless --platform
    today = today or datetime.date.today().isoformat()
    rc = 0
    for name in options.names:
        path = directory / f"{name.lower()}.toml"
        text = read_entry(path, name, err)
        if text is None:
            rc = 2
            continue
        try:
            measured = measure_closure(name.lower(), options.python, settings)
            new_text, what, fig_id = apply_closure(text, measured, today, options.python)
        except (SolveFailure, ValueError) as e:
            print(f"{path}: {getattr(e, 'message', e)}; figures kept", file=err)
            rc = 2
            continue
        closure = measured["closure"]
        summary = f"{len(closure)} packages, {sum(p.size.value for p in closure):,} B installed"
        if not write_entry(path, new_text, what, fig_id, summary, out, err):
            rc = 2
    return rc

