"""A conda channel with the shape of conda-forge, built from real metadata, for the slow solve tests.

Source: ``../shared/data/raw/lock_entries.jsonl``: 14,235 artifacts read from public ``pixi.lock``
files (each row names the lock file and the date it was read). The linux-64 and noarch rows, each
artifact once (5,084 artifacts; 5,093 records, as nvidia and its label channel share nine), become the
channels their URLs name (conda-forge: 4,683; nvidia, nvidia/label/cuda-12.4.0, pytorch, robostack-*),
with what the lock files recorded kept exactly: name, version, build, depends, timestamp, and the
archive bytes (repodata's ``size``); the build number is the build string's first all-digit ``_``
part (``h32b7842_3_cpu``: 3, ``34_h59b9bed_openblas``: 34), as conda-forge writes it. A lock
file records no ``noarch`` kind: a noarch record is ``noarch: python`` when it depends on python, else
``generic``. No record has ``constrains`` (lock files do not keep them).

What is NOT real, and marked as such:

- **installed bytes are stand-ins**: each ``.conda`` holds one payload file,
  ``share/envslim-stand-in/<name>-<version>-<build>``, of zero bytes: the real archive's bytes x 3.7,
  the median installed/archive ratio of 258 conda-forge artifacts (a committed conda-meta, osx-arm64,
  2024: ../shared/data/FOOTPRINTS.md section 2.4; the figure envslim uses for a .tar.bz2). A stand-in
  keeps a saving's sign where a wheel's measured size is set against it; a test compares bytes between
  solves of this channel, never with conda-forge's installed sizes.
- **the served file is not the real archive**: zeros compress to almost nothing, so a served
  ``.conda`` is a few kilobytes while repodata's ``size`` keeps the real archive's bytes (what the
  offline model and the reports count). repodata's ``sha256`` and ``md5`` are those of the served file.
- ``.tar.bz2`` records (273) are repodata only: a bzip2 archive cannot be range-read, so envslim
  estimates them from ``size`` and never reads one.

Building writes repodata.json per channel and subdir and one small ``.conda`` per record (2.6 s of
CPU; the payload's zeros are never compressed: a tar of them is one small zstd frame repeated, as
zstd frames concatenate); it is done once into ``$TMPDIR/envslim-realchannel-<hash of the data file and this builder>``
(atomically: built beside it, then renamed) and reused by every later session.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "raw" / "lock_entries.jsonl"
SUBDIRS = ("linux-64", "noarch")
BUILDER_VERSION = "5"  # bump when the layout below changes: a new cache key
STAND_IN_DIR = "share/envslim-stand-in"
STAND_IN_RATIO = 3.7  # installed / archive bytes (see the module docstring)
MTIME = 1735689600  # 2025-01-01: tar members' mtime, so a build is byte-for-byte repeatable
_CHUNK = bytes(1 << 22)


def available() -> bool:
    return DATA.is_file()


def cache_dir(data: Path = DATA) -> Path:
    digest = hashlib.sha256(data.read_bytes() + BUILDER_VERSION.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"envslim-realchannel-{digest}"


def records(data: Path = DATA) -> dict[str, dict[str, dict[str, dict]]]:
    """channel -> subdir -> filename -> the lock file's row, each artifact once."""
    out: dict[str, dict[str, dict[str, dict]]] = {}
    for line in data.read_text().splitlines():
        row = json.loads(line)
        if row["subdir"] not in SUBDIRS:
            continue
        parts = row["url"].split("/")  # https://host/<channel, maybe with /label/...>/<subdir>/<file>
        channel, filename = "/".join(parts[3:-2]), parts[-1]
        out.setdefault(channel, {}).setdefault(row["subdir"], {}).setdefault(filename, row)
    return out


def _build_number(build: str) -> int:
    """conda-forge writes it as the build string's first all-digit ``_`` part: ``py312h7900ff3_0``,
    ``h32b7842_3_cpu``, ``34_h59b9bed_openblas``; 0 where there is none."""
    return next((int(p) for p in build.split("_") if p.isdigit()), 0)


def installed_stand_in(archive_bytes: int) -> int:
    return round(archive_bytes * STAND_IN_RATIO)


def _noarch(row: dict) -> str | None:
    if row["subdir"] != "noarch":
        return None
    return "python" if any(d.split()[0] == "python" for d in row["depends"]) else "generic"


def _tar_header(path: str, size: int) -> bytes:
    info = tarfile.TarInfo(path)
    info.size = size
    info.mtime = MTIME
    return info.tobuf(format=tarfile.PAX_FORMAT)


def _zeros_frame() -> bytes:
    """One zstd frame of ``len(_CHUNK)`` zero bytes (about a hundred bytes), made once."""
    global _ZEROS_FRAME
    if _ZEROS_FRAME is None:
        import zstandard

        _ZEROS_FRAME = zstandard.ZstdCompressor(level=1).compress(_CHUNK)
    return _ZEROS_FRAME


_ZEROS_FRAME: bytes | None = None


def _payload_tar_zst(path: str, size: int) -> bytes:
    """A zstd-compressed tar holding one file of ``size`` zero bytes, without compressing them: zstd
    frames concatenate (a stream of frames decodes to the concatenation of their contents), so the
    file's whole chunks are one frame repeated; the header, the last part chunk, the padding and the
    tar's two end blocks are compressed as they are."""
    import zstandard

    compress = zstandard.ZstdCompressor(level=1).compress
    whole, rest = divmod(size, len(_CHUNK))
    tail = bytes(rest + (-size) % tarfile.BLOCKSIZE + 2 * tarfile.BLOCKSIZE)
    return compress(_tar_header(path, size)) + _zeros_frame() * whole + compress(tail)


def _tar_zst(members: list[tuple[str, bytes]]) -> bytes:
    import zstandard

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, data in members:
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = MTIME
            tar.addfile(info, io.BytesIO(data))
    return zstandard.ZstdCompressor(level=1).compress(raw.getvalue())


def build_conda(row: dict, filename: str) -> bytes:
    """One ``.conda`` (format 2: metadata.json, pkg-*.tar.zst, info-*.tar.zst, stored) whose payload is
    the stand-in file (:func:`installed_stand_in` zero bytes), listed with its size in ``info/paths.json``."""
    stem = filename[: -len(".conda")]
    payload = f"{STAND_IN_DIR}/{stem}"
    index = {"name": row["name"], "version": row["version"], "build": row["build"],
             "build_number": _build_number(row["build"]), "subdir": row["subdir"],
             "depends": row["depends"], "timestamp": row["timestamp"]}
    if _noarch(row):
        index["noarch"] = _noarch(row)
    size = installed_stand_in(row["size"])
    paths = {"paths": [{"_path": payload, "path_type": "hardlink", "size_in_bytes": size}],
             "paths_version": 1}
    info = [(f"info/{n}", b) for n, b in (
        ("index.json", json.dumps(index, sort_keys=True).encode()),
        ("paths.json", json.dumps(paths).encode()),
        ("files", (payload + "\n").encode()),
        ("about.json", json.dumps({"summary": "stand-in payload: zero bytes, the real archive size x 3.7",
                                   "source": row["source"]}).encode()),
    )]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in (("metadata.json", json.dumps({"conda_pkg_format_version": 2}).encode()),
                           (f"pkg-{stem}.tar.zst", _payload_tar_zst(payload, size)),
                           (f"info-{stem}.tar.zst", _tar_zst(info))):
            zi = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            zf.writestr(zi, data)
    return buf.getvalue()


def _repodata_entry(row: dict, data: bytes | None) -> dict:
    entry = {"name": row["name"], "version": row["version"], "build": row["build"],
             "build_number": _build_number(row["build"]), "depends": list(row["depends"]),
             "subdir": row["subdir"], "timestamp": row["timestamp"], "size": row["size"]}
    if _noarch(row):
        entry["noarch"] = _noarch(row)
    if data is not None:
        entry["md5"] = hashlib.md5(data).hexdigest()
        entry["sha256"] = hashlib.sha256(data).hexdigest()
    return entry


def _build(dest: Path, data: Path) -> None:
    for channel, subdirs in records(data).items():
        for subdir in SUBDIRS:
            rows = subdirs.get(subdir, {})
            out = dest / channel / subdir
            out.mkdir(parents=True, exist_ok=True)
            repodata: dict = {"info": {"subdir": subdir}, "packages": {}, "packages.conda": {},
                              "repodata_version": 1}
            for filename, row in sorted(rows.items()):
                if filename.endswith(".conda"):
                    archive = build_conda(row, filename)
                    (out / filename).write_bytes(archive)
                    repodata["packages.conda"][filename] = _repodata_entry(row, archive)
                else:
                    repodata["packages"][filename] = _repodata_entry(row, None)
            (out / "repodata.json").write_text(json.dumps(repodata, indent=1, sort_keys=True))
    (dest / "README").write_text(__doc__)


def build(data: Path = DATA) -> Path:
    """The channels' root directory (``<root>/<channel>/<subdir>/``), built once per data file."""
    dest = cache_dir(data)
    if dest.is_dir():
        return dest
    work = Path(tempfile.mkdtemp(prefix=dest.name + ".", dir=dest.parent))
    try:
        _build(work, data)
        try:
            os.rename(work, dest)
        except OSError:  # another session built it first
            if not dest.is_dir():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest


# Wheels for the moves: (name, version, Requires-Dist, installed bytes, where that figure comes from).
# A stand-in wheel holds zero bytes of the measured size of a real wheel; it is tagged py3-none-any.
WHEELS = (
    ("pyarrow", "25.0.0", (), 171_308_396,
     "pyarrow-26.0.1-cp311-cp311-manylinux_2_28_x86_64.whl unzipped, no .pyc (../shared/data/pypi_sizes.csv,"
     " measured 2026-11)"),
)


def build_wheels(root: Path) -> dict[str, Path]:
    """The stand-in wheels of :data:`WHEELS` under ``root/pypi/`` (built once, beside the channels)."""
    from pkgserver import build_wheel

    out = {}
    for name, version, requires, size, _ in WHEELS:
        path = root / "pypi" / f"{name}-{version}-py3-none-any.whl"
        if not path.is_file():
            path.parent.mkdir(exist_ok=True)
            data = build_wheel(name, version, "py3-none-any", {f"{name}/stand-in.bin": bytes(size)},
                               requires=list(requires))
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        out[name] = path
    return out


def serve(root: Path, server, *, defaults: bool = True) -> None:
    """Every channel under ``/conda/<channel>/`` on ``server``; with ``defaults``, empty ``main`` and
    ``r`` channels under ``/defaults/`` (what ``defaults`` expands to in the tests)."""
    for path in root.rglob("*"):
        if path.is_file() and path.parent != root and path.relative_to(root).parts[0] != "pypi":
            server.add_file(f"/conda/{path.relative_to(root).as_posix()}", path.read_bytes())
    if defaults:
        for ch in ("main", "r"):
            for subdir in SUBDIRS:
                empty = {"info": {"subdir": subdir}, "packages": {}, "packages.conda": {}, "repodata_version": 1}
                server.add_file(f"/defaults/{ch}/{subdir}/repodata.json", json.dumps(empty).encode())


if __name__ == "__main__":  # build (or find) the cache and say where
    import time

    t = time.perf_counter()
    print(build(), f"{time.perf_counter() - t:.1f} s")
