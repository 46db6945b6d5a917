"""Proof by a solve: solve an environment for its target platforms with py-rattler (conda side) and
uv (pip side, against the conda side), measure every artifact's installed bytes, attribute them to the
requested specs, and verify a fix by solving the file before and after it.

Nothing here is imported on the hook path: ``envslim.solve`` itself imports only the standard library,
and rattler, uv and httpx are imported inside the functions that need them (install them with
``pip install 'envslim[solve]'``). The modules, in the order data flows through them:

- :mod:`~envslim.solve.channels`: channel names -> URLs (alias, ``defaults``, ``nodefaults``).
- :mod:`~envslim.solve.target`: ``Target(platform, glibc, cuda)``: virtual packages, uv's platform.
- :mod:`~envslim.solve.conda`: ``solve_conda``: rattler's solver, strict channel priority.
- :mod:`~envslim.solve.pip`: ``resolve_pip``: ``uv pip compile`` against the conda side's pins.
- :mod:`~envslim.solve.sizes`: installed bytes from ``info/paths.json`` and wheel central
  directories, cached by sha256.
- :mod:`~envslim.solve.model`: ``Size``, ``SolvedPackage``, ``Solution``, ``Attribution``; the packages
  and bytes each requested spec alone needs (``attribute``).
- :mod:`~envslim.solve.engine`: ``EnvSpec``, ``Settings``, ``solve_environment``, ``solve_many``.
- :mod:`~envslim.solve.verify`: ``compare`` a before/after pair: verified, measured saving, reason.
- :mod:`~envslim.solve.errors`: ``Unsolvable`` and ``SolveUnavailable``, one-line messages.
- :mod:`~envslim.solve.lockfiles`: the solved set from a pixi.lock or conda-lock.yml, no solve.

What the commands call (the only modules that know the rewrite plan and the environment file; the
commands' own side, which prints, is ``envslim.commands.solving``):

- :mod:`~envslim.solve.fileplan`: ``prove(plan, settings)``: before, after and each fix alone; the
  report's text and markdown for a proven plan.
- :mod:`~envslim.solve.pixi`: the adapter for a pixi manifest's environment.
- :mod:`~envslim.solve.refresh`: the measuring of ``knowledge refresh --conda NAME``.

Imports from the rest of envslim: ``envslim.online`` (the http session and its cache, remote zip
reads, PyPI wheel tags), ``envslim.display`` (the redactor), ``envslim.knowledge.names`` (conda -> PyPI
names); the adapters also use ``envslim.document`` (the Document), ``envslim.rules`` (a fix's kind),
``envslim.plan`` (outcomes), ``envslim.errors`` and ``envslim.config``.
"""
