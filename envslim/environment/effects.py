"""What a fix does to the whole environment: the packages that leave and arrive, what a pin excludes.

Every fix is judged on the environment of the file (:class:`envslim.environment.model.Environment`: the
requested specs walked through the graph for the file's target), given everything else the file lists,
transitively:

- a move, rename or drop: the packages that leave and that arrive. A fix is worth making only if what
  leaves is worth at least :data:`MIN_WORTH` by the upper end of its range; a metapackage's own
  kilobytes do not count (dropping ``matplotlib`` while ``pyqt`` stays saves nothing).
- a move is made only if nothing left on the conda side reaches the moved package (conservatively: an
  edge exists if ANY build the file's pins allow depends on it); a path through a name the snapshot does
  not know refuses it, and names that package; a refused move names the path that pulls it back.
- a pin: the versions it excludes that the environment could otherwise get.
- a channel fix: the channel it removes, and whether the file still solves without it.

A fix whose effect is empty is not made. The functions never raise on unknown names: what the snapshot
does not know stays unknown (:attr:`Effect.unknown`), never zero.
"""

from __future__ import annotations

from envslim._record import dataclass

MIN_WORTH = 1_000_000  # bytes: a move, rename or drop below this by the upper end of its range is noise


@dataclass(frozen=True)
class Effect:
    leaving: tuple[str, ...] = ()  # packages that leave the environment
    arriving: tuple[str, ...] = ()  # packages that come in (a moved package's wheel, a variant's closure)
    saving_bytes: int | None = None  # what leaves minus what arrives, installed (None: not known)
    saving_range: tuple[int, int] | None = None
    unknown: tuple[str, ...] = ()  # names the judgement could not see through (not in the snapshot)
    pulled_back_by: tuple[str, ...] = ()  # the path that keeps the package (icepyx -> dask-expr -> pyarrow)
    excluded: tuple[str, ...] = ()  # pins, guards, channel fixes: what it rules out ("numpy 2.*", "mkl")
    worth: int | None = None  # the upper end of what leaves, installed (None: a member has no figure)
    why: str = ""  # why the effect is empty or the fix refused, in words ("" when it has an effect)
    unpriced: tuple[str, ...] = ()  # parts without a figure for the target: named, not counted (never zero)
    # names that stay which the snapshot does not know at all: what they keep of what leaves cannot be seen, so
    # saving_bytes is None and the snapshot's figure is only a bound (unseen_text)
    unseen: tuple[str, ...] = ()
    # names that stay whose build the walk took for a package that leaves, against a spec of one that stays (the
    # snapshot's builds disagree, Environment.forced): what stays of them is not what the walk holds, so
    # saving_bytes is None, and no figure is given (forced_text)
    disagree: tuple[str, ...] = ()
    how: str = ""  # how saving_bytes was worked out on the environment, with the figures' sources ("" none)
    channel: str = ""  # a guard: the channel its excluded packages would come from (nomkl: defaults' mkl)
    platform: str = ""  # a guard priced for another platform than the environment's ("" the environment's)
    # the figures behind saving_bytes, ((manager, name), knowledge.Member) each, so that the saving of several
    # fixes is a union (see union_saving): what leaves (gone) and what arrives (come)
    gone: tuple = ()
    come: tuple = ()

    @property
    def empty(self) -> bool:
        """No package leaves or arrives and nothing is excluded: the fix would change nothing."""
        return not (self.leaving or self.arriving or self.excluded)

    @property
    def blocked(self) -> bool:
        """Something keeps the package (a path back) or cannot be seen through (an unknown name)."""
        return bool(self.pulled_back_by or self.unknown)

    @property
    def negligible(self) -> bool:
        """What leaves is worth less than :data:`MIN_WORTH` even by the upper end of its range (a package
        without a figure is never negligible: unknown is not zero)."""
        return self.worth is not None and self.worth < MIN_WORTH and not self.excluded

    @property
    def made(self) -> bool:
        """Whether the fix is worth making: it changes something, nothing blocks it, and it is not noise."""
        return not self.empty and not self.blocked and not self.negligible

    def as_json(self) -> dict:
        return {"leaving": list(self.leaving), "arriving": list(self.arriving),
                **({"excluded": list(self.excluded)} if self.excluded else {}),
                **({"pulled_back_by": list(self.pulled_back_by)} if self.pulled_back_by else {}),
                **({"unknown": list(self.unknown)} if self.unknown else {}),
                **({"disagree": list(self.disagree)} if self.disagree else {}),
                **({"unpriced": list(self.unpriced)} if self.unpriced else {})}


def union_saving(effects) -> tuple[int, int, int]:
    """(saving, low, high) of several fixes made together: what leaves less what arrives, each package counted
    once (``footprint.difference``, as the report's totals), from the figures behind each effect's saving."""
    from envslim.knowledge import footprint

    effects = list(effects)
    return footprint.difference([(key, [(key, m)]) for e in effects for key, m in e.gone],
                                [(key, [(key, m)]) for e in effects for key, m in e.come])


def members(env, names, manager: str = "conda") -> tuple:
    """((manager, name), knowledge.Member) for each of ``names`` with a figure on the target (each once)."""
    from envslim.knowledge import Member

    out = []
    for name in sorted(set(names)):
        f = env.figure(name)
        if f is not None:
            out.append(((manager, name), Member(name, f.build.version, f.bytes, f.low, f.high)))
    return tuple(out)


def path_text(path) -> str:
    return " \u2192 ".join(path)


def _roots(env) -> set[str]:
    return set(env.requested)


def _priced(env, names, arriving=(), after_env=None, own: str = ""):
    """(saving, (low, high), worth, unpriced) of ``names`` leaving and ``arriving`` coming in: the known
    figures, each package once (a union); the names without a figure for the target are ``unpriced``
    (named, not counted); ``worth`` (what leaves, by the upper end) is None where one of them leaves."""
    n, lo, hi, unknown = env.total(names)
    an, alo, ahi, aunknown = (after_env or env).total(arriving) if arriving else (0, 0, 0, set())
    worth = None if unknown else hi
    if (not names and not arriving) or (names and len(unknown) == len(set(names))) or own in unknown or aunknown:
        # nothing that leaves has a figure, or the package itself has none, or something that arrives has none
        # (counted as zero it would overstate the saving): unknown, never a part counted as all
        return None, None, worth, unknown | aunknown
    return n - an, (lo - ahi, hi - alo), worth, unknown | aunknown


def how_text(env, leaving, arriving, saving, rng, unpriced, arriving_text: str = "") -> str:
    """How a saving was worked out on the environment: what leaves and arrives, priced as a union from the
    graph snapshot (its date), for the target; the parts without a figure named."""
    from envslim.display import mb

    if saving is None:
        return ""
    t = env.target
    where = f"{t.platform}" + (f", Python {t.python}" if t.python else "")
    out = (f"environment estimate (range {mb(rng[0])} to {mb(rng[1])}) for {where}, from the graph snapshot of"
           f" {env.graph.date}: {len(leaving)} package(s) leave ({', '.join(leaving[:4])}"
           f"{' ...' if len(leaving) > 4 else ''}), each counted once")
    if arriving_text:
        out += f"; arriving: {arriving_text}"
    elif arriving:
        out += f"; {len(arriving)} arrive ({', '.join(arriving[:4])}{' ...' if len(arriving) > 4 else ''})"
    if unpriced:
        out += f"; not counted, no figure for the target: {', '.join(sorted(unpriced))}"
    return out


def unseen_staying(env, kept, leaving) -> tuple[str, ...]:
    """The names that stay (``kept``) which the snapshot does not know at all: what they keep of ``leaving``
    cannot be judged offline (none where nothing leaves)."""
    return tuple(env.unseen(kept)) if leaving else ()


def unseen_text(env, unseen, leaving, saving, rng) -> tuple[str, str]:
    """(how, unpriced part) of a saving not claimed because ``unseen`` stay and the snapshot does not know
    them: the part that might be kept is named, and what the snapshot alone would say is given as a bound."""
    from envslim.display import mb

    shown = ", ".join(unseen[:3]) + (f" and {len(unseen) - 3} more" if len(unseen) > 3 else "")
    one = len(unseen) == 1
    t = env.target
    where = f"{t.platform}" + (f", Python {t.python}" if t.python else "")
    bound = ""
    if saving is not None:
        bound = (f"; as far as the graph snapshot of {env.graph.date} knows, {len(leaving)} package(s) leave for"
                 f" {where}: at most ~{mb(saving)} (range {mb(rng[0])} to {mb(rng[1])})")
    how = (f"unknown: {shown} {'stays and is' if one else 'stay and are'} not in the snapshot, so what"
           f" {'it keeps' if one else 'they keep'} of what would leave cannot be judged{bound}")
    return how, f"what {shown} keep{'s' if one else ''} (not in the snapshot)"


def forced_text(forced) -> tuple[str, str]:
    """(how, unpriced part) of a saving not claimed because a build that stays was taken for a package that
    leaves against a spec of one that stays (:meth:`Environment.forced`). No figure is given: the walk's own
    holds the build that the leaving package forced, which is not what stays."""
    x, staying, spec, by = forced[0]
    more = f" (and {', '.join(f[0] for f in forced[1:])})" if len(forced) > 1 else ""
    who = "the file's line" if staying == "the file" else staying
    how = (f"unknown: the snapshot's builds disagree on {x}{more}, so what stays of it cannot be judged offline:"
           f" {who} asks {spec}, the build taken is {by}'s, and {by} leaves (--verify solves)")
    return how, f"what {x} becomes without {by} (the snapshot's builds disagree)"


def effect_of_drop(env, name: str) -> Effect:
    """Dropping the requested ``name``: what only it brought leaves."""
    roots = _roots(env)
    if name not in roots:
        return Effect(why=f"{name} is not requested")
    before = env.closure(roots)
    after = env.kept(roots - {name})
    leaving = tuple(sorted(before - after))
    saving, rng, worth, unpriced = _priced(env, leaving, own=name)
    how = how_text(env, leaving, (), saving, rng, unpriced)
    unseen = unseen_staying(env, after, leaving)
    forced = () if unseen else env.forced(after, set(leaving), MIN_WORTH)
    if unseen:  # what might be kept is not counted: the saving is unknown, its snapshot figure a bound
        how, part = unseen_text(env, unseen, leaving, saving, rng)
        saving, rng, unpriced = None, None, unpriced | {part}
    elif forced:  # what stays is not what the walk holds: the saving is unknown, its snapshot figure a bound
        how, part = forced_text(forced)
        saving, rng, unpriced = None, None, unpriced | {part}
    why = ""
    if not leaving:
        why = f"everything {name} brings stays"
    elif worth is not None and worth < MIN_WORTH:
        kept = sorted((env.closure([name]) - set(leaving)) & after)
        why = (f"only {', '.join(leaving)} ({_mb(worth)}) would leave"
               + (f": {', '.join(kept[:4])}{' ...' if len(kept) > 4 else ''} stay for the rest of the file" if kept else ""))
    return Effect(leaving=leaving, saving_bytes=saving, saving_range=rng, worth=worth, why=why, unseen=unseen,
                  disagree=tuple(f[0] for f in forced),
                  unpriced=tuple(sorted(unpriced)), how=how, gone=members(env, leaving) if saving is not None else ())


def effect_of_rename(env, old: str, new: str, new_spec=None) -> Effect:
    """Replacing the requested ``old`` by ``new`` (``new_spec``: its MatchSpec, default the bare name):
    what leaves and what the variant brings in."""
    roots = _roots(env)
    if old not in roots:
        return Effect(why=f"{old} is not requested")
    before = env.closure(roots)
    chosen = env.packages.get(new)
    if chosen is not None and (new_spec is None or new_spec.match(chosen.as_record())):
        after_env = env  # the variant is in the environment already (a metapackage's base): no second walk
        after = env.closure((roots - {old}) | {new})
        kept = env.kept((roots - {old}) | {new})
    else:
        after_env = env.replaced(old, new, new_spec)
        if new in after_env.unknown:
            return Effect(unknown=(new,), why=f"{new} is not in the snapshot for {env.target.platform}")
        after = after_env.closure(set(after_env.requested))
        kept = after_env.kept(set(after_env.requested))
    leaving = tuple(sorted(before - kept))
    arriving = tuple(sorted(after - before))
    saving, rng, worth, unpriced = _priced(env, leaving, arriving, after_env, own=old)
    how = how_text(env, leaving, arriving, saving, rng, unpriced)
    unseen = unseen_staying(after_env, kept, leaving)
    forced = () if unseen else env.forced(kept, set(leaving), MIN_WORTH)
    if unseen:  # what might be kept is not counted: the saving is unknown, its snapshot figure a bound
        how, part = unseen_text(env, unseen, leaving, saving, rng)
        saving, rng, unpriced = None, None, unpriced | {part}
    elif forced:  # what stays is not what the walk holds: the saving is unknown, its snapshot figure a bound
        how, part = forced_text(forced)
        saving, rng, unpriced = None, None, unpriced | {part}
    why = ""
    if not leaving and not arriving:
        why = f"{old} and {new} bring the same packages here"
    elif worth is not None and worth < MIN_WORTH:
        why = f"only {', '.join(leaving) or 'nothing'} ({_mb(worth)}) would leave: what {old} adds to {new} stays for the rest of the file"
    priced = saving is not None
    return Effect(leaving=leaving, arriving=arriving, saving_bytes=saving, saving_range=rng, worth=worth, why=why,
                  unseen=unseen, disagree=tuple(f[0] for f in forced),
                  unpriced=tuple(sorted(unpriced)), how=how,
                  gone=members(env, leaving) if priced else (), come=members(after_env, arriving) if priced else ())


def effect_of_move(env, name: str, *, pypi: str = "", spec=None, python: str | None = None,
                   pip_names: frozenset[str] = frozenset(), adds: tuple[str, ...] = (), pip_line: str = "") -> Effect:
    """Moving the requested ``name`` to pip (as the PyPI project ``pypi``, its versions as ``spec`` allows):
    refused where anything left on the conda side reaches it (the path is :attr:`Effect.pulled_back_by`) or
    where the walk meets a name the snapshot does not know (:attr:`Effect.unknown`); else what only it
    brought leaves the conda side and its wheel arrives. With ``python``, the saving: what leaves, a union
    from the graph snapshot, minus the wheel as the report prices a pip line (``wheels.wheel``: the knowledge
    base's wheel for the target and the wheels it requires; the other pip lines ``pip_names`` and the conda
    packages that stay provide theirs). Parts without a figure are :attr:`Effect.unpriced`; no saving where
    the wheel itself has none. ``adds``: the conda lines the fix adds (``pip`` where the file has none): what
    of them the environment does not have yet arrives too, priced the same way. ``pip_line``: the requirement of
    an environment file's ``pip:`` list for the project; where the conda build's version does not satisfy it,
    pip installs its wheel over conda's before the move as after it, so the wheel does not arrive. Where the
    conda build satisfies it, conda's ``pip install -U -r`` (conda/env/installers/pip.py) replaces it only if
    PyPI has a newer release, which the snapshot's date cannot tell: the wheel is counted as arriving, the lower
    of the two savings."""
    roots = _roots(env)
    if name not in roots:
        return Effect(why=f"{name} is not requested")
    rest = roots - {name}
    path = env.path(rest, name)
    if path:
        return Effect(pulled_back_by=tuple(path),
                      why=f"{path_text(path)} keeps it on the conda side (any build the file's pins allow)")
    unknown = sorted(env.unknown_reached(rest))
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        return Effect(unknown=tuple(unknown),
                      why=f"{shown} {'is' if len(unknown) == 1 else 'are'} not in the snapshot, so whether "
                          f"{'it pulls' if len(unknown) == 1 else 'they pull'} {name} back cannot be judged")
    before = env.closure(roots)
    after = env.closure(rest)
    leaving = tuple(sorted(before - env.kept(rest)))
    n, lo, hi, unknown_leaving = env.total(leaving)
    worth = None if unknown_leaving else hi
    why = "" if worth is None or worth >= MIN_WORTH else f"only {_mb(worth)} would leave the conda side"
    project = pypi or name
    from envslim.knowledge.names import conda_name

    there = False  # a line of the pip: list installs its wheel already, before the move: it does not arrive
    if pip_line and env.packages.get(name) is not None:
        from envslim.environment.wheels import PipSpec

        there = not PipSpec(pip_line).matches_version(env.packages[name].version)
    arriving: tuple = () if there else (project,)
    saving = rng = None
    how = ""
    come: tuple = ()
    added: tuple = ()
    unpriced = set(unknown_leaving)
    if python and name not in unknown_leaving:  # (the package itself without a figure: its saving is unknown)
        from envslim.environment import wheels

        added, added_env = _arriving_lines(env, adds, after)
        arriving += added
        if there:
            saving, rng = n, (lo, hi)
            text = (f"no {project} wheel (the pip: list's {pip_line.strip()!r} installs it over conda's"
                    f" {env.packages[name].version} before the move as after it)")
        else:
            # (priced from the PyPI project's own entry where it has one, as the report prices the pip line)
            wheel = wheels.wheel(conda_name(project) or name, project, spec, after, env.target.platform, python,
                                 set(pip_names), fallback=name)
            if wheel is None:
                unpriced.add(f"the {project} wheel")
            else:
                saving, rng = n - wheel.bytes, (lo - wheel.high, hi - wheel.low)
                come = tuple((("pip", m.name.lower()), m) for m in wheel.members)
                unpriced |= set(wheel.unknown)
                spread = f", {_mb(wheel.low)} to {_mb(wheel.high)}" if wheel.low != wheel.high else ""
                more = len(wheel.members) - 1
                text = (f"the {project} {wheel.version} wheel{f' and {more} it requires' if more else ''}"
                        f" ({_mb(wheel.bytes)}{spread}; {wheel.source}, {wheel.priced.figure.date})")
        if saving is not None:
            if added:  # (pip, where the file has no pip line: conda's pip installs the wheel)
                an, alo, ahi, aunknown = added_env.total(added)
                if aunknown:
                    unpriced |= aunknown
                    saving = rng = None
                else:
                    saving, rng = saving - an, (rng[0] - ahi, rng[1] - alo)
                    come += members(added_env, added)
                    text += (f" and the conda {', '.join(adds)} the fix adds ({', '.join(added)}: {_mb(an)}"
                             + (f", {_mb(alo)} to {_mb(ahi)}" if alo != ahi else "") + ")")
            how = how_text(env, leaving, arriving, saving, rng, unpriced, text) if saving is not None else ""
    forced = env.forced(env.kept(rest), set(leaving), MIN_WORTH) if saving is not None else []
    if forced:  # what stays is not what the walk holds: the saving is unknown, its snapshot figure a bound
        how, part = forced_text(forced)
        saving, rng, unpriced, come = None, None, unpriced | {part}, ()
    return Effect(leaving=leaving, arriving=arriving, worth=worth, why=why, saving_bytes=saving,
                  saving_range=rng, unpriced=tuple(sorted(unpriced)), how=how, disagree=tuple(f[0] for f in forced),
                  gone=members(env, leaving) if saving is not None else (), come=come)


def _arriving_lines(env, adds, staying) -> tuple[tuple[str, ...], object]:
    """(the packages the added conda lines ``adds`` bring that ``staying`` does not have, the environment of
    those lines alone that prices them) for the same target."""
    if not adds:
        return (), None
    from envslim.environment.model import Environment

    alone = Environment.from_specs(list(adds), env.target, env.graph)
    return tuple(sorted(alone.closure(set(alone.requested)) - set(staying))), alone


def effect_of_pip_rename(env, key: str, old: str, old_text: str, new: str, new_text: str, *, python: str,
                         pip_names: frozenset[str] = frozenset()) -> Effect:
    """Replacing the pip line ``old_text`` (the PyPI project ``old``; ``key`` its conda name, whose knowledge
    entry records both variants' wheels) by ``new_text`` (``new``): the ``old`` wheel leaves and the ``new``
    one arrives, each priced as the report prices a pip line (``pricing.wheel_figure``: the knowledge base's
    wheel for the target's platform and ``python`` under the line's version constraint, with the wheels its
    requirements bring), compared alike (``pricing.symmetric_wheels``). No saving where either wheel has no
    figure for the target, or where the two figures are of different releases."""
    from envslim.display import mb
    from envslim.environment import pricing

    t = env.target
    before = pricing.wheel_figure(env, key, old, old_text, python, set(pip_names))
    after = pricing.wheel_figure(env, key, new, new_text, python, (set(pip_names) - {old}) | {new}, key)
    where = f"{t.platform}, Python {python}"
    if before is None or after is None:
        missing = " and ".join(f"the {p} wheel" for p, f in ((old, before), (new, after)) if f is None)
        return Effect(leaving=(old,), arriving=(new,), unpriced=(missing,),
                      how=f"unknown: the knowledge base has no figure for {missing} on {where}")
    if before.version != after.version:
        return Effect(leaving=(old,), arriving=(new,), unpriced=(f"the {old} and {new} wheels at one release",),
                      how=f"unknown: the knowledge base's {old} wheel on {where} is {before.version}, its {new}"
                          f" wheel {after.version}")
    before, after = pricing.symmetric_wheels(before, old, after, new)
    gone, come = tuple(before.counted(old, "pip")), tuple(after.counted(new, "pip"))
    saving, low, high = union_saving([Effect(gone=gone, come=come)])
    unpriced = tuple(sorted(set(before.unknown) | set(after.unknown)))

    def part(fig, project):
        spread = f", {mb(fig.lo)} to {mb(fig.hi)}" if fig.lo != fig.hi else ""
        more = len(fig.members) - 1
        return (f"the {project} {fig.version} wheel{f' and {more} it requires' if more > 0 else ''}"
                f" ({mb(fig.bytes)}{spread}; {fig.source}, {fig.date})")

    how = (f"{'measured wheels' if low == high else f'wheel estimate (range {mb(low)} to {mb(high)})'} for {where}:"
           f" leaving {part(before, old)}; arriving {part(after, new)}; each package counted once")
    if unpriced:
        how += f"; not counted, no figure for the target: {', '.join(unpriced)}"
    return Effect(leaving=(old,), arriving=(new,), saving_bytes=saving, saving_range=None if low == high else (low, high),
                  worth=before.hi, unpriced=unpriced, how=how, gone=gone, come=come)


def effect_of_pin(env, spec) -> Effect:
    """Adding the pin ``spec`` (a MatchSpec or its text, ``numpy <2``): the versions of its package the
    environment could get without it (the builds the file's own spec allows on the serving channel, for
    the target) that it rules out, as ``"numpy 2.*"`` series. Unknown where the snapshot has no build."""
    from envslim import conda as condaspec

    if isinstance(spec, str):
        spec = condaspec.parse(spec)
    name = spec.name
    own = env.requested.get(name)
    channel = env.serving_channel(name)
    if channel is None:
        return Effect(unknown=(name,), why=f"{name} is not in the snapshot for this file")
    builds = env.graph.candidates(own or name, platform=env.target.platform, channel=channel,
                                  python=env.target.python)
    if not builds:
        return Effect(unknown=(name,), why=f"no {env.target.platform} build of {name} on {channel} in the snapshot")
    out = []
    for b in builds:
        if not spec.match(b.as_record()):
            series = f"{name} {b.version.split('.')[0]}.*"
            if series not in out:
                out.append(series)
    return Effect(excluded=tuple(out), why="" if out else f"every {name} the file allows already meets {spec.original}")


def effect_of_guard(env, guard: str, excludes: str) -> Effect:
    """Adding a guard package (``nomkl``) that rules ``excludes`` (``mkl``) out: its effect is what of
    ``excludes`` the environment would install (leaving), empty where it would not come."""
    if excludes not in env.packages:
        return Effect(why=f"{excludes} would not be installed here")
    stays = env.kept(set(env.requested), without=(excludes,))
    leaving = tuple(sorted(env.closure([excludes]) - stays))
    n, lo, hi, unknown = env.total(leaving)
    unseen = unseen_staying(env, stays, leaving)
    if unseen:  # what they keep of ``excludes``' side is not counted: the saving is unknown, its figure a bound
        how, part = unseen_text(env, unseen, leaving, None if unknown else n, (lo, hi))
        return Effect(leaving=leaving, excluded=(excludes,), worth=None if unknown else hi, how=how,
                      unpriced=tuple(sorted({*unknown, part})), unseen=unseen)
    return Effect(leaving=leaving, excluded=(excludes,), worth=None if unknown else hi,
                  saving_bytes=None if unknown else n, saving_range=None if unknown else (lo, hi),
                  gone=() if unknown else members(env, leaving))


def effect_of_nomkl(env, platform: str | None = None, channel: str | None = None) -> Effect:
    """Adding ``nomkl`` where MKL would be installed: the MKL side leaves (mkl's closure as the environment
    would install it, each package once) and the OpenBLAS side arrives, each priced with its range from the
    graph snapshot (``pricing.nomkl_figures``, the same figures the report's implied rows print). Parts
    without a figure for the target are :attr:`Effect.unpriced` (named, not counted); no saving where mkl
    itself or the OpenBLAS build has none (unknown, never zero)."""
    from envslim.display import mb
    from envslim.environment import pricing

    guard = {"channel": channel or "", "platform": platform or ""}
    mkl, blas = pricing.nomkl_figures(env, platform, channel)
    where = platform or env.target.platform
    if mkl is None:
        channels = ", ".join(env.target.channels) or "the file's channels"
        return Effect(excluded=("mkl",), unpriced=("mkl",), **guard,
                      how=f"unknown: the graph snapshot ({env.graph.date}) has no {where} figure for mkl on {channels}")
    leaving = tuple(m.name for m in mkl.members)
    unpriced = tuple(sorted(mkl.unknown))
    if blas is None:
        return Effect(leaving=leaving, excluded=("mkl",), worth=mkl.hi, unpriced=(*unpriced, "libopenblas"), **guard,
                      how=f"unknown: no {where} figure for the OpenBLAS build that replaces mkl")
    saving, rng = mkl.bytes - blas.bytes, (mkl.lo - blas.hi, mkl.hi - blas.lo)
    unseen = unseen_staying(env, env.kept(set(env.requested), without=("mkl",)), leaving)
    if unseen:  # a name the snapshot does not know stays: what it keeps of the MKL side (tbb, intel-openmp) is
        # not known, so the saving is not claimed; the snapshot's figure is given as a bound
        how, part = unseen_text(env, unseen, leaving, saving, rng)
        return Effect(leaving=leaving, arriving=("libopenblas",), excluded=("mkl",), worth=mkl.hi,
                      unpriced=tuple(sorted({*unpriced, part})), how=how, unseen=unseen, **guard)
    how = (f"environment estimate (range {mb(rng[0])} to {mb(rng[1])}) for {where}, from the graph snapshot of"
           f" {env.graph.date}: {', '.join(leaving)} leave ({mkl.channel} {mkl.version}, {mb(mkl.bytes)}"
           + (f", {mb(mkl.lo)} to {mb(mkl.hi)}" if mkl.lo != mkl.hi else "") + f"); arriving: libopenblas"
           f" {blas.version} ({blas.channel}, {mb(blas.lo)} to {mb(blas.hi)}"
           + (f"; {blas.stand_in}" if blas.stand_in else "") + ")")
    if unpriced:
        how += f"; not counted, no figure for the target: {', '.join(unpriced)}"
    return Effect(leaving=leaving, arriving=("libopenblas",), saving_bytes=saving, saving_range=rng,
                  excluded=("mkl",), worth=mkl.hi, unpriced=unpriced, how=how, **guard,
                  gone=tuple(mkl.counted("mkl", "conda")), come=tuple(blas.counted("libopenblas", "conda")))


def effect_of_channel(env, removed: str, *, remaining: tuple[str, ...]) -> Effect:
    """Removing the channel ``removed`` (``defaults`` -> ``nodefaults``): excluded is the channel; the
    fix is blocked (:attr:`Effect.pulled_back_by` names the lines) where a requested build exists only on
    it: a build string the snapshot has on ``removed`` and on none of ``remaining``, or one that carries
    a hash only ``removed`` uses (defaults' per-platform hashes), a name only ``removed`` has, or versions that
    only defaults publishes (``defaults_only`` of knowledge/variants.toml: tensorflow-gpu before 2.6.0)."""
    if removed in remaining:  # another entry serves it still (anaconda, a mirror): nothing stops solving
        return Effect(excluded=(removed,))
    held, unseen = [], []
    if removed == "defaults":
        from envslim import knowledge

        defaults_only = knowledge.variants().get("defaults_only", {})  # (few names: checked only where listed)
    else:
        defaults_only = {}
    for name, spec in sorted(env.requested.items()):
        if spec.channel:
            continue  # ``channel::name`` keeps its own channel
        build = spec.build
        line = f"{name}={spec.raw_version or '*'}={build}" if build else name
        chans = env.graph.channels_of(name)
        if chans and removed in chans and not (chans & set(remaining)):
            held.append(line)
            continue
        if name in defaults_only and not build:
            from envslim.environment.model import conda_forge_first

            first = conda_forge_first(name, spec.raw_version, remaining)
            if first:
                held.append(f"{name}={spec.raw_version.removesuffix('*')} (conda-forge's {name} starts at {first})")
                continue
        if not build or "*" in build:
            continue
        have = {channel for _subdir, channel in env.graph.with_build(name, build)}
        if have & set(remaining):
            continue
        if removed in have or (removed == "defaults" and defaults_build(name, build)):
            held.append(line)
        else:
            unseen.append(line)
    if held:
        shown = ", ".join(held[:3]) + (f" and {len(held) - 3} more" if len(held) > 3 else "")
        return Effect(excluded=(removed,), pulled_back_by=tuple(held),
                      why=f"{shown} {'is a build' if len(held) == 1 else 'are builds'} of {removed} only: the file"
                          " would no longer solve")
    if unseen:
        shown = ", ".join(unseen[:3]) + (f" and {len(unseen) - 3} more" if len(unseen) > 3 else "")
        return Effect(excluded=(removed,), unknown=tuple(unseen),
                      why=f"{shown}: the snapshot has no such build on {', '.join(remaining) or 'the other channels'},"
                          " so whether the file still solves cannot be judged")
    return Effect(excluded=(removed,))


# Build strings only the defaults channel (repo.anaconda.com/pkgs/main) publishes: the hashes its builds of
# packages without compiled code carry per platform (noarch python: pyhd3eb1b0; conda-forge's is pyhd8ed1ab),
# the hashes of its linux-64 compiler toolchains (gcc 7.3: h7b6447c, he6710b0, h7f8727e; gcc 11.2: h5eee18b,
# h6a678d5), and its _libgcc_mutex build "main" (conda-forge's is "conda_forge"). Seen in the defaults exports
# of ../shared/corpus (026, 068, 160, 218, 224, 242) and in repo.anaconda.com file names, e.g.
# pkgs/main/linux-64/zlib-1.2.13-h5eee18b_0.conda, pkgs/main/noarch/argon2-cffi-21.3.0-pyhd3eb1b0_0.conda.
DEFAULTS_HASHES = ("h06a4308", "hecd8cb5", "hca03da5", "haa95532", "hd3eb1b0", "h7b6447c", "he6710b0",
                   "h7f8727e", "h5eee18b", "h6a678d5")


def defaults_build(name: str, build: str) -> bool:
    """Whether ``build`` is a build string of the defaults channel only (see :data:`DEFAULTS_HASHES`)."""
    if name == "_libgcc_mutex":
        return build == "main"
    return any(h in build for h in DEFAULTS_HASHES)


def _mb(n: int) -> str:
    from envslim.display import mb

    return mb(n)
