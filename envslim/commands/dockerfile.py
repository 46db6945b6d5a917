"""``envslim dockerfile ENVFILE``: a slim multi-stage Dockerfile for an environment file, on stdout or
written (atomically) to ``--output``."""

from __future__ import annotations

import os
import re
import shlex

from envslim.document import open_document
from envslim.document.atomic import check_output, write_atomic
from envslim.errors import EnvslimError
from envslim.image.dockerfile import Options, build_line, check_image, parse_user, refuse_control, render


def _source(envfile: str, context: str) -> str:
    rel = os.path.relpath(os.path.abspath(envfile), os.path.abspath(context))
    if rel == ".." or rel.startswith(".." + os.sep):
        raise EnvslimError(f"{envfile}: not inside the build context {context} (see --context)")
    return rel.replace(os.sep, "/")


def run(options, out, err) -> int:
    if options.entrypoint is not None:
        try:
            entry = shlex.split(options.entrypoint)
        except ValueError as e:
            raise EnvslimError(f"envslim dockerfile: --entrypoint: {e}") from None
        if not entry:
            raise EnvslimError("envslim dockerfile: --entrypoint is empty")
    else:
        entry = None
    output = None if options.output in (None, "-") else options.output  # (-o -: standard output)
    opts = Options(
        build=build_line(output, options.context),
        installer=options.installer,
        base=options.base,
        distroless=options.distroless,
        user=options.user,
        entrypoint=entry,
        cache=options.cache,
        aggressive=options.aggressive,
        keep=tuple(options.keep),
        smoke=options.smoke,
        envslim_wheel=_source(options.envslim_wheel, options.context) if options.envslim_wheel else None,
    )
    for what, value in (("--base", opts.base or ""), ("--user", opts.user or ""),
                        *(("--entrypoint", w) for w in entry or ()), *(("--keep", k) for k in opts.keep),
                        ("--smoke", opts.smoke or ""), ("--envslim-wheel", opts.envslim_wheel or ""),
                        ("-o", output or ""), ("--context", options.context)):
        refuse_control(value, f"envslim dockerfile: {what}")
    if opts.envslim_wheel is not None and re.search(r"[\s\"'$\\]", opts.envslim_wheel):
        raise EnvslimError(f"envslim dockerfile: --envslim-wheel {opts.envslim_wheel!r}: a path without spaces or quotes, please")
    if opts.smoke is not None:
        from envslim.display import redact

        if not opts.smoke.strip():
            raise EnvslimError("envslim dockerfile: --smoke is empty")
        if redact(opts.smoke) != opts.smoke:
            raise EnvslimError(
                "envslim dockerfile: --smoke: the command holds credentials in a URL, which the Dockerfile would "
                "show; read them from a build secret (RUN --mount=type=secret) instead"
            )
    if opts.user not in (None, "root"):
        parse_user(opts.user)
    if opts.base is not None:
        check_image(opts.base)
    if output is not None:
        if _same_file(output, options.envfile):
            raise EnvslimError(f"{output}: is the environment file itself; write the Dockerfile to another path")
        check_output(output)  # a device, a FIFO, a directory: refused before anything is done
    source = _source(options.envfile, options.context)
    doc = open_document(options.envfile)
    if doc.format == "pixi":
        text = _pixi(options, source, opts, doc)
        _warn_rewrite_due(options.envfile, err)
        if output is None:
            out.write(text)
        else:
            _refuse_an_input(output, doc.lock_beside())
            _write(output, text)
        return 0
    env = doc.environment(options.environment, "linux-64")  # (--environment: an error for an environment file)
    from dataclasses import replace

    from envslim.image import lockbuild

    lock = lockbuild.decide(options.envfile, env, opts.installer, lambda p: _source(p, options.context))
    if lock is not None:
        opts = replace(opts, lock=lock)
        warning = lock.warning(source)
        if warning:
            from envslim.display import printable, redact

            print(printable(redact(warning)), file=err)
    text = render(env, source, opts)
    _warn_rewrite_due(options.envfile, err)
    if opts.smoke is not None:
        _warn_wheel_missing(opts.envslim_wheel, options.context, err)
    if output is None:
        out.write(text)
        return 0
    wheel = os.path.join(options.context, opts.envslim_wheel) if opts.envslim_wheel else None
    _refuse_an_input(output, lock.path if lock is not None else None, wheel)
    _write(output, text)
    return 0


def _refuse_an_input(output: str, *inputs: str | None) -> None:
    """``-o`` onto a file the build reads (the lock beside the environment, envslim's wheel) would destroy
    it: refused, nothing written."""
    for given in inputs:
        if given and _same_file(output, given):
            raise EnvslimError(f"{output}: is an input of the build ({given}); write the Dockerfile to another path")


def _pixi(options, source: str, opts, manifest) -> str:
    """A pixi workspace's Dockerfile: its ``pixi.lock`` beside the manifest is what the build installs."""
    from envslim.image.dockerfile import render_pixi

    if opts.smoke is not None:
        raise EnvslimError("envslim dockerfile: --smoke takes an environment file, not a pixi manifest")
    environment = options.environment or "default"
    env = manifest.environment(environment, "linux-64")  # (the image's platform; bad name: the error lists them)
    listed = manifest.environment_platforms(environment)
    if listed and not any(p.startswith("linux-") for p in listed):  # pixi refuses a platform the workspace lacks
        raise EnvslimError(f"{options.envfile}: the workspace's platforms ({', '.join(listed)}) have no Linux one, so"
                           " `pixi install` cannot install it in an image: add linux-64 to platforms and run `pixi lock`")
    lock = manifest.lock_beside()
    if lock is None:
        raise EnvslimError(f"{options.envfile}: no pixi.lock beside it: run `pixi lock` (the build installs with --locked)")
    names = [condaname(i.value) for i in env.deps]
    has_python = "python" in names or bool(env.pip_items)
    return render_pixi(source, _source(lock, options.context), environment, names, has_python, opts)


def _warn_rewrite_due(envfile: str, err) -> None:
    """A warning when ``envslim rewrite`` would still change the file (its config applies): the image
    would be smaller after it."""
    from types import SimpleNamespace

    from envslim.display import printable, redact
    from envslim.plan import known_rules, plan_file

    rules = SimpleNamespace(config=None, unsafe_fixes=False, select=frozenset(), ignore=frozenset(),
                            extend_select=frozenset(), annotate=False)
    try:
        _, _, plan = plan_file(envfile, rules, known_rules(frozenset(), frozenset()))
    except EnvslimError:  # (a bad config: the rewrite says so itself)
        return
    if not plan.changed:
        return
    fixes = ", ".join(dict.fromkeys(f"{o.finding.rule} {o.finding.package}" for o in plan.applied))
    print(printable(redact(f"envslim: warning: {envfile} still has a rewrite due ({fixes}): run `envslim rewrite"
                           f" {shlex.quote(envfile)}` first, and the image comes out smaller")), file=err)


def _warn_wheel_missing(wheel: str | None, context: str, err) -> None:
    """--smoke installs envslim from its wheel in the build context: say so when it is not there."""
    from envslim import __version__
    from envslim.image.smoke import default_wheel

    name = wheel or default_wheel()
    if os.path.isfile(os.path.join(context, name)):
        return
    print(f"envslim: warning: --smoke needs envslim's wheel in the build context, and"
          f" {os.path.normpath(os.path.join(context, name))} is not there: `pip wheel --no-deps --wheel-dir {shlex.quote(context)}"
          f" envslim=={__version__}` puts it there (or name another with --envslim-wheel)", file=err)


def condaname(spec: str) -> str:
    return re.split(r"[\s=<>!~\[]", spec.strip(), maxsplit=1)[0].lower()


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _write(path: str, text: str) -> None:
    from envslim.display import redact

    try:
        write_atomic(path, redact(text))  # (the file is an output like stdout: the same boundary)
    except OSError as e:
        raise EnvslimError(f"{path}: cannot write: {e.strerror or e}") from None
