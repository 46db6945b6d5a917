"""``envslim prune PREFIX``: delete what a deployed environment never needs.

Works on a conda environment (``conda-meta/``) or a virtual environment (``pyvenv.cfg``), and never on
``/``, ``/usr``, ``/opt``, the home directory or a parent of one of them (:func:`prefix_kind`).

Each category below states what it removes, the evidence that a deployed service does not need it, and
what it costs. The same definitions produce the ``find`` commands of ``envslim dockerfile``
(:func:`find_script`), so the Dockerfile and this command remove the same files. One difference, stated
in the Dockerfile too: ``find`` cannot read Python, so the run-time import check of the ``tests``
category (a package that imports its own tests directory keeps it) exists only here; the Dockerfile
keeps the directories known to be imported (:data:`envslim.image.categories.TESTS_IMPORTED_AT_RUN_TIME`).

Safety:

* Nothing outside the prefix is touched. The walk uses ``lstat`` and never descends into a symbolic
  link; a symbolic link that a category selects is removed itself (``unlink``), never its target.
* ``--dry-run`` only reads.
* A real run checks the imports (``envslim/image/importcheck.py``): the top-level modules of site-packages
  that import before pruning are imported again, each in a fresh process of the prefix's own Python, while
  the selected files wait in a trash inside the prefix; what a failing import needs goes back (every file,
  when that is not enough). A prefix without a Python that runs here is pruned without the check.
* A file that cannot be removed is reported on stderr and counted as "not removed"; the run goes on.

Sizes are apparent sizes (``st_size``) of regular files; symbolic links count 0 bytes, directories are
not counted. A file with several hard links is counted at each path.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from envslim.errors import EnvslimError
from envslim.image.importscan import ImportScanner
from envslim.image.categories import Category, categories
from envslim.image.fsguard import os_error_text, mount_points_under
from envslim.image.interrupt import commit, held, pause
from envslim.image.trash import TRACE_PREFIX, TRASH_PREFIX, Trash


# -- the prefix --------------------------------------------------------------------------------------


SYSTEM_DIRS = ("/", "/usr", "/opt")  # never a prefix, nor a parent of one of them (nor of the home directory)


def prefix_kind(path: str, *, homes: tuple[str, ...] | None = None) -> str:
    """"conda" (``conda-meta/``) or "venv" (``pyvenv.cfg``); raises EnvslimError (one line, nothing touched)
    when ``path`` is not an environment, or when it resolves (symbolic links followed) to ``/``, ``/usr``,
    ``/opt``, the home directory or a parent of one of them, or to ``/usr/local`` without ``conda-meta/``.
    A ``lib/pythonX.Y/site-packages`` alone does not make an environment: ``/usr`` has one on Fedora, RHEL
    and Arch. ``homes`` defaults to ``$HOME`` and the user's entry in the password database."""
    if not os.path.isdir(path):
        raise EnvslimError(f"{path}: no such directory")
    real = os.path.realpath(path)
    shown = path if real == os.path.normpath(os.path.abspath(path)) else f"{path} (resolves to {real})"
    conda = _holds(real, "conda-meta", stat.S_ISDIR)
    why = refusal(real, _homes() if homes is None else homes, conda)
    if why:
        raise EnvslimError(f"{shown}: {why}; envslim prune works only inside an environment; nothing was changed")
    if conda:
        return "conda"
    if _holds(real, "pyvenv.cfg", stat.S_ISREG):
        return "venv"
    raise EnvslimError(f"{shown}: not an environment (neither conda-meta/ nor pyvenv.cfg in it); nothing was changed")


def _holds(real: str, name: str, kind) -> bool:
    try:
        return kind(os.lstat(os.path.join(real, name)).st_mode)
    except OSError:
        return False


def refusal(real: str, homes: tuple[str, ...], conda: bool) -> str | None:
    """Why the resolved path ``real`` is never a prefix, or None."""
    if real == "/":
        return "the root directory"
    if real in SYSTEM_DIRS:
        return "a system directory"
    if real == "/usr/local" and not conda:
        return "a system directory without conda-meta/"
    for home in homes:
        if real == home:
            return "the home directory"
    for below in (*SYSTEM_DIRS, *homes):
        if below.startswith(real.rstrip("/") + "/"):
            return f"a parent of {below}"
    return None


def _homes() -> tuple[str, ...]:
    found = []
    try:
        import pwd

        found.append(pwd.getpwuid(os.getuid()).pw_dir)
    except (ImportError, KeyError):
        pass
    if os.environ.get("HOME"):
        found.append(os.environ["HOME"])
    return tuple(dict.fromkeys(os.path.realpath(h) for h in found if os.path.isabs(h)))


# -- the plan --------------------------------------------------------------------------------------


@dataclass
class Removal:
    """What one category takes: files (path relative to the prefix, bytes) and the directories to empty."""

    category: Category
    files: list[tuple[str, int]] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)  # every directory inside a selected tree, and the tree


@dataclass
class Selection:
    """What each category would remove from one prefix, and the directories kept with the reason."""

    prefix: str
    kind: str
    total_bytes: int = 0
    total_files: int = 0
    removals: dict[str, Removal] = field(default_factory=dict)
    kept: list[tuple[str, str, str]] = field(default_factory=list)  # (dir, category id, why)
    keep: tuple[str, ...] = ()  # the --keep globs


def kept_by(rel: str, keep: tuple[str, ...]) -> bool:
    """True when ``rel`` or one of its parent directories matches a ``--keep`` glob."""
    if not keep:
        return False
    parts = rel.split("/")
    return any(fnmatchcase("/".join(parts[:i]), g) for i in range(len(parts), 0, -1) for g in keep)


def select(prefix: str, *, aggressive: bool = False, keep: tuple[str, ...] = ()) -> Selection:
    """Walk ``prefix`` (never following a symbolic link) and decide what each category removes."""
    kind = prefix_kind(prefix)
    cats = categories(aggressive=aggressive, conda=kind == "conda")
    plan = Selection(prefix, kind, removals={c.id: Removal(c) for c in cats}, keep=keep)
    scanner = ImportScanner(prefix)
    try:
        device = os.stat(prefix).st_dev
    except OSError as e:
        raise EnvslimError(f"{prefix}: {e.strerror or e}") from None
    mounts = mount_points_under(prefix)

    def claim_dir(rel: str, name: str, guarded: frozenset[str]) -> tuple[Category | None, frozenset[str]]:
        for c in cats:
            if c.id in guarded or not any(s.kind == "dir" and s.matches(rel, name) for s in c.selectors):
                continue
            why = next((w for g, w in c.guarded if fnmatchcase(rel, g)), None)
            if why is None and c.import_check:
                why = scanner.imported(rel)
            if why is None:
                return c, guarded
            plan.kept.append((rel, c.id, why))
            guarded = guarded | {c.id}
        return None, guarded

    def entries_of(rel_dir: str) -> list:
        try:
            with os.scandir(os.path.join(prefix, rel_dir)) as it:
                return sorted(it, key=lambda e: e.name)
        except OSError:
            return []

    # depth first, each folder's entries in name order and a folder's content before its next sibling, with a
    # stack of its own (a prefix a thousand folders deep ended in RecursionError)
    stack = [("", None, frozenset(), iter(entries_of("")))]
    while stack:
        rel_dir, owner, guarded, remaining = stack[-1]
        entry = next(remaining, None)
        if entry is None:
            stack.pop()
            continue
        rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
        if not rel_dir and entry.name.startswith((TRASH_PREFIX, TRACE_PREFIX)):
            continue  # a trash or trace an interrupted run left (a dry run that does not trace leaves them)
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode):
            if st.st_dev != device or os.path.join(prefix, rel) in mounts:
                plan.kept.append((rel, "mount", "a mount point: prune stays on the prefix's own mount"))
                continue
            sub_owner, sub_guarded = owner, guarded
            if owner is None:
                sub_owner, sub_guarded = claim_dir(rel, entry.name, guarded)
            if sub_owner is not None:
                plan.removals[sub_owner.id].dirs.append(rel)
            stack.append((rel, sub_owner, sub_guarded, iter(entries_of(rel))))
            continue
        size = st.st_size if stat.S_ISREG(st.st_mode) else 0
        plan.total_bytes += size
        plan.total_files += 1
        cat = owner or next(
            (
                c
                for c in cats
                if c.id not in guarded and any(s.kind == "file" and s.matches(rel, entry.name) for s in c.selectors)
            ),
            None,
        )
        if cat is None or kept_by(rel, keep):
            continue
        if cat.spare and any(fnmatchcase(entry.name.lower(), g) for g in cat.spare):
            continue
        plan.removals[cat.id].files.append((rel, size))
    return plan


# -- carrying it out ----------------------------------------------------------------------------------


@dataclass
class Check:
    """The import check of a real prune: the top-level modules of site-packages that imported before, whether
    they still do, and what was put back for those that did not."""

    python: str | None = None  # relative to the prefix; None: not checked, ``why_not`` says why
    why_not: str = ""
    checked: int = 0
    on_purpose: list[str] = field(default_factory=list)  # a category removes the module itself
    failed_before: list[tuple[str, str]] = field(default_factory=list)  # (name, why): skipped
    restored: list[tuple[str, str, int, int, bool]] = field(default_factory=list)  # (name, why, files, bytes, all)
    still_failing: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Result:
    removed: dict[str, tuple[int, int]]  # category id -> (files, bytes)
    failed: list[tuple[str, int, str]]  # (path, bytes, reason)
    check: Check | None = None  # None for a dry run


def carry_out(plan: Selection, *, dry_run: bool, check_imports: bool = True) -> Result:
    """Remove what the plan selects. The files go to a trash inside the prefix first (put back if the run
    is interrupted, by a signal or by a kill and the next run); every move goes through directory
    descriptors opened one component at a time with ``O_NOFOLLOW`` from the prefix, and stays on the
    prefix's device: a folder swapped for a symbolic link (or a mount) after the walk makes that removal
    fail, it never reaches outside the prefix.

    With ``check_imports`` (and a prefix whose Python runs here) each top-level module of site-packages that
    imported before is imported again while the files wait in the trash, and the files a failing one needs
    are put back (:func:`_carry_out`)."""
    if dry_run:
        return Result({cid: (len(r.files), sum(b for _, b in r.files)) for cid, r in plan.removals.items()}, [])
    if check_imports:
        from envslim.image import importcheck

        try:
            python, mods = importcheck.modules(plan.prefix)
        except importcheck.NoPython as e:
            outcome = _carry_out(plan, None, [])
            outcome.check = Check(why_not=f"no runnable Python in the prefix ({e})")
            return outcome
        return _carry_out(plan, python, mods)
    return _carry_out(plan, None, [])


def _deepest_first(dirs: list[str]) -> list[str]:
    return sorted(dirs, key=lambda d: (-d.count("/"), d))


def _carry_out(plan: Selection, python: str | None, mods: list) -> Result:
    """Move the selected files into a trash inside the prefix; with ``python``, import again what imported
    before, put back what a failing import needs (the files of that module and of the module its error
    names; every file when that does not help); only then empty the trash. A signal before that puts every
    file back; a kill leaves the trash for the next run to put back."""
    from envslim.image.importcheck import import_each, needed_by

    check = None
    by_name: dict[str, list] = {}
    works: list[str] = []
    if python is not None:
        check = Check(python=os.path.relpath(python, os.path.abspath(plan.prefix)))
        all_dirs = {d for r in plan.removals.values() for d in r.dirs}
        module_files = set()  # (folder, module name) of each selected file: site-packages/NAME.py and the like
        for r in plan.removals.values():
            for rel, _ in r.files:
                head, _, base = rel.rpartition("/")
                if base.endswith((".py", ".so", ".pyd")):  # a .pyc beside its .py takes no module away
                    module_files.add((head, base.split(".", 1)[0]))
        for m in mods:
            if f"{m.folder}/{m.name}" in all_dirs or (m.folder, m.name) in module_files:
                check.on_purpose.append(m.name)
            else:
                by_name.setdefault(m.name, []).append(m)
        check.on_purpose = sorted(set(check.on_purpose) - set(by_name))
        before = import_each(python, by_name)
        check.failed_before = [(n, why) for n, why in before.items() if why is not None]
        works = [n for n, why in before.items() if why is None]
        check.checked = len(works)
    failed: list[tuple[str, int, str]] = []
    where: dict[str, tuple[str, int]] = {}  # moved file -> (category id, bytes)
    if not any(r.files or r.dirs for r in plan.removals.values()):
        return Result({cid: (0, 0) for cid in plan.removals}, failed, check)
    trash = None
    try:
        try:
            with held():
                trash = Trash(plan.prefix)
        except OSError as e:
            raise EnvslimError(
                f"{plan.prefix}: cannot make a trash directory: {e.strerror or e}; nothing was changed"
            ) from None
        for cid, r in plan.removals.items():
            for rel, b in r.files:
                try:
                    trash.put(rel)
                except OSError as e:
                    failed.append((rel, b, os_error_text(e)))
                    continue
                where[rel] = (cid, b)
                if len(where) == 1:
                    pause("moving")
            for rel in _deepest_first(r.dirs):
                if kept_by(rel, plan.keep):
                    continue
                try:
                    trash.drop_dir(rel)
                except FileNotFoundError:
                    pass
                except OSError as e:
                    failed.append((rel + "/", 0, os_error_text(e)))
        pause("trashed")
        if python is not None and check is not None:
            after = import_each(python, works)
            for name in sorted(n for n, why in after.items() if why is not None):
                why = after[name]
                need = [rel for m in by_name[name] for rel in needed_by(m, why, trash.moved)]
                back = trash.give_back(need)
                again = import_each(python, [name])[name]
                everything = False
                if again is not None and trash.moved:
                    back += trash.give_back(list(trash.moved))
                    everything = True
                    again = import_each(python, [name])[name]
                if back:
                    check.restored.append((name, why, len(back), sum(where[rel][1] for rel in back), everything))
                if again is not None:
                    check.still_failing.append((name, again))
        commit("deleting the files moved aside")
    except EnvslimError:
        raise
    except BaseException:
        if trash is not None:
            trash.restore()
        raise
    kept = set(trash.moved)
    trash.empty(parents=False)
    removed = {cid: (0, 0) for cid in plan.removals}
    for rel, (cid, b) in where.items():
        if rel in kept:
            n, size = removed[cid]
            removed[cid] = (n + 1, size + b)
    return Result(removed, failed, check)


def _check_lines(check: Check | None) -> list[str]:
    if check is None:
        return []
    if check.python is None:
        return [f"import check: skipped: {check.why_not}; pruned without it"]
    plural = "" if check.checked == 1 else "s"
    lines = [f"import check ({check.python}): {check.checked:,} top-level module{plural} of site-packages imported before"]
    if check.on_purpose:
        lines.append(f"import check: not imported after (a category removes them): {', '.join(check.on_purpose)}")
    for name, why in check.failed_before:
        lines.append(f"import check: {name} not checked: its import failed before pruning too ({why})")
    for name, why, n, b, everything in check.restored:
        what = f"every file ({n:,} files, {b:,} bytes)" if everything else f"{n:,} files ({b:,} bytes)"
        lines.append(f"restored {what} for {name}: its import failed after pruning ({why})")
    for name, why in check.still_failing:
        lines.append(f"import check: {name} still fails with the files put back ({why})")
    broken = {n for n, *_ in check.restored} - {n for n, _ in check.still_failing}
    lines.append(
        f"import check: all {check.checked:,} import after pruning"
        + (f" ({len(broken)} after putting files back)" if broken else "")
        if not check.still_failing
        else f"import check: {len(check.still_failing)} of {check.checked:,} fail after pruning"
    )
    return lines


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0.0%"


def render(plan: Selection, outcome: Result, *, dry_run: bool) -> str:
    """The report: one row per category in force, the total, what stayed and why."""
    lines = [
        f"prefix {plan.prefix} ({plan.kind}): {plan.total_files:,} files, {plan.total_bytes:,} bytes",
        f"{'category':<14} {'files':>9} {'bytes':>15} {'share':>6}",
    ]
    files = size = 0
    for cid, (n, b) in outcome.removed.items():
        lines.append(f"{cid:<14} {n:>9,} {b:>15,} {_pct(b, plan.total_bytes):>6}")
        files += n
        size += b
    lines.append(f"{'total':<14} {files:>9,} {size:>15,} {_pct(size, plan.total_bytes):>6}")
    if outcome.failed:
        fb = sum(b for _, b, _ in outcome.failed)
        lines.append(f"{'not removed':<14} {len(outcome.failed):>9,} {fb:>15,} {_pct(fb, plan.total_bytes):>6}")
    for rel, cid, why in plan.kept:
        lines.append(f"kept {rel}/ ({cid}): {why}")
    lines += _check_lines(outcome.check)
    left = plan.total_bytes - size
    if dry_run:
        lines.append(f"dry run: would remove {size:,} bytes, leaving {left:,}; nothing was changed")
    else:
        lines.append(f"removed {size:,} bytes, {left:,} left")
    return "\n".join(lines) + "\n"
