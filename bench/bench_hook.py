"""Benchmark the pre-commit hook path: ``envslim rewrite --check FILE`` against pre-commit-hooks' ``check-yaml``.

    python bench/bench_hook.py [--runs 15] [FILE ...]

``check-yaml`` (https://github.com/pre-commit/pre-commit-hooks) only loads the YAML; it is the floor for a
hook that reads an environment file. Both run as their console scripts in fresh processes, the way
pre-commit runs them, on the same file: by default the seed's example (examples/environment.yml), the three
stacks of ../shared/examples/stacks and the largest file of ../shared/corpus/files (skipped when ../shared is
absent). Runs are interleaved (the order alternates each round) and the median of ``--runs`` runs of each is
reported. Goal: ratio <= 1.3.

Both get byte-code compiled once into a scratch ``pycache_prefix`` (a pip-installed package has its .pyc
files; this checkout may run with PYTHONDONTWRITEBYTECODE=1), after two warm-up runs each.

CPU time (user + system of the child) is printed beside the wall time: it moves less when the machine is
busy. Also printed: the CPU time of the imports that path makes (envslim.cli, the rules and what they
import; not PyYAML, which a file in the plain YAML subset does not need) in a fresh interpreter, median of
5. The knowledge entries are read from the compiled knowledge index and the graph from the compiled
snapshot, as in any installed copy: the bench compiles both beside the package (``python -m
envslim.knowledge.index``, ``python -m envslim.environment.graphbin``) and removes them afterwards.
Prints figures only; it asserts nothing. Needs the ``bench`` extra (pre-commit-hooks).

``--pre-commit`` runs both the way a pre-commit user meets them: ``pre-commit run HOOK --files FILE`` in a
scratch git repository whose ``.pre-commit-config.yaml`` declares each console script as a local ``system``
hook (so no hook environment is installed or timed), with the file copied in. The CPU figure then counts
pre-commit itself and its git calls on both sides (the children's CPU includes the hook's). Needs the
``test`` extra too (pre-commit).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "files"
STACKS = ROOT.parent / "shared" / "examples" / "stacks"  # three ordinary service stacks (API, geo, CPU torch)


def script(name: str) -> str | None:
    """The console script ``name`` next to this interpreter, else on PATH."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else shutil.which(name)


def default_files() -> list[Path]:
    files = [ROOT / "examples" / "environment.yml"]
    if STACKS.is_dir():
        files += sorted(STACKS.glob("*.yml"))
    if CORPUS.is_dir():
        files.append(max(sorted(CORPUS.iterdir()), key=lambda p: p.stat().st_size))
    else:
        print(f"note: {CORPUS} is absent; benchmarking the example only")
    return files


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return took, _children_cpu() - cpu


IMPORTS = """
import time
t = time.process_time()
import envslim.cli, envslim.config, envslim.document.envfile, envslim.plan, envslim.output.rewrite
from envslim.rules import all_rules
all_rules()  # PyYAML is not imported: envslim.document.yamlsubset reads the plain files env files are
took = time.process_time() - t
import sys
print(took, " ".join(sorted(m for m in sys.modules if m.startswith("envslim"))))
"""


def import_cost(env: dict) -> tuple[float, list[str]]:
    """CPU seconds to import what ``rewrite --check`` imports (envslim.cli, the rules; PyYAML only for a file
    outside the plain subset envslim.document.yamlsubset reads) in a fresh interpreter, and the envslim
    modules that makes."""
    out = subprocess.run([sys.executable, "-c", IMPORTS], env=env, capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout.split()
    return float(out[0]), out[1:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--pre-commit", action="store_true",
                    help="run both through `pre-commit run HOOK --files FILE` (local system hooks)")
    ap.add_argument("--summary", action="store_true", help="one line per file: the CPU ratio (for a corpus)")
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    envslim, check_yaml = script("envslim"), script("check-yaml")
    if args.pre_commit and script("pre-commit") is None:
        raise SystemExit("pre-commit is not installed: pip install -e .[test]")
    if envslim is None:
        raise SystemExit("the envslim console script is not installed (pip install -e .)")
    if check_yaml is None:
        raise SystemExit("check-yaml is not installed: pip install -e .[bench] (pre-commit-hooks)")
    files = args.files or default_files()
    made = []
    for module, file in (("envslim.knowledge.index", "_knowledge_index.bin"),
                         ("envslim.environment.graphbin", "_graph_snapshot.bin")):
        out = ROOT / "envslim" / file
        if not out.exists():
            made.append(out)
        subprocess.run([sys.executable, "-m", module, str(out)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        return _bench(args, files, envslim, check_yaml)
    finally:
        for out in made:
            out.unlink()


CONFIG = """repos:
- repo: local
  hooks:
  - id: envslim
    name: envslim rewrite --check
    entry: {envslim} rewrite --check
    language: system
    files: '\\.ya?ml$'
  - id: check-yaml
    name: check-yaml
    entry: {check_yaml}
    language: system
    files: '\\.ya?ml$'
"""


def _repository(where: str, envslim: str, check_yaml: str, env: dict) -> str:
    """A scratch git repository with the two hooks declared (``--pre-commit``)."""
    repo = os.path.join(where, "repo")
    os.mkdir(repo)
    with open(os.path.join(repo, ".pre-commit-config.yaml"), "w", encoding="utf-8") as f:
        f.write(CONFIG.format(envslim=envslim, check_yaml=check_yaml))
    for cmd in (["git", "init", "-q"], ["git", "add", ".pre-commit-config.yaml"]):
        subprocess.run(cmd, cwd=repo, env=env, check=True)
    return repo


def _bench(args, files, envslim, check_yaml) -> int:
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR")}
        env.update(PYTHONPYCACHEPREFIX=cache, PYTHONPATH=str(ROOT))
        repo = None
        if args.pre_commit:
            env.update(PRE_COMMIT_HOME=os.path.join(cache, "pre-commit"), GIT_CONFIG_GLOBAL=os.devnull,
                       GIT_CONFIG_NOSYSTEM="1", SKIP="")
            repo = _repository(cache, envslim, check_yaml, env)
        how = "through pre-commit run, " if repo else ""
        print(f"python {sys.version.split()[0]}, {how}{args.runs} interleaved runs each, median wall time")
        for path in files:
            ours = [envslim, "rewrite", "--check", str(path)]
            theirs = [check_yaml, str(path)]
            if repo is not None:
                name = "env" + "".join(path.suffixes[-1:]) if path.suffix in (".yml", ".yaml") else "env.yml"
                shutil.copyfile(path, os.path.join(repo, name))
                pre_commit = [script("pre-commit"), "run", "--config", os.path.join(repo, ".pre-commit-config.yaml")]
                ours = ["env", "-C", repo, *pre_commit, "envslim", "--files", name]
                theirs = ["env", "-C", repo, *pre_commit, "check-yaml", "--files", name]
            for _ in range(2):
                timed(ours, env), timed(theirs, env)
            a, b = [], []
            for i in range(args.runs):
                if i % 2:
                    b.append(timed(theirs, env))
                    a.append(timed(ours, env))
                else:
                    a.append(timed(ours, env))
                    b.append(timed(theirs, env))
            cpu_ratio = statistics.median(c for _, c in a) / statistics.median(c for _, c in b)
            if args.summary:
                print(f"{cpu_ratio:5.2f}  {statistics.median(c for _, c in a) * 1000:6.1f} ms"
                      f"  {statistics.median(c for _, c in b) * 1000:6.1f} ms  {path.name}", flush=True)
                continue
            costs = [import_cost(env) for _ in range(5)]
            imports = statistics.median(c[0] for c in costs)
            size = path.stat().st_size
            print(f"\n{path.name} ({size:,} bytes, {path.read_text(encoding='utf-8').count(chr(10))} lines)")
            print("                           wall median (min-max)         CPU median")
            for label, runs in (("envslim rewrite --check", a), ("check-yaml", b)):
                wall = [w for w, _ in runs]
                print(f"  {label:24s} {statistics.median(wall) * 1000:6.1f} ms ({min(wall) * 1000:.1f}-"
                      f"{max(wall) * 1000:.1f})   {statistics.median(c for _, c in runs) * 1000:6.1f} ms")
            ratio = statistics.median(w for w, _ in a) / statistics.median(w for w, _ in b)
            print(f"  ratio                    {ratio:6.2f} wall, {cpu_ratio:.2f} CPU   (goal <= 1.3)")
            print(f"  imports (CPU)            {imports * 1000:6.1f} ms   "
                  f"({len(costs[0][1])} envslim modules)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
