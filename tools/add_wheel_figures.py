#!/usr/bin/env python3
"""Measure the wheels pip would pick for each supported Python and append them to knowledge/packages/*.toml.

Each line of PLAN is (conda entry, PyPI name, version or None for the newest with that tag, tag). The wheel
is read with tools/measure_wheel.py (PyPI JSON API, then HTTP range reads of the zip central directory:
installed = sum of uncompressed sizes, no .pyc). A figure whose id exists is skipped.

    python tools/add_wheel_figures.py

Measurement script only (not part of the envslim package); stdlib only.
"""
from __future__ import annotations

import datetime as _dt
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import measure_wheel as mw  # noqa: E402

KNOWLEDGE = HERE.parent / "knowledge" / "packages"
PLAN = [
    ("pyarrow", "pyarrow", None, "cp39-cp39"),  # the last release with cp39 wheels
    ("pyarrow", "pyarrow", "7.0.0", "cp39-cp39"),
    ("pyarrow", "pyarrow", "12.0.1", "cp39-cp39"),
    ("pyarrow", "pyarrow", None, "cp310-cp310"),
    ("pyarrow", "pyarrow", "26.0.1", "cp312-cp312"),
    ("pyarrow", "pyarrow", "26.0.1", "cp313-cp313"),
    ("pyarrow", "pyarrow", "26.0.1", "cp314-cp314"),
    ("opencv", "opencv-python", "4.8.1.78", "abi3"),
    ("opencv", "opencv-python-headless", "4.8.1.78", "abi3"),
]


def main() -> int:
    today = _dt.date.today().isoformat()
    for entry, pypi, version, tag in PLAN:
        path = KNOWLEDGE / f"{entry}.toml"
        text = path.read_text(encoding="utf-8")
        m = mw.measure(pypi, version, [tag])
        wtag = mw.wheel_tag(m["filename"])
        fid = f"pypi-wheel-{m['version']}-{tag.split('-')[0]}" + (f"-{pypi}" if pypi != entry else "")
        if f'id = "{fid}"' in text:
            continue
        used = set(re.findall(r'^id = "(PW\d+)"', text, re.M))
        sid = next(f"PW{i}" for i in range(1, 100) if f"PW{i}" not in used)
        fig = (f'[[figures]]\nid = "{fid}"\nside = "pypi"\nkind = "wheel"\nversion = "{m["version"]}"\n'
               f'platform = "{wtag}"\n' + (f'pypi_name = "{pypi}"\n' if pypi != entry else "") + f'archive_bytes = {m["wheel_bytes"]}\ninstalled_bytes = {m["installed_bytes"]}\n'
               f'note = "{m["filename"]}: installed = sum of the uncompressed sizes in its zip central directory '
               f'({m["n_files"]} files, no .pyc), read by HTTP range requests (tools/add_wheel_figures.py); '
               f'sha256 {m["sha256"]}"\nsource = "{sid}"\ndate = "{today}"\n\n')
        src = (f'\n[[sources]]\nid = "{sid}"\ntitle = "PyPI wheel {m["filename"]} (uploaded {m["upload_time"][:10]})"\n'
               f'url = "{m["url"]}"\ndate = "{today}"\n')
        at = text.index("[[sources]]")
        text = text[:at] + fig + text[at:].rstrip("\n") + "\n" + src
        path.write_text(text, encoding="utf-8")
        print(f"{entry}: {fid} {m['installed_bytes']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
