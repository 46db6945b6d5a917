"""The Dockerfile's smoke step (`envslim dockerfile --smoke`): build-stage lines that install envslim from
its wheel into an environment of its own and run `envslim prune PREFIX --keep-used-by COMMAND`."""

from __future__ import annotations

import shlex


# -- the Dockerfile's smoke step -------------------------------------------------------------------------

SMOKE_HOME = "/tmp/envslim"  # the build stage's envslim: its own small environment, never copied on


def default_wheel() -> str:
    from envslim import __version__

    return f"envslim-{__version__}-py3-none-any.whl"


def smoke_lines(
    prefix: str,
    command: str,
    *,
    wheel: str,
    create: str,
    owner: str,
    mount: str,
    aggressive: bool,
    keep: tuple[str, ...],
    env_words: list[str],
) -> list[str]:
    """Build-stage lines that install envslim from ``wheel`` (a path in the build context) into an
    environment of its own and run ``envslim prune PREFIX --keep-used-by COMMAND`` with the final stage's
    variables set. ``create`` is the installer's create command for ``{prefix}`` and ``{specs}``; ``mount``
    the RUN's cache-mount option (or ""); ``owner`` the uid:gid the stage runs as (or "")."""
    q = shlex.quote
    name = wheel.rsplit("/", 1)[-1]
    env_prefix = f"{SMOKE_HOME}/env"
    args = ["prune", q(prefix), "--keep-used-by", q(command)]
    if aggressive:
        args.append("--aggressive")
    for k in keep:
        args += ["--keep", q(k)]
    run_env = ("env " + " ".join(q(w) for w in env_words) + " ") if env_words else ""
    return [
        "# Smoke test (--smoke): envslim prune --keep-used-by runs it with a tracer, removes what it never",
        "# touched under lib/, runs it again, and fails the build (putting every file back) if that fails.",
        f"# envslim comes from its wheel in the build context and gets an environment of its own ({SMOKE_HOME}),",
        "# which the final stage never copies. The smoke test runs here, before the application is added to",
        "# the final stage: it may use only the environment (or COPY what it needs into this stage too).",
        f"COPY {'--chown=' + owner + ' ' if owner else ''}{wheel} {SMOKE_HOME}/",
        f"RUN {mount}{create.format(prefix=env_prefix, specs='python=3.12 pip')} \\",
        f" && {env_prefix}/bin/python -m pip install --no-cache-dir {SMOKE_HOME}/{name} \\",
        f" && {run_env}{env_prefix}/bin/envslim {' '.join(args)}",
    ]
