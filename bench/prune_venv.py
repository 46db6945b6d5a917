"""Measure `envslim prune` on a real prefix: a venv with numpy, pandas and pyarrow from PyPI.

    python bench/prune_venv.py [VENV_DIR]

Builds the venv (unless VENV_DIR already holds one), then prints its size and, for the default set and
for --aggressive, the bytes each category takes (a dry run: nothing is changed), with package versions.
Also prints the size by kind of file, for comparison with the figures in issue 7.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from envslim.image.prune import carry_out, select  # noqa: E402


def build(venv: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "numpy", "pandas", "pyarrow"], check=True
    )


def versions(venv: Path) -> str:
    code = "import numpy, pandas, pyarrow, sys; print(sys.version.split()[0], numpy.__version__, pandas.__version__, pyarrow.__version__)"
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True)
    py, np, pd, pa = out.stdout.split()
    return f"python {py}, numpy {np}, pandas {pd}, pyarrow {pa}"


def by_kind(venv: Path) -> dict[str, int]:
    kinds = {"__pycache__": 0, ".so and .so.N": 0, "tests dirs": 0, "pip+setuptools": 0, "headers": 0, "other": 0}
    for dirpath, _, files in os.walk(venv):
        parts = Path(dirpath).relative_to(venv).parts
        for f in files:
            p = Path(dirpath, f)
            if p.is_symlink():
                continue
            size = p.stat().st_size
            if "__pycache__" in parts:
                kinds["__pycache__"] += size
            elif "tests" in parts or "test" in parts:
                kinds["tests dirs"] += size
            elif any(x in ("pip", "setuptools", "pkg_resources", "_distutils_hack") or x.startswith(("pip-", "setuptools-")) for x in parts):
                kinds["pip+setuptools"] += size
            elif ".so" in f:
                kinds[".so and .so.N"] += size
            elif f.endswith((".h", ".hpp")):
                kinds["headers"] += size
            else:
                kinds["other"] += size
    return kinds


def main() -> None:
    if len(sys.argv) > 1:
        venv = Path(sys.argv[1])
        if not (venv / "pyvenv.cfg").exists():
            build(venv)
    else:
        venv = Path(tempfile.mkdtemp(prefix="envslim-bench-")) / "venv"
        build(venv)
    print(f"venv: {versions(venv)}")
    for aggressive in (False, True):
        plan = select(str(venv), aggressive=aggressive)
        outcome = carry_out(plan, dry_run=True)
        total = plan.total_bytes
        print(f"\n{'--aggressive' if aggressive else 'default set'}: prefix {total:,} bytes in {plan.total_files:,} files")
        removed = 0
        for cid, (n, b) in outcome.removed.items():
            print(f"  {cid:<14} {n:>6,} files {b:>13,} bytes {100 * b / total:5.1f}%")
            removed += b
        print(f"  {'total':<14} {'':>12} {removed:>13,} bytes {100 * removed / total:5.1f}%  -> {total - removed:,} bytes left")
    kinds = by_kind(venv)
    total = sum(kinds.values())
    print("\nby kind of file (before pruning):")
    for k, v in kinds.items():
        print(f"  {k:<16} {v:>13,} bytes {100 * v / total:5.1f}%")


if __name__ == "__main__":
    main()
