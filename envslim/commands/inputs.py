"""The files a command reads: each path as given, and a directory replaced by the environment files and
pixi manifests found under it (``envslim.document.discover``, with the configuration's ``include`` and
``exclude``)."""

from __future__ import annotations

import os

from envslim.errors import EnvslimError


def expand(paths, options, known, err, *, prefixes: bool = True) -> tuple[list[str], int]:
    """(the files to read in order, a file found under a directory once (a conda prefix itself, with
    ``prefixes``, else an error line); 2 if a directory's configuration was bad, else 0). A
    directory without any file envslim reads is a warning on ``err``, not an error (as ruff does)."""
    files: list[str] = []
    rc = 0
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            files.append(path)
            continue
        # (a directory only: a hook run names its files, and pays for none of these imports)
        from envslim import config as configmod
        from envslim.display import printable, redact
        from envslim.document import discover

        if prefix(path):
            if prefixes:
                files.append(path)
            else:
                print(printable(redact(f"{path}: an installed conda environment, not an environment file:"
                                       f" `envslim report {path}` measures it")), file=err)
                rc = 2
            continue
        try:
            cfg = configmod.load(options.config or path, known, explicit=bool(options.config))
        except EnvslimError as e:
            print(printable(redact(str(e))), file=err)
            rc = 2
            continue
        base = os.path.dirname(cfg.path) if cfg.path else path
        found = discover.find(path, cfg.include, cfg.exclude, base)
        if not found:
            print(printable(f"envslim: warning: {path}: no environment files or pixi manifests found"
                            " (environment*.yml, env*.yml, *.env.yml, pixi.toml, pyproject.toml with [tool.pixi])"),
                  file=err)
        files.extend(f for f in found if f not in files)
    return files, rc


def prefix(path: str) -> bool:
    """An installed conda environment (a folder holding ``conda-meta/``)."""
    return os.path.isdir(os.path.join(path, "conda-meta"))
