"""``envslim dockerfile ENVFILE``: a slim multi-stage Dockerfile for a conda environment file.

The seed's three tricks, written out:

1. **Multi-stage build.** The build stage creates the environment at a fixed prefix with micromamba
   (or conda from miniforge); the final stage copies that prefix and nothing else: no conda, no
   package cache, no compilers or apt build tools. The prefix keeps its path (conda packages have it
   compiled in, Korn 2021), and goes on PATH because ``conda activate`` does not work in a Dockerfile.
2. **Delete what the service never needs,** inside the build stage: the categories of
   ``envslim prune`` (envslim/image/prune.py, which holds their evidence), as ``find`` commands generated
   from the same definitions.
3. **pip for packages with bloated conda closures** is the job of ``envslim rewrite``; here the
   ``pip:`` section is installed by the environment's own pip with no pip cache.

The output passes hadolint with no findings (tests/image/test_dockerfile.py runs it).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass


from envslim.display import BIDI
from envslim.document.envfile import EnvFile, conda_sort_key
from envslim.errors import EnvslimError, InputError
from envslim.image import activation
from envslim.image.findcmd import find_commands
from envslim.image.categories import categories

PREFIX = "/opt/conda/envs/app"  # fixed: the final stage needs the same path (prefixes are compiled in)
ENV_IN_IMAGE = "/tmp/environment.yml"


@dataclass(frozen=True)
class Installer:
    image: str
    create: str  # the command, given the env file and prefix
    clean: str
    user_mount: str  # uid/gid options of the cache mount (the user the stage runs as)
    note: str
    create_plain: str = ""  # create {prefix} with {specs} from conda-forge (envslim's own env for --smoke)
    owner: str = ""  # uid:gid for files COPY'd into the build stage that the stage's user writes beside


INSTALLERS = {
    # mambaorg/micromamba runs as mambauser (uid/gid 57439), who owns /opt/conda; its package cache is
    # /opt/conda/pkgs. The debian12 variant matches the default final base (same glibc: the solver picks
    # packages for the build stage's __glibc).
    "micromamba": Installer(
        image="mambaorg/micromamba:2.3.2-debian12-slim",
        create="micromamba create --yes --prefix {prefix} --file {file}{channel}",
        clean="micromamba clean --all --yes",
        user_mount=",uid=57439,gid=57439",
        note="micromamba runs as the image's mambauser (uid/gid 57439), who owns /opt/conda.",
        create_plain="micromamba create --yes --prefix {prefix} --channel conda-forge {specs}",
        owner="57439:57439",
    ),
    # condaforge/miniforge3 runs as root; conda env create installs the pip: section with the env's pip.
    "miniforge": Installer(
        image="condaforge/miniforge3:25.3.0-1",
        create="conda env create --prefix {prefix} --file {file}",
        clean="conda clean --all --yes",
        user_mount="",
        note="miniforge's conda runs as root; the image is Ubuntu-based: keep the final base's glibc at least as new.",
        create_plain="conda create --yes --prefix {prefix} {specs}",
    ),
}

DEFAULT_BASE = "debian:bookworm-slim"
DISTROLESS_BASE = "gcr.io/distroless/base-debian12:nonroot"
DISTROLESS_NONROOT = "65532:65532"
DEFAULT_USER = "10001"  # the final stage's non-root user (uid and gid) unless --user says otherwise
APP_DIR = "/opt/app"  # the final stage's WORKDIR for an environment file (a pixi workspace's is PIXI_WORKDIR)


@dataclass(frozen=True)
class Options:
    installer: str = "micromamba"
    base: str | None = None
    distroless: bool = False
    user: str | None = None  # "UID" or "UID:GID"; "root" for none; None: DEFAULT_USER (distroless: its nonroot)
    entrypoint: list[str] | None = None
    cache: str = "mount"  # "mount" | "clean"
    aggressive: bool = False
    keep: tuple[str, ...] = ()
    smoke: str | None = None  # a smoke test for envslim prune --keep-used-by in the build stage
    envslim_wheel: str | None = None  # its wheel, relative to the build context
    lock: object = None  # envslim.image.lockbuild.LockUse: a lockfile beside the env file, used or why not
    build: str = "docker build -t IMAGE ."  # the header's build command (build_line: where -o wrote)


def _check_pip(env: EnvFile) -> None:
    if not env.has_pip_section:
        return
    if any(conda_sort_key(d.value) == "pip" for d in env.deps):
        return
    item = env.pip_item
    raise InputError(
        env.path,
        item.line + 1,
        item.col + 1,
        "a pip: section needs pip in dependencies (add '- pip': the build installs the pip: list with the "
        "environment's own pip)",
    )


def _has_python(env: EnvFile) -> bool:
    return env.has_pip_section or any(conda_sort_key(d.value) == "python" for d in env.deps)


MAX_ID = 2**32 - 2  # uid_t and gid_t are 32 bits; 4294967295 is (uid_t) -1, "no change" to chown


def parse_user(text: str) -> tuple[str, str]:
    """``UID[:GID]`` -> the two numbers as text: ASCII digits, a UID from 1 and both at most ``MAX_ID``."""
    m = re.fullmatch(r"([0-9]{1,20})(?::([0-9]{1,20}))?", text)
    if not m or int(m.group(1)) == 0:
        raise EnvslimError(
            f"envslim dockerfile: --user {text!r}: expected a non-zero numeric UID or UID:GID "
            "(a name may not resolve on the host: hadolint DL3066)"
        )
    uid, gid = int(m.group(1)), int(m.group(2) or m.group(1))
    if max(uid, gid) > MAX_ID:
        raise EnvslimError(f"envslim dockerfile: --user {text!r}: a UID or GID is at most {MAX_ID} (32 bits)")
    return str(uid), str(gid)


# An image reference as Docker's distribution/reference grammar has it: [domain[:port]/]path[:tag][@digest],
# the path's components lower-case alphanumerics joined by ``.``, ``_``, ``__`` or dashes, a tag of at most
# 128 word characters, dots and dashes, a digest ``algorithm:hex``. (Each part is one way to read each
# character, so the match cannot backtrack; the whole is capped at 512 characters before it is tried.)
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_PATH_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE = re.compile(
    rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?/)?{_PATH_PART}(?:/{_PATH_PART})*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?",
    re.ASCII,
)


def check_image(text: str, what: str = "--base") -> None:
    """Refuse what is not an image reference (``debian"; RUN id; "`` would be written into ``FROM`` as is)."""
    if len(text) > 512 or not _IMAGE.fullmatch(text):
        from envslim.display import printable

        raise EnvslimError(f"envslim dockerfile: {what} {printable(text[:200])!r}: not an image reference"
                           " (NAME[:TAG][@DIGEST], e.g. debian:12-slim or registry.example.com:5000/team/app:1.2)")


def _prune_lines(opts: Options, prefix: str = PREFIX) -> list[str]:
    """The prune commands, one alternative per line, each category introduced by a comment."""
    summaries = {c.id: c for c in categories(aggressive=opts.aggressive, conda=True)}
    lines: list[str] = []
    for cmd in find_commands(prefix, aggressive=opts.aggressive, keep=opts.keep):
        lines.append(" && " + " ".join(cmd.head) + " \\( \\")
        seen = None
        for i, (cid, terms) in enumerate(cmd.alternatives):
            if cid != seen:
                c = summaries[cid]
                lines.append(f"        # {cid}: {c.summary}")
                seen = cid
            lines.append(f"     {'-o ' if i else '   '}{' '.join(terms)} \\")
        lines.append("    \\) -delete \\")
    lines[-1] = lines[-1][: -len(" \\")]
    return lines


def render(env: EnvFile, source: str, opts: Options) -> str:
    """The Dockerfile text for ``env`` (read from ``source``, the path COPY uses)."""
    _check_pip(env)
    inst = INSTALLERS[opts.installer]
    channel = "" if env.channel_names else " --channel conda-forge"
    if opts.installer == "miniforge":
        channel = ""  # miniforge's conda defaults to conda-forge
    create = inst.create.format(prefix=PREFIX, file=ENV_IN_IMAGE, channel=channel)
    lock = opts.lock
    if lock is not None and lock.used:
        from envslim.image.lockbuild import LOCK_IN_IMAGE

        create = inst.create.format(prefix=PREFIX, file=LOCK_IN_IMAGE, channel="")
    base = opts.base or (DISTROLESS_BASE if opts.distroless else DEFAULT_BASE)
    cats = categories(aggressive=opts.aggressive, conda=True)
    refuse_control(env.name or "", f"{source}: the environment's name")
    refuse_control(source, "the environment file's path")
    name = f' "{env.name}"' if env.name else ""

    out = [
        "# syntax=docker/dockerfile:1",
        f"# Generated by envslim dockerfile from {source} (environment{name}).",
        f"# Build with BuildKit (the default builder since Docker 23): {opts.build}",
        "",
        "# -- build stage: create the environment at a fixed prefix, then prune it --------------------",
        f"FROM {inst.image} AS build",
        f"# {inst.note}",
        "# The pip: section is installed by the environment's own pip; no pip cache is written.",
        "ENV PIP_NO_CACHE_DIR=1 \\",
        "    PIP_DISABLE_PIP_VERSION_CHECK=1",
    ]
    out += _lock_lines(source, lock)
    out += [
        "# Prune: the categories of `envslim prune"
        + (" --aggressive" if opts.aggressive else "")
        + "` (their evidence is in envslim/image/prune.py):",
        "#   " + ", ".join(c.id for c in cats) + ".",
        "# find never follows a symbolic link here. Unlike envslim prune it cannot read Python: a tests",
        "# directory that its package imports at run time is kept only when envslim knows of it (astropy).",
    ]
    if opts.keep:
        out.append("# Kept (--keep): " + " ".join(shlex.quote(k) for k in opts.keep))
    if opts.cache == "mount":
        out += [
            "# The package cache lives in a BuildKit cache mount: rebuilds reuse it and no layer holds it.",
            f"RUN --mount=type=cache,target=/opt/conda/pkgs{inst.user_mount} \\",
            f"    {create} \\",
        ]
    else:
        out += [
            "# The package cache never reaches the final stage; cleaning it keeps the build stage small too.",
            f"RUN {create} \\",
            f" && {inst.clean} \\",
        ]
    out += _prune_lines(opts)
    baked = activation.baked((conda_sort_key(d.value) for d in env.deps), PREFIX)
    if opts.smoke is not None:
        from envslim.image import smoke

        out += [""] + smoke.smoke_lines(
            PREFIX,
            opts.smoke,
            wheel=opts.envslim_wheel or smoke.default_wheel(),
            create=inst.create_plain,
            owner=inst.owner,
            mount=f"--mount=type=cache,target=/opt/conda/pkgs{inst.user_mount} " if opts.cache == "mount" else "",
            aggressive=opts.aggressive,
            keep=opts.keep,
            env_words=[f"{b.name}={b.value}" for b in baked],
        )
    out += ["", *activation.build_stage_lines(PREFIX, baked)]
    out += [
        "",
        "# -- final stage: only the environment (no conda, no package cache, no compilers) ------------",
        f"FROM {base}",
    ]
    if opts.distroless:
        out += [
            "# distroless caveats: no shell and no package manager in this stage, so no RUN here and",
            "# ENTRYPOINT/CMD must be exec form; nothing can be added from apt (copy it from a build stage or",
            "# use --base with a slim Debian image); docker exec IMAGE sh does not work (the :debug tags add",
            "# busybox). The :nonroot tag runs as uid/gid 65532. The environment brings its own libstdc++ and",
            "# OpenSSL; the base brings glibc, CA certificates and tzdata.",
        ]
    out += [
        f"COPY --from=build {PREFIX} {PREFIX}",
        "# `conda activate` does not work in a Dockerfile; PATH is what it sets for most environments.",
        *activation.final_env_comments(baked),
    ]
    env_words = [f"PATH={PREFIX}/bin:$PATH", *activation.env_lines(baked)]
    if opts.aggressive:
        env_words.append("PYTHONDONTWRITEBYTECODE=1")
    out.append("ENV " + " \\\n    ".join(env_words))
    out += _user_lines(opts, APP_DIR)
    entry = opts.entrypoint if opts.entrypoint is not None else (["python"] if _has_python(env) else None)
    if entry:
        out.append(f"ENTRYPOINT {json.dumps(entry)}")
    else:
        out.append("# No python in this environment: set ENTRYPOINT to the program to run (exec form).")
    return "\n".join(out) + "\n"


# -- a pixi workspace -------------------------------------------------------------------------------------

# Pinned, not :latest, so a rebuild gets the same pixi (a newer one may re-read the lock differently). 0.41.4
# is the tag pixi's container guide builds with (pixi.prefix.dev/latest/deployment/container, read
# 2026-12-02); its image is Ubuntu jammy (glibc 2.35), older than the default final base's glibc 2.36.
PIXI_IMAGE = "ghcr.io/prefix-dev/pixi:0.41.4"
PIXI_WORKDIR = "/app"
PIXI_CACHE = "/root/.cache/pixi"  # set as PIXI_CACHE_DIR, so the cache mount is where pixi writes


def render_pixi(manifest: str, lock: str, environment: str, conda_names: list[str], has_python: bool,
                opts: Options) -> str:
    """The Dockerfile text for one environment of a pixi workspace: ``manifest`` and ``lock`` are the paths
    COPY uses (relative to the build context); ``conda_names`` the environment's conda packages (for the
    activation variables baked in)."""
    for text, what in ((manifest, "the manifest's path"), (lock, "the lockfile's path"), (environment, "--environment")):
        refuse_control(text, what)
    if not re.fullmatch(r"[a-z0-9-]+", environment):  # pixi's own rule for environment names
        raise EnvslimError(f"envslim dockerfile: --environment {environment!r}: a pixi environment name is lowercase letters, digits and dashes")
    prefix = f"{PIXI_WORKDIR}/.pixi/envs/{environment}"
    name = manifest.rsplit("/", 1)[-1]
    base = opts.base or (DISTROLESS_BASE if opts.distroless else DEFAULT_BASE)
    cats = categories(aggressive=opts.aggressive, conda=True)
    install = f"pixi install --locked -e {environment}"
    out = [
        "# syntax=docker/dockerfile:1",
        f"# Generated by envslim dockerfile from {manifest} (pixi environment \"{environment}\").",
        f"# Build with BuildKit (the default builder since Docker 23): {opts.build}",
        "",
        "# -- build stage: install the locked environment, then prune it -----------------------------",
        f"FROM {PIXI_IMAGE} AS build",
        "# pixi is pinned so every build reads the lock the same way; bump it together with your pixi.",
        f"WORKDIR {PIXI_WORKDIR}",
        f"ENV PIXI_CACHE_DIR={PIXI_CACHE}",
        "# Only the manifest and its lock: --locked installs exactly pixi.lock and fails if it is stale",
        "# (re-run `pixi lock`). A workspace that installs itself (a path dependency) needs its sources too.",
        _copy(manifest, f"{PIXI_WORKDIR}/{name}"),
        _copy(lock, f"{PIXI_WORKDIR}/pixi.lock"),
        "# Prune: the categories of `envslim prune" + (" --aggressive" if opts.aggressive else "")
        + "` (their evidence is in envslim/image/prune.py):",
        "#   " + ", ".join(c.id for c in cats) + ".",
        "# find never follows a symbolic link here. Unlike envslim prune it cannot read Python: a tests",
        "# directory that its package imports at run time is kept only when envslim knows of it (astropy).",
    ]
    if opts.keep:
        out.append("# Kept (--keep): " + " ".join(shlex.quote(k) for k in opts.keep))
    if opts.cache == "mount":
        out += ["# The package cache lives in a BuildKit cache mount: rebuilds reuse it and no layer holds it.",
                f"RUN --mount=type=cache,target={PIXI_CACHE} \\", f"    {install} \\"]
    else:
        out += ["# The package cache never reaches the final stage; removing it keeps the build stage small too.",
                f"RUN {install} \\", f" && rm -rf {PIXI_CACHE} \\"]
    out += _prune_lines(opts, prefix)
    baked = activation.baked(conda_names, prefix)
    out += ["", *activation.build_stage_lines(prefix, baked)]
    out += ["", "# -- final stage: only the environment (no pixi, no package cache, no compilers) -------------",
            f"FROM {base}"]
    if opts.distroless:
        out += ["# distroless: no shell and no package manager in this stage, so no RUN here and ENTRYPOINT/CMD",
                "# must be exec form. The :nonroot tag runs as uid/gid 65532."]
    out += [
        "# The environment keeps its path: conda packages have their prefix compiled in.",
        f"COPY --from=build {prefix} {prefix}",
        "# `pixi shell-hook` would need a shell at run time; PATH is what it sets for most environments.",
        *activation.final_env_comments(baked),
        "ENV " + " \\\n    ".join([f"PATH={prefix}/bin:$PATH", *activation.env_lines(baked),
                                    *(["PYTHONDONTWRITEBYTECODE=1"] if opts.aggressive else [])]),
    ]
    out += _user_lines(opts, PIXI_WORKDIR)
    entry = opts.entrypoint if opts.entrypoint is not None else (["python"] if has_python else None)
    if entry:
        out.append(f"ENTRYPOINT {json.dumps(entry)}")
    else:
        out.append("# No python in this environment: set ENTRYPOINT to the program to run (exec form).")
    return "\n".join(out) + "\n"


def _user_lines(opts: Options, workdir: str) -> list[str]:
    """The final stage's user and working directory: a non-root user unless ``--user root`` (distroless:
    its :nonroot tag's 65532), ``--user UID[:GID]`` for another; then ``WORKDIR``."""
    out = []
    if opts.user == "root":
        out.append("# Runs as root (--user root)" + ("; the :nonroot base's own user is 65532." if opts.distroless else "."))
    elif opts.distroless and opts.user is None:
        out.append(f"USER {DISTROLESS_NONROOT}")
    else:
        uid, gid = parse_user(opts.user or DEFAULT_USER)
        if opts.distroless:
            out.append(f"USER {uid}:{gid}")
        else:
            out += [
                "# A non-root user runs the application (--user UID[:GID] for another, --user root for none).",
                f"RUN groupadd --gid {gid} app \\",
                f" && useradd --no-log-init --uid {uid} --gid {gid} --create-home app",
                f"USER {uid}:{gid}",
            ]
    return out + [
        f"WORKDIR {workdir}",
        "# Add the application here, e.g. COPY app.py ./",
    ]


def build_line(dockerfile: str | None, context: str) -> str:
    """The header's ``docker build`` command for a Dockerfile written to ``dockerfile`` (None: stdout, to be
    saved as the context's Dockerfile) with the build context ``context``, both as the user gave them."""
    import os

    command = "docker build"
    if dockerfile is not None and os.path.normpath(dockerfile) != os.path.normpath(os.path.join(context, "Dockerfile")):
        command += f" -f {shlex.quote(dockerfile)}"
    return f"{command} -t IMAGE {shlex.quote(context)}"


def _lock_lines(source: str, lock) -> list[str]:
    """The COPY of what the build installs, with a comment on the lockfile beside the env file."""
    if lock is None:
        return [_copy(source, ENV_IN_IMAGE)]
    from envslim.display import printable, redact
    from envslim.image.lockbuild import LOCK_IN_IMAGE

    if lock.used:
        return [
            f"# Installed from {lock.source}, the lockfile beside {source}: exact versions, builds and hashes, so",
            "# every build installs the same packages (envslim checked that it still matches the file on linux-64;",
            "# re-lock after editing the file). micromamba reads it as a conda-lock file by its -lock.yml name.",
            _copy(lock.source, LOCK_IN_IMAGE),
        ]
    why = printable(redact("; ".join(lock.reasons)))
    return [f"# Not installed from {printable(redact(lock.path))}: {why}.", _copy(source, ENV_IN_IMAGE)]


_PLAIN_PATH = re.compile(r"[A-Za-z0-9._/+@=-]+")


def refuse_control(text: str, what: str) -> None:
    """Refuse control characters (a newline would start a new Dockerfile instruction; a bidirectional
    override would make the file read otherwise than it runs)."""
    bad = next((c for c in text if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" or c in BIDI), None)
    if bad is not None:
        raise EnvslimError(f"{what} holds the control character U+{ord(bad):04X}; refusing to copy it into a Dockerfile")


def _copy(source: str, dest: str) -> str:
    """``COPY`` of one file: the plain form for a plain path, else the JSON (exec) form, which quotes spaces,
    quotes and ``$`` exactly."""
    if _PLAIN_PATH.fullmatch(source):
        return f"COPY {source} {dest}"
    return f"COPY {json.dumps([source, dest])}"
