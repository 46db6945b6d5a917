"""envslim dockerfile on a pixi workspace: golden Dockerfiles (exact text) for a real manifest's
environment, hadolint on each, and one-line errors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.image.test_dockerfile import GOLDEN, generate, hadolint

PYTORCH = Path(__file__).parent.parent / "data" / "pixi" / "pixi-pytorch.toml"  # prefix-dev/pixi examples/pytorch
VARIANTS = {
    "pixi-cf-channel": ("--environment", "cf-channel"),
    "pixi-clean-user": ("--environment", "cf-channel", "--cache", "clean", "--user", "1000"),
    "pixi-distroless": ("--environment", "cf-channel", "--distroless", "--aggressive"),
}


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    shutil.copy(PYTORCH, tmp_path / "pixi.toml")
    (tmp_path / "pixi.lock").write_text("version: 6\n")  # (its content is pixi's to read; envslim needs it there)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_golden(variant, workspace, capsys):
    rc, out, err = generate(capsys, "pixi.toml", *VARIANTS[variant])
    assert (rc, err) == (0, "")
    golden = GOLDEN / f"{variant}.Dockerfile"
    if os.environ.get("ENVSLIM_REGEN_GOLDEN"):
        golden.write_text(out)
    assert out == golden.read_text()


def test_golden_install_and_copy_lines():
    text = (GOLDEN / "pixi-cf-channel.Dockerfile").read_text().splitlines()
    assert "FROM ghcr.io/prefix-dev/pixi:0.41.4 AS build" in text
    assert "    pixi install --locked -e cf-channel \\" in text
    assert "COPY --from=build /app/.pixi/envs/cf-channel /app/.pixi/envs/cf-channel" in text
    assert "ENV PATH=/app/.pixi/envs/cf-channel/bin:$PATH" in text


@pytest.mark.slow  # hadolint, a real binary, on every variant
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_golden_passes_hadolint_with_no_findings(variant, tmp_path):
    rc, report = hadolint((GOLDEN / f"{variant}.Dockerfile").read_text(), tmp_path)
    assert (rc, report) == (0, "")


def test_without_a_lock_is_an_error(workspace, capsys):
    (workspace / "pixi.lock").unlink()
    rc, out, err = generate(capsys, "pixi.toml")
    assert (rc, out, err) == (
        2, "", "pixi.toml: no pixi.lock beside it: run `pixi lock` (the build installs with --locked)\n")


def test_an_unknown_environment_is_an_error(workspace, capsys):
    rc, out, err = generate(capsys, "pixi.toml", "--environment", "gpu")
    assert (rc, out) == (2, "")
    assert err == "pixi.toml: no pixi environment 'gpu' (it has: default, cf-channel, nvidia-channel, pytorch-channel)\n"


def test_smoke_is_refused_for_a_manifest(workspace, capsys):
    rc, out, err = generate(capsys, "pixi.toml", "--smoke", "python -c 1")
    assert (rc, out, err) == (2, "", "envslim dockerfile: --smoke takes an environment file, not a pixi manifest\n")


def test_environment_on_an_environment_file_is_an_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("environment.yml").write_text("dependencies:\n  - python=3.11\n")
    rc, out, err = generate(capsys, "environment.yml", "--environment", "gpu")
    assert (rc, out, err) == (2, "", "environment.yml: --environment names a pixi environment; this is an environment file\n")
