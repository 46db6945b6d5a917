#!/usr/bin/env python3
"""Dependency closure of a conda-forge artifact, computed from pixi.lock records.

Input: a JSON-lines file of lock records (one artifact per line with name, version, build, subdir,
url, size, depends, timestamp, source, source_date), such as ../shared/data/raw/lock_entries.jsonl.
The records are de-duplicated by URL across many lock files, so a closure is re-resolved here:
each dependency is matched (name, version constraint, build glob) against the records of the same
subdir or noarch, preferring the root's own lock file, then the same repository (closest date),
then any record (newest). Virtual packages (``__glibc`` ...) are skipped.

Prints the closure, the python closure it contains, and the difference ("beyond python"), in
archive bytes (the lock file ``size`` field: compressed .conda/.tar.bz2 bytes, not installed bytes).

    python tools/conda_closure.py pyarrow --version 25.0.0 --subdir linux-64 --python 3.14
    python tools/conda_closure.py pytorch --build 'cpu_mkl*' --source detectron2 --toml

Measurement script only (not part of the envslim package); stdlib only.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw" / "lock_entries.jsonl"

_TOKEN = re.compile(r"\d+|[a-z]+")


def _key(version: str) -> list[tuple[int, object]]:
    """A sort key close to conda's VersionOrder, enough for the specs found in lock files."""
    v = version.lower().strip()
    epoch = 0
    if "!" in v:
        e, v = v.split("!", 1)
        epoch = int(e)
    v = v.split("+", 1)[0]
    out: list[tuple[int, object]] = [(1, epoch)]
    for part in re.split(r"[._-]", v):
        for tok in _TOKEN.findall(part) or ["0"]:
            if tok.isdigit():
                out.append((1, int(tok)))
            elif tok == "post":
                out.append((2, 0))
            elif tok == "dev":
                out.append((-2, tok))
            else:
                out.append((0, tok))
    while len(out) > 1 and out[-1] == (1, 0):
        out.pop()
    return out


def _cmp(a: str, b: str) -> int:
    ka, kb = _key(a), _key(b)
    n = max(len(ka), len(kb))
    ka += [(1, 0)] * (n - len(ka))
    kb += [(1, 0)] * (n - len(kb))
    return (ka > kb) - (ka < kb)


def _one(version: str, cond: str) -> bool:
    for op in (">=", "<=", "==", "!=", ">", "<", "~="):
        if cond.startswith(op):
            target = cond[len(op):]
            break
    else:
        op, target = "=", cond
    if target.endswith(".*") or (op == "=" and target.endswith("*")):
        prefix = target.rstrip("*").rstrip(".")
        hit = version == prefix or version.startswith(prefix + ".")
        return not hit if op == "!=" else hit
    c = _cmp(version, target)
    if op in ("=", "=="):
        return c == 0 if op == "==" else (c == 0 or version.startswith(target + "."))
    return {">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0, "!=": c != 0, "~=": c >= 0}[op]


def version_matches(version: str, spec: str) -> bool:
    if spec in ("", "*"):
        return True
    return any(all(_one(version, c) for c in alt.split(",")) for alt in spec.split("|"))


def parse_dep(dep: str) -> tuple[str, str, str]:
    parts = dep.split()
    return parts[0], parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else "*"


BLAS_VARIANTS = {"libblas", "libcblas", "liblapack", "liblapacke", "blas", "blas-devel"}


def _repo(source: str) -> str:
    return source.split("/blob/")[0]


class Index:
    def __init__(self, rows: list[dict]):
        self.by_name: dict[str, list[dict]] = {}
        for r in rows:
            self.by_name.setdefault(r["name"], []).append(r)

    def pick(self, dep: str, subdir: str, root: dict) -> dict | None:
        name, vspec, bglob = parse_dep(dep)
        cands = [
            r for r in self.by_name.get(name, [])
            if r["subdir"] in (subdir, "noarch")
            and version_matches(r["version"], vspec)
            and fnmatch.fnmatchcase(r["build"], bglob)
        ]
        if not cands:
            return None

        want_mkl = "mkl" in root["build"]

        def rank(r: dict) -> tuple:
            # conda-forge's default BLAS is OpenBLAS: an mkl variant only when the root is one
            blas_penalty = ("mkl" in r["build"]) != want_mkl and name in BLAS_VARIANTS
            same_file = r["source"] == root["source"]
            same_repo = _repo(r["source"]) == _repo(root["source"])
            gap = abs(_days(r["source_date"]) - _days(root["source_date"]))
            return (blas_penalty, not same_file, not same_repo, gap if same_repo else 0, -(r.get("timestamp") or 0))

        return min(cands, key=rank)

    def closure(self, root: dict, python: str | None = None) -> tuple[dict[str, dict], list[str]]:
        # noarch/abi3-style records say only "python"; the python_abi pin (or --python) says which one
        abi = [parse_dep(d)[1] for d in root["depends"] if parse_dep(d)[0] == "python_abi"]
        if python:
            abi = [f"{python}.*"]
        seen: dict[str, dict] = {root["name"]: root}
        missing: list[str] = []
        todo = [root]
        while todo:
            cur = todo.pop()
            for dep in cur["depends"]:
                name = parse_dep(dep)[0]
                if name.startswith("__") or name in seen:
                    continue
                if name == "python" and abi and (python or not parse_dep(dep)[1]):
                    dep = f"python {abi[0]}"
                hit = self.pick(dep, root["subdir"] if root["subdir"] != "noarch" else "linux-64", root)
                if hit is None:
                    missing.append(dep)
                    continue
                seen[name] = hit
                todo.append(hit)
        return seen, missing


def _days(date: str) -> int:
    y, m, d = (int(x) for x in date.split("-"))
    return y * 372 + m * 31 + d


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name")
    ap.add_argument("--version")
    ap.add_argument("--build", default="*", help="build-string glob for the root artifact")
    ap.add_argument("--subdir", default="linux-64")
    ap.add_argument("--python", help="python version prefix the root must be built for, e.g. 3.12")
    ap.add_argument("--source", help="substring of the lock-file source the root must come from")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args(argv)

    rows = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    idx = Index(rows)
    roots = [
        r for r in idx.by_name.get(args.name, [])
        if r["subdir"] in (args.subdir, "noarch")
        and (args.version is None or r["version"] == args.version)
        and fnmatch.fnmatchcase(r["build"], args.build)
        and (args.source is None or args.source in r["source"])
        and (args.python is None or any(
            parse_dep(d)[0] in ("python", "python_abi") and parse_dep(d)[1]
            and version_matches(args.python, parse_dep(d)[1])
            for d in r["depends"]))
    ]
    if not roots:
        print(f"no artifact matches {args.name}", file=sys.stderr)
        return 2
    root = max(roots, key=lambda r: (r["source_date"], r.get("timestamp") or 0))
    closure, missing = idx.closure(root, args.python)
    py = closure.get("python")
    py_closure = idx.closure(py)[0] if py is not None else {}
    beyond = {n: r for n, r in closure.items() if n not in py_closure}
    total = sum(r["size"] for r in closure.values())
    beyond_bytes = sum(r["size"] for r in beyond.values())
    heavy = sorted(beyond.values(), key=lambda r: -r["size"])[: args.top]
    print(f"root: {root['name']}-{root['version']}-{root['build']} ({root['subdir']}) {root['url']}")
    print(f"root source: {root['source']} ({root['source_date']})")
    if py is not None:
        print(f"python: {py['version']} {py['build']}; python closure {len(py_closure)} packages, "
              f"{sum(r['size'] for r in py_closure.values())} B")
    print(f"closure: {len(closure)} packages, {total} B archives")
    print(f"beyond python: {len(beyond)} packages, {beyond_bytes} B archives")
    print("heaviest beyond python: " + ", ".join(f"{r['name']}={r['size']}" for r in heavy))
    if missing:
        print("unresolved: " + ", ".join(sorted(set(missing))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
