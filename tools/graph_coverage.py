#!/usr/bin/env python3
"""How much of ../shared/corpus the graph snapshot covers: the conda-forge names most often requested there,
whether the snapshot has each for linux-64 (or noarch), and the names their closures reach that it lacks.

    python tools/graph_coverage.py [--top 300]

Measurement script only (not part of the envslim package).
"""
from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from envslim import conda  # noqa: E402
from envslim.document.envfile import EnvFile  # noqa: E402
from envslim.environment.graph import snapshot  # noqa: E402
from envslim.environment.model import Environment, Target  # noqa: E402

CORPUS = HERE.parents[1] / "shared" / "corpus" / "files"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=300)
    args = ap.parse_args(argv)
    counts: collections.Counter = collections.Counter()
    for path in sorted(CORPUS.iterdir()):
        try:
            env = EnvFile.from_bytes(path.read_bytes(), str(path))
        except Exception:  # noqa: BLE001 - a file the corpus keeps as bad input
            continue
        counts.update({s.name for s in (conda.parse_line(i.text) for i in env.deps) if s is not None})
    g = snapshot()
    top = [n for n, _ in counts.most_common(args.top)]
    have = [n for n in top if g.builds(n, platform="linux-64", channel="conda-forge")]
    missing = [n for n in top if n not in have]
    target = Target("linux-64", ("conda-forge",), None)
    lacking: collections.Counter = collections.Counter()
    for n in have:
        env = Environment.from_specs([n], target, g)
        lacking.update(env.unknown - {n})
    names = g.names()
    versions = sum(len({b.version for b in g.all_builds(n)}) for n in names)
    platforms = sorted({p for n in names for p in g.platforms(n)})
    print(f"snapshot {g.date}: {len(names)} names, {versions} name-versions, platforms {', '.join(platforms)}")
    print(f"top {args.top} requested names in the corpus: {len(have)} have conda-forge linux-64/noarch builds")
    print(f"missing: {', '.join(missing)}")
    print(f"closure members the snapshot lacks (how many top names reach each): {dict(lacking.most_common(30))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
