"""Where a footprint picture's data comes from: :func:`from_report` (the knowledge base's or online
figures of ``envslim report``) and :func:`from_solved` (a real solve, ``report --solve``). Each builds a
:class:`envslim.output.picture.Picture`."""

from __future__ import annotations


from envslim.output.picture import Bar, Package, Picture

# -- from today's report --------------------------------------------------------------------------------------


def _package(side, side_name: str, leaving: bool, why: str) -> Package:
    f = side.figure
    specs = (side.spec,) if side.spec else ()
    return Package(
        name=side.name, version=(side.locked or (f.version if f else "")), build="",
        bytes=f.bytes if f is not None else None, manager=side.manager, specs=specs, side=side_name,
        leaving=leaving, kind=f.kind if f else "", platform=f.platform if f else "",
        source=(f"{f.source} ({f.date})" if f.date else f.source) if f else "", why=why,
    )


def _leaves(row) -> bool:
    b, a = row.before, row.after
    return a is None or a.manager != b.manager or a.name != b.name


def _sum(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


def _model_side(model, other, side_name: str, specs_of: dict[str, str]) -> list[Package]:
    """Every conda package of the environment model once, with its own figure (None: unknown), brought by the
    requested specs whose dependencies reach it (``specs_of``: requested name -> the line as written)."""
    reach = {r: model.closure([r]) for r in model.requested}
    out = []
    for name in sorted(model.packages):
        f = model.figure(name)
        specs = tuple(specs_of.get(r, r) for r in model.requested if name in reach[r])
        leaving = other is not None and name not in other.packages
        why = "" if f is not None else (model.why_unknown.get(name) or "not in the graph snapshot")
        out.append(Package(
            name=name, version=f.build.version if f else "", build=f.build.build if f else "",
            bytes=f.bytes if f else None, manager="conda", specs=specs, side=side_name, leaving=leaving,
            kind="package", platform=model.target.platform, source=f.source if f else "", why=why,
            estimate=(f.low, f.high) if f is not None and f.estimate else None))
    return out


def from_report(rep) -> Picture:
    """The picture of one ``environment.report.FileReport``: each package of the environment model once (the
    conda side, with its own figure, in the group of the requested specs that reach it), each pip line's
    wheel, and each applied finding as a bar (what its rows take out of conda, what they add to pip, and the
    finding's own saving estimate)."""
    packages = []
    conda_figures = [s.figure for r in rep.rows for s in (r.before, r.after)
                     if s is not None and s.manager == "conda" and s.figure is not None]
    modeled = bool(rep.models) and all(f.origin in ("snapshot", "knowledge") for f in conda_figures)
    if modeled:  # (online figures replace the model's for the lines they price: drawn as the rows give them)
        before, after = rep.models
        for model, other, side_name in ((before, after, "before"), (after, None, "after")):
            specs_of = {getattr(r, side_name).name: getattr(r, side_name).spec for r in rep.rows
                        if getattr(r, side_name) is not None and getattr(r, side_name).manager == "conda"}
            packages += _model_side(model, other, side_name, specs_of)
    for row in rep.rows:
        for side, side_name in ((row.before, "before"), (row.after, "after")):
            if side is None or (modeled and side.manager == "conda"
                                and side.name in rep.models[0 if side_name == "before" else 1].packages):
                continue  # (a line the model does not read is still listed, with its own figure or none)
            packages.append(_package(side, side_name, side_name == "before" and _leaves(row), row.implied))
    bars = []
    for o in rep.plan.applied:
        f = o.finding
        rows = [r for r in rep.rows if f.rule in r.rules]
        out_conda = [r.before.figure.bytes if r.before.figure else None for r in rows
                     if r.before is not None and r.before.manager == "conda" and _leaves(r)]
        eff = f.effect
        if modeled and eff is not None and eff.leaving and getattr(eff, "how", ""):
            # priced on the environment: what leaves is the effect's union (a library the rest keeps stays),
            # the figure its saving was worked out from
            out_conda = [rep.models[0].total(eff.leaving)[0]]
        in_pip = [r.after.figure.bytes if r.after.figure else None for r in rows
                  if r.after is not None and r.after.manager == "pip"
                  and (r.before is None or r.before.manager != "pip")]
        bars.append(Bar(f.rule, f.package, f.message, _sum(out_conda), _sum(in_pip), f.saving_bytes,
                        f.source))
    origins = {s.figure.origin for r in rep.rows for s in (r.before, r.after) if s is not None and s.figure is not None}
    online = bool(origins - {"knowledge", "snapshot"})
    base = (f"the graph snapshot of {rep.snapshot} and the envslim knowledge base" if "snapshot" in origins
            else "the envslim knowledge base")
    where = base + (", PyPI, anaconda.org or the lockfile" if online else "")
    if modeled:
        note = (f"Figures from {where}; each package is drawn once, in the group of the requested spec whose"
                " dependencies reach it (a package several specs reach is in a group of its own), a pip line as its"
                " wheel; hover a rectangle for its package, figure and source.")
        union = None  # each package once: the drawn sum is the total
    else:
        note = (f"Figures from {where}; each rectangle is a requested package with what it pulls in, so closures"
                " that share packages overlap and the areas add up to more than the totals, which count each"
                " package once; hover a rectangle for its package, figure and source.")
        totals, saving = rep.totals(), rep.saving()
        union = tuple((u[0] if u else None, unknown) for u, unknown, _ in (totals["before"], totals["after"]))
        union += (saving[0] if saving else None,)
    figures = ("estimates from the graph snapshot and the knowledge base" if "snapshot" in origins
               else "estimates from the knowledge base") + (" and online lookups" if online else "")
    return Picture(path=rep.path, platform=rep.target.platform, python=rep.target.python, solved=False,
                   packages=tuple(packages), bars=tuple(bars), note=note, figures=figures, union=union)


# -- from a solve ---------------------------------------------------------------------------------------------


def _solved_source(p) -> str:
    where = "wheel central directory" if p.manager == "pip" else "info/paths.json"
    return "; ".join(x for x in (f"{where} of {p.filename}" if p.filename else where, p.size.how) if x)


def _solved_side(sol, side: str, other, source=None) -> list[Package]:
    from envslim.solve.model import brought_by

    brought = brought_by(sol)
    staying = {(p.manager, p.name) for p in other.packages} if other is not None else None
    out = []
    for p in sol.packages:
        size = p.size
        specs = brought.get((p.manager, p.name), ())
        out.append(Package(
            name=p.name, version=p.version, build=p.build, bytes=size.value, manager=p.manager, specs=specs,
            side=side, leaving=side == "before" and staying is not None and (p.manager, p.name) not in staying,
            kind="wheel" if p.manager == "pip" else "package", platform=sol.platform,
            source=(source or _solved_source)(p),
            why="" if specs else "reached from no requested spec",
            estimate=(size.low if size.low is not None else size.value, size.high if size.high is not None
                      else size.value) if size.estimate and size.value is not None else None))
    return out


def from_solved(rep) -> Picture:
    """The picture of one ``environment.report.FileReport`` proven by ``report --solve`` (``rep.proof``, an
    ``envslim.solve.fileplan.PlanProof``), for its first platform: every solved package once with its exact
    installed bytes (a ``.tar.bz2``'s marked estimate), in the group of the requested specs that reach it; each
    applied finding's bar from the solve that measured it (the fix alone, or the whole rewrite): the bytes
    leaving conda, the bytes pip adds and the net saving."""
    from envslim.solve.fileplan import outcome_key
    from envslim.solve.verify import parts, saving

    proof = rep.proof
    platform = proof.platforms[0]
    before = proof.before[platform]
    after = proof.after[platform] if proof.after is not None else None
    packages = _solved_side(before, "before", after) + (_solved_side(after, "after", before) if after else [])
    bars = []
    for o in rep.plan.applied:
        f, v = o.finding, proof.verdict(o)
        fields = proof.finding_fields(o)
        compared = proof.compared.get(outcome_key(o))
        if compared is not None:
            conda, pip = parts(before, compared[platform])
            gone, added = conda.value, pip.value
            approx = conda.estimate or pip.estimate or bool(fields["estimate"])
        else:
            gone = added = None
            approx = False
        verdict = "verified" if fields["verified"] else f"not verified: {fields['reason']}"
        source = "; ".join(x for x in (verdict, str(fields.get("source", ""))) if x)
        bars.append(Bar(f.rule, f.package, f.message, gone, added, fields["saving_bytes"] if v else None, source,
                        approx))
    python = next((p.version for p in before.conda() if p.name == "python"), rep.target.python)
    others = proof.platforms[1:]
    notes = [f"Solved for {platform} with py-rattler (conda) and uv (pip)"
             + (f", the first of {len(proof.platforms)} platforms (the JSON report has {', '.join(others)} too)"
                if others else "")
             + ": each .conda's info/paths.json and each wheel's central directory give its installed bytes.",
             "Each package is drawn once, in the group of the requested spec whose dependencies reach it; a package"
             " several specs reach is in a group of its own. Hover a rectangle for its version, build, bytes and"
             " source."]
    notes += [f"{n}." if not n.endswith(".") else n for n in before.notes]
    if after is None:
        notes.append(f"After the rewrite the file does not solve: {proof.after_failure}")
    total = saving(before, after) if after is not None else None
    return Picture(path=rep.path, platform=platform, python=python, solved=True, packages=tuple(packages),
                   bars=tuple(bars), note=" ".join(notes), figures="solved with py-rattler and uv",
                   saving=(total.value, total.estimate) if total is not None else None,
                   unsolved=proof.after_failure if after is None else "")


# -- from an installed environment ----------------------------------------------------------------------------


def from_installed(path: str, sol) -> Picture:
    """The picture of an installed environment (``report PREFIX``): every package once with the bytes its
    conda-meta record or dist-info RECORD gives, in the group of the requested specs that reach it."""
    packages = _solved_side(sol, "before", None, lambda p: f"{p.size.how} in {path}")
    python = next((p.version for p in sol.conda() if p.name == "python"), "")
    notes = [f"Measured in {path}: conda-meta/*.json paths_data (size_in_bytes) for each conda package, each"
             " dist-info's RECORD for each pip package.",
             "Each package is drawn once, in the group of the requested spec whose dependencies reach it (requested:"
             " conda-meta requested_spec and history, pip's REQUESTED); a package several specs reach is in a group"
             " of its own."]
    notes += [f"{n}." if not n.endswith(".") else n for n in sol.notes]
    return Picture(path=path, platform=sol.platform, python=python, solved=True, packages=tuple(packages),
                   note=" ".join(notes), figures="measured in the installed environment", installed=True)
