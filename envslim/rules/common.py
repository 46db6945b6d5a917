"""What several rules need: the file's conda dependencies parsed once, by name."""

from __future__ import annotations

from envslim import conda as condaspec
from envslim.document.envfile import EnvFile, Item

def parsed_lines(env: EnvFile) -> list[tuple[str, Item, "condaspec.MatchSpec"]]:
    """Every conda dependency line as (lower-cased name, item, spec), duplicates included. Lines that are
    not conda specs (URLs, package files, Jinja, specs conda rejects) are left out: no rule acts on them."""
    cached = env.memo.get("conda-lines")  # every rule asks, in turn, for the same document's lines
    if cached is not None:
        return cached
    out = []
    for item in env.deps:
        spec = condaspec.parse_line(item.text)
        if spec is not None:
            out.append((spec.name.lower(), item, spec))
    env.memo["conda-lines"] = out
    return out


def parsed_deps(env: EnvFile) -> dict[str, tuple[Item, "condaspec.MatchSpec"]]:
    """Conda dependencies by lower-cased package name; the first line wins on duplicates."""
    out: dict[str, tuple[Item, object]] = {}
    for name, item, spec in parsed_lines(env):
        out.setdefault(name, (item, spec))
    return out


def conda_names(env: EnvFile) -> set[str]:
    return set(parsed_deps(env))


def defaults_in_play(env: EnvFile) -> bool:
    """True when the defaults channel can serve packages: listed, or no channel list at all (conda's
    default configuration), and not switched off by ``nodefaults``."""
    names = [c.strip().lower() for c in env.channel_names]
    if "nodefaults" in names:
        return False
    return not names or "defaults" in names
