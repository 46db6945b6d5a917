"""The platform an environment is solved for, and what that means to each solver.

``Target("linux-64")`` is a Linux x86-64 machine with glibc 2.28 and no GPU; ``Target("linux-64",
glibc="2.17", cuda="12.4")`` another. :meth:`Target.virtual_packages` gives the virtual packages the
conda solver sees and :meth:`Target.python_platform` the platform uv resolves wheels for.

Defaults, from pixi's default system requirements (pixi docs, "System Requirements", 2025: linux 4.18,
libc glibc 2.28, macOS 13.0 on osx-64 and osx-arm64), which are also what RHEL 8 / manylinux_2_28 ship:
``__glibc`` 2.28 and ``__linux`` 4.18 on Linux, ``__osx`` 13.0 on macOS, ``__unix`` on both,
``__win`` on Windows, ``__archspec`` 1 with the machine's base microarchitecture. ``__cuda`` only
when ``cuda`` is given (an image built on a CPU runner has no driver to detect).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PLATFORMS", "Target", "UnknownPlatform", "parse_platforms"]

DEFAULT_GLIBC = "2.28"
DEFAULT_LINUX = "4.18"
DEFAULT_OSX = "13.0"

# conda subdir -> (archspec base, uv --python-platform stem)
PLATFORMS = {
    "linux-64": ("x86_64", "x86_64-manylinux"),
    "linux-aarch64": ("aarch64", "aarch64-manylinux"),
    "linux-ppc64le": ("ppc64le", "powerpc64le-manylinux"),
    "osx-64": ("x86_64", "x86_64-apple-darwin"),
    "osx-arm64": ("arm64", "aarch64-apple-darwin"),
    "win-64": ("x86_64", "x86_64-pc-windows-msvc"),
}


class UnknownPlatform(ValueError):
    pass


def _version(text: str, what: str) -> str:
    parts = text.strip().split(".")
    # ASCII digits, a few of them: '²' and '２' pass isdigit(), and int() refuses '²' and 5,000 digits
    if not 1 <= len(parts) <= 3 or not all(p.isascii() and p.isdigit() and len(p) <= 9 for p in parts):
        raise UnknownPlatform(f"{what} {text!r} is not a version like 2.28")
    return text.strip()


@dataclass(frozen=True)
class Target:
    platform: str = "linux-64"
    glibc: str = DEFAULT_GLIBC
    cuda: str | None = None

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            known = ", ".join(PLATFORMS)
            raise UnknownPlatform(f"unknown platform {self.platform!r} (known: {known})")
        _version(self.glibc, "glibc")
        if self.cuda is not None:
            _version(self.cuda, "CUDA")

    @property
    def subdirs(self) -> list[str]:
        return [self.platform, "noarch"]

    def virtual_packages(self) -> list[tuple[str, str, str]]:
        """(name, version, build string) of each virtual package present on the target."""
        arch = PLATFORMS[self.platform][0]
        out: list[tuple[str, str, str]] = []
        if self.platform.startswith("linux-"):
            out += [("__glibc", self.glibc, "0"), ("__linux", DEFAULT_LINUX, "0"), ("__unix", "0", "0")]
        elif self.platform.startswith("osx-"):
            out += [("__osx", DEFAULT_OSX, "0"), ("__unix", "0", "0")]
        else:
            out += [("__win", "0", "0")]
        out.append(("__archspec", "1", arch))
        if self.cuda is not None:
            out.append(("__cuda", self.cuda, "0"))
        return out

    def python_platform(self) -> str:
        """uv's ``--python-platform`` for this target (manylinux level from glibc on Linux)."""
        stem = PLATFORMS[self.platform][1]
        if stem.endswith("manylinux"):
            major, minor = (int(n) for n in (self.glibc.split(".") + ["0"])[:2])
            if (major, minor) < (2, 17):
                raise UnknownPlatform(f"wheels are resolved for glibc 2.17 and later, not {self.glibc}")
            return f"{stem}_{major}_{minor}"
        return stem


def parse_platforms(value: str | list[str] | tuple[str, ...]) -> list[str]:
    """``"linux-64,linux-aarch64"`` or a list of them -> the platforms in order, each once; raises
    :class:`UnknownPlatform` for a name that is not a conda platform envslim knows."""
    items = value.split(",") if isinstance(value, str) else [p for v in value for p in str(v).split(",")]
    out: list[str] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        if item not in PLATFORMS:
            raise UnknownPlatform(f"unknown platform {item!r} (known: {', '.join(PLATFORMS)})")
        if item not in out:
            out.append(item)
    if not out:
        raise UnknownPlatform("no platform given")
    return out
