from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "files"
SEED = SHARED / "seed" / "how-to-deploy-conda-based-docker-images.txt"


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the checkout; skip when a fresh clone does not have it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    return SHARED


def corpus_files() -> list[Path]:
    """The corpus files, or [] when ../shared is absent (parametrized tests then skip)."""
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.iterdir())


def run(capsys, *argv) -> tuple[int, str, str]:
    """``envslim ARGV...`` in this process (each argument as ``str``: paths may be given): its exit code,
    stdout and stderr. The one copy: test modules import it (``from tests.conftest import run``)."""
    from envslim import cli

    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err
