"""The prune categories: what each removes (selectors), the evidence that a deployed service does not need it,
what it costs, and which are on by default. One definition for `envslim prune` and the Dockerfile's find
commands (envslim.image.findcmd)."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True)
class Selector:
    """What a category removes: a directory with everything in it, or a file (or symbolic link).

    ``path`` is a glob on the path relative to the prefix (``/``-separated, ``*`` also matches ``/``,
    as in ``find -path``); ``name`` a glob on the last component (as in ``find -name``). Both must match
    when both are given.
    """

    kind: str  # "dir" | "file"
    path: str | None = None
    name: str | None = None
    windows: bool = False  # only a Windows prefix has it (left out of the Dockerfile's find commands)

    def matches(self, rel: str, name: str) -> bool:
        return (self.path is None or fnmatchcase(rel, self.path)) and (
            self.name is None or fnmatchcase(name, self.name)
        )


@dataclass(frozen=True)
class Category:
    id: str
    summary: str
    evidence: str
    cost: str
    selectors: tuple[Selector, ...]
    aggressive: bool = False
    conda_only: bool = False
    # Files under a selected directory whose name matches one of these (case-insensitive) stay.
    spare: tuple[str, ...] = ()
    # Directories that match a selector but stay, with the reason (known run-time imports).
    guarded: tuple[tuple[str, str], ...] = ()
    # Also keep a selected directory when a non-test module of its package imports it (Python only).
    import_check: bool = False


# A package that imports its own tests directory when it is imported. Evidence: astropy 8.0.2
# (PyPI wheel, checked 2026-11-27), astropy/__init__.py line 182: ``from .tests.runner import TestRunner``;
# astropy-affiliated packages import ``astropy.tests.runner`` too.
TESTS_IMPORTED_AT_RUN_TIME: tuple[tuple[str, str], ...] = (
    ("*/site-packages/astropy/tests", "astropy/__init__.py imports .tests.runner"),
)

LICENSE_NAMES = ("licen[cs]e*", "copying*", "copyright*", "notice*")

CATEGORIES: tuple[Category, ...] = (
    Category(
        id="tests",
        summary="test suites inside installed packages (pandas/tests, numpy/_core/tests, ...)",
        evidence=(
            "Run only by pytest against the package itself; a service never imports them. Korn 2021 removed "
            "scipy/pandas/numpy tests (25 MB); the seed found pandas/tests 26 MB and numpy tests 7.6 MB. Only "
            "directories named tests or test inside a package are taken: helpers a package imports at run time "
            "have other names (numpy.testing, pandas._testing, matplotlib.testing) and stay; a tests directory "
            "that a non-test module of its package imports stays (astropy imports astropy.tests.runner)."
        ),
        cost="pkg.test() and pytest --pyargs pkg no longer work in the image",
        selectors=(
            Selector("dir", path="*/site-packages/*/tests"),
            Selector("dir", path="*/site-packages/*/test"),
        ),
        guarded=TESTS_IMPORTED_AT_RUN_TIME,
        import_check=True,
    ),
    Category(
        id="js-maps",
        summary="JavaScript and CSS source maps (*.js.map, *.css.map)",
        evidence=(
            "Read only by a browser's developer tools. JCH 2019 removed 19 MB of *.js.map; repo2docker#709 "
            "(minrk) kept their removal while reverting *.a."
        ),
        cost="browser devtools show minified code for bundled web assets",
        selectors=(Selector("file", name="*.js.map"), Selector("file", name="*.css.map")),
    ),
    Category(
        id="docs",
        summary="man pages, info pages and documentation under share/ (licence texts stay)",
        evidence=(
            "Read by man, info and people; a service image has no reader for them. Debian's -slim images "
            "leave out /usr/share/man, /usr/share/info and /usr/share/doc the same way (dpkg path-exclude, "
            "debuerreotype slimify) but keep copyright files; likewise licence and notice files stay here: "
            "redistributing an image may require them."
        ),
        cost="man pkg / info pkg show nothing inside the image",
        selectors=(
            Selector("dir", path="share/man"),
            Selector("dir", path="share/info"),
            Selector("dir", path="share/doc"),
            Selector("dir", path="share/gtk-doc"),
        ),
        spare=LICENSE_NAMES,
    ),
    Category(
        id="pip",
        summary="pip itself (site-packages/pip, its metadata, bin/pip*)",
        evidence=(
            "A deployed prefix installs nothing, and nothing imports pip at run time: pip's internals are no "
            "public API. Korn 2021 removed site-packages/pip (5 MiB); 4% of a numpy+pandas+pyarrow venv "
            "(bench/prune_venv.py). An old pip in an image is also a scanner finding of its own. "
            "Keep it with --keep '*/site-packages/pip*' --keep 'bin/pip*' when the image is a base for "
            "further pip installs; `python -m ensurepip` restores it where the stdlib has ensurepip."
        ),
        cost="pip install / pip list / pip freeze inside the image",
        selectors=(
            Selector("dir", path="*/site-packages/pip"),
            Selector("dir", path="*/site-packages/pip-*.dist-info"),
            Selector("file", path="bin/pip"),
            Selector("file", path="bin/pip3"),
            Selector("file", path="bin/pip3.*"),
            Selector("file", path="Scripts/pip.exe", windows=True),
            Selector("file", path="Scripts/pip3.exe", windows=True),
            Selector("file", path="Scripts/pip3.*.exe", windows=True),
        ),
    ),
    Category(
        id="conda-pkgs",
        summary="conda's package cache (pkgs/ of a base prefix)",
        evidence=(
            "Downloaded archives and extracted copies of what is already linked into the prefix; conda clean -a "
            "removes the same. JCH 2019: conda clean -afy 729 MB -> 633 MB; seqeralabs/wave#1038: micromamba "
            "clean -a -y 1,033,016,941 -> 181,422,464 bytes."
        ),
        cost="a later conda install downloads again",
        selectors=(Selector("dir", path="pkgs"),),
        conda_only=True,
    ),
    Category(
        id="conda-history",
        summary="conda-meta/history (the log of install transactions)",
        evidence=(
            "Read only by conda list --revisions, conda install --revision and conda env export --from-history; "
            "a deployed prefix is never revised."
        ),
        cost="conda env export --from-history of the image's env is empty",
        selectors=(Selector("file", path="conda-meta/history"),),
        conda_only=True,
    ),
    Category(
        id="sanitizers",
        summary="sanitizer runtimes (lib/libasan.so*, libtsan, liblsan, libubsan, libhwasan)",
        evidence=(
            "Loaded only by programs built with -fsanitize=...; conda-forge's libsanitizer package, which "
            "gcc_impl_linux-64 pulls into any env with compilers, installs them (libsanitizer 15.2.0 linux-64: "
            "5,133,768-byte archive, pixi.lock records in ../shared/data/raw/lock_entries.jsonl, 2026). Korn 2021 "
            "removed 23 MiB of them; Debian 12's builds of the same runtimes (gcc 12) measure 21,884,552 bytes "
            "(libasan.so.8 8,198,800, libtsan.so.2 7,991,864, liblsan.so.0 2,995,512, libubsan.so.1 2,698,376; "
            "measured here 2026-12-02)."
        ),
        cost="a program built with -fsanitize cannot start in the image (only debugging builds are)",
        selectors=tuple(
            Selector("file", path=f"lib/{lib}.so*") for lib in ("libasan", "libhwasan", "liblsan", "libtsan", "libubsan")
        ),
    ),
    Category(
        id="stdlib-extras",
        summary="parts of the standard library a service never runs (idlelib, tkinter, turtledemo, ensurepip, test)",
        evidence=(
            "The IDLE editor, the Tk GUI bindings, the turtle demos, pip's bootstrapper and CPython's own test "
            "suite; a conda prefix holds the standard library, a venv does not. Measured on CPython 3.11.7 "
            "(with byte-code, 2026-12-02): test 119,083,204 bytes, idlelib 7,465,146, tkinter 3,914,543 "
            "(+ _tkinter 243,120), ensurepip 3,378,883, turtledemo 456,631."
        ),
        cost=(
            "import tkinter fails (matplotlib's TkAgg backend too; the headless default Agg is unaffected), "
            "python -m venv cannot install pip into a new venv (python -m venv --without-pip still works), "
            "no IDLE, no python -m test"
        ),
        selectors=tuple(
            Selector("dir", path=f"lib/python3.{v}/{d}")
            for v in ("[0-9]", "[0-9][0-9]")
            for d in ("idlelib", "tkinter", "turtledemo", "ensurepip", "test")
        )
        + tuple(Selector("file", path=f"lib/python3.{v}/lib-dynload/_tkinter.*") for v in ("[0-9]", "[0-9][0-9]"))
        + (Selector("file", path="bin/idle3"), Selector("file", path="bin/idle3.*")),
    ),
    Category(
        id="cython-sources",
        summary="Cython sources and declarations (*.pyx, *.pxd, *.pxi)",
        evidence=(
            "Read only by the Cython compiler: the compiled extension modules are what runs. Packages ship them so "
            "that others can cimport their C API at build time (numpy/__init__.pxd, pyarrow/*.pxd)."
        ),
        cost="building a Cython extension against the env (cimport numpy, cimport pyarrow) fails in the image",
        selectors=(
            Selector("file", name="*.pyx"),
            Selector("file", name="*.pxd"),
            Selector("file", name="*.pxi"),
        ),
        aggressive=True,
    ),
    Category(
        id="bytecode",
        summary="compiled bytecode (__pycache__/, *.pyc, *.pyo)",
        evidence=(
            "Python recompiles a module from its source when its .pyc is missing. 19% of a numpy+pandas+pyarrow "
            "venv; JCH 2019 removed 54 MB."
        ),
        cost=(
            "every container start recompiles what it imports: start-up time (cognee#3051: import 15.5 s "
            "without vs 7.1 s with bytecode; pangeo-docker-images#426: imports up to 15 s); set "
            "PYTHONDONTWRITEBYTECODE=1 so the recompiled bytecode is not written into the container"
        ),
        selectors=(
            Selector("dir", name="__pycache__"),
            Selector("file", name="*.pyc"),
            Selector("file", name="*.pyo"),
        ),
        aggressive=True,
    ),
    Category(
        id="static-libs",
        summary="static libraries (*.a)",
        evidence="Used only when linking; a running service links nothing. JCH 2019 removed 42 MB.",
        cost=(
            "breaks run-time compilation that links against the env (Cython/pyximport, numba AOT, cling, "
            "FEniCS): repo2docker#709 reverted removing *.a for that reason"
        ),
        selectors=(Selector("file", name="*.a"),),
        aggressive=True,
    ),
    Category(
        id="headers",
        summary="C and C++ headers (*.h, *.hh, *.hpp, *.hxx)",
        evidence="Read only by a compiler. Korn 2021 removed include/ (5 MiB); 1.5% of a numpy+pandas+pyarrow venv.",
        cost=(
            "breaks run-time compilation against the env (numpy.get_include(), pyarrow.get_include(), "
            "Cython, cffi API mode, torch extensions)"
        ),
        selectors=(
            Selector("file", name="*.h"),
            Selector("file", name="*.hh"),
            Selector("file", name="*.hpp"),
            Selector("file", name="*.hxx"),
        ),
        aggressive=True,
    ),
)


def categories(*, aggressive: bool, conda: bool = True) -> list[Category]:
    """The categories in force, in the order they claim files."""
    return [c for c in CATEGORIES if (aggressive or not c.aggressive) and (conda or not c.conda_only)]
