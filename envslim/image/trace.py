"""``envslim prune PREFIX --keep-used-by COMMAND``: delete what a smoke test never touches, and prove it.

1. **Trace.** COMMAND runs (``/bin/sh -c``, with ``PREFIX/bin`` first on PATH as in the image) while every
   Python process it starts from the prefix records what it touches: a temporary ``.pth`` file in the
   prefix's site-packages installs an audit hook (PEP 578) from a work folder at the prefix's top
   (``.envslim-trace-*``: the hook's code, and a file per traced process). The hook records
   ``open`` events (``open()``, ``io.open_code()``: source, byte-code, data) and ``ctypes.dlopen``; at exit
   the process adds every module's ``__file__`` and ``__cached__`` (modules imported before the hook, such
   as ``site`` and ``encodings``) and the files mapped into it (``/proc/self/maps``: the interpreter,
   extension modules and the shared libraries they link). The ``.pth`` file and the work folder are removed
   afterwards; what a killed run leaves of them, the next run removes (``envslim.image.leftovers``).
2. **Select.** Under ``lib/`` (where Python and the shared libraries live; ``bin/``, ``share/``, ``etc/``
   stay), the files of the :data:`CATEGORIES` that were never touched. A module and its byte-code go or stay
   together; package metadata (``*.dist-info``, ``*.egg-info``), ``.pth`` files and symbolic links whose
   target stays are never selected. ``--keep`` globs are honoured. The categories of plain ``envslim
   prune`` (tests, docs, pip, ...) go as well.
3. **Verify.** The selected files are moved into a trash directory inside the prefix (a rename: same bytes,
   mode and times), COMMAND runs again without the tracer, and only when it exits 0 is the trash deleted.
   When it fails, every file is moved back and the prefix is as it was, byte for byte.

What a trace cannot see, and the second run is there to catch: files that only native code opens (C
``fopen``), Python processes started with ``-I``/``-S`` (no ``site``, so no ``.pth``), processes that end by
``os._exit`` (forked workers), and code paths the smoke test does not take. The last one the second run
cannot catch either: the image keeps only what the smoke test needs, so the smoke test must exercise what
the service does.
"""

from __future__ import annotations

import csv
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

from envslim.errors import EnvslimError
from envslim.image.strip import elf_has_symbols, is_shared_library  # noqa: F401 (elf_has_symbols: read through here too)
from envslim.image.fsguard import walk
from envslim.image.interrupt import held, pause
from envslim.image.trash import TRACE_PREFIX, TRASH_PREFIX


@dataclass(frozen=True)
class TraceCategory:
    id: str
    summary: str
    evidence: str
    cost: str


CATEGORIES: tuple[TraceCategory, ...] = (
    TraceCategory(
        "untraced-modules",
        "Python modules (*.py) and their byte-code that no traced process imported or read",
        "A module that is never imported costs its bytes and nothing else; the smoke test's processes "
        "recorded every module they imported (sys.modules) and every file they opened.",
        "an import on a code path the smoke test does not take fails with ModuleNotFoundError",
    ),
    TraceCategory(
        "untraced-extensions",
        "extension modules (lib/python*/**/*.so) that no traced process loaded",
        "An extension module is mapped into the process that imports it (/proc/self/maps at exit).",
        "an import of it on another code path fails",
    ),
    TraceCategory(
        "untraced-libraries",
        "shared libraries (*.so, *.so.*) that no traced process mapped",
        "The dynamic loader maps every library a process links or dlopen()s (/proc/self/maps at exit).",
        "a plugin or backend loaded only on another code path is gone (e.g. a GDAL driver, a BLAS kernel)",
    ),
    TraceCategory(
        "untraced-data",
        "other package files under lib/ (data, stubs, sources) that no traced process opened",
        "Python code reads package data through open()/importlib.resources, which the audit hook records.",
        "data read only by native code, or only on another code path, is gone",
    ),
)

_TRACE_ENV = "ENVSLIM_TRACE_CODE"
_OUT_ENV = "ENVSLIM_TRACE_OUT"
PTH_NAME = "_envslim_trace.pth"

# Runs inside each traced Python process (exec'd from the .pth line); stdlib only, no names left behind
# but the hook. It writes one file per process into $ENVSLIM_TRACE_OUT at exit.
TRACER = r'''
def _envslim_tracer():
    import atexit, os, sys
    out_dir = os.environ.get("ENVSLIM_TRACE_OUT")
    if not out_dir:
        return
    seen = set()
    abspath = os.path.abspath

    def hook(event, args):
        if event == "open" or event == "ctypes.dlopen":
            p = args[0] if args else None
            if isinstance(p, bytes):
                p = os.fsdecode(p)
            if isinstance(p, str) and p:
                seen.add(abspath(p))

    sys.addaudithook(hook)

    def dump():
        paths = set(seen)
        for m in list(sys.modules.values()):
            for attr in ("__file__", "__cached__"):
                p = getattr(m, attr, None)
                if isinstance(p, str):
                    paths.add(abspath(p))
        try:
            with open("/proc/self/maps") as f:
                for line in f:
                    parts = line.split(None, 5)
                    if len(parts) == 6 and parts[5].startswith("/"):
                        p = parts[5].rstrip("\n")
                        paths.add(p[: -len(" (deleted)")] if p.endswith(" (deleted)") else p)
        except OSError:
            pass
        with open(os.path.join(out_dir, "%d.txt" % os.getpid()), "a") as f:
            f.write("\n".join(sorted(paths)) + "\n")

    atexit.register(dump)

_envslim_tracer()
del _envslim_tracer
'''


def pth_line() -> str:
    # A .pth line starting with "import" is executed by site; inert unless envslim set the variable.
    return (
        "import os; _p = os.environ.get(%r); _p and exec(compile(open(_p).read(), _p, 'exec')); del _p\n" % _TRACE_ENV
    )


def site_packages(prefix: str) -> list[str]:
    """The prefix's ``lib/pythonX.Y/site-packages`` folders whose real path is inside the prefix's: one that is
    (or lies under) a link out of the prefix is another environment's, where the tracer's ``.pth`` file must
    not go."""
    lib = os.path.join(prefix, "lib")
    root = os.path.realpath(prefix).rstrip(os.sep) + os.sep
    found = []
    if os.path.isdir(lib):
        for name in sorted(os.listdir(lib)):
            sp = os.path.join(lib, name, "site-packages")
            if name.startswith("python") and os.path.isdir(sp) and os.path.realpath(sp).startswith(root):
                found.append(sp)
    return found


@dataclass
class RunResult:
    returncode: int
    output: str
    timed_out: float | None = None  # the timeout (seconds) when it passed


SMOKE_TIMEOUT = 600.0  # seconds for one run of the smoke test (--smoke-timeout)
OUTPUT_KEPT = 1 << 20  # bytes of the smoke test's output kept in memory: its end (the report shows the last lines)
DRAIN_AFTER_END = 10.0  # seconds to read what is left in the pipe once the group is ended


class _Tail:
    """The last :data:`OUTPUT_KEPT` bytes of what is read from a pipe; the rest is read and dropped."""

    def __init__(self, keep: int = OUTPUT_KEPT) -> None:
        self.keep = keep
        self.buf = bytearray()
        self.dropped = 0

    def feed(self, chunk: bytes) -> None:
        self.buf += chunk
        if len(self.buf) > 2 * self.keep:
            cut = len(self.buf) - self.keep
            del self.buf[:cut]
            self.dropped += cut

    def drain(self, fd: int) -> None:
        while chunk := os.read(fd, 1 << 16):
            self.feed(chunk)

    def text(self) -> str:
        if len(self.buf) > self.keep:
            self.dropped += len(self.buf) - self.keep
            del self.buf[: len(self.buf) - self.keep]
        head = f"[{self.dropped:,} bytes of output before this not kept]\n" if self.dropped else ""
        return head + self.buf.decode("utf-8", errors="replace")


def run_command(command: str, prefix: str, extra_env: dict[str, str], timeout: float = SMOKE_TIMEOUT) -> RunResult:
    """COMMAND through /bin/sh with PREFIX/bin first on PATH (as in the image), in a session (process group)
    of its own; standard output and error through one pipe, of which the last :data:`OUTPUT_KEPT` bytes are
    kept. When the shell exits, when ``timeout`` seconds have passed, or when envslim is interrupted, the
    whole group is killed (a background process the command left cannot keep envslim waiting)."""
    import signal
    import threading

    env = dict(os.environ)
    env["PATH"] = os.path.join(prefix, "bin") + os.pathsep + env.get("PATH", "")
    env.update(extra_env)
    read_fd, write_fd = os.pipe()
    try:
        proc = subprocess.Popen(
            ["/bin/sh", "-c", command],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=write_fd,
            stderr=write_fd,
            start_new_session=True,
        )
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    tail = _Tail()
    reader = threading.Thread(target=tail.drain, args=(read_fd,), daemon=True)
    reader.start()
    timed_out = None
    try:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = timeout
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
        reader.join(DRAIN_AFTER_END)  # every process of the group is gone; one that left it may keep the pipe
        if not reader.is_alive():
            os.close(read_fd)
    return RunResult(proc.returncode, tail.text(), timed_out)


Runner = Callable[[str, str, dict], RunResult]


def trace(command: str, prefix: str, runner: Runner = run_command) -> tuple[RunResult, set[str], int]:
    """Run COMMAND traced; (its result, the absolute paths touched, the number of traced processes)."""
    sps = site_packages(prefix)
    if not sps:
        raise EnvslimError(f"{prefix}: no lib/pythonX.Y/site-packages inside the prefix to install the tracer in;"
                           " nothing was changed")
    pths = [os.path.join(sp, PTH_NAME) for sp in sps]
    work = ""
    try:
        with held():  # (a signal meanwhile is raised after ``work`` is set: the ``finally`` removes it)
            work = tempfile.mkdtemp(prefix=TRACE_PREFIX, dir=prefix)  # in the prefix: see trash.TRACE_PREFIX
        code = os.path.join(work, "tracer.py")
        with open(code, "w") as f:
            f.write(TRACER)
        out_dir = os.path.join(work, "out")
        os.mkdir(out_dir)
        written: list[str] = []  # only these are removed: a file that was there before is not ours
        try:
            for pth in pths:
                try:
                    with held(), open(pth, "x") as f:
                        written.append(pth)
                        f.write(pth_line())
                except OSError as e:
                    raise EnvslimError(
                        f"{pth}: cannot write the tracer's .pth file: {e.strerror or e}; nothing was changed"
                    ) from None
            pause("hooked")
            result = runner(command, prefix, {_TRACE_ENV: code, _OUT_ENV: out_dir})
        finally:
            with held():
                for pth in written:
                    try:
                        os.unlink(pth)
                    except FileNotFoundError:
                        pass
        touched: set[str] = set()
        names = sorted(os.listdir(out_dir))
        for name in names:
            with open(os.path.join(out_dir, name), errors="replace") as f:
                touched.update(line.rstrip("\n") for line in f if line.strip())
        return result, touched, len(names)
    finally:
        if work:
            with held():
                shutil.rmtree(work, ignore_errors=True)


# -- what the trace leaves ---------------------------------------------------------------------------------


def _is_metadata(rel: str) -> bool:
    return any(p.endswith((".dist-info", ".egg-info")) for p in rel.split("/")[:-1]) or rel.endswith(
        (".pth", ".egg-info")
    )



def _module_key(rel: str) -> str | None:
    """``pkg/mod.py`` and ``pkg/__pycache__/mod.cpython-311.pyc`` share the key ``pkg/mod``."""
    d, _, name = rel.rpartition("/")
    if name.endswith(".py"):
        return f"{d}/{name[:-3]}" if d else name[:-3]
    if name.endswith(".pyc") and d.endswith("__pycache__"):
        parent = d[: -len("__pycache__")].rstrip("/")
        stem = name.split(".", 1)[0]
        return f"{parent}/{stem}" if parent else stem
    return None


def category_of(rel: str) -> str | None:
    """The trace category of a file under lib/ (relative to the prefix), or None when it never goes."""
    if not rel.startswith("lib/") or _is_metadata(rel):
        return None
    name = rel.rpartition("/")[2]
    if _module_key(rel) is not None:
        return "untraced-modules"
    in_python = rel.split("/")[1].startswith("python")
    if is_shared_library(name):
        if in_python and name.endswith((".so", ".pyd")) and ("cpython" in name or "abi3" in name or "/lib-dynload/" in rel):
            return "untraced-extensions"
        return "untraced-libraries"
    return "untraced-data" if in_python else None


@dataclass
class Selection:
    files: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # category -> [(rel, bytes)]
    links: list[str] = field(default_factory=list)  # symbolic links whose target goes
    touched_bytes: int = 0
    touched_files: int = 0


def select(
    prefix: str, touched: set[str], *, skip: set[str], keep: tuple[str, ...] = (), mounts: frozenset[str] | None = None
) -> Selection:
    """The untouched files of the trace categories, walking ``prefix`` without following links and, as plain
    prune does, never entering a mount point inside it (another device, or one of ``mounts``: by default
    the mount points /proc/self/mountinfo lists under the prefix, which catches bind mounts).

    ``skip`` holds paths (relative) already claimed by the plain prune categories.
    """
    from envslim.image.fsguard import mount_points_under
    from envslim.image.prune import kept_by

    if mounts is None:
        mounts = mount_points_under(prefix)
    try:
        device = os.stat(prefix).st_dev
    except OSError as e:
        raise EnvslimError(f"{prefix}: {e.strerror or e}") from None

    def own_mount(dirpath: str, name: str) -> bool:
        path = os.path.join(dirpath, name)
        try:
            st = os.lstat(path)
        except OSError:
            return False
        return not stat.S_ISDIR(st.st_mode) or (st.st_dev == device and path not in mounts)

    root = os.path.realpath(prefix)
    real_touched = {os.path.realpath(p) for p in touched}
    touched_rel = set()
    for p in touched | real_touched:
        for base in (os.path.abspath(prefix), root):
            if p.startswith(base + os.sep):
                touched_rel.add(p[len(base) + 1 :].replace(os.sep, "/"))
    touched_keys = {k for k in map(_module_key, touched_rel) if k}
    sel = Selection(files={c.id: [] for c in CATEGORIES})
    links: list[tuple[str, str]] = []
    chosen: set[str] = set()
    for dirpath, dirnames, filenames in walk(prefix):
        dirnames[:] = sorted(d for d in dirnames if own_mount(dirpath, d))
        rel_dir = os.path.relpath(dirpath, prefix).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        if not rel_dir:
            dirnames[:] = [d for d in dirnames if not d.startswith((TRASH_PREFIX, TRACE_PREFIX))]
        for name in sorted(filenames) + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            path = os.path.join(dirpath, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                links.append((rel, os.path.realpath(path)))
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            if rel in touched_rel:
                sel.touched_files += 1
                sel.touched_bytes += st.st_size
                continue
            if rel in skip or kept_by(rel, keep):
                continue
            cat = category_of(rel)
            if cat is None:
                continue
            key = _module_key(rel)
            if key is not None and key in touched_keys:
                continue  # its source or byte-code was used
            sel.files[cat].append((rel, st.st_size))
            chosen.add(os.path.realpath(path))
    sel.links = [rel for rel, target in links if target in chosen and not kept_by(rel, keep)]
    return sel


# -- owners ------------------------------------------------------------------------------------------------


def owners(prefix: str) -> dict[str, str]:
    """Path (relative to the prefix) -> the package that installed it: conda-meta/*.json ``files``, then
    the RECORD of each ``*.dist-info`` in site-packages."""
    from envslim.document.atomic import open_regular
    from envslim.environment.installed import read_record

    owner: dict[str, str] = {}
    meta = os.path.join(prefix, "conda-meta")
    if os.path.isdir(meta):
        for name in sorted(os.listdir(meta)):
            if not name.endswith(".json"):
                continue
            try:  # (a record that is no regular file, too big or of another shape names no owner)
                rec = read_record(os.path.join(meta, name))
            except EnvslimError:
                continue
            for p in rec.get("files") or ():
                owner.setdefault(p, rec["name"])
    for sp in site_packages(prefix):
        sp_rel = os.path.relpath(sp, prefix).replace(os.sep, "/")
        for d in sorted(os.listdir(sp)):
            record = os.path.join(sp, d, "RECORD")
            if not d.endswith(".dist-info") or not os.path.isfile(record):
                continue
            dist = d[: -len(".dist-info")].rsplit("-", 1)[0]
            try:
                with open_regular(record, "r", newline="", errors="replace") as f:
                    for row in csv.reader(f):
                        if row:
                            rel = os.path.normpath(os.path.join(sp_rel, row[0])).replace(os.sep, "/")
                            owner.setdefault(rel, dist)
            except (OSError, csv.Error):
                continue
    return owner


def package_of(rel: str, owner: dict[str, str]) -> str:
    if rel in owner:
        return owner[rel]
    parts = rel.split("/")
    if len(parts) > 3 and parts[0] == "lib" and parts[1].startswith("python"):
        if parts[2] == "site-packages":
            return parts[3].split(".", 1)[0]
        return "python (stdlib)"
    return "(no package)"


STRIP = TraceCategory(
    "strip",
    "shared objects under lib/ that carry a symbol table or debug sections, run through strip --strip-unneeded",
    "The dynamic loader needs only the dynamic symbols (.dynsym), which strip --strip-unneeded keeps; .symtab "
    "and .debug_* serve debuggers and backtraces. pyarrow 26.0.1's libarrow.so.2600 (PyPI wheel, linux x86_64) "
    "goes from 48,696,144 to 38,739,848 bytes (measured here, 2026-12-02; strip from Debian 12's binutils 2.40).",
    "backtraces and profilers (gdb, perf, py-spy --native) show addresses instead of function names",
)
