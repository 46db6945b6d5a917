"""The pixi manifest locator and its edits: exact spans, exact bytes, checked against tomllib."""

from __future__ import annotations

import os
import sys

import pytest

from envslim.document.pixi import (
    AddDep, FixError, PixiManifest, RemoveDep, Rename, Scope, SetValue, is_pixi_pyproject,
)
from envslim.errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DATA = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "pixi")

MANIFEST = """\
[workspace]
name = "demo"
channels = ["conda-forge", { channel = "pytorch", priority = 1 }]
platforms = ["linux-64", "osx-arm64"]

[dependencies]
python = "3.11.*"  # the interpreter
pyarrow = ">=12"   # the big one
"ruamel.yaml" = '*'
pytorch = { version = ">=2", channel = "pytorch" }

[pypi-dependencies]
requests = ">=2"

[target.linux-64.dependencies]
cuda-version = "12.*"

[feature.test.dependencies]
pytest = "*"

[feature.lint]
pypi-dependencies = { ruff = "*" }
dependencies.pre-commit = ">=3"

[tasks]
test = "pytest"

[environments]
test = ["test"]
lint = { features = ["lint"], no-default-feature = true }
"""


def doc(text=MANIFEST, path="pixi.toml"):
    d = PixiManifest.from_text(text, path)
    d.check()
    return d


def dep(d, name, scope=Scope()):
    return next(x for x in d.deps if x.name == name and x.scope == scope)


def test_locates_every_dependency_with_its_spans():
    d = doc()
    rows = [(x.name, x.kind, x.table, str(x.scope), x.text, x.comment, x.editable) for x in d.deps]
    assert rows == [
        ("python", "conda", "dependencies", "default", '"3.11.*"', "  # the interpreter", True),
        ("pyarrow", "conda", "dependencies", "default", '">=12"', "   # the big one", True),
        ("ruamel.yaml", "conda", "dependencies", "default", "'*'", "", True),
        ("pytorch", "conda", "dependencies", "default", '{ version = ">=2", channel = "pytorch" }', "", True),
        ("requests", "pypi", "pypi-dependencies", "default", '">=2"', "", True),
        ("cuda-version", "conda", "dependencies", "target.linux-64", '"12.*"', "", True),
        ("pytest", "conda", "dependencies", "feature.test", '"*"', "", True),
        ("ruff", "pypi", "pypi-dependencies", "feature.lint", '"*"', "", False),
        ("pre-commit", "conda", "dependencies", "feature.lint", '">=3"', "", False),
    ]
    pa = dep(d, "pyarrow")
    t = d.text
    assert t[pa.pair.line_start:pa.pair.line_end] == 'pyarrow = ">=12"   # the big one\n'
    assert t[pa.pair.key.start:pa.pair.key.end] == "pyarrow"
    assert (pa.line, pa.pair.col, pa.pair.eol) == (7, 0, "\n")
    ry = dep(d, "ruamel.yaml")
    assert t[ry.pair.key.start:ry.pair.key.end] == '"ruamel.yaml"'
    assert t[pa.pair.header.line_start:pa.pair.header.line_end] == "[dependencies]\n"
    assert dep(d, "ruff", Scope("lint")).why_not == "the entry is inside an inline table"
    assert dep(d, "pre-commit", Scope("lint")).why_not == "the entry is a dotted key"
    assert [(c.name, t[c.start:c.end]) for c in d.channels] == [
        ("conda-forge", '"conda-forge"'), ("pytorch", '{ channel = "pytorch", priority = 1 }')]
    assert d.environments() == {"default": [None], "test": [None, "test"], "lint": ["lint"]}


def test_conda_spec_of_pixi_values():
    d = doc()
    assert [x.conda_spec() for x in d.conda_deps] == [
        "python 3.11.*", "pyarrow >=12", "ruamel.yaml", 'pytorch[version=">=2",channel="pytorch"]',
        "cuda-version 12.*", "pytest", "pre-commit >=3"]
    bare = doc('[dependencies]\npyspark = "3.1.2"\nlocal = { path = "." }\n')
    assert [x.conda_spec() for x in bare.deps] == ["pyspark ==3.1.2", None]


REAL = ["pixi-pypi.toml", "pixi-solve-groups.toml", "pixi-pytorch.toml", "docker/pyproject.toml", "3dtk-robostack.toml",
        "partseg-toml11.toml", "pixi-pypi-source-deps.toml", "pixi-own.toml"]


@pytest.mark.parametrize("name", REAL)
def test_real_manifests_read_as_tomllib_reads_them_and_every_move_reads_back(name):
    d = PixiManifest.read(os.path.join(DATA, name))
    d.check()
    assert d.deps
    for x in d.conda_deps:
        if not x.editable or x.table != "dependencies":
            continue
        if any(y.name == x.name and y.scope == x.scope for y in d.pypi_deps):
            continue
        new = d.render([RemoveDep(x), AddDep(x.scope, "pypi-dependencies", x.name, ">=1", x.comment)])
        after = PixiManifest.from_text(new, d.path, root=d.root)
        after.check()
        assert [y.value for y in after.pypi_deps if (y.name, y.scope) == (x.name, x.scope)] == [">=1"]


def test_pixis_own_manifest():
    d = PixiManifest.read(os.path.join(DATA, "pixi-own.toml"))
    assert (len(d.deps), len({x.scope for x in d.deps})) == (35, 6)


def test_real_pyproject_scopes_and_project_table():
    d = PixiManifest.read(os.path.join(DATA, "docker", "pyproject.toml"))
    assert d.root == ("tool", "pixi")
    assert [(x.name, x.table, str(x.scope)) for x in d.deps] == [
        ("flask", "dependencies", "default"), ("gunicorn", "dependencies", "default"),
        ("docker-project", "pypi-dependencies", "feature.dev"), ("pytest", "dependencies", "feature.test"),
        ("pip", "host-dependencies", "feature.prod"), ("build", "dependencies", "feature.build"),
        ("flit-core", "dependencies", "feature.build")]
    assert d.environments() == {"default": [None, "test", "dev", "build"], "prod": [None, "prod"]}
    assert d.channel_names() == ["conda-forge"]


def test_pyproject_without_tool_pixi_is_not_a_manifest():
    with pytest.raises(InputError) as e:
        PixiManifest.from_text('[project]\nname = "x"\ndependencies = ["numpy"]\n', "pyproject.toml")
    assert str(e.value) == "pyproject.toml:1:1: no [tool.pixi] table: not a pixi manifest"
    assert is_pixi_pyproject('[project]\n[tool.pixi.workspace]\n')
    assert is_pixi_pyproject('[ tool . "pixi" ]\n')
    assert not is_pixi_pyproject('[tool.pixie]\n[project]\n# [tool.pixi]\n')


@pytest.mark.parametrize("text, error", [
    ('[dependencies]\nnumpy = ">=1\n', r"pixi.toml:2:13: invalid TOML: Illegal character '\n'"),
    ("[dependencies]\nnumpy = '*'\nnumpy = '*'\n", "pixi.toml:3:12: invalid TOML: Cannot overwrite a value"),
    ('[dependencies\n', "pixi.toml:1:14: invalid TOML: Expected ']' at the end of a table declaration"),
    ('[dependencies]\nnumpy = *\n', "pixi.toml:2:9: invalid TOML: Invalid value"),
    ('[dependencies]\nnumpy = {version = "1",,}\n', "pixi.toml:2:24: invalid TOML: Invalid initial character for a key part"),
])
def test_bad_toml_is_one_line_with_its_place(text, error):
    with pytest.raises(InputError) as e:
        PixiManifest.from_text(text, "pixi.toml")
    assert str(e.value) == error


def test_toml_1_1_inline_tables_over_several_lines_read_as_pixi_reads_them():
    d = PixiManifest.read(os.path.join(DATA, "partseg-toml11.toml"))  # [package] build = { ... } over 4 lines
    d.check()
    assert [(x.name, x.text, str(x.scope)) for x in d.deps] == [
        ("napari", '">=0.7.0"', "default"), ("python", '"3.11.*"', "feature.py311")]
    text = '[pypi-dependencies]\nflask = {\n  version = ">=3", # web\n  extras = ["async"],\n}\nrich = "*"\n'
    d = doc(text)
    assert [(x.name, x.editable, x.why_not) for x in d.deps] == [
        ("flask", False, "the entry spans more than one line"), ("rich", True, "")]


def test_dependencies_spread_over_keys_of_their_own():
    text = ('[dependencies]\nnumpy.version = ">=1"\nnumpy.build = "py*"\n\n'
            '[dependencies.mypkg]\npath = "."\n\n[feature.x.dependencies.other]\nversion = "2.*"\n')
    d = doc(text)
    assert [(x.name, x.value, x.path, x.editable) for x in d.deps] == [
        ("numpy", {"version": ">=1", "build": "py*"}, ("dependencies",), False),
        ("mypkg", {"path": "."}, ("dependencies",), False),
        ("other", {"version": "2.*"}, ("feature", "x", "dependencies"), False)]
    assert [x.conda_spec() for x in d.deps] == ['numpy[version=">=1",build="py*"]', None, "other 2.*"]
    assert d.deps[0].why_not == "the entry is written as a table or dotted keys of its own"


def test_not_utf8():
    with pytest.raises(InputError) as e:
        PixiManifest.from_bytes(b'[dependencies]\nnumpy = "\xff"\n', "pixi.toml")
    assert str(e.value) == "pixi.toml:2:10: not UTF-8 text"


# -- edits ----------------------------------------------------------------------------------------
def move(d, name, spec, scope=Scope()):
    x = dep(d, name, scope)
    return d.render([RemoveDep(x), AddDep(scope, "pypi-dependencies", name, spec, x.comment)])


def test_move_into_the_existing_pypi_table_keeps_the_comment():
    d = doc()
    new = move(d, "pyarrow", ">=12")
    assert new == MANIFEST.replace('pyarrow = ">=12"   # the big one\n', "").replace(
        'requests = ">=2"\n', 'requests = ">=2"\npyarrow = ">=12"   # the big one\n')
    again = doc(new)
    assert dep(again, "pyarrow").kind == "pypi"


def test_move_creates_the_scopes_pypi_table_after_its_conda_table():
    d = doc()
    new = move(d, "cuda-version", "==12.*", Scope(None, "linux-64"))
    assert new == MANIFEST.replace(
        '[target.linux-64.dependencies]\ncuda-version = "12.*"\n',
        '[target.linux-64.dependencies]\n\n[target.linux-64.pypi-dependencies]\ncuda-version = "==12.*"\n')
    new = move(d, "pytest", "*", Scope("test"))
    assert new == MANIFEST.replace(
        '[feature.test.dependencies]\npytest = "*"\n',
        '[feature.test.dependencies]\n\n[feature.test.pypi-dependencies]\npytest = "*"\n')


def test_pyproject_pypi_packages_go_to_tool_pixi_never_to_project():
    text = (
        '[project]\nname = "app"\ndependencies = ["requests"]\n\n'
        '[tool.pixi.workspace]\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n'
        "[tool.pixi.dependencies]\npython = '3.12.*'\npyarrow = '>=14'  # parquet\n\n"
        "[tool.pixi.tasks]\nstart = 'python -m app'\n"
    )
    d = doc(text, "pyproject.toml")
    assert d.project_dependencies() == ["requests"]
    new = move(d, "pyarrow", ">=14")
    assert new == text.replace(
        "python = '3.12.*'\npyarrow = '>=14'  # parquet\n",
        "python = '3.12.*'\n\n[tool.pixi.pypi-dependencies]\npyarrow = '>=14'  # parquet\n")
    assert tomllib.loads(new)["project"]["dependencies"] == ["requests"]


def test_crlf_bom_and_no_final_newline_stay():
    text = "\ufeff" + MANIFEST.replace("\n", "\r\n")[:-2]
    d = PixiManifest.from_text(text, "pixi.toml")
    d.check()
    new = move(d, "pyarrow", ">=12")
    assert new == text.replace('pyarrow = ">=12"   # the big one\r\n', "").replace(
        'requests = ">=2"\r\n', 'requests = ">=2"\r\npyarrow = ">=12"   # the big one\r\n')
    last = PixiManifest.from_text('[dependencies]\npython = "3.12.*"\npyarrow = "*"', "pixi.toml")
    new = last.render([RemoveDep(dep(last, "pyarrow")), AddDep(Scope(), "pypi-dependencies", "pyarrow", "*")])
    assert new == '[dependencies]\npython = "3.12.*"\n\n[pypi-dependencies]\npyarrow = "*"'


def test_sorted_table_gets_the_new_line_in_order_above_its_comments():
    text = '[dependencies]\nlibblas = "*"\n# the array library\nnumpy = "*"\nscipy = "*"\n'
    d = doc(text)
    new = d.render([AddDep(Scope(), "dependencies", "nomkl", "*")])
    assert new == '[dependencies]\nlibblas = "*"\nnomkl = "*"\n# the array library\nnumpy = "*"\nscipy = "*"\n'


def test_spacing_around_equals_is_copied_when_the_table_shares_one():
    text = '[pypi-dependencies]\nrequests  =  "*"\nflask  =  "*"\n\n[dependencies]\npyarrow = "*"\n'
    assert move(doc(text), "pyarrow", "*") == (
        '[pypi-dependencies]\nrequests  =  "*"\nflask  =  "*"\npyarrow  =  "*"\n\n[dependencies]\n')
    aligned = '[pypi-dependencies]\nflask    = "*"\nrequests = "*"\n\n[dependencies]\npyarrow  = "*"\n'
    assert move(doc(aligned), "pyarrow", "*") == (
        '[pypi-dependencies]\nflask    = "*"\npyarrow = "*"\nrequests = "*"\n\n[dependencies]\n')


def test_rename_in_place_keeps_value_and_comment():
    d = doc()
    new = d.render([Rename(dep(d, "pytorch"), "pytorch-cpu")])
    assert new == MANIFEST.replace("pytorch = { version", "pytorch-cpu = { version")
    new = d.render([Rename(dep(d, "python"), "a.b")])
    assert new == MANIFEST.replace('python = "3.11.*"', '"a.b" = "3.11.*"')


def test_set_value_adds_a_pin():
    d = doc()
    new = d.render([SetValue(dep(d, "pyarrow"), '">=12,<15"', "  # envslim: pinned")])
    assert new == MANIFEST.replace('pyarrow = ">=12"   # the big one', 'pyarrow = ">=12,<15"   # the big one  # envslim: pinned')


def test_pin_into_a_feature_conda_table():
    d = doc()
    new = d.render([AddDep(Scope("test"), "dependencies", "numpy", "<2")])
    assert new == MANIFEST.replace('pytest = "*"\n', 'pytest = "*"\nnumpy = "<2"\n')


def test_refused_edits_leave_a_reason():
    d = doc()
    with pytest.raises(FixError, match="line 22: the entry is inside an inline table"):
        d.edits([RemoveDep(dep(d, "ruff", Scope("lint")))])
    with pytest.raises(FixError, match=r"'Requests' is already in \[pypi-dependencies\]"):
        d.edits([AddDep(Scope(), "pypi-dependencies", "Requests", "*")])
    with pytest.raises(FixError, match=r"\[feature.lint.dependencies\] is written as dotted keys or an inline table"):
        d.edits([AddDep(Scope("lint"), "dependencies", "numpy", "*")])
    with pytest.raises(FixError, match=r"no \[feature.nope.dependencies\] table"):
        d.edits([AddDep(Scope("nope"), "pypi-dependencies", "numpy", "*")])


def test_verification_refuses_an_edit_that_reads_otherwise():
    d = doc()
    x = dep(d, "pyarrow")
    with pytest.raises(FixError, match="the edit would not read as TOML"):
        d.render([SetValue(x, '">=12')])
    with pytest.raises(FixError, match="does not read back as intended"):
        d.verify(d.text.replace('flask', 'flask'), [RemoveDep(x)])


def test_idempotent_second_pass_finds_the_moved_line():
    d = doc()
    once = move(d, "pyarrow", ">=12")
    d2 = doc(once)
    assert [x.name for x in d2.conda_deps if x.scope == Scope()] == ["python", "ruamel.yaml", "pytorch"]
    assert dep(d2, "pyarrow").text == '">=12"' and dep(d2, "pyarrow").comment == "   # the big one"


def test_toml_1_1_is_read_even_when_a_vendored_old_tomli_comes_first(tmp_path):
    """conda-lock's vendored poetry-core puts an old tomli (TOML 1.0) first on sys.path."""
    import subprocess

    code = ("import sys, conda_lock.conda_lock, tomli; from envslim.document.pixi import PixiManifest; from envslim.document.toml import reader as _tomllib;"
            "d = PixiManifest.read(sys.argv[1]); import tomli as again;"
            "print(len(d.deps), _tomllib() is not tomli, again is tomli)")
    out = subprocess.run([sys.executable, "-c", code, os.path.join(DATA, "partseg-toml11.toml")],
                         capture_output=True, text=True, timeout=120)
    assert out.stdout == "2 True True\n", out.stderr
