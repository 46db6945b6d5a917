"""A real HTTP server on 127.0.0.1 serving the PyPI JSON API, the anaconda.org files API and package
files (with Range support), with injectable faults; plus builders for real wheels and .conda files.

Used by tests/online and bench/bench_lookup.py. Formats follow the documented APIs:
- PyPI JSON API, ``/pypi/<name>/json``: ``info``, ``releases`` (version -> list of files),
  ``urls`` (files of the latest version); each file has ``filename``, ``packagetype``,
  ``python_version``, ``requires_python``, ``size``, ``url``, ``yanked``, ``digests``...
- anaconda.org, ``/package/<channel>/<name>/files``: a list of file objects with ``basename``,
  ``version``, ``size``, ``attrs`` (``subdir``, ``build``, ``build_number``, ``depends``...),
  ``distribution_type``, ``upload_time``, ``labels``, ``download_url`` (protocol-relative).
- conda channel files at ``/conda/<channel>/<subdir>/<file>``, other files at ``/files/<name>``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import socket
import struct
import tarfile
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LAST_MODIFIED = "Wed, 01 Jan 2025 00:00:00 GMT"


# -- faults ----------------------------------------------------------------------------------------


@dataclass
class Fault:
    """One injected behaviour for the next request to a path.

    kind: "status" (send ``status`` with ``headers``), "slow" (wait ``seconds`` then answer normally),
    "malformed" (200 with a broken JSON body), "drop" (headers, half the body, then close),
    "reset" (close the socket with RST before answering), "norange" (ignore Range).
    """

    kind: str
    status: int = 500
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


# -- the server ------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default backlog of 5 drops connects when a client opens many

    def handle_error(self, request, client_address):
        """socketserver prints a traceback when a client resets an idle keep-alive connection (after a
        dropped response, httpx closes its pool): expected here, so kept quiet. Other errors still print."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class PackageServer:
    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self.files: dict[str, bytes] = {}  # path -> body
        self.json_docs: dict[str, bytes] = {}  # path -> JSON body
        self.content_types: dict[str, str] = {}  # path -> Content-Type other than the default
        self.faults: dict[str, list[Fault]] = {}
        self.ignore_range: set[str] = set()
        self.encodings: dict[str, str] = {}  # path -> Content-Encoding of a JSON body stored encoded
        self.log: list[tuple[str, dict[str, str]]] = []
        # path prefix -> Cache-Control sent with every 200 and 304 under it (a real channel's repodata)
        self.cache_control: dict[str, str] = {}
        # path prefixes whose files (not only JSON documents) carry an ETag and Last-Modified and answer a
        # matching If-None-Match with 304, as a real channel's repodata.json does
        self.validated: tuple[str, ...] = ()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.released = threading.Event()  # hold(): requests wait for this, so a test decides when they finish
        self.released.set()
        self._httpd = _Server(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> PackageServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.released.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> PackageServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- configuration ---------------------------------------------------------------------------
    def add_fault(self, path: str, *faults: Fault) -> None:
        with self._lock:
            self.faults.setdefault(path, []).extend(faults)

    def requests_to(self, path: str) -> list[dict[str, str]]:
        with self._lock:
            return [headers for p, headers in self.log if p == path]

    def add_encoded(self, path: str, body: bytes, encoding: str) -> None:
        """Serve ``body`` (already encoded) at ``path`` as JSON with ``Content-Encoding: encoding``."""
        self.json_docs[path] = body
        self.encodings[path] = encoding

    def add_file(self, path: str, data: bytes) -> str:
        self.files[path] = data
        return self.url + path

    def add_pypi_project(self, name: str, files: list[PypiFile], *, relative_urls: bool = False) -> None:
        """Serve ``/pypi/<name>/json`` for ``files`` (and the wheel bodies that have data)."""
        releases: dict[str, list[dict[str, object]]] = {}
        for f in files:
            path = f"/files/{f.filename}"
            if f.data is not None:
                self.files[path] = f.data
            url = f"../../files/{f.filename}" if relative_urls else self.url + path
            releases.setdefault(f.version, []).append(f.record(url))
        latest = list(releases)[-1]
        doc = {
            "info": {"name": name, "version": latest, "requires_python": None, "summary": ""},
            "last_serial": 1,
            "releases": releases,
            "urls": releases[latest],
        }
        self.json_docs[f"/pypi/{name}/json"] = json.dumps(doc).encode()

    def add_conda_package(self, channel: str, name: str, files: list[CondaArtifact]) -> None:
        records = []
        for f in files:
            path = f"/conda/{channel}/{f.subdir}/{f.filename}"
            self.files[path] = f.data
            records.append(f.record(channel, self.url))
        self.json_docs[f"/package/{channel}/{name}/files"] = json.dumps(records).encode()

    # -- serving ---------------------------------------------------------------------------------
    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            queue = self.faults.get(path)
            return queue.pop(0) if queue else None

    def _record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.log.append((path, headers))

    def wait(self, seconds: float) -> None:
        self._stop.wait(seconds)

    def hold(self) -> None:
        """Keep every request waiting, after it is logged, until :meth:`release` (or the server stops)."""
        self.released.clear()

    def release(self) -> None:
        self.released.set()


def _make_handler(server: PackageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in separate writes

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            server._record(path, {k.lower(): v for k, v in self.headers.items()})
            while not server.released.wait(0.05):
                if server._stop.is_set():
                    return
            if server.latency:
                server.wait(server.latency)
            fault = server._next_fault(path)
            try:
                self._answer(path, fault)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _not_modified(self, etag: str) -> None:
            """304 for a request whose If-None-Match is the body's ``etag``."""
            self.send_response(304)
            self.send_header("ETag", etag)
            self._cache_control(304)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _cache_control(self, status: int) -> None:
            """Cache-Control for a path under one of ``server.cache_control``'s prefixes (200 and 304)."""
            if status not in (200, 304):
                return
            path = urlsplit(self.path).path
            for prefix, value in server.cache_control.items():
                if path.startswith(prefix):
                    self.send_header("Cache-Control", value)
                    return

        def _send(
            self, status: int, body: bytes, headers: dict[str, str], *, drop: bool = False
        ) -> None:
            """Answer; with ``drop``, send half the body and close the connection."""
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self._cache_control(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not drop:
                self.wfile.write(body)
                return
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

        def _answer(self, path: str, fault: Fault | None) -> None:
            if fault is not None and fault.kind == "slow":
                server.wait(fault.seconds)
            if fault is not None and fault.kind == "status":
                self._send(fault.status, b"error\n", {"Content-Type": "text/plain", **fault.headers})
                return
            if fault is not None and fault.kind == "reset":
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                self.close_connection = True
                return
            if path in server.json_docs:
                body = server.json_docs[path]
                if fault is not None and fault.kind == "malformed":
                    body = body[: len(body) // 2]
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                headers = {
                    "Content-Type": server.content_types.get(path, "application/json"),
                    "ETag": etag,
                    "Last-Modified": LAST_MODIFIED,
                }
                if path in server.encodings:
                    headers["Content-Encoding"] = server.encodings[path]
                if self.headers.get("If-None-Match") == etag:
                    self._not_modified(etag)
                    return
            elif path in server.files:
                body = server.files[path]
                headers = {"Content-Type": "application/octet-stream", "Accept-Ranges": "bytes"}
                if path.startswith(server.validated) and server.validated:
                    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                    headers.update({"ETag": etag, "Last-Modified": LAST_MODIFIED})
                    if self.headers.get("If-None-Match") == etag and not self.headers.get("Range"):
                        self._not_modified(etag)
                        return
                wanted = self.headers.get("Range")
                ignore = path in server.ignore_range or (fault is not None and fault.kind == "norange")
                if wanted and not ignore:
                    span = _parse_range(wanted, len(body))
                    if span is None:
                        self._send(416, b"", {"Content-Range": f"bytes */{len(body)}"})
                        return
                    start, end = span
                    headers["Content-Range"] = f"bytes {start}-{end - 1}/{len(body)}"
                    body = body[start:end]
                    self._send(206, body, headers, drop=fault is not None and fault.kind == "drop")
                    return
            else:
                self._send(404, b"not found\n", {"Content-Type": "text/plain"})
                return
            self._send(200, body, headers, drop=fault is not None and fault.kind == "drop")

    return Handler


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    if not first:
        n = int(last)
        return (max(0, size - n), size) if n > 0 else None
    start = int(first)
    end = size if not last else min(size, int(last) + 1)
    return (start, end) if start < size and start < end else None


# -- PyPI files ------------------------------------------------------------------------------------


@dataclass
class PypiFile:
    filename: str
    version: str
    data: bytes | None = None  # None: listed in the JSON only (size from ``size``)
    size: int | None = None
    requires_python: str | None = None
    yanked: bool = False

    def record(self, url: str) -> dict[str, object]:
        wheel = self.filename.endswith(".whl")
        size = len(self.data) if self.data is not None else (self.size or 1000)
        return {
            "filename": self.filename,
            "packagetype": "bdist_wheel" if wheel else "sdist",
            "python_version": self.filename.split("-")[-3] if wheel else "source",
            "requires_python": self.requires_python,
            "size": size,
            "url": url,
            "yanked": self.yanked,
            "yanked_reason": "broken" if self.yanked else None,
            "digests": {"sha256": hashlib.sha256(self.data or b"").hexdigest()},
            "upload_time_iso_8601": "2025-01-01T00:00:00.000000Z",
        }


def build_wheel(
    name: str,
    version: str,
    tag: str,
    files: dict[str, bytes],
    *,
    zip64: bool = False,
    comment: bytes = b"",
    requires: tuple[str, ...] | list[str] = (),
) -> bytes:
    """A real wheel: the files, plus ``.dist-info/`` METADATA (with ``requires`` as Requires-Dist),
    WHEEL and RECORD."""
    dist_info = f"{name}-{version}.dist-info"
    members = dict(files)
    members[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        + "".join(f"Requires-Dist: {r}\n" for r in requires)
    ).encode()
    members[f"{dist_info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: envslim-tests\nRoot-Is-Purelib: true\nTag: {tag}\n".encode()
    )
    record = []
    for path, data in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    members[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    if zip64:
        return build_zip64(members, comment=comment)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in members.items():
            zf.writestr(path, data)
        zf.comment = comment
    return buf.getvalue()


def build_zip64(members: dict[str, bytes], *, comment: bytes = b"") -> bytes:
    """A ZIP64 archive (stored members) whose central directory uses the ZIP64 extra field for every
    size and offset and ends with a ZIP64 end of central directory record and locator."""
    out = bytearray()
    central = bytearray()
    for name, data in members.items():
        raw = name.encode()
        crc = zlib.crc32(data)
        offset = len(out)
        local_extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        out += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 45, 0x800, 0, 0, 0x21, crc,
            0xFFFFFFFF, 0xFFFFFFFF, len(raw), len(local_extra),
        )
        out += raw + local_extra + data
        cd_extra = struct.pack("<HHQQQ", 1, 24, len(data), len(data), offset)
        central += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 45 | (3 << 8), 45, 0x800, 0, 0, 0x21, crc,
            0xFFFFFFFF, 0xFFFFFFFF, len(raw), len(cd_extra), 0, 0, 0, 0o644 << 16, 0xFFFFFFFF,
        )
        central += raw + cd_extra
    cd_offset = len(out)
    out += central
    eocd64_at = len(out)
    count = len(members)
    out += struct.pack(
        "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(central), cd_offset
    )
    out += struct.pack("<4sLQL", b"PK\x06\x07", 0, eocd64_at, 1)
    out += struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, len(comment)
    )
    out += comment
    return bytes(out)


def unzip_sum(data: bytes) -> int:
    """What unpacking writes, per the standard library's zipfile: the reference for the tests."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return sum(i.file_size for i in zf.infolist() if not i.is_dir())


# -- conda files -----------------------------------------------------------------------------------


@dataclass
class CondaArtifact:
    name: str
    version: str
    build: str
    subdir: str
    data: bytes
    ext: str = ".conda"
    depends: tuple[str, ...] = ()
    build_number: int = 0
    upload_time: str = "2025-01-01 00:00:00.000000+00:00"

    @property
    def filename(self) -> str:
        return f"{self.name}-{self.version}-{self.build}{self.ext}"

    def record(self, channel: str, base: str) -> dict[str, object]:
        host = base.split("://", 1)[1]
        basename = f"{self.subdir}/{self.filename}"
        md5 = hashlib.md5(self.data).hexdigest()
        sha256 = hashlib.sha256(self.data).hexdigest()
        return {
            "description": None,
            "dependencies": {"depends": []},
            "distribution_type": "conda",
            "basename": basename,
            "attrs": {
                "name": self.name,
                "version": self.version,
                "build": self.build,
                "build_number": self.build_number,
                "subdir": self.subdir,
                "depends": list(self.depends),
                "md5": md5,
                "sha256": sha256,
                "size": len(self.data),
                "timestamp": 1735689600000,
            },
            "upload_time": self.upload_time,
            "md5": md5,
            "sha256": sha256,
            "size": len(self.data),
            "full_name": f"{channel}/{self.name}/{self.version}/{basename}",
            "download_url": f"//{host}/download/{channel}/{self.name}/{self.version}/{basename}",
            "type": "conda",
            "version": self.version,
            "ndownloads": 7,
            "owner": channel,
            "labels": ["main"],
        }


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1735689600
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def build_conda(
    name: str,
    version: str,
    build: str,
    subdir: str,
    files: dict[str, bytes],
    *,
    content_size: bool = True,
) -> bytes:
    """A real .conda (format 2): zip of metadata.json, pkg-*.tar.zst and info-*.tar.zst (stored),
    in the order conda's own writers use; ``info/paths.json`` lists every file with its size."""
    import zstandard

    stem = f"{name}-{version}-{build}"
    paths = [
        {
            "_path": path,
            "path_type": "hardlink",
            "sha256": hashlib.sha256(data).hexdigest(),
            "size_in_bytes": len(data),
        }
        for path, data in files.items()
    ]
    index = {"name": name, "version": version, "build": build, "subdir": subdir, "depends": []}
    info = {
        "info/index.json": json.dumps(index).encode(),
        "info/paths.json": json.dumps({"paths": paths, "paths_version": 1}).encode(),
    }
    compressor = zstandard.ZstdCompressor(level=3, write_content_size=content_size)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("metadata.json", json.dumps({"conda_pkg_format_version": 2}))
        zf.writestr(f"pkg-{stem}.tar.zst", compressor.compress(_tar(files)))
        zf.writestr(f"info-{stem}.tar.zst", compressor.compress(_tar(info)))
    return buf.getvalue()




# -- the simple API (PEP 503 / PEP 691 HTML) and wheels with dependencies ------------------------


def add_simple_project(server: PackageServer, name: str, files: list[PypiFile]) -> None:
    """Serve ``/simple/<name>/`` in the simple API's JSON form (PEP 691: ``meta.api-version``,
    ``name``, ``files`` with ``filename``, ``url``, ``hashes``, ``requires-python``) and the file
    bodies, as an installer such as uv reads them."""
    listed = []
    for f in files:
        path = f"/files/{f.filename}"
        entry: dict[str, object] = {}
        if f.data is not None:
            server.files[path] = f.data
            metadata = _wheel_metadata(f.data) if f.filename.endswith(".whl") else None
            if metadata is not None:  # PEP 658/714: the installer reads METADATA without the wheel
                server.files[path + ".metadata"] = metadata
                entry["core-metadata"] = {"sha256": hashlib.sha256(metadata).hexdigest()}
        listed.append({**entry,
            "filename": f.filename,
            "url": server.url + path,
            "hashes": {"sha256": hashlib.sha256(f.data or b"").hexdigest()},
            "requires-python": f.requires_python,
            "yanked": f.yanked,
        })
    doc = {"meta": {"api-version": "1.0"}, "name": name, "files": listed}
    server.json_docs[f"/simple/{name}/"] = json.dumps(doc).encode()
    server.content_types[f"/simple/{name}/"] = "application/vnd.pypi.simple.v1+json"


def _wheel_metadata(data: bytes) -> bytes | None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for member in zf.namelist():
            if member.endswith(".dist-info/METADATA"):
                return zf.read(member)
    return None
