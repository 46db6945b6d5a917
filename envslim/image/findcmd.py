"""The prune categories as POSIX ``find`` commands, for the generated Dockerfile."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from envslim.image.categories import categories


@dataclass(frozen=True)
class FindCommand:
    """``head \\( alternative -o alternative ... \\) -delete``; each alternative tagged with its category."""

    head: list[str]
    alternatives: list[tuple[str, list[str]]]  # (category id, find terms)

    def words(self) -> list[str]:
        out = list(self.head) + ["\\("]
        for i, (_, terms) in enumerate(self.alternatives):
            out += (["-o"] if i else []) + terms
        return out + ["\\)", "-delete"]

    def shell(self) -> str:
        return " ".join(self.words())


def _q(text: str) -> str:
    return shlex.quote(text)


def _not_under(p: str, globs) -> list[str]:
    out: list[str] = []
    for g in globs:
        out += ["!", "-path", _q(f"{p}/{g}"), "!", "-path", _q(f"{p}/{g}/*")]
    return out


def find_commands(prefix: str, *, aggressive: bool = False, keep: tuple[str, ...] = ()) -> list[FindCommand]:
    """POSIX ``find`` commands that remove what :func:`select` selects in a conda prefix.

    The first deletes the selected files and symbolic links (``find`` without ``-L`` never follows a
    link); the second the directories of selected trees once empty. The run-time import check of the
    tests category cannot be written as ``find``; the directories known to be imported are excluded.
    """
    p = prefix.rstrip("/")
    stays = _not_under(p, keep)
    files: list[tuple[str, list[str]]] = []
    dirs: list[tuple[str, list[str]]] = []
    for c in categories(aggressive=aggressive, conda=True):
        guard = _not_under(p, (g for g, _ in c.guarded))
        spare = [t for g in c.spare for t in ("!", "-iname", _q(g))]
        for s in (s for s in c.selectors if not s.windows):
            name = ["-name", _q(s.name)] if s.name else []
            if s.kind == "file":
                files.append((c.id, (["-path", _q(f"{p}/{s.path}")] if s.path else []) + name + guard + spare))
                continue
            inside = ["-path", _q(f"{p}/{s.path}/*" if s.path else f"*/{s.name}/*")]
            files.append((c.id, inside + guard + spare))
            dirs.append((c.id, (["-path", _q(f"{p}/{s.path}")] if s.path else []) + name + guard))
            dirs.append((c.id, inside + guard))
    return [
        FindCommand(["find", p, "\\(", "-type", "f", "-o", "-type", "l", "\\)"] + stays, files),
        FindCommand(["find", p, "-depth", "-type", "d", "-empty"] + stays, dirs),
    ]


