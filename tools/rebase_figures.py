#!/usr/bin/env python3
"""Installed-size *estimates*, with a range, for conda-forge closures on a platform the lock files cover.

The closure is walked with ``tools/conda_closure.py`` in ../shared/data/raw/lock_entries.jsonl (exact
archive bytes from pixi.lock ``size`` fields). Lock files do not record installed bytes, so each member's
installed size is estimated from its archive bytes by a measured installed/archive ratio:

- a member whose name has a measured pair (archive and installed bytes of the same package, any version,
  from the committed osx-arm64 conda-meta in ../shared/data/raw/conda_meta_installed_osx-arm64_2024.json):
  that package's ratio, with the population's interquartile spread around it
  (``ratio * q25 / median`` .. ``ratio * q75 / median``);
- any other member: the population's median ratio, range the 10th..90th percentile.

This is a method applied to the target platform's archive bytes, not a figure of the other platform.
It prints one ``[[figures]]`` table (``estimate = true``) for knowledge/packages/NAME.toml and, after a
``# knowledge/members/NAME.toml:`` line, the ``[[closures]]`` table of its members for
knowledge/members/NAME.toml, so closures can be united (each package counted once). ``--what python`` prints the python closure itself (kind "closure",
python and its own dependencies); the default is the closure beyond python.

    python tools/rebase_figures.py pyarrow --version 25.0.0 --python 3.12 --id cf-closure-25.0.0-py312-linux-64
    python tools/rebase_figures.py python --version 3.9.23 --what python --id cf-closure-3.9.23-linux-64

Measurement script only (not part of the envslim package); stdlib only.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import conda_closure as cc  # noqa: E402

META = cc.DEFAULT_DATA.parent / "conda_meta_installed_osx-arm64_2024.json"


def ratios(path: Path = META) -> tuple[dict[str, float], dict[str, float]]:
    """Per-name installed/archive ratios, and the population's quantiles (q10, q25, median, q75, q90)."""
    rows = [r for r in json.loads(path.read_text(encoding="utf-8")) if r.get("archive_bytes") and r.get("installed_bytes")]
    by_name = {r["name"]: r["installed_bytes"] / r["archive_bytes"] for r in rows}
    pop = sorted(by_name.values())
    n = len(pop)
    q = {"q10": pop[n // 10], "q25": pop[n // 4], "median": statistics.median(pop), "q75": pop[3 * n // 4],
         "q90": pop[9 * n // 10], "n": n}
    return by_name, q


def estimate(name: str, archive: int, by_name: dict[str, float], q: dict[str, float]) -> tuple[int, int, int, bool]:
    """(installed, low, high, paired) for one member."""
    r = by_name.get(name)
    if r is not None:
        return round(archive * r), round(archive * r * q["q25"] / q["median"]), round(archive * r * q["q75"] / q["median"]), True
    return round(archive * q["median"]), round(archive * q["q10"]), round(archive * q["q90"]), False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name")
    ap.add_argument("--version", required=True)
    ap.add_argument("--build", default="*")
    ap.add_argument("--subdir", default="linux-64")
    ap.add_argument("--python", help="python minor version the root is built for, e.g. 3.12")
    ap.add_argument("--what", choices=("beyond", "python"), default="beyond")
    ap.add_argument("--id", required=True)
    ap.add_argument("--source", default="S?")
    args = ap.parse_args(argv)

    rows = [json.loads(line) for line in cc.DEFAULT_DATA.open(encoding="utf-8")]
    idx = cc.Index(rows)
    roots = [r for r in idx.by_name.get(args.name, []) if r["subdir"] in (args.subdir, "noarch")
             and r["version"] == args.version and fnmatch.fnmatchcase(r["build"], args.build)
             and (args.python is None or any(cc.parse_dep(d)[0] in ("python", "python_abi") and cc.parse_dep(d)[1]
                                              and cc.version_matches(args.python, cc.parse_dep(d)[1]) for d in r["depends"]))]
    if not roots:
        print(f"no artifact matches {args.name} {args.version}", file=sys.stderr)
        return 2
    root = max(roots, key=lambda r: (r["source_date"], r.get("timestamp") or 0))
    closure, missing = idx.closure(root, args.python)
    if args.what == "python":
        members = closure
    else:
        py = closure.get("python")
        py_closure = idx.closure(py)[0] if py is not None else {}
        members = {n: r for n, r in closure.items() if n not in py_closure}
    by_name, q = ratios()
    out = []
    tot = [0, 0, 0, 0]
    paired = 0
    for n in sorted(members):
        r = members[n]
        inst, lo, hi, p = estimate(n, r["size"], by_name, q)
        paired += p
        tot = [tot[0] + r["size"], tot[1] + inst, tot[2] + lo, tot[3] + hi]
        out.append(f'  {{name = "{n}", version = "{r["version"]}", archive_bytes = {r["size"]}, '
                   f'installed_bytes = {inst}, installed_low = {lo}, installed_high = {hi}}},')
    heavy = [n for n, _ in sorted(members.items(), key=lambda kv: -kv[1]["size"])[:5]]
    pyver = args.python or ""
    what = "python and its closure" if args.what == "python" else "closure beyond the python closure"
    print(f"# lock file: https://{root['source']}")
    print("[[figures]]")
    print(f'id = "{args.id}"')
    print('side = "conda-forge"')
    print('kind = "closure"')
    print(f'version = "{args.version}"')
    print(f'platform = "{args.subdir}"')
    if pyver:
        print(f'python = "{pyver}"')
    print(f"archive_bytes = {tot[0]}")
    print(f"installed_bytes = {tot[1]}")
    print("estimate = true")
    print(f"installed_low = {tot[2]}")
    print(f"installed_high = {tot[3]}")
    print(f"packages = {len(members)}")
    print(f"heavy = {json.dumps(heavy)}")
    print(f'note = "{root["name"]}-{root["version"]}-{root["build"]}: {what}, exact archive bytes walked in '
          f'lock_entries.jsonl (tools/conda_closure.py); installed bytes estimated by tools/rebase_figures.py: '
          f'{paired} of {len(members)} members by their own measured installed/archive ratio (osx-arm64 conda-meta '
          f'pairs), the rest by the median {q["median"]:.2f} (range q10 {q["q10"]:.2f} .. q90 {q["q90"]:.2f} of '
          f'{q["n"]} pairs)"')
    print(f'source = "{args.source}"')
    print(f'date = "{root["source_date"]}"')
    print()
    print("# knowledge/members/NAME.toml:")
    print("[[closures]]")
    print(f'figure = "{args.id}"')
    print("members = [")
    print("\n".join(out))
    print("]")
    if missing:
        print(f"# unresolved: {', '.join(sorted(set(missing)))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
