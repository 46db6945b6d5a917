"""Generate knowledge/reverse_deps.toml: which packages depend on each movable package.

    python tools/reverse_deps.py ../shared/data/raw/lock_entries.jsonl > knowledge/reverse_deps.toml
    python tools/reverse_deps.py --fetch-pypi [--index https://pypi.org/pypi] [--today YYYY-MM-DD] \
        > tools/data/pypi_requires_dist.json
    python tools/reverse_deps.py LOCK --pypi-snapshot FILE   # another snapshot

For every package the knowledge base moves to pip (advice.action = "move-to-pip"):

- ``by``: every artifact in the lock entries whose ``depends`` names the package, its Python core, or its
  native libraries (for pyarrow: pyarrow, pyarrow-core, pyarrow-all, libarrow*, libparquet, and the
  defaults name arrow-cpp). While it stays a conda dependency, conda installs the package again, or links
  its native library, so the move gains nothing. Each name keeps the first artifact and lock file it was
  seen in.
- ``pypi_by``: the conda packages whose PyPI counterpart's latest release (the bounded set of
  knowledge/names.toml's ``[[map]]`` and of the entries' ``pypi_name``; never guessed names) requires the
  package's PyPI project outside an extra. conda-forge recipes carry a project's run requirements from
  its Requires-Dist (and their ``pip check`` test fails when one is missing), so such a conda package
  most likely depends on the moved package in conda too. ``pypi_extra``: the same, only under an extra
  (conda-forge ships extras as separate packages or not at all: not a blocker, shown for explain).

The PyPI facts come from a snapshot (``tools/data/pypi_requires_dist.json``, written by ``--fetch-pypi``
from the PyPI JSON API), so the generated file is reproducible offline.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "tools" / "data" / "pypi_requires_dist.json"
PYPI = "https://pypi.org/pypi"
# The names whose presence in an artifact's depends ties it to the movable package.
FAMILIES = {
    "pyarrow": ("pyarrow", "pyarrow-core", "pyarrow-all", "libarrow*", "libparquet", "arrow-cpp"),
    "pyarrow-core": ("pyarrow-core", "libarrow*", "libparquet", "arrow-cpp"),
    "pyarrow-all": ("pyarrow-all", "pyarrow", "pyarrow-core", "libarrow*", "libparquet", "arrow-cpp"),
}


def _entries() -> list[dict]:
    import tomllib

    return [tomllib.loads(p.read_text()) for p in sorted((ROOT / "knowledge" / "packages").glob("*.toml"))]


def _movable() -> list[dict]:
    return [e for e in _entries() if e.get("advice", {}).get("action") == "move-to-pip"]


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pypi_projects() -> dict[str, list[str]]:
    """The bounded set of PyPI projects to read: knowledge/names.toml's map and the entries' pypi_name,
    each with the conda names that map to it (``{project: [conda, ...]}``)."""
    import tomllib

    out: dict[str, set[str]] = {}
    for m in tomllib.loads((ROOT / "knowledge" / "names.toml").read_text()).get("map", ()):
        out.setdefault(m["pypi"], set()).add(m["conda"])
    for e in _entries():
        if e.get("pypi_name"):
            out.setdefault(e["pypi_name"], set()).add(e["name"])
    merged: dict[str, set[str]] = {}
    spelled: dict[str, str] = {}
    for project, conda in out.items():
        key = _normalize(project)
        spelled.setdefault(key, project)
        merged.setdefault(key, set()).update(conda)
    return {spelled[k]: sorted(v) for k, v in sorted(merged.items())}


def fetch_pypi(index: str, today: str, get=None) -> dict:
    """The snapshot: for each project of :func:`pypi_projects`, its latest release's Requires-Dist, the
    date that release was uploaded, and the JSON API URL it was read from."""
    if get is None:
        import urllib.request

        def get(url: str) -> dict:
            with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 (an https or test URL we chose)
                return json.load(r)

    projects = {}
    for project, conda in pypi_projects().items():
        try:
            doc = get(f"{index.rstrip('/')}/{project}/json")
        except OSError as exc:  # a project PyPI does not have (or an outage): recorded, never guessed
            projects[project] = {"conda": conda, "error": str(exc)}
            continue
        info = doc.get("info", {})
        version = info.get("version", "")
        uploads = sorted(f.get("upload_time_iso_8601", "")[:10] for f in doc.get("urls", ()) if f.get("upload_time_iso_8601"))
        projects[project] = {
            "conda": conda, "name": info.get("name", project), "version": version,
            "uploaded": uploads[0] if uploads else "", "url": f"https://pypi.org/pypi/{project}/{version}/json",
            "requires_dist": list(info.get("requires_dist") or ()),
        }
    return {"read": today, "index": "https://pypi.org/pypi", "projects": projects}


def _matches(dep_name: str, family: tuple[str, ...]) -> bool:
    return any(dep_name == f or (f.endswith("*") and dep_name.startswith(f[:-1])) for f in family)


def _q(s: str) -> str:
    return json.dumps(s)  # a TOML basic string is a JSON string for these characters


def _pypi_requirers(pypi: str, family_conda: set[str], snapshot: dict) -> tuple[dict[str, str], dict[str, str]]:
    """(conda name -> why, for a requirement outside an extra; the same for one only under an extra)."""
    from packaging.requirements import InvalidRequirement, Requirement

    required, extra = {}, {}
    for project, rec in sorted(snapshot.get("projects", {}).items()):
        if _normalize(project) == _normalize(pypi) or "error" in rec:
            continue
        for text in rec["requires_dist"]:
            try:
                req = Requirement(text)
            except InvalidRequirement:
                continue
            if _normalize(req.name) != _normalize(pypi):
                continue
            under_extra = req.marker is not None and "extra" in str(req.marker)
            why = (f"{rec['name']} {rec['version']} (uploaded {rec['uploaded']}) requires '{text}'; {rec['url']}"
                   f" (read {snapshot['read']})")
            for conda in rec["conda"]:
                if conda not in family_conda:
                    (extra if under_extra else required).setdefault(conda, why)
            if not under_extra:
                break
    return required, extra


def main(argv: list[str]) -> int:
    if argv[:1] == ["--fetch-pypi"]:
        import datetime

        index = argv[argv.index("--index") + 1] if "--index" in argv else PYPI
        today = argv[argv.index("--today") + 1] if "--today" in argv else datetime.date.today().isoformat()
        snap = fetch_pypi(index, today)
        sys.stdout.write(json.dumps(snap, indent=1, sort_keys=True) + "\n")
        return 0
    snapshot_path = Path(argv[argv.index("--pypi-snapshot") + 1]) if "--pypi-snapshot" in argv else SNAPSHOT
    rest = [a for i, a in enumerate(argv) if a != "--pypi-snapshot" and (i == 0 or argv[i - 1] != "--pypi-snapshot")]
    lock = Path(rest[0]) if rest else ROOT.parent / "shared" / "data" / "raw" / "lock_entries.jsonl"
    entries = [json.loads(line) for line in lock.read_text().splitlines() if line.strip()]
    snapshot = json.loads(snapshot_path.read_text())
    n_read = sum("error" not in r for r in snapshot["projects"].values())
    lines = [
        "# Generated by tools/reverse_deps.py from ../shared/data/raw/lock_entries.jsonl (conda-forge artifacts",
        f"# of public pixi.lock files, {len(entries)} entries); do not edit by hand. For each package envslim moves",
        "# to pip: the conda packages whose depends name it, its Python core or its native libraries, each with",
        "# the artifact and lock file it was seen in (by); and the conda packages whose PyPI counterpart's latest",
        f"# release requires it (pypi_by; under an extra only: pypi_extra), from the Requires-Dist of {n_read} PyPI",
        f"# projects (knowledge/names.toml's map and the entries' pypi_name) read from the PyPI JSON API on",
        f"# {snapshot['read']} (tools/data/pypi_requires_dist.json). What was seen, not a complete list: --verify solves.",
        "schema = 1",
    ]
    for entry in _movable():
        name = entry["name"]
        family = FAMILIES.get(name, (name,))
        by: dict[str, str] = {}
        for e in sorted(entries, key=lambda e: (e["name"], e["version"], e["build"])):
            if e["name"] == name or e["name"] in by:
                continue
            for dep in e.get("depends", ()):
                dep_name = re.split(r"[\s=<>!~\[]", dep.strip(), maxsplit=1)[0].lower()
                if _matches(dep_name, family):
                    by[e["name"]] = (f"{e['name']} {e['version']} {e['build']} ({e['subdir']}) depends on '{dep}'; "
                                     f"{e['source']} ({e['source_date']})")
                    break
        family_conda = {f for f in family if not f.endswith("*")} | {name}
        required, extra = _pypi_requirers(entry.get("pypi_name") or name, family_conda, snapshot)
        lines += ["", f"[packages.{_q(name)}]", f"via = [{', '.join(_q(f) for f in family)}]",
                  f"[packages.{_q(name)}.by]"]
        lines += [f"{_q(k)} = {_q(v)}" for k, v in sorted(by.items())]
        lines += [f"[packages.{_q(name)}.pypi_by]"] + [f"{_q(k)} = {_q(v)}" for k, v in sorted(required.items())]
        lines += [f"[packages.{_q(name)}.pypi_extra]"] + [f"{_q(k)} = {_q(v)}" for k, v in sorted(extra.items())]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
