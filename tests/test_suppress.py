"""Inline suppressions (``# envslim: keep``, ``# envslim: ignore[RULE]``) and the config's keep lists."""

from __future__ import annotations

import pytest

from tests.conftest import run

# numpy's line draws two findings: ES002 (add nomkl: defaults builds numpy and scipy against MKL) and
# ES005 (h5py 3.7 was built against numpy 1.x: pin numpy<2).
NUMPY = """\
name: t
dependencies:
  - h5py=3.7
  - numpy{comment}
  - scipy
"""
ES002 = "ES002 nomkl: add nomkl: the defaults channel builds numpy, scipy against MKL (saves ~849.7 MB, estimate 844.0 MB to 855.5 MB)"
ES005 = "ES005 numpy: pin numpy<2: h5py is held below 3.11.0, built against numpy 1.x"


@pytest.fixture
def folder(tmp_path):
    (tmp_path / ".envslim.toml").write_text("")  # no config from outside the test's folder
    return tmp_path


def rewrite(capsys, path, *options) -> tuple[int, str, str]:
    return run(capsys, "rewrite", "-v", *options, path)


@pytest.mark.parametrize(("comment", "fired", "after"), [
    pytest.param("", [ES002, ES005], "  - h5py=3.7\n  - nomkl\n  - numpy<2\n", id="none"),
    pytest.param("  # envslim: keep", [], None, id="keep"),
    pytest.param("  # MKL for speed  # envslim: keep", [], None, id="keep-after-a-comment"),
    pytest.param("  #envslim:keep", [], None, id="keep-no-spaces"),
    pytest.param("  # EnvSlim: KEEP", [], None, id="keep-any-case"),
    pytest.param("  # envslim: ignore[ES002]", [ES005], "  - h5py=3.7\n  - numpy<2{comment}\n", id="ignore-one"),
    pytest.param("  # envslim: ignore[es005]", [ES002], "  - h5py=3.7\n  - nomkl\n  - numpy{comment}\n",
                 id="ignore-lower-case"),
    pytest.param("  # envslim: ignore[ES002, ES005]", [], None, id="ignore-both"),
    pytest.param("  # envslim: ignore(ES002)", [ES005], "  - h5py=3.7\n  - numpy<2{comment}\n",
                 id="ignore-parentheses-conda-lock-safe"),
    pytest.param("  # envslim: ignore[ES002]  # envslim: ignore[ES005]", [], None, id="two-markers"),
    pytest.param("  # envslim: ignore[ES001]", [ES002, ES005], "  - h5py=3.7\n  - nomkl\n  - numpy<2{comment}\n",
                 id="ignore-another-rule"),
    pytest.param("  # envslim: ignore[]", [ES002, ES005], "  - h5py=3.7\n  - nomkl\n  - numpy<2{comment}\n",
                 id="ignore-nothing"),
    pytest.param("  # why: envslim: keep", [ES002, ES005], "  - h5py=3.7\n  - nomkl\n  - numpy<2{comment}\n",
                 id="marker-inside-text-is-not-one"),
    pytest.param("  # envslim keep", [ES002, ES005], "  - h5py=3.7\n  - nomkl\n  - numpy<2{comment}\n",
                 id="no-colon-is-not-a-marker"),
])
def test_inline_suppression(folder, capsys, comment, fired, after):
    env = folder / "environment.yml"
    before = NUMPY.format(comment=comment)
    env.write_text(before)
    rc, out, err = rewrite(capsys, env)
    assert (rc, err) == (0, "")
    assert out == "".join(f"{env}:4:3: {line} [fixed]\n" for line in fired) + (f"rewrote {env}\n" if fired else "")
    expected = before if after is None else before.replace(
        f"  - h5py=3.7\n  - numpy{comment}\n", after.format(comment=comment))
    assert env.read_text() == expected
    # The second run has nothing left to do.
    assert rewrite(capsys, env, "--check") == (0, "", "")


PYARROW = """\
name: t
channels:
  - conda-forge
  - defaults{channel_comment}
dependencies:
  - requests
  - pip
  - pyarrow>=12{comment}
  - python=3.11
"""


def test_keep_on_a_moved_package_and_on_a_channel(folder, capsys):
    env = folder / "environment.yml"
    text = PYARROW.format(channel_comment="  # envslim: keep", comment="  # envslim: keep")
    env.write_text(text)
    assert rewrite(capsys, env, "--check", "--unsafe-fixes") == (0, "", "")
    assert env.read_text() == text


def test_ignore_of_another_rule_travels_with_the_moved_line(folder, capsys):
    env = folder / "environment.yml"
    env.write_text(PYARROW.format(channel_comment="  # envslim: ignore[ES007]", comment="  # envslim: ignore[ES004]"))
    rc, out, err = rewrite(capsys, env, "--select", "ES001,ES007", "--unsafe-fixes")
    assert (rc, err) == (0, "")
    assert out.startswith(f"{env}:8:3: ES001 pyarrow: move to pip: ")
    assert out.endswith("(saves ~104.9 MB, estimate 15.5 MB to 191.8 MB) [fixed]\n" f"rewrote {env}\n")
    assert out.count("\n") == 2
    assert env.read_text() == (
        "name: t\nchannels:\n  - conda-forge\n  - defaults  # envslim: ignore[ES007]\ndependencies:\n"
        "  - requests\n  - pip\n  - python=3.11\n  - pip:\n    - pyarrow>=12  # envslim: ignore[ES004]\n"
    )


def test_ignore_on_the_moved_line_stops_the_move(folder, capsys):
    env = folder / "environment.yml"
    text = PYARROW.format(channel_comment="", comment="  # envslim: ignore[ES001]")
    env.write_text(text)
    assert rewrite(capsys, env, "--select", "ES001") == (0, "", "")
    assert env.read_text() == text


def test_a_suppression_on_another_line_does_not_count(folder, capsys):
    env = folder / "environment.yml"
    env.write_text(PYARROW.format(channel_comment="  # envslim: keep", comment="").replace(
        "  - requests\n", "  - requests  # envslim: ignore[ES001]\n  # envslim: keep\n"))
    rc, out, err = rewrite(capsys, env, "--check", "--select", "ES001")
    assert (rc, err) == (1, "")
    assert out.startswith(f"{env}:9:3: ES001 pyarrow: move to pip: ")


@pytest.mark.parametrize("cfg", [
    'keep = ["pyarrow"]\n',
    'keep = ["PyArrow"]\n',
    'per-package-ignores = { pyarrow = ["ES001"] }\n',
    '[per-package-ignores]\npyarrow = ["es001", "ES004"]\n',
])
def test_keep_and_per_package_ignores_from_config(folder, capsys, cfg):
    env = folder / "environment.yml"
    text = PYARROW.format(channel_comment="", comment="")
    env.write_text(text)
    (folder / ".envslim.toml").write_text(cfg)
    assert rewrite(capsys, env, "--select", "ES001") == (0, "", "")
    assert env.read_text() == text


def test_per_package_ignores_of_another_rule_leave_the_move(folder, capsys):
    env = folder / "environment.yml"
    env.write_text(PYARROW.format(channel_comment="", comment=""))
    (folder / ".envslim.toml").write_text('per-package-ignores = { pyarrow = ["ES004"], requests = ["ES001"] }\n')
    rc, out, err = rewrite(capsys, env, "--select", "ES001")
    assert (rc, err) == (0, "")
    assert out.startswith(f"{env}:8:3: ES001 pyarrow: move to pip: ")
    assert env.read_text().endswith("  - python=3.11\n  - pip:\n    - pyarrow>=12\n")
