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
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from envslim.document.atomic import write_atomic

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
            raw = json.loads(self._path(key).read_text(encoding="utf-8"))
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
        except (OSError, ValueError, KeyError, TypeError):
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
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(str(path), json.dumps(record), new_mode=0o600)  # (bodies from private channels)
        except OSError as exc:
            self.error = f"cache disabled: cannot write {self.directory}: {exc.strerror or exc}"
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
