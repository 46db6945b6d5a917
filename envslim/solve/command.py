"""What the commands call: ``report --solve`` and ``rewrite --verify`` in a few lines each.

- ``settings_for(args, cfg, progress=None) -> Settings``: platforms from ``--platform a,b`` (else the
  config's ``platform``, a string or a list), ``--glibc``, ``--cuda``, the config's ``channel-alias``,
  the environment's mirror variables; an error line (exit 2) when py-rattler or uv is missing. The
  commands pass a progress line drawn on stderr when it is a terminal and ``CI`` is unset.
- ``attach(reports, args, err) -> int``: prove each report's plan (``rep.proof``); 0, or 2 after one
  line on ``err`` when a file does not solve or a channel or index cannot be read.
- ``json_fields(rep)``, ``finding_fields(rep, f)``, ``table_lines(rep, fmt)``, ``markdown_lines(rep, fmt)``:
  the report's additions (empty when the report was not proven).
- ``verify(plan, args, cfg, err, replan) -> plan``: ``rewrite --verify``: keeps the fixes a solve proves,
  re-plans without the others (``replan(keep)`` plans again with those packages kept as they are) and
  says why each was refused; raises ``EnvslimError`` (exit 2, one line) when the file does not solve.
"""

from __future__ import annotations

import os
from typing import Any, Callable

__all__ = ["attach", "finding_fields", "json_fields", "markdown_lines", "settings_for", "table_lines", "verify"]

NOT_SOLVED = "not verified: run with --solve"


class _Progress:
    """One line on a terminal, redrawn in place and cleared at the end; nothing elsewhere."""

    def __init__(self, err: Any) -> None:
        isatty = getattr(err, "isatty", lambda: False)
        self.err = err if isatty() and not os.environ.get("CI") else None
        self.width = 0

    def __call__(self, text: str) -> None:
        if self.err is None:
            return
        line = text[:78]
        self.err.write("\r" + line.ljust(self.width))
        self.err.flush()
        self.width = len(line)

    def clear(self) -> None:
        if self.err is not None and self.width:
            self.err.write("\r" + " " * self.width + "\r")
            self.err.flush()
            self.width = 0


def _require() -> None:
    """py-rattler and uv, or one line saying how to get them."""
    from envslim.errors import EnvslimError

    try:
        import rattler  # noqa: F401
        import uv  # noqa: F401
    except ImportError as e:
        raise EnvslimError(f"envslim: error: --solve and --verify need py-rattler and uv ({e.name} is missing):"
                           " pip install 'envslim[solve]'") from None


def settings_for(args: Any, cfg: Any, progress: Callable[[str], None] | None = None) -> Any:
    from envslim.errors import EnvslimError

    _require()
    from envslim.solve.engine import Settings
    from envslim.solve.target import UnknownPlatform, parse_platforms

    try:
        platforms = parse_platforms(getattr(args, "platforms", None) or args.platform or
                                    list(getattr(cfg, "platforms", ())) or cfg.platform)
        settings = Settings.from_environ(platforms=platforms, glibc=getattr(args, "glibc", None),
                                         cuda=getattr(args, "cuda", None),
                                         alias=getattr(cfg, "channel_alias", None), progress=progress)
        if any(t.platform.startswith("linux-") for t in settings.targets):
            settings.targets[0].python_platform()  # an unusable --glibc is an error now, not mid-solve
    except UnknownPlatform as e:
        raise EnvslimError(f"envslim: error: {e}") from None
    return settings


def _failure_line(path: str, failure: Any) -> str:
    from envslim.solve.errors import Unsolvable

    what = "does not solve" if isinstance(failure, Unsolvable) else "cannot be solved"
    return f"{path}: {what}: {failure.message}"


def attach(reports: list, args: Any, err: Any) -> int:
    from envslim.errors import EnvslimError
    from envslim.solve.errors import SolveFailure
    from envslim.solve.fileplan import prove

    progress = _Progress(err)
    try:
        for rep in reports:
            cfg = getattr(rep, "cfg", None) or _config_of(args)
            settings = settings_for(args, cfg, progress)
            try:
                before = _locked(args, rep, settings)
                rep.proof = prove(rep.plan, settings, before=before)
                if before is not None:
                    for line in stale_lines(rep.proof):
                        print(f"envslim: warning: {args.lockfile} is stale after the rewrite of {rep.path}: {line}",
                              file=err)
            except SolveFailure as failure:
                progress.clear()
                print(_failure_line(rep.path, failure), file=err)
                return 2
    except EnvslimError:
        progress.clear()
        raise
    progress.clear()
    return 0


def _locked(args: Any, rep: Any, settings: Any) -> Any:
    """The lockfile's solved set as the "before" side (``--lockfile``), or None."""
    if not getattr(args, "lockfile", None):
        return None
    from envslim.solve.engine import lockfile_solutions, spec_name
    from envslim.solve.fileplan import env_spec

    spec = env_spec(rep.plan.env, settings.targets[0].platform)
    requested = [("conda", spec_name(s), s) for s in spec.conda]
    return lockfile_solutions(args.lockfile, settings, requested=requested)


def stale_lines(proof: Any) -> list[str]:
    """What the rewrite changes on the conda side that the lockfile pins (one line per platform)."""
    out = []
    if proof.after is None:
        return out
    for platform in proof.platforms:
        before = {(p.name, p.version, p.build) for p in proof.before[platform].conda()}
        after = {(p.name, p.version, p.build) for p in proof.after[platform].conda()}
        gone = sorted({n for n, _, _ in before - after})
        new = sorted({n for n, _, _ in after - before})
        if gone or new:
            parts = ([f"{', '.join(gone)} leave(s) or change(s)"] if gone else []) + \
                    ([f"{', '.join(new)} not locked"] if new else [])
            out.append(f"{platform}: {'; '.join(parts)}; re-lock")
    return out


def _config_of(args: Any) -> Any:
    from envslim.config import Config

    return Config()


def _proof(rep: Any) -> Any:
    return getattr(rep, "proof", None)


def json_fields(rep: Any) -> dict[str, object]:
    proof = _proof(rep)
    return proof.to_json() if proof is not None else {}


def finding_fields(rep: Any, f: Any) -> dict[str, object]:
    """``saving_bytes`` (measured under --solve), ``estimate``, ``verified``, ``reason``."""
    proof = _proof(rep)
    if proof is None:
        return {"saving_bytes": f.saving_bytes, "estimate": True, "verified": False, "reason": NOT_SOLVED}
    return proof.finding_fields(f)


def table_lines(rep: Any, fmt: Callable[[int | None], str]) -> list[str]:
    from envslim.solve.render import table_lines as lines

    proof = _proof(rep)
    return lines(proof, rep.plan.findings, fmt) if proof is not None else []


def markdown_lines(rep: Any, fmt: Callable[[int | None], str]) -> list[str]:
    from envslim.solve.render import markdown_lines as lines

    proof = _proof(rep)
    return lines(proof, rep.plan.findings, fmt) if proof is not None else []


def verify(plan: Any, args: Any, cfg: Any, err: Any, replan: Callable[[frozenset[str]], Any]) -> Any:
    """The plan with only the fixes a solve proves (see the module docstring)."""
    from envslim.errors import EnvslimError
    from envslim.solve.errors import SolveFailure
    from envslim.solve.fileplan import prove

    progress = _Progress(err)
    settings = settings_for(args, cfg, progress)
    keep: frozenset[str] = frozenset()
    refusals: dict[str, str] = {}
    try:
        for _ in range(4):  # a refused fix can uncover others (they are proven in the next round)
            applied = [f for f in plan.findings if f.applied]
            if not applied:
                break
            proof = prove(plan, settings, findings=applied)
            refused = [f for f in applied if not proof.verdicts[id(f)].verified]
            if not refused and proof.after is None:  # each alone solves, not all together
                refused = applied
                for f in refused:
                    proof.verdicts[id(f)] = type(proof.verdicts[id(f)])(False, proof.verdicts[id(f)].saving,
                                                                         f"together with the other fixes: {proof.after_failure}")
            if not refused:
                for f in applied:
                    v = proof.verdicts[id(f)]
                    f.note = f"verified by a solve: measured saving {v.saving.value:,} B" if v.saving.value is not None \
                        else "verified by a solve"
                break
            for f in refused:
                refusals[f.package] = f"{f.rule} {f.package}: refused by --verify: {proof.verdicts[id(f)].reason}"
            keep = keep | {f.package for f in refused}
            plan = replan(keep)
    except SolveFailure as failure:
        progress.clear()
        raise EnvslimError(_failure_line(plan.env.path, failure)) from None
    progress.clear()
    for f in plan.findings:
        if f.package in refusals and not f.applied:
            f.note = refusals[f.package].split(": refused by --verify: ", 1)[1]
    for line in refusals.values():
        print(line, file=err)
    return plan
