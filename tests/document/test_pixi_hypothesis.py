"""Generated pixi manifests: the scanner must read every dependency as tomllib does, at the spans it was
written, and a move to PyPI must splice and read back as intended."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envslim.document.pixi import AddDep, FixError, PixiManifest, RemoveDep

pytestmark = pytest.mark.slow  # generated manifests, hundreds per property

NAMES = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?(\.[a-z]{1,3})?", fullmatch=True)
SPECS = st.sampled_from(["*", ">=16", "16.*", ">=1.2,<2", "==3.1.2", "~=1.11.4", "3.11"])
SCOPES = st.tuples(st.sampled_from([None, "test", "py-311", "gpu.x"]), st.sampled_from([None, "linux-64", "unix"]))
WS = st.sampled_from(["", " ", "\t", "  "])
COMMENTS = st.sampled_from(["", " # why", "  #[linux] x = 'y'", "\t#"])


def _key(name, quoted):
    if "." in name or quoted:
        return f'"{name}"'
    return name


@st.composite
def values(draw):
    spec = draw(SPECS)
    form = draw(st.sampled_from(["basic", "literal", "inline", "inline-build"]))
    if form == "basic":
        return f'"{spec}"'
    if form == "literal":
        return f"'{spec}'"
    if form == "inline":
        return f'{{ version = "{spec}", channel = "conda-forge" }}'
    return f"{{version='{spec}',build=\"py*\"}}"


def _part(p):
    return p if p.replace("-", "").isalnum() else f'"{p}"'


@st.composite
def manifests(draw):
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    pyproject = draw(st.booleans())
    root = "tool.pixi." if pyproject else ""
    lines = []
    if pyproject:
        lines += ["[project]", 'name = "app"', 'dependencies = ["numpy>=1", "pyarrow"]', ""]
    lines += [f"[{root}workspace]", 'channels = ["conda-forge", # main', '  { channel = "bioconda", priority = -1 },', "]",
              'platforms = ["linux-64"]', ""]
    expected = []
    seen_tables = set()
    for _ in range(draw(st.integers(1, 5))):
        feature, target = draw(SCOPES)
        table = draw(st.sampled_from(["dependencies", "pypi-dependencies"]))
        path = ([f"feature.{_part(feature)}"] if feature else []) + ([f"target.{_part(target)}"] if target else []) + [table]
        header = root + ".".join(path)
        if header in seen_tables:
            continue
        seen_tables.add(header)
        lines.append(f"[{header}]{draw(COMMENTS)}")
        names = draw(st.lists(NAMES, min_size=0, max_size=4, unique_by=lambda n: n.lower()))
        for name in names:
            key = _key(name, draw(st.booleans()))
            value = draw(values())
            comment = draw(COMMENTS)
            lines.append(f"{draw(WS)}{key}{draw(WS)}={draw(WS)}{value}{comment}")
            expected.append((header, name, key, value, comment))
            if draw(st.booleans()):
                lines.append(draw(st.sampled_from(["", "# a full-line comment", "   "])))
        lines.append("")
    lines += [f"[{root}tasks]", 'doc = """', "multi [dependencies]", 'x = "y" """', "lint = 'ruff'", ""]
    text = eol.join(lines)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text, expected, ("pyproject.toml" if pyproject else "pixi.toml")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests())
def test_scanner_agrees_with_tomllib_and_the_text(case):
    text, expected, path = case
    d = PixiManifest.from_text(text, path)
    d.check()
    got = []
    for x in d.deps:
        header = d.text[x.pair.header.key.start:x.pair.header.key.end]
        key = d.text[x.pair.key.start:x.pair.key.end]
        got.append((header, x.name, key, x.text, x.comment))
    assert got == expected
    assert d.channel_names() == ["conda-forge", "bioconda"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests(), st.data())
def test_moving_any_conda_dependency_reads_back_as_intended(case, data):
    text, _, path = case
    d = PixiManifest.from_text(text, path)
    conda = [x for x in d.conda_deps if x.table == "dependencies"]
    if not conda:
        return
    x = data.draw(st.sampled_from(conda))
    ops = [RemoveDep(x), AddDep(x.scope, "pypi-dependencies", x.name, ">=1", x.comment)]
    try:
        new = d.render(ops)  # render verifies with tomllib
    except FixError as e:
        assert "is already in" in str(e)  # the same name in the scope's PyPI table
        return
    after = PixiManifest.from_text(new, path)
    after.check()
    moved = [y for y in after.deps if y.name == x.name and y.scope == x.scope]
    assert [(y.kind, y.value, y.comment) for y in moved if y.kind == "pypi"] == [("pypi", ">=1", x.comment)]
    assert not [y for y in moved if y.table == "dependencies"]
    # every byte outside the edit is kept: the old text without the moved line is a subsequence of the new
    # text's lines (the new lines are only added)
    rest = (d.text[:x.pair.line_start] + d.text[x.pair.line_end:]).splitlines(keepends=True)
    it = iter(new.splitlines(keepends=True))
    assert all(any(line == n or (not line.endswith("\n") and n.rstrip("\r\n") == line) for n in it) for line in rest)


def test_generated_manifests_are_not_trivial():
    found = []

    @settings(max_examples=60, deadline=None, database=None)
    @given(manifests())
    def run(case):
        found.append(len(PixiManifest.from_text(case[0], case[2]).deps))

    run()
    assert max(found) >= 5 and sum(found) >= 60
