"""Benchmark: ``envslim report --online`` for a 30-package environment against the local test server with
100 ms added per request.

The environment has 20 pip requirements (real wheels of 20 KB to 4 MB) and 10 conda packages without a
knowledge closure (pip and 9 others; real .conda files, looked up through the anaconda.org files API and range-read for their
info/paths.json). Prints the wall time of the whole command (``envslim.cli.main``, in process) and the number
of requests the server saw: cold (empty cache), warm (fresh cache), and ``--offline`` on the warm cache.

    python bench/bench_report.py [--latency 0.1] [--pip 20] [--conda 10]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from envslim import cli  # noqa: E402
from tests.online.pkgserver import CondaArtifact, PackageServer, PypiFile, build_conda, build_wheel  # noqa: E402


def make_index(server: PackageServer, pip: int, conda: int) -> str:
    rng = random.Random(2024)
    lines = ["channels:", "  - conda-forge", "  - nodefaults", "dependencies:"]
    for i in range(conda):
        name = f"libbench{i:02d}" if i else "pip"  # a pip: section needs pip on the conda side
        files = {f"lib/{name}.so.{j}": rng.randbytes(rng.randint(1_000, 200_000)) for j in range(5)}
        artifacts = [CondaArtifact(name, v, "h0_0", "linux-64", build_conda(name, v, "h0_0", "linux-64", files))
                     for v in ("1.0", "1.1")]
        server.add_conda_package("conda-forge", name, artifacts)
        lines.append(f"  - {name}>=1")
    lines.append("  - pip:")
    for i in range(pip):
        name = f"pkg{i:02d}"
        blob = rng.choice([20_000, 50_000, 500_000, 4_000_000])
        wheel = build_wheel(name, "3.0", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
                            {f"{name}/__init__.py": b"X = 1\n", f"{name}/_native.so": rng.randbytes(blob)})
        server.add_pypi_project(name, [
            PypiFile(f"{name}-2.0-py3-none-any.whl", "2.0", size=30_000),
            PypiFile(f"{name}-3.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "3.0", wheel),
        ])
        lines.append(f"    - {name}")
    return "\n".join(lines) + "\n"


def timed(server: PackageServer, argv: list[str]) -> tuple[float, int, int]:
    before = len(server.log)
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main(argv)
    seconds = time.perf_counter() - started
    if rc != 0 or err.getvalue():
        raise SystemExit(f"report failed ({rc}): {err.getvalue()}")
    return seconds, len(server.log) - before, len(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--pip", type=int, default=20)
    parser.add_argument("--conda", type=int, default=10)
    args = parser.parse_args(argv)
    with PackageServer(latency=args.latency) as server, tempfile.TemporaryDirectory() as tmp:
        env = Path(tmp) / "environment.yml"
        env.write_text(make_index(server, args.pip, args.conda))
        os.environ.update(ENVSLIM_PYPI_URL=server.url, ENVSLIM_ANACONDA_URL=server.url,
                          ENVSLIM_CONDA_URL=server.url + "/conda", ENVSLIM_CACHE_DIR=str(Path(tmp) / "cache"))
        print(f"envslim report --online, {args.pip + args.conda} packages ({args.pip} pip, {args.conda} conda),"
              f" {args.latency * 1000:.0f} ms added per request")
        for label, extra in (("cold (empty cache)", ["--online"]), ("warm (fresh cache)", ["--online"]),
                             ("--offline (warm cache)", ["--offline"])):
            seconds, requests, size = timed(server, ["report", *extra, "--format", "json", str(env)])
            print(f"  {label:24} {seconds:7.3f} s  {requests:3d} requests  ({size} bytes of JSON out)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
