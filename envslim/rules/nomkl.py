from __future__ import annotations

from envslim.environment.effects import effect_of_nomkl
from envslim.knowledge import footprint
from envslim.document.edits import InsertConda
from envslim.rules import Context, Finding, register
from envslim.rules.common import channels, cuda_intent, parsed_deps, saving_of, serving_channel

# Packages that ask for MKL by name: nomkl next to them makes the file unsolvable.
EXPLICIT_MKL = ("mkl", "mkl-service", "mkl_fft", "mkl_random", "mkl-include", "mkl-devel", "intel-openmp",
                "mkl-fft", "mkl-random")
# Packages whose builds on one channel require MKL (pytorch channel: `blas * mkl`, pytorch/pytorch#71022).
MKL_ONLY_ON = {"pytorch": "pytorch", "torchvision": "pytorch", "torchaudio": "pytorch"}
# Intel MKL is built for x86 only: the mkl packages of defaults (anaconda.org/anaconda/mkl) and conda-forge
# exist for linux-64, osx-64 and win-64 (and the old 32-bit x86 subdirs), none for osx-arm64, linux-aarch64 or
# linux-ppc64le, where defaults builds numpy and its kin against OpenBLAS: nomkl there changes nothing.
MKL_PLATFORMS = ("linux-64", "osx-64", "win-64", "linux-32", "win-32")
# The defaults channel builds pytorch against MKL wherever MKL exists (its recipe's run requirements under
# blas_impl == "mkl"); torchvision and torchaudio there depend on that pytorch.
DEFAULTS_TORCH_MKL_SOURCE = ("AnacondaRecipes/pytorch-feedstock: the rendered linux-64 recipe of pytorch 1.12.1"
                             " cpu_py310hb1f1ab4_lts_2 runs on blas 1.0 mkl and mkl >=2021.4.0; recipe/meta.yaml"
                             " @28b693d (2.2.0): mkl under blas_impl == mkl")


@register("ES002", "nomkl", "Add nomkl where the defaults channel (or conda-forge on win-64) would install MKL for a BLAS user", "safe", fix="pin",
          implies=("mkl", "not in the file: installed for its BLAS users (defaults builds) or for pytorch (conda-forge cpu_mkl builds)"))
def check(ctx: Context):
    """
    ## What it does
    Adds `nomkl` to the conda dependencies when a package that links BLAS/LAPACK (numpy, scipy,
    scikit-learn, numexpr, ...) may come from the `defaults` channel: `defaults` is listed, or the
    file lists no channels at all (conda's own default configuration). On conda-forge the default
    BLAS depends on the platform (`blas_default_impl` in conda-forge/blas-feedstock@415a2b6e's
    `recipe/conda_build_config.yaml`): OpenBLAS on linux and macOS, MKL on win-64. So for a file
    served by conda-forge the rule fires on linux and macOS only when a dependency in the file is known
    to pull MKL in, and on win-64 for every BLAS user. The platform is the target the rules price for
    (linux-64 unless the options say otherwise); a file whose motivating lines all carry a `# [win]`
    (or `# [win64]`) selector is for win-64 there, whatever the target.

    ## Why is this bad?
    The defaults channel builds its BLAS users against Intel MKL. `mkl` alone installs to about
    800 MB (`envslim explain mkl` for the figure and its source); OpenBLAS is a few MB. The saving
    printed is nomkl's effect on the environment: the MKL side that leaves (mkl's closure as the file
    would install it) less the OpenBLAS build that arrives, each priced with its range from the graph
    snapshot; `envslim report` prices its implied mkl row the same way. `nomkl` is the
    conda meta-package that makes the solver pick the non-MKL builds.

    ## Example
    ```yaml
    channels:
      - defaults
    dependencies:
      - numpy
    ```

    ## Use instead
    ```yaml
    channels:
      - defaults
    dependencies:
      - nomkl
      - numpy
    ```

    ## When it does not fire
    Channels are judged as a strict-priority solve would (the first listed channel that has a package
    wins; `pkg::` prefixes win outright; conda's default channels come last unless `nodefaults`), on
    the channel list the plan will write (after ES007's `nodefaults`, with `--unsafe-fixes`).
    - The target has no MKL: osx-arm64, linux-aarch64, linux-ppc64le (Intel MKL is x86-only; `mkl` is built
      for linux-64, osx-64 and win-64), where defaults links its BLAS users against OpenBLAS.
    - The file names its BLAS or asks for MKL: `blas`, `libblas`, `mkl`, `mkl-service`, `mkl_fft`,
      `mkl_random`, `intel-openmp` (nomkl would conflict with them).
    - pytorch (or torchvision, torchaudio) comes from the pytorch channel (`pytorch::pytorch`, or the
      pytorch channel listed before conda-forge): its builds depend on `blas * mkl`, so nomkl makes the
      file unsolvable (pytorch/pytorch#71022); and next to `pytorch-cuda`, for the same reason.
    - pytorch (or torchvision, torchaudio) from `defaults` for linux-64, win-64 or osx-64: Anaconda builds
      it against MKL there (its rendered recipe runs on `mkl` and `blas 1.0 mkl`), so MKL stays or the file
      no longer solves; reported, not written.
    - conda-forge serves the BLAS users and nothing there pulls MKL, `defaults` is not listed, and the
      target is linux or macOS: conda-forge's numpy links OpenBLAS there, so nomkl would change nothing.
      On win-64 conda-forge's default BLAS is MKL, and the rule fires (no saving is claimed where the
      graph snapshot has no win-64 figure for mkl: unknown, not zero).
    - When conda-forge is listed before `defaults`, conda-forge serves the BLAS users and MKL is not
      installed: nomkl would save nothing, so it is not added. The opt-in rule ES010 (`nomkl-guard`,
      `--extend-select ES010`) adds it there as a guard against a `.condarc` that reorders the channels
      (the seed's own file does that).
    - pytorch from conda-forge pinned below its newest releases (`pytorch==1.9.0`), or for win-64:
      conda-forge's builds without MKL (`cpu_generic`, from conda-forge/pytorch-cpu-feedstock#175,
      2023; recorded for linux-64) may not exist for it, and nomkl would make it unsolvable; reported.
      Not where the file targets CUDA.
    - The added line carries the selector (`# [win]`) that every motivating line shares.

    ## Fix safety
    Safe: the OpenBLAS builds provide the same API. Code that calls MKL-specific functions
    (`mkl-service`, `numpy.__config__` checks) should keep MKL; say so with `# envslim: keep`.
    """
    for f in judge(ctx):
        if not f.guard:
            yield f


def judge(ctx: Context):
    """ES002's findings, and the guard-only nomkl (``guard=True``) that ES010 adds on request."""
    env = ctx.env
    deps = parsed_deps(env)
    if "nomkl" in deps or "blas" in deps or "libblas" in deps:
        return  # the file chose its BLAS (blas=*=mkl, blas=*=openblas)
    if any(n in deps for n in EXPLICIT_MKL) or "pytorch-cuda" in deps:
        return  # MKL asked for, or pytorch-cuda (whose pytorch channel builds need MKL): nomkl would conflict
    for name, channel in MKL_ONLY_ON.items():
        if name in deps and serving_channel(ctx, name, deps[name][1]) == channel:
            return  # pytorch from the pytorch channel requires MKL (blas * mkl): nomkl makes it unsolvable
    platform = ctx.lines().target.platform
    if platform not in MKL_PLATFORMS:
        return  # no MKL there to keep out: nomkl would change nothing (defaults builds BLAS users on OpenBLAS)
    held = [n for n in MKL_ONLY_ON if n in deps and serving_channel(ctx, n, deps[n][1]) == "defaults"]
    if held:  # (the platform has MKL: see above)
        item = deps[held[0]][0]
        yield Finding("ES002", "nomkl", f"nomkl not added: the defaults channel builds {held[0]} for {platform}"
                      " against MKL (its builds run on mkl and blas 1.0 mkl: AnacondaRecipes/pytorch-feedstock), so"
                      f" MKL stays, or nomkl makes {item.text.strip()} unsolvable", item=item,
                      refused="defaults' pytorch builds need MKL", source=DEFAULTS_TORCH_MKL_SOURCE)
        return
    users, pullers = [], []
    channel_of: dict[str, str | None] = {}
    for name, (item, spec) in deps.items():
        entry = ctx.load(name)
        if entry is None or not ({"blas-user", "pulls-mkl"} & entry.tags):
            continue
        channel_of[name] = serving_channel(ctx, name, spec)
        if "blas-user" in entry.tags:
            users.append(name)
        if "pulls-mkl" in entry.tags:
            pullers.append(name)
    # The environment is walked only where it can change the outcome (the hook stays fast): numpy from defaults
    # with no listed BLAS user, or the pytorch channel first (its pytorch, reached through anything, needs MKL).
    torch_first = serving_channel(ctx, "pytorch") == "pytorch"
    indirect: dict = {}
    if torch_first or (not users and not pullers and serving_channel(ctx, "numpy") == "defaults"):
        indirect = _indirect_users(ctx, deps, set(users) | set(pullers), torch_first)
        if indirect is None:
            return  # pytorch from the pytorch channel may come through another package: its builds need MKL
        if users or pullers:
            indirect = {}  # the listed BLAS users motivate it (and carry its line); what else reaches numpy adds nothing
    for name, path in indirect.items():
        users.append(name)
        channel_of[name] = serving_channel(ctx, path[-1])  # the channel of what links BLAS (numpy)
    if not users and not pullers:
        return
    listed = channels(ctx)
    from_defaults = sorted(n for n in users + pullers if channel_of[n] == "defaults")
    cf_pullers = sorted(n for n in pullers if channel_of[n] == "conda-forge")
    motivating = from_defaults or cf_pullers
    guard = False
    target = None  # the platform priced for: the rules' target, or win-64 for a file whose BLAS users are for win
    if from_defaults:
        direct = [n for n in from_defaults if n not in indirect]
        via = [f"{chain_text(indirect[n])}" for n in from_defaults if n in indirect]
        linked = sorted({indirect[n][-1] for n in from_defaults if n in indirect} | set(direct))
        why = f"the defaults channel builds {', '.join(linked)} against MKL" + (
            f" ({'; '.join(via[:3])})" if via else "")
        channel = "defaults"
    elif cf_pullers:
        if cuda_intent(ctx):
            return  # conda-forge's CUDA builds of pytorch are not the cpu_generic ones nomkl selects
        if _win64(ctx, [deps[n][0] for n in cf_pullers]):
            item = deps[cf_pullers[0]][0]
            yield Finding("ES002", "nomkl", f"nomkl not added: conda-forge's builds of {', '.join(cf_pullers)} without"
                          " MKL (cpu_generic) are recorded for linux-64 only, and on win-64 nomkl may make"
                          f" {item.text.strip()} unsolvable", item=item, refused="the builds without MKL may not exist")
            return
        pinned = [n for n in cf_pullers if not _admits_latest(deps[n][1])]
        if pinned:
            # conda-forge's builds without MKL (cpu_generic, conda-forge/pytorch-cpu-feedstock#175, 2023) do
            # not exist for old releases, and from which release they exist is not recorded.
            item = deps[pinned[0]][0]
            yield Finding("ES002", "nomkl", f"nomkl not added: {item.text.strip()} may predate conda-forge's builds"
                          " without MKL (cpu_generic, conda-forge/pytorch-cpu-feedstock#175), and nomkl would then"
                          " make it unsolvable", item=item, refused="the builds without MKL may not exist")
            return
        why = f"{', '.join(cf_pullers)} pulls MKL in on conda-forge"
        channel = "conda-forge"
    elif _win64(ctx, [deps[n][0] for n in users]) and any(channel_of[n] == "conda-forge" for n in users):
        motivating = sorted(n for n in users if channel_of[n] == "conda-forge")
        why = (f"conda-forge's default BLAS on win-64 is MKL, so {', '.join(motivating)} would link it there"
               " (on linux and macOS it is OpenBLAS)")
        channel = "conda-forge"
        target = footprint.Target("win-64", footprint.target_of(env).python)
    elif "defaults" in listed:  # listed by name (or as anaconda), it stays in play next to nodefaults
        motivating = sorted(users + pullers)
        first = next(c for c in listed if c != "nodefaults")
        why = (f"a guard only, saves nothing: {first}, listed before defaults, serves {', '.join(motivating)}"
               " without MKL (strict channel priority)")
        guard = True
    else:
        return
    item = deps[motivating[0]][0]
    selector = _shared_selector([deps[n][0] for n in motivating])
    op = InsertConda("nomkl", f"  # [{selector}]" if selector else "")
    if guard:
        yield Finding("ES002", "nomkl", f"add nomkl: {why}", item=item, ops=(op,), safety="safe", saving_bytes=0,
                      source="no saving: MKL is not installed under strict channel priority", guard=True)
        return
    # what leaves and arrives, priced once on the environment: the report's implied rows print the same figures
    eff = effect_of_nomkl(ctx.environment(), target.platform if target is not None else None, channel)
    yield Finding("ES002", "nomkl", f"add nomkl: {why}", item=item, ops=(op,), safety="safe", effect=eff,
                  **saving_of(eff, None))


# What links BLAS, reached from a listed package that is not itself known to (issue 22: scikit-learn and pandas
# bring numpy). A path to pytorch from the pytorch channel makes nomkl unsolvable (its builds need blas * mkl).
BLAS_LINKERS = ("numpy", "scipy", "libblas", "libcblas", "liblapack")


def chain_text(path) -> str:
    return " \u2192 ".join(path)


def _indirect_users(ctx, deps, known: set[str], torch_channel: bool) -> dict | None:
    """The listed packages that reach numpy or a BLAS through the environment (conservatively: any build the
    file's pins allow; another channel's builds stand in where the serving channel's are not in the snapshot),
    each with its path; None where a listed package reaches pytorch served by the pytorch channel."""
    env = ctx.environment()
    out: dict[str, list[str]] = {}
    if torch_channel and any(not env.knows_name(n) for n in deps):
        return None  # a package the snapshot does not know may bring the pytorch channel's pytorch (blas * mkl)
    for name in sorted(deps):
        if name in known or name in EXPLICIT_MKL:
            continue
        entry = ctx.load(name)
        if entry is not None and entry.action == "move-to-pip":
            continue  # ES001 may take it off the conda side (a wheel brings its own BLAS): no nomkl for it
        if torch_channel and name not in MKL_ONLY_ON and env.path({name}, "pytorch"):
            return None
        for linker in BLAS_LINKERS:
            if linker == name:
                break
            path = env.path({name}, linker)
            if path:
                out[name] = path
                break
    return out


def _admits_latest(spec) -> bool:
    """Whether the spec leaves the newest releases open (no version, or no upper bound)."""
    from envslim import conda as condaspec

    if spec.raw_version is None:
        return True
    try:
        return condaspec.merge_pin(spec.raw_version, ">=100000").status != "conflict"
    except condaspec.CondaSpecError:
        return False


def _shared_selector(items) -> str | None:
    """The selector every motivating line carries (None when one of them has none, or they differ)."""
    sels = {i.selector for i in items}
    return sels.pop() if len(sels) == 1 else None


def _win64(ctx, items) -> bool:
    """Whether the BLAS users are for win-64: the target platform is (``ctx.platform``, when the options
    give the rules one), or every one of the lines carries a selector for Windows only (``# [win]``,
    ``# [win64]``, ``# [win and py>38]``; not ``not win``, not ``win or ...``)."""
    platform = ctx.given_platform() or ""
    if platform.startswith("win"):
        return True
    if not items:
        return False
    for item in items:
        words = (item.selector or "").replace("(", " ").replace(")", " ").split()
        if not ({"win", "win64"} & set(words)) or "not" in words or "or" in words:
            return False
    return True
