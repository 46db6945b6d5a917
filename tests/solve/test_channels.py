from __future__ import annotations

import pytest

from envslim.solve.channels import channel_urls
from envslim.solve.target import Target, UnknownPlatform, parse_platforms


def test_names_resolve_against_the_alias_in_order():
    assert channel_urls(["conda-forge", "bioconda", "nodefaults"]).urls == (
        "https://conda.anaconda.org/conda-forge",
        "https://conda.anaconda.org/bioconda",
    )
    assert channel_urls(["conda-forge/label/dev"], alias="http://mirror:8080/conda/").urls == (
        "http://mirror:8080/conda/conda-forge/label/dev",
    )


def test_defaults_expands_to_its_real_channels_and_can_be_redirected():
    assert channel_urls(["pytorch", "defaults"]).urls == (
        "https://conda.anaconda.org/pytorch",
        "https://repo.anaconda.com/pkgs/main",
        "https://repo.anaconda.com/pkgs/r",
    )
    assert channel_urls(["defaults"], defaults_url="http://127.0.0.1:9/anaconda/").urls == (
        "http://127.0.0.1:9/anaconda/main",
        "http://127.0.0.1:9/anaconda/r",
    )


def test_urls_as_given_each_once_and_the_fallback_said():
    assert channel_urls(["https://repo.example/c/", "https://repo.example/c", "file:///srv/ch"]).urls == (
        "https://repo.example/c",
        "file:///srv/ch",
    )
    fallback = channel_urls(["nodefaults"])
    assert fallback.urls == ("https://conda.anaconda.org/conda-forge",)
    assert fallback.notes == ("no channels listed: solved against conda-forge",)


def test_targets_and_their_virtual_packages():
    assert Target().virtual_packages() == [
        ("__glibc", "2.28", "0"), ("__linux", "4.18", "0"), ("__unix", "0", "0"), ("__archspec", "1", "x86_64"),
    ]
    assert Target("linux-aarch64", glibc="2.17", cuda="12.4").virtual_packages() == [
        ("__glibc", "2.17", "0"), ("__linux", "4.18", "0"), ("__unix", "0", "0"), ("__archspec", "1", "aarch64"),
        ("__cuda", "12.4", "0"),
    ]
    assert Target("osx-arm64").virtual_packages() == [("__osx", "13.0", "0"), ("__unix", "0", "0"), ("__archspec", "1", "arm64")]
    assert Target().python_platform() == "x86_64-manylinux_2_28"
    assert Target("linux-aarch64", glibc="2.34").python_platform() == "aarch64-manylinux_2_34"
    assert Target("osx-arm64").python_platform() == "aarch64-apple-darwin"
    with pytest.raises(UnknownPlatform, match="glibc 2.17 and later, not 2.12"):
        Target(glibc="2.12").python_platform()
    with pytest.raises(UnknownPlatform, match="glibc 'new' is not a version like 2.28"):
        Target(glibc="new")


def test_platform_lists():
    assert parse_platforms("linux-64, linux-aarch64,linux-64") == ["linux-64", "linux-aarch64"]
    assert parse_platforms(["linux-64", "osx-arm64,win-64"]) == ["linux-64", "osx-arm64", "win-64"]
    with pytest.raises(UnknownPlatform, match="unknown platform 'linux64'"):
        parse_platforms("linux64")
