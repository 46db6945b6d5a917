"""The two ways a solve ends without a result, each a one-line message (credentials removed).

- ``Unsolvable``: the specs have no solution on the channels for the target (the solver's reason, on
  one line, naming the packages), or the pip side does not resolve against the conda side.
- ``SolveUnavailable``: the channels, the index or an artifact could not be read (network, HTTP
  status, a missing tool): never a result that looks like a proof.
- ``Unreachable`` (a ``SolveUnavailable``): a host did not answer (refused, timed out, stalled); the
  message says "cannot reach HOST" once per host, with the channel, credentials removed.
"""

from __future__ import annotations

__all__ = ["SolveFailure", "SolveUnavailable", "Unreachable", "Unsolvable", "one_line"]


def one_line(text: str) -> str:
    """Join a multi-line message (rattler's and uv's trees) into one line without the tree art."""
    from envslim.display import redact

    parts = []
    for raw in str(text).splitlines():
        line = raw.strip().lstrip("│├└─ ").strip()
        if line.startswith("cause:"):
            line = line[len("cause:"):].strip()
        if line.startswith("error:"):
            line = line[len("error:"):].strip()
        if line.startswith("Caused by:"):
            cause = line[len("Caused by:"):].strip()
            if any(cause.rstrip(".") in part for part in parts):  # the cause repeats what was said
                continue
        if line.endswith(".") and len(line) > 1 and (line[-2].isalnum() or line[-2] in ")'\""):
            line = line[:-1]  # a sentence's full stop; "contain -, _, or ." keeps its character
        if line:
            parts.append(line)
    return redact("; ".join(parts))


class SolveFailure(Exception):
    def __init__(self, message: str, platform: str = "") -> None:
        self.message = one_line(message)
        self.platform = platform
        super().__init__(self.message)


class Unsolvable(SolveFailure):
    pass


class SolveUnavailable(SolveFailure):
    pass


class Unreachable(SolveUnavailable):
    pass
