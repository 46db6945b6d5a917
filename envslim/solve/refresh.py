"""The measuring of ``envslim knowledge refresh --conda NAME...``: a knowledge entry's conda-forge closure
re-measured by a solve, exactly.

For each name: ``python=X.Y NAME`` and ``python=X.Y`` alone are solved on conda-forge for the target
(``--platform``, default linux-64; ``--python``, default 3.11) with the solve engine, and every
artifact's installed bytes read from its ``info/paths.json``. The closure is what the first solve has
and the second does not (the entry's package included): the same "beyond python" closure the
knowledge base records. Its figure, ``[[figures]]`` id ``cf-closure-<version>-<platform>-solved``:
``archive_bytes`` and ``installed_bytes`` (sums over the closure), ``packages``, ``heavy`` (the five
largest by installed bytes), today's date, and a ``[[sources]]`` entry citing the package's artifact
URL. A closure with a ``.tar.bz2`` artifact (whose installed size is an estimate) or an unknown size is
not written: the figure must be exact. The figure is written by ``envslim.knowledge.editor.apply_closure``
(only the figure's table and the source change); the command (``envslim.commands.refresh``) validates the
entry first and writes it atomically.
"""

from __future__ import annotations

from typing import Any

__all__ = ["measure_closure"]


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
