"""The pip side, resolved by uv for the target's Python and platform *against the conda side*.

``await resolve_pip(lines, conda_records, target, index_url=..., work_dir=...) -> PipResolution``

- Lines of the file's ``pip:`` list that are requirements (``name[extras] specifier ; marker``) are
  resolved; the others (``-e .``, ``-r file``, options, VCS and file URLs, ``name @ url``) are left
  out and listed in ``not_verified`` with the reason. So is a requirement with no wheel for the
  target (an sdist-only project): uv is run with ``--only-binary :all:``, and a requirement it finds
  no usable wheel for is set aside and the rest resolved again.
- Every Python distribution the conda side installs (a conda package that depends on ``python`` or
  is ``noarch: python``, named on PyPI by :func:`envslim.knowledge.names.pypi_name`) is offered to uv as what
  is already there: a metadata-only wheel of that exact version in a ``--find-links`` directory, and
  an ``==`` constraint (``-c``). pip must not replace any of them: a requirement that needs another
  version makes the resolution fail (:class:`~envslim.solve.errors.Unsolvable`, naming both sides),
  and what it accepts is conda's copy, left out of the output with ``--no-emit-package``.
- The command is ``uv pip compile - --python <this interpreter> --no-python-downloads --python-version X.Y.Z --python-platform P --only-binary :all:
  --index-url {index}/simple --find-links D -c D/conda-pins.txt --no-emit-package N...
  --format pylock.toml --no-config --cache-dir {work_dir}/uv``; the uv binary is the one the ``uv``
  PyPI package installs.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import io
import os
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envslim.solve.errors import SolveUnavailable, Unsolvable, one_line
from envslim.solve.target import Target

__all__ = ["PipPick", "PipResolution", "conda_python_dists", "resolve_pip", "split_pip_lines"]

_NO_WHEEL = re.compile(r"\b([A-Za-z0-9][A-Za-z0-9._-]*)(?:==\S+)? has no usable wheels|"
                       r"\b([A-Za-z0-9][A-Za-z0-9._-]*)(?:==\S+)? has no wheels")
_NETWORK = ("Failed to fetch", "Request failed", "error sending request", "Could not connect",
            "dns error", "Connection refused", "timed out", "HTTP status")


@dataclass(frozen=True)
class PipPick:
    name: str
    version: str
    url: str
    sha256: str


@dataclass
class PipResolution:
    picks: list[PipPick] = field(default_factory=list)
    requested: list[tuple[str, str]] = field(default_factory=list)  # (normalised name, line)
    not_verified: list[tuple[str, str]] = field(default_factory=list)  # (line, why)


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# pip's index options, passed on to uv: (pip's spellings) -> uv's option
INDEX_OPTIONS = {"-f": "--find-links", "--find-links": "--find-links", "-i": "--index-url",
                 "--index-url": "--index-url", "--extra-index-url": "--extra-index-url"}


def index_option(line: str) -> tuple[str, str] | None:
    """``(uv option, value)`` for a pip index option line (``-f URL``, ``--find-links=URL``,
    ``--extra-index-url URL``, ``-i URL``, ``--index-url URL``), else None."""
    head, sep, value = line.strip().partition("=")
    if not sep or " " in head:
        head, _, value = line.strip().partition(" ")
    if head.startswith("-f") and head != "-f" and not head.startswith("--"):  # -fURL
        head, value = "-f", head[2:]
    option = INDEX_OPTIONS.get(head)
    value = value.split(" #", 1)[0].strip()
    return (option, value) if option and value else None


def split_pip_lines(lines: list[str]) -> tuple[list[tuple[str, Any]], list[tuple[str, str]]]:
    """(line, packaging Requirement) for resolvable lines; (line, why not) for the rest. Index
    options (:func:`index_option`) are neither: :func:`resolve_pip` passes them to uv."""
    from packaging.requirements import InvalidRequirement, Requirement

    ok: list[tuple[str, Any]] = []
    skipped: list[tuple[str, str]] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if index_option(line) is not None:
            continue
        if line.startswith("-"):
            skipped.append((line, "a pip option or editable install, not a requirement"))
            continue
        if re.match(r"^[a-z][a-z0-9+.-]*://", line, re.I) or line.startswith((".", "/", "~")):
            skipped.append((line, "a URL or path, not resolvable as a wheel from the index"))
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            skipped.append((line, f"not a requirement: {exc}"))
            continue
        if req.url:
            skipped.append((line, "a direct URL reference, not resolvable as a wheel from the index"))
            continue
        ok.append((line, req))
    return ok, skipped


def conda_python_dists(records: list[Any]) -> list[tuple[str, str]]:
    """(PyPI name, version) of each Python distribution the conda side installs."""
    from packaging.version import InvalidVersion, Version

    from envslim.knowledge.names import pypi_name

    out = []
    for r in records:
        name = r.name.normalized
        if name == "python":
            continue
        deps = {d.split()[0] for d in r.depends}
        if "python" not in deps and not getattr(r.noarch, "python", False):
            continue
        pypi = pypi_name(name)
        if pypi is None:
            continue
        try:
            version = str(Version(str(r.version)))
        except InvalidVersion:
            continue
        out.append((_normalize(pypi), version))
    return sorted(set(out))


def _stub_wheel(name: str, version: str) -> tuple[str, bytes]:
    """A wheel with only metadata: how uv is told that conda already installs ``name==version``."""
    dist = re.sub(r"[-.]+", "_", name)
    info = f"{dist}-{version}.dist-info"
    members = {
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: envslim\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, data in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    members[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path, data in sorted(members.items()):
            info_ = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            zf.writestr(info_, data)
    return f"{dist}-{version}-py3-none-any.whl", buf.getvalue()


def uv_binary() -> str:
    try:
        import uv
    except ImportError:
        raise SolveUnavailable("uv is not installed (pip install 'envslim[solve]')") from None
    return uv.find_uv_bin()


UV_RUN_STALLS = 20  # uv's whole run may last this many stall bounds (10 minutes by default)


def uv_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """uv's network bounds from envslim's: ``UV_HTTP_TIMEOUT`` (uv's stalled read) is the stall bound,
    ``UV_HTTP_CONNECT_TIMEOUT`` the connect bound, unless the user set them."""
    import math

    from envslim.online.limits import CONNECT_TIMEOUT, stall_timeout

    env = dict(os.environ if environ is None else environ)
    env.setdefault("UV_HTTP_TIMEOUT", str(max(1, math.ceil(stall_timeout(env)))))
    env.setdefault("UV_HTTP_CONNECT_TIMEOUT", str(int(CONNECT_TIMEOUT)))
    env["NO_COLOR"] = "1"
    return env


async def _run_uv(args: list[str], stdin: str) -> tuple[int, str, str]:
    """Run uv in its own process group; past ``UV_RUN_STALLS`` stall bounds the group is killed
    (uv's own read timeout does not end a server that sends a byte a second)."""
    import signal

    from envslim.online.limits import stall_timeout

    wall = UV_RUN_STALLS * stall_timeout()
    proc = await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=uv_environment(),
        start_new_session=True,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin.encode()), wall)
    except (asyncio.TimeoutError, asyncio.CancelledError) as exc:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()
        if isinstance(exc, asyncio.CancelledError):
            raise
        raise SolveUnavailable(f"pip side: uv did not finish within {wall:g} s"
                               f" ({UV_RUN_STALLS} x the {stall_timeout():g} s stall bound)") from None
    return proc.returncode or 0, out.decode(), err.decode()


def _best_wheel(wheels: list[dict[str, Any]], python: str, target: Target) -> dict[str, Any]:
    """The wheel pip would install on the target, of those uv lists (a pylock lists every wheel of the
    version: other Pythons and platforms too): the best tag match, by pip's tag order
    (:func:`envslim.online.pypi.target_tags`)."""
    from envslim.online.pypi import UnknownTarget, target_tags, wheel_tags

    from envslim.solve.target import DEFAULT_OSX

    option = f"glibc{target.glibc}" if target.platform.startswith("linux-") else (
        DEFAULT_OSX if target.platform.startswith("osx-") else "")
    try:
        order = {tag: i for i, tag in enumerate(target_tags(python, f"{target.platform}:{option}".rstrip(":")))}
    except UnknownTarget:
        return wheels[0]

    def rank(wheel: dict[str, Any]) -> int:
        name = str(wheel.get("name") or wheel.get("url", "")).rsplit("/", 1)[-1]
        tags = wheel_tags(name)
        ranks = [order[t] for t in tags[0] if t in order] if tags else []
        return min(ranks) if ranks else len(order)

    return min(wheels, key=rank)


def _parse_pylock(text: str, python: str, target: Target) -> list[PipPick]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    doc = tomllib.loads(text)
    picks = []
    for pkg in doc.get("packages", []):
        wheels = pkg.get("wheels") or []
        if not wheels:
            continue
        wheel = _best_wheel(wheels, python, target)
        picks.append(PipPick(_normalize(pkg["name"]), str(pkg["version"]), wheel["url"],
                             wheel.get("hashes", {}).get("sha256", "")))
    return picks


async def resolve_pip(
    lines: list[str],
    conda_records: list[Any],
    target: Target,
    *,
    index_url: str,
    work_dir: Path,
) -> PipResolution:
    result = PipResolution()
    reqs, result.not_verified = split_pip_lines(lines)
    if not reqs:
        return result
    python = next((r for r in conda_records if r.name.normalized == "python"), None)
    if python is None:
        result.not_verified += [(line, "no python on the conda side to resolve it for") for line, _ in reqs]
        return result
    dists = conda_python_dists(conda_records)
    # one directory per set of conda dists: uv must see only what *this* conda side installs
    key = hashlib.sha256("".join(f"{n}=={v}\n" for n, v in dists).encode()).hexdigest()[:16]
    links = work_dir / "conda-dists" / key
    links.mkdir(parents=True, exist_ok=True)
    for name, version in dists:
        filename, data = _stub_wheel(name, version)
        path = links / filename
        if not path.exists():
            path.write_bytes(data)
    pins = links / "conda-pins.txt"
    pins.write_text("".join(f"{n}=={v}\n" for n, v in dists))
    conda_names = {n for n, _ in dists}
    args = [
        uv_binary(), "pip", "compile", "-", "--quiet", "--no-config", "--no-header",
        # markers are evaluated for --python-version and --python-platform; uv still wants an
        # interpreter, and without one of that exact version it would try to download one
        "--python", sys.executable, "--no-python-downloads", "--python-version", str(python.version), "--python-platform", target.python_platform(),
        "--only-binary", ":all:", "--index-url", index_url.rstrip("/") + "/simple",
        "--find-links", str(links), "-c", str(pins), "--format", "pylock.toml",
        "--cache-dir", str(work_dir / "uv"),
    ]
    for name in sorted(conda_names):
        args += ["--no-emit-package", name]
    options = [o for o in (index_option(line) for line in lines) if o is not None]
    for option, value in options:
        if option == "--index-url":  # the file's index replaces the default one, as for pip
            at = args.index("--index-url")
            args[at + 1] = value
        else:
            args += [option, value]
    if any(option == "--extra-index-url" for option, _ in options):
        args += ["--index-strategy", "unsafe-best-match"]  # pip's rule: the best version of all indexes
    pending = list(reqs)
    while pending:
        code, out, err = await _run_uv(args, "".join(line + "\n" for line, _ in pending))
        if code == 0:
            result.picks = _parse_pylock(out, str(python.version), target)
            break
        message = one_line(err)
        if any(marker in err for marker in _NETWORK):
            raise SolveUnavailable(f"{target.platform}: pip side: {message}", target.platform)
        no_wheel = {_normalize(a or b) for a, b in _NO_WHEEL.findall(err)}
        dropped = [(line, req) for line, req in pending if _normalize(req.name) in no_wheel]
        if not dropped:
            raise Unsolvable(f"{target.platform}: pip side does not resolve against the conda side: "
                             f"{_name_conda_pins(message, dists)}", target.platform)
        for item in dropped:
            pending.remove(item)
            result.not_verified.append((item[0], "no wheel for the target (sdist only)"))
    result.requested = [(_normalize(req.name), line) for line, req in pending]
    return result


def _name_conda_pins(message: str, dists: list[tuple[str, str]]) -> str:
    """Mark the versions uv was held to because conda installs them: ``numpy==1.19 (from conda)``."""
    for name, version in dists:
        message = re.sub(rf"\b{re.escape(name)}=={re.escape(version)}\b(?! \(from conda\))",
                         f"{name}=={version} (from conda)", message)
    return message
