"""Bad input: each case runs `envslim rewrite` in a fresh process; print exit code, time and the message.

Goal (issue 2): exit 2, one line `file:line:col: message`, file untouched, under a second each.
Run: python bench/bench_bad_input.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
bomb += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
CASES = {
    "bad indentation": b"dependencies:\n  - a\n - b\n",
    "scalar document": b"just a string\n",
    "dependencies not a list": b"dependencies: numpy\n",
    "duplicate keys": b"name: a\nname: b\ndependencies: []\n",
    "binary data": bytes(range(256)) * 64,
    "unclosed flow list": b"dependencies: [a, b\n",
    "alias bomb": ("\n".join(bomb) + "\ndependencies: []\n").encode(),
    "empty file": b"",
}


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        for name, data in CASES.items():
            path = Path(d) / "environment.yml"
            path.write_bytes(data)
            t = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "envslim.cli", "rewrite", str(path)], capture_output=True, text=True)
            dt = time.perf_counter() - t
            same = path.read_bytes() == data
            msg = r.stderr.strip().replace(str(path), "environment.yml")
            print(f"{name:24} exit {r.returncode}  {dt * 1000:6.0f} ms  untouched={same}  {msg}")


if __name__ == "__main__":
    main()
