"""envslim.document.yamlsubset against libyaml: on every text it does not decline, the same events field by
field (type, value, style, implicit, anchor, tag, flow style, document flags, start and end marks); on every
text libyaml refuses, a decline. Real files (the corpus, the repository's own), hand-picked edges, and
generated environment files with near-miss mutations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from envslim.cli import main
from envslim.document import yamlnodes
from envslim.document.yamlnodes import load
from envslim.document.yamlsubset import parse_subset
from tests.conftest import ROOT, corpus_files

if not hasattr(yaml, "CSafeLoader"):  # the reference is libyaml itself
    pytest.skip("PyYAML is built without libyaml", allow_module_level=True)

FIELDS = ("value", "style", "implicit", "anchor", "tag", "flow_style", "explicit", "version", "tags", "encoding")


def signature(events) -> list[tuple]:
    """Each event as a tuple of everything a consumer can read from it."""
    out = []
    for ev in events:
        fields = tuple(getattr(ev, f, "<absent>") for f in FIELDS)
        marks = tuple((m.index, m.line, m.column) for m in (ev.start_mark, ev.end_mark))
        out.append((type(ev).__name__, *fields, *marks))
    return out


def libyaml(text: str) -> "list[tuple] | None":
    """libyaml's events for ``text`` (as load() asks for them), or None when it refuses the text."""
    try:
        return signature(yaml.parse(text, Loader=yaml.CSafeLoader))
    except yaml.YAMLError:
        return None


def outcome(text: str) -> str:
    """Assert the reader declines ``text`` or gives libyaml's events: "accepted", "declined" or "refused by
    libyaml" (then declined too)."""
    mine = parse_subset(text)
    ref = libyaml(text)
    if ref is None:
        assert mine is None, f"libyaml refuses {text!r}, the reader accepted it"
        return "refused by libyaml"
    if mine is None:
        return "declined"
    assert signature(mine) == ref, text
    return "accepted"


def agrees(text: str) -> bool:
    """:func:`outcome`, True when the reader accepted the text."""
    return outcome(text) == "accepted"


def _text(path: Path) -> str:
    text = path.read_bytes().decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text  # EnvFile hands load() the text after its BOM


# -- real files ------------------------------------------------------------------------------------

CORPUS = corpus_files()


@pytest.mark.parametrize("path", CORPUS, ids=[p.name[:60] for p in CORPUS])
def test_corpus_file_declined_or_identical_to_libyaml(path):
    agrees(_text(path))


def test_most_corpus_files_take_the_fast_path(shared_dir):
    accepted = [p.name for p in corpus_files() if parse_subset(_text(p)) is not None]
    # 121 of 130 (2026-12-06; 110 before CRLF and a leading '---' were read). The 9 declined: 2 with non-ASCII
    # characters (one of them with CRLF line ends), 3 with Jinja (which EnvFile masks before load(): 3 more
    # take the fast path there), 2 with flow sequences, 2 with '!!python/tuple' tags.
    assert len(accepted) >= 121, len(accepted)


def test_the_corpus_files_with_crlf_or_a_document_start_take_the_fast_path(shared_dir):
    texts = [_text(p) for p in corpus_files()]
    crlf = [t for t in texts if "\r\n" in t]
    opened = [t for t in texts if [ln for ln in t.splitlines() if ln.strip() and ln.lstrip()[0] != "#"][0] == "---"]
    assert (len(crlf), len(opened)) == (7, 5)
    assert sum(agrees(t) for t in crlf) == 6  # the seventh has non-ASCII comments
    assert sum(agrees(t) for t in opened) == 5


REPO_YAML = sorted(p for d in ("tests", "examples") for p in (ROOT / d).rglob("*") if p.suffix in (".yml", ".yaml"))


@pytest.mark.parametrize("path", REPO_YAML, ids=[str(p.relative_to(ROOT)) for p in REPO_YAML])
def test_repository_yaml_declined_or_identical_to_libyaml(path):
    agrees(_text(path))


def test_the_bundled_example_takes_the_fast_path():
    assert agrees((ROOT / "examples" / "environment.yml").read_text())


# -- edges, one by one ------------------------------------------------------------------------------

ACCEPTED = [
    "a: b",
    "a: b\n",
    "a: b\n  ",
    "a: b  # c",
    "a: b # c\n# d",
    "a:\n",
    "a:",
    "a:  # c\nb:\n",
    "a:\n- b\n-\n- c\n",
    "a:\n- b\n-",
    "a:\n-   b   \nc: d\n",
    "a:\n  - b\n  -\nc:\n",
    "a:\n  - pip:\n    - x\n  - pip:\n      - y\n  - z\n",
    "a:\n- pip:\n  - x\n- pip:\n- z: w\n  v: u\n",
    "a:\n  b: c\n  d:\n    - e\n",
    "a:\n  b:\n  c:\n",
    "  a: b\n  c:\n  - d\n",
    "a: 'b'\nc: \"d\"\ne: 'it''s'\nf: ''\ng: \"\"\n",
    "a: 'b'  # c\n",
    "a : b\n",
    "a b: c d  e\n",
    "a: b:c\nd: http://x.org/#egg=y\ne: x#y\n",
    "a: -1\nb: ?x\nc: :y\nd: x,y\ne: x[y]\nf: x{y}\n",
    "a:\n- -e .\n- --index-url https://x.org/simple\n- git+https://x.org/a.git@v1#egg=a\n",
    "a::\n",
    "a: ~\nb: null\nc: NULL\n",
    "a:\n\n\n  # c\n\n  - b\n\n",
    # CRLF line ends: marks count characters, lines count a CRLF as one break
    "a: b\r\n",
    "a: b\r\nc:\r\n- d\r\n-\r\n",
    "a:\r\n",
    "a:\r\n  b:\r\n",
    "a:\r\n  - b\r\n  ",
    "a:\r\n  b: c\r\n  # x",
    "a: b\r\n\r\n\r\n",
    "a: 'b'  # c\r\nd: \"e\"\r\n",
    "# c\r\n\r\na:\r\n  - pip:\r\n    - x\r\n  - y  \r\n",
    # a leading document start
    "---\na: b\n",
    "---  \na: b",
    "--- # c\na: b\n",
    "---   #\na:\n- b\n",
    "# x\n\n---\n# y\n  a: b\n  c:\n",
    "---\r\na:\r\n",
    "# x\r\n--- # y\r\n\r\na:\r\n  - b\r\n",
]

DECLINED = [
    "",
    "# only a comment\n",
    "a: b\n...\n",
    "%YAML 1.1\n---\na: b\n",
    "a: &x b\nc: *x\n",
    "a: !!str b\n",
    "a: |\n  b\n",
    "a: >\n  b\n",
    "a: [b, c]\n",
    "a: {b: c}\n",
    "? a\n: b\n",
    "'a': b\n",
    "a: b\n  c\n",
    "a:\n  b\n",
    "a:\n-\n  b\n",
    "a:\n- - b\n",
    "a: - b\n",
    "a: b: c\n",
    "a: 'b\n  c'\n",
    "a: \"b\\tc\"\n",
    "a: 'b'c\n",
    "a: 'b'#c\n",
    "a:\tb\n",
    "a: b\r",
    "a: b\rc: d\n",
    "a: b\r\nc: d\n",
    "a: b\nc: d\r\n",
    "a: b\r\r\n",
    "a: b\n\r\n",
    "a:\r\n  - b\r\n\r",
    "---\r\na: b\n",
    "--- a\nb: c\n",
    "--- a: b\n",
    "--- |\n  x\n",
    "---#c\na: b\n",
    "---\n",
    "---\n# c\n",
    "---\n---\na: b\n",
    "---\na: b\n---\nc: d\n",
    "a: b\n---\n",
    "---\na: b\n...\n",
    "---\n- a\n",
    "  ---\na: b\n",
    "%TAG ! tag:x,2000:\n---\na: b\n",
    "----\na: b\n",
    "a: é\n",
    "\ufeffa: b\n",
    "- a\n",
    "a\n",
    "a: b\nc\n",
    "  a: b\nc: d\n",
    "a:\n    - b\n  - c\n",
    "a:\n  - b\n  c: d\n",
    "a: b\n- c\n",
    "a: #b\n  c\n",
    "x" * 1001 + ": y\n",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted_and_identical_to_libyaml(text):
    assert agrees(text)


@pytest.mark.parametrize("text", DECLINED)
def test_declined(text):
    assert parse_subset(text) is None
    agrees(text)


def test_the_empty_value_is_a_plain_empty_scalar_right_after_its_colon():
    ev = [e for e in parse_subset("a:  # c\nb: x\n") if type(e).__name__ == "ScalarEvent"]
    assert [(e.value, e.style, e.implicit, e.start_mark.index, e.end_mark.index) for e in ev] == [
        ("a", "", (True, False), 0, 1), ("", "", (True, False), 2, 2), ("b", "", (True, False), 8, 9),
        ("x", "", (True, False), 11, 12)]


def test_a_crlf_file_with_a_document_start_gives_character_marks():
    got = [(type(e).__name__, getattr(e, "value", None), getattr(e, "explicit", None),
            (e.start_mark.index, e.start_mark.line, e.start_mark.column),
            (e.end_mark.index, e.end_mark.line, e.end_mark.column)) for e in parse_subset("--- # c\r\na:\r\n- b\r\n")]
    assert got == [
        ("StreamStartEvent", None, None, (0, 0, 0), (0, 0, 0)),
        ("DocumentStartEvent", None, True, (0, 0, 0), (3, 0, 3)),
        ("MappingStartEvent", None, None, (9, 1, 0), (9, 1, 0)),
        ("ScalarEvent", "a", None, (9, 1, 0), (10, 1, 1)),
        ("SequenceStartEvent", None, None, (13, 2, 0), (14, 2, 1)),
        ("ScalarEvent", "b", None, (15, 2, 2), (16, 2, 3)),
        ("SequenceEndEvent", None, None, (18, 3, 0), (18, 3, 0)),
        ("MappingEndEvent", None, None, (18, 3, 0), (18, 3, 0)),
        ("DocumentEndEvent", None, False, (18, 3, 0), (18, 3, 0)),
        ("StreamEndEvent", None, None, (18, 3, 0), (18, 3, 0)),
    ]


@pytest.mark.parametrize("eol,head", [("\n", ""), ("\r\n", ""), ("\n", "---\n"), ("\r\n", "# c\r\n--- # d\r\n")])
def test_load_gives_the_same_nodes_on_either_path(monkeypatch, eol, head):
    text = (ROOT / "examples" / "environment.yml").read_text() + "variables:\n  A: 'b'\n  C:\n"
    text = head + text.replace("\n", eol)
    assert parse_subset(text) is not None

    def tree(node):
        value = node.value
        if node.kind == "map":
            value = [(tree(k), tree(v)) for k, v in value]
        elif node.kind == "seq":
            value = [tree(v) for v in value]
        return node.kind, value, node.start, node.end, node.line, node.col, node.flow, node.quote, node.anchor

    fast = tree(load(text, "e.yml"))
    monkeypatch.setattr(yamlnodes, "parse_subset", lambda text: None)
    assert tree(load(text, "e.yml")) == fast


# -- the hook path -----------------------------------------------------------------------------------

EXAMPLE_CHECK = """\
environment.yml:4:3: ES007 defaults: mixes defaults with conda-forge; use nodefaults [unsafe fix, use --unsafe-fixes]
environment.yml:12:3: ES001 pyarrow: move to pip (saves ~123.2 MB, 41.3 MB to 203.1 MB) [fix available]
would rewrite environment.yml
"""


def test_rewrite_check_of_the_example_does_not_import_yaml(tmp_path):
    (tmp_path / "environment.yml").write_bytes((ROOT / "examples" / "environment.yml").read_bytes())
    code = ("import sys\nfrom envslim.cli import main\nrc = main(['rewrite', '--check', 'environment.yml'])\n"
            "print('rc', rc, 'yaml' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stderr == ""
    assert proc.stdout == EXAMPLE_CHECK + "rc 1 False\n"


def test_rewrite_of_the_example_is_byte_identical_on_either_path(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    source = (ROOT / "examples" / "environment.yml").read_bytes()
    results = []
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(yamlnodes, "parse_subset", lambda text: None)
        (tmp_path / "environment.yml").write_bytes(source)
        rc_check = main(["rewrite", "--check", "environment.yml"])
        check = capsys.readouterr()
        rc = main(["rewrite", "--unsafe-fixes", "environment.yml"])
        results.append((rc_check, check, rc, capsys.readouterr(), (tmp_path / "environment.yml").read_bytes()))
    assert results[0] == results[1]
    assert results[0][:2] == (1, (EXAMPLE_CHECK, ""))
    assert results[0][4] != source  # the rewrite did happen, the same way on both paths


# -- generated files ------------------------------------------------------------------------------------

PLAIN = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_.-]{0,8}([=<>!]{1,2}[0-9][0-9.*]{0,4})?", fullmatch=True),
    st.sampled_from(["python=3.11", "numpy >=1.26,<2", "-e .", "--index-url https://x.org/simple", "a:b",
                     "git+https://github.com/o/r.git@v1#egg=r", "x[y]", "x{y}", "x,y", "?q", ":q", "-1", "~",
                     "null", "a  b", "conda-forge::numpy", "pkg # not a comment#", "a#b"]),
)
QUOTED = st.sampled_from(["'x'", '"x"', "'a b'", "''", '""', "'it''s'", "'a: b'", '"# no comment"', "'x' ",
                          '"a\'b"', "'[x]'"])
KEYS = st.sampled_from(["name", "channels", "dependencies", "pip", "variables", "prefix", "a b", "x-y", "-k",
                        "k.v", "A_1"])
COMMENT = st.sampled_from(["", "", "", " # c", "  #  [linux]", " #", "    # x: y"])
TRAIL = st.sampled_from(["", "", "", " ", "   "])
NOISE = st.sampled_from(["", "", "", "#", "# c", "  # c", "      # deep", "    "])


@st.composite
def scalars(draw):
    return draw(st.one_of(PLAIN, QUOTED)) if draw(st.integers(0, 3)) else draw(QUOTED)


@st.composite
def mapping(draw, col, depth):
    """Lines of a block mapping at column ``col``."""
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        key = draw(KEYS)
        kind = draw(st.sampled_from(["scalar", "empty", "seq", "seq", "map"] if depth < 3 else ["scalar", "empty"]))
        if kind == "scalar":
            space = " " * draw(st.integers(1, 2))
            lines.append(" " * col + f"{key}:{space}{draw(scalars())}{draw(COMMENT)}{draw(TRAIL)}")
            continue
        lines.append(" " * col + f"{key}:{draw(COMMENT)}{draw(TRAIL)}")
        lines += [n for n in [draw(NOISE)] if n]
        if kind == "seq":
            lines += draw(sequence(col + draw(st.sampled_from([0, 2, 4])), depth + 1))
        elif kind == "map":
            lines += draw(mapping(col + draw(st.sampled_from([1, 2, 4])), depth + 1))
    return lines


@st.composite
def sequence(draw, col, depth):
    """Lines of a block sequence whose '-' are at column ``col``."""
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["scalar", "scalar", "scalar", "empty", "map"] if depth < 3 else ["scalar"]))
        if kind == "scalar":
            space = " " * draw(st.integers(1, 3))
            lines.append(" " * col + "-" + space + draw(scalars()) + draw(COMMENT) + draw(TRAIL))
        elif kind == "empty":
            lines.append(" " * col + "-" + draw(st.sampled_from(["", " ", " # c"])))
        else:
            inner = draw(mapping(col + 1 + draw(st.integers(1, 3)), depth + 1))
            lines += [" " * col + "-" + inner[0][col + 1:]] + inner[1:]
        lines += [n for n in [draw(NOISE)] if n]
    return lines


DOCUMENT_START = st.sampled_from(["---", "---", "--- # c", "---  ", "---   #", "--- #---"])


@st.composite
def environment_files(draw):
    """A file in the subset: LF or CRLF line ends, an optional leading '---' (with noise around it)."""
    lines = [n for n in [draw(NOISE)] if n]
    if draw(st.booleans()):
        lines += [draw(DOCUMENT_START)] + [n for n in [draw(NOISE)] if n]
    lines += draw(mapping(draw(st.sampled_from([0, 0, 0, 2])), 0))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    return eol.join(lines) + draw(st.sampled_from(["\n", "\n", "", "\n\n", "\n  "])).replace("\n", eol)


INDICATORS = "-?:,[]{}#&*!|>'\"%@` \t\r\n\\"
ODD_LINES = ["---", "--- # c", "--- x", "--- - x", "---#", "...", "%YAML 1.1", "%TAG ! tag:x,2000:", "k: [a, b]", "- &a x", "  - *a", "? x", "x: |", "  more text", "\t- x",
             "- - y", "  k: v", "k: v: w", "-", "  -", "'q': v", "k: 'open", "k: \"a\\\"b\"", "k: é", "x"]


@st.composite
def near_misses(draw):
    """A generated file with a few random edits: characters inserted, deleted, lines indented differently,
    swapped, odd lines added."""
    text = draw(environment_files())
    eol = "\r\n" if "\r\n" in text else "\n"
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split(eol)
        i = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["insert", "insert", "delete", "indent", "dedent", "swap", "line", "break"]))
        line = lines[i]
        if edit == "insert":
            j = draw(st.integers(0, len(line)))
            lines[i] = line[:j] + draw(st.sampled_from(INDICATORS)) + line[j:]
        elif edit == "delete" and line:
            j = draw(st.integers(0, len(line) - 1))
            lines[i] = line[:j] + line[j + 1:]
        elif edit == "indent":
            lines[i] = " " * draw(st.integers(1, 3)) + line
        elif edit == "dedent":
            lines[i] = line[draw(st.integers(1, 3)):] if line.startswith(" ") else line
        elif edit == "swap":
            k = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[k] = lines[k], lines[i]
        elif edit == "line":
            lines.insert(i, draw(st.sampled_from(ODD_LINES)))
        elif edit == "break" and i + 1 < len(lines):  # one line break changed: mixed ends, a lone CR
            lines[i] += draw(st.sampled_from(["\n", "\r", "\r\n", "\r\r\n", "\n\r"])) + lines.pop(i + 1)
        text = eol.join(lines)
    return text


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_SLOW = settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(environment_files())
def test_generated_files_are_accepted_and_identical_to_libyaml(text):
    assert agrees(text), text


@FUZZ
@given(near_misses())
def test_near_misses_are_declined_or_identical_to_libyaml(text):
    event(outcome(text))


@pytest.mark.slow
@FUZZ_SLOW
@given(environment_files())
def test_many_generated_files_are_accepted_and_identical_to_libyaml(text):
    assert agrees(text), text


@pytest.mark.slow
@FUZZ_SLOW
@given(near_misses())
def test_many_near_misses_are_declined_or_identical_to_libyaml(text):
    event(outcome(text))
