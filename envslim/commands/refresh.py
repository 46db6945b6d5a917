"""``envslim knowledge refresh --pypi [NAME...]``: re-measure the PyPI wheel figures of knowledge entries.

For each entry (by default every one with a ``pypi_name``), the wheel pip would pick for the target
(``--python``, ``--platform``) is looked up on the live PyPI JSON API, and its installed size read from the
wheel's zip central directory with HTTP range requests (``envslim.online``; the cache is bypassed). The
figure goes into the entry as a ``[[figures]]`` table with ``side = "pypi"``, ``kind = "wheel"``, id
``pypi-wheel-<version>-<python tag>``, today's date, and a ``[[sources]]`` entry citing the wheel's URL.

The TOML text is edited in place, never re-serialised: a figure with the same id is replaced (its table's
text only), a new one goes after the last ``[[figures]]`` table, a new source at the end of the file; every
other byte, comments included, stays. A figure whose numbers did not change is left alone. The edited entry
is validated (``envslim.knowledge.schema.validate_entry``) before it is written (atomically); an edit that would make
it invalid is an error and nothing is written. A failed lookup is one warning line; that entry keeps its
figures.

``--conda NAME...`` re-measures the conda-forge closure by a solve instead (``envslim.solve.refresh``,
with py-rattler); it writes through the same entry editor (``envslim.knowledge.editor``), reader and writer
as ``--pypi``.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

from envslim.display import printable
from envslim.errors import EnvslimError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def run(options, out, err) -> int:
    from envslim import knowledge
    from envslim.knowledge import names
    from envslim.knowledge.editor import apply_wheel
    from envslim.online.settings import check_target, session_options
    from envslim.online import Session, lookup_wheels, run as run_async

    if getattr(options, "graph", False):  # the graph snapshot rebuilt from live repodata (py-rattler)
        return _run_graph(options, out, err)
    for name in options.names or ():  # (a name picks a file in the knowledge folder: never a path)
        if not names.is_conda_name(name.lower()):
            raise EnvslimError(f"envslim: error: {printable(name)}: not a conda package name")
    if options.conda:  # the closure re-measured by a solve (py-rattler)
        return _run_conda(options, out, err)
    if not options.pypi:
        raise EnvslimError("envslim: error: nothing to refresh: pass --pypi, --conda or --graph")
    check_target(options.python, options.platform)
    directory = Path(options.knowledge_dir) if options.knowledge_dir else knowledge.packages_dir()
    wanted = options.names or sorted(p.stem for p in directory.glob("*.toml"))
    rc = 0
    todo: list[tuple[Path, str, str]] = []  # path, text, PyPI name
    for name in wanted:
        path = directory / f"{name.lower()}.toml"
        text = read_entry(path, name, err)
        if text is None:
            rc = 2
            continue
        data = tomllib.loads(text)
        pypi = data.get("pypi_name") or (names.pypi_name(name) if options.names else None)
        if not pypi:
            if options.names:
                print(f"envslim: warning: {name}: no PyPI counterpart; skipped", file=err)
            continue
        todo.append((path, text, pypi))
    if not todo:
        return rc

    async def look():
        async with Session(**session_options(refresh=True)) as session:
            found = await lookup_wheels([p for _, _, p in todo], python=options.python, platform=options.platform,
                                        session=session)
            return found, session.warnings

    found, warnings = run_async(look())
    for line in warnings:
        print(f"envslim: warning: {line}; figures kept", file=err)
    today = datetime.date.today().isoformat()
    for path, text, pypi in todo:
        wheel = found.get(names.normalize(pypi))
        if wheel is None or wheel.installed_bytes is None:
            continue
        new_text, what, fig_id = apply_wheel(text, wheel, today, options.python, options.platform)
        summary = f"{wheel.wheel_bytes:,} B wheel, {wheel.installed_bytes:,} B installed"
        if not write_entry(path, new_text, what, fig_id, summary, out, err):
            rc = 2
    return rc


def read_entry(path: Path, name: str, err) -> str | None:
    """The entry's text, or None after one line on ``err`` (missing, not UTF-8, not TOML)."""
    try:
        text = path.read_bytes().decode("utf-8")
        tomllib.loads(text)
    except OSError:
        print(f"{path}:1:1: no knowledge entry named {name!r}", file=err)
        return None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        print(f"{path}:1:1: unreadable entry: {e}", file=err)
        return None
    return text


def write_entry(path: Path, new_text: str, what: str, fig_id: str, summary: str, out, err) -> bool:
    """Validate and write a refreshed entry (atomically); False when it would be invalid (not written)."""
    from envslim.document.atomic import write_atomic
    from envslim.knowledge import names
    from envslim.knowledge.schema import validate_entry

    if what == "unchanged":
        print(f"{printable(str(path))}: {fig_id} unchanged", file=out)
        return True
    problems = validate_entry(tomllib.loads(new_text), path.stem, names.pypi_name)
    if problems:
        print(f"{path}:1:1: the refreshed entry would be invalid: {problems[0]}; not written", file=err)
        return False
    try:
        write_atomic(str(path), new_text)
    except OSError as e:
        raise EnvslimError(f"{path}: cannot write: {e.strerror or e}") from None
    print(printable(f"{path}: {what} {fig_id}: {summary}"), file=out)
    return True


def _run_conda(options: Any, out: Any, err: Any, today: str | None = None) -> int:
    from envslim import knowledge
    from envslim.config import Config
    from envslim.errors import EnvslimError
    from envslim.knowledge.editor import apply_closure
    from envslim.commands.solving import settings_for
    from envslim.solve.errors import SolveFailure
    from envslim.solve.refresh import measure_closure

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


def _run_graph(options: Any, out: Any, err: Any, today: str | None = None) -> int:
    """``--graph``: the snapshot rebuilt from the live channels' repodata, written atomically to ``--out`` (by
    default the checkout's knowledge/graph/conda.jsonl; an installed envslim is never written into)."""
    import os

    from envslim._paths import knowledge_root
    from envslim.config import Config
    from envslim.document.atomic import write_atomic
    from envslim.environment import graph
    from envslim.commands.solving import settings_for
    from envslim.solve.errors import SolveFailure
    from envslim.solve.graphrefresh import refresh_graph
    from rattler.exceptions import FetchRepoDataError, GatewayError, InvalidChannelError, IoError

    root = knowledge_root()
    target = options.out
    if target is None:
        if os.path.basename(root) == "_knowledge":
            raise EnvslimError("envslim: error: --graph in an installed envslim: pass --out PATH (the package is "
                               "never written into)")
        target = os.path.join(root, graph.FILE)
    from envslim.document.atomic import check_output

    check_output(target)  # (before any work: a FIFO read for the 'unchanged' test would never end)
    settings = settings_for(options, Config())
    current = graph.snapshot()
    names = sorted({n.lower() for n in options.names}) or current.names()
    channels = list(options.channel or ("conda-forge",))
    platforms = [t.platform for t in settings.targets]
    try:
        data, count = refresh_graph(current, names, channels, platforms, alias=settings.alias,
                                    defaults_url=settings.defaults_url, cache_dir=settings.cache_root(),
                                    today=today)
    except SolveFailure as e:
        print(f"{target}: {e.message}; snapshot kept", file=err)
        return 2
    except (GatewayError, FetchRepoDataError, IoError, InvalidChannelError, OSError) as e:
        print(f"{target}: cannot read the channels: {e}; snapshot kept".replace("\n", " "), file=err)
        return 2
    new = graph.Graph(data=data)
    try:
        with open(target, "rb") as f:
            unchanged = f.read() == data
    except OSError:
        unchanged = False
    if unchanged:
        print(f"{printable(str(target))}: unchanged", file=out)
        return 0
    try:
        write_atomic(target, data.decode("utf-8"))
    except OSError as e:
        raise EnvslimError(f"{target}: cannot write: {e.strerror or e}") from None
    print(f"{printable(str(target))}: {len(new.names())} names from {count} builds on {', '.join(channels)} "
          f"({', '.join(platforms)} and noarch), {len(data):,} bytes", file=out)
    return 0
