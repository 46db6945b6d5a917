"""Every change envslim makes on a directory of environment files, safe mode and --unsafe-fixes.

    python tools/corpus_sweep.py ../shared/corpus/files [--extend-select ES008,ES009]

Prints one line per applied fix (mode, file, rule, package, message) and a count per mode and rule.
Used to review the decisions on the shared corpus; reads only, writes nothing.
"""

from __future__ import annotations

import argparse
import collections
import pathlib
import sys

from envslim.document.envfile import EnvFile
from envslim.errors import EnvslimError
from envslim.plan import Options, make_plan


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("directory")
    p.add_argument("--extend-select", default="", help="comma-separated opt-in rule ids to add")
    args = p.parse_args(argv)
    extra = frozenset(x.strip().upper() for x in args.extend_select.split(",") if x.strip())
    counts: dict[str, collections.Counter] = {}
    for mode, unsafe in (("safe", False), ("unsafe", True)):
        counts[mode] = collections.Counter()
        for path in sorted(pathlib.Path(args.directory).iterdir()):
            try:
                env = EnvFile.read(str(path))
                plan = make_plan(env, Options(unsafe_fixes=unsafe, extend_select=extra))
            except EnvslimError as e:
                print(f"{mode}\t{path.name[:40]}\terror\t{e}")
                continue
            for o in plan.applied:
                f = o.finding
                counts[mode][f.rule] += 1
                print(f"{mode}\t{path.name[:40]}\t{f.rule}\t{f.package}\t{f.safety}\t{f.message[:140]}")
    for mode, c in counts.items():
        print(f"# {mode}: {sum(c.values())} changes; " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
