#!/usr/bin/env python3
"""Add a noarch package's run requirements, as its conda-forge feedstock recipe states them, to
tools/data/graph_fill.jsonl (read by build_graph.py, which keeps such a record only where no lock file has
a build of the name for that subdir and channel).

For packages no public lock file has: the recipe gives what the package depends on, so the whole-environment
judgement can see what it does and does not reach, but not its bytes: archive and installed bytes stay
unknown (None), and the build is named ``recipe_N`` (N the recipe's build number), not a build string
conda-forge would have given it. Only ``noarch`` recipes are read (a compiled package's depends differ per
platform and Python, which a recipe does not settle).

The recipe (``recipe/meta.yaml`` or ``recipe/recipe.yaml``, or ``--recipe PATH``; ``--channel`` for another
channel's recipes, like pytorch/builder's) is read at the newest commit that changed it (``--commit`` for an
older one): its
Jinja variables (``{% set x = "..." %}``, ``context:``) are substituted, ``python_min`` is kept only where the
recipe sets it (else ``python`` is left unbounded), ``pin_subpackage(NAME, max_pin='x.x.x')`` is rendered as
conda-build renders it, and a requirement line with a selector (``# [win]``) is left out and reported. A
recipe whose Jinja is more than that (``{% set major = version.split(".")[0]|int %}``, ``{% if %}`` blocks:
not YAML once rendered so far) is skipped with one warning line naming it, and nothing is written.

    python tools/recipe_records.py /work/.mirror/conda-forge+olefile-feedstock/repo \\
        github.com/conda-forge/olefile-feedstock

Measurement script only (not part of the envslim package).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "data" / "graph_fill.jsonl"
RECIPES = ("recipe/recipe.yaml", "recipe/meta.yaml")
_SET = re.compile(r"""{%-?\s*set\s+(\w+)\s*=\s*["']([^"']*)["']\s*-?%}""")
_VAR = re.compile(r"\$?{{\s*(.+?)\s*}}")
_PIN = re.compile(r"""pin_subpackage\(\s*["']([\w.-]+)["']\s*,\s*max_pin\s*=\s*["']([x.]+)["']\s*\)""")
_SELECTOR = re.compile(r"#\s*\[[^\]]*\]\s*$")


def git(gitdir: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", gitdir, *args], check=True, capture_output=True, text=True).stdout


def upper_bound(version: str, max_pin: str) -> str:
    """conda-build's pin: 5.7.2 with x.x.x -> 5.7.3.0a0 (the last pinned part bumped)."""
    parts = version.split(".")[: max_pin.count("x")]
    parts[-1] = str(int(parts[-1]) + 1)
    return ".".join(parts) + ".0a0"


class Unrendered(ValueError):
    """The recipe is not YAML once rendered as far as this script renders Jinja."""


def render(text: str) -> tuple[str, list[str]]:
    """The recipe text with its variables substituted and selector lines left out (and listed); each line left
    out is an empty line, so that a line of the result is the same line of the recipe."""
    variables = dict(_SET.findall(text))
    context = re.search(r"(?m)^context:\n((?:[ \t]+.*\n)+)", text)  # recipe.yaml (schema 1)
    if context:
        for key, value in (yaml.safe_load(context.group(1)) or {}).items():
            variables.setdefault(key, str(value))
    version = variables.get("version", "")
    skipped = []
    lines = []
    for line in text.splitlines():
        if _SET.search(line):
            lines.append("")
            continue
        body = line.split("#", 1)[0] if _SELECTOR.search(line) else None
        if body is not None and body.strip().startswith("-"):
            skipped.append(line.strip())
            lines.append("")
            continue

        def sub(m: re.Match) -> str:
            expr = m.group(1).strip()
            pin = _PIN.fullmatch(expr)
            if pin:
                return f"{pin.group(1)} >={version},<{upper_bound(version, pin.group(2))}"
            key = expr.split("|", 1)[0].strip()
            if key in variables:
                return variables[key].lower() if "lower" in expr else variables[key]
            if key == "python_min":
                return "PYTHON_MIN"
            return "UNRENDERED"
        lines.append(_VAR.sub(sub, line))
    return "\n".join(lines) + "\n", skipped


def depends_of(run) -> list[str]:
    out = []
    for item in run or ():
        if not isinstance(item, str):
            continue
        spec = " ".join(item.replace("PYTHON_MIN.*", "PYTHON_MIN").split())
        if "PYTHON_MIN" in spec or "UNRENDERED" in spec:  # a bound the recipe leaves to the global pinning
            spec = spec.split()[0]
        out.append(spec)
    return out


def records(text: str, source: str, date: str, channel: str = "conda-forge") -> tuple[list[dict], list[str]]:
    rendered, skipped = render(text)
    try:
        recipe = yaml.safe_load(rendered)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise Unrendered(f"not YAML once its Jinja is rendered as far as this script renders it ({where}{problem})"
                         ) from None
    if not isinstance(recipe, dict):
        raise Unrendered("not a mapping once its Jinja is rendered as far as this script renders it")
    pkg, build = recipe.get("package") or {}, recipe.get("build") or {}
    if not build.get("noarch"):
        raise SystemExit(f"{source}: not a noarch recipe: its depends differ per platform and Python")
    version = str(pkg.get("version"))
    number = build.get("number", 0)
    top = depends_of((recipe.get("requirements") or {}).get("run"))
    outputs = recipe.get("outputs") or [{"name": pkg.get("name")}]
    out = []
    for o in outputs:
        name = (o.get("package") or {}).get("name") or o.get("name")
        run = (o.get("requirements") or {}).get("run")
        out.append({"name": name, "version": version, "build": f"recipe_{number}", "subdir": "noarch",
                    "channel": channel, "url": source, "size": None,
                    "depends": depends_of(run) if run is not None else top, "timestamp": None, "recipe": True,
                    "source": source, "source_date": date})
    return out, skipped


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gitdir")
    ap.add_argument("repo", help="github.com/conda-forge/NAME-feedstock")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--recipe", help="the recipe's path when not recipe/meta.yaml or recipe/recipe.yaml")
    ap.add_argument("--commit", default="HEAD", help="read the recipe at this commit (e.g. before its removal)")
    ap.add_argument("--channel", default="conda-forge", help="the channel the recipe's builds are served on")
    args = ap.parse_args(argv)
    recipes = (args.recipe,) if args.recipe else RECIPES
    commit, date = git(args.gitdir, "log", "-1", "--format=%H %cs", args.commit, "--", *recipes).split()
    for path in recipes:
        try:
            text = git(args.gitdir, "show", f"{commit}:{path}")
        except subprocess.CalledProcessError:
            continue
        break
    else:
        raise SystemExit(f"{args.repo}: no {' or '.join(recipes)} at {commit}")
    source = f"{args.repo}/blob/{commit}/{path}"
    try:
        found, skipped = records(text, source, date, args.channel)
    except Unrendered as e:  # one line, and the next recipe of a batch still gets its turn
        print(f"recipe_records: warning: {source}: skipped: {e}", file=sys.stderr)
        return 0
    seen = set()
    if args.out.exists():
        seen = {(r["name"], r["version"], r["url"]) for r in map(json.loads, args.out.read_text().splitlines()) if r}
    with args.out.open("a", encoding="utf-8") as out:
        for r in found:
            if (r["name"], r["version"], r["url"]) not in seen:
                out.write(json.dumps(r, separators=(",", ":")) + "\n")
            print(f"{r['name']} {r['version']} {r['build']}: {', '.join(r['depends'])}", file=sys.stderr)
    for line in skipped:
        print(f"  left out (selector): {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
