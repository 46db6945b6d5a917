"""Configuration: discovery upward from the env file, every key, and every mistake as ``path:line:col``."""

from __future__ import annotations

import os

import pytest

from envslim import config
from envslim.cli import main
from tests.conftest import run

ENV = """\
name: t
channels:
  - conda-forge
  - defaults
dependencies:
  - python=3.11
  - requests
  - pip:
    - requests>=2.31
"""

ES007 = "{p}:4:3: ES007 defaults: mixes defaults with conda-forge; use nodefaults [unsafe fix, use --unsafe-fixes]"
ES003 = "{p}:8:3: ES003 pip: the file has a pip: section but pip is not a conda dependency; add it [fix available]"
ES006 = ("{p}:9:5: ES006 requests: also a conda dependency (line 7: requests); pip installs a second copy over"
         " conda's; merge its constraint into the conda line by hand [not fixed: the pip line carries a constraint]")
KNOWN_KEYS = ("select, extend-select, ignore, unsafe-fixes, keep, per-package-ignores, platform, python, channel-alias,"
              " include, exclude")


def check(capsys, env, *options) -> tuple[int, str, str]:
    return run(capsys, "rewrite", "-v", "--check", *options, env)


def listed(env, *lines: str) -> str:
    return "".join(line.format(p=env) + "\n" for line in lines)


def expected(env, *lines: str) -> str:
    return listed(env, *lines) + f"would rewrite {env}\n"


@pytest.fixture
def tree(tmp_path):
    """An isolated tree (an empty .envslim.toml at its top stops the search from leaving it)."""
    root = tmp_path.resolve()
    (root / ".envslim.toml").write_text("")
    return root


def env_in(folder):
    folder.mkdir(parents=True, exist_ok=True)
    env = folder / "environment.yml"
    env.write_text(ENV)
    return env


# -- discovery ----------------------------------------------------------------------------------
def test_no_keys_means_every_rule(tree, capsys):
    env = env_in(tree)
    assert check(capsys, env) == (1, expected(env, ES007, ES003, ES006), "")


def test_pyproject_tool_table_applies_to_files_below(tree, capsys):
    (tree / ".envslim.toml").unlink()
    (tree / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.envslim]\nignore = ["ES007"]\n')
    env = env_in(tree / "deploy" / "docker")
    assert check(capsys, env) == (1, expected(env, ES003, ES006), "")


def test_envslim_toml_wins_over_pyproject_in_the_same_folder(tree, capsys):
    (tree / "pyproject.toml").write_text('[tool.envslim]\nignore = ["ES007"]\n')
    (tree / ".envslim.toml").write_text('ignore = ["ES003"]\n')
    env = env_in(tree)
    assert check(capsys, env) == (0, listed(env, ES007, ES006), "")
    assert config.find(env) == (str(tree / ".envslim.toml"), {"ignore": ["ES003"]}, ())


def test_nearest_config_wins(tree, capsys):
    (tree / ".envslim.toml").write_text('ignore = ["ES007"]\n')
    (tree / "a" / ".envslim.toml").parent.mkdir()
    (tree / "a" / ".envslim.toml").write_text('select = ["ES006"]\n')
    near = env_in(tree / "a" / "b")
    far = env_in(tree / "c")
    assert check(capsys, near) == (0, listed(near, ES006), "")
    assert check(capsys, far) == (1, expected(far, ES003, ES006), "")
    found = config.find(near)
    assert found == (str(tree / "a" / ".envslim.toml"), {"select": ["ES006"]}, ())


def test_pyproject_without_tool_envslim_is_passed_over(tree, capsys):
    (tree / ".envslim.toml").write_text('ignore = ["ES003"]\n')
    env = env_in(tree / "pkg")
    (tree / "pkg" / "pyproject.toml").write_text('[project]\nname = "pkg"\n\n[tool.ruff]\nline-length = 99\n')
    assert check(capsys, env) == (0, listed(env, ES007, ES006), "")
    # A pyproject.toml whose 'tool' is not a table holds no envslim config either.
    (tree / "pkg" / "pyproject.toml").write_text("tool = 3\n")
    assert check(capsys, env) == (0, listed(env, ES007, ES006), "")


def test_pyproject_that_cannot_hold_tool_envslim_is_not_parsed(tree, capsys):
    # it names envslim (a dependency), has no [tool.envslim] or [tool] header, no top-level tool key: it
    # is not even read as TOML, so its broken last line is no error of envslim's
    (tree / ".envslim.toml").write_text('ignore = ["ES003"]\n')
    env = env_in(tree / "pkg")
    (tree / "pkg" / "pyproject.toml").write_text('[project]\ndependencies = ["envslim"]\n[tool.ruff\n')
    assert check(capsys, env) == (0, listed(env, ES007, ES006), "")


@pytest.mark.parametrize("text", ['[ tool . "envslim" ]\nignore = ["ES003", "ES007"]\n',
                                  'tool.envslim.ignore = ["ES003", "ES007"]\n',
                                  'tool = {envslim = {ignore = ["ES003", "ES007"]}}\n'])
def test_pyproject_tool_envslim_written_any_way_is_found(tree, capsys, text):
    (tree / ".envslim.toml").unlink()
    (tree / "pyproject.toml").write_text(text)
    env = env_in(tree)
    assert check(capsys, env) == (0, listed(env, ES006), "")


def test_pyproject_table_found_and_dotted_keys(tree, capsys):
    (tree / ".envslim.toml").unlink()
    (tree / "pyproject.toml").write_text('[tool]\nenvslim.ignore = ["es003", "ES007"]\n')
    env = env_in(tree)
    assert check(capsys, env) == (0, listed(env, ES006), "")
    assert config.find(tree) == (str(tree / "pyproject.toml"), {"ignore": ["es003", "ES007"]}, ("tool", "envslim"))


def test_explicit_config_replaces_discovery(tree, capsys):
    (tree / ".envslim.toml").write_text('ignore = ["ES003", "ES006", "ES007"]\n')
    env = env_in(tree)
    other = tree / "elsewhere" / "pyproject.toml"
    other.parent.mkdir()
    other.write_text('[tool.envslim]\nselect = ["ES003"]\n')
    assert check(capsys, env) == (0, "", "")
    assert check(capsys, env, "--config", str(other)) == (1, expected(env, ES003), "")
    named = tree / "elsewhere" / "ci.toml"  # any other name holds the keys at its top level
    named.write_text('select = ["ES007"]\n')
    assert check(capsys, env, "--config", str(named)) == (0, listed(env, ES007), "")
    bare = tree / "elsewhere" / "bare" / "pyproject.toml"  # no [tool.envslim]: the defaults
    bare.parent.mkdir()
    bare.write_text('[project]\nname = "x"\n')
    assert check(capsys, env, "--config", str(bare)) == (1, expected(env, ES007, ES003, ES006), "")


def test_stdin_uses_the_config_of_the_working_folder(tree, capsys, monkeypatch):
    import io
    import sys

    (tree / ".envslim.toml").write_text('select = ["ES003"]\n')
    monkeypatch.chdir(tree)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ENV.encode())))
    assert main(["rewrite", "-v", "-"]) == 0
    out, err = capsys.readouterr()
    assert out == ENV.replace("  - python=3.11\n", "  - pip\n  - python=3.11\n")
    assert err == ES003.format(p="<stdin>").replace("[fix available]", "[fixed]") + "\n"


# -- keys -----------------------------------------------------------------------------------------
def test_command_line_select_beats_config_select_and_ignores_add_up(tree, capsys):
    (tree / ".envslim.toml").write_text('select = ["ES003", "ES006"]\nignore = ["ES006"]\n')
    env = env_in(tree)
    assert check(capsys, env) == (1, expected(env, ES003), "")
    assert check(capsys, env, "--select", "ES007") == (0, listed(env, ES007), "")
    assert check(capsys, env, "--ignore", "ES003") == (0, "", "")


def test_unsafe_fixes_from_config(tree, capsys):
    (tree / ".envslim.toml").write_text('unsafe-fixes = true\nselect = ["ES007", "ES003"]\n')
    env = env_in(tree)
    assert main(["rewrite", "-v", str(env)]) == 0
    assert capsys.readouterr().out == (
        ES007.format(p=env).replace("[unsafe fix, use --unsafe-fixes]", "[fixed]") + "\n"
        + ES003.format(p=env).replace("[fix available]", "[fixed]") + "\n"
        + f"rewrote {env}\n"
    )
    assert env.read_text() == ENV.replace("  - defaults\n", "  - nodefaults\n").replace(
        "  - python=3.11\n", "  - pip\n  - python=3.11\n")


def test_keep_and_per_package_ignores(tree, capsys):
    env = env_in(tree)
    (tree / ".envslim.toml").write_text('keep = ["Requests", "pip"]\n')
    assert check(capsys, env) == (0, listed(env, ES007), "")
    (tree / ".envslim.toml").write_text('[per-package-ignores]\nrequests = ["ES006"]\nDEFAULTS = ["es007"]\n')
    assert check(capsys, env) == (1, expected(env, ES003), "")
    (tree / ".envslim.toml").write_text('per-package-ignores = { requests = ["ES001"] }\n')
    assert check(capsys, env) == (1, expected(env, ES007, ES003, ES006), "")


def test_keep_compares_normalised_names(tree, capsys):
    env = tree / "environment.yml"
    env.write_text(ENV.replace("requests", "ruamel.yaml"))
    (tree / ".envslim.toml").write_text('keep = ["Ruamel_YAML"]\nignore = ["ES007"]\n')
    assert check(capsys, env) == (1, expected(env, ES003), "")


def test_platform_and_python_are_read(tree):
    (tree / ".envslim.toml").write_text('platform = "osx-arm64"\npython = "3.12"\nkeep = ["PyArrow"]\n')
    cfg = config.load(tree, {"ES001"})
    assert (cfg.path, cfg.platform, cfg.python, cfg.keep) == (
        str(tree / ".envslim.toml"), "osx-arm64", "3.12", frozenset({"pyarrow"}))
    (tree / ".envslim.toml").write_text("")
    cfg = config.load(tree, {"ES001"})
    assert (cfg.platform, cfg.python, cfg.unsafe_fixes, cfg.select, cfg.ignore) == (
        "linux-64", "3.11", False, frozenset(), frozenset())


# -- errors: exit 2, one line naming the file and the key, the env file untouched -------------------
ERRORS = [
    pytest.param(".envslim.toml", 'select = ["ES003"]\nbogus = 1\n',
                 f"2:1: unknown key 'bogus' (known: {KNOWN_KEYS})", id="unknown-key"),
    pytest.param(".envslim.toml", 'unsafe_fixes = true\n',
                 f"1:1: unknown key 'unsafe_fixes' (known: {KNOWN_KEYS})", id="underscore-key"),
    pytest.param("pyproject.toml", '[project]\nname = "x"\n\n[tool.envslim]\nselect = ["ES003"]\n  extend = []\n',
                 f"6:3: unknown key 'extend' (known: {KNOWN_KEYS})", id="unknown-key-pyproject"),
    pytest.param("pyproject.toml", '[tool.envslim.lint]\nselect = ["ES003"]\n',
                 f"1:1: unknown key 'lint' (known: {KNOWN_KEYS})", id="unknown-subtable"),
    pytest.param(".envslim.toml", 'select = ["ES003", "ES999"]\n',
                 "1:20: unknown rule id 'ES999' in 'select'", id="select-unknown-id"),
    pytest.param(".envslim.toml", 'ignore = [\n  "ES003",\n  "move-to-pip",\n]\n',
                 "3:3: unknown rule id 'move-to-pip' in 'ignore'", id="ignore-unknown-id"),
    pytest.param("pyproject.toml", "[tool]\nenvslim.ignore = ['ES3']\n",
                 "2:19: unknown rule id 'ES3' in 'ignore'", id="dotted-unknown-id"),
    pytest.param(".envslim.toml", 'per-package-ignores = { numpy = ["ES001"], scipy = [\'ES999\'] }\n',
                 "1:53: unknown rule id 'ES999' for 'scipy' in 'per-package-ignores'", id="ppi-inline-unknown-id"),
    pytest.param("pyproject.toml", '[tool.envslim.per-package-ignores]\nnumpy = ["ES001",\n   "ES998"]\n',
                 "3:4: unknown rule id 'ES998' for 'numpy' in 'per-package-ignores'", id="ppi-table-unknown-id"),
    pytest.param(".envslim.toml", 'per-package-ignores = ["ES001"]\n',
                 "1:1: 'per-package-ignores' must be a table of package = [rule ids]", id="ppi-not-table"),
    pytest.param(".envslim.toml", 'per-package-ignores = { numpy = "ES001" }\n',
                 "1:25: 'per-package-ignores' entry 'numpy' must be a list of strings, not a string", id="ppi-entry"),
    pytest.param(".envslim.toml", 'select = "ES003"\n',
                 "1:1: 'select' must be a list of strings, not a string", id="select-string"),
    pytest.param(".envslim.toml", 'ignore = ["ES003", 7]\n',
                 "1:1: 'ignore' must be a list of strings, not a list holding an integer", id="ignore-int"),
    pytest.param(".envslim.toml", 'keep = [true, 1.5]\n',
                 "1:1: 'keep' must be a list of strings, not a list holding a boolean, a float", id="keep-mixed"),
    pytest.param(".envslim.toml", 'keep = { pyarrow = true }\n',
                 "1:1: 'keep' must be a list of strings, not a table", id="keep-table"),
    pytest.param(".envslim.toml", 'unsafe-fixes = "yes"\n',
                 "1:1: 'unsafe-fixes' must be true or false, not 'yes'", id="unsafe-string"),
    pytest.param(".envslim.toml", 'platform = "linux-32"\n',
                 "1:1: unknown platform 'linux-32' (known: linux-64, linux-aarch64, linux-ppc64le, osx-64,"
                 " osx-arm64, win-64)", id="platform"),
    pytest.param(".envslim.toml", "platform = 64\n",
                 "1:1: unknown platform 64 (known: linux-64, linux-aarch64, linux-ppc64le, osx-64,"
                 " osx-arm64, win-64)", id="platform-int"),
    pytest.param(".envslim.toml", "python = 3.11\n", "1:1: 'python' must be a version like \"3.11\", not 3.11",
                 id="python-float"),
    pytest.param("pyproject.toml", '[tool.envslim]\npython = "py3.12"\n',
                 "2:1: 'python' must be a version like \"3.11\", not 'py3.12'", id="python-string"),
    pytest.param(".envslim.toml", 'select = ["ES003"\n',
                 "1:18: invalid TOML: Unclosed array", id="toml-unclosed"),
    pytest.param("pyproject.toml", '[tool.envslim]\npython = "3.11\n',
                 "2:15: invalid TOML: Illegal character '\\n'", id="toml-string"),
    pytest.param("pyproject.toml", '[tool.envslim]\nkeep = []\nkeep = []\n',
                 "3:10: invalid TOML: Cannot overwrite a value", id="toml-duplicate"),
    pytest.param("pyproject.toml", "[tool]\nenvslim = 5\n", "2:1: 'tool.envslim' must be a table", id="not-table"),
]


@pytest.mark.parametrize(("name", "text", "where"), ERRORS)
def test_config_error_names_file_and_key(tree, capsys, name, text, where):
    if name == "pyproject.toml":
        (tree / ".envslim.toml").unlink()
    cfg = tree / name
    cfg.write_text(text)
    env = env_in(tree / "sub")
    assert main(["rewrite", "-v", str(env)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"{cfg}:{where}\n")
    assert env.read_text() == ENV
    assert main(["rewrite", "-v", "--config", str(cfg), str(env)]) == 2  # the same, named on the command line
    assert capsys.readouterr() == ("", f"{cfg}:{where}\n")


def test_config_errors_in_other_files(tree, capsys):
    env = env_in(tree / "sub")
    missing = tree / "nope.toml"
    assert main(["rewrite", "-v", "--config", str(missing), str(env)]) == 2
    assert capsys.readouterr() == ("", f"{missing}:1:1: no such config file\n")
    fifo = tree / "config.fifo"  # named, but not a file: said so, nothing read (a FIFO without a writer)
    os.mkfifo(fifo)
    assert main(["rewrite", "-v", "--config", str(fifo), str(env)]) == 2
    assert capsys.readouterr() == ("", f"{fifo}:1:1: not a regular file (a FIFO)\n")
    assert main(["rewrite", "-v", "--config", str(tree), str(env)]) == 2
    assert capsys.readouterr() == ("", f"{tree}:1:1: not a regular file (a directory)\n")
    (tree / ".envslim.toml").write_bytes(b'keep = ["caf\xe9"]\n')
    assert main(["rewrite", "-v", str(env)]) == 2
    assert capsys.readouterr() == ("", f"{tree / '.envslim.toml'}:1:13: not UTF-8 text\n")
    # A broken pyproject.toml on the way up is an error where it can hold [tool.envslim]; where it cannot,
    # it is not envslim's to read (and is not parsed at all).
    (tree / ".envslim.toml").write_text("")
    (tree / "sub" / "pyproject.toml").write_text("[project\n")
    assert check(capsys, env) == (1, expected(env, ES007, ES003, ES006), "")
    (tree / "sub" / "pyproject.toml").write_text("[project\n[tool.envslim]\n")
    assert main(["rewrite", "-v", str(env)]) == 2
    message = "1:9: invalid TOML: Expected ']' at the end of a table declaration"
    assert capsys.readouterr() == ("", f"{tree / 'sub' / 'pyproject.toml'}:{message}\n")
    assert env.read_text() == ENV


def test_a_bad_config_stops_only_its_files(tree, capsys):
    good = env_in(tree / "good")
    bad = env_in(tree / "bad")
    (tree / "bad" / ".envslim.toml").write_text("bogus = 1\n")
    assert main(["rewrite", "-v", str(bad), str(good)]) == 2
    out, err = capsys.readouterr()
    assert err == f"{tree / 'bad' / '.envslim.toml'}:1:1: unknown key 'bogus' (known: {KNOWN_KEYS})\n"
    assert out == "".join(
        line.format(p=good).replace("[fix available]", "[fixed]") + "\n" for line in (ES007, ES003, ES006)
    ) + f"rewrote {good}\n"
    assert bad.read_text() == ENV
    assert good.read_text() != ENV


def test_platform_list_and_channel_alias(tmp_path):
    from envslim import config

    (tmp_path / ".envslim.toml").write_text(
        'platform = ["linux-64", "linux-aarch64"]\nchannel-alias = "http://mirror.local/conda"\n')
    cfg = config.load(str(tmp_path), set(), explicit=False)
    assert (cfg.platform, cfg.platforms, cfg.channel_alias) == (
        "linux-64", ("linux-64", "linux-aarch64"), "http://mirror.local/conda")
