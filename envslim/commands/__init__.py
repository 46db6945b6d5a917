"""Commands: one module per command (rewrite, report, explain, refresh, dockerfile, prune).

Takes the options cli.py built from argv and two text streams; gives an exit code (0 nothing due or
done, 1 a change is due, 2 an error) and the command's output on those streams. Commands compose the
stages below them (plan, output, image, online); nothing below a command reads argv or exits.
"""
