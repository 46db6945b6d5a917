"""Faults found by the second adversarial pass against envslim's promises to touch nothing outside the job
and to answer bad input with one line (run as root, in scratch folders only)."""

from __future__ import annotations

import hashlib
import os

from tests.onlinekit import add_wheels, index, run_cli  # noqa: F401


def _tree(root) -> dict[str, str]:
    """Every path under ``root`` (links not followed) with what it is: a file's SHA-256, a link's target."""
    got = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                got[rel] = "-> " + os.readlink(path)
            elif os.path.isdir(path):
                got[rel] = "dir"
            else:
                with open(path, "rb") as f:
                    got[rel] = hashlib.sha256(f.read()).hexdigest()
    return got


def test_the_cache_bound_deletes_only_what_envslim_wrote(capsys, index, tmp_path, monkeypatch):
    """ENVSLIM_CACHE_DIR naming a folder that holds other files, and a cache over its bound: the bound took
    every *.json there (package.json, tsconfig.json) and, through a link, a folder outside the cache."""
    add_wheels(index, "tinylib", {"1.0": 2_000}, tag="py3-none-any")
    project, outside = tmp_path / "project", tmp_path / "outside"
    (outside / "linux-64").mkdir(parents=True)
    (outside / "linux-64" / "data").write_text("precious\n")
    (outside / "keep.json").write_text("{}\n")
    (project / "http").mkdir(parents=True)
    (project / "package.json").write_text('{"name": "app"}\n')
    (project / "http" / "settings.json").write_text("{}\n")
    (project / "repodata").mkdir()
    (project / "repodata" / "0123456789abcdef0123").symlink_to(outside)  # a link in the cache
    (project / "rattler").symlink_to(outside)
    (project / "notes").mkdir()
    (project / "notes" / "a.json").write_text("[]\n")
    before_outside, before = _tree(outside), _tree(project)
    monkeypatch.setenv("ENVSLIM_CACHE_DIR", str(project))
    monkeypatch.setenv("ENVSLIM_CACHE_MAX", "1")  # (every unit is over the bound)
    rc, out, err = run_cli(capsys, "explain", "tinylib", "--online")
    assert rc == 0 and err == ""
    assert _tree(outside) == before_outside
    after = _tree(project)
    assert {k: v for k, v in after.items() if k in before} == before  # what was there is still there
    assert len(after) == len(before)  # and the run's own entries went, over the bound


# -- the compiled files beside the package: damaged, they are passed over or named in one line ----------------

import marshal  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from envslim import knowledge  # noqa: E402
from envslim.environment import graph, graphbin  # noqa: E402
from envslim.knowledge import index as kindex  # noqa: E402
from tests.conftest import run  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
JSONL = ROOT / "knowledge" / "graph" / "conda.jsonl"
ENV = "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pyarrow\n"


def _snapshot(damage: str) -> bytes:
    """The checkout's snapshot compiled, then damaged: every line of every name (or the header) rewritten."""
    good = graphbin.compile_snapshot(JSONL.read_bytes(), (1, 2))
    head, end = graphbin.read_header(good)
    body = good[end:]
    if damage == "huge header length":
        return good[:graphbin.FIXED - 8] + (2 ** 62).to_bytes(8, "little") + good[graphbin.FIXED:]
    if damage == "header not a table":
        head = [1, 2]
    elif damage == "ratios not a table":
        head = {**head, "ratios": [1]}
    names, blobs, at = {}, [], len(body)
    for name, text in (head.get("names", {}) if isinstance(head, dict) else {}).items():
        parts = []
        for part in text.split(";") if text else ():
            ix, start, length, mask = (int(x) for x in part.split(","))
            if damage == "past the end":
                start = len(body) + 10
            elif damage in ("not marshal", "not a line", "a row's channel", "a row's archive"):
                line = marshal.loads(body[start:start + length])
                for row in line["b"]:
                    if damage == "a row's channel":
                        row[2] = 99
                    elif damage == "a row's archive":
                        row[4] = "big"
                blob = (b"\xff\xff" if damage == "not marshal" else
                        marshal.dumps([1, 2, 3] if damage == "not a line" else line, 2))
                blobs.append(blob)
                start, length, at = at, len(blob), at + len(blob)
            parts.append(f"{ix},{start},{length},{mask}")
        names[name] = "garbage" if damage == "a name's entry" else ";".join(parts)
    if isinstance(head, dict):
        head = {**head, "names": names or head["names"]}
    if damage == "a source":
        head = {**head, "sources": [[1, 2]] * len(head["sources"])}
    h = marshal.dumps(head, 2)
    fixed = b"".join(n.to_bytes(8, "little") for n in (1, 2, len(h)))
    return graphbin.MAGIC + fixed + h + body + b"".join(blobs)


LINE = r"[a-z0-9_.-]+ on [a-z0-9-]+"  # (the first line a walk reads: a name on a subdir)


@pytest.mark.parametrize("damage, what", [
    ("past the end", LINE + r": its data lies past the end of the file"),
    ("not marshal", LINE + r": ValueError: bad marshal data \(unknown type code\)"),
    ("not a line", LINE + r": TypeError: not a line of the snapshot"),
    ("a name's entry", r"[a-z0-9_.-]+: its entry in the header is not one"),
    ("a row's channel", LINE + r": a row of the wrong shape"),
    ("a row's archive", LINE + r": a row of the wrong shape"),
    ("a source", r"its header: a source of the wrong shape"),
])
def test_a_damaged_compiled_snapshot_is_one_line_naming_it(capsys, tmp_path, monkeypatch, damage, what):
    """It was 'envslim: internal error: EOFError ...', 'IndexError', 'TypeError' (please report it)."""
    import re

    path = tmp_path / graphbin.FILE
    path.write_bytes(_snapshot(damage))
    env = tmp_path / "environment.yml"
    env.write_text(ENV)
    monkeypatch.setattr(graph, "_SNAPSHOT", graph.Graph(str(path), binary=True))
    rc, out, err = run(capsys, "rewrite", "--check", str(env))
    assert (rc, out) == (2, "")
    assert re.fullmatch(re.escape(f"{path}: damaged (") + what + re.escape("); reinstall envslim\n"), err), err
    assert env.read_text() == ENV


@pytest.mark.parametrize("damage", ["huge header length", "header not a table", "ratios not a table"])
def test_a_compiled_snapshot_with_a_damaged_header_is_passed_over(tmp_path, damage):
    """It was 'MemoryError', 'AttributeError: 'list' object has no attribute 'get'' in every command."""
    package, root = tmp_path / "envslim", tmp_path / "_knowledge"
    package.mkdir()
    root.mkdir()
    (package / graphbin.FILE).write_bytes(_snapshot(damage))
    assert graph._compiled(str(package), str(root)) is None


@pytest.fixture
def index_of(monkeypatch):
    """Make the knowledge index the one in the given bytes (read from a real file), with nothing remembered."""
    def use(path: Path):
        idx = kindex.Index(path.read_bytes(), None)
        idx.path = str(path)
        monkeypatch.setattr(knowledge, "compiled", lambda: idx)
        return idx

    for cached in (knowledge.load, knowledge._data_file, knowledge._listing):
        cached.cache_clear()
    yield use
    for cached in (knowledge.load, knowledge._data_file, knowledge._listing):
        cached.cache_clear()


def _index(damage: str) -> bytes:
    good = kindex.compile_index(str(ROOT / "knowledge"))
    n = len(kindex.MAGIC)
    end = n + 8 + int.from_bytes(good[n:n + 8], "little")
    head, body = marshal.loads(good[n + 8:end]), good[end:]
    entries, blobs, at = {}, [], len(body)
    for name, (start, length) in head["entries"].items():
        data = marshal.loads(body[start:start + length])
        blob = {"past the end": None, "not marshal": b"\xff\xff", "not a table": marshal.dumps([1], 2),
                "wrong fields": marshal.dumps({**data, "sources": 7}, 2)}[damage]
        if blob is None:
            entries[name] = [len(body) + 5, length]
            continue
        blobs.append(blob)
        entries[name] = [at, len(blob)]
        at += len(blob)
    h = marshal.dumps({**head, "entries": entries}, 2)
    return kindex.MAGIC + len(h).to_bytes(8, "little") + h + body + b"".join(blobs)


@pytest.mark.parametrize("damage, what", [
    ("past the end", "pyarrow: ValueError: its data lies outside the file"),
    ("not marshal", "pyarrow: ValueError: bad marshal data (unknown type code)"),
    ("not a table", "pyarrow: not a table"),
    ("wrong fields", "pyarrow: sources: must be an array of tables ([[sources]])"),
])
def test_a_damaged_knowledge_index_is_one_line_naming_it(capsys, tmp_path, index_of, damage, what):
    """It was 'envslim: internal error: EOFError', 'TypeError: list indices must be integers ...'."""
    path = tmp_path / kindex.FILE
    path.write_bytes(_index(damage))
    index_of(path)
    rc, out, err = run(capsys, "explain", "pyarrow")
    assert (rc, out, err) == (2, "", f"{path}: damaged ({what}); reinstall envslim\n")


@pytest.mark.parametrize("damage", ["header not a table", "huge header length", "a span not two numbers"])
def test_a_knowledge_index_with_a_damaged_header_is_refused_on_reading(damage):
    good = kindex.compile_index(str(ROOT / "knowledge"))
    n = len(kindex.MAGIC)
    end = n + 8 + int.from_bytes(good[n:n + 8], "little")
    head = marshal.loads(good[n + 8:end])
    if damage == "huge header length":
        data = good[:n] + (2 ** 62).to_bytes(8, "little") + good[n + 8:]
    else:
        h = marshal.dumps([1] if damage == "header not a table" else {**head, "entries": {"pyarrow": "xx"}}, 2)
        data = kindex.MAGIC + len(h).to_bytes(8, "little") + h + good[end:]
    if damage == "a span not two numbers":
        with pytest.raises(kindex.Damaged, match=r"^_knowledge_index\.bin: damaged \(pyarrow: ValueError: "):
            kindex.Index(data, None).entry("pyarrow")
    else:
        with pytest.raises(ValueError):
            kindex.Index(data, None)


# -- bad input ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("version", ["9" * 5000, "1.0+" + "9" * 5000, "9" * 5000 + "!1.0", "1.0a" + "9" * 5000])
def test_a_version_of_thousands_of_digits_is_an_invalid_version(version):
    from envslim.conda import CondaSpecError, VersionOrder

    with pytest.raises(CondaSpecError, match=r"^invalid version: a number of more than 4,300 digits$"):
        VersionOrder(version)


def test_a_dependency_whose_version_has_thousands_of_digits_is_read_as_any_invalid_spec(capsys, tmp_path):
    """It was 'envslim: internal error: ValueError: Exceeds the limit (4300 digits) for integer string
    conversion' (please report it) in every command; now as `numpy=1..2` is."""
    outputs = []
    for version in ("9" * 5000, "1..2"):
        env = tmp_path / "environment.yml"
        text = f"channels: [conda-forge, nodefaults]\ndependencies:\n  - python=3.11\n  - numpy={version}\n"
        env.write_text(text)
        outputs.append(run(capsys, "rewrite", str(env)))
        assert env.read_text() == text
        outputs.append(run(capsys, "report", "--format", "json", str(env))[:1])
    assert outputs[0] == outputs[2] == (0, "", "")
    assert outputs[1] == outputs[3] == (0,)


@pytest.mark.parametrize("name", ["../outside/pyarrow", "{outside}/pyarrow", ".hidden", "a\\\\b"])
def test_knowledge_refresh_takes_package_names_not_paths(capsys, index, tmp_path, name):  # noqa: F811
    """A NAME with a folder in it named a file outside the knowledge folder, which was refreshed (rewritten)."""
    add_wheels(index, "pyarrow", {"99.0.0": 40_000})
    kdir, outside = tmp_path / "packages", tmp_path / "outside"
    kdir.mkdir()
    outside.mkdir()
    entry = (ROOT / "knowledge/packages/pyarrow.toml").read_text()
    (outside / "pyarrow.toml").write_text(entry)
    (kdir / ".hidden.toml").write_text(entry)
    before = _tree(tmp_path)
    name = name.format(outside=outside)
    for mode in ("--pypi", "--conda"):
        rc, out, err = run_cli(capsys, "knowledge", "refresh", mode, name, "--knowledge-dir", str(kdir))
        assert (rc, out, err) == (2, "", f"envslim: error: {name}: not a conda package name\n")
    assert _tree(tmp_path) == before


QUERY_SECRETS = ("channels: [conda-forge, nodefaults]\ndependencies:\n  - python=3.11\n  - pyarrow\n  - pip\n  - pip:\n"
                 "    - https://h.example/x-1.0-py3-none-any.whl?private_token=QSECRET\n"
                 "    - --extra-index-url https://gitlab.example/simple?X-Amz-Signature=SIGSECRET&x=1\n")


@pytest.mark.parametrize("argv", [
    ("rewrite", "--diff"), ("rewrite", "--check", "-v"), *(("rewrite", "--check", "--format", f)
                                                          for f in ("json", "sarif", "github", "markdown")),
    ("report",), *(("report", "--format", f) for f in ("json", "markdown", "svg", "html")),
])
def test_a_secret_in_a_urls_query_is_never_printed(capsys, tmp_path, monkeypatch, argv):
    """A pip URL's ``?private_token=`` or ``X-Amz-Signature=`` was printed in the diff, JSON, markdown and
    every report format."""
    monkeypatch.chdir(tmp_path)
    Path("env.yml").write_text(QUERY_SECRETS)
    rc, out, err = run(capsys, *argv, "env.yml")
    assert rc in (0, 1) and "SECRET" not in out + err
    if argv == ("rewrite", "--diff"):
        lines = out.splitlines()
        k = lines.index("   - pip:")
        assert lines[k + 1:k + 3] == ["     - https://h.example/x-1.0-py3-none-any.whl?private_token=***",
                                      "     - --extra-index-url https://gitlab.example/simple?X-Amz-Signature=***&x=1"]
    assert Path("env.yml").read_text() == QUERY_SECRETS


@pytest.mark.parametrize("text, shown", [
    ("https://h/x.whl?token=abc", "https://h/x.whl?token=***"),
    ("a?b=1&amp;access_token=S3&amp;c=2", "a?b=1&amp;access_token=***&amp;c=2"),  # (HTML: the entity stays whole)
    ('"https://h/x?sig=ABC\\u0026d=1"', '"https://h/x?sig=***\\u0026d=1"'),  # (JSON: the escape stays whole)
    ("https://s3/x?X-Amz-Credential=AK%2F1&X-Amz-Signature=abc&x=1",
     "https://s3/x?X-Amz-Credential=***&X-Amz-Signature=***&x=1"),
    ("https://g/p?private_token=glpat-XYZ#frag", "https://g/p?private_token=***#frag"),
    ("https://h/simple?q=1&page=2", "https://h/simple?q=1&page=2"), ("?key=", "?key="),
])
def test_the_redactor_hides_a_secret_querys_value(text, shown):
    from envslim.display import redact

    assert redact(text) == shown


@pytest.mark.parametrize("command", [("rewrite",), ("rewrite", "--check"), ("report",), ("dockerfile",)])
def test_a_socket_named_as_the_input_is_not_a_regular_file(capsys, tmp_path, monkeypatch, command):
    """It said 'sock: No such device or address' (the open's errno), unlike a FIFO or a device."""
    import socket

    monkeypatch.chdir(tmp_path)  # (a socket's path must be short)
    s = socket.socket(socket.AF_UNIX)
    s.bind("sock")
    try:
        assert run(capsys, *command, "sock") == (2, "", "sock:1:1: not a regular file (a socket)\n")
    finally:
        s.close()


PIXI = ("[project]\nname = 'x'\nchannels = ['conda-forge']\nplatforms = ['linux-64']\n[dependencies]\n"
        "python = '3.11.*'\npyarrow = '*'\n")


@pytest.mark.parametrize("change, error", [
    (("channels = ['conda-forge']", "channels = 'conda-forge'"),
     "3:12: project.channels: pixi takes an array here, not a string"),
    (("platforms = ['linux-64']", "platforms = 5"), "4:13: project.platforms: pixi takes an array here, not an integer"),
    (("", "[target.linux-64]\ndependencies = 3\n"),
     "9:16: target.linux-64.dependencies: pixi takes a table here, not an integer"),
    (("", "[feature.a]\ndependencies = 'numpy'\n"),
     "9:16: feature.a.dependencies: pixi takes a table here, not a string"),
    (("", "[feature.a.target.linux-64]\npypi-dependencies = [1]\n"),
     "9:21: feature.a.target.linux-64.pypi-dependencies: pixi takes a table here, not an array"),
    (("", "[feature]\na = 1\n"), "9:5: feature.a: pixi takes a table here, not an integer"),
    (("", "[target]\nlinux-64 = true\n"), "9:12: target.linux-64: pixi takes a table here, not a boolean"),
    (("", "[environments]\ndefault = 5\n"),
     "9:11: environments.default: pixi takes an array of features or a table here, not an integer"),
    (("", "[feature.a]\nchannels = 'bioconda'\n"), "9:12: feature.a.channels: pixi takes an array here, not a string"),
])
def test_a_pixi_table_of_a_shape_pixi_refuses_is_one_line(capsys, tmp_path, change, error):
    """Read as nothing, these let the rewrite go on (pyarrow moved to [pypi-dependencies] of a manifest pixi
    cannot read)."""
    old, new = change
    text = PIXI.replace(old, new) if old else PIXI + new
    path = tmp_path / "pixi.toml"
    path.write_text(text)
    for command in (("rewrite",), ("rewrite", "--check"), ("report",)):
        assert run(capsys, *command, str(path)) == (2, "", f"{path}:{error}\n")
    assert path.read_text() == text


def test_a_pixi_manifest_of_the_shapes_pixi_takes_is_read(capsys, tmp_path):
    path = tmp_path / "pixi.toml"
    path.write_text(PIXI + "[feature.a]\nchannels = ['bioconda']\nplatforms = ['linux-64']\n[feature.a.dependencies]\n"
                    "numpy = '*'\n[environments]\nb = ['a']\nc = {features = ['a']}\n")
    rc, out, err = run(capsys, "rewrite", "--check", str(path))
    assert (rc, err) == (1, "") and out.endswith(f"would rewrite {path}\n")


@pytest.mark.parametrize("plant", ["link", "fifo"])
def test_the_cache_never_writes_through_a_link_nor_waits_on_a_fifo(capsys, index, tmp_path, monkeypatch, plant):
    """A link in the cache (an entry's name pointing elsewhere) had the next write replace the file it points
    to; a FIFO there made the next read wait for a writer forever."""
    import subprocess
    import sys

    add_wheels(index, "tinylib", {"1.0": 2_000}, tag="py3-none-any")
    cache, outside = tmp_path / "cache", tmp_path / "outside"
    outside.mkdir()
    monkeypatch.setenv("ENVSLIM_CACHE_DIR", str(cache))
    first = run_cli(capsys, "explain", "tinylib", "--online")
    assert first[0] == 0 and first[2] == ""
    entries = sorted(p for p in cache.iterdir() if p.suffix == ".json")
    assert entries
    for i, entry in enumerate(entries):
        entry.unlink()
        if plant == "link":
            (outside / f"file{i}").write_text("precious\n")
            entry.symlink_to(outside / f"file{i}")
        else:
            os.mkfifo(entry)
    before = _tree(outside)
    proc = subprocess.run([sys.executable, "-m", "envslim", "explain", "tinylib", "--online"], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (proc.returncode, proc.stdout) == (0, first[1])
    assert _tree(outside) == before
    if plant == "link":  # (the entries are the cache's own files again)
        assert proc.stderr == ""
        assert all(e.is_file() and not e.is_symlink() for e in entries)
    else:  # (a FIFO is not replaced: the cache is off for the run, said once)
        assert proc.stderr.startswith("envslim: warning: cache disabled: ") and proc.stderr.count("\n") == 1


def _prefix_run(tmp_path, *argv: str) -> tuple[int, str, str]:
    """``envslim ARGV`` in a child with a deadline far above what it takes: a wait that never ends fails the
    test instead of hanging the run."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "envslim", *argv], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("fifo", ["conda-meta/zlib-1.0-0.json", "conda-meta/history",
                                  "lib/python3.11/site-packages/foo-1.0.dist-info/METADATA",
                                  "lib/python3.11/site-packages/foo-1.0.dist-info/RECORD"])
def test_report_on_a_prefix_never_waits_on_a_fifo(tmp_path, fifo):
    """A FIFO in an installed environment's conda-meta/ or a wheel's .dist-info was opened to read and waited
    for a writer forever."""
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "lib/python3.11/site-packages/foo-1.0.dist-info").mkdir(parents=True)
    (prefix / "conda-meta/numpy-1.0-0.json").write_text(
        '{"name": "numpy", "version": "1.0", "build": "0", "files": [], "size": 5}')
    os.mkfifo(prefix / fifo)
    rc, out, err = _prefix_run(tmp_path, "report", "env")
    if fifo.endswith(".json"):
        assert (rc, out, err) == (2, "", f"env/{fifo}: not a regular file (a FIFO): not a conda-meta record\n")
    else:  # (what a history or a wheel's metadata would add is left out)
        assert (rc, err) == (0, "") and "numpy    conda    1.0 0" in out


def test_report_never_writes_over_the_lock_beside_a_manifest(capsys, tmp_path, monkeypatch):
    """`report -o pixi.lock pixi.toml` replaced the lock the report reads with the report (dockerfile -o and
    the inputs named on the command line were refused already)."""
    monkeypatch.chdir(tmp_path)
    Path("pixi.toml").write_text(PIXI)
    Path("pixi.lock").write_text("version: 6\n")
    for output in ("pixi.lock", "./pixi.lock"):
        assert run(capsys, "report", "-o", output, "pixi.toml") == (
            2, "", f"{output}: is an input of the report (pixi.lock); write the report to another path\n")
    assert Path("pixi.lock").read_text() == "version: 6\n" and sorted(os.listdir()) == ["pixi.lock", "pixi.toml"]


SCALING = """
import io, json, os, sys, time
from envslim.cli import main
times = {}
for fmt in ("table", "html"):
    for n in (1000, 4000):
        path = f"pip{n}.yml"
        with open(path, "w") as f:
            f.write("dependencies:\\n  - pip\\n  - pip:\\n" + "".join(f"    - https://h.example/p{i}.whl\\n" for i in range(n)))
        best = float("inf")
        for _ in range(2):
            sys.stdout = io.StringIO()
            start = time.perf_counter()
            main(["report", "--format", fmt, path])
            best = min(best, time.perf_counter() - start)
            sys.stdout = sys.__stdout__
        times[f"{fmt} {n}"] = best
print(json.dumps({fmt: times[f"{fmt} 4000"] / times[f"{fmt} 1000"] for fmt in ("table", "html")}))
"""


@pytest.mark.slow
def test_report_time_grows_with_the_pip_lines_not_their_square(tmp_path):
    """Four times the pip lines cost sixteen times the time (a set of the pip names made for each line; the
    picture's counterpart looked up by a scan): 4,000 lines took 31 s, 50,000 hours. A ratio on the same
    machine in the same moment, so its speed does not matter; linear is about 4."""
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", SCALING], capture_output=True, text=True, timeout=600, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    ratios = json.loads(proc.stdout.splitlines()[-1])
    assert {fmt: r for fmt, r in ratios.items() if r > 9} == {}, ratios


@pytest.mark.parametrize("answer, warning", [
    (b"[" * 100_000 + b"]" * 100_000, "malformed JSON: nested deeper than envslim reads ({url})"),
    (b'{"info": {"name": "tinylib", "version": "' + b"9" * 5000 + b'"}, "urls": [], "releases": {"'
     + b"9" * 5000 + b'": []}}', "no release matches"),
])
def test_a_pypi_answer_too_deep_or_with_a_huge_version_is_a_warning(capsys, tmp_path, monkeypatch, answer, warning):
    """Both were 'envslim: internal error: RecursionError' / 'ValueError: Exceeds the limit (4300 digits)'."""
    from tests.hostile import HostileServer, body

    with HostileServer() as server:
        server.routes["/pypi/tinylib/json"] = body(answer, headers={"Content-Type": "application/json"})
        monkeypatch.setenv("ENVSLIM_PYPI_URL", server.url)
        monkeypatch.setenv("ENVSLIM_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setenv("ENVSLIM_RETRY_BACKOFF", "0")
        rc, out, err = run(capsys, "explain", "tinylib", "--online")
    url = f"{server.url}/pypi/tinylib/json"
    assert (rc, err) == (0, f"envslim: warning: PyPI tinylib: {warning.format(url=url)}\n")
    assert out.endswith("PyPI: no wheel found (see the warning)\n")


def test_a_conda_meta_record_nested_too_deep_is_one_line(tmp_path):
    """It was 'envslim: internal error: RecursionError ... (please report it)'."""
    (tmp_path / "env" / "conda-meta").mkdir(parents=True)
    (tmp_path / "env" / "conda-meta" / "x-1.0-0.json").write_text("[" * 100_000 + "]" * 100_000)
    assert _prefix_run(tmp_path, "report", "env") == (
        2, "", "env/conda-meta/x-1.0-0.json: not a conda-meta record: nested deeper than envslim reads\n")


def test_a_conda_lock_file_nested_too_deeply_is_one_line(capsys, tmp_path):
    """It was 'envslim: internal error: RecursionError: maximum recursion depth exceeded (please report it)'."""
    pytest.importorskip("conda_lock")
    lock, env = tmp_path / "conda-lock.yml", tmp_path / "environment.yml"
    lock.write_text("version: 1\npackage: " + "[" * 100_000 + "]" * 100_000 + "\n")
    env.write_text(ENV)
    assert run(capsys, "report", "--lockfile", str(lock), str(env)) == (
        2, "", f"{lock}:1:1: invalid YAML: nested too deeply\n")


def _deep(top: Path, levels: int) -> Path:
    """``top/a/a/.../a`` ``levels`` folders deep (made through folder descriptors: os.makedirs recurses)."""
    fd = os.open(top, os.O_RDONLY)
    for _ in range(levels):
        os.mkdir("a", dir_fd=fd)
        fd, old = os.open("a", os.O_RDONLY, dir_fd=fd), fd
        os.close(old)
    os.close(fd)
    return top.joinpath(*["a"] * levels)


def _deep_prefix(tmp_path) -> tuple[Path, Path]:
    """(a prefix ``env``, its package's ``tests`` folder) holding one 1-byte test file 1,200 folders deep."""
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    tests = prefix / "lib/python3.11/site-packages/pkg/tests"
    tests.mkdir(parents=True)
    (tests.parent / "__init__.py").write_text("")
    (_deep(tests, 1200) / "test_x.py").write_text("x")
    return prefix, tests


def test_prune_removes_from_a_prefix_a_thousand_folders_deep(tmp_path):
    """`prune` (not --dry-run) ended in 'internal error: RecursionError': the trash made its folders with
    os.makedirs, opened the prefix's by a call per level and deleted itself with shutil.rmtree, each recursing on
    Python 3.11. It removes the file, the folders it leaves empty and its trash now."""
    prefix, tests = _deep_prefix(tmp_path)
    try:
        rc, out, err = _prefix_run(tmp_path, "prune", "env")
    finally:
        if tests.exists():
            _undeep(tests)
    assert (rc, err) == (0, "") and out.endswith("removed 1 bytes, 0 left\n")
    assert sorted(p.name for p in (prefix / "lib/python3.11/site-packages/pkg").iterdir()) == ["__init__.py"]
    assert sorted(p.name for p in prefix.iterdir()) == ["conda-meta", "lib"]  # (no trash left)


def test_the_trash_puts_back_a_file_a_thousand_folders_deep(tmp_path):
    """A prune that fails puts every file back: a file 1,200 folders deep goes into the trash and back, the
    folders it left empty are made again, and the trash is gone."""
    from envslim.image.trash import Trash

    prefix = tmp_path / "env"
    top = prefix / "pkg"
    top.mkdir(parents=True)
    (_deep(top, 1200) / "f.txt").write_text("data")
    rel = "/".join(["pkg"] + ["a"] * 1200 + ["f.txt"])
    trash = Trash(str(prefix))
    try:
        trash.put(rel)
        for depth in range(1200, 0, -1):  # (the folders it leaves empty, the deepest first)
            assert trash.drop_dir("/".join(["pkg"] + ["a"] * depth))
        assert sorted(p.name for p in top.iterdir()) == []
        trash.restore()
        fd = os.open(top, os.O_RDONLY)
        for _ in range(1200):
            fd, old = os.open("a", os.O_RDONLY, dir_fd=fd), fd
            os.close(old)
        f = os.open("f.txt", os.O_RDONLY, dir_fd=fd)
        assert os.read(f, 10) == b"data"
        os.close(f)
        os.close(fd)
        assert sorted(p.name for p in prefix.iterdir()) == ["pkg"]
    finally:
        _undeep(top)


def _undeep(top: Path) -> None:
    """Remove what :func:`_deep` made under ``top`` (and the files in it) from the bottom up: pytest's clean-up
    (shutil.rmtree) recurses too on Python 3.11."""
    chain = [os.open(top, os.O_RDONLY)]
    while "a" in os.listdir(chain[-1]):
        chain.append(os.open("a", os.O_RDONLY, dir_fd=chain[-1]))
    while chain:
        fd = chain.pop()
        for name in os.listdir(fd):
            os.unlink(name, dir_fd=fd)
        os.close(fd)
        if chain:
            os.rmdir("a", dir_fd=chain[-1])


def test_a_folder_tree_a_thousand_deep_is_searched(capsys, tmp_path, monkeypatch):
    """`rewrite --check DIR` ended in 'internal error: RecursionError' under 1,000 folders (Python 3.11's
    recursion; the walk has its own stack now)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "top").mkdir()
    deepest = _deep(tmp_path / "top", 1200)
    (deepest / "environment.yml").write_text(ENV)
    try:
        rc, out, err = run(capsys, "rewrite", "--check", "top")
    finally:
        _undeep(tmp_path / "top")
    lines = out.splitlines()  # (the findings, cut at 1,000 characters, and the verdict)
    assert (rc, err) == (1, "") and len(lines) > 1
    assert all(line.startswith("top/a/a/a/") for line in lines[:-1])
    assert lines[-1].startswith("would rewrite top/a/a/a/")


def test_prune_walks_a_prefix_a_thousand_folders_deep(tmp_path):
    """`prune --dry-run` ended in 'internal error: RecursionError' (the selection walked by recursion, and so did
    the leftovers' os.walk on Python 3.11)."""
    _prefix, tests = _deep_prefix(tmp_path)
    try:
        rc, out, err = _prefix_run(tmp_path, "prune", "--dry-run", "env")
    finally:
        _undeep(tests)
    assert (rc, err) == (0, "") and out.endswith("dry run: would remove 1 bytes, leaving 0; nothing was changed\n")
