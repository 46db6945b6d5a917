#!/usr/bin/env python3
"""Append re-based linux-64 closure estimates (tools/rebase_figures.py) to knowledge/packages/*.toml.

Each line of PLAN is (package, version, python, what); a figure whose id is already in the entry is
skipped, and a [[sources]] table is added for each lock file a root comes from. Re-run after changing
the method, having deleted the old ``*-linux-64-est`` figures.

Measurement script only (not part of the envslim package); stdlib only.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
KNOWLEDGE = HERE.parent / "knowledge" / "packages"
PLAN = [
    *[("pyarrow", "25.0.0", py, "beyond") for py in ("3.10", "3.11", "3.12", "3.13", "3.14")],
    ("pyarrow", "18.1.0", "3.10", "beyond"),
    ("numpy", "2.0.2", "3.9", "beyond"), ("numpy", "2.2.6", "3.10", "beyond"), ("numpy", "2.4.6", "3.11", "beyond"),
    *[("numpy", "2.5.1", py, "beyond") for py in ("3.12", "3.13", "3.14")],
    *[("numpy", "1.26.4", py, "beyond") for py in ("3.9", "3.10", "3.11", "3.12")],
    ("pandas", "2.1.3", "3.12", "beyond"), ("pandas", "2.2.3", "3.10", "beyond"), ("pandas", "2.3.3", "3.10", "beyond"),
    *[("pandas", "3.0.5", py, "beyond") for py in ("3.11", "3.12", "3.13", "3.14")],
    *[("python", v, None, "python") for v in ("3.9.23", "3.10.20", "3.11.15", "3.12.13", "3.13.14", "3.14.6")],
    ("matplotlib-base", "3.8.4", "3.11", "beyond"), ("matplotlib-base", "3.10.8", "3.11", "beyond"),
    ("matplotlib", "3.8.4", "3.11", "beyond"), ("matplotlib", "3.10.8", "3.11", "beyond"),
]


def main() -> int:
    for name, version, py, what in PLAN:
        path = KNOWLEDGE / f"{name}.toml"
        text = path.read_text(encoding="utf-8")
        fid = f"cf-closure-{version}-{'py' + py.replace('.', '') + '-' if py else ''}linux-64-est"
        if f'id = "{fid}"' in text:
            continue
        args = [sys.executable, str(HERE / "rebase_figures.py"), name, "--version", version, "--what", what, "--id", fid]
        if py:
            args += ["--python", py]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        lock = re.search(r"^# lock file: (\S+)", out, re.M).group(1)
        url = lock.replace("https://github.com/", "https://github.com/")
        sid = next((m.group(1) for m in re.finditer(r'\[\[sources\]\]\nid = "([^"]+)"\ntitle = "[^"]*"\nurl = "([^"]+)"', text)
                    if m.group(2) == url), None)
        if sid is None:
            used = set(re.findall(r'^id = "(LK\d+)"', text, re.M))
            sid = next(f"LK{i}" for i in range(1, 100) if f"LK{i}" not in used)
            repo, _, rest = lock.removeprefix("https://github.com/").partition("/blob/")
            commit = rest.split("/")[0][:7]
            text = text.rstrip("\n") + (f'\n\n[[sources]]\nid = "{sid}"\ntitle = "{repo} {rest.partition("/")[2]} @{commit}'
                                        f' (conda-forge archive sizes and depends; closure re-walked in shared/data/raw/'
                                        f'lock_entries.jsonl)"\nurl = "{url}"\ndate = "2026-11-27"\n')
        body, _, members = out.split("\n", 1)[1].replace('source = "S?"', f'source = "{sid}"').partition(
            "# knowledge/members/NAME.toml:\n")
        mpath = KNOWLEDGE.parent / "members" / f"{name}.toml"
        mtext = mpath.read_text(encoding="utf-8") if mpath.exists() else (
            f"# Members of the closure figures in ../packages/{name}.toml (tools/add_closure_figures.py).\n")
        mpath.write_text(mtext.rstrip("\n") + "\n\n" + members, encoding="utf-8")
        # figures go before the first [[sources]] table
        at = text.index("[[sources]]")
        text = text[:at] + body.rstrip("\n") + "\n\n" + text[at:]
        path.write_text(text, encoding="utf-8")
        print(f"{name}: {fid}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
