"""``envslim report PATH...``: where each package comes from before and after the rewrite, its footprint on
each side with the source of every figure, and the totals.

The plan is the one ``envslim rewrite`` would make (same config and rule options); the "after" side is the
rewritten text, parsed again, so the report shows exactly what the rewrite leaves. A package that a fix
removes without the file naming it (``mkl``, which ``nomkl`` keeps out of a defaults environment) is listed
as implied.

Figures, all installed bytes:

- the knowledge base, through ``footprint.pick`` (the figure the rules use: closures before single packages);
- with ``--online``: for the pip side, the wheel pip would pick for the target Python and platform (PyPI JSON
  API, installed size from the wheel's zip central directory); for a conda package the knowledge base has no
  closure for, the installed size of the conda file that matches the spec (anaconda.org files API and the
  ``.conda``'s ``info/paths.json``);
- with ``--lockfile`` (and ``--online``): the lockfile's exact artifacts, by their URLs: a conda package's
  closure walked in the lock's dependency graph (beyond python's own closure, as the knowledge base counts
  closures), a pip package's locked wheel, and a moved package's wheel at the locked version.

``--offline`` runs the same lookups against what earlier online runs cached and never touches the network.
A lookup that fails is one warning line on stderr and the knowledge figure stands.

``--solve`` proves the plan by solves (``envslim.solve``: py-rattler and uv, for every ``--platform``): the
exact solved packages before and after with their installed bytes, each requested spec's attribution, and
each fix's verdict and measured saving (``FileReport.proof``, which the renderers add). With ``--solve`` a
``--lockfile`` ending in ``.lock`` (a pixi.lock) is the exact "before" side instead of a solve; a pixi manifest
(``--environment NAME``) is solved likewise, with the ``pixi.lock`` beside it as its "before" side.

Knowledge figures count only for the target (``footprint.pick``: platform, Python, the line's version; a
labelled stand-in of the same platform otherwise). The totals are a union of the known figures: a closure
carries its members, so a package shared by two closures counts once. The saving is computed over the rows
known on both sides (a row known on one side only, or a line the file did not name before, is left out and
named), with its range when a figure is an estimate.
"""

from __future__ import annotations

import re
from dataclasses import replace
from envslim import conda as condaspec
from envslim.knowledge import names
from envslim.document import Document, lock_format
from envslim.document.envfile import pip_sort_key
from envslim.errors import EnvslimError, InputError
from envslim.online.settings import check_target, session_options
from envslim.display import printable, redact
from envslim.environment.report import FileReport, Row, Side, Target, own_first



# -- reading a file -------------------------------------------------------------------------------------------


def _conda_sides(env) -> list[Side]:
    out = []
    for item in env.deps:
        text = item.text.strip()
        parsed = condaspec.parse_line(text)
        if parsed is not None:
            out.append(Side(parsed.name.lower(), parsed.name.lower(), "conda", text, item, parsed))
        else:  # a URL, a package file, Jinja: listed, with no figure
            out.append(Side(text, text, "conda", text, item))
    return out


def _pip_sides(env) -> list[Side]:
    out = []
    for item in env.pip_items:
        text = item.text.strip()
        if text.startswith("-"):  # pip options (-r, --index-url, -e ...): not a package of their own
            continue
        pname = pip_sort_key(text)
        key = (names.conda_name(pname) or pname) if pname else text
        out.append(Side(key, pname or text, "pip", text, item))
    return out


def sides_of(env) -> list[Side]:
    """The sides of one environment's lines (an EnvFile, or a document's ``environment(name, platform)``)."""
    return _conda_sides(env) + _pip_sides(env)


# -- a pixi manifest: one environment's features combined, seen as one environment file -------------------
# (its lines are envslim.document.pixi.EnvironmentView: the document's ``environment(name, platform)``)

def _solve_adapter(rep: "FileReport", options):
    """How ``--solve`` reads the document's environment (the lines this report reads)."""
    from envslim.solve.pixi import adapter_for

    return adapter_for(rep.plan.env, getattr(options, "environment", None))


def _own_finding(before: list[Side]):
    """``implies`` for :func:`pair` on a pixi environment: the finding is on one of its lines (a fix found on
    a package of another environment or platform drops nothing from this one)."""
    spans = {s.item.dep.span for s in before if s.item is not None and s.item.dep is not None}
    return lambda o: getattr(getattr(o.finding.item, "dep", None), "span", None) in spans


def pair(before: list[Side], after: list[Side], plan, implies=None) -> list[Row]:
    """Rows matching each package before the rewrite with itself after it. ``implies(outcome)``: whether an
    applied fix's implied drop (``Rule.implies``) is true of these sides (a pixi environment: only when the line
    the finding is on is one of its own)."""
    rows: list[Row] = []
    b_left, a_left = list(before), list(after)

    def take(b: Side, a: Side) -> None:
        rows.append(Row(b.key, b, a))
        b_left.remove(b)
        a_left.remove(a)

    for o in plan.applied:  # a line a fix rewrote: the old text and the new one are one package
        for c in o.changes:
            if c.kind == "replace":
                b = next((s for s in b_left if s.item is not None and s.item.value_start == c.start), None)
                a = next((s for s in a_left if b and s.manager == b.manager and s.spec == c.new.strip()), None)
                if b and a:
                    take(b, a)
    for same_manager in (True, False):  # then the same package on the same side, then moved across
        for b in list(b_left):
            a = next((s for s in a_left if s.key == b.key and (s.manager == b.manager) == same_manager), None)
            if a is not None:
                take(b, a)
    rows += [Row(b.key, b, None) for b in b_left] + [Row(a.key, None, a) for a in a_left]
    _attribute(rows, plan)
    from envslim.rules import by_ref

    for o in plan.applied:
        implied = getattr(by_ref(o.finding.rule), "implies", None)  # what the fix drops that the file does not name
        if implied and not o.finding.guard and not any(r.key == implied[0] for r in rows) \
                and (implies is None or implies(o)):
            name, why = implied
            # what arrives in its place, where the fix's effect names it (nomkl: libopenblas), on the same row
            arriving = o.finding.effect.arriving if o.finding.effect is not None else ()
            after = Side(arriving[0], arriving[0], "conda", "") if len(arriving) == 1 else None
            rows.append(Row(name, Side(name, name, "conda", ""), after, rules=[o.finding.rule], implied=why))
    rows.sort(key=lambda r: (r.key.lower(), r.before is None, r.before.manager if r.before else ""))
    return rows


def _attribute(rows: list[Row], plan) -> None:
    """Name on each row the rules whose applied fixes touch it."""
    for o in plan.applied:
        rule = o.finding.rule
        for c in o.changes:
            row = None
            if c.kind in ("remove", "replace"):
                row = next((r for r in rows if r.before and r.before.item is not None
                            and r.before.item.value_start == c.start), None)
            elif c.kind in ("insert-conda", "insert-pip"):
                manager = "conda" if c.kind == "insert-conda" else "pip"
                row = next((r for r in rows if r.after and r.after.manager == manager
                            and r.after.spec == c.new.strip() and r.before != r.after), None)
            if row is not None and rule not in row.rules:
                row.rules.append(rule)


def _file_python(sides: list[Side], default: str) -> str | None:
    """``"3.9"`` when the file pins python to one minor version (``python=3.9``, ``python==3.9.7``), or bounds it
    away from ``default`` (``python>=3.7,<3.9``: ``"3.8"``)."""
    from envslim.conda.python import python_minor

    for s in sides:
        if s.manager == "conda" and s.key == "python" and s.parsed is not None and s.parsed.raw_version:
            return python_minor(s.parsed.raw_version, default)
    return None


def target_for(options, cfg, sides: list[Side], lock) -> Target:
    from envslim.config import Config

    platform = options.platform or cfg.platform
    if options.python:
        return Target(options.python, "--python", platform)
    locked = lock.python_version(platform) if lock is not None else None
    if locked:
        return Target(locked, "the lockfile", platform)
    if cfg.python != Config().python:
        return Target(cfg.python, "config", platform)
    pinned = _file_python(sides, cfg.python)
    if pinned:
        return Target(pinned, "the file", platform)
    return Target(cfg.python, "default", platform)


def build(path: str, env: Document, plan, options, cfg, lock=None) -> FileReport:
    from envslim.config import Config
    from envslim.environment import pricing

    environment = getattr(options, "environment", None)
    given = options.platform or (cfg.platform if cfg.platform != Config().platform else None)
    # (a pixi manifest: one environment, on the report's platform; none given: the one its platforms say)
    before_doc = env.environment(environment, given)
    after_doc = env.reread(plan.new_text).environment(environment, given)
    before, after = sides_of(before_doc), sides_of(after_doc)
    # a document planned scope by scope (a pixi manifest) has fixes found on other environments' lines
    rows = pair(before, after, plan, None if env.rule_scopes() is None else _own_finding(before))
    target = target_for(options, cfg, before, lock)
    model_target = pricing.file_target(before_doc, given, target.python)
    if model_target.platform != target.platform:  # the file says which platform it is for
        target = Target(target.python, target.python_from, model_target.platform, model_target.platform_from)
    rows = [r for r in rows if _installed_on(r, model_target.platform)]
    # a lock file for the target: its builds, not the newest the snapshot has (the table is the locked environment);
    # a lock that misses a line of the file is stale (its builds may not fit what it misses): not used
    pins = lock.conda_pins(model_target.platform) if lock is not None and not unlocked(lock, before, model_target.platform) else ()
    warnings: tuple[str, ...] = ()
    if lock is None and env.format == "pixi" and not getattr(options, "lockfile", None) and not options.solve:
        # (--solve reads the lock its own way, exactly, and says itself where it is stale)
        pins, python, warnings = _pixi_lock_pins(env, environment or "default", before, model_target, options)
        if python and python != model_target.python:  # (the lock's python: its builds are for that one)
            target = Target(python, "pixi.lock", target.platform, target.platform_from)
            model_target = pricing.file_target(before_doc, model_target.platform, python)
    b_env, pins = _locked_environment(before_doc, model_target, pins)
    a_env = pricing.environment(after_doc, model_target, pins=pins)
    if env.rule_scopes() is not None:
        _judged_elsewhere(rows, plan, env, model_target)
    _add_implied_python(rows, b_env, a_env)
    pip_names_of = {id(doc): {names.normalize(s.name) for s in doc if s.manager == "pip"}  # (once a side: a
                    for doc in (before, after)}  # set per line made 50,000 pip lines take hours)
    for r in rows:
        for side in (r.before, r.after):
            if side is None:
                continue
            if side.manager == "conda":  # the environment model: true for the platform, channels and versions
                model = b_env if side is r.before else a_env
                guard = _guard_effect(plan, r, rows) if r.implied and r.key == "mkl" else None
                if guard is not None:  # nomkl's sides, priced as its finding's effect prices them
                    figs = pricing.nomkl_figures(b_env, guard.platform or None, guard.channel or None)
                    side.figure = figs[0 if side is r.before else 1]
                elif r.implied:
                    side.figure = pricing.implied_figure(model, side.key)
                else:
                    side.figure = pricing.closure_figure(model, side.key) if side.parsed is not None else None
            else:
                variant = side is r.after and r.before is not None and r.before.manager == side.manager == "pip"
                model, doc = (b_env, before) if side is r.before else (a_env, after)
                pip_names = pip_names_of[id(doc)]
                # the wheel and its own requirements (counted, or named unknown), as a move's effect prices it
                side.figure = pricing.wheel_figure(model, side.key, side.name, side.spec, target.python, pip_names,
                                                   r.before.key if variant else "")
            if lock is not None:
                pkg = lock.get(side.manager, side.name, target.platform)
                side.locked = pkg.version if pkg else None
        b, a = r.before, r.after
        if b is not None and a is not None and b.manager == a.manager == "pip" and b.figure and a.figure \
                and names.normalize(b.name) != names.normalize(a.name):  # a pip rename: its wheels compared alike
            b.figure, a.figure = pricing.symmetric_wheels(b.figure, names.normalize(b.name), a.figure,
                                                          names.normalize(a.name))
    _keep_out(rows)
    stale = []
    if lock is not None:
        from envslim import lockfile

        stale = lockfile.stale(lock, plan)
    return FileReport(path, plan, rows, target, lock, stale, cfg, snapshot=b_env.graph.date, models=(b_env, a_env),
                      warnings=warnings)


def _installed_on(row: Row, platform: str) -> bool:
    """Whether the row's lines are installed on ``platform``: a line whose selector leaves it out there
    (``pywin32  # [win]`` on linux-64) is no package of the target's environment, not an unknown one."""
    from envslim.environment.model import selector_allows

    sides = [s for s in (row.before, row.after) if s is not None]
    return not sides or any(selector_allows(getattr(s.item, "selector", None), platform) for s in sides)


def _locked_environment(doc, target, pins: tuple[str, ...]):
    """The environment of ``doc`` held to a lock's ``pins`` (``name version build``), and the pins used: where
    the snapshot keeps another build of a locked version than the lock's (one rebuild of a version is kept),
    exact builds can contradict each other (libcblas 3.11.0 8_* needs libblas 8_*, the snapshot keeps 6_*):
    then the versions alone are held (each build's variant kept: a CPU build is no CUDA one), where that makes
    more of the environment known."""
    from envslim.environment import pricing

    env = pricing.environment(doc, target, pins=pins)
    if not pins or all(b is not None for b in env.packages.values()):
        return env, pins
    from envslim.environment.model import loose_pin

    loose = tuple(loose_pin(p) for p in pins)
    alt = pricing.environment(doc, target, pins=loose)

    def seen(e) -> tuple[int, int]:  # more packages known (reached and chosen), then fewer unknown
        return sum(b is not None for b in e.packages.values()), -sum(b is None for b in e.packages.values())

    return (alt, loose) if seen(alt) > seen(env) else (env, pins)


def _pixi_lock_pins(manifest, environment: str, before: list[Side], model_target, options):
    """The builds the ``pixi.lock`` beside a manifest installs for ``environment`` on the report's platform, as
    (pins, the lock's python, warnings); no pins where there is no lock, or it does not hold the environment,
    the platform or a line of it (stale), or ``--python`` asks for another python than it locks."""
    from envslim import lockfile

    path = manifest.lock_beside()
    if not path:
        return (), None, ()
    try:
        lock = lockfile.read_pixi(path, environment)
    except InputError as e:  # (the lock was not named: the manifest is reported without it, as with a stale one)
        return (), None, (f"{e}: its versions are not used",)
    platform = model_target.platform
    if lock is None or platform not in lock.platforms:
        return (), None, (f"{path} has no packages of environment '{environment}' for {platform}: its versions are"
                          " not used (run `pixi lock`)",)
    missing = unlocked(lock, before, platform)
    if missing:
        return (), None, (f"{path} does not lock {', '.join(missing)} for {platform}, which environment"
                          f" '{environment}' asks for: it is stale (run `pixi lock`); its versions are not used",)
    python = lock.python_version(platform)
    if options.python and python and options.python != python:
        return (), None, (f"{path} locks python {python}, not the --python {options.python} asked for: its"
                          " versions are not used",)
    return lock.conda_pins(platform), python, ()


def unlocked(lock, sides: list[Side], platform: str) -> list[str]:
    """The conda lines of the file that ``lock`` does not hold on ``platform`` (a stale lock); [] when the lock
    has no packages for the platform at all (then it is not used anyway)."""
    if platform not in lock.platforms:
        return []
    return [s.name for s in sides if s.manager == "conda" and s.parsed is not None and not s.name.startswith("__")
            and lock.get("conda", s.name, platform) is None]


def _judged_elsewhere(rows: list[Row], plan, doc, target) -> None:
    """Name on a row the target its applied fix was judged for where it is not this report's (a pixi feature in
    environments of several pythons is judged in one of them: its saving is that environment's)."""
    from envslim.environment.model import Environment

    for r in rows:
        start = getattr(r.before.item, "value_start", None) if r.before is not None else None
        for o in plan.applied:
            f = o.finding
            dep = getattr(f.item, "dep", None)
            if f.rule not in r.rules or dep is None or f.item.value_start != start:
                continue
            t = Environment.lines_of(doc.scope_view(dep.scope)).target
            if (t.platform, t.python) != (target.platform, target.python):
                r.judged = f"Python {t.python or 'unpinned'}, {t.platform}"


def _keep_out(rows: list[Row]) -> None:
    """After the rewrite, what a guard keeps out (nomkl: the MKL side of the implied mkl row) is no longer in
    the closures of the other rows' after sides (the model walks the builds that link MKL on both sides)."""
    for g in rows:
        if not (g.implied and g.key == "mkl" and g.before is not None and g.before.figure is not None and g.after):
            continue
        from envslim.environment import pricing

        gone = {m.name for m in g.before.figure.members}
        for r in rows:
            s = r.after
            if r is not g and s is not None and s.figure is not None and s.figure.members:
                s.figure = pricing.without(s.figure, gone)


def _guard_effect(plan, row: Row, rows: list[Row]):
    """The effect of the applied fix that put an implied row in the report (nomkl's, for mkl), or None: the one
    found on a line of this report's environment first (a pixi manifest's other scopes have theirs)."""
    return next((o.finding.effect for o in own_first(rows, plan.applied)
                 if o.finding.rule in row.rules and o.finding.effect is not None), None)


def _add_implied_python(rows: list[Row], before, after) -> None:
    """A row for python where the file does not name it but its packages install it (the conda rows are
    priced beyond python's closure, so python's own closure is counted here)."""
    if any(r.key == "python" for r in rows):
        return
    b, a = "python" in before.packages, "python" in after.packages
    if not (b or a):
        return
    why = "not in the file: installed for the packages that depend on it"
    rows.append(Row("python", Side("python", "python", "conda", "") if b else None,
                    Side("python", "python", "conda", "") if a else None, implied=why))
    rows.sort(key=lambda r: (r.key.lower(), r.before is None, r.before.manager if r.before else ""))


# -- the command ----------------------------------------------------------------------------------------------


def _refuse_an_input_as_output(options, paths) -> None:
    import os

    for given in (*paths, options.lockfile, options.config):
        if not given or given == "-" or not os.path.exists(given):
            continue
        same = os.path.exists(options.output) and os.path.samefile(options.output, given)
        if same or os.path.realpath(options.output) == os.path.realpath(given):
            raise EnvslimError(redact(f"{options.output}: is an input of the report ({given}); write the report to another path"))


def run(options, out, err) -> int:
    """Plan each file as ``envslim rewrite`` would (same config and rule options), pair the packages before
    and after, look figures up if asked, and render the reports."""
    import sys

    from envslim.plan import known_rules, plan_file

    known = known_rules(options.select, options.ignore, options.extend_select)
    if options.refresh and not options.online:
        raise EnvslimError("envslim: error: --refresh needs --online")
    check_target(options.python, options.platform)
    from envslim.commands.inputs import expand

    paths, rc = expand(options.paths, options, known, err)
    output = None if options.output in (None, "", "-") else options.output  # (-o -: standard output)
    if output:  # data loss otherwise: `report env.yml -o env.yml` would replace the file it reads
        from envslim.document.atomic import check_output

        _refuse_an_input_as_output(options, (*options.paths, *paths))
        check_output(output)  # a device, a FIFO, a directory: refused before anything is done
    from envslim.commands.inputs import prefix

    prefixes = [p for p in paths if p != "-" and prefix(p)]
    if prefixes:  # an installed environment: measured, not planned
        from envslim.commands import report_prefix

        if len(paths) != 1:
            raise EnvslimError(f"envslim: error: report PREFIX reads one installed environment ({prefixes[0]});"
                               " report environment files in another run")
        report_prefix.refuse_options(options)
        return _emit(report_prefix.render(prefixes[0], options.format), output, out) or rc
    lock = None
    if options.lockfile and not (options.solve and lock_format(options.lockfile) == "pixi"):
        from envslim import lockfile  # conda-lock; a pixi.lock is read by --solve (envslim.solve.lockfiles)

        lock = lockfile.read(options.lockfile)
    if options.format in ("svg", "html") and len(paths) > 1:
        raise EnvslimError(f"envslim: error: --format {options.format} draws one file; got {len(paths)}")
    reports: list[FileReport] = []
    for path in paths:
        stdin = path == "-"
        shown = "<stdin>" if stdin else path
        try:
            env, cfg, plan = plan_file(path, options, known, sys.stdin.buffer if stdin else None)
            if env.format == "pixi" and lock is not None:
                raise EnvslimError(f"{path}: --lockfile without --solve takes a conda-lock file and an environment"
                                   " file; a pixi manifest's pixi.lock is read by --solve")
            rep = build(shown, env, plan, options, cfg, lock)
        except EnvslimError as e:
            print(printable(redact(str(e))), file=err)
            rc = 2
            continue
        if output:  # (the lock beside a manifest is read too: `-o pixi.lock` would replace it with the report; and the
            # config found upward, as --config's is: `-o .envslim.toml` replaced the file's config with the report)
            _refuse_an_input_as_output(options, (env.lock_beside(), cfg.path))
        for line in rep.warnings:
            print(redact(f"envslim: warning: {line}"), file=err)
        if lock is not None and rep.target.platform not in lock.platforms:
            print(f"envslim: warning: {lock.path} has no packages for {rep.target.platform} "
                  f"(it locks {', '.join(lock.platforms)}); its versions are not used", file=err)
        elif lock is not None:
            missing = unlocked(lock, [r.before for r in rep.rows if r.before is not None and not r.implied],
                               rep.target.platform)
            if missing:
                print(redact(f"envslim: warning: {lock.path} does not lock {', '.join(missing)} for"
                             f" {rep.target.platform}, which {rep.path} asks for: the lock is stale (re-run conda-lock);"
                             " its versions are not used"), file=err)
        reports.append(rep)
    if reports and options.solve:
        from envslim.commands import solving as command

        proofs = command.prove_reports(reports, options, err, lambda rep: _solve_adapter(rep, options))
        if proofs is None:
            return 2
        reports = [replace(rep, proof=proof) for rep, proof in zip(reports, proofs)]
    if reports and (options.online or options.offline):
        opts = session_options(offline=bool(options.offline), refresh=bool(options.refresh))
        from envslim.commands.report_lookups import lookup, warning_lines
        from envslim.online import run as run_async

        for line in warning_lines(run_async(lookup(reports, opts, err)), bool(options.offline)):
            print(line, file=err)
    from envslim.image.model import model

    # after the lookups: figures are final; a target that is not Linux has no image (the bases are Linux ones)
    reports = [replace(rep, image=model(rep.totals(), rep.python_unknown()) if rep.target.platform.startswith("linux-")
                       else None) for rep in reports]
    for rep in reports:
        for line in rep.stale:
            print(redact(f"envslim: warning: {rep.lock.path} is stale after the rewrite of {rep.path}: {line};"
                         " re-run conda-lock"), file=err)
    from envslim.output.report import to_json, to_markdown, to_table

    if options.format in ("svg", "html"):
        from envslim.output import picture
        from envslim.output.picture_sources import from_report, from_solved

        draw = getattr(picture, f"to_{options.format}")  # a solved report draws its solve
        text = "".join(draw(from_solved(rep) if rep.proof is not None else from_report(rep))
                       for rep in reports)
    elif options.format == "json":
        text = to_json(reports)
    else:
        render = to_markdown if options.format == "markdown" else to_table
        text = "\n".join(render(rep) for rep in reports)
    if output and not reports:  # every file was bad input: nothing is written
        return rc
    return _emit(text, output, out) or rc


def _emit(text: str, output: str | None, out) -> int:
    """``text`` to ``output`` (atomically) or to ``out``; 0."""
    if output:
        from envslim.document.atomic import write_atomic

        try:
            write_atomic(output, redact(text))  # (the file is an output like stdout: the same boundary)
        except OSError as e:
            raise EnvslimError(redact(f"{output}: cannot write: {e.strerror or e}")) from None
    else:
        out.write(text)
    return 0
