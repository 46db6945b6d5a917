"""Benchmark envslim.conda: import cost and parse + translate throughput.

    python bench/bench_condaspec.py [--runs 15] [--specs 10000] [--seed 0]

1. Import cost of ``envslim.conda`` (the package and its four modules) from ``python -X importtime`` (cumulative microseconds of the
   module line), in fresh interpreters. "warm" runs use byte-code compiled once into a scratch
   ``-X pycache_prefix`` (what an installed wheel has); "cold" runs compile the source each time.
   Goal: under 30 ms cumulative (warm).
2. Parse + translate of N conda dependency strings drawn (with replacement, fixed seed) from the
   conda dependencies of ``../shared/corpus/files``. "cold" clears condaspec's caches first, so every
   distinct spec is parsed from scratch once; "warm" repeats the run with the caches filled.
   Goal: under 0.5 s for 10,000 specs (cold).

Prints figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "files"
LINE = re.compile(r"^\s*([0-9]+)\s*\|\s*([0-9]+)\s*\|\s*envslim\.conda\s*$")


def import_cost(runs: int, warm: bool) -> list[int]:
    """Cumulative import time of envslim.conda in microseconds, one figure per fresh interpreter."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = []
    with tempfile.TemporaryDirectory() as cache:
        if warm:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            flags = ["-X", f"pycache_prefix={cache}"]
            subprocess.run([sys.executable, *flags, "-c", "import envslim.conda"], env=env, check=True)
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            flags = []
        for _ in range(runs):
            proc = subprocess.run(
                [sys.executable, *flags, "-X", "importtime", "-c", "import envslim.conda"],
                env=env, capture_output=True, text=True, check=True,
            )
            for line in proc.stderr.splitlines():
                m = LINE.match(line.replace("import time:", ""))
                if m:
                    out.append(int(m.group(2)))
    return out


def corpus_specs() -> list[str]:
    from envslim.document.envfile import EnvFile
    from envslim.errors import InputError

    specs = []
    for path in sorted(CORPUS.iterdir()):
        try:
            env = EnvFile.read(str(path))
        except InputError:
            continue
        specs.extend(item.text for item in env.deps if item.text)
    return specs


def throughput(specs: list[str]) -> tuple[float, dict]:
    from envslim import conda as condaspec

    statuses: dict[str, int] = {}
    start = time.perf_counter()
    for spec in specs:
        tr = condaspec.to_pep440(spec)
        key = tr.status if tr.status != "untranslatable" else f"untranslatable:{tr.reason_code}"
        statuses[key] = statuses.get(key, 0) + 1
    return time.perf_counter() - start, statuses


def clear_caches() -> None:
    from envslim.conda import spec, version

    for cache in (spec._PARSE_CACHE, version._VSPEC_CACHE, version._VO_CACHE):
        cache.clear()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--specs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    print(f"python {sys.version.split()[0]} on {sys.platform}")
    for warm in (True, False):
        us = import_cost(args.runs, warm)
        label = "warm (byte-code cached)" if warm else "cold (no byte-code)"
        print(
            f"import envslim.conda, {label}: median {statistics.median(us) / 1000:.1f} ms cumulative, "
            f"min {min(us) / 1000:.1f} ms, max {max(us) / 1000:.1f} ms over {len(us)} runs (goal < 30 ms)"
        )

    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}: throughput skipped")
        return 0
    sys.path.insert(0, str(ROOT))
    pool = corpus_specs()
    rng = random.Random(args.seed)
    sample = [rng.choice(pool) for _ in range(args.specs)]
    print(f"corpus: {len(pool)} conda dependency strings ({len(set(pool))} distinct) from {CORPUS}")
    print(f"sample: {len(sample)} drawn with replacement (seed {args.seed}), {len(set(sample))} distinct")
    clear_caches()
    cold, statuses = throughput(sample)
    warm, _ = throughput(sample)
    print(f"parse + to_pep440, cold caches: {cold:.3f} s ({cold / len(sample) * 1e6:.1f} us/spec) (goal < 0.5 s)")
    print(f"parse + to_pep440, warm caches: {warm:.3f} s ({warm / len(sample) * 1e6:.1f} us/spec)")
    clear_caches()
    distinct = sorted(set(pool))
    once, _ = throughput(distinct)
    print(f"every distinct corpus spec once, cold: {once:.3f} s for {len(distinct)} specs "
          f"({once / len(distinct) * 1e6:.1f} us/spec)")
    print("statuses in the sample: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
