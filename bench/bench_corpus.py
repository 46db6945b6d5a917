"""Benchmark the whole rewrite pipeline over the corpus in one process: read + plan of every file.

    python bench/bench_corpus.py [--runs 5]

Each run is a fresh interpreter (so imports, rule registration and knowledge loading are counted, as in a
pre-commit run over many files) that reads every file of ../shared/corpus/files with ``EnvFile.read`` and
runs ``make_plan`` on it with the default options, as ``envslim rewrite --check`` does. Files that are not
valid environment files (an InputError, reported as ``path:line:col``) count as read. Prints the median of
``--runs`` runs: the time for all files including the imports, the time for the files alone, the slowest
file, and how many files have a change due. Goal: <= 1.5 s for the 130 files. Skips with a message when
../shared is absent. Prints figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "files"

CHILD = r"""
import json, sys, time
start = time.perf_counter()
cpu0 = time.process_time()
from envslim.document.envfile import EnvFile
from envslim.errors import InputError
from envslim.plan import make_plan
imported = time.perf_counter()
due = errors = findings = 0
slowest = (0.0, "")
for path in sys.argv[1:]:
    t = time.perf_counter()
    try:
        plan = make_plan(EnvFile.read(path))
    except InputError:
        errors += 1
        continue
    finally:
        took = time.perf_counter() - t
        slowest = max(slowest, (took, path))
    due += plan.changed
    findings += len(plan.outcomes)
end = time.perf_counter()
print(json.dumps({"total": end - start, "files": end - imported, "imports": imported - start,
                  "cpu": time.process_time() - cpu0, "due": due, "errors": errors, "findings": findings,
                  "slowest": slowest}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} is absent (the corpus lives in ../shared beside the checkout)")
        return 0
    files = [str(p) for p in sorted(CORPUS.iterdir()) if p.is_file()]
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPYCACHEPREFIX=cache, PYTHONPATH=str(ROOT))
        subprocess.run([sys.executable, "-c", CHILD, *files[:1]], env=env, check=True, capture_output=True)
        results = []
        for _ in range(args.runs):
            proc = subprocess.run([sys.executable, "-c", CHILD, *files], env=env, check=True,
                                  capture_output=True, text=True)
            results.append(json.loads(proc.stdout))
    med = {k: statistics.median(r[k] for r in results) for k in ("total", "files", "imports", "cpu")}
    last = results[-1]
    print(f"python {sys.version.split()[0]}, {len(files)} corpus files, median of {args.runs} fresh processes")
    print(f"  all files, imports included  {med['total']:6.3f} s   (goal <= 1.5 s; CPU {med['cpu']:.3f} s)")
    print(f"  imports                      {med['imports']:6.3f} s")
    print(f"  read + plan of the files     {med['files']:6.3f} s   ({med['files'] / len(files) * 1000:.1f} ms a file)")
    print(f"  slowest file                 {last['slowest'][0]:6.3f} s   {Path(last['slowest'][1]).name}")
    print(f"  {last['due']} files with a change due, {last['findings']} findings, {last['errors']} not readable")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
