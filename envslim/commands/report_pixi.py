"""One pixi environment read as one environment file: the conda and PyPI lines of its features (and of
their targets for a platform), for ``envslim report``, ``report --solve`` and ``dockerfile`` on a pixi
manifest."""

from __future__ import annotations

from envslim.errors import EnvslimError

# A target selector of pixi other than a platform: the platforms it covers (by the subdir's family).
_SELECTORS = {"unix": ("linux", "osx"), "linux": ("linux",), "osx": ("osx",), "win": ("win",)}


def _targets(target: str | None, platform: str) -> bool:
    """True when a dependency of ``target`` (None: every platform) is installed on ``platform``."""
    return target is None or target == platform or platform.split("-")[0] in _SELECTORS.get(target, ())


class PixiEnv:
    """The conda and PyPI lines of one pixi environment on one platform: the dependencies of its features
    (the default one first unless it opts out), each feature's targets for the platform included, as
    ``_conda_sides`` and ``_pip_sides`` read an environment file. A name given twice (a feature's table, a
    target's) is the line pixi uses last: a target over its feature, a later feature over an earlier."""

    def __init__(self, manifest, environment: str, platform: str) -> None:
        from envslim.document.pixi_view import ScopeView, _pep508

        envs = manifest.environments()
        if environment not in envs:
            raise EnvslimError(f"{manifest.path}: no pixi environment '{environment}' (it has: {', '.join(envs)})")
        feats = envs[environment]
        chosen: dict[tuple[str, str], object] = {}
        for feat in feats:
            for target_last in (False, True):
                for d in manifest.deps:
                    if d.scope.feature != feat or (d.scope.target is not None) != target_last:
                        continue
                    if not _targets(d.scope.target, platform) or d.table not in ("dependencies", "pypi-dependencies"):
                        continue
                    value = d.conda_spec() if d.table == "dependencies" else _pep508(d)
                    if value is None:  # a source dependency (path, git, url): nothing to size
                        continue
                    kind = "conda" if d.table == "dependencies" else "pip"
                    chosen.pop((kind, d.name.lower()), None)
                    chosen[(kind, d.name.lower())] = ScopeView._item(d, value)
        self.deps = [i for (k, _), i in chosen.items() if k == "conda"]
        self.pip_items = [i for (k, _), i in chosen.items() if k == "pip"]
