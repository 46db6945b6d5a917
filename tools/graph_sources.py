#!/usr/bin/env python3
"""Add the conda artifacts of public pixi.lock files to tools/data/graph_sources.jsonl.gz (read by build_graph.py).

Reads a lock file from a local git copy of a public repository (``fetch`` gives one), at its newest commit
and at up to ``--history`` older commits that changed it, and appends one line per artifact not yet
recorded: name, version, build, subdir, url, size (archive bytes), depends, timestamp, the channel, and
the source (``github.com/OWNER/REPO/blob/COMMIT/PATH``) with the commit's date. pixi.lock formats 4 to 6+
(``kind: conda`` entries, or ``conda: URL`` entries) and conda-lock.yml version 1 (``package`` entries,
``manager: conda``) are read; an artifact without ``size`` is kept (conda-lock files have none: its archive
and installed bytes are then unknown).

    python tools/graph_sources.py /work/.mirror/Deltares+imod-python/repo github.com/Deltares/imod-python \\
        --path pixi.lock --history 12

Measurement script only (not part of the envslim package).
"""
from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "data" / "graph_sources.jsonl.gz"
sys.path.insert(0, str(HERE))
from build_graph import channel_of  # noqa: E402


def git(gitdir: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", gitdir, *args], check=True, capture_output=True, text=True).stdout


def split_filename(url: str) -> tuple[str, str, str]:
    """``.../name-version-build.conda`` -> (name, version, build)."""
    fn = url.rsplit("/", 1)[-1].removesuffix(".conda").removesuffix(".tar.bz2")
    name, version, build = fn.rsplit("-", 2)
    return name, version, build


def conda_lock_artifacts(data: dict):
    """conda-lock.yml (version 1): one ``package`` entry per platform, its ``dependencies`` a mapping of name
    to version spec; no archive size, no timestamp (both None)."""
    for p in data.get("package", ()) or ():
        url = p.get("url") or ""
        if p.get("manager") != "conda" or not url.endswith((".conda", ".tar.bz2")):
            continue
        name, version, build = split_filename(url)
        depends = [f"{n} {v}".strip() if v and v != "*" else n for n, v in (p.get("dependencies") or {}).items()]
        yield {"name": p.get("name") or name, "version": str(p.get("version") or version), "build": build,
               "subdir": url.rsplit("/", 2)[-2], "url": url, "size": None, "depends": depends, "timestamp": None}


def artifacts(text: str):
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if "package" in data and "packages" not in data:
        yield from conda_lock_artifacts(data)
        return
    for p in data.get("packages", ()) or ():
        url = p.get("conda") or (p.get("url") if p.get("kind") == "conda" else None)
        if not url or not url.endswith((".conda", ".tar.bz2")):
            continue
        name, version, build = split_filename(url)
        subdir = p.get("subdir") or url.rsplit("/", 2)[-2]
        yield {"name": p.get("name") or name, "version": str(p.get("version") or version),
               "build": p.get("build") or build, "subdir": subdir, "url": url, "size": p.get("size"),
               "depends": list(p.get("depends") or ()), "timestamp": p.get("timestamp")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gitdir")
    ap.add_argument("repo", help="github.com/OWNER/REPO")
    ap.add_argument("--path", default="pixi.lock")
    ap.add_argument("--history", type=int, default=0, help="older commits that changed the file to read too")
    ap.add_argument("--every", type=int, default=1, help="read every Nth of those commits")
    ap.add_argument("--out", type=Path, default=OUT,
                    help="the file to add to (.gz: gzip); a lock without archive sizes (conda-lock.yml) belongs in"
                         " tools/data/graph_fill.jsonl, which only fills names the priced sources lack")
    ap.add_argument("--skip", action="append", default=[], metavar="NAME",
                    help="leave this name out (e.g. a build of an old Python only, whose depends would stand in"
                         " for newer Pythons' and constrain what the walk chooses)")
    ap.add_argument("--commit", help="start from this commit (e.g. one where the file still existed) instead of HEAD")
    args = ap.parse_args(argv)
    seen = set()
    opener = gzip.open if args.out.suffix == ".gz" else open
    if args.out.exists():
        seen = {json.loads(line)["url"] for line in opener(args.out, "rt", encoding="utf-8") if line.strip()}
    rev = [args.commit] if args.commit else ["HEAD"]
    commits = git(args.gitdir, "log", "--format=%H %cs", *rev, "--", args.path).split("\n")
    commits = [c.split() for c in commits if c.strip()]
    picked = commits[:1] + commits[1:][::args.every][:args.history]
    added = 0
    with opener(args.out, "at", encoding="utf-8") as out:  # gzip: a new member per run
        for commit, date in picked:
            try:
                text = git(args.gitdir, "show", f"{commit}:{args.path}")
            except subprocess.CalledProcessError:
                continue
            for a in artifacts(text):
                if a["url"] in seen or a["name"] in args.skip:
                    continue
                seen.add(a["url"])
                a.update(channel=channel_of(a["url"]), source=f"{args.repo}/blob/{commit}/{args.path}",
                         source_date=date)
                out.write(json.dumps(a, separators=(",", ":")) + "\n")
                added += 1
    print(f"{args.repo} {args.path}: {len(picked)} versions read, {added} artifacts added", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
