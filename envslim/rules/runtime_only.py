from __future__ import annotations

from envslim.knowledge import footprint
from envslim.document.edits import RemoveItem
from envslim.rules import Context, Finding, register
from envslim.rules.common import knowledge_target, parsed_lines, saving_of

# What an image's service does not run: why each kind is there.
_EXACT = {
    "notebook": "a notebook server", "ipykernel": "a Jupyter kernel", "ipywidgets": "notebook widgets",
    "nbconvert": "notebook conversion", "nb_conda_kernels": "a Jupyter kernel finder", "spyder": "an IDE",
    "pytest": "a test runner", "tox": "a test runner", "nox": "a test runner",
    "coverage": "test coverage", "hypothesis": "a testing library", "sphinx": "a documentation builder",
    "compilers": "compilers", "c-compiler": "a C compiler", "cxx-compiler": "a C++ compiler",
    "fortran-compiler": "a Fortran compiler", "gcc": "a C compiler", "gxx": "a C++ compiler",
    "gfortran": "a Fortran compiler", "clang": "a C compiler", "cmake": "a build tool", "make": "a build tool",
    "ninja": "a build tool", "ccache": "a compiler cache", "pkg-config": "a build tool", "autoconf": "a build tool",
    "automake": "a build tool", "meson": "a build tool",
    "black": "a formatter", "flake8": "a linter", "pylint": "a linter", "mypy": "a type checker",
    "ruff": "a linter", "pre-commit": "a commit hook runner", "qt": "a GUI toolkit", "qt-main": "a GUI toolkit",
    "qt6-main": "a GUI toolkit", "pyqt": "a GUI toolkit binding", "pyside2": "a GUI toolkit binding",
    "pyside6": "a GUI toolkit binding",
}
_PREFIXES = (("jupyter", "a Jupyter component"), ("pytest-", "a test runner plugin"),
             ("sphinx", "a documentation builder"), ("gcc_", "a C compiler"), ("gxx_", "a C++ compiler"),
             ("gfortran_", "a Fortran compiler"), ("spyder", "an IDE"))


def _why(name: str) -> str | None:
    if name in _EXACT:
        return _EXACT[name]
    return next((why for prefix, why in _PREFIXES if name.startswith(prefix)), None)


@register("ES008", "not-needed-at-run-time", "Development tools in an image: notebooks, test runners, compilers, a GUI", "unsafe", fix="drop", opt_in=True)
def check(ctx: Context):
    """
    ## What it does
    Opt-in (not in the default selection; enable it with `--extend-select ES008` or `extend-select =
    ["ES008"]`): for a file that goes into an image, lists the packages a running service never needs:
    Jupyter (`jupyter*`, `notebook`, `ipykernel`), IDEs (`spyder`), test runners (`pytest*`, `tox`),
    documentation builders (`sphinx*`), compilers and build tools (`compilers`, `gcc`, `cmake`, `make`,
    `ninja`, `ccache`), linters, and Qt in a headless service. Each finding gives the package's size
    where the knowledge base has a figure (`envslim explain cmake`).

    ## Why is this bad?
    They are installed into the image and shipped with it. A compiler toolchain alone is hundreds of
    MB; Jupyter pulls a web server, a kernel and their closures.

    ## Example
    ```yaml
    dependencies:
      - fastapi
      - jupyterlab
      - pytest
    ```

    ## Use instead
    ```yaml
    dependencies:
      - fastapi
    ```
    and keep the development tools in a separate `environment-dev.yml`.

    ## When it does not fire
    Not by default: many environment files are development environments, where these packages are
    the point. A package named by a suppression comment or `keep` stays.

    ## Fix safety
    Unsafe: the image may run notebooks, tests or builds on purpose (a CI image, a JupyterHub image,
    a package that compiles code at run time such as numba's AOT or pythran). Check what the image runs.
    """
    for name, item, _spec in parsed_lines(ctx.env):
        why = _why(name)
        if why is None:
            continue
        est = footprint.removal(ctx.load(name), target=knowledge_target(ctx, name))
        env = ctx.environment()
        eff = None
        if env.packages.get(name) is not None:  # priced on the environment: what only it brings leaves
            from envslim.environment import effects

            eff = effects.effect_of_drop(env, name)
        yield Finding("ES008", name, f"{why}, not needed at run time in an image: drop it from the image's environment",
                      item=item, ops=(RemoveItem(item),), safety="unsafe", effect=eff, **saving_of(eff, est))
