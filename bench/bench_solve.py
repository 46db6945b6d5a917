"""Benchmark: ``envslim report --solve`` against a local channel and PyPI (tests/solve's world: real
.conda files built by rattler-build, indexed by rattler, served with Range on 127.0.0.1).

Prints, for a 7-package environment file (median of ``--repeat`` runs, each a fresh process):
- cold: empty cache (repodata, sizes and uv's cache all fetched); the goal is under 2 s;
- warm: the same again (everything cached); the goal is within 3x of
- bare: ``rattler.solve`` of the same conda specs in a fresh process (import, gateway, solve, with its
  repodata cache warm: one untimed run first), the floor any solving report pays.

The channel's repodata is served as the real channels serve it, with ``Cache-Control: public, max-age=30``
(repo.anaconda.com's answers quoted in conda/conda#13475, 2024-01-06; conda.anaconda.org sends max-age=1200
by mamba-org/quetz#414, 2021-06-18), and the PyPI index pages as pypi.org serves them, with
``Cache-Control: max-age=600, public`` (quoted in pulp/pulp_python#1254, 2026-06-11): a warm run within
that window reads its copies without asking, as rattler's gateway and uv do. ``--revalidate`` serves both
without Cache-Control instead, so every warm run (envslim's, uv's and the bare solve's) asks the server
again (a 304 where it can).

    python bench/bench_solve.py [--repeat 5] [--revalidate]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "online"))

from pkgserver import PackageServer  # noqa: E402

from tests.solve.conftest import Channel, PyPI  # noqa: E402
from tests.solve.world import build_world  # noqa: E402

SPECS = ["python=3.11", "pip", "numpy", "pyarrow=15", "requests", "libopenblas", "locket"]
FILE = "name: bench\nchannels:\n  - conda-forge\n  - nodefaults\ndependencies:\n" + "".join(
    f"  - {s}\n" for s in SPECS) + "  - pip:\n    - tqdm\n"

BARE = """
import asyncio, os, rattler
async def go():
    gw = rattler.Gateway(cache_dir=os.environ["RATTLER_BENCH_CACHE"])
    vp = [rattler.GenericVirtualPackage(rattler.PackageName("__glibc"), rattler.Version("2.28"),
                                        rattler.BuildString("0"))]
    return await rattler.solve([rattler.Channel(os.environ["RATTLER_BENCH_CHANNEL"])], {specs!r},
                               gateway=gw, platforms=["linux-64", "noarch"], virtual_packages=vp)
print(len(asyncio.run(go())))
# leave without finalisation, as envslim does (envslim.cli.leave): py-rattler's runtime threads can
# otherwise crash the interpreter's teardown (PyGILState_Release, exit 134/139)
import sys; sys.stdout.flush(); os._exit(0)
"""


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one child process: other work on the machine inflates
    the CPU figure far less than the wall clock."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[:4]} failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--revalidate", action="store_true",
                        help="serve repodata without Cache-Control (every warm run asks the server again)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="envslim-bench-solve-"))
    # the knowledge index, as in any installed copy (as bench_hook.py does): without it a checkout reads
    # the knowledge files' TOML on every run
    index = ROOT / "envslim" / "_knowledge_index.bin"
    made = not index.exists()
    subprocess.run([sys.executable, "-m", "envslim.knowledge.index", str(index)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        return _bench(args, work)
    finally:
        if made:
            index.unlink()


def _bench(args: argparse.Namespace, work: Path) -> int:
    with PackageServer() as server:
        server.validated = ("/conda/",)  # ETag and Last-Modified on repodata, a 304 for a copy still current
        if not args.revalidate:  # as repo.anaconda.com serves repodata and pypi.org its index (see the docstring)
            server.cache_control["/conda/"] = "public, max-age=30"
            server.cache_control["/simple/"] = "max-age=600, public"
        channel = Channel(work / "channels", server)
        build_world(channel, PyPI(server))
        url = channel.publish()
        envfile = work / "environment.yml"
        envfile.write_text(FILE)
        base = dict(os.environ, ENVSLIM_CONDA_URL=server.url + "/conda", ENVSLIM_PYPI_URL=server.url,
                    PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(work / "pycache"))
        # byte-code as an installed envslim has it (a wheel install compiles it): with
        # PYTHONDONTWRITEBYTECODE set, every run would compile envslim's sources again (about 0.2 s of CPU)
        # while the bare solve imports only compiled site-packages
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        report = [sys.executable, "-m", "envslim.cli", "report", "--solve", "--format", "json", str(envfile)]
        cold, warm, bare, warm_cpu, bare_cpu = [], [], [], [], []
        for i in range(args.repeat):
            env = dict(base, ENVSLIM_CACHE_DIR=str(work / f"cache-{i}"))
            cold.append(timed(report, env)[0])
            wall, cpu = timed(report, env)
            warm.append(wall)
            warm_cpu.append(cpu)
            # envslim keeps its own copies of the repodata: the bare solve warms rattler's cache first
            bare_env = dict(base, RATTLER_BENCH_CACHE=str(work / f"bare-{i}"), RATTLER_BENCH_CHANNEL=url)
            timed([sys.executable, "-c", BARE.format(specs=SPECS)], bare_env)
            wall, cpu = timed([sys.executable, "-c", BARE.format(specs=SPECS)], bare_env)
            bare.append(wall)
            bare_cpu.append(cpu)
    c, w, b = (statistics.median(x) for x in (cold, warm, bare))
    wc, bc = statistics.median(warm_cpu), statistics.median(bare_cpu)
    served = "no Cache-Control: every warm run revalidates" if args.revalidate else "Cache-Control: max-age=30"
    print(f"report --solve, {len(SPECS)} conda specs + 1 pip line, median of {args.repeat} fresh processes"
          f" (repodata served with {served}):")
    print(f"  cold  {c:.3f} s  (goal < 2 s: {'met' if c < 2 else 'NOT met'}; runs {', '.join(f'{x:.3f}' for x in cold)})")
    print(f"  warm  {w:.3f} s  (runs {', '.join(f'{x:.3f}' for x in warm)})")
    print(f"  bare rattler.solve  {b:.3f} s  (runs {', '.join(f'{x:.3f}' for x in bare)})")
    print(f"  warm / bare = {w / b:.2f}x (goal <= 3x: {'met' if w <= 3 * b else 'NOT met'})")
    print(f"  CPU seconds (user + system), median: warm {wc:.3f} s, bare {bc:.3f} s, warm / bare = {wc / bc:.2f}x")
    print(f"  load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
