"""Session behaviour against a real local server: retries, timeouts, faults, cache, modes."""

from __future__ import annotations

import hashlib
import json
import time

import pytest
from pkgserver import LAST_MODIFIED, Fault

from envslim.display import redact
from envslim.online import Cache, Session
from envslim.online.http import _retry_after

DOC = {"info": {"name": "demo", "version": "1.0"}, "releases": {}}
PATH = "/pypi/demo/json"


@pytest.fixture
def doc_url(server):
    server.json_docs[PATH] = json.dumps(DOC).encode()
    return server.url + PATH


def get(use, session, url):
    return use(session, lambda s: s.get_json(url, what="PyPI demo"))


def test_plain_get_is_cached_with_validators(server, make_session, use, doc_url, cache):
    session = make_session()
    assert get(use, session, doc_url) == DOC
    assert session.warnings == []
    assert session.requests == 1
    assert session.bytes_downloaded == len(json.dumps(DOC))
    entry = cache.get(doc_url)
    assert entry is not None
    assert entry.etag == '"' + hashlib.sha1(json.dumps(DOC).encode()).hexdigest()[:16] + '"'
    assert entry.last_modified == LAST_MODIFIED


def test_500_then_success_is_retried(server, make_session, use, doc_url, sleeps):
    server.add_fault(PATH, Fault("status", 500), Fault("status", 503))
    session = make_session()
    assert get(use, session, doc_url) == DOC
    assert session.warnings == []
    assert len(server.requests_to(PATH)) == 3
    assert sleeps == [0.01, 0.02]  # backoff * 2**n, injected: the test never sleeps


def test_500_every_time_gives_up_after_the_retries(server, make_session, use, doc_url):
    server.add_fault(PATH, *[Fault("status", 500)] * 3)
    session = make_session(retries=2)
    assert get(use, session, doc_url) is None
    assert session.warnings == [
        f"PyPI demo: HTTP 500 Internal Server Error; gave up after 3 attempts ({doc_url})"
    ]
    assert len(server.requests_to(PATH)) == 3


def test_404_is_not_retried(server, make_session, use):
    session = make_session()
    url = server.url + "/pypi/nothing/json"
    assert get(use, session, url) is None
    assert session.warnings == [f"PyPI demo: not found (HTTP 404) ({url})"]
    assert len(server.requests_to("/pypi/nothing/json")) == 1


def test_429_waits_for_retry_after(server, make_session, use, doc_url, sleeps):
    server.add_fault(PATH, Fault("status", 429, headers={"Retry-After": "1"}))
    session = make_session()
    assert get(use, session, doc_url) == DOC
    assert sleeps == [1.0]  # Retry-After, over the 0.01 s backoff
    assert session.warnings == []
    assert len(server.requests_to(PATH)) == 2


def test_429_with_a_long_retry_after_gives_up_at_once(server, make_session, use, doc_url):
    server.add_fault(PATH, Fault("status", 429, headers={"Retry-After": "120"}))
    session = make_session(max_retry_after=5)
    assert get(use, session, doc_url) is None
    assert session.warnings == [
        "PyPI demo: HTTP 429 Too Many Requests (Retry-After 120 s is over the 5 s limit)"
        f" ({doc_url})"
    ]
    assert len(server.requests_to(PATH)) == 1


def test_a_server_that_does_not_answer_within_the_stall_bound_is_one_warning_not_retried(
        server, make_session, use, doc_url):
    server.add_fault(PATH, *[Fault("slow", seconds=2)] * 2)
    session = make_session(timeout=0.2, retries=2)
    assert get(use, session, doc_url) is None
    assert session.warnings == [f"PyPI demo: no answer within 0.2 s ({doc_url})"]
    assert len(server.requests_to(PATH)) == 1  # the stall bound is the bound: no second wait
    assert session.unreachable == {doc_url.split("/")[2]: "no answer within 0.2 s"}


def test_malformed_json_is_a_warning_and_not_cached(server, make_session, use, doc_url, cache):
    server.add_fault(PATH, Fault("malformed"))
    body = json.dumps(DOC).encode()
    with pytest.raises(ValueError) as err:
        json.loads(body[: len(body) // 2])
    session = make_session()
    assert get(use, session, doc_url) is None
    assert session.warnings == [f"PyPI demo: malformed JSON: {err.value} ({doc_url})"]
    assert cache.get(doc_url) is None


def test_connection_dropped_mid_body_is_retried(server, make_session, use, doc_url):
    server.add_fault(PATH, Fault("drop"))
    session = make_session()
    assert get(use, session, doc_url) == DOC
    assert session.warnings == []
    assert len(server.requests_to(PATH)) == 2


def test_connection_dropped_every_time(server, make_session, use, doc_url):
    server.add_fault(PATH, Fault("drop"), Fault("drop"))
    session = make_session(retries=1)
    assert get(use, session, doc_url) is None
    n = len(json.dumps(DOC))
    assert session.warnings == [
        "PyPI demo: connection dropped: peer closed connection without sending complete message"
        f" body (received {n // 2} bytes, expected {n}); gave up after 2 attempts ({doc_url})"
    ]


def test_connection_reset_every_time(server, make_session, use, doc_url):
    server.add_fault(PATH, Fault("reset"), Fault("reset"))
    session = make_session(retries=1)
    assert get(use, session, doc_url) is None
    assert session.warnings == [f"PyPI demo: connection reset; gave up after 2 attempts ({doc_url})"]


def test_connection_refused_is_not_retried(make_session, use, server):
    server.stop()
    url = server.url + PATH
    session = make_session()
    assert get(use, session, url) is None
    assert session.warnings == [f"PyPI demo: cannot connect: All connection attempts failed ({url})"]
    assert session.requests == 1


def test_etag_revalidation_after_the_ttl(server, make_session, use, doc_url, clock):
    assert get(use, make_session(), doc_url) == DOC
    clock.now += 1800  # within the TTL: no request at all
    session = make_session()
    assert get(use, session, doc_url) == DOC
    assert session.requests == 0
    clock.now += 3600  # stale: conditional request, 304 keeps the entry
    session = make_session()
    assert get(use, session, doc_url) == DOC
    conditional = server.requests_to(PATH)[-1]
    assert conditional["if-none-match"].startswith('"')
    assert conditional["if-modified-since"] == LAST_MODIFIED
    assert session.requests == 1
    assert session.bytes_downloaded == 0
    clock.now += 1800  # revalidated an hour ago: fresh again
    session = make_session()
    assert get(use, session, doc_url) == DOC
    assert session.requests == 0
    assert len(server.requests_to(PATH)) == 2


def test_changed_document_replaces_the_entry(server, make_session, use, doc_url, clock):
    assert get(use, make_session(), doc_url) == DOC
    server.json_docs[PATH] = b'{"changed": true}'
    clock.now += 7200
    assert get(use, make_session(), doc_url) == {"changed": True}


def test_stale_entry_is_used_when_the_network_fails(server, make_session, use, doc_url, clock):
    assert get(use, make_session(), doc_url) == DOC
    clock.now += 7200
    server.add_fault(PATH, *[Fault("status", 502)] * 2)
    session = make_session(retries=1)
    assert get(use, session, doc_url) == DOC
    stored = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(1_750_000_000))
    assert session.warnings == [
        "PyPI demo: HTTP 502 Bad Gateway; gave up after 2 attempts; using the cached copy from"
        f" {stored} ({doc_url})"
    ]


def test_offline_without_cache_touches_nothing(server, make_session, use, doc_url):
    session = make_session(offline=True)
    assert get(use, session, doc_url) is None
    assert session.warnings == ["PyPI demo: no cached data (offline)"]
    assert server.requests_to(PATH) == []
    assert session._client is None


def test_offline_uses_any_cached_entry(server, make_session, use, doc_url, clock):
    assert get(use, make_session(), doc_url) == DOC
    clock.now += 10 * 24 * 3600
    session = make_session(offline=True)
    assert get(use, session, doc_url) == DOC
    assert session.warnings == []
    assert len(server.requests_to(PATH)) == 1


def test_refresh_bypasses_a_fresh_entry(server, make_session, use, doc_url):
    assert get(use, make_session(), doc_url) == DOC
    server.json_docs[PATH] = b'{"new": 1}'
    session = make_session(refresh=True)
    assert get(use, session, doc_url) == {"new": 1}
    assert "if-none-match" not in server.requests_to(PATH)[-1]
    assert get(use, make_session(), doc_url) == {"new": 1}  # and stored it


def test_credentials_never_reach_warnings(server, make_session, use):
    server.add_fault("/secret", *[Fault("status", 500)] * 2)
    url = server.url.replace("http://", "http://alice:s3cr3t@") + "/secret"
    session = make_session(retries=1)
    assert get(use, session, url) is None
    assert server.requests_to("/secret")[0]["authorization"].startswith("Basic ")
    assert session.warnings == [
        "PyPI demo: HTTP 500 Internal Server Error; gave up after 2 attempts"
        f" ({server.url.replace('http://', 'http://***@')}/secret)"
    ]
    assert "s3cr3t" not in "".join(session.warnings)


def test_redact():
    assert redact("https://u:p@host/x and http://tok@h2/y") == "https://***@host/x and http://***@h2/y"
    assert redact("https://conda.anaconda.org/t/abc-123/chan/linux-64") == (
        "https://conda.anaconda.org/t/***/chan/linux-64"
    )


def test_unwritable_cache_dir_is_one_warning(server, use, doc_url, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = Cache(blocker / "cache")
    session = Session(cache=cache, pypi_url=server.url, timeout=0.5)
    assert get(use, session, doc_url) == DOC
    assert get(use, session, doc_url) == DOC
    assert session.warnings == [f"cache disabled: cannot write {blocker / 'cache'}: Not a directory"]


def test_transport_injection(use):
    httpx = pytest.importorskip("httpx")

    def handler(request):
        return httpx.Response(200, json={"via": str(request.url)})

    session = Session(cache=False, transport=httpx.MockTransport(handler))
    assert get(use, session, "https://example.test/doc") == {"via": "https://example.test/doc"}


def test_retry_after_forms():
    now = 1_445_412_480.0  # 2015-10-21 07:28:00 UTC
    assert _retry_after("7", now) == 7.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now) == 30.0
    assert _retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0.0
    assert _retry_after("soon", now) is None
    assert _retry_after(None, now) is None


def test_corrupt_cache_files_are_misses(server, make_session, use, doc_url, cache):
    assert get(use, make_session(), doc_url) == DOC
    for path in cache.directory.iterdir():
        path.write_text("{not json")
    session = make_session()
    assert get(use, session, doc_url) == DOC
    assert session.requests == 1
    assert session.warnings == []


def test_deadline_bounds_the_whole_attempt(server, make_session, use, doc_url):
    server.add_fault(PATH, Fault("slow", seconds=2))
    session = make_session(timeout=5, deadline=0.3, retries=0)
    assert get(use, session, doc_url) is None
    assert session.warnings == [f"PyPI demo: did not finish within 0.3 s ({doc_url})"]


def test_waiting_for_a_slot_is_not_part_of_the_deadline(server, make_session, use):
    server.latency = 0.2
    for i in range(4):
        server.json_docs[f"/doc{i}"] = b"[]"
    session = make_session(concurrency=1, deadline=0.5, retries=0)

    async def job(s):
        urls = [f"{server.url}/doc{i}" for i in range(4)]
        return await s.gather_ordered(s.get_json(u, what="doc") for u in urls)

    assert use(session, job) == [[], [], [], []]
    assert session.warnings == []


def test_tls_context_is_made_only_for_https(server, make_session, use, doc_url):
    """An http:// run never loads the CA bundle; an https request goes through a verifying context (here:
    a plain-HTTP server on that port, so the TLS handshake fails and nothing is read)."""
    import ssl

    session = make_session(cache=False, retries=0)

    async def job(s):
        first = await s.get_json(doc_url, what="PyPI demo")
        transport = s._http()._transport
        before = transport.tls
        second = await s.get_json(doc_url.replace("http://", "https://"), what="PyPI demo over TLS")
        return first, before, transport, second

    first, before, transport, second = use(session, job)
    assert first == DOC and before is None and second is None
    context = transport.tls._pool._ssl_context
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
    assert transport.plain._pool._ssl_context.cert_store_stats()["x509_ca"] == 0
    assert len(session.warnings) == 1 and session.warnings[0].startswith("PyPI demo over TLS: ")


def test_a_body_that_trickles_is_a_stall_not_retried(make_session, use):
    """One byte every 0.2 s never trips a per-read timeout; the stall bound (less than 1 KiB a second
    over a window of ``timeout``) ends it within about two windows."""
    from tests.hostile import HostileServer, trickle

    with HostileServer() as hostile:
        hostile.routes["/pypi/slow/json"] = trickle(b'{"info": {}}' * 100, every=0.2)
        url = hostile.url + "/pypi/slow/json"
        session = make_session(timeout=0.5, retries=2)
        start = time.monotonic()
        assert get(use, session, url) is None
        assert time.monotonic() - start < 10  # about 1 s; generous for a loaded machine
    assert session.warnings == [f"PyPI demo: stalled: less than 1024 bytes a second for 0.5 s ({url})"]
    assert hostile.log == ["/pypi/slow/json"]
    assert session.unreachable == {f"127.0.0.1:{hostile.port}": "stalled: less than 1024 bytes a second for 0.5 s"}


def test_httpx_comes_without_its_command_line_client():
    """httpx imports its CLI (click, rich, pygments) whenever they are installed; envslim never calls it."""
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("rich") is None:
        pytest.skip("rich is not installed: httpx would not import its CLI anyway")
    code = ("import sys\nfrom envslim.online import http\nhttpx = http._httpx()\n"
            "print(httpx.AsyncClient.__name__, 'rich' in sys.modules, 'httpx._main' in sys.modules"
            " and sys.modules['httpx._main'] is not None)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout == "AsyncClient False False\n"
