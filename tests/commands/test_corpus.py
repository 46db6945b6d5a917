"""The 130 real environment files of ../shared/corpus: no crash, nothing lost, edits only where meant."""

from __future__ import annotations

import difflib
import re
import shutil

import pytest

from tests.conftest import corpus_files

pytestmark = pytest.mark.slow  # every file of ../shared/corpus, several times
from envslim.cli import main
from envslim.document.edits import FixError, InsertConda, InsertPip, RemoveItem
from envslim.document.envfile import EnvFile, conda_sort_key

FILES = corpus_files()
PEP508_NAME = re.compile(r"[a-z0-9]([a-z0-9._-]*[a-z0-9])?")
IDS = [p.name[:60] for p in FILES]


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_crash_and_unchanged_files_stay_byte_identical(path, tmp_path, capsys):
    copy = tmp_path / path.name
    shutil.copyfile(path, copy)
    rc = main(["rewrite", "--check", str(copy)])
    out, err = capsys.readouterr()
    assert rc in (0, 1), err
    assert "Traceback" not in out + err
    assert copy.read_bytes() == path.read_bytes()  # --check writes nothing
    rc = main(["rewrite", str(copy)])
    capsys.readouterr()
    if rc == 0 and "would rewrite" not in out:
        assert copy.read_bytes() == path.read_bytes()
    # A second run changes nothing.
    before = copy.read_bytes()
    assert main(["rewrite", "--check", str(copy)]) == 0
    assert copy.read_bytes() == before


def _first_plain(env: EnvFile):
    """The first conda dependency that is a package spec (not a URL or file), other than pip and python."""
    for item in env.deps:
        name = conda_sort_key(item.text)
        if item.editable and name and PEP508_NAME.fullmatch(name) and name not in ("pip", "python") and "/" not in item.text:
            return item, name
    return None, None


def _comments(text: str) -> list[str]:
    return [line[line.index("#"):].rstrip("\r\n") for line in text.splitlines(keepends=True) if "#" in line]


def _conda_lock_deps(path):
    """{(manager, name, version)} for linux-64 by conda-lock's own parser, or None when it cannot read it."""
    from conda_lock.src_parser.environment_yaml import parse_environment_file

    mapping = path.parent / "mapping.json"
    mapping.write_text("{}")
    try:
        spec = parse_environment_file(path, ["linux-64"], mapping_url=str(mapping))
    except Exception:
        return None
    return {(d.manager, d.name.lower(), getattr(d, "version", "")) for d in spec.dependencies["linux-64"]}


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_scripted_move_changes_only_its_lines(path, tmp_path):
    env = EnvFile.read(str(path))
    item, name = _first_plain(env)
    if item is None:
        pytest.skip("no conda package spec to move")
    ops = [RemoveItem(item), InsertPip(name, item.comment)]
    if "pip" not in {conda_sort_key(i.text) for i in env.deps}:
        ops.append(InsertConda("pip"))
    old = env.bom + env.text
    if env.pip_item is not None and env.pip_item.selector:
        with pytest.raises(FixError, match="under a selector"):
            env.render(ops)
        return
    new = env.render(ops)

    # Only the moved line goes; only the pip line(s) come.
    removed, added = [], []
    # (compared without line ends: appending after a last line that has none gives it one)
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    moved_line = old[item.line_start:item.line_end]
    assert removed == [moved_line.rstrip("\r\n")]
    moved_to = [a for a in added if a.lstrip(" -") == name + item.comment]
    assert len(moved_to) == 1
    assert all(re.fullmatch(r"\s*-\s*pip:?", a) for a in added if a is not moved_to[0])
    # Every comment is still there, in order (the moved one now on its pip line).
    assert sorted(_comments(old)) == sorted(_comments(new))
    # The result reads back: same conda list minus the move, the pip list plus it.
    again = EnvFile.from_text(new, str(path))
    expected_conda = [i.text for i in env.deps if i is not item] + (["pip"] if len(ops) == 3 else [])
    assert sorted(i.text for i in again.deps) == sorted(expected_conda)
    assert [i.text for i in again.pip_items].count(name) == [i.text for i in env.pip_items].count(name) + 1

    # conda-lock's parser agrees: the original dependency sets plus the move.
    orig_copy = tmp_path / "orig.yml"
    orig_copy.write_bytes(path.read_bytes())
    new_copy = tmp_path / "new.yml"
    new_copy.write_bytes(new.encode("utf-8"))
    before = _conda_lock_deps(orig_copy)
    if before is None:
        pytest.skip("conda-lock cannot read the original file either")
    after = _conda_lock_deps(new_copy)
    assert after is not None

    def no_pip(deps):  # conda-lock adds pip itself whenever a pip: section exists
        return {d for d in deps if d[:2] != ("conda", "pip")}

    moved = {d for d in before if d[0] == "conda" and d[1] == name.lower()}
    pip_side = {("pip", re.sub(r"[-_.]+", "-", name.lower()), "*")} if moved else set()
    assert no_pip(after) == no_pip(before - moved) | pip_side
