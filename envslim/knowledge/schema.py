"""Validation of knowledge entries (schema v1, documented in knowledge/README.md).

``validate_entry(data, stem)`` takes the parsed TOML of ``knowledge/packages/<stem>.toml`` and returns
a list of problems, each ``"<field>: <what is wrong>"`` (empty when the entry is valid). It is stdlib
only and reads no files, so the loader, ``envslim explain`` and the tests can all use it.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable

SCHEMA_VERSION = 1

KNOWN_TAGS = {
    "blas-user": "links BLAS/LAPACK: which BLAS (MKL or OpenBLAS) it pulls matters, nomkl applies",
    "numpy-abi": "compiled against numpy's C ABI: builds made against numpy 1.x break under numpy 2",
    "pulls-mkl": "its default conda-forge builds depend on mkl (nomkl selects builds without it)",
}
ADVICE_ACTIONS = ("move-to-pip", "slim-variant", "none")
SAFETY = ("safe", "unsafe")
FIGURE_SIDES = ("conda-forge", "defaults", "pypi")
FIGURE_KINDS = ("closure", "package", "wheel")
VARIANT_SIDES = ("conda", "pip")

TOP_KEYS = {
    "name", "pypi_name", "summary", "tags", "pulled_by", "pulled_by_below", "links_native",
    "advice", "slim_variants", "numpy_abi", "figures", "sources",
}
ADVICE_KEYS = {"action", "safety", "reason", "reason_for", "details", "sources"}
VARIANT_KEYS = {"side", "replacement", "reason", "reason_for", "summary", "safety", "sources"}
NUMPY_ABI_KEYS = {"numpy1_only_below", "sources"}
FIGURE_KEYS = {
    "id", "side", "kind", "version", "platform", "archive_bytes", "installed_bytes", "packages",
    "heavy", "note", "source", "date", "pypi_name", "python", "estimate", "installed_low", "installed_high",
}
MEMBER_KEYS = {"name", "version", "archive_bytes", "installed_bytes", "installed_low", "installed_high"}
SOURCE_KEYS = {"id", "title", "url", "date"}

# conda package names: lower case, digits, and . _ - (conda-forge also has a few with +)
_CONDA_NAME = re.compile(r"[a-z0-9_][a-z0-9._+-]*")
_PYPI_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
_RELEASE = re.compile(r"[0-9]+(\.[0-9]+)*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def validate_entry(
    data: dict,
    stem: str,
    pypi_name_of: Callable[[str], str | None] | None = None,
) -> list[str]:
    """Problems with one entry; ``[]`` when it is valid.

    ``pypi_name_of`` (e.g. ``envslim.knowledge.names.pypi_name``) makes a given ``pypi_name`` be checked
    against the name map too.
    """
    problems: list[str] = []
    add = problems.append
    if not isinstance(data, dict):
        return ["entry: must be a table"]

    for key in sorted(set(data) - TOP_KEYS):
        add(f"{key}: unknown field")

    name = data.get("name")
    if name is None:
        add("name: required")
    elif not isinstance(name, str) or not _CONDA_NAME.fullmatch(name):
        add(f"name: {name!r} is not a conda package name")
    elif name != stem:
        add(f"name: {name!r} does not match the file name {stem!r}")

    if "pypi_name" in data:
        pypi = data["pypi_name"]
        if not isinstance(pypi, str) or not _PYPI_NAME.fullmatch(pypi):
            add(f"pypi_name: {pypi!r} is not a PyPI project name")
        elif pypi_name_of is not None and isinstance(name, str):
            expected = pypi_name_of(name)
            if expected != pypi:
                add(f"pypi_name: {pypi!r} disagrees with the name map ({expected!r})")

    summary = data.get("summary")
    if summary is None:
        add("summary: required")
    elif not _line(summary):
        add("summary: must be a non-empty single line")

    tags = data.get("tags", [])
    if _str_list(tags, "tags", problems):
        for tag in tags:
            if tag not in KNOWN_TAGS:
                add(f"tags: unknown tag {tag!r} (known: {', '.join(sorted(KNOWN_TAGS))})")
        _unique(tags, "tags", problems)

    for field in ("pulled_by", "links_native"):
        names = data.get(field, [])
        if _str_list(names, field, problems):
            for n in names:
                if not _CONDA_NAME.fullmatch(n):
                    add(f"{field}: {n!r} is not a conda package name")
                elif n == name:
                    add(f"{field}: lists the package itself")
            _unique(names, field, problems)

    below = data.get("pulled_by_below", {})
    if not isinstance(below, dict):
        add("pulled_by_below: must be a table of conda name = first version whose builds no longer depend on it")
    else:
        for n, v in below.items():
            if not _CONDA_NAME.fullmatch(n):
                add(f"pulled_by_below: {n!r} is not a conda package name")
            elif not isinstance(v, str) or not v:
                add(f"pulled_by_below.{n}: must be a version string")

    sources = data.get("sources", [])
    source_ids = _check_sources(sources, problems)

    if "advice" in data:
        _check_advice(data["advice"], source_ids, data.get("slim_variants"), problems)

    variants = data.get("slim_variants", [])
    if not isinstance(variants, list):
        add("slim_variants: must be an array of tables ([[slim_variants]])")
    else:
        for i, v in enumerate(variants):
            _check_variant(v, f"slim_variants[{i}]", source_ids, problems)

    if "numpy_abi" in data:
        _check_numpy_abi(data["numpy_abi"], source_ids, problems)

    figures = data.get("figures", [])
    if not isinstance(figures, list):
        add("figures: must be an array of tables ([[figures]])")
    else:
        seen: set[str] = set()
        for i, fig in enumerate(figures):
            _check_figure(fig, f"figures[{i}]", source_ids, seen, problems)
    return problems


def _line(value: object) -> bool:
    return isinstance(value, str) and value.strip() != "" and "\n" not in value


def _str_list(value: object, field: str, problems: list[str]) -> bool:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        problems.append(f"{field}: must be a list of strings")
        return False
    return True


def _unique(items: list[str], field: str, problems: list[str]) -> None:
    seen: set[str] = set()
    for item in items:
        if item in seen:
            problems.append(f"{field}: {item!r} listed twice")
        seen.add(item)


def _iso_date(value: object, where: str, problems: list[str]) -> None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        problems.append(f"{where}: {value!r} is not an ISO date (YYYY-MM-DD, quoted)")
        return
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        problems.append(f"{where}: {value!r} is not a real date")


def _bytes(value: object, where: str, problems: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(f"{where}: {value!r} is not an integer >= 0")


def _refs(value: object, where: str, source_ids: set[str], problems: list[str]) -> None:
    if not isinstance(value, list) or not value or not all(isinstance(x, str) for x in value):
        problems.append(f"{where}: must be a non-empty list of source ids")
        return
    for ref in value:
        if ref not in source_ids:
            problems.append(f"{where}: {ref!r} is not a [[sources]] id")


def _enum(value: object, allowed: tuple[str, ...], where: str, problems: list[str]) -> None:
    if value not in allowed:
        problems.append(f"{where}: {value!r} is not one of {', '.join(allowed)}")


def _unknown(table: dict, allowed: set[str], where: str, problems: list[str]) -> None:
    for key in sorted(set(table) - allowed):
        problems.append(f"{where}.{key}: unknown field")


def _new_id(value: object, where: str, seen: set[str], twice: str, problems: list[str]) -> None:
    if not isinstance(value, str) or not value:
        problems.append(f"{where}: required")
    elif value in seen:
        problems.append(f"{where}: {value!r} {twice}")
    else:
        seen.add(value)


def _check_sources(sources: object, problems: list[str]) -> set[str]:
    ids: set[str] = set()
    if not isinstance(sources, list):
        problems.append("sources: must be an array of tables ([[sources]])")
        return ids
    for i, src in enumerate(sources):
        where = f"sources[{i}]"
        if not isinstance(src, dict):
            problems.append(f"{where}: must be a table")
            continue
        _unknown(src, SOURCE_KEYS, where, problems)
        _new_id(src.get("id"), f"{where}.id", ids, "used twice", problems)
        if not _line(src.get("title")):
            problems.append(f"{where}.title: required, one line")
        url = src.get("url")
        if not isinstance(url, str) or not re.match(r"https?://\S+$", url):
            problems.append(f"{where}.url: {url!r} is not an http(s) URL")
        _iso_date(src.get("date"), f"{where}.date", problems)
    return ids


def _check_advice(advice: object, source_ids: set[str], variants: object, problems: list[str]) -> None:
    if not isinstance(advice, dict):
        problems.append("advice: must be a table")
        return
    _unknown(advice, ADVICE_KEYS, "advice", problems)
    action = advice.get("action")
    _enum(action, ADVICE_ACTIONS, "advice.action", problems)
    if action != "none" or "safety" in advice:
        _enum(advice.get("safety"), SAFETY, "advice.safety", problems)
    if not _line(advice.get("reason")):
        problems.append("advice.reason: required, one line")
    rf = advice.get("reason_for")  # the target the reason's figures are for: "25.0 linux-64" or "25.0 linux-64 3.11,3.12"
    if rf is not None and not (isinstance(rf, str) and len(rf.split()) in (2, 3)):
        problems.append("advice.reason_for: must be 'VERSION PLATFORM' or 'VERSION PLATFORM PYTHON[,PYTHON...]',"
                        " the target the reason's figures are for")
    if "details" in advice and not (isinstance(advice["details"], str) and advice["details"].strip()):
        problems.append("advice.details: must be a non-empty string")
    _refs(advice.get("sources"), "advice.sources", source_ids, problems)
    if action == "slim-variant" and not variants:
        problems.append("advice.action: 'slim-variant' needs at least one [[slim_variants]]")


def _check_variant(v: object, where: str, source_ids: set[str], problems: list[str]) -> None:
    if not isinstance(v, dict):
        problems.append(f"{where}: must be a table")
        return
    _unknown(v, VARIANT_KEYS, where, problems)
    _enum(v.get("side"), VARIANT_SIDES, f"{where}.side", problems)
    repl = v.get("replacement")
    if not isinstance(repl, str) or not _PYPI_NAME.fullmatch(repl):
        problems.append(f"{where}.replacement: {repl!r} is not a package name")
    if not _line(v.get("reason")):
        problems.append(f"{where}.reason: required, one line")
    _enum(v.get("safety"), SAFETY, f"{where}.safety", problems)
    _refs(v.get("sources"), f"{where}.sources", source_ids, problems)


def _check_numpy_abi(abi: object, source_ids: set[str], problems: list[str]) -> None:
    if not isinstance(abi, dict):
        problems.append("numpy_abi: must be a table")
        return
    _unknown(abi, NUMPY_ABI_KEYS, "numpy_abi", problems)
    below = abi.get("numpy1_only_below")
    if not isinstance(below, str) or not _RELEASE.fullmatch(below):
        problems.append(f"numpy_abi.numpy1_only_below: {below!r} is not a release number like '2.2.2'")
    _refs(abi.get("sources"), "numpy_abi.sources", source_ids, problems)


def _check_figure(fig: object, where: str, source_ids: set[str], seen: set[str], problems: list[str]) -> None:
    if not isinstance(fig, dict):
        problems.append(f"{where}: must be a table")
        return
    _unknown(fig, FIGURE_KEYS, where, problems)
    _new_id(fig.get("id"), f"{where}.id", seen, "used twice in this entry", problems)
    _enum(fig.get("side"), FIGURE_SIDES, f"{where}.side", problems)
    kind = fig.get("kind")
    _enum(kind, FIGURE_KINDS, f"{where}.kind", problems)
    if kind == "wheel" and fig.get("side") != "pypi":
        problems.append(f"{where}.kind: 'wheel' figures are on side 'pypi'")
    for field in ("version", "platform", "note"):
        if not _line(fig.get(field)):
            problems.append(f"{where}.{field}: required, one line")
    if "archive_bytes" not in fig and "installed_bytes" not in fig:
        problems.append(f"{where}: needs archive_bytes or installed_bytes")
    for field in ("archive_bytes", "installed_bytes", "packages"):
        if field in fig:
            _bytes(fig[field], f"{where}.{field}", problems)
    if "heavy" in fig:
        _str_list(fig["heavy"], f"{where}.heavy", problems)
    _check_estimate(fig, where, problems)
    src = fig.get("source")
    if not isinstance(src, str) or not src:
        problems.append(f"{where}.source: required")
    elif src not in source_ids:
        problems.append(f"{where}.source: {src!r} is not a [[sources]] id")
    if "date" not in fig:
        problems.append(f"{where}.date: required")
    else:
        _iso_date(fig["date"], f"{where}.date", problems)


def _check_estimate(fig: dict, where: str, problems: list[str]) -> None:
    """The additive figure fields: ``python``, ``estimate`` with its range, ``members``."""
    if "pypi_name" in fig and not (isinstance(fig["pypi_name"], str) and _PYPI_NAME.fullmatch(fig["pypi_name"])):
        problems.append(f"{where}.pypi_name: {fig['pypi_name']!r} is not a PyPI project name")
    if "python" in fig and not (isinstance(fig["python"], str) and re.fullmatch(r"[0-9]+\.[0-9]+", fig["python"])):
        problems.append(f"{where}.python: {fig['python']!r} is not a Python minor version like '3.12'")
    if "estimate" in fig and not isinstance(fig["estimate"], bool):
        problems.append(f"{where}.estimate: must be true or false")
    has_range = "installed_low" in fig or "installed_high" in fig
    for field in ("installed_low", "installed_high"):
        if field in fig:
            _bytes(fig[field], f"{where}.{field}", problems)
    if fig.get("estimate") is True and not ("installed_low" in fig and "installed_high" in fig):
        problems.append(f"{where}.estimate: an estimate needs installed_low and installed_high")
    if has_range and fig.get("estimate") is not True:
        problems.append(f"{where}.installed_low: a range is only for estimate = true")
    lo, mid, hi = fig.get("installed_low"), fig.get("installed_bytes"), fig.get("installed_high")
    if all(isinstance(x, int) for x in (lo, mid, hi)) and not lo <= mid <= hi:
        problems.append(f"{where}.installed_bytes: must lie within installed_low..installed_high")


def validate_members(data: dict, entry: dict) -> list[str]:
    """Problems with ``knowledge/members/<name>.toml`` against its entry's parsed TOML: each ``[[closures]]``
    table names a closure figure of the entry and lists its packages, whose installed bytes add up to the
    figure's (and its range to the figure's range)."""
    problems: list[str] = []
    figures = {f.get("id"): f for f in entry.get("figures", []) if isinstance(f, dict)}
    closures = data.get("closures") if isinstance(data, dict) else None
    if not isinstance(closures, list):
        return ["closures: must be an array of tables ([[closures]])"]
    seen_ids: set[str] = set()
    for k, c in enumerate(closures):
        at = f"closures[{k}]"
        if not isinstance(c, dict):
            problems.append(f"{at}: must be a table")
            continue
        _unknown(c, {"figure", "members"}, at, problems)
        fig = figures.get(c.get("figure"))
        if fig is None or fig.get("kind") != "closure":
            problems.append(f"{at}.figure: {c.get('figure')!r} is not a closure figure of the entry")
            continue
        _new_id(c["figure"], f"{at}.figure", seen_ids, "listed twice", problems)
        _check_members(c.get("members"), fig, at, problems)
    return problems


def _check_members(members: object, fig: dict, where: str, problems: list[str]) -> None:
    if not isinstance(members, list) or not members:
        problems.append(f"{where}.members: must be a non-empty array of tables")
        return
    seen: set[str] = set()
    for i, m in enumerate(members):
        w = f"{where}.members[{i}]"
        if not isinstance(m, dict):
            problems.append(f"{w}: must be a table")
            continue
        _unknown(m, MEMBER_KEYS, w, problems)
        name = m.get("name")
        if not isinstance(name, str) or not _CONDA_NAME.fullmatch(name):
            problems.append(f"{w}.name: {name!r} is not a conda package name")
        elif name in seen:
            problems.append(f"{w}.name: {name!r} listed twice")
        else:
            seen.add(name)
        if not _line(m.get("version")):
            problems.append(f"{w}.version: required, one line")
        for field in ("installed_bytes", "archive_bytes", "installed_low", "installed_high"):
            if field in m:
                _bytes(m[field], f"{w}.{field}", problems)
        if "installed_bytes" not in m:
            problems.append(f"{w}.installed_bytes: required")
    if not all(isinstance(m, dict) for m in members):
        return
    for field in ("installed_bytes", "installed_low", "installed_high"):
        want = fig.get(field)
        have = [m.get(field, m.get("installed_bytes")) for m in members]
        if isinstance(want, int) and all(isinstance(x, int) for x in have) and sum(have) != want:
            problems.append(f"{where}.members: {field} add up to {sum(have)}, not {want}")
