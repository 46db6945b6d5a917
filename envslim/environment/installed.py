"""An installed environment, measured: ``envslim report PREFIX`` where PREFIX holds ``conda-meta/``.

- conda packages from ``conda-meta/*.json``: name, version, build, depends; installed bytes are the sum of
  ``paths_data.paths[].size_in_bytes`` (what conda wrote), or of the files on disk (``files``, ``lstat``)
  where a record has no sizes; what was requested from each record's ``requested_spec`` and
  ``conda-meta/history``'s ``# update specs`` (less its ``# remove specs``).
- pip packages from ``site-packages/*.dist-info`` whose ``INSTALLER`` is not conda and that no conda
  record lists: the sizes in ``RECORD`` (or on disk where ``RECORD`` has none); requested when pip left a
  ``REQUESTED`` file (else: when no other pip package requires it); depends from ``Requires-Dist``
  without an ``extra`` marker.

Plain records only: the report builds its attribution and JSON from them. Nothing here writes or touches
the network; every file read is bounded.
"""

from __future__ import annotations

import ast
import json
import os
import re
from dataclasses import dataclass, field

from envslim.document.atomic import open_regular
from envslim.errors import EnvslimError
from envslim.knowledge.names import normalize

MAX_META_BYTES = 64 * 1024 * 1024  # one conda-meta record (the largest seen: ~12 MB for a big Qt build)


@dataclass(frozen=True)
class InstalledPackage:
    manager: str  # "conda" | "pip"
    name: str
    version: str
    build: str  # "" for pip
    installed_bytes: int
    depends: tuple[str, ...]  # names
    how: str  # "conda-meta paths_data" | "files on disk" | "RECORD" | "RECORD and files on disk"
    missing_files: int = 0  # listed files not on disk now (a pruned prefix)
    missing_bytes: int = 0


@dataclass
class Installed:
    prefix: str
    platform: str
    packages: list[InstalledPackage] = field(default_factory=list)
    requested: list[tuple[str, str, str]] = field(default_factory=list)  # (manager, name, spec as written)
    notes: list[str] = field(default_factory=list)


def is_prefix(path: str) -> bool:
    return os.path.isdir(os.path.join(path, "conda-meta"))


def _name_of(spec: str) -> str:
    spec = spec.strip().split("::")[-1]
    return re.split(r"[\s=<>!~\[;]", spec, maxsplit=1)[0].lower()


# The fields envslim reads from a conda-meta record and the type each must have when present (conda writes
# them so); a record with another shape is not one conda wrote, and is refused by name.
_RECORD_FIELDS = (("version", str), ("build", str), ("subdir", str), ("requested_spec", str), ("files", list),
                  ("depends", list), ("paths_data", dict))


def read_record(path: str) -> dict:
    """A conda-meta record (``conda-meta/NAME-VERSION-BUILD.json``) read from a regular file of at most
    :data:`MAX_META_BYTES`, with the shape conda writes: a ``name``; ``version``, ``build``, ``subdir``,
    ``requested_spec`` strings, ``files`` and ``depends`` lists of strings, ``paths_data.paths`` a list of
    objects with a string ``_path`` and an integer ``size_in_bytes``, each where present (null: absent).
    Raises EnvslimError, one line naming the file and what is wrong."""
    try:
        with open_regular(path) as f:
            data = f.read(MAX_META_BYTES + 1)
    except OSError as e:
        raise EnvslimError(f"{path}: {e.strerror or e}: not a conda-meta record") from None
    if len(data) > MAX_META_BYTES:
        raise EnvslimError(f"{path}: larger than {MAX_META_BYTES:,} bytes: not a conda-meta record")
    try:
        value = json.loads(data)
    except ValueError as e:
        raise EnvslimError(f"{path}: not a conda-meta record: {e}") from None
    except RecursionError:
        raise EnvslimError(f"{path}: not a conda-meta record: nested deeper than envslim reads") from None
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise EnvslimError(f"{path}: not a conda-meta record (no name)")
    wrong = _wrong_field(value)
    if wrong:
        raise EnvslimError(f"{path}: not a conda-meta record ({wrong})")
    return value


def _wrong_field(rec: dict) -> str | None:
    """What in ``rec`` is not of the shape conda writes, or None."""
    names = {str: "a string", list: "a list", dict: "an object"}
    for key, kind in _RECORD_FIELDS:
        if rec.get(key) is not None and not isinstance(rec[key], kind):
            return f"{key} is not {names[kind]}"
    for key in ("files", "depends"):
        if not all(isinstance(x, str) for x in rec.get(key) or ()):
            return f"{key} holds something other than strings"
    paths = (rec.get("paths_data") or {}).get("paths")
    if paths is not None:
        if not isinstance(paths, list) or not all(isinstance(p, dict) for p in paths):
            return "paths_data.paths is not a list of objects"
        for p in paths:
            size = p.get("size_in_bytes")
            if not isinstance(p.get("_path"), str) or (
                    size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0)):
                return "paths_data.paths holds an entry without a path or with a size that is no number of bytes"
    return None


def _disk(prefix: str, rel: str) -> int | None:
    try:
        return os.lstat(os.path.join(prefix, rel)).st_size
    except OSError:
        return None


def read_prefix(prefix: str) -> Installed:
    meta = os.path.join(prefix, "conda-meta")
    if not os.path.isdir(meta):
        raise EnvslimError(f"{prefix}: no conda-meta/: not a conda environment")
    installed = Installed(prefix=prefix, platform="")
    conda_files: set[str] = set()
    spec_requested: list[tuple[str, str]] = []
    for entry in sorted(os.listdir(meta)):
        if not entry.endswith(".json"):
            continue
        rec = read_record(os.path.join(meta, entry))
        paths = ((rec.get("paths_data") or {}).get("paths")) or []
        files = [p.get("_path") for p in paths if isinstance(p, dict)] or list(rec.get("files") or [])
        files = [f for f in files if isinstance(f, str)]
        conda_files.update(files)
        sizes = [p.get("size_in_bytes") for p in paths if isinstance(p, dict)]
        total, how, missing, missing_bytes = 0, "conda-meta paths_data", 0, 0
        for i, rel in enumerate(files):
            size = sizes[i] if i < len(sizes) and isinstance(sizes[i], int) else None
            on_disk = _disk(prefix, rel)
            if size is None:
                size, how = on_disk or 0, "files on disk"
            if on_disk is None:
                missing += 1
                missing_bytes += size
            total += size
        depends = tuple(dict.fromkeys(_name_of(d) for d in rec.get("depends") or () if isinstance(d, str)))
        installed.packages.append(InstalledPackage(
            "conda", rec["name"], str(rec.get("version", "")), str(rec.get("build", "")), total,
            tuple(d for d in depends if not d.startswith("__")), how, missing, missing_bytes))
        if not installed.platform and rec.get("subdir") not in (None, "noarch"):
            installed.platform = str(rec["subdir"])
        if rec.get("requested_spec"):
            spec_requested.append((rec["name"], str(rec["requested_spec"])))
    names = {p.name for p in installed.packages}
    requested: dict[str, str] = {}
    for name, spec in _history(os.path.join(meta, "history")):
        if spec is None:
            requested.pop(name, None)
        elif name in names:
            requested[name] = spec
    for name, spec in spec_requested:
        requested.setdefault(name, spec)
    installed.requested = [("conda", name, spec) for name, spec in requested.items()]
    _read_pip(prefix, installed, conda_files)
    missing = sum(p.missing_files for p in installed.packages)
    if missing:
        lost = sum(p.missing_bytes for p in installed.packages)
        installed.notes.append(f"{missing} files the records list ({lost:,} bytes) are not on disk (a pruned"
                               " environment?): the sizes count what was installed")
    return installed


def _history(path: str) -> list[tuple[str, str | None]]:
    """(name, spec) for each ``# update specs`` entry and (name, None) for each ``# remove specs`` one, in
    the order of the history."""
    try:
        with open_regular(path, "r", encoding="utf-8", errors="replace") as f:
            text = f.read(MAX_META_BYTES)
    except OSError:
        return []
    out: list[tuple[str, str | None]] = []
    for m in re.finditer(r"(?m)^# (update|remove) specs: (\[.*\])\s*$", text):
        try:
            specs = ast.literal_eval(m.group(2))
        except (ValueError, SyntaxError):
            continue
        for spec in specs if isinstance(specs, list) else ():
            if isinstance(spec, str) and spec.strip():
                out.append((_name_of(spec), spec.strip() if m.group(1) == "update" else None))
    return out


def _site_packages(prefix: str) -> list[str]:
    found = []
    lib = os.path.join(prefix, "lib")
    if os.path.isdir(lib):
        for d in sorted(os.listdir(lib)):
            if d.startswith("python") and os.path.isdir(os.path.join(lib, d, "site-packages")):
                found.append(os.path.join(lib, d, "site-packages"))
    if os.path.isdir(os.path.join(prefix, "Lib", "site-packages")):
        found.append(os.path.join(prefix, "Lib", "site-packages"))
    return found


def _small(path: str, limit: int = 1 << 20) -> str:
    try:
        with open_regular(path, "r", encoding="utf-8", errors="replace") as f:
            return f.read(limit)
    except OSError:
        return ""


def _read_pip(prefix: str, installed: Installed, conda_files: set[str]) -> None:
    pip: list[tuple[InstalledPackage, bool]] = []
    for site in _site_packages(prefix):
        rel_site = os.path.relpath(site, prefix).replace(os.sep, "/")
        for d in sorted(os.listdir(site)):
            if not d.endswith(".dist-info"):
                continue
            info = os.path.join(site, d)
            if _small(os.path.join(info, "INSTALLER")).strip() == "conda" or f"{rel_site}/{d}/METADATA" in conda_files:
                continue
            metadata = _small(os.path.join(info, "METADATA"))
            name = re.search(r"(?m)^Name:\s*(\S+)", metadata)
            version = re.search(r"(?m)^Version:\s*(\S+)", metadata)
            if not name:
                continue
            depends = []
            for req in re.findall(r"(?m)^Requires-Dist:\s*(.+)$", metadata):
                if "extra" in req.split(";", 1)[-1] and ";" in req:
                    continue
                depends.append(normalize(re.split(r"[\s=<>!~\[;(]", req.strip(), maxsplit=1)[0]))
            total, how = 0, "RECORD"
            for line in _small(os.path.join(info, "RECORD"), 64 << 20).splitlines():
                parts = line.rsplit(",", 2)
                if len(parts) != 3 or not parts[0]:
                    continue
                size = parts[2].strip()
                if size.isascii() and size.isdigit() and len(size) <= 18:  # (not '²', nor 5,000 digits)
                    total += int(size)
                else:
                    on_disk = _disk(site, parts[0].strip('"'))
                    if on_disk is not None:
                        total += on_disk
                        how = "RECORD and files on disk"
            pkg = InstalledPackage("pip", normalize(name.group(1)), version.group(1) if version else "", "", total,
                                   tuple(dict.fromkeys(depends)), how)
            pip.append((pkg, os.path.exists(os.path.join(info, "REQUESTED"))))
    installed.packages += [p for p, _ in pip]
    marked = [p.name for p, requested in pip if requested]
    if not marked:  # (an installer that leaves no REQUESTED: the packages no other pip package requires)
        needed = {d for p, _ in pip for d in p.depends}
        marked = [p.name for p, _ in pip if p.name not in needed]
    installed.requested += [("pip", name, name) for name in marked]
