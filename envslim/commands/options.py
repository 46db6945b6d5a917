"""The options of each command: small typed records that cli.py builds from argv (nothing below cli.py
sees an argparse Namespace). Records only; importing this costs nothing on the hook path."""

from __future__ import annotations

from envslim._record import dataclass


@dataclass(frozen=True)
class RewriteOptions:
    paths: tuple[str, ...]
    diff: bool = False
    check: bool = False
    unsafe_fixes: bool = False
    select: frozenset[str] = frozenset()  # rule ids given on the command line (the config adds its own)
    ignore: frozenset[str] = frozenset()
    extend_select: frozenset[str] = frozenset()  # the opt-in rules to add (ES008, ES009, ES010)
    config: str | None = None
    annotate: bool = False
    format: str = "text"  # "text" | "markdown" | "json" | "github" | "sarif"
    verbose: bool = False  # text: each finding's whole message, its estimate's range and an unsafe fix's reason
    verify: bool = False  # apply a fix only if a solve proves it (envslim.solve, py-rattler and uv)
    platform: str | None = None  # with verify: the first target conda subdir (default: config, else linux-64)
    platforms: tuple[str, ...] = ()  # every --platform given (comma-separated); () uses the config's
    glibc: str | None = None  # the target's __glibc (default 2.28)
    cuda: str | None = None  # the target's __cuda (default: none)


@dataclass(frozen=True)
class ReportOptions:
    paths: tuple[str, ...]
    format: str = "table"  # "table" | "json" | "markdown" | "svg" | "html"
    output: str | None = None  # -o FILE: write the report there (atomically) instead of stdout
    online: bool = False
    offline: bool = False
    refresh: bool = False
    python: str | None = None
    platform: str | None = None
    lockfile: str | None = None
    unsafe_fixes: bool = False
    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    extend_select: frozenset[str] = frozenset()
    config: str | None = None
    annotate: bool = False  # (the report plans as rewrite does; it never annotates)
    solve: bool = False  # solve before and after (envslim.solve): exact packages, installed bytes, verdicts
    platforms: tuple[str, ...] = ()  # every --platform given (comma-separated; ``platform`` is the first)
    glibc: str | None = None
    cuda: str | None = None
    environment: str | None = None  # a pixi manifest's environment (default: default)


@dataclass(frozen=True)
class ExplainOptions:
    target: str
    json: bool = False
    verbose: bool = False  # a package: every figure with its note, every source, the advice's reasoning
    online: bool = False
    python: str | None = None
    platform: str | None = None


@dataclass(frozen=True)
class RefreshOptions:
    names: tuple[str, ...] = ()
    pypi: bool = False
    conda: bool = False  # re-measure the conda-forge closure by a solve (envslim.solve.refresh)
    graph: bool = False  # rebuild the graph snapshot from live repodata (envslim.solve.graphrefresh)
    channel: tuple[str, ...] | None = None  # with graph: the channels to read
    out: str | None = None  # with graph: where the snapshot goes
    python: str = "3.11"
    platform: str = "linux-64"
    knowledge_dir: str | None = None


@dataclass(frozen=True)
class DockerfileOptions:
    envfile: str
    output: str | None = None
    installer: str = "micromamba"
    base: str | None = None
    distroless: bool = False
    user: str | None = None
    entrypoint: str | None = None  # as typed: split like a shell would
    cache: str = "mount"
    aggressive: bool = False
    keep: tuple[str, ...] = ()
    context: str = "."
    smoke: str | None = None  # a smoke test for envslim prune --keep-used-by in the build stage
    envslim_wheel: str | None = None  # envslim's wheel (a path inside the context) for --smoke
    environment: str | None = None  # with a pixi manifest: the environment to install (default: default)


@dataclass(frozen=True)
class PruneOptions:
    prefix: str
    dry_run: bool = False
    aggressive: bool = False
    keep: tuple[str, ...] = ()
    keep_used_by: str | None = None  # a smoke test: also remove what it never touches (image/trace.py)
    strip: bool = False  # with keep_used_by: strip --strip-unneeded the shared objects that stay
    smoke_timeout: float = 600.0  # with keep_used_by: seconds for each run of the smoke test
