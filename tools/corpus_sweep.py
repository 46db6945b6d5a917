"""Every change envslim makes on a directory of environment files, safe mode and --unsafe-fixes.

    python tools/corpus_sweep.py ../shared/corpus/files [--extend-select ES008,ES009] [--quiet]

Prints one line per applied fix (mode, file, rule, package, safety, effect, message), a count per mode and
rule, how many applied fixes were judged on the whole environment (an effect with packages leaving,
arriving or excluded), how many were not judged (the graph snapshot does not know the package: the
knowledge base's figures stand) and how many have no effect (none should), and the cases of issue 22 with
whether each behaves as the review asked. Used to review the decisions on the shared corpus; reads only,
writes nothing.
"""

from __future__ import annotations

import argparse
import collections
import pathlib
import sys

from envslim.document.envfile import EnvFile
from envslim.errors import EnvslimError
from envslim.plan import Options, make_plan

# Issue 22's cases: (mode, corpus prefixes, rule, package, expected): "none" = the fix must not be applied,
# "applied" = it must be.
CASES = (
    ("safe", ("252",), "ES001", "pyarrow", "none", "pyarrow pulled back (icepyx -> dask-expr -> pyarrow)"),
    ("safe", ("152", "218", "220", "242", "248", "214"), "ES004", "matplotlib", "none",
     "matplotlib dropped next to matplotlib-base while the Qt stack stays"),
    ("safe", ("020", "044", "066", "090", "120", "122", "244"), "ES002", "nomkl", "none", "guard-only nomkl"),
    ("safe", ("030", "036", "086", "182"), "ES005", "numpy", "none", "numpy<2 where the pins rule numpy 2 out"),
    ("safe", ("062", "064"), "ES002", "nomkl", "applied", "MKL from defaults through pandas/scikit-learn"),
    ("unsafe", ("002", "008", "052"), "ES004", "opencv-python", "none", "opencv-python required by another pip package"),
    ("unsafe", ("100", "102"), "ES004", "dask", "none", "dask -> dask-core where dask.dataframe is used"),
    ("unsafe", ("074",), "ES004", "dask", "none", "dask[complete] -> dask-core[complete]"),
    ("unsafe", ("170",), "ES004", "tensorflow", "none", "tensorflow-cpu on osx-arm64"),
    ("unsafe", ("026", "068", "160", "162", "218", "224", "242"), "ES007", "defaults", "none",
     "nodefaults for exports pinned to defaults-only builds"),
)


def _effect(f) -> str:
    eff = getattr(f, "effect", None)
    if eff is None:
        return "unjudged"
    return "judged" if eff.made or (f.rule == "ES002" and eff.excluded) else "no-effect"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("directory")
    p.add_argument("--extend-select", default="", help="comma-separated opt-in rule ids to add")
    p.add_argument("--quiet", action="store_true", help="the counts and the cases only")
    args = p.parse_args(argv)
    extra = frozenset(x.strip().upper() for x in args.extend_select.split(",") if x.strip())
    counts: dict[str, collections.Counter] = {}
    judged: dict[str, collections.Counter] = {}
    applied: dict[tuple[str, str], set[tuple[str, str]]] = collections.defaultdict(set)
    for mode, unsafe in (("safe", False), ("unsafe", True)):
        counts[mode], judged[mode] = collections.Counter(), collections.Counter()
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
                state = _effect(f)
                judged[mode][state] += 1
                applied[(mode, path.name.split("__", 1)[0])].add((f.rule, f.package))
                if not args.quiet:
                    print(f"{mode}\t{path.name[:40]}\t{f.rule}\t{f.package}\t{f.safety}\t{state}\t{f.message[:140]}")
    for mode, c in counts.items():
        print(f"# {mode}: {sum(c.values())} changes; " + ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
              + "; effect: " + ", ".join(f"{k} {v}" for k, v in sorted(judged[mode].items())))
    bad = 0
    for mode, prefixes, rule, package, expected, what in CASES:
        wrong = [x for x in prefixes if ((rule, package) in applied[(mode, x)]) != (expected == "applied")]
        bad += len(wrong)
        print(f"# case {mode} {rule} {package} ({what}): {len(prefixes) - len(wrong)} of {len(prefixes)} as asked"
              + (f"; not: {', '.join(wrong)}" if wrong else ""))
    print(f"# cases not as asked: {bad}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
