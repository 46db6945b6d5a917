"""Measure `envslim prune --keep-used-by` on a real prefix: a numpy+pandas+pyarrow venv from PyPI.

    python bench/trace_venv.py [VENV_DIR]

Builds the venv (unless VENV_DIR already holds one: it is then used as it is, so give a fresh one), then
traces a parquet round trip (the one tests/image/test_prune.py runs) and prints, without changing anything, what
each category would take: the plain prune categories (default and --aggressive) and the trace categories
(files under lib/ the round trip never touched), the bytes the trace saw touched, and the total cut.
Then it prunes a copy for real (--keep-used-by), checking that the round trip still passes.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from prune_venv import build, versions  # noqa: E402
from envslim.image import trace  # noqa: E402
from envslim.image.prune import select  # noqa: E402
from tests.image.test_prune import ROUND_TRIP  # noqa: E402


def measure(venv: Path, command: str, aggressive: bool) -> None:
    plan = select(str(venv), aggressive=aggressive)
    result, touched, processes = trace.trace(command, str(venv))
    assert result.returncode == 0, result.output
    skip = {rel for r in plan.removals.values() for rel, _ in r.files}
    sel = trace.select(str(venv), touched, skip=skip)
    total = plan.total_bytes
    label = "--aggressive" if aggressive else "default set"
    print(f"\n{label} + trace: prefix {total:,} bytes in {plan.total_files:,} files; {processes} traced process(es) "
          f"touched {sel.touched_bytes:,} bytes ({100 * sel.touched_bytes / total:.1f}%)")
    cut = 0
    rows = [(cid, r.files) for cid, r in plan.removals.items()] + [(c.id, sel.files[c.id]) for c in trace.CATEGORIES]
    for cid, files in rows:
        b = sum(x for _, x in files)
        cut += b
        print(f"  {cid:<20} {len(files):>6,} files {b:>13,} bytes {100 * b / total:5.1f}%")
    print(f"  {'total':<20} {'':>12} {cut:>13,} bytes {100 * cut / total:5.1f}%  -> {total - cut:,} bytes left")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("venv", nargs="?")
    venv = Path(ap.parse_args().venv or Path(tempfile.mkdtemp(prefix="envslim-bench-")) / "venv")
    if not (venv / "pyvenv.cfg").exists():
        build(venv)
    work = Path(tempfile.mkdtemp(prefix="envslim-trace-bench-"))
    script = work / "rt.py"
    script.write_text(ROUND_TRIP)
    command = f"python {script} {work / 't.parquet'}"
    print(f"venv: {versions(venv)}")
    print(f"smoke test: the parquet round trip of tests/image/test_prune.py ({command})")
    for aggressive in (False, True):
        measure(venv, command, aggressive)
    copy = work / "copy"
    shutil.copytree(venv, copy, symlinks=True)
    # A venv's scripts name their interpreter by absolute path; the copy's python is a symlink, so fine.
    from envslim.cli import main as envslim

    out, err = io.StringIO(), io.StringIO()
    sys.stdout, real = out, sys.stdout
    try:
        rc = envslim(["prune", str(copy), "--keep-used-by", command.replace(str(venv), str(copy))])
    finally:
        sys.stdout = real
    print(f"\nenvslim prune --keep-used-by on a copy: exit {rc}; {out.getvalue().splitlines()[-1]}")
    done = subprocess.run([str(copy / "bin" / "python"), str(script), str(work / "t2.parquet")], capture_output=True, text=True)
    print(f"round trip afterwards: exit {done.returncode}, {done.stdout.strip()!r}")
    copy2 = work / "copy2"
    shutil.copytree(venv, copy2, symlinks=True)
    out = io.StringIO()
    sys.stdout, real = out, sys.stdout
    try:
        rc = envslim(["prune", str(copy2), "--keep-used-by", command, "--strip"])
    finally:
        sys.stdout = real
    rows = [ln for ln in out.getvalue().splitlines() if ln.startswith(("strip ", "total "))]
    print(f"\nenvslim prune --keep-used-by --strip on a copy: exit {rc}")
    for ln in rows + out.getvalue().splitlines()[-1:]:
        print(f"  {ln}")
    arrow = sorted((copy2 / "lib").glob("python3.*/site-packages/pyarrow/libarrow.so.*"))
    for lib in arrow:
        orig = venv / lib.relative_to(copy2)
        print(f"  {lib.name}: {orig.stat().st_size:,} -> {lib.stat().st_size:,} bytes")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
