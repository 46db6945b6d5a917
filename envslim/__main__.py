"""``python -m envslim``: the same as the ``envslim`` script."""

from envslim.cli import main

main()  # (the process ends in it: cli.leave)
