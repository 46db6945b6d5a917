"""The environment of one file: target read from the file, builds chosen as a solver would, priced as a union."""

from __future__ import annotations

import pytest

from envslim.environment.model import Environment, Target, channel_id, file_channels
from envslim.environment.pricing import closure_figure
from tests.environment.graphkit import doc, graph, python_records, rec

PY = python_records("3.10", "3.11", "3.12")


def env_of(text, records, target=None):
    if "channels:" not in text:
        text = "channels:\n  - conda-forge\n" + text
    return Environment.from_document(doc(text), target, graph(records))


def test_optional_variants_bring_no_phantom_members():
    # libsqlite 3.50.0 exists with and without icu: python's closure takes the one without
    env = env_of("dependencies:\n  - python=3.11\n", PY)
    assert sorted(env.packages) == ["libsqlite", "libzlib", "python"]
    assert env.packages["libsqlite"].build == "hnoicu_0"
    assert env.closure(["python"]) == {"python", "libsqlite", "libzlib"}
    # something that needs icu brings it in, and then the icu build may be chosen
    env = env_of("dependencies:\n  - python=3.11\n  - harfbuzz\n", PY + [rec("harfbuzz", "9", "h0_0", ["icu >=75"])])
    assert "icu" in env.packages


def test_a_pinned_version_is_priced_with_that_version_or_unknown():
    tf = [rec("tensorflow", "2.21.0", "cpu_py311h0_0", ["python_abi 3.11.* *_cp311"], size=500_000_000)]
    env = env_of("dependencies:\n  - python=3.11\n  - tensorflow==1.4.0\n", PY + tf)
    assert env.packages["tensorflow"] is None and env.figure("tensorflow") is None
    assert env.unknown == {"tensorflow"}
    assert env.why_unknown["tensorflow"] == "no linux-64 (Python 3.11) build on conda-forge in the snapshot for tensorflow==1.4.0"
    old = [rec("tensorflow", "1.4.1", "py36_0", ["python_abi 3.6.* *_cp36"], size=40_000_000)]
    env = env_of("dependencies:\n  - python=3.11\n  - tensorflow=1.4\n", PY + tf + old)
    assert env.packages["tensorflow"].version == "1.4.1"
    assert env.stand_in["tensorflow"] == "stand-in: 1.4.1 py36_0 is built for Python 3.6, not 3.11"
    assert env.figure("tensorflow").stand_in == env.stand_in["tensorflow"]
    # unpinned: the newest for the target
    env = env_of("dependencies:\n  - python=3.11\n  - tensorflow\n", PY + tf + old)
    assert env.packages["tensorflow"].version == "2.21.0" and "tensorflow" not in env.stand_in


def test_the_target_python_picks_the_build_and_an_unpinned_python_the_newest():
    np = [rec("numpy", "2.1.0", "py311h_0", ["python_abi 3.11.* *_cp311", "python >=3.11,<3.12.0a0"]),
          rec("numpy", "2.1.0", "py312h_0", ["python_abi 3.12.* *_cp312", "python >=3.12,<3.13.0a0"])]
    env = env_of("dependencies:\n  - python=3.11\n  - numpy\n", PY + np)
    assert (env.target.python, env.packages["numpy"].build, env.packages["python_abi"].version) == ("3.11", "py311h_0", "3.11")
    env = env_of("dependencies:\n  - numpy\n  - python\n", PY + np)
    assert env.target.python is None
    assert (env.packages["python"].version, env.packages["numpy"].build) == ("3.12.5", "py312h_0")


def test_platform_read_from_build_strings_and_platform_only_packages():
    recs = PY + [rec("zlib", "1.2.13", "h87dfd5_0", subdir="osx-64"), rec("zlib", "1.2.13", "h4ab18f5_6")]
    env = env_of("dependencies:\n  - zlib=1.2.13=h87dfd5_0\n  - python=3.11\n", recs)
    assert (env.target.platform, env.target.platform_from) == ("osx-64", "the file's build strings")
    assert env.packages["zlib"].subdir == "osx-64"
    assert env.packages["python"] is None  # no osx-64 python in this snapshot: unknown, not linux-64's figure
    env = env_of("dependencies:\n  - ca-certificates=2024.3.11=h06a4308_0\n", recs)
    assert env.target.platform == "linux-64"
    env = env_of("dependencies:\n  - openssl=3.0.13=h2bbff1b_0\n  - vc=14.2\n  - vs2015_runtime\n", recs)
    assert (env.target.platform, env.target.platform_from) == ("win-64", "the file's packages")
    env = env_of("dependencies:\n  - conda-forge/osx-arm64::zlib\n", recs)
    assert env.target.platform == "osx-arm64"
    env = env_of("dependencies:\n  - zlib\n", recs)
    assert (env.target.platform, env.target.platform_from) == ("linux-64", "default")


def test_the_platform_vote_reads_the_builds_of_names_built_for_a_platform_only():
    """A build string votes for the one platform the snapshot has it on; a name built for noarch alone casts no
    vote, so its builds are not read (an export's hundreds of ``pyhd8ed1ab_0`` lines cost nothing); the vote
    stops where one platform is more votes ahead than there are builds left, with the same answer."""
    from envslim.environment.model import platform_of
    from envslim.conda import parse

    recs = PY + [rec("zlib", "1.2.13", "h87dfd5_0", subdir="osx-64"), rec("zlib", "1.2.13", "h4ab18f5_6"),
                 rec("xz", "5.4.6", "h87dfd5_0", subdir="osx-64"), rec("attrs", "23.1.0", "pyhd8ed1ab_0", subdir="noarch"),
                 rec("six", "1.16.0", "pyh6c4a22f_0", subdir="noarch"), rec("bzip2", "1.0.8", "h4bc722e_7")]
    g = graph(recs)
    read = []
    with_build = g.with_build
    g.with_build = lambda name, build: read.append(name) or with_build(name, build)
    specs = {s.name: s for s in map(parse, ["attrs 23.1.0 pyhd8ed1ab_0", "zlib 1.2.13 h87dfd5_0", "six 1.16.0 pyh6c4a22f_0",
                                            "xz 5.4.6 h87dfd5_0", "bzip2 1.0.8 h4bc722e_7"])}
    assert platform_of(specs, g) == ("osx-64", "the file's build strings")
    assert read == ["zlib", "xz"]  # (two osx-64 votes with one build left: bzip2's linux-64 vote cannot tie)
    assert g.with_build("zlib", "h87dfd5_0") == {("osx-64", "conda-forge")}
    read.clear()
    del specs["xz"]
    assert platform_of(specs, g) == ("linux-64", "the file's build strings")  # (a tie: the first by name)
    assert read == ["zlib", "bzip2"]


def test_selectors_keep_lines_for_their_platform_only():
    recs = PY + [rec("pywin32", "306", "py311h0_0", subdir="win-64"), rec("uvloop", "0.19", "h0_0")]
    env = env_of("dependencies:\n  - python=3.11\n  - pywin32  # [win]\n  - uvloop  # [not win]\n", recs,
                 Target("linux-64", ("conda-forge",), "3.11"))
    assert "pywin32" not in env.requested and "uvloop" in env.packages


@pytest.mark.parametrize("written, judged", [
    ("defaults", "defaults"), ("anaconda", "defaults"), ("main", "defaults"),
    ("https://repo.anaconda.com/pkgs/main", "defaults"),
    ("https://mirrors.tuna.tsinghua.edu.cn/anaconda/pkgs/main", "defaults"),
    ("https://mirrors.tuna.tsinghua.edu.cn/anaconda/pkgs/free/", "defaults"),
    ("https://mirrors.tuna.tsinghua.edu.cn/anaconda/cloud/conda-forge", "conda-forge"),
    ("conda-forge/label/main", "conda-forge"), ("https://conda.anaconda.org/conda-forge", "conda-forge"),
    ("pytorch", "pytorch"), ("nvidia/label/cuda-12.1.0", "nvidia"),
])
def test_channel_ids(written, judged):
    assert channel_id(written) == judged


def test_channel_order_and_truth():
    assert file_channels(["conda-forge"]) == ("conda-forge", "defaults")
    assert file_channels(["conda-forge", "nodefaults"]) == ("conda-forge",)
    assert file_channels([]) == ("defaults",)
    assert file_channels(["https://mirrors.x.org/anaconda/pkgs/main", "defaults"]) == ("defaults",)
    mkl = [rec("mkl", "2023.1.0", "h213fc3f_46344", channel="defaults", size=179_871_206, installed=799_360_504),
           rec("mkl", "2025.3.0", "h0e700b2_462", size=125_177_250),
           rec("numpy", "1.26.4", "py311h_0", ["mkl >=2023"], channel="defaults"),
           rec("numpy", "1.26.4", "py311h_0", ["libopenblas"])]
    # a defaults file: defaults data, or unknown (conda-forge's numpy never stands in)
    env = env_of("channels: []\ndependencies:\n  - numpy\n  - scipy\n  - pandas\n", PY + mkl + [rec("pandas", "2.2.0", "py311h_0")])
    assert env.target.channels == ("defaults",)
    assert env.packages["mkl"].channel == "defaults" and env.figure("mkl").bytes == 799_360_504
    assert env.packages["scipy"] is None and env.packages["pandas"] is None
    assert env.why_unknown["scipy"] == "not in the snapshot (2026-05-01)"
    assert env.why_unknown["pandas"] == "the snapshot has pandas on conda-forge only; the file's channels are defaults"
    # a conda-forge file never gets the defaults MKL
    env = env_of("channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - numpy\n", PY + mkl)
    assert "mkl" not in env.packages and env.packages["libopenblas"] is None


def test_a_channel_that_serves_only_its_own_packages_is_passed_over():
    recs = PY + [rec("pytorch", "2.2.2", "py3.11_cpu_0", ["numpy", "python >=3.11,<3.12.0a0"], channel="pytorch",
                     size=80_000_000),
                 rec("pytorch", "2.5.0", "cpu_py311_0", ["numpy"], size=30_000_000),
                 rec("numpy", "1.26.4", "py311h_0", ["python_abi 3.11.* *_cp311"])]
    env = env_of("channels:\n  - pytorch\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pytorch=2.2\n  - numpy\n",
                 recs)
    assert env.target.channels == ("pytorch", "conda-forge", "defaults")
    assert (env.packages["pytorch"].channel, env.packages["numpy"].channel) == ("pytorch", "conda-forge")
    env = env_of("channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pytorch::pytorch\n", recs)
    assert env.packages["pytorch"].channel == "pytorch"


def test_paths_are_conservative_and_totals_a_union():
    recs = PY + [rec("icepyx", "1.3.0", "pyh_0", ["dask-expr", "python >=3.10"], subdir="noarch"),
                 rec("dask-expr", "1.1.0", "pyh_0", ["pyarrow >=14", "python >=3.10"], subdir="noarch"),
                 rec("dask-expr", "2.0.0", "pyh_0", ["python >=3.10"], subdir="noarch"),
                 rec("pyarrow", "20.0.0", "py311h_0", ["libarrow", "python_abi 3.11.* *_cp311"], size=5_000_000),
                 rec("libarrow", "20.0.0", "h_0", size=10_000_000)]
    env = env_of("dependencies:\n  - python=3.11\n  - icepyx=1.3.0\n  - pyarrow=20.0.0\n", recs)
    # the chosen dask-expr (2.0.0) does not need pyarrow, but 1.1.0, which the file allows, does
    assert env.packages["dask-expr"].version == "2.0.0"
    assert env.path({"icepyx"}, "pyarrow") == ["icepyx", "dask-expr", "pyarrow"]
    assert env.path({"icepyx"}, "pyarrow", without={"dask-expr"}) is None
    assert env.closure(["pyarrow"]) == {"pyarrow", "libarrow", "python_abi"}
    assert env.closure(["pyarrow"], without={"python_abi"}) == {"pyarrow", "libarrow"}
    low, high, unknown = env.price(["pyarrow", "libarrow", "libarrow", "nothere"])
    n, *_ = env.total(["pyarrow", "libarrow"])
    assert (n, low, high, unknown) == (45_000_000, 37_500_000, 60_000_000, {"nothere"})
    assert env.unknown_reached({"icepyx"}) == set()
    env = env_of("dependencies:\n  - python=3.11\n  - icepyx\n  - mystery\n",
                 recs + [rec("mystery-dep", "1", "h_0")])
    assert env.unknown_reached({"icepyx", "mystery"}) == {"mystery"}
    assert env.unknown == {"mystery"}


def test_a_noarch_os_variant_reaches_only_what_the_targets_variant_depends_on():
    """pywin32-on-windows 0.1.0 (conda-forge/pywin32-on-windows-feedstock recipe/meta.yaml): build 3 depends on
    ``__unix``, build 2 on pywin32 with no OS marker. On Linux and macOS build 3 always installs where build 2
    would and is preferred, so pywin32 is never reached there; on Windows build 3 cannot install."""
    recs = [r for sub in ("linux-64", "osx-arm64", "win-64") for r in python_records("3.11", subdir=sub)]
    recs += [rec("docker-py", "7.0.0", "pyhd8ed1ab_0", ["python >=3.7", "pywin32-on-windows"], subdir="noarch"),
                 rec("pywin32-on-windows", "0.1.0", "pyh1179c8e_3", ["__unix", "python >=2.7"], subdir="noarch"),
                 rec("pywin32-on-windows", "0.1.0", "pyh07e9846_2", ["python >=2.7", "pywin32"], subdir="noarch")]
    text = "dependencies:\n  - python=3.11\n  - docker-py\n"
    for platform in ("linux-64", "osx-arm64"):
        env = env_of(text, recs, Target(platform, ("conda-forge",), "3.11"))
        assert env.packages["pywin32-on-windows"].build == "pyh1179c8e_3"
        assert env.edges("pywin32-on-windows") == (frozenset({"python"}), False)
        assert env.path({"docker-py"}, "pywin32") is None and env.unknown_reached({"docker-py"}) == set()
    env = env_of(text, recs, Target("win-64", ("conda-forge",), "3.11"))
    assert env.edges("pywin32-on-windows") == (frozenset({"python", "pywin32"}), False)
    assert env.unknown_reached({"docker-py"}) == {"pywin32"}
    # a file that pins the pywin32 build on Linux asks for it: it stays reachable
    env = env_of(text + "  - pywin32-on-windows=0.1.0=*_2\n", recs, Target("linux-64", ("conda-forge",), "3.11"))
    assert env.path({"docker-py"}, "pywin32") == ["docker-py", "pywin32-on-windows", "pywin32"]
    # without the marker the builds are not OS variants: the older build's depends stay on the way
    plain = [r if r["build"] != "pyh1179c8e_3" else rec("pywin32-on-windows", "0.1.0", "pyh1179c8e_3",
                                                        ["python >=2.7"], subdir="noarch") for r in recs]
    env = env_of(text, plain, Target("linux-64", ("conda-forge",), "3.11"))
    assert env.unknown_reached({"docker-py"}) == {"pywin32"}


def test_path_answers_each_question_as_a_search_of_its_own():
    # path resumes one search per (from, without): the answers do not depend on the questions asked before
    recs = PY + [rec("a", "1", "h_0", ["b", "c"]), rec("b", "1", "h_0", ["d"]), rec("c", "1", "h_0", ["d", "e"]),
                 rec("d", "1", "h_0", ["f"]), rec("e", "1", "h_0"), rec("f", "1", "h_0"), rec("g", "1", "h_0")]
    text = "dependencies:\n  - python=3.11\n  - a\n  - g\n"
    questions = [({"a"}, "f", ()), ({"a"}, "a", ()), ({"a"}, "e", ()), ({"a"}, "g", ()), ({"a"}, "f", ("d",)),
                 ({"a", "g"}, "d", ()), ({"a"}, "d", ("b",)), ({"a"}, "d", ())]
    fresh = [env_of(text, recs).path(frm, to, without=w) for frm, to, w in questions]
    assert fresh == [["a", "b", "d", "f"], ["a"], ["a", "c", "e"], None, None, ["a", "b", "d"], ["a", "c", "d"],
                     ["a", "b", "d"]]
    env = env_of(text, recs)
    assert [env.path(frm, to, without=w) for frm, to, w in questions] == fresh
    assert [env.path(frm, to, without=w) for frm, to, w in reversed(questions)] == fresh[::-1]


def test_pip_items_are_read_by_their_normalised_names():
    env = env_of("dependencies:\n  - pip\n  - pip:\n    - Torch_Vision==0.17\n    - -r requirements.txt\n"
                 "    - git+https://github.com/x/y.git\n", PY)
    assert env.pip == {"torch-vision": "Torch_Vision==0.17"}


def test_from_records_fills_the_same_model():
    env = Environment.from_records([
        {"name": "numpy", "version": "2.1.0", "build": "py311h_0", "subdir": "linux-64", "channel": "https://conda.anaconda.org/conda-forge",
         "depends": ["libopenblas >=0.3", "python_abi 3.11.* *_cp311"], "size": 8_000_000, "installed_bytes": 30_000_000},
        {"name": "libopenblas", "version": "0.3.28", "build": "h_0", "subdir": "linux-64", "channel": "conda-forge",
         "depends": [], "size": 5_000_000, "installed_bytes": None}], Target("linux-64", ("conda-forge",), "3.11"))
    assert env.packages["numpy"].channel == "conda-forge" and env.packages["numpy"].python == "3.11"
    assert env.closure(["numpy"]) == {"numpy", "libopenblas", "python_abi"}
    assert env.total(["numpy", "libopenblas"]) == (30_000_000, 30_000_000, 30_000_000, {"libopenblas"})


def test_a_build_that_contradicts_the_files_pins_is_not_chosen():
    recs = PY + [
        rec("pytorch", "2.2.0", "py3.11_cpu_0", ["pytorch-mutex 1.0 cpu", "python >=3.11,<3.12.0a0"], channel="pytorch",
            size=80_000_000, ts=1_700_000_100),
        rec("pytorch", "2.2.0", "py3.11_cuda12.1_0", ["pytorch-mutex 1.0 cuda", "pytorch-cuda 12.1.*",
                                                      "python >=3.11,<3.12.0a0"], channel="pytorch", size=900_000_000,
            ts=1_700_000_200),
        rec("pytorch-mutex", "1.0", "cpu", subdir="noarch", channel="pytorch", size=2_897),
        rec("pytorch-mutex", "1.0", "cuda", subdir="noarch", channel="pytorch", size=2_906),
        rec("torchvision", "0.20.1", "py311_cu124", ["pytorch 2.5.1", "python >=3.11,<3.12.0a0"], channel="pytorch"),
        rec("torchvision", "0.17.0", "py311_cpu", ["pytorch 2.2.0", "pytorch-mutex 1.0 cpu", "python >=3.11,<3.12.0a0"],
            channel="pytorch")]
    text = "channels:\n  - pytorch\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pytorch=2.2\n  - torchvision\n"
    env = env_of(text + "  - cpuonly\n", recs)
    # cpuonly (not in this snapshot) implies pytorch-mutex cpu: the CUDA build is ruled out
    assert (env.packages["pytorch"].build, env.packages["pytorch-mutex"].build) == ("py3.11_cpu_0", "cpu")
    # the newest torchvision needs pytorch 2.5.1, which the file's pytorch=2.2 rules out
    assert env.packages["torchvision"].version == "0.17.0"
    assert env.unknown == {"cpuonly"}


@pytest.mark.parametrize("specs", [["python=3.12"], ["pandas=2.1.3", "python=3.12"], ["numpy=1.26.4", "python=3.12"],
                                   ["python=3.11", "pyarrow"]])
def test_the_shipped_snapshot_walks_no_phantom_icu(specs):
    """Issue 22: icu came into every python closure (and pandas 2.1.3's, numpy 1.26.4's) through an optional
    libsqlite build; nothing these ask for needs it."""
    env = Environment.from_specs(specs, Target("linux-64", ("conda-forge",), specs[-1].split("=")[1] if "=" in specs[-1] else "3.11"))
    assert "libsqlite" in env.packages and "icu" not in env.packages
    assert env.unknown == set()


def test_a_record_without_archive_bytes_is_known_but_priced_unknown_not_zero():
    # a recipe-only record (tools/recipe_records.py: a noarch feedstock's run requirements, no archive size):
    # the walk knows what it reaches, but its own bytes stay unknown and are never counted as zero
    recs = PY + [rec("olefile", "0.47", "recipe_1", ["python"], subdir="noarch", size=None),
                 rec("nltk", "3.9.4", "recipe_0", ["python", "regex >=2021.8.3"], subdir="noarch", size=None),
                 rec("regex", "2024.11.6", "py311h_0", ["python_abi 3.11.* *_cp311"], size=400_000),
                 rec("pyarrow", "20.0.0", "py311h_0", ["python_abi 3.11.* *_cp311"], size=5_000_000)]
    env = env_of("dependencies:\n  - python=3.11\n  - olefile\n  - nltk\n  - pyarrow\n", recs)
    assert env.knows("nltk") and env.unknown == set()
    assert (env.packages["nltk"].archive_bytes, env.packages["nltk"].installed_bytes) == (None, None)
    assert env.figure("nltk") is None and env.figure("olefile") is None
    assert env.closure(["nltk"]) == {"nltk", "regex", "python", "python_abi", "libzlib", "libsqlite"}
    assert env.path({"nltk", "olefile"}, "pyarrow") is None and env.unknown_reached({"nltk", "olefile"}) == set()
    # regex alone is counted: 400 kB of archive by the test pairs' median 3.0 (q10 2.5 .. q90 4.0)
    assert env.total(["nltk", "regex", "olefile"]) == (1_200_000, 1_000_000, 1_600_000, {"nltk", "olefile"})
    # the report prices nltk's row unknown, while regex's row is regex and python_abi (7 kB archive)
    assert closure_figure(env, "nltk") is None and closure_figure(env, "regex").bytes == 1_200_000 + 21_000


def test_a_renames_walk_is_the_renamed_files_environment_and_walked_once():
    """``replaced`` walks the file's lines with the renamed line in its place: the plan's next round, which reads
    the renamed file, gets that environment without a walk of its own; where the new name is listed already, the
    old line goes."""
    recs = PY + [rec("matplotlib", "3.9.2", "py311h0_0", ["matplotlib-base 3.9.2", "pyqt", "python_abi 3.11.* *_cp311"]),
                 rec("matplotlib-base", "3.9.2", "py311h0_0", ["python_abi 3.11.* *_cp311"]),
                 rec("pyqt", "5.15.9", "py311h0_0", ["python_abi 3.11.* *_cp311"], size=50_000_000)]
    g = graph(recs)
    head = "channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n"
    env = Environment.from_document(doc(head + "  - matplotlib\n  - pip\n"), None, g)
    after = env.replaced("matplotlib", "matplotlib-base")
    assert list(after.requested) == ["python", "matplotlib-base", "pip"]
    assert sorted(after.packages) == ["libsqlite", "libzlib", "matplotlib-base", "pip", "python", "python_abi"]
    assert after.unknown == {"pip"} and "pyqt" not in after.packages
    walks = []
    walk = Environment._walk
    try:
        Environment._walk = lambda self: walks.append(self) or walk(self)
        again = Environment.from_document(doc(head + "  - matplotlib-base\n  - pip\n"), None, g)
        moved = Environment.from_document(doc(head + "  - pip\n  - matplotlib-base\n"), None, g)
    finally:
        Environment._walk = walk
    assert again is after and walks == [moved]  # (the lines in another order: walked)
    listed = Environment.from_document(doc(head + "  - matplotlib\n  - matplotlib-base\n"), None, g)
    assert list(listed.replaced("matplotlib", "matplotlib-base").requested) == ["python", "matplotlib-base"]


def test_where_the_depends_disagree_the_build_most_chosen_builds_allow_is_taken():
    """Issue 22, "the builds most of them allow": two chosen builds asking mkl <2025 outweigh one asking
    mkl >=2026 (the same depends string from two builds counted once made it a tie, and the newest won)."""
    recs = PY + [rec("a", "1", "h0_0", ["mkl >=2024,<2025"]), rec("b", "1", "h0_0", ["mkl >=2024,<2025"]),
                 rec("c", "1", "h0_0", ["mkl >=2026,<2027"]),
                 rec("mkl", "2024.2.2", "h0_0", []), rec("mkl", "2026.0.0", "h0_0", [])]
    env = env_of("dependencies:\n  - python=3.11\n  - a\n  - b\n  - c\n", recs)
    assert env.packages["mkl"].version == "2024.2.2"


def test_the_shipped_snapshot_takes_the_mkl_pytorch_asks_for():
    """2986002971/lung_image (python 3.12, pytorch): pytorch 2.5.1 cpu_mkl and libtorch ask mkl >=2024.2.2,<2025,
    the newest libblas mkl build (taken through libcblas) asks >=2026: the walk priced mkl 2026.0.0 (527.2 MB)
    and nomkl's saving with it (~505.9 MB); it takes 2024.2.2 (460.5 MB), as the project's pixi.lock does."""
    env = Environment.from_specs(["python 3.12.*", "pytorch"], Target("linux-64", ("conda-forge",), "3.12"))
    assert (env.packages["pytorch"].version, env.packages["mkl"].version) == ("2.5.1", "2024.2.2")


@pytest.mark.parametrize("pin, loose", [
    ("pytorch 2.8.0 cuda129_mkl_py313_h7947483_302", "pytorch 2.8.0 cuda129_mkl_*"),  # a CPU build is no stand-in
    ("libcblas 3.11.0 8_hfef963f_mkl", "libcblas 3.11.0 *_mkl"),
    ("numexpr 2.14.1 mkl_py314h9a883a4_1", "numexpr 2.14.1 mkl_*"),
    ("python 3.12.0 hab00c5b_0_cpython", "python 3.12.0 *_cpython"),
    ("numpy 2.3.4 py312h33ff503_0", "numpy 2.3.4"),  # another Python's build: a stand-in the walk labels
    ("mkl 2024.2.2 ha957f24_16", "mkl 2024.2.2"),
    ("geojson 3.3.0 pyhd8ed1ab_0", "geojson 3.3.0"),
])
def test_a_locks_pin_loosens_to_builds_of_its_version_and_variant(pin, loose):
    from envslim.environment.model import loose_pin

    assert loose_pin(pin) == loose
