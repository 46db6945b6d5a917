"""What ``conda activate`` would set, baked into an image: the variables, and a check against the real scripts.

A Docker image never runs ``conda activate`` (and a distroless one has no shell to run it with), so the
variables that packages' ``etc/conda/activate.d`` scripts export (GDAL_DATA, PROJ_DATA, JAVA_HOME, ...)
are missing unless the Dockerfile sets them with ``ENV``. :func:`baked` gives those variables for the
packages of an environment file, from ``knowledge/activation.toml`` (each read from the package's
feedstock script, with the commit and its date). The list can lag behind the packages (a new variable, a
package that pulls one of them in unseen), so :func:`check_commands` writes the build stage's check: it
runs the environment's real activation scripts in a clean shell and fails the build naming every
variable they set that the image does not set to the same value.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


# What `env` prints in the check's clean shell besides the activation's own variables, and the
# scripts' bookkeeping for deactivation (_CONDA_SET_GDAL_DATA, JAVA_HOME_CONDA_BACKUP, ...).
_NOT_ACTIVATION = ("PATH", "PWD", "OLDPWD", "SHLVL", "_", "CONDA_PREFIX")


@dataclass(frozen=True)
class Variable:
    name: str
    value: str  # "{prefix}" stands for the environment's prefix
    when_any: tuple[str, ...] = ()
    unless_any: tuple[str, ...] = ()
    why: str = ""

    def applies(self, names: frozenset[str]) -> bool:
        if self.when_any and not names.intersection(self.when_any):
            return False
        return not names.intersection(self.unless_any)


@dataclass(frozen=True)
class Activation:
    package: str
    pulled_by: tuple[str, ...]
    script: str
    source: str
    date: str
    variables: tuple[Variable, ...]


@dataclass(frozen=True)
class Baked:
    """One variable to set with ENV, with the entry it comes from."""

    name: str
    value: str
    activation: Activation


@lru_cache(maxsize=None)
def entries() -> tuple[Activation, ...]:
    from envslim import knowledge

    data = knowledge.read("activation.toml")
    return tuple(
        Activation(
            package=a["package"],
            pulled_by=tuple(a.get("pulled_by", ())),
            script=a["script"],
            source=a["source"],
            date=a["date"],
            variables=tuple(
                Variable(
                    v["name"],
                    v["value"],
                    tuple(v.get("when_any", ())),
                    tuple(v.get("unless_any", ())),
                    v.get("why", ""),
                )
                for v in a["vars"]
            ),
        )
        for a in data["activation"]
    )


def baked(names: Iterable[str], prefix: str) -> list[Baked]:
    """The variables to set for an environment with these conda package names, in knowledge order."""
    have = frozenset(names)
    out: list[Baked] = []
    for a in entries():
        if a.package not in have and not have.intersection(a.pulled_by):
            continue
        out += [Baked(v.name, v.value.format(prefix=prefix), a) for v in a.variables if v.applies(have)]
    return out


def env_lines(variables: list[Baked]) -> list[str]:
    """``NAME=value`` words for a Dockerfile ENV instruction (values quoted when they need it)."""
    return [f"{b.name}={_env_quote(b.value)}" for b in variables]


def _env_quote(value: str) -> str:
    if value and all(c.isalnum() or c in "/._-:+," for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def check_commands(prefix: str, variables: list[Baked]) -> list[str]:
    """Shell commands (to be joined with ``&&``) that run the prefix's activation scripts in a clean bash
    and exit 1, naming each variable, when they set one that ``variables`` lacks or sets differently.

    POSIX tools only (env, sed, sort, comm, grep, mktemp) besides bash, which conda's scripts are written for;
    no pipe, so no SHELL change is needed for hadolint's DL4006. A variable the image sets and the scripts
    do not is reported as a note, not a failure (the knowledge can set one the scripts leave unset when a
    directory is missing).
    """
    q = shlex.quote
    baked_words = " ".join(q(f"{b.name}={b.value}") for b in variables)
    activate = (
        'for f in "$CONDA_PREFIX"/etc/conda/activate.d/*.sh; do if [ -f "$f" ]; then . "$f"; fi; done; env'
    )
    skip = "|".join(_NOT_ACTIVATION)
    sed = (
        "sed -E -e '/^[A-Za-z_][A-Za-z0-9_]*=/!d' "
        f"-e '/^({skip})=/d' -e '/^_CONDA_SET_/d' -e '/^[A-Za-z0-9_]*_BACKUP=/d'"
    )
    report = (
        'while IFS= read -r kv; do n="${kv%%=*}"; '
        'if grep -q "^$n=" "$d/baked"; then echo "envslim: conda activation sets $kv; the image sets $(grep "^$n=" "$d/baked")" >&2; '
        'else echo "envslim: conda activation sets $n, missing from the image (ENV $kv)" >&2; fi; '
        'done < "$d/missing"'
    )
    return [
        'd="$(mktemp -d)"',
        f"printf '%s\\n' {baked_words} > \"$d/baked.txt\"" if variables else ': > "$d/baked.txt"',
        'sort -o "$d/baked" "$d/baked.txt"',
        f"env -i CONDA_PREFIX={q(prefix)} PATH=/usr/bin:/bin bash --noprofile --norc -c {q(activate)} > \"$d/env\"",
        f'{sed} "$d/env" > "$d/set"',
        'sort -o "$d/set" "$d/set"',
        'comm -23 "$d/set" "$d/baked" > "$d/missing"',
        'comm -13 "$d/set" "$d/baked" > "$d/extra"',
        'while IFS= read -r kv; do if ! grep -q "^${kv%%=*}=" "$d/set"; then echo "envslim: note: the image sets $kv; conda activation does not"; fi; done < "$d/extra"',
        f'if [ -s "$d/missing" ]; then {report}; exit 1; fi',
        'rm -r "$d"',
    ]


# -- the Dockerfile's parts ----------------------------------------------------------------------------


def build_stage_lines(prefix: str, variables: list[Baked]) -> list[str]:
    """The build stage's check, as Dockerfile lines: comments and one RUN."""
    cmds = check_commands(prefix, variables)
    return [
        "# Activation check: run the environment's etc/conda/activate.d scripts in a clean bash and fail,",
        "# naming the variable, if they set one the final stage's ENV lacks or sets to another value.",
        "# hadolint ignore=SC2016",
        "RUN " + " \\\n && ".join(cmds),
    ]


def final_env_comments(variables: list[Baked]) -> list[str]:
    """Comment lines naming where each baked variable comes from (one per package entry)."""
    if not variables:
        return ["# No package in the file has a known etc/conda/activate.d script (the build stage checks)."]
    out = ["# What the packages' etc/conda/activate.d scripts set is baked here too (checked in the build stage):"]
    seen: set[str] = set()
    for b in variables:
        a = b.activation
        if a.package in seen:
            continue
        seen.add(a.package)
        names = ", ".join(dict.fromkeys(x.name for x in variables if x.activation is a))
        out.append(f"# {a.package} ({a.script}): {names}")
        out.append(f"#   read from {a.source}, {a.date}")
    return out
