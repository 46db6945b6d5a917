"""A hostile HTTP server on 127.0.0.1 for the network bounds' tests: per path, a behaviour.

    with HostileServer() as srv:
        srv.routes["/c/noarch/repodata.json"] = endless()
        srv.routes["/c/noarch/repodata.json.zst"] = body(bomb, headers={...})
        srv.url  # http://127.0.0.1:PORT

Behaviours: ``body(data, status=200, headers=None)``; ``endless(chunk)`` (200, no length, the chunk
forever); ``silent()`` (accepts, never answers); ``trickle(data)`` (200 and a length, then one byte a
second); ``trickle_headers()`` (the status line one byte a second). Anything else is a 404. Every
handler stops when the server stops.
"""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

Behaviour = Callable[[BaseHTTPRequestHandler, threading.Event], None]


def body(data: bytes, *, status: int = 200, headers: dict[str, str] | None = None) -> Behaviour:
    def run(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return run


def endless(chunk: bytes = b"0" * 65536) -> Behaviour:
    def run(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.end_headers()
        while not stop.is_set():
            h.wfile.write(chunk)

    return run


def silent() -> Behaviour:
    def run(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        stop.wait(600)

    return run


def trickle(data: bytes = b'{"info": {}, "packages": {}}' * 100, every: float = 1.0,
            headers: dict[str, str] | None = None) -> Behaviour:
    def run(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        h.send_response(200)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        for i in range(len(data)):
            if stop.wait(every):
                return
            h.wfile.write(data[i:i + 1])
            h.wfile.flush()

    return run


def trickle_headers(every: float = 1.0) -> Behaviour:
    def run(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Slow: " + b"a" * 600:
            if stop.wait(every):
                return
            h.wfile.write(bytes([byte]))
            h.wfile.flush()

    return run


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):  # a client that hangs up on an endless body
        pass


class HostileServer:
    def __init__(self) -> None:
        self.routes: dict[str, Behaviour] = {}
        self.log: list[str] = []
        self.stop_event = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?", 1)[0]
                server.log.append(path)
                behaviour = server.routes.get(path)
                try:
                    if behaviour is None:
                        self.send_response(404)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    behaviour(self, server.stop_event)
                except (ConnectionError, socket.timeout, OSError):
                    pass
                self.close_connection = True

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        time.sleep(0)
