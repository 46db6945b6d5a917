"""The commands' side of the solve: ``report --solve`` and ``rewrite --verify`` in a few lines each (the
progress line and the one-line failures they print; ``envslim.solve`` itself prints nothing).

``options`` is the command's options record (``envslim.commands.options``: ``platform``,
``platforms``, ``glibc``, ``cuda``, ``lockfile``), ``cfg`` the file's ``envslim.config.Config``.

- ``settings_for(options, cfg, progress=None) -> Settings``: platforms from ``--platform a,b`` (else the
  config's ``platform``, a string or a list), ``--glibc``, ``--cuda``, the config's ``channel-alias``,
  the environment's mirror variables; an error line (exit 2) when py-rattler or uv is missing. The
  commands pass a progress line drawn on stderr when it is a terminal and ``CI`` is unset.
- ``prove_reports(reports, options, err) -> list | None``: prove each report's plan (a
  ``fileplan.PlanProof`` per report, which the command adds to it and the renderers read); None after
  one line on ``err`` when a file does not solve or a channel or index cannot be read.
- ``verify(plan, options, cfg, err, replan, adapters=None) -> plan``: ``rewrite --verify`` (a pixi
  manifest: each of its environments, through ``adapters``): keeps the fixes a solve proves and plans
  again without the others (``replan(refusals)``: each refused (rule, package) with the reason naming the
  solver's verdict, which the plan records as a refused outcome itself); raises ``EnvslimError`` (exit 2, one line) when the file does not solve.
"""

from __future__ import annotations

import os
from typing import Any, Callable

__all__ = ["prove_reports", "settings_for", "verify"]

REFUSED = "refused by --verify: "


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


def settings_for(options: Any, cfg: Any, progress: Callable[[str], None] | None = None) -> Any:
    from envslim.errors import EnvslimError

    _require()
    from envslim.solve.engine import Settings
    from envslim.solve.target import UnknownPlatform, parse_platforms

    try:
        platforms = parse_platforms(getattr(options, "platforms", None) or options.platform or
                                    list(getattr(cfg, "platforms", ())) or cfg.platform)
        settings = Settings.from_environ(platforms=platforms, glibc=getattr(options, "glibc", None),
                                         cuda=getattr(options, "cuda", None),
                                         alias=getattr(cfg, "channel_alias", None), progress=progress)
        if any(t.platform.startswith("linux-") for t in settings.targets):
            settings.targets[0].python_platform()  # an unusable --glibc is an error now, not mid-solve
    except UnknownPlatform as e:
        raise EnvslimError(f"envslim: error: {e}") from None
    return settings


def _failure_line(path: str, failure: Any) -> str:
    from envslim.solve.errors import Unreachable, Unsolvable

    if isinstance(failure, Unreachable):  # the network, not the file: "cannot reach HOST (...): why"
        return f"{path}: {failure.message}"
    what = "does not solve" if isinstance(failure, Unsolvable) else "cannot be solved"
    return f"{path}: {what}: {failure.message}"


def prove_reports(reports: list, options: Any, err: Any,
                  adapter_of: Callable[[Any], Any] | None = None) -> list | None:
    from envslim.errors import EnvslimError
    from envslim.solve.errors import SolveFailure
    from envslim.solve.fileplan import prove

    progress = _Progress(err)
    proofs = []
    try:
        for rep in reports:
            settings = settings_for(options, rep.cfg, progress)
            adapter = adapter_of(rep) if adapter_of else None
            try:
                lock_path = _lock_path(options, rep, adapter)
                before = _locked(lock_path, rep, settings, adapter)
                proof = prove(rep.plan, settings, before=before, adapter=adapter)
                proofs.append(proof)
                if before is not None:
                    from envslim.display import redact

                    relock = "re-run `pixi lock`" if adapter is not None else "re-lock"
                    for line in stale_lines(proof, relock):
                        print(redact(f"envslim: warning: {lock_path} is stale after the rewrite of {rep.path}:"
                                     f" {line}"), file=err)
            except SolveFailure as failure:
                progress.clear()
                print(_failure_line(rep.path, failure), file=err)
                return None
    except EnvslimError:
        progress.clear()
        raise
    progress.clear()
    return proofs


def _lock_path(options: Any, rep: Any, adapter: Any) -> str | None:
    """``--lockfile``, or for a pixi manifest the ``pixi.lock`` beside it."""
    if options.lockfile or adapter is None:
        return options.lockfile
    return rep.plan.env.lock_beside()


def _locked(path: str | None, rep: Any, settings: Any, adapter: Any = None) -> Any:
    """The lockfile's solved set as the "before" side, or None."""
    if not path:
        return None
    from envslim.solve.engine import lockfile_solutions, spec_name
    from envslim.solve.fileplan import Adapter

    spec = (adapter or Adapter()).spec(rep.plan.env, settings.targets[0].platform)
    requested = [("conda", spec_name(s), s) for s in spec.conda]
    environment = getattr(adapter, "environment", "default")
    return lockfile_solutions(path, settings, requested=requested, environment=environment)


def stale_lines(proof: Any, relock: str = "re-lock") -> list[str]:
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
            out.append(f"{platform}: {'; '.join(parts)}; {relock}")
    return out


def verify(plan: Any, options: Any, cfg: Any, err: Any, replan: Callable[[dict], Any],
           adapters: list[tuple[Any, Callable[[Any], bool]]] | None = None) -> Any:
    """The plan with only the fixes a solve proves (see the module docstring). ``adapters`` (a pixi
    manifest's: one per environment) are ``(adapter, includes)`` pairs: each outcome is proven in every
    environment that ``includes`` it and kept only if every one proves it; the default reads the plan's
    environment file."""
    from envslim.errors import EnvslimError
    from envslim.solve.errors import SolveFailure
    from envslim.solve.fileplan import outcome_key, prove
    from envslim.solve.model import Size
    from envslim.solve.verify import Verdict, combine

    progress = _Progress(err)
    settings = settings_for(options, cfg, progress)
    pairs = adapters if adapters is not None else [(None, lambda o: True)]
    refusals: dict[tuple[str, str], str] = {}  # (rule, package) of each refused fix -> why
    try:
        for _ in range(4):  # a refused fix can uncover others (they are proven in the next round)
            applied = plan.applied
            if not applied:
                break
            found: dict[Any, list[Verdict]] = {}
            together: dict[Any, str] = {}  # outcome_key -> why the whole rewrite does not solve
            for adapter, includes in pairs:
                mine = [o for o in applied if includes(o)]
                if not mine:
                    continue
                proof = prove(plan, settings, outcomes=mine, adapter=adapter)
                where = getattr(adapter, "environment", None) if len(pairs) > 1 else None
                for o in mine:
                    v = proof.verdict(o)
                    if where and not v.verified:  # which of the manifest's environments refuses it
                        v = Verdict(False, v.saving, f"in environment '{where}': {v.reason}")
                    found.setdefault(outcome_key(o), []).append(v)
                    if proof.after is None:
                        together.setdefault(outcome_key(o), proof.after_failure)
            nowhere = Verdict(False, Size(None), "in no environment of the manifest: nothing solves it")
            verdicts = {outcome_key(o): combine(found[outcome_key(o)]) if outcome_key(o) in found else nowhere
                        for o in applied}
            refused = [o for o in applied if not verdicts[outcome_key(o)].verified]
            if not refused and together:  # each alone solves, not all together
                refused = [o for o in applied if outcome_key(o) in together]
                for o in refused:
                    v = verdicts[outcome_key(o)]
                    verdicts[outcome_key(o)] = Verdict(False, v.saving,
                                                       f"together with the other fixes: {together[outcome_key(o)]}")
            if not refused:
                break
            for o in refused:
                refusals[(o.finding.rule, o.finding.package)] = REFUSED + verdicts[outcome_key(o)].reason
            plan = replan(refusals)  # the plan makes each refused fix a refused outcome itself
    except SolveFailure as failure:
        progress.clear()
        raise EnvslimError(_failure_line(plan.env.path, failure)) from None
    progress.clear()
    return plan
