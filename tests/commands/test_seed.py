"""The seed's own case, end to end: its env.yaml rewrites to its final env.yaml."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SEED
from envslim.cli import main


def seed_blocks() -> tuple[str, str]:
    if not SEED.is_file():
        pytest.skip("../shared/seed is absent")
    text = SEED.read_text(encoding="utf-8")
    blocks = re.findall(r"^name: docker-example\n(?:.+\n)+?(?=\n)", text, re.M)
    return blocks[0], blocks[-1]


def test_seed_env_rewrites_to_the_seeds_final_file(tmp_path, capsys):
    before, after = seed_blocks()
    env = tmp_path / "env.yaml"
    env.write_text(before)
    assert main(["rewrite", "-v", "--extend-select", "ES010", str(env)]) == 0  # the seed adds nomkl as a guard
    assert env.read_text() == after
    out = capsys.readouterr().out
    assert out == (
        f"{env}:4:3: ES007 defaults: mixes defaults with conda-forge; use nodefaults [unsafe fix, use --unsafe-fixes]\n"
        f"{env}:9:3: ES010 nomkl: add nomkl: a guard only, saves nothing: conda-forge, listed before defaults,"
        " serves numpy without MKL (strict channel priority) [fixed]\n"
        f"{env}:12:3: ES001 pyarrow: move to pip: Apache Arrow for Python; on conda-forge it pulls the Arrow C++ stack"
        " with the AWS, Azure and Google Cloud SDKs, gRPC and protobuf"  # Python 3.9: pyarrow 25.0 has no build for it
        " (saves ~123.2 MB, estimate 41.3 MB to 203.1 MB) [fixed]\n"
        f"rewrote {env}\n"
    )
    # A second run changes nothing.
    capsys.readouterr()
    assert main(["rewrite", "-v", "--check", "--extend-select", "ES010", str(env)]) == 0
    assert env.read_text() == after
    assert "[fixed]" not in capsys.readouterr().out


def test_seed_env_with_comments_keeps_every_comment(tmp_path):
    before, after = seed_blocks()
    commented = "# the seed's env\n" + before.replace("  - pyarrow\n", "  # parquet I/O\n  - pyarrow  # [linux] big\n")
    commented = commented.replace("  - boto3\n", "  - boto3   # aws\n")
    env = tmp_path / "env.yaml"
    env.write_text(commented)
    assert main(["rewrite", "-v", "--extend-select", "ES010", str(env)]) == 0
    expected = "# the seed's env\n" + after.replace("  - boto3\n", "  - boto3   # aws\n")
    expected = expected.replace("  - python=3.9\n", "  # parquet I/O\n  - python=3.9\n")
    expected = expected.replace("    - pyarrow\n", "    - pyarrow  # [linux] big\n")
    assert env.read_text() == expected
