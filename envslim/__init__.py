"""envslim: make conda-based Docker images small."""

import sys

__version__ = "0.2.0"

EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, the status a shell gives a process the signal ended
INTERRUPTED = "envslim: interrupted"


# Run as the program (the ``envslim`` script: envslim, envslim.exe, envslim-script.py; ``python -m envslim``,
# whose packages import while sys.argv[0] is still "-m"), this module, the first of envslim's to run, makes
# a Ctrl-C that none of main()'s handlers catches (while envslim.cli imports, before main() runs) end the run
# as main() does: one line, exit 130, no traceback; any other exception goes to the hook there was. It costs
# the start a string comparison and a function (comments, not docstrings, keep the byte-code small): this
# module's import took 135 us against 123 us without it (median of 15, cached byte-code, 2026-12-06), on a
# `rewrite --check` of ~75 ms; nothing is imported for it. A program that imports envslim keeps Python's own.
def _uncaught(kind, value, traceback, _previous=sys.excepthook) -> None:
    if not issubclass(kind, KeyboardInterrupt):
        _previous(kind, value, traceback)
        return
    import os

    for stream, text in ((sys.stdout, ""), (sys.stderr, INTERRUPTED + "\n")):
        try:
            stream.write(text)
            stream.flush()
        except (AttributeError, OSError, ValueError):  # (no stream, a closed pipe: the status still says it)
            pass
    os._exit(EXIT_INTERRUPTED)


_name = sys.argv[0].replace("\\", "/").rpartition("/")[2] if getattr(sys, "argv", None) else ""
if _name == "-m" or _name.split(".")[0].removesuffix("-script") == "envslim":
    sys.excepthook = _uncaught
del _name
