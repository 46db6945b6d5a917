"""The HTTP session shared by the online sources: one client, the cache, the modes, the warnings.

``Session`` owns (or borrows) an ``httpx.AsyncClient`` and gives the sources two calls:

- ``await session.get(url, what=..., headers=..., ok=(200,), max_body=None) -> Fetched | None``:
  one GET within the connect bound (10 s) and the stall bound (``timeout``: the headers within it, the
  body never slower than 1 KiB a second over a window of it; see ``chunks``) and a deadline on the
  whole attempt (``deadline``), at most ``concurrency`` requests in flight, and up to ``retries``
  retries with exponential backoff (``backoff * 2**n`` seconds) on HTTP 429, HTTP 5xx and dropped or
  reset connections (a timeout or a stall is not retried: the bound is the bound; the host goes into
  ``session.unreachable``). ``Retry-After`` (seconds or an HTTP date) is honoured up to ``max_retry_after`` seconds;
  a longer wait gives up at once. A status outside ``ok`` (and not retried) or a network failure gives
  ``None`` and one warning.
- ``await session.get_json(url, what=...) -> object | None``: the same, through the on-disk cache
  (``envslim.online.cache.Cache``): a fresh entry (younger than the cache's TTL) is used as is, a stale
  one is revalidated with ``If-None-Match``/``If-Modified-Since`` (HTTP 304 keeps it), and when the
  network fails a stale entry is used with a warning saying so. Bodies that are not JSON give ``None``
  and a warning, and are not cached.

Modes: ``offline=True`` never touches the network (the client is not even created): cached entries of
any age are used, anything else is "no cached data (offline)". ``refresh=True`` ignores what is cached
(no conditional request either) and stores what it fetches.

Warnings are one line each, ``"{what}: {problem}[; gave up after N attempts] ({url})"``, collected
in ``session.warnings`` (never printed, never raised); credentials in URLs (``user:password@``, conda
``/t/<token>/``) are replaced by ``***`` everywhere they could appear. ``session.requests`` and
``session.bytes_downloaded`` count what went over the wire (response bodies as received, before
content decoding).

Nothing here imports httpx at module import time; ``run(coro)`` is the synchronous entry point.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import email.utils
import json
import sys
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Iterable, Mapping, TypeVar

from envslim import __version__
from envslim.display import redact
from envslim.online.cache import Cache, CacheEntry
from envslim.online.decode import DecodeError, decoder
from envslim.online.limits import CONNECT_TIMEOUT, MIN_RATE, stall_timeout

PYPI_URL = "https://pypi.org"
ANACONDA_API_URL = "https://api.anaconda.org"
CONDA_URL = "https://conda.anaconda.org"

MAX_JSON_BYTES = 64 * 1024 * 1024  # decoded; PyPI's largest project documents are a few MB
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

T = TypeVar("T")

# While ``gather_ordered`` runs a job, that job's warnings are buffered here (per task), so that
# the session's list comes out in job order whatever order the network answers in.
_BUFFER: contextvars.ContextVar[list[tuple[Session, str]] | None] = contextvars.ContextVar(
    "envslim_sources_warnings", default=None
)

def run(coro: Awaitable[T]) -> T:
    """Run a lookup coroutine to completion from synchronous code."""
    return asyncio.run(coro)  # type: ignore[arg-type]


@dataclass
class Fetched:
    status: int
    headers: Mapping[str, str]
    body: bytes
    too_big: bool = False  # the body exceeded ``max_body`` and was not read


class HttpFailure(Exception):
    def __init__(self, problem: str, retryable: bool, retry_after: float | None = None, *,
                 unreachable: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retryable = retryable
        self.retry_after = retry_after
        self.unreachable = unreachable  # a timeout, a stall or a refused connection: the host, not the file


def _retry_after(value: str | None, now: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # ('²' passes isdigit() and float() refuses it)
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


class Session:
    """Client, cache, modes and warnings for one run of lookups. Use ``async with Session(...)``."""

    def __init__(
        self,
        *,
        client: Any = None,
        transport: Any = None,
        cache: Cache | bool = True,
        offline: bool = False,
        refresh: bool = False,
        timeout: float | None = None,
        deadline: float = 60.0,
        retries: int = 2,
        backoff: float = 0.5,
        max_retry_after: float = 30.0,
        concurrency: int = 16,
        pypi_url: str = PYPI_URL,
        anaconda_url: str = ANACONDA_API_URL,
        conda_url: str = CONDA_URL,
        max_download: int = 64 * 1024 * 1024,
        sleep: Any = None,
        bound_cache: bool = True,
    ) -> None:
        self._client = client
        self._owns_client = client is None
        self._transport = transport
        if cache is True:
            cache = Cache()
        self.cache: Cache | None = cache or None
        self.offline = offline
        self.refresh = refresh
        self.timeout = stall_timeout() if timeout is None else timeout  # the stall bound (limits.py)
        self.deadline = deadline
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.pypi_url = pypi_url.rstrip("/")
        self.anaconda_url = anaconda_url.rstrip("/")
        self.conda_url = conda_url.rstrip("/")
        self.max_download = max_download
        self.bound_cache = bound_cache  # keep the cache under ENVSLIM_CACHE_MAX when the session closes
        self.sleep = sleep or asyncio.sleep  # ``await sleep(seconds)`` between retries; tests inject theirs
        self.warnings: list[str] = []
        self.unreachable: dict[str, str] = {}  # host (credentials removed) -> why it could not be reached
        self.unreachable_warnings: dict[str, list[str]] = {}  # host -> the warnings its failures gave (a caller
        # may say "cannot reach HOST" once instead)
        self.requests = 0
        self.bytes_downloaded = 0
        self.concurrency = concurrency
        self._sem: asyncio.Semaphore | None = None
        self._sem_loop: asyncio.AbstractEventLoop | None = None
        self._cache_warned = False

    # -- lifecycle -------------------------------------------------------------------------------
    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None and self._owns_client:
            await self._client.aclose()
            self._client = None
        if self.bound_cache and self.cache is not None and self.cache.error is None and self.requests:
            from envslim.online.cache import enforce_bound
            from envslim.online.limits import cache_max

            enforce_bound(self.cache.directory, cache_max())

    def _http(self) -> Any:
        if self._client is None:
            httpx = _httpx()

            self._client = httpx.AsyncClient(
                transport=self._transport if self._transport is not None else tls_on_demand(httpx),
                follow_redirects=True,
                timeout=httpx.Timeout(self.timeout, connect=min(CONNECT_TIMEOUT, self.timeout)),
                headers={"User-Agent": f"envslim/{__version__}"},
            )
        return self._client

    # -- warnings --------------------------------------------------------------------------------
    def warn(self, message: str) -> None:
        line = redact(" ".join(message.split()))
        buffer = _BUFFER.get()
        if buffer is not None:
            buffer.append((self, line))
        elif line not in self.warnings:
            self.warnings.append(line)

    async def gather_ordered(self, jobs: Iterable[Awaitable[T]]) -> list[T]:
        """``asyncio.gather`` whose jobs' warnings reach ``warnings`` in job order."""

        async def one(job: Awaitable[T]) -> tuple[T, list[tuple[Session, str]]]:
            buffer: list[tuple[Session, str]] = []
            _BUFFER.set(buffer)  # this task's context only
            return await job, buffer

        done = await asyncio.gather(*(one(job) for job in jobs))
        for _, buffer in done:
            for session, line in buffer:
                session.warn(line)
        return [result for result, _ in done]

    def _check_cache(self) -> None:
        if self.cache is not None and self.cache.error and not self._cache_warned:
            self._cache_warned = True
            self.warn(self.cache.error)

    # -- plain GET with retries ------------------------------------------------------------------
    async def get(
        self,
        url: str,
        *,
        what: str,
        headers: Mapping[str, str] | None = None,
        ok: Iterable[int] = (200,),
        max_body: int | None = None,
        note: str = "",
    ) -> Fetched | None:
        """GET ``url``; ``None`` (and a warning ending in ``note``) when it cannot be had."""
        if self.offline:
            self.warn(f"{what}: no cached data (offline)")
            return None
        ok = frozenset(ok)
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self.slot():  # waiting for a slot is not part of the deadline
                    return await asyncio.wait_for(
                        self._attempt(url, headers or {}, ok, max_body), self.deadline
                    )
            except asyncio.TimeoutError:
                failure = HttpFailure(f"did not finish within {self.deadline:g} s", False, unreachable=True)
            except HttpFailure as exc:
                failure = exc
            if not failure.retryable or attempt > self.retries:
                break
            delay = self.backoff * 2 ** (attempt - 1)
            if failure.retry_after is not None:
                if failure.retry_after > self.max_retry_after:
                    failure.problem += (
                        f" (Retry-After {failure.retry_after:g} s is over the"
                        f" {self.max_retry_after:g} s limit)"
                    )
                    break
                delay = max(delay, failure.retry_after)
            await self.sleep(delay)
        tries = f"; gave up after {attempt} attempts" if attempt > 1 else ""
        warning = f"{what}: {failure.problem}{tries}{note} ({url})"
        if failure.unreachable:
            self.unreachable.setdefault(host_of(url), failure.problem)
            self.unreachable_warnings.setdefault(host_of(url), []).append(redact(" ".join(warning.split())))
        self.warn(warning)
        return None

    def slot(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._sem is None or self._sem_loop is not loop:
            self._sem, self._sem_loop = asyncio.Semaphore(self.concurrency), loop
        return self._sem

    async def _attempt(
        self, url: str, headers: Mapping[str, str], ok: frozenset[int], max_body: int | None
    ) -> Fetched:
        async with self.stream(url, headers) as resp:
            status = resp.status_code
            if status not in ok:
                retry_after = _retry_after(resp.headers.get("retry-after"), time.time())
                problem = f"HTTP {status} {resp.reason_phrase}".rstrip()
                if status == 404:
                    problem = "not found (HTTP 404)"
                raise HttpFailure(problem, status in RETRY_STATUSES, retry_after)
            length = resp.headers.get("content-length")
            if max_body is not None and length and length.isdigit() and int(length) > max_body:
                return Fetched(status, resp.headers, b"", too_big=True)
            try:  # decoded here, step by step (httpx would decode a zstd chunk whole: a bomb in memory)
                # (a transport that gave the body whole, as httpx.MockTransport does, has decoded it)
                decode = decoder("identity" if resp.is_stream_consumed else
                                 resp.headers.get("content-encoding", "identity"))
            except DecodeError as exc:
                raise HttpFailure(str(exc), False) from None
            chunks: list[bytes] = []
            size = 0

            def take(pieces: Iterable[bytes]) -> bool:
                nonlocal size
                for piece in pieces:
                    chunks.append(piece)
                    size += len(piece)
                    if max_body is not None and size > max_body:
                        return False
                return True

            try:
                complete = True
                async for chunk in self.chunks(resp):
                    if not take(decode.feed(chunk)):
                        complete = False
                        break
                complete = complete and take(decode.finish())
            except DecodeError as exc:
                raise HttpFailure(f"bad {resp.headers.get('content-encoding')} body: {exc}", False) from None
            finally:
                self.bytes_downloaded += resp.num_bytes_downloaded
            if not complete:
                return Fetched(status, resp.headers, b"", too_big=True)
            return Fetched(status, resp.headers, b"".join(chunks))

    @contextlib.asynccontextmanager
    async def stream(self, url: str, headers: Mapping[str, str] | None = None) -> AsyncIterator[Any]:
        """An open streamed GET response (an ``httpx.Response``; read it with :meth:`chunks`). The
        connection opens within ``CONNECT_TIMEOUT``; the status line and headers arrive within the stall
        bound after it. Raises ``HttpFailure`` (``unreachable`` set for timeouts and refused connections)."""
        httpx = _httpx()
        client = self._http()
        self.requests += 1
        resp = None
        try:
            asked = {"Accept-Encoding": accept_encoding(), **(headers or {})}
            request = client.build_request("GET", url, headers=asked)
            try:
                resp = await asyncio.wait_for(client.send(request, stream=True),
                                              min(CONNECT_TIMEOUT, self.timeout) + self.timeout)
            except asyncio.TimeoutError:
                raise HttpFailure(f"no answer within {self.timeout:g} s", False, unreachable=True) from None
            yield resp
        except httpx.ConnectTimeout:
            raise HttpFailure(f"cannot connect within {min(CONNECT_TIMEOUT, self.timeout):g} s", False,
                           unreachable=True) from None
        except httpx.TimeoutException:
            raise HttpFailure(f"no answer within {self.timeout:g} s", False, unreachable=True) from None
        except httpx.ConnectError as exc:
            raise HttpFailure(_join("cannot connect", exc), False, unreachable=True) from None
        except httpx.RemoteProtocolError as exc:
            raise HttpFailure(_join("connection dropped", exc), True) from None
        except (httpx.ReadError, httpx.WriteError) as exc:
            raise HttpFailure(_join("connection reset", exc), True) from None
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise HttpFailure(_join(type(exc).__name__, exc), False) from None
        finally:
            if resp is not None:
                await resp.aclose()

    async def chunks(self, resp: Any) -> AsyncIterator[bytes]:
        """The body of a :meth:`stream` response as sent (still content-encoded: decode it with
        :mod:`envslim.online.decode`), guarded against stalls: a window of ``timeout`` seconds that
        brings fewer than ``MIN_RATE * timeout`` bytes ends it (``HttpFailure``, unreachable), so a
        server that sends one byte a second is cut off within two stall bounds."""
        if resp.is_stream_consumed:  # the body came whole from the transport (httpx.MockTransport)
            yield resp.content
            return
        source = resp.aiter_raw().__aiter__()
        clock = asyncio.get_running_loop().time
        window_start, window_bytes = clock(), 0
        pending: asyncio.Future | None = None
        try:
            while True:
                if pending is None:
                    pending = asyncio.ensure_future(source.__anext__())
                left = window_start + self.timeout - clock()
                done, _ = await asyncio.wait({pending}, timeout=max(left, 0.0))
                if not done:  # the window ended while waiting
                    if window_bytes < MIN_RATE * self.timeout:
                        raise HttpFailure(f"stalled: less than {MIN_RATE} bytes a second for {self.timeout:g} s",
                                       False, unreachable=True)
                    window_start, window_bytes = clock(), 0
                    continue
                future, pending = pending, None
                try:
                    chunk = future.result()
                except StopAsyncIteration:
                    return
                window_bytes += len(chunk)
                if clock() - window_start >= self.timeout:
                    if window_bytes < MIN_RATE * self.timeout:
                        raise HttpFailure(f"stalled: less than {MIN_RATE} bytes a second for {self.timeout:g} s",
                                       False, unreachable=True)
                    window_start, window_bytes = clock(), 0
                yield chunk
        finally:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(BaseException):
                    await pending

    # -- JSON through the cache ------------------------------------------------------------------
    async def get_json(self, url: str, *, what: str) -> Any:
        """The JSON document at ``url`` (through the cache), or ``None`` with a warning."""
        cache = self.cache
        entry: CacheEntry | None = None
        if cache is not None and not (self.refresh and not self.offline):
            entry = cache.get(url)
        if entry is not None and (self.offline or cache.is_fresh(entry)):  # type: ignore[union-attr]
            return self._decode(entry.body, what, url)
        headers = {}
        if entry is not None:
            if entry.etag:
                headers["If-None-Match"] = entry.etag
            if entry.last_modified:
                headers["If-Modified-Since"] = entry.last_modified
        note = ""
        if entry is not None:
            note = "; using the cached copy from " + time.strftime(
                "%Y-%m-%d %H:%M UTC", time.gmtime(entry.stored_at)
            )
        fetched = await self.get(
            url, what=what, headers=headers, ok=(200, 304) if entry else (200,), note=note,
            max_body=MAX_JSON_BYTES,
        )
        if fetched is None:
            return None if entry is None else self._decode(entry.body, what, url)
        if fetched.too_big:
            self.warn(f"{what}: the JSON document is larger than {MAX_JSON_BYTES >> 20} MiB decoded; ignored ({url})")
            return None if entry is None else self._decode(entry.body, what, url)
        if fetched.status == 304 and entry is not None and cache is not None:
            cache.touch(url, entry, label=redact(url))
            self._check_cache()
            return self._decode(entry.body, what, url)
        try:
            text = fetched.body.decode("utf-8")
            data = json.loads(text)
        except ValueError as exc:
            self.warn(f"{what}: malformed JSON: {exc} ({url})")
            return None
        except RecursionError:  # (arrays or objects nested deeper than Python's stack)
            self.warn(f"{what}: malformed JSON: nested deeper than envslim reads ({url})")
            return None
        if cache is not None:
            cache.put(
                url,
                text,
                label=redact(url),
                etag=fetched.headers.get("etag"),
                last_modified=fetched.headers.get("last-modified"),
            )
            self._check_cache()
        return data

    def _decode(self, body: str, what: str, url: str) -> Any:
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as exc:  # a cache file edited by hand
            self.warn(f"{what}: malformed JSON in the cache: {exc} ({url})")
            return None

    # -- derived facts about immutable files -----------------------------------------------------
    def recall(self, key: str) -> Any:
        """A value stored with ``remember`` (never in refresh mode); ``None`` when absent."""
        if self.cache is None or (self.refresh and not self.offline):
            return None
        entry = self.cache.get(key)
        try:
            return None if entry is None else json.loads(entry.body)
        except (ValueError, RecursionError):  # a cache file edited by hand: a miss
            return None

    def remember(self, key: str, value: Any) -> None:
        if self.cache is not None:
            self.cache.put(key, json.dumps(value), label=redact(key), immutable=True)
            self._check_cache()


def tls_on_demand(httpx: Any) -> Any:
    """httpx's default transport, but its verifying TLS context (the CA bundle: about 0.1 s to load, on
    every run) is made at the first ``https://`` request, not before: a run against a local mirror or a
    test server (``http://``) never loads it. Plain ``http://`` requests go through a transport whose
    TLS context trusts no certificate, so nothing can reach TLS through it unverified; an https request
    (a redirect included) always takes the verifying one. Proxies from the environment are mounted by
    the client as before."""

    class TlsOnDemand(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.plain: Any = None
            self.tls: Any = None

        async def handle_async_request(self, request: Any) -> Any:
            if request.url.scheme == "https":
                if self.tls is None:
                    self.tls = httpx.AsyncHTTPTransport()
                return await self.tls.handle_async_request(request)
            if self.plain is None:
                import ssl

                self.plain = httpx.AsyncHTTPTransport(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
            return await self.plain.handle_async_request(request)

        async def aclose(self) -> None:
            for transport in (self.plain, self.tls):
                if transport is not None:
                    await transport.aclose()

    return TlsOnDemand()


def _httpx():
    """httpx, imported only when a lookup goes to the network; a plain install says what to install."""
    # httpx's own command-line client (httpx._main) is imported with the package whenever click, rich
    # and pygments happen to be installed: about 57 ms of CPU on every online run for a CLI envslim never
    # calls. Marking it absent makes httpx fall back to its stub ``main`` (its documented ImportError path).
    sys.modules.setdefault("httpx._main", None)
    try:
        import httpx
    except ImportError:
        from envslim.errors import EnvslimError

        raise EnvslimError("envslim: error: online lookups need httpx: pip install 'envslim[online]'"
                           " (or use --offline)") from None
    return httpx


def accept_encoding() -> str:
    """The content encodings :mod:`envslim.online.decode` reads step by step (zstd when installed)."""
    import importlib.util

    return "gzip, zstd" if importlib.util.find_spec("zstandard") is not None else "gzip"


def host_of(url: str) -> str:
    """``host[:port]`` of ``url``, credentials removed (what a "cannot reach" line names)."""
    from urllib.parse import urlsplit

    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return redact(url)
    return netloc.rpartition("@")[2] or redact(url)


def _join(head: str, exc: BaseException) -> str:
    detail = str(exc).strip()
    return f"{head}: {detail}" if detail else head
