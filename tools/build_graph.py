#!/usr/bin/env python3
"""Build the offline graph snapshot (knowledge/graph/conda.jsonl) that envslim.environment.graph reads.

Inputs (each record keeps the repository, commit and date it was seen in):

- ``../shared/data/raw/lock_entries.jsonl``: conda artifacts (name, version, build, subdir, url, archive
  ``size``, ``depends``) read from public pixi.lock files;
- ``tools/data/graph_sources.jsonl.gz``: more artifacts, same fields, from further public pixi.lock and
  conda-lock files (tools/graph_sources.py adds them; conda-lock files have no archive size);
- ``tools/data/graph_fill.jsonl``: records that only fill gaps: a record is kept only where the sources above
  have no build of its name for its subdir and channel (so a priced build is never displaced by an unpriced
  one). Artifacts of public conda-lock.yml files (depends, no archive size; conda-lock keeps the version
  part of each dependency, not its build part) and, where no lock file has a package, the run requirements
  of its conda-forge feedstock recipe (``"recipe": true``: a noarch package's depends as its recipe states
  them at that commit, no build string, archive and installed bytes unknown);
- ``../shared/data/raw/conda_meta_installed_osx-arm64_2024.json`` and the defaults rows of
  ``../shared/data/conda_sizes.csv``: artifacts whose *installed* bytes were measured from a committed
  ``conda-meta`` (exact for that artifact).

Installed bytes: exact where the artifact itself was measured; otherwise an estimate from its archive bytes
by a measured installed/archive ratio (envslim.environment.graphfile.Ratios, from the osx-arm64 conda-meta
pairs: the package's own ratio where measured, with the population's interquartile spread; else the
population's median, range q10..q90), marked as an estimate with its range. Without archive bytes the
installed size is unknown. The format is envslim.environment.graphfile's.

    python tools/build_graph.py [--out knowledge/graph/conda.jsonl]

Measurement script only (not part of the envslim package); stdlib only.
"""
from __future__ import annotations

import argparse
import csv
import re
import gzip
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from envslim.environment.graphfile import Ratios, compile_graph  # noqa: E402

SHARED = HERE.parents[1] / "shared" / "data"
LOCKS = SHARED / "raw" / "lock_entries.jsonl"
META = SHARED / "raw" / "conda_meta_installed_osx-arm64_2024.json"
SIZES = SHARED / "conda_sizes.csv"
EXTRA = HERE / "data" / "graph_sources.jsonl.gz"
FILL = HERE / "data" / "graph_fill.jsonl"
OUT = HERE.parent / "knowledge" / "graph" / "conda.jsonl"
FORMAT = 2
# the committed conda-meta environments (their rows carry only the file path; the commit's date is from
# FOOTPRINTS.md: partrita/notebook's env was built March-April 2024)
META_SOURCE = ("github.com/partrita/notebook", ".pixi/envs/default/conda-meta",
               "f441c1d85c6a9d26d1e10ec880a6adf793ddca64", "2024-04")
HGLACIER_DATE = "2023-08"  # mkl/intel-openmp 2023.1.0 (defaults), built mid-2023


def channel_of(url: str) -> str:
    """conda-forge, defaults, pytorch, nvidia, ... from an artifact URL."""
    rest = url.split("://", 1)[-1]
    host, _, path = rest.partition("/")
    if host in ("repo.anaconda.com", "repo.continuum.io"):
        return "defaults"
    parts = path.split("/")
    if host == "conda.anaconda.org" or host == "prefix.dev" or host.endswith("anaconda.org"):
        return parts[0] if parts else host
    return host + "/" + parts[0] if parts else host


def split_source(text: str, date: str) -> tuple[str, str, str, str]:
    """``github.com/OWNER/REPO/blob/COMMIT/PATH`` -> (repo, path, commit, date)."""
    repo, _, rest = text.partition("/blob/")
    commit, _, path = rest.partition("/")
    return repo, path, commit, date


def read_inputs() -> list[dict]:
    records: list[dict] = []
    for line in LOCKS.open(encoding="utf-8"):
        r = json.loads(line)
        records.append(dict(r, channel=channel_of(r["url"]), source=split_source(r["source"], r["source_date"]),
                            archive_bytes=r.get("size")))
    if EXTRA.exists():
        for line in gzip.open(EXTRA, "rt", encoding="utf-8"):
            if line.strip():
                r = json.loads(line)
                records.append(dict(r, channel=r.get("channel") or channel_of(r["url"]), archive_bytes=r.get("size"),
                                    source=split_source(r["source"], r["source_date"])))
    have = {(r["name"], r["subdir"], r["channel"]) for r in records}
    if FILL.exists():
        for line in FILL.open(encoding="utf-8"):
            if line.strip():
                r = json.loads(line)
                r = dict(r, channel=r.get("channel") or channel_of(r["url"]), archive_bytes=r.get("size"),
                         source=split_source(r["source"], r["source_date"]))
                if (r["name"], r["subdir"], r["channel"]) not in have:
                    records.append(r)
    for r in json.loads(META.read_text(encoding="utf-8")):
        records.append({"name": r["name"], "version": r["version"], "build": r["build"], "subdir": r["subdir"],
                        "url": r["url"], "archive_bytes": r.get("archive_bytes"), "depends": r.get("depends") or [],
                        "timestamp": r.get("timestamp"), "channel": channel_of(r["url"]), "source": META_SOURCE,
                        "installed_bytes": r.get("installed_bytes")})
    for row in csv.DictReader(SIZES.open(encoding="utf-8")):
        if not row["channel"].startswith("defaults (") or not row["installed_bytes"] or not row["build"]:
            continue
        records.append({"name": row["name"], "version": row["version"], "build": row["build"],
                        "subdir": row["platform"], "url": "", "archive_bytes": int(row["archive_bytes"] or 0) or None,
                        "depends": [d.strip() for d in row["depends"].split("|") if d.strip()], "timestamp": None,
                        "channel": "defaults", "source": split_source(row["source"], HGLACIER_DATE),
                        "installed_bytes": int(row["installed_bytes"])})
    return records


CUDA_RATIOS = HERE / "data" / "cuda_wheel_ratios.json"


def ratios() -> Ratios:
    """The osx-arm64 conda-meta pairs (each package's own ratio, and the population's quantiles), and per channel
    the CUDA libraries' ratios of tools/data/cuda_wheel_ratios.json (PyPI wheels of the same release): with the
    population's median, libcublas 12.1.0.26 (nvidia) was 1,270.8 MB where its wheel installs 616.5 MB."""
    rows = json.loads(META.read_text(encoding="utf-8"))
    r = Ratios.from_pairs([(r["name"], r.get("archive_bytes"), r.get("installed_bytes")) for r in rows],
                          "github.com/partrita/notebook @f441c1d committed conda-meta (osx-arm64, 2024-04)")
    pooled: dict[str, list[int]] = {}
    for p in json.loads(CUDA_RATIOS.read_text(encoding="utf-8"))["pairs"]:
        sums = pooled.setdefault(f"{p['name']}@{p['channel']}", [0, 0])
        sums[0] += p["installed_bytes"]
        sums[1] += p["archive_bytes"]
    return Ratios(r.by_name, r.q, r.source + "; NVIDIA CUDA libraries, per channel: the installed size of the PyPI"
                  " wheel of the same release (tools/data/cuda_wheel_ratios.json, PyPI read 2026-12-07)",
                  {key: installed / archive for key, (installed, archive) in pooled.items()})


# the channels the environment files envslim reads use (robostack and other channels of the lock files read
# are left out: the snapshot stays small)
CHANNELS = ("conda-forge", "defaults", "pytorch", "nvidia")


REQUIRES = HERE / "data" / "pypi_requires_dist.json"


def pypi_snapshot() -> dict:
    """knowledge/graph/pypi.json: each PyPI project's Requires-Dist (extras left out) from the snapshot
    tools/reverse_deps.py --fetch-pypi keeps, with the release and where it was read."""
    data = json.loads(REQUIRES.read_text(encoding="utf-8"))
    projects = {}
    for p in data["projects"].values():
        reqs = [r for r in p.get("requires_dist") or () if "extra ==" not in r and "extra==" not in r]
        name = re.sub(r"[-_.]+", "-", p["name"]).lower()
        projects[name] = {"version": p["version"], "requires": reqs, "url": p["url"], "uploaded": p.get("uploaded", "")}
    return {"index": data["index"], "read": data["read"], "projects": projects}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    data = compile_graph([r for r in read_inputs() if r["channel"] in CHANNELS], ratios())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    pypi = pypi_snapshot()
    (args.out.parent / "pypi.json").write_text(json.dumps(pypi, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    header = json.loads(data.split(b"\n", 1)[0])
    print(f"{args.out}: {len(data):,} bytes, {len(header['names'])} names, {len(data.split(chr(10).encode())) - 2} lines,"
          f" {len(header['sources'])} sources,"
          f" date {header['date']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
