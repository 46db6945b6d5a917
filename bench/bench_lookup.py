"""Benchmark: PyPI wheel lookups against the local test server with 100 ms added per request.

Prints, for a 30-package lookup (python 3.11, linux-64): cold (empty cache), warm (fresh cache),
revalidating (cache past its TTL: conditional requests answered 304) and cold with one request at a
time; then the bytes transferred for one wheel-size lookup against the wheel's size.

    python bench/bench_lookup.py [--latency 0.1] [--packages 30]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "sources"))

from pkgserver import PackageServer, PypiFile, build_wheel, unzip_sum  # noqa: E402

from envslim.online import Cache, Session, lookup_wheels, run  # noqa: E402


def make_index(server: PackageServer, count: int) -> list[str]:
    """``count`` projects, three releases each; the latest has a real wheel of 20 KB to 4 MB."""
    rng = random.Random(2024)
    names = []
    for i in range(count):
        name = f"pkg{i:02d}"
        modules = rng.randint(10, 400)
        blob = rng.choice([0, 0, 50_000, 500_000, 4_000_000])
        files = {f"{name}/m{j}.py": f"VALUE_{j} = {j}\n".encode() * 40 for j in range(modules)}
        if blob:
            files[f"{name}/_native.so"] = rng.randbytes(blob)
        tag = "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64" if blob else "py3-none-any"
        wheel = build_wheel(name, "3.0", tag, files)
        server.add_pypi_project(name, [
            PypiFile(f"{name}-1.0.tar.gz", "1.0", size=20_000),
            PypiFile(f"{name}-2.0-py3-none-any.whl", "2.0", size=30_000),
            PypiFile(f"{name}-3.0-{tag}.whl", "3.0", wheel),
        ])  # fmt: skip
        names.append(name)
    return names


def timed(server: PackageServer, names: list[str], cache: Cache | bool, **kw) -> tuple[float, Session]:
    async def go() -> Session:
        async with Session(cache=cache, pypi_url=server.url, **kw) as session:
            result = await lookup_wheels(names, python="3.11", platform="linux-64", session=session)
            assert all(result.values()), session.warnings
            return session

    started = time.perf_counter()
    session = run(go())
    return time.perf_counter() - started, session


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--packages", type=int, default=30)
    args = parser.parse_args(argv)
    with PackageServer(latency=args.latency) as server, tempfile.TemporaryDirectory() as tmp:
        names = make_index(server, args.packages)
        clock_offset = [0.0]
        cache = Cache(Path(tmp) / "cache", ttl=3600, clock=lambda: time.time() + clock_offset[0])
        print(f"{args.packages}-package lookup, {args.latency * 1000:.0f} ms added per request")
        rows = [("cold", timed(server, names, cache))]
        rows.append(("warm (fresh cache)", timed(server, names, cache)))
        clock_offset[0] = 7200.0  # past the TTL: every JSON document is revalidated
        rows.append(("warm (revalidate, 304)", timed(server, names, cache)))
        rows.append(("cold, concurrency 1", timed(server, names, False, concurrency=1)))
        for label, (seconds, session) in rows:
            print(
                f"  {label:24} {seconds:7.3f} s  {session.requests:3d} requests"
                f"  {session.bytes_downloaded:10d} bytes"
            )

        big = build_wheel(
            "bigwheel", "1.0", "cp311-cp311-manylinux_2_28_x86_64",
            {**{f"bigwheel/sub/m{j}.py": b"x = 1\n" * 50 for j in range(1500)},
             "bigwheel/_core.so": random.Random(1).randbytes(20_000_000)},
        )  # fmt: skip
        server.add_pypi_project(
            "bigwheel", [PypiFile("bigwheel-1.0-cp311-cp311-manylinux_2_28_x86_64.whl", "1.0", big)]
        )
        for label, data_name in (("small wheel", names[0]), ("big wheel", "bigwheel")):
            before = len(server.log)
            _, session = timed(server, [data_name], False)
            path = next(p for p in server.files if p.startswith(f"/files/{data_name}-"))
            size = len(server.files[path])
            wheel_reads = sum(1 for p, _ in server.log[before:] if p == path)
            json_bytes = len(server.json_docs[f"/pypi/{data_name}/json"])
            ranged = session.bytes_downloaded - json_bytes
            print(
                f"one wheel-size lookup ({label}, {path.rsplit('/', 1)[1]}): wheel {size} bytes,"
                f" installed {unzip_sum(server.files[path])} bytes; range reads transferred"
                f" {ranged} bytes ({100 * ranged / size:.2f}% of the wheel) in {wheel_reads}"
                f" request(s), plus {json_bytes} bytes of JSON"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
