"""Small graph snapshots for the environment tests, written with the real writer (graphfile.compile_graph)."""

from __future__ import annotations

from envslim.document.envfile import EnvFile
from envslim.environment.graph import Graph
from envslim.environment.graphfile import Ratios, compile_graph

SOURCE = ("github.com/example/locks", "pixi.lock", "0123456789abcdef0123456789abcdef01234567", "2026-05-01")
# measured pairs: zlib 2x, everything else from the population (median 3.0, q10 2.0 .. q90 4.0)
RATIOS = Ratios.from_pairs([("a", 100, 200), ("b", 100, 250), ("c", 100, 300), ("d", 100, 300), ("e", 100, 300),
                            ("f", 100, 300), ("g", 100, 300), ("h", 100, 350), ("i", 100, 400), ("j", 100, 400)],
                           "test pairs")


def rec(name, version, build, depends=(), *, subdir="linux-64", channel="conda-forge", size=1_000_000,
        installed=None, source=SOURCE, ts=0):
    return {"name": name, "version": version, "build": build, "subdir": subdir, "channel": channel,
            "depends": list(depends), "archive_bytes": size, "installed_bytes": installed, "source": source,
            "timestamp": ts}


def graph(records) -> Graph:
    return Graph(data=compile_graph(records, RATIOS))


def doc(text: str, path: str = "environment.yml") -> EnvFile:
    return EnvFile.from_bytes(text.encode("utf-8"), path)


def python_records(*minors: str, subdir: str = "linux-64") -> list[dict]:
    out = []
    for m in minors:
        tag = m.replace(".", "")
        out.append(rec("python", f"{m}.5", f"h00_0_cpython", ["libzlib >=1.3", "libsqlite >=3.40"], subdir=subdir,
                       size=30_000_000))
        out.append(rec("python_abi", m, f"8_cp{tag}", subdir=subdir, size=7_000))
    out += [rec("libzlib", "1.3.1", "h0_2", subdir=subdir, size=60_000),
            rec("libsqlite", "3.50.0", "hnoicu_0", ["libzlib >=1.3"], subdir=subdir, size=900_000, ts=1_700_000_000),
            rec("libsqlite", "3.50.0", "hicu_0", ["libzlib >=1.3", "icu >=75"], subdir=subdir, size=900_000,
                ts=1_700_000_000),
            rec("icu", "75.1", "h0_0", subdir=subdir, size=12_000_000)]
    return out
