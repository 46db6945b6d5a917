"""Lock-based builds (envslim/image/lockbuild.py): a conda-lock.yml beside the env file that matches it is
what the build stage installs (golden Dockerfile, hadolint clean); a stale one (the rewrite moved pyarrow to
pip), a pixi.lock and the miniforge installer are refused with one warning, and the build uses the file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from envslim.document.envfile import EnvFile
from envslim.image import lockbuild
from tests.image.test_dockerfile import GOLDEN, SEED_DIR, generate, hadolint

pytest.importorskip("conda_lock")

CF = "https://conda.anaconda.org/conda-forge"
# The seed's final environment (tests/golden/seed/env.yaml) as conda-lock would lock it on linux-64: each
# line's package, with a few of the dependencies that connect them. Versions are real conda-forge ones.
CONDA = {
    "aiobotocore": ("2.5.4", "pyhd8ed1ab_0", "noarch", {"botocore": ">=1.31.17,<1.31.18", "python": ">=3.7"}),
    "botocore": ("1.31.17", "pyhd8ed1ab_0", "noarch", {"python": ">=3.7"}),
    "boto3": ("1.28.17", "pyhd8ed1ab_0", "noarch", {"botocore": ">=1.31.17,<1.32.0", "python": ">=3.7"}),
    "fsspec": ("2023.6.0", "pyh1a96a4e_0", "noarch", {"python": ">=3.8"}),
    "nomkl": ("1.0", "h5ca1d4c_0", "noarch", {}),
    "numpy": ("1.26.4", "py39h474f0d3_0", "linux-64", {"python": ">=3.9,<3.10.0a0", "libzlib": ">=1.2"}),
    "pandas": ("1.5.3", "py39h2ad29b5_1", "linux-64", {"numpy": ">=1.21", "python": ">=3.9,<3.10.0a0"}),
    "pip": ("23.2.1", "pyhd8ed1ab_0", "noarch", {"python": ">=3.7"}),
    "python": ("3.9.18", "h0755675_0_cpython", "linux-64", {"libzlib": ">=1.2"}),
    "libzlib": ("1.2.13", "hd590300_5", "linux-64", {}),
    "s3fs": ("2023.6.0", "pyhd8ed1ab_0", "noarch", {"aiobotocore": ">=2.5.0", "fsspec": "2023.6.0"}),
}
PIP = {"pyarrow": ("12.0.1", "https://files.pythonhosted.org/packages/pyarrow-12.0.1-cp39-cp39-manylinux_2_28_x86_64.whl")}


def lock_text(conda: dict = CONDA, pip: dict = PIP) -> str:
    """A conda-lock v1 file (as conda-lock writes it, trimmed) for linux-64."""
    body = ""
    for n, (name, (version, build, subdir, deps)) in enumerate(sorted(conda.items())):
        body += (f"- name: {name}\n  version: '{version}'\n  manager: conda\n  platform: linux-64\n  dependencies:"
                 + ("".join(f"\n    {k}: '{v}'" for k, v in deps.items()) or " {}")
                 + f"\n  url: {CF}/{subdir}/{name}-{version}-{build}.conda\n  hash:\n    md5: '{n:032x}'\n"
                 f"    sha256: '{n:064x}'\n  category: main\n  optional: false\n")
    for name, (version, url) in sorted(pip.items()):
        body += (f"- name: {name}\n  version: '{version}'\n  manager: pip\n  platform: linux-64\n"
                 f"  dependencies:\n    numpy: '>=1.16.6'\n  url: {url}\n  hash:\n    sha256: '{0:064x}'\n"
                 "  category: main\n  optional: false\n")
    return ("version: 1\nmetadata:\n  content_hash:\n    linux-64: 0123abcd\n  channels:\n  - url: conda-forge\n"
            "    used_env_vars: []\n  platforms:\n  - linux-64\n  sources:\n  - env.yaml\npackage:\n" + body)


@pytest.fixture
def seed(tmp_path, monkeypatch) -> Path:
    shutil.copy(SEED_DIR / "env.yaml", tmp_path / "env.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_matching_lock_is_what_the_build_installs(seed, capsys):
    (seed / "conda-lock.yml").write_text(lock_text())
    rc, out, err = generate(capsys, "env.yaml", "--entrypoint", "python -m app")
    assert (rc, err) == (0, "")
    golden = GOLDEN / "seed-lock.Dockerfile"
    if os.environ.get("ENVSLIM_REGEN_GOLDEN"):
        golden.write_text(out)
    assert out == golden.read_text()
    assert ("COPY conda-lock.yml /tmp/conda-lock.yml\n" in out and "COPY env.yaml" not in out
            and "micromamba create --yes --prefix /opt/conda/envs/app --file /tmp/conda-lock.yml \\\n" in out)
    # everything else is the plain build's
    plain = (GOLDEN / "seed-micromamba.Dockerfile").read_text()
    assert out.split("/tmp/conda-lock.yml \\\n", 1)[1] == plain.split("/tmp/environment.yml \\\n", 1)[1]


@pytest.mark.slow  # hadolint, a real binary
def test_the_lock_golden_passes_hadolint(tmp_path):
    rc, report = hadolint((GOLDEN / "seed-lock.Dockerfile").read_text(), tmp_path)
    assert (rc, report) == (0, "")


def test_a_stale_lock_is_a_warning_and_the_build_uses_the_file(seed, capsys):
    # locked before the rewrite: pyarrow a conda package, with its native library
    conda = {**CONDA, "pyarrow": ("12.0.1", "py39hfbd6b9b_7_cpu", "linux-64", {"libarrow": "12.0.1"}),
             "libarrow": ("12.0.1", "h1ed0495_7_cpu", "linux-64", {})}
    (seed / "conda-lock.yml").write_text(lock_text(conda, {}))
    rc, out, err = generate(capsys, "env.yaml", "--entrypoint", "python -m app")
    reason = ("it is stale against env.yaml: pip pyarrow is not in the lock (it locks conda pyarrow 12.0.1);"
              " re-lock it (conda-lock -f env.yaml -p linux-64)")
    assert (rc, err) == (0, f"envslim: warning: conda-lock.yml is not used, the build installs env.yaml: {reason}\n")
    plain = (GOLDEN / "seed-micromamba.Dockerfile").read_text()
    assert out == plain.replace("COPY env.yaml /tmp/environment.yml\n",
                                f"# Not installed from conda-lock.yml: {reason}.\nCOPY env.yaml /tmp/environment.yml\n")


def test_pixi_lock_and_miniforge_are_refused_with_the_reason(seed, capsys):
    (seed / "pixi.lock").write_text("version: 6\n")
    rc, out, err = generate(capsys, "env.yaml")
    assert rc == 0
    assert err == ("envslim: warning: pixi.lock is not used, the build installs env.yaml: micromamba and conda cannot"
                   " install a pixi.lock (mamba-org/mamba#3460); build with pixi install --frozen in a pixi image, or"
                   " lock the file with conda-lock\n")
    assert "COPY env.yaml /tmp/environment.yml\n" in out
    os.remove("pixi.lock")
    (seed / "conda-lock.yml").write_text(lock_text())
    rc, out, err = generate(capsys, "env.yaml", "--installer", "miniforge")
    assert err == ("envslim: warning: conda-lock.yml is not used, the build installs env.yaml: the miniforge installer"
                   " cannot install a conda-lock file without conda-lock itself; use the micromamba installer to build"
                   " from it\n")
    assert "conda env create --prefix /opt/conda/envs/app --file /tmp/environment.yml" in out


def test_no_lock_beside_the_file_changes_nothing(seed, capsys):
    rc, out, err = generate(capsys, "env.yaml", "--entrypoint", "python -m app")
    assert (rc, err, out) == (0, "", (GOLDEN / "seed-micromamba.Dockerfile").read_text())


def _mismatches(tmp_path, env_text: str, conda: dict = CONDA, pip: dict = PIP) -> list[str]:
    from envslim import lockfile

    (tmp_path / "conda-lock.yml").write_text(lock_text(conda, pip))
    (tmp_path / "env.yaml").write_text(env_text)
    return lockbuild.mismatches(EnvFile.read(str(tmp_path / "env.yaml")), lockfile.read(str(tmp_path / "conda-lock.yml")))


def test_mismatches(tmp_path):
    seed_env = (SEED_DIR / "env.yaml").read_text()
    assert _mismatches(tmp_path, seed_env) == []
    assert _mismatches(tmp_path, seed_env.replace("numpy<2.0.0", "numpy<1.26")) == [
        "numpy<1.26 is not satisfied by the locked numpy 1.26.4 py39h474f0d3_0"]
    assert _mismatches(tmp_path, seed_env.replace("    - pyarrow", "    - pyarrow>=13")) == [
        "pip pyarrow>=13 is not satisfied by the locked pyarrow 12.0.1"]
    # a line removed from the file (s3fs) leaves its package locked with nothing asking for it
    assert _mismatches(tmp_path, seed_env.replace("  - s3fs>=2023.5.0\n", "")) == [
        "it locks conda s3fs 2023.6.0, which no line of the file asks for"]
    assert _mismatches(tmp_path, seed_env.replace("  - boto3\n", "  - boto3\n  - requests\n")) == [
        "requests is not in the lock"]
    assert _mismatches(tmp_path, seed_env.replace("  - boto3\n", "  - https://example.org/x-1.0-0.conda\n")) == [
        "line 7: cannot check 'https://example.org/x-1.0-0.conda' against the lock"]


def test_an_unreadable_lock_is_a_warning_naming_the_place(seed, capsys):
    (seed / "conda-lock.yml").write_text("version: 99\nmetadata: {}\npackage: []\n")
    rc, out, err = generate(capsys, "env.yaml", "--entrypoint", "python -m app")
    assert (rc, err) == (0, "envslim: warning: conda-lock.yml is not used, the build installs env.yaml: "
                            "conda-lock.yml:1:1: unknown conda-lock lockfile version (envslim reads 1 and 2)\n")
    assert "COPY env.yaml /tmp/environment.yml\n" in out
