"""On-disk cache for online metadata (stdlib only; platformdirs is imported lazily).

One JSON file per key under the cache directory (default: ``platformdirs.user_cache_dir("envslim")``
+ ``/http``). A key is normally a URL; the file name is the SHA-256 of the key, and the URL stored
inside the file has its credentials removed. An entry holds the response body (text), the validators
the server sent (``ETag``, ``Last-Modified``) and when it was stored or last revalidated.

Freshness: an entry younger than ``ttl`` seconds is used without asking the server; an older one is
revalidated with ``If-None-Match`` / ``If-Modified-Since`` (see ``envslim.online.http.Session``).
Derived facts about immutable files (a wheel's installed size) are stored with ``immutable=True`` and
never expire.

The cache never raises to its caller: an unreadable or corrupt entry is a miss, an unwritable
directory turns the cache off for the rest of the run (the session records one warning).

Bound across runs: ``enforce_bound(root, limit)`` (run when a session or a solve run closes) deletes
the least recently used units of the cache directory until it holds at most ``limit`` bytes
(``envslim.online.limits.cache_max()``: 2 GB, ``ENVSLIM_CACHE_MAX``). A unit is one entry file, one
channel subdir's repodata (``repodata/<hash>/<subdir>``), one set of stub wheels
(``solve/conda-dists/<key>``), uv's cache (``solve/uv``, whole) or ``rattler/`` (whole); its last use is
the newest modification time in it (reading an entry touches it).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from envslim.document.atomic import NotRegular, open_regular, write_atomic

DEFAULT_TTL = 24 * 3600.0


@dataclass
class CacheEntry:
    body: str
    stored_at: float
    etag: str | None = None
    last_modified: str | None = None
    immutable: bool = False

    def age(self, now: float) -> float:
        return now - self.stored_at


def default_cache_dir() -> Path:
    """platformdirs' user cache dir of "envslim"; on a plain install (no ``online`` extra), the same
    folders by the platforms' own conventions, so ``--offline`` works with the core dependencies only."""
    try:
        import platformdirs  # lazy: only when a lookup needs the cache
    except ImportError:
        return _fallback_cache_root() / "http"
    return Path(platformdirs.user_cache_dir("envslim")) / "http"


def _fallback_cache_root() -> Path:
    import os
    import sys

    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "envslim" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "envslim"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "envslim"


class Cache:
    """A directory of cached responses. ``directory=None`` means the platformdirs user cache dir."""

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._directory = Path(directory) if directory is not None else None
        self.ttl = ttl
        self.clock = clock
        self.error: str | None = None  # set once when the directory cannot be written

    @property
    def directory(self) -> Path:
        if self._directory is None:
            self._directory = default_cache_dir()
        return self._directory

    def _path(self, key: str) -> Path:
        return self.directory / (hashlib.sha256(key.encode("utf-8")).hexdigest() + ".json")

    def get(self, key: str) -> CacheEntry | None:
        try:
            path = self._path(key)
            raw = json.loads(read_own(path))
            try:
                os.utime(path)  # used now: the last to go when the cache is over its bound
            except OSError:
                pass
            if not (isinstance(raw, dict) and isinstance(raw.get("body"), str)
                    and isinstance(raw.get("stored_at"), (int, float)) and not isinstance(raw["stored_at"], bool)
                    and all(isinstance(raw.get(k), (str, type(None))) for k in ("etag", "last_modified"))):
                return None  # written by something else, or damaged: a miss, fetched again
            return CacheEntry(
                body=raw["body"],
                stored_at=float(raw["stored_at"]),
                etag=raw.get("etag"),
                last_modified=raw.get("last_modified"),
                immutable=bool(raw.get("immutable", False)),
            )
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None

    def is_fresh(self, entry: CacheEntry) -> bool:
        return entry.immutable or entry.age(self.clock()) < self.ttl

    def put(
        self,
        key: str,
        body: str,
        *,
        label: str = "",
        etag: str | None = None,
        last_modified: str | None = None,
        immutable: bool = False,
    ) -> CacheEntry:
        entry = CacheEntry(body, self.clock(), etag, last_modified, immutable)
        if self.error is not None:
            return entry
        record = {
            "key": label,
            "stored_at": entry.stored_at,
            "etag": etag,
            "last_modified": last_modified,
            "immutable": immutable,
            "body": body,
        }
        path = self._path(key)
        text = json.dumps(record)
        from envslim.online import limits

        try:
            limits.BUDGET.charge(len(text))  # what one run writes, whatever the servers send
        except limits.OverBudget as exc:
            self.error = f"cache disabled: {exc}"
            return entry
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(str(path), text, new_mode=0o600, follow_links=False)  # (bodies from private channels)
        except OSError as exc:
            self.error = f"cache disabled: cannot write {self.directory}: {exc.strerror or exc}"
        except NotRegular as exc:
            self.error = f"cache disabled: {exc}"
        return entry

    def touch(self, key: str, entry: CacheEntry, *, label: str = "") -> CacheEntry:
        """Mark ``entry`` as revalidated now (after a 304)."""
        return self.put(
            key,
            entry.body,
            label=label,
            etag=entry.etag,
            last_modified=entry.last_modified,
            immutable=entry.immutable,
        )


def read_own(path: Path) -> str:
    """The text of a file envslim wrote in its cache: a regular file of its own, never read through a link
    (which may point anywhere) nor a FIFO (which would wait for a writer forever): ``OSError`` otherwise."""
    with open_regular(str(path), "r", follow_links=False, encoding="utf-8") as f:
        return f.read()


def _units(root: Path) -> list[Path]:
    """The units envslim wrote under ``root``, known by their names (an entry: the 64 hex digits of a key's
    SHA-256 and ``.json``; a channel's folder: 20 hex digits; a set of stub wheels: 16), and never through
    a symbolic link: ``ENVSLIM_CACHE_DIR`` may name a folder that holds other files, and a link in the cache
    may point anywhere. Nothing else under ``root`` is ever counted or deleted."""
    units: list[Path] = []
    for folder in (root, root / "http"):
        units += [p for p in _listed(folder) if _ENTRY.fullmatch(p.name) and _is(p, stat.S_ISREG)]
    for folder, name, inner in (("repodata", _CHANNEL, _SUBDIR), ("solve/conda-dists", _DISTS, None)):
        for p in _listed(root / folder) if _folders_of(root, root / folder) else ():
            if not (name.fullmatch(p.name) and _is(p, stat.S_ISDIR)):
                continue
            if inner is None:
                units.append(p)
            else:
                units += [q for q in _listed(p) if inner.fullmatch(q.name) and _is(q, stat.S_ISDIR)]
    units += [p for p in (root / "solve" / "uv", root / "rattler") if _folders_of(root, p)]
    return units


_ENTRY = re.compile(r"[0-9a-f]{64}\.json")
_CHANNEL = re.compile(r"[0-9a-f]{20}")
_SUBDIR = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_DISTS = re.compile(r"[0-9a-f]{16}")


def _is(path: Path, test) -> bool:
    """Whether ``path`` itself (not a link's target) passes ``test`` (``stat.S_ISREG``, ``stat.S_ISDIR``)."""
    try:
        return test(os.lstat(path).st_mode)
    except OSError:
        return False


def _listed(folder: Path) -> list[Path]:
    """What ``folder`` holds; nothing when it is not a folder of its own (a link, or absent)."""
    if not _is(folder, stat.S_ISDIR):
        return []
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _folders_of(root: Path, path: Path) -> bool:
    """Whether ``path`` and every folder between ``root`` and it are folders, not links."""
    return all(_is(root.joinpath(*path.relative_to(root).parts[:n]), stat.S_ISDIR)
               for n in range(1, len(path.relative_to(root).parts) + 1))


def _measure(unit: Path) -> tuple[int, float]:
    """(bytes, last use) of one unit."""
    if unit.is_file():
        st = unit.stat()
        return st.st_size, st.st_mtime
    size, newest = 0, unit.stat().st_mtime
    for folder, _, files in os.walk(unit):
        for name in files:
            try:
                st = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            size += st.st_size
            newest = max(newest, st.st_mtime)
    return size, newest


def enforce_bound(root: str | os.PathLike[str], limit: int) -> list[Path]:
    """Delete the least recently used units under ``root`` until at most ``limit`` bytes remain; the
    units deleted, oldest first. Never raises (a unit that cannot be deleted is left)."""
    import shutil

    root = Path(root)
    try:
        measured = [(*_measure(u), u) for u in _units(root)]
    except OSError:
        return []
    total = sum(size for size, _, _ in measured)
    removed: list[Path] = []
    for size, _, unit in sorted(measured, key=lambda m: m[1]):
        if total <= limit:
            break
        try:
            if unit.is_dir():
                shutil.rmtree(unit)
            else:
                unit.unlink()
        except OSError:
            continue
        total -= size
        removed.append(unit)
    return removed
