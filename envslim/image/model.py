"""The modeled image size of ``envslim report``: what an image built by ``envslim dockerfile`` would weigh.

    image = base image + environment (the report's union total) - the default prune categories

``before_bytes`` is the image of the file as it is (multi-stage, nothing pruned); ``after_bytes`` the image
of the rewritten file with the default prune, as ``envslim dockerfile`` builds it; ``unpruned_bytes`` the
rewritten file without prune (the seed's own recipe). Every figure is a range: the base image is measured
(``knowledge/images.toml``), the environment's total is the report's, and the prune fraction is an estimate
from two measurements. A package with no figure on a side leaves that side partial: its count is given and
it is never counted as zero. A side whose python has no figure has no image figure at all (unknown): without
the interpreter the rest's sum would read as an image several times smaller than any the file can build.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from envslim.image.dockerfile import DEFAULT_BASE, DISTROLESS_BASE  # the bases envslim dockerfile writes


@dataclass(frozen=True)
class Figure:
    bytes: int
    low: int
    high: int
    estimate: bool
    source: str  # what was measured, where, and how


@dataclass(frozen=True)
class Fraction:
    value: float
    low: float
    high: float
    source: str


@lru_cache(maxsize=None)
def _data() -> dict:
    from envslim import knowledge

    return knowledge.read("images.toml")


def base(image: str) -> Figure:
    b = next(x for x in _data()["base"] if x["image"] == image)
    how = " ".join(b["how"].split())
    return Figure(b["bytes"], b["low"], b["high"], b["estimate"],
                  f"{image}: {how} ({b['source']}, {b['date']})")


def prune_fraction() -> Fraction:
    p = _data()["prune"]
    return Fraction(p["fraction"], p["low"], p["high"],
                    f"default prune categories: {' '.join(p['how'].split())} ({p['source']}, {p['date']})")


@dataclass(frozen=True)
class Model:
    base: Figure
    before: tuple[int, int, int] | None  # image (bytes, low, high) of the file as it is, no prune
    unpruned: tuple[int, int, int] | None  # after the rewrite, no prune
    after: tuple[int, int, int] | None  # after the rewrite, default prune
    distroless: tuple[int, int, int] | None  # ``after`` on the distroless base
    unknown_before: int
    unknown_after: int
    fraction: Fraction
    sources: tuple[str, ...]
    # the sides ("before", "after") whose python has no figure: their image is unknown, not the rest's sum (the
    # interpreter and its closure, 160 to 250 MB, would be missing from it)
    no_python: tuple[str, ...] = ()

    @property
    def base_image(self) -> str:
        return DEFAULT_BASE

    @property
    def partial(self) -> bool:
        return bool(self.unknown_before or self.unknown_after)

    def as_dict(self) -> dict:
        def rng(t):
            return [t[1], t[2]] if t else None

        return {
            "base": DEFAULT_BASE, "base_bytes": self.base.bytes,
            "before_bytes": self.before[0] if self.before else None, "before_range": rng(self.before),
            "after_bytes": self.after[0] if self.after else None, "after_range": rng(self.after),
            "unpruned_bytes": self.unpruned[0] if self.unpruned else None, "unpruned_range": rng(self.unpruned),
            "distroless_after_bytes": self.distroless[0] if self.distroless else None,
            "distroless_after_range": rng(self.distroless),
            "prune_fraction": self.fraction.value, "prune_fraction_range": [self.fraction.low, self.fraction.high],
            "estimate": True, "partial": self.partial,
            "unknown_before": self.unknown_before, "unknown_after": self.unknown_after,
            "python_unknown": list(self.no_python),
            "sources": list(self.sources),
        }


def _image(b: Figure, env, fraction: Fraction | None) -> tuple[int, int, int] | None:
    """base + env (``footprint.union``'s (bytes, low, high, counted)) - the pruned share; None without env."""
    if env is None:
        return None
    kept = (1.0, 1.0, 1.0) if fraction is None else (1 - fraction.value, 1 - fraction.high, 1 - fraction.low)
    return (b.bytes + round(env[0] * kept[0]), b.low + round(env[1] * kept[1]), b.high + round(env[2] * kept[2]))


def model(totals: dict, no_python: tuple[str, ...] = ()) -> Model:
    """The image model from a report's ``FileReport.totals()``; ``no_python``: the sides whose python row has no
    figure for the target (their image is unknown)."""
    (env_b, unknown_b, _), (env_a, unknown_a, _) = totals["before"], totals["after"]
    if "before" in no_python:
        env_b = None
    if "after" in no_python:
        env_a = None
    slim, dl, frac = base(DEFAULT_BASE), base(DISTROLESS_BASE), prune_fraction()
    return Model(
        base=slim,
        before=_image(slim, env_b, None),
        unpruned=_image(slim, env_a, None),
        after=_image(slim, env_a, frac),
        distroless=_image(dl, env_a, frac),
        unknown_before=unknown_b,
        unknown_after=unknown_a,
        fraction=frac,
        sources=(slim.source, dl.source, frac.source,
                 "environment: the report's totals (estimate.before_bytes, estimate.after_bytes) and their figures"),
        no_python=tuple(no_python),
    )
