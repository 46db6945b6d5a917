from __future__ import annotations

import os
import stat

import pytest

from envslim.document.atomic import write_atomic
from envslim.document.edits import FixError, InsertChannel, InsertConda, InsertPip, RemoveItem, ReplaceValue
from envslim.document.envfile import EnvFile
from envslim.errors import InputError


def env(text: str) -> EnvFile:
    return EnvFile.from_text(text, "env.yml")


def item(e: EnvFile, text: str):
    return next(i for i in e.deps + e.pip_items if i.text == text)


def test_locates_items_with_comments_and_selectors():
    e = env("channels:\n  - conda-forge  # main\ndependencies:\n  - numpy>=1.2   # [linux] fast\n  - 'pip'\n  - pip:\n      - requests  # web\n")
    np_ = item(e, "numpy>=1.2")
    assert (np_.line, np_.dash_col, np_.col) == (3, 2, 4)
    assert np_.comment == "   # [linux] fast"
    assert np_.selector == "linux"
    assert item(e, "pip").quote == "'"
    assert [i.text for i in e.pip_items] == ["requests"]
    assert e.pip_items[0].dash_col == 6
    assert e.channel_names == ["conda-forge"]


def test_move_to_new_pip_section_copies_indent_and_comment():
    e = env("dependencies:\n- numpy\n- pyarrow>=12  # [linux]\n- python=3.11\n")
    new = e.render([RemoveItem(item(e, "pyarrow>=12")), InsertPip("pyarrow>=12", item(e, "pyarrow>=12").comment),
                    InsertConda("pip")])
    assert new == "dependencies:\n- numpy\n- pip\n- python=3.11\n- pip:\n  - pyarrow>=12  # [linux]\n"


def test_insert_into_existing_pip_list_uses_its_own_indentation():
    e = env("dependencies:\n  - pip\n  - pip:\n      - flask\n      - zope\n")
    assert e.render([InsertPip("pyarrow")]) == "dependencies:\n  - pip\n  - pip:\n      - flask\n      - pyarrow\n      - zope\n"


def test_unsorted_list_appends_after_last_conda_dependency():
    e = env("dependencies:\n  - zlib\n  - abc\n  - pip:\n    - x\n")
    assert e.render([InsertConda("nomkl")]) == "dependencies:\n  - zlib\n  - abc\n  - nomkl\n  - pip:\n    - x\n"


def test_sorted_insert_goes_above_the_comments_of_the_next_item():
    e = env("dependencies:\n  - abc\n  # numeric\n  - numpy\n")
    assert e.render([InsertConda("nomkl")]) == "dependencies:\n  - abc\n  - nomkl\n  # numeric\n  - numpy\n"


def test_crlf_bom_and_missing_final_newline_are_kept():
    e = EnvFile.from_bytes("\ufeffdependencies:\r\n  - abc\r\n  - pyarrow".encode(), "e.yml")
    new = e.render([RemoveItem(item(e, "pyarrow")), InsertPip("pyarrow")])
    assert new == "\ufeffdependencies:\r\n  - abc\r\n  - pip:\r\n    - pyarrow"


def test_replace_keeps_quotes():
    e = env('dependencies:\n  - "numpy>=1.22"  # x\n')
    assert e.render([ReplaceValue(item(e, "numpy>=1.22"), "numpy>=1.22,<2")]) == 'dependencies:\n  - "numpy>=1.22,<2"  # x\n'


def test_add_channel_after_the_last():
    e = env("channels:\n    - conda-forge\ndependencies:\n  - a\n")
    assert e.render([InsertChannel("nodefaults")]) == "channels:\n    - conda-forge\n    - nodefaults\ndependencies:\n  - a\n"


def test_flow_lists_are_located_but_not_editable():
    e = env("dependencies: [numpy, pyarrow]\n")
    with pytest.raises(FixError, match="flow-style"):
        e.render([RemoveItem(item(e, "pyarrow"))])


def test_jinja_is_masked_for_parsing_and_kept():
    text = 'name: x\n{% set v = "3.11" %}\ndependencies:\n  - python ={{ v }}\n  - abc\n'
    e = env(text)
    assert [i.editable for i in e.deps] == [False, True]
    assert e.render([InsertConda("zzz")]) == text.replace("  - abc\n", "  - abc\n  - zzz\n")


READS = ("envslim reads conda environment files (YAML with 'dependencies:', like environment.yml) and pixi"
         " manifests (pixi.toml, pyproject.toml with [tool.pixi])")
BAD = [
    ("dependencies:\n  - a\n - b\n", "env.yml:3:2: invalid YAML: did not find expected key (while parsing a block mapping)"),
    ("just a string\n", "env.yml:1:1: not a conda environment file (the top level is a scalar, not a mapping with"
     f" 'dependencies'): {READS}"),
    ("dependencies: numpy\n", "env.yml:1:15: 'dependencies' must be a list"),
    ("name: a\nname: b\ndependencies: []\n", "env.yml:2:1: invalid YAML: duplicate key 'name' (first at line 1)"),
    ("dependencies:\n  - a\x00b\n", "env.yml:2:6: binary data (NUL byte)"),
    ("dependencies: [a, b\n", "env.yml:2:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)"),
    ("", "env.yml:1:1: empty file: expected a mapping with 'dependencies'"),
    ("# only a comment\n", "env.yml:1:1: empty file: expected a mapping with 'dependencies'"),
    ("name: a\n", f"env.yml:1:1: no 'dependencies' key: not a conda environment file: {READS}"),
    ("dependencies:\n  - [a, b]\n", "env.yml:2:5: 'dependencies' entries must not be lists"),
]


@pytest.mark.parametrize("text,message", BAD)
def test_bad_input_is_one_line_with_position(text, message):
    with pytest.raises(InputError) as exc:
        env(text)
    assert str(exc.value) == message


def test_alias_bomb_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    text = "\n".join(lines) + "\ndependencies: []\n"
    with pytest.raises(InputError) as exc:
        env(text)
    assert str(exc.value) == "env.yml:5:5: the document expands to more than 100000 nodes (alias bomb?)"


def test_not_utf8_names_the_byte():
    with pytest.raises(InputError) as exc:
        EnvFile.from_bytes(b"dependencies:\n  - \xff\n", "e.yml")
    assert str(exc.value) == "e.yml:2:5: not UTF-8 text"


def test_write_atomic_keeps_mode(tmp_path):
    p = tmp_path / "e.yml"
    p.write_text("old")
    os.chmod(p, 0o640)
    write_atomic(str(p), "new\r\n")
    assert p.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["e.yml"]
