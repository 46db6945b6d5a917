"""envslim._record builds records as dataclasses does; the rewrite path imports no heavy module."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest

from envslim import _record
from tests.conftest import ROOT


def both(frozen: bool = False):
    """The same class built by dataclasses and by _record."""
    def body():
        class Item:
            value: object
            line: int
            comment: str = ""
            tags: list = None
            options: dict = None

            @property
            def next_line(self) -> int:
                return self.line + 1

        return Item

    std = body()
    std.options = dataclasses.field(default_factory=dict)
    ours = body()
    ours.options = _record.field(default_factory=dict)
    return dataclasses.dataclass(frozen=frozen)(std), _record.dataclass(frozen=frozen)(ours)


@pytest.mark.parametrize("frozen", [False, True])
def test_records_behave_like_dataclasses(frozen):
    std, ours = both(frozen)
    for args, kwargs in [((1, 2), {}), (("a", 3, "  # c"), {}), ((), {"value": "x", "line": 0, "tags": [1]}),
                         (("v",), {"line": 5, "options": {"k": 1}})]:
        a, b = std(*args, **kwargs), ours(*args, **kwargs)
        assert repr(a) == repr(b)
        assert [getattr(a, n) for n in ("value", "line", "comment", "tags", "options", "next_line")] == \
               [getattr(b, n) for n in ("value", "line", "comment", "tags", "options", "next_line")]
        assert (a == std(*args, **kwargs), b == ours(*args, **kwargs)) == (True, True)
        assert (a == std("other", 9), b == ours("other", 9)) == (False, False)
        assert (a == b, b == a) == (False, False)  # different classes are never equal
        if frozen:  # a hash of the fields: here a dict (or a list), so neither hashes
            with pytest.raises(TypeError, match="unhashable type: '(dict|list)'"):
                hash(a)
            with pytest.raises(TypeError, match="unhashable type: '(dict|list)'"):
                hash(b)
        else:
            assert (std.__hash__, ours.__hash__) == (None, None)
    assert std(1, 2).options is not std(1, 2).options
    assert ours(1, 2).options is not ours(1, 2).options
    for cls in (std, ours):
        with pytest.raises(TypeError):
            cls(1)
        with pytest.raises(TypeError):
            cls(1, 2, nope=3)
    assert ours.comment == std.comment == "" and not hasattr(ours, "options") and not hasattr(std, "options")


def test_frozen_and_replace():
    std, ours = both(frozen=True)
    b = ours("x", 1)
    with pytest.raises(_record.FrozenInstanceError, match="cannot assign to field 'line'"):
        b.line = 2
    with pytest.raises(AttributeError):
        del b.line
    with pytest.raises(dataclasses.FrozenInstanceError):
        std("x", 1).line = 2
    c = _record.replace(b, line=7, comment="  # moved")
    assert (c.value, c.line, c.comment, b.line) == ("x", 7, "  # moved", 1)
    assert repr(c) == repr(dataclasses.replace(std("x", 1), line=7, comment="  # moved"))
    with pytest.raises(TypeError, match="has no field 'nope'"):
        _record.replace(b, nope=1)
    assert _record.fields(b) == ("value", "line", "comment", "tags", "options")

    @_record.dataclass(frozen=True)
    class Op:
        text: str
        comment: str = ""

    assert hash(Op("pip")) == hash(Op("pip", "")) == hash(("pip", ""))
    assert len({Op("pip"), Op("pip"), Op("nomkl")}) == 2


def test_mistakes_are_refused_as_dataclasses_refuses_them():
    with pytest.raises(ValueError, match="mutable default"):
        @_record.dataclass
        class A:
            items: list = []  # noqa: RUF012

    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        @_record.dataclass
        class B:
            a: int = 1
            b: int

    @_record.dataclass
    class C:
        a: int

    with pytest.raises(TypeError, match="inheriting fields"):
        @_record.dataclass
        class D(C):
            b: int

    with pytest.raises(ValueError):
        _record.field(default=1, default_factory=list)


# (json is not here: the knowledge index an installed copy reads is JSON; it costs ~1.4 ms to import)
HEAVY = ("dataclasses", "inspect", "ast", "tempfile", "pathlib", "difflib", "httpx", "platformdirs", "conda_lock",
         "packaging", "hashlib", "email", "zipfile", "asyncio", "subprocess", "envslim.commands.report",
         "envslim.environment.report", "envslim.online", "rattler", "rattler_build", "uv", "envslim.solve")


@pytest.mark.parametrize("argv", [["rewrite", "--check"], ["rewrite", "--diff"]])
def test_the_hook_path_imports_nothing_heavy(tmp_path, argv):
    env = tmp_path / "environment.yml"
    env.write_text("name: t\nchannels:\n  - conda-forge\n  - defaults\ndependencies:\n  - numpy<2\n"
                   "  - pyarrow>=12\n  - python=3.11\n  - pip:\n    - requests\n")
    (tmp_path / ".envslim.toml").write_text('ignore = ["ES007"]\n')
    code = ("import sys\nfrom envslim.cli import main\nrc = main(sys.argv[1:])\n"
            f"print(rc, sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m in {HEAVY!r}))")
    proc = subprocess.run([sys.executable, "-c", code, *argv, str(env)], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=tmp_path)
    last = proc.stdout.strip().splitlines()[-1]
    expected = ["difflib"] if "--diff" in argv else []  # the diff needs difflib, the check does not
    assert last == f"1 {expected}", proc.stdout + proc.stderr
