"""envslim.conda against conda's own vectors, the translation and merge vectors, and properties."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from envslim.conda import (
    CondaSpecError,
    VersionOrder,
    merge_pin,
    parse,
    parse_version_spec,
    to_pep440,
)

DATA = Path(__file__).parent.parent / "data" / "spec"
CONDA = json.loads((DATA / "conda_vectors.json").read_text(encoding="utf-8"))
TRANS = json.loads((DATA / "translation_vectors.json").read_text(encoding="utf-8"))

# Vectors envslim deliberately answers differently, with the reason (reported, never skipped silently).
XFAIL = {
    "curated:pandas>=1.5.3.post1": (
        "conda orders 1.5.3.0.1 < 1.5.3.post1, PEP 440 orders 1.5.3.0.1 > 1.5.3.post1: '>=1.5.3.post1' in pip "
        "would admit the release 1.5.3.0.1 that conda rejects, so envslim refuses it (POST_RELEASE_ORDER) "
        "instead of calling it exact"
    ),
}


def _params(vectors, key):
    out = []
    for v in vectors:
        vid = key(v)
        marks = [pytest.mark.xfail(reason=XFAIL[vid], strict=True)] if vid in XFAIL else []
        out.append(pytest.param(v, id=vid, marks=marks))
    return out


def _kind(kind):
    return _params([v for v in CONDA["vectors"] if v["kind"] == kind], lambda v: v["id"])


def test_every_conda_vector_has_a_test():
    kinds = {"parse", "invalid_matchspec", "invalid_versionspec", "invalid_version", "matchspec_match",
             "version_match", "version_order", "version_startswith"}
    assert len(CONDA["vectors"]) == 332
    assert {v["kind"] for v in CONDA["vectors"]} == kinds
    assert all(v["source"] for v in CONDA["vectors"])


# ---------------------------------------------------------------------------------------------- conda


@pytest.mark.parametrize("v", _kind("parse"))
def test_parse(v):
    ms = parse(v["spec"])
    e = v["expected"]
    got = dict(name=ms.name, channel=ms.channel, subdir=ms.subdir, version=ms.raw_version, build=ms.build,
               build_number=ms.build_number, canonical=str(ms))
    assert got == e
    probes = {version: ms.matches_version(version) for version in v["version_probes"]}
    assert probes == v["version_probes"]


@pytest.mark.parametrize("v", _kind("invalid_matchspec"))
def test_invalid_matchspec(v):
    with pytest.raises(CondaSpecError):
        parse(v["spec"])


@pytest.mark.parametrize("v", _kind("invalid_versionspec"))
def test_invalid_versionspec(v):
    with pytest.raises(CondaSpecError):
        parse_version_spec(v["spec"])


@pytest.mark.parametrize("v", _kind("invalid_version"))
def test_invalid_version(v):
    with pytest.raises(CondaSpecError):
        VersionOrder(v["version"])


@pytest.mark.parametrize("v", _kind("matchspec_match"))
def test_matchspec_match(v):
    assert parse(v["spec"]).match(v["record"]) is v["expected"]


@pytest.mark.parametrize("v", _kind("version_match"))
def test_version_match(v):
    assert parse_version_spec(v["spec"]).match(v["version"]) is v["expected"]


@pytest.mark.parametrize("v", _kind("version_order"))
def test_version_order(v):
    a, b = VersionOrder(v["a"]), VersionOrder(v["b"])
    if v["expected"] == "<":
        assert (a < b, a <= b, a == b, a > b, b > a) == (True, True, False, False, True)
    elif v["expected"] == "==":
        assert (a == b, a < b, a > b, hash(a) == hash(b)) == (True, False, False, True)
    else:
        assert a != b


@pytest.mark.parametrize("v", _kind("version_startswith"))
def test_version_startswith(v):
    assert VersionOrder(v["a"]).startswith(VersionOrder(v["b"])) is v["expected"]


# ------------------------------------------------------------------------------------------ translation


def _pep_contains(specifier, version):
    return SpecifierSet(specifier).contains(version, prereleases=True)


_RELEASE = re.compile(r"([0-9]+!)?[0-9]+(\.[0-9]+)*")


def _is_release(version):
    return _RELEASE.fullmatch(version) is not None


def test_translation_vector_counts():
    assert len(TRANS["curated"]) == 56
    assert len(TRANS["merge_vectors"]) == 28
    assert len(TRANS["from_conda_vectors"]) == 131
    assert all(v["source"] for v in TRANS["curated"] + TRANS["merge_vectors"] + TRANS["from_conda_vectors"])


@pytest.mark.parametrize("v", _params(TRANS["curated"], lambda v: "curated:" + v["spec"]))
def test_curated_translation(v):
    tr = to_pep440(v["spec"], pypi_name=v.get("pypi_name"))
    assert tr.status == v["status"]
    if v["status"] == "untranslatable":
        assert (tr.reason_code, tr.requirement, tr.specifier) == (v["reason_code"], None, None)
        assert tr.reason
        if "wider_hint" in v:
            assert tr.wider_hint is not None  # exact texts: test_wider_hints
        return
    assert (tr.requirement, tr.specifier, tr.reason_code) == (v["requirement"], v["pep440"], None)
    assert tr.dropped == [w["code"] for w in v.get("warnings", [])]
    ms = parse(v["spec"])
    for version, conda_match, pep_match, _pip_default in v["samples"]:
        assert ms.matches_version(version) is conda_match, version
        assert _pep_contains(tr.specifier, version) is pep_match, version
        if pep_match and _is_release(version):
            assert conda_match, f"pip would admit release {version} that conda rejects"


def test_wider_hints():
    # a prefix OR: the hull is the same as the vector's; exact versions: envslim closes the upper end at
    # the highest version itself (<=1.7.1) where the vector's translator wrote <1.7.1.0.1
    assert to_pep440("numpy 1.6*|1.7*").wider_hint == ">=1.6,<1.8"
    assert to_pep440("numpy 1.6.2|1.7.1").wider_hint == ">=1.6.2,<=1.7.1"
    assert to_pep440("numpy >=1.22,<2|>=2.1").wider_hint == ">=1.22"
    assert to_pep440("numpy >=1.8|<1.2").wider_hint is None
    assert to_pep440("numpy 1.*.1|1.7").wider_hint is None


@pytest.mark.parametrize("v", _params(TRANS["from_conda_vectors"], lambda v: "from:" + v["conda_vector"]))
def test_translation_of_conda_vectors(v):
    tr = to_pep440(v["spec"])
    assert (tr.status, tr.reason_code, tr.specifier) == (v["status"], v["reason_code"], v["pep440"])
    if "dropped" in v:
        assert tr.dropped == v["dropped"]
    else:
        assert bool(tr.dropped) == (v["status"] == "lossy")
    if tr.specifier is not None and v.get("pep440_match") is not None:
        assert _pep_contains(tr.specifier, v["version"]) is v["pep440_match"]
        assert parse(v["spec"]).matches_version(v["version"]) is v["conda_version_only"]


@pytest.mark.parametrize("v", _params(TRANS["merge_vectors"], lambda v: f"merge:{v['existing']}+{v['pin']}"))
def test_merge_vectors(v):
    r = merge_pin(v["existing"], v["pin"])
    assert (r.status, r.merged) == (v["status"], v["merged"])
    assert r.reason
    if r.merged is not None:
        merged = parse_version_spec(r.merged)
        pin = parse_version_spec(v["pin"])
        old = parse_version_spec(v["existing"]) if v["existing"] else None
        for version in v["satisfying_samples"]:
            assert merged.match(version) and pin.match(version), version
            assert old is None or old.match(version), version


# ------------------------------------------------------------------------------------ exact behaviour


def test_untranslatable_reasons_are_stated():
    cases = {
        "pandas>=1.5.3.post1": ("POST_RELEASE_ORDER", "'>=1.5.3.post1': conda sorts 1.5.3.postN after the "
                                "releases 1.5.3.0.x (PEP 440 sorts it before them), so the comparison would "
                                "select different releases"),
        "numpy 1.*.1": ("REGEX_OR_INNER_GLOB", "inner wildcard version '1.*.1' has no PEP 440 form"),
        "scipy ~=1": ("COMPAT_TOO_SHORT", "'~=1': '~=' needs at least two release numbers"),
        "torch>=2.1.0+cu118": ("LOCAL_IN_ORDERED",
                               "'>=2.1.0+cu118': PEP 440 allows a local version ('+cu118') only with == and !="),
        "numpy 1.6*|1.7*": ("OR_NOT_EXPRESSIBLE",
                            "'|' alternatives cannot be expressed as one PEP 440 specifier set"),
        "numpy==": ("INVALID_CONDA_SPEC", "invalid version spec '==': invalid operator"),
        "./numpy-1.26.4-py311h_0.conda": ("PACKAGE_FILE", "a package file or URL, not a MatchSpec: left as it is"),
        "* >=1": ("NAME_GLOB", "package name '*' is a pattern"),
    }
    got = {spec: (to_pep440(spec).reason_code, to_pep440(spec).reason) for spec in cases}
    assert got == cases


def test_lossy_translation_states_what_it_drops():
    tr = to_pep440("conda-forge/linux-64::numpy=1.26=py311h64a7726_0[md5=abc]", pypi_name="numpy")
    assert (tr.status, tr.requirement) == ("lossy", "numpy==1.26")
    assert tr.warnings == [
        ("CHANNEL_DROPPED", "channel 'conda-forge' dropped: pip installs from its index"),
        ("SUBDIR_DROPPED", "subdir 'linux-64' dropped: pip picks the wheel for the platform"),
        ("BUILD_DROPPED", "build string 'py311h64a7726_0' dropped: PEP 440 has no build strings"),
        ("FIELD_DROPPED", "md5='abc' dropped"),
    ]
    assert tr.dropped == ["CHANNEL_DROPPED", "SUBDIR_DROPPED", "BUILD_DROPPED", "FIELD_DROPPED"]


def test_credentials_in_a_channel_are_never_shown():
    tr = to_pep440("https://user:s3cret@conda.example.com/private::numpy>=1")
    assert tr.warnings == [
        ("CHANNEL_DROPPED", "channel 'https://***@conda.example.com/private' dropped: pip installs from its index")
    ]
    assert "s3cret" not in tr.reason


def test_compatible_release_with_a_dev_suffix_spells_out_the_prefix():
    # conda: >=1.0.dev1 and starts with 1.0; PEP 440's ~=1.0.dev1 would mean ==1.* instead
    assert to_pep440("foo ~=1.0.dev1").requirement == "foo>=1.0.dev1,==1.0.*"
    assert to_pep440("foo ~=1.4.5a4").requirement == "foo~=1.4.5a4"


def _reasons(func, texts):
    got = {}
    for text in texts:
        with pytest.raises(CondaSpecError) as err:
            func(text)
        got[text] = err.value.reason
    return got


def test_version_spec_errors_say_what_is_wrong():
    cases = {
        "1.5||1.6": "invalid version spec '1.5||1.6': an operator lacks an operand",
        "(1.5": "invalid version spec '(1.5': unbalanced '('",
        "1.5)": "invalid version spec '1.5)': unbalanced ')'",
        "^1.5": "invalid version spec '^1.5': a regex must start with '^' and end with '$'",
        "~=3.3.2.*": "invalid version spec '~=3.3.2.*': '~=' cannot be combined with '.*'",
        "5.5++": "invalid version '5.5++': duplicated local version separator '+'",
        "3.5&1": "invalid character(s) in version '3.5&1'",
    }
    assert _reasons(parse_version_spec, cases) == cases


def test_parse_errors_say_what_is_wrong():
    cases = {
        "pkg..name": "invalid package name 'pkg..name' (CEP 26: lower-case letters, digits and . _ -)",
        "!xyz 1.3": "no package name found in '!xyz 1.3'",
        "blas [optional": "multiple bracket sections are not allowed",
        "numpy[version=1.2,color=red]": "cannot match on field(s): color",
        "numpy[build=]": "key-value mismatch in brackets: 'build' has no value",
    }
    assert _reasons(parse, cases) == cases


def test_parentheses_survive_rendering():
    # conda's own string form turns this into '1.6.*|1.7.*,>=1.7', which matches 1.6.5
    tree = parse_version_spec("(1.6.*|1.7.*),>=1.7")
    assert str(tree) == "(1.6.*|1.7.*),>=1.7"
    assert str(parse("numpy[version='(1.6.*|1.7.*),>=1.7']")) == "numpy[version='(1.6.*|1.7.*),>=1.7']"
    assert (tree.match("1.6.5"), parse_version_spec(str(tree)).match("1.6.5")) == (False, False)
    assert parse_version_spec("1.6.*|1.7.*,>=1.7").match("1.6.5") is True


def test_positional_parentheses_are_stripped_like_conda():
    assert parse("foo (>=1,<2)").raw_version is None
    with pytest.raises(CondaSpecError):
        parse("foo (>=1,<2)|>3")


def test_comma_binds_tighter_than_or():
    tree = parse_version_spec(">1.8,<2|==1.7")
    assert [tree.match(v) for v in ("1.7", "1.9", "2.1", "1.7.1")] == [True, True, False, False]


def test_fuzzy_and_exact_forms():
    assert [parse(s).raw_version for s in ("numpy=1.2", "numpy==1.2", "numpy 1.2", "numpy=1.2=py_0",
                                           "numpy=1.2.*=py_0", "numpy =1.2")] == \
        ["1.2*", "1.2", "1.2", "1.2", "1.2.*", "1.2*"]


def test_version_and_build_split_like_conda():
    got = {s: (parse(s).raw_version, parse(s).build) for s in (
        "x>=1.0 , < 2.0 py34_0", "x>=1.0 , < 2.0 =py34_0", "x =1.2 =b", "x 1  2", "x ==1.2 b c", "x= 1",
        "x !=1.0 py", "x >1,<2 b|c", "x 1.2.3-0", "x=", "x>",
    )}
    assert got == {
        "x>=1.0 , < 2.0 py34_0": (">=1.0,<2.0", "py34_0"), "x>=1.0 , < 2.0 =py34_0": (">=1.0,<2.0", "py34_0"),
        "x =1.2 =b": ("1.2", "b"), "x 1  2": ("1", "2"), "x ==1.2 b c": ("1.2", "b c"), "x= 1": ("1*", None),
        "x !=1.0 py": ("!=1.0", "py"), "x >1,<2 b|c": (">1,<2b|c", None), "x 1.2.3-0": ("1.2.3-0", None),
        "x=": (None, None), "x>": (None, None),
    }


def test_merge_conflict_and_redundant_reasons():
    assert merge_pin(">=2", "<2").reason == "no version satisfies both '>=2' and '<2'"
    assert merge_pin("1.26.*", "<2").reason == "'1.26.*' already implies '<2'"
    assert merge_pin(None, "<2").reason == "'<2' added to any version"


def test_merge_keeps_parentheses_from_the_tree():
    r = merge_pin("(1.6.*|1.7.*),>=1.6.5", "<1.7.3")
    assert (r.status, r.merged) == ("added", "(1.6.*|1.7.*),>=1.6.5,<1.7.3")


def test_with_version_writes_a_spec_with_the_same_meaning():
    assert parse("numpy >=1.22").with_version(">=1.22,<2") == "numpy >=1.22,<2"
    assert parse("numpy>=1.22").with_version(">=1.22,<2") == "numpy>=1.22,<2"
    assert parse("numpy").with_version("1.26.*") == "numpy 1.26.*"
    # '=1.2' with a build would become exact in a positional spec: the bracket form keeps it fuzzy
    assert parse("numpy=1.26=py_0").with_version("=1.2") == "numpy=1.2[build=py_0]"
    assert parse("conda-forge::numpy").with_version("<2") == "conda-forge::numpy<2"
    # an OR inside an AND needs parentheses, which only a bracket value keeps
    assert parse("numpy").with_version("(1.6.*|1.7.*),<1.7.3") == "numpy[version='(1.6.*|1.7.*),<1.7.3']"
    assert parse("numpy 1.26.*").with_version(None) == "numpy"


def test_version_order_ignores_case_and_treats_dash_as_underscore():
    assert VersionOrder("1.0RC1") == VersionOrder("1.0rc1")
    assert VersionOrder("0.5-5") == VersionOrder("0.5_5") == VersionOrder("0.5.5")
    assert VersionOrder("2.1.0+cu118") < VersionOrder("2.1.0") < VersionOrder("2.1.0+1")


# ------------------------------------------------------------------------------------------ properties

_num = st.integers(min_value=0, max_value=4)
_release = st.lists(_num, min_size=1, max_size=4).map(lambda xs: ".".join(map(str, xs)))
_suffix = st.sampled_from(["", "", "", "a1", "b2", "rc1", "rc", ".post1", ".post", ".dev0", "a1.dev2",
                           ".post2.dev1", "a1.post1", ".dev"])
_literal = st.builds(lambda r, s, under, epoch: ("1!" if epoch else "") + (r.replace(".", "_") if under else r) + s,
                     _release, _suffix, st.booleans(), st.integers(0, 9).map(lambda n: n == 0))
_op = st.sampled_from(["", "==", "!=", "<", "<=", ">", ">=", "=", "~="])


@st.composite
def _atom_text(draw):
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(_release) + ".*"
    if kind == 1:
        return "!=" + draw(_release) + ".*"
    if kind == 2:
        return draw(_release) + "*"
    return draw(_op) + draw(_literal)


_spec_text = st.builds(lambda atoms, any_branch: ",".join(atoms) + ("|*" if any_branch else ""),
                       st.lists(_atom_text(), min_size=1, max_size=3), st.integers(0, 9).map(lambda n: n == 0))
_candidate_release = st.builds(lambda r, epoch: ("1!" if epoch else "") + r,
                               st.lists(st.integers(0, 5), min_size=1, max_size=5).map(lambda xs: ".".join(map(str, xs))),
                               st.integers(0, 9).map(lambda n: n == 0))


@settings(max_examples=400, deadline=None)
@given(_spec_text, st.lists(_candidate_release, min_size=1, max_size=12))
def test_exact_translation_agrees_with_conda_on_releases(text, candidates):
    try:
        ms = parse("pkg " + text)
    except CondaSpecError:
        return
    tr = to_pep440(ms)
    if tr.status != "exact":
        return
    spec = SpecifierSet(tr.specifier)
    for version in candidates:
        assert ms.matches_version(version) == spec.contains(version, prereleases=True), (text, tr.specifier, version)


_any_candidate = st.one_of(
    _candidate_release,
    st.builds(lambda r, s: r + s, _release, st.sampled_from(["a1", "rc1", ".dev0", ".post1", "+local", "_", "b"])),
)


@settings(max_examples=400, deadline=None)
@given(_spec_text, _spec_text, st.lists(_any_candidate, min_size=1, max_size=12))
def test_merge_pin_is_sound(existing, pin, candidates):
    try:
        old, new = parse_version_spec(existing), parse_version_spec(pin)
        result = merge_pin(existing, pin)
        both = [v for v in candidates if old.match(v) and new.match(v)]
        [old.match(v) for v in candidates]
    except CondaSpecError:
        return  # a spec conda rejects, or '~=1', which conda cannot evaluate
    if result.status == "conflict":
        assert both == []
        return
    if result.status == "redundant":
        assert all(new.match(v) for v in candidates if old.match(v))
    merged = parse_version_spec(result.merged)
    assert [v for v in candidates if merged.match(v)] == both
    if result.status == "prerelease_only":
        assert not any(_is_release(v) for v in both)


def test_parse_line_reads_what_rules_act_on():
    from envslim.conda import parse_line

    assert parse_line("  numpy>=1.26  ").name == "numpy"
    assert [parse_line(t) for t in ("{{ pin }}", "numpy{% if x %}", "nump*", "https://x/a-1-0.conda", "numpy >=1 <<2")] == [
        None] * 5


def _conda_cmp(a, b) -> int:
    """The order conda's own comparison gives (component lists padded, then the local part)."""
    from envslim.conda.version import compare_parts

    c = compare_parts(a.version, b.version) or compare_parts(a.local, b.local)
    return (c > 0) - (c < 0)


def test_version_sort_keys_order_as_conda_compares():
    # every version made of up to three of these pieces, against every other: the native sort key
    # (VersionOrder.key) gives conda's padded comparison, and equal versions hash alike
    import itertools

    pieces = ["0", "1", "2", "a", "dev", "post", ".", "_", "+", "!", "10"]
    versions = []
    for n in (1, 2, 3):
        for combo in itertools.product(pieces, repeat=n):
            try:
                versions.append(VersionOrder("".join(combo)))
            except CondaSpecError:
                pass
    versions += [VersionOrder(v) for v in ("1.1", "1.1.0", "1.1dev1", "1.1a1", "1.1.dev1", "1.0.1_", "1.0.1a",
                                           "0.5-5", "0.5.5", "2.1.0+cu118", "1!1.0", "1a0b", "1.0.0.0")]
    assert len(versions) > 400
    for a in versions:
        for b in versions:
            assert a._cmp(b) == _conda_cmp(a, b), (a.text, b.text)
            if a == b:
                assert hash(a) == hash(b)


def test_a_build_glob_matches_as_its_regex_would():
    import itertools

    from envslim.conda.spec import Glob

    patterns = ["*", "**", "*_cp311", "py*", "*cpu*", "a*b", "a*b*a", "*a*", "ab*ba", "*_*_*"]
    texts = ["".join(t) for n in range(5) for t in itertools.product("ab_", repeat=n)]
    texts += ["py311_cpu_0", "cpu", "h123_cp311", "a\nb", "ab\n", "\n", "py\n"]
    for p in patterns:
        regex = re.compile("^(?:%s)$" % re.escape(p).replace(r"\*", ".*"))
        for t in texts:
            assert Glob(p).match(t) == (regex.match(t) is not None), (p, t)


def test_a_plain_release_is_read_as_the_general_reader_reads_it():
    # numbers and dots only take a short path; a leading space sends the same text through the general one
    for text in ("0", "00", "007", "1", "1.0.0", "1.26.4", "2024.1", "01.02", "10.2.3.4.5", "3.11.9"):
        short, general = VersionOrder(text), VersionOrder(" " + text)
        assert (short.norm, short.version, short.local, short.key) == (general.norm, general.version,
                                                                       general.local, general.key), text


@pytest.mark.parametrize("raw, minor", [
    ("3.9", "3.9"), ("=3.8", "3.8"), ("3.8.2", "3.8"), ("3.7*", "3.7"), ("3.9.*", "3.9"), ("2.7", "2.7"),
    (">=3.7,<3.9", "3.8"), (">=3.5.2,<3.6.8", "3.6"), ("<=3.8", "3.8"), ("3.9.*|3.10.*", "3.10"), (">=3.12", "3.14"),
    (">=3.8", None), (">=3.6.0", None), (">=3.10,<3.14", None), (None, None), ("", None),
])
def test_python_minor_of_a_spec(raw, minor):
    """The Python minor a python spec means: its one minor, or for a range that leaves the default (3.11) out, the
    newest minor it admits (a solver takes the newest); None where the default stands."""
    from envslim.conda.python import python_minor

    assert python_minor(raw, "3.11") == minor
