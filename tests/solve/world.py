"""The packages most solve tests share: a small conda-forge with an Arrow-like closure and BLAS
variants, and a PyPI with wheels for some of them."""

from __future__ import annotations

PY = ("python >=3.11,<3.12.0a0",)


def build_world(channel, pypi=None) -> None:
    add = channel.add
    add("python", "3.11.8", build="h0_0_cpython", files={"bin/python3.11": 80_000, "lib/libpython3.11.so": 120_000})
    add("pip", "24.0", build="pyhd8ed1ab_0", noarch="python", depends=["python >=3.8"],
        files={"site-packages/pip/__init__.py": 30_000})
    add("numpy", "1.26.4", build="py311h0_0", depends=[*PY, "libblas >=3.9"], files={"site-packages/numpy/core.so": 90_000})
    add("libaws", "1.11.0", files={"lib/libaws.so": 150_000, "include/aws.h": 60_000})
    add("libarrow", "15.0.0", depends=["libaws >=1.11"], files={"lib/libarrow.so": 200_000})
    add("pyarrow", "15.0.0", build="py311h0_0", depends=[*PY, "libarrow ==15.0.0", "numpy >=1.25"],
        files={"site-packages/pyarrow/lib.so": 70_000})
    add("pyarrow-core", "16.0.0", build="py311h0_0", depends=[*PY, "libarrow-core"],
        files={"site-packages/pyarrow/lib.so": 60_000})
    add("libarrow-core", "16.0.0", files={"lib/libarrow.so": 100_000})
    add("zict", "1.4.0", build="py311h0_0", depends=[*PY, "pyarrow >=14"], files={"site-packages/zict.py": 5_000})
    add("requests", "2.31.0", build="pyhd8ed1ab_0", noarch="python", depends=["python >=3.8"],
        files={"site-packages/requests/__init__.py": 25_000})
    # BLAS: OpenBLAS is the default (higher build number), MKL a variant nomkl excludes.
    add("libopenblas", "0.3.26", files={"lib/libopenblas.so": 110_000})
    add("mkl", "2023.1.0", files={"lib/libmkl_core.so": 400_000})
    add("libblas", "3.9.0", build="21_openblas", build_number=21, depends=["libopenblas >=0.3.26"],
        files={"lib/libblas.so": 3_000})
    add("libblas", "3.9.0", build="20_mkl", build_number=20, depends=["mkl >=2023"], files={"lib/libblas.so": 3_000})
    add("nomkl", "1.0", build="h0_0", noarch="generic", constrains=["mkl <0.a0"], files={})  # metadata only
    add("mklsolver", "1.0", build="h0_0", depends=["mkl >=2023"], files={"lib/libmklsolver.so": 20_000})
    add("locket", "0.9", bz2=True, files={"lib/liblocket.so": 40_000})
    add("gpukit", "1.0", depends=["__cuda >=12"], files={"lib/libgpukit.so": 30_000})
    add("newglibc", "1.0", depends=["__glibc >=2.34"], files={"lib/libnew.so": 10_000})
    # linux-aarch64: python, numpy and BLAS, but no Arrow
    for sub in ("linux-aarch64",):
        add("python", "3.11.8", build="h0_0_cpython", subdir=sub, files={"bin/python3.11": 81_000})
        add("numpy", "1.26.4", build="py311h0_0", subdir=sub, depends=[*PY, "libblas >=3.9"],
            files={"site-packages/numpy/core.so": 91_000})
        add("libopenblas", "0.3.26", subdir=sub, files={"lib/libopenblas.so": 100_000})
        add("libblas", "3.9.0", build="21_openblas", build_number=21, subdir=sub,
            depends=["libopenblas >=0.3.26"], files={"lib/libblas.so": 3_100})
    if pypi is not None:
        build_pypi(pypi)


def build_pypi(pypi) -> None:
    pypi.add("pyarrow", "15.0.0", ["numpy>=1.16.6"], size=300_000)
    pypi.add("numpy", "1.26.4", size=200_000)
    pypi.add("numpy", "2.0.0", size=210_000)
    pypi.add("tensorfake", "2.16.0", ["numpy>=2"], size=50_000)
    pypi.add("tqdm", "4.66.0", size=15_000)
    pypi.add("sdistonly", "1.0", sdist_only=True)
