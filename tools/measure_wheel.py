#!/usr/bin/env python3
"""Measure a PyPI wheel without installing it: wheel bytes and installed bytes.

The wheel is chosen from the PyPI JSON API (https://pypi.org/pypi/NAME/json): the newest release
(or --version) with a file whose name matches the tag preference list (default: manylinux
x86_64, cp312 then cp311 then abi3 then py3-none). Installed bytes are the sum of the
uncompressed sizes in the wheel's zip central directory, read with HTTP range requests (only the
tail of the file is fetched), i.e. what ``pip install --no-compile`` writes, without .pyc files.

    python tools/measure_wheel.py pyarrow
    python tools/measure_wheel.py torch --version 2.5.1 --tag cp311
    python tools/measure_wheel.py xgboost --toml     # print a [[figures]] table for knowledge/

Measurement script only (not part of the envslim package); stdlib only.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import struct
import sys
import urllib.parse
import urllib.request

UA = {"User-Agent": "envslim-measure/0.1 (knowledge base sizing)"}
DEFAULT_TAGS = ["cp312-cp312", "cp311-cp311", "abi3", "py3-none", "py2.py3-none"]
PLATFORM = re.compile(r"manylinux[^.]*x86_64|linux_x86_64")


def _get(url: str, rng: str | None = None, timeout: float = 60) -> bytes:
    headers = dict(UA)
    if rng:
        headers["Range"] = rng
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as r:
        return r.read()


def pypi_json(name: str) -> dict:
    return json.loads(_get(json_url(name)))


def json_url(name: str) -> str:
    return f"https://pypi.org/pypi/{name}/json"


def file_urls(name: str, url: str) -> tuple[str, str]:
    """(URL to fetch, canonical files.pythonhosted.org URL to cite); mirrors give relative URLs."""
    fetch = urllib.parse.urljoin(json_url(name), url)
    m = re.search(r"/packages/(packages/.+)$", fetch) or re.search(r"pythonhosted\.org/(packages/.+)$", fetch)
    return fetch, ("https://files.pythonhosted.org/" + m.group(1)) if m else fetch


def _vkey(v: str) -> tuple:
    return tuple(int(x) if x.isdigit() else -1 for x in re.split(r"[.+]", v))


def choose(doc: dict, version: str | None, tags: list[str], platform: re.Pattern) -> dict | None:
    releases = doc["releases"]
    if version is not None:
        versions = [version]
    else:
        stable = [v for v in releases if re.fullmatch(r"[0-9]+(\.[0-9]+)*(\.post[0-9]+)?", v)]
        versions = sorted(stable, key=_vkey, reverse=True)
    for v in versions:
        files = [f for f in releases.get(v, []) if f["filename"].endswith(".whl") and not f.get("yanked")]
        for tag in tags:
            for f in files:
                fn = f["filename"]
                if tag in fn and (platform.search(fn) or fn.endswith("-any.whl")):
                    return {**f, "version": v}
    return None


def central_directory(url: str, size: int) -> list[tuple[str, int]]:
    """(name, uncompressed size) of every member, from the zip central directory."""
    tail_len = min(size, 1 << 16)
    tail = _get(url, f"bytes={size - tail_len}-{size - 1}")
    eocd = tail.rfind(b"PK\x05\x06")
    if eocd < 0:
        raise ValueError("no end-of-central-directory record")
    count, cd_size, cd_off = struct.unpack("<HII", tail[eocd + 10:eocd + 20])
    loc = tail.rfind(b"PK\x06\x07", 0, eocd)
    if loc >= 0:  # zip64
        (z64_off,) = struct.unpack("<Q", tail[loc + 8:loc + 16])
        z64 = _get(url, f"bytes={z64_off}-{z64_off + 55}")
        count, cd_size, cd_off = struct.unpack("<QQQ", z64[32:56])
    cd = _get(url, f"bytes={cd_off}-{cd_off + cd_size - 1}")
    out: list[tuple[str, int]] = []
    pos = 0
    for _ in range(count):
        if cd[pos:pos + 4] != b"PK\x01\x02":
            raise ValueError("bad central directory entry")
        usize = struct.unpack("<I", cd[pos + 24:pos + 28])[0]
        nlen, elen, clen = struct.unpack("<HHH", cd[pos + 28:pos + 34])
        name = cd[pos + 46:pos + 46 + nlen].decode("utf-8", "replace")
        extra = cd[pos + 46 + nlen:pos + 46 + nlen + elen]
        if usize == 0xFFFFFFFF:  # zip64 extended information
            i = 0
            while i + 4 <= len(extra):
                hid, hlen = struct.unpack("<HH", extra[i:i + 4])
                if hid == 1:
                    usize = struct.unpack("<Q", extra[i + 4:i + 12])[0]
                    break
                i += 4 + hlen
        if not name.endswith("/"):
            out.append((name, usize))
        pos += 46 + nlen + elen + clen
    return out


def measure(name: str, version: str | None = None, tags: list[str] | None = None,
            platform: str | None = None) -> dict:
    doc = pypi_json(name)
    pat = re.compile(platform) if platform else PLATFORM
    f = choose(doc, version, tags or DEFAULT_TAGS, pat)
    if f is None:
        raise LookupError(f"{name}: no matching wheel")
    fetch, canonical = file_urls(name, f["url"])
    members = central_directory(fetch, f["size"])
    largest = max(members, key=lambda m: m[1])
    native = sum(s for n, s in members if re.search(r"\.so(\.|$)|\.dylib$|\.pyd$|\.dll$", n))
    return {
        "name": name, "version": f["version"], "filename": f["filename"], "url": canonical,
        "sha256": f["digests"]["sha256"], "upload_time": f["upload_time_iso_8601"],
        "wheel_bytes": f["size"], "installed_bytes": sum(s for _, s in members),
        "n_files": len(members), "native_bytes": native, "largest": largest,
        "requires_dist": doc["info"].get("requires_dist") if version is None else None,
    }


def wheel_tag(filename: str) -> str:
    parts = filename[:-4].split("-")
    return "-".join(parts[-3:])


def to_toml(m: dict, source: str, date: str) -> str:
    tag = wheel_tag(m["filename"])
    py, abi, plat = tag.split("-")
    short = "linux-x86_64" if "x86_64" in plat else plat
    return "\n".join([
        "[[figures]]",
        f'id = "pypi-wheel-{m["version"]}-{py}-{short}"',
        'side = "pypi"',
        'kind = "wheel"',
        f'version = "{m["version"]}"',
        f'platform = "{tag}"',
        f'archive_bytes = {m["wheel_bytes"]}',
        f'installed_bytes = {m["installed_bytes"]}',
        f'note = "{m["filename"]}; installed = sum of uncompressed sizes in the zip central directory '
        f'({m["n_files"]} files, no .pyc), tools/measure_wheel.py"',
        f'source = "{source}"',
        f'date = "{date}"',
    ])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name")
    ap.add_argument("--version")
    ap.add_argument("--tag", action="append", help="wheel tag substring, in preference order")
    ap.add_argument("--platform", help="regex on the wheel filename (default manylinux x86_64)")
    ap.add_argument("--toml", action="store_true", help="print a [[figures]] table")
    ap.add_argument("--source", default="S?")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    try:
        m = measure(args.name, args.version, args.tag, args.platform)
    except (LookupError, ValueError, OSError) as e:
        print(f"{args.name}: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(m))
    elif args.toml:
        print(to_toml(m, args.source, _dt.date.today().isoformat()))
    else:
        print(f"{m['filename']}\n  url {m['url']}\n  uploaded {m['upload_time']}\n"
              f"  wheel {m['wheel_bytes']} B, installed {m['installed_bytes']} B in {m['n_files']} files, "
              f"native {m['native_bytes']} B, largest {m['largest'][0]} ({m['largest'][1]} B)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
