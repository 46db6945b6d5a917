"""Conda's version and spec language: version order, MatchSpec, ranges and pin merging, PEP 440.

Takes the text of a conda version, version spec or MatchSpec and gives parsed values with conda's
semantics (tested against conda's own vectors in tests/data/spec), the merge of a pin into an existing
spec, and the PEP 440 translation of a spec for pip. Pure and offline; imports nothing else from envslim.
"""

from envslim.conda.pep440 import Translation, to_pep440
from envslim.conda.ranges import MergeResult, merge_pin
from envslim.conda.spec import MatchSpec, parse, parse_line
from envslim.conda.version import CondaSpecError, VersionOrder, parse_version_spec

__all__ = [
    "CondaSpecError",
    "MatchSpec",
    "MergeResult",
    "Translation",
    "VersionOrder",
    "merge_pin",
    "parse",
    "parse_line",
    "parse_version_spec",
    "to_pep440",
]
