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
