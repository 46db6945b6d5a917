"""envslim.pipreq reads a pip line's name, specifier and marker as packaging.requirements does."""

from __future__ import annotations

import subprocess
import sys

import pytest
from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement

from envslim import pipreq

LINES = [
    "pyarrow==12.0.1",
    "pyarrow>=15,<16",
    "numpy (>=1.2,<2)",
    "foo[bar,baz]~=2.1 ; python_version<'3.9'",
    "tqdm",
    "torch==1.12.0+cpu",
    "a==2.0.*",
    "a>=1,<2 # a comment",
    "a===1.0",
    "Foo_Bar.baz<=3",
    "x-y >= 1.0 ; extra == 'test'",
    "scikit-learn!=1.2.0,>=1.1",
]


@pytest.mark.parametrize("line", LINES)
def test_same_name_specifier_and_marker_as_packaging(line):
    ours = pipreq.parse(line)
    theirs = Requirement(line.split("#")[0].strip())
    marker = str(Marker(ours.marker)) if ours.marker else ""  # (the text as written; packaging normalises it)
    assert (ours.name, str(ours.specifier), marker) == (
        theirs.name, str(theirs.specifier), str(theirs.marker) if theirs.marker else "")


@pytest.mark.parametrize("line", ["bad name==1", "numpy>=1,<", "numpy (>=1", "-r other.txt", "==1.0", "numpy>=abc!"])
def test_what_packaging_refuses_is_none(line):
    with pytest.raises(InvalidRequirement):
        Requirement(line)
    assert pipreq.parse(line) is None


def test_a_url_is_not_a_name_with_versions():
    assert pipreq.parse("x @ https://example.org/x-1.0-py3-none-any.whl") is None


@pytest.mark.parametrize("marker, only", [("extra == 'test'", True), ('extra=="docs"', True),
                                          ("extra == 'a' or python_version < '3.9'", False),
                                          ("python_version < '3.9'", False)])
def test_only_extra(marker, only):
    assert pipreq.only_extra(marker) is only


def test_reading_a_line_does_not_import_packaging_requirements():
    code = ("import sys; from envslim import pipreq; r = pipreq.parse('pyarrow>=15,<16'); "
            "print(str(r.specifier), 'packaging.requirements' in sys.modules, 'packaging.tags' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "<16,>=15 False False\n"
