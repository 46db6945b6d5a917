"""A pixi manifest's environment for :func:`envslim.solve.fileplan.prove`: the adapter that reads one
environment's conda specs (its features' channels in pixi's order) and PyPI requirements
per platform, and re-reads a rewritten manifest.

The adapter reads an environment's lines as the report does (the manifest's ``environment(name,
platform)``: ``deps`` and ``pip_items`` as an environment file has them). :func:`adapter_for` gives the
adapter a document needs (None: the default, an environment file's).
"""

from __future__ import annotations

from typing import Any

from envslim.solve.engine import EnvSpec
from envslim.solve.fileplan import Adapter

__all__ = ["PixiAdapter", "adapter_for"]


def adapter_for(doc: Any, environment: str | None) -> "PixiAdapter | None":
    """How :func:`envslim.solve.fileplan.prove` reads ``doc``: a pixi manifest's ``environment``, or None
    (an environment file: the default adapter)."""
    return PixiAdapter(environment or "default") if doc.format == "pixi" else None


class PixiAdapter(Adapter):
    def __init__(self, environment: str) -> None:
        self.environment = environment

    def channels(self, manifest: Any) -> tuple[str, ...]:
        """The environment's channels as pixi orders them: its features' in the order listed, the default
        feature's last, each channel once, at its first place (pixi's ``test_channel_feature_priority``
        and ``test_channel_feature_priority_with_redifinition``, prefix-dev/pixi PR #1332, May 2024)."""
        feats = manifest.environments()[self.environment]
        out: list[str] = []
        for feat in [f for f in feats if f is not None] + [f for f in feats if f is None]:
            for name in manifest.channel_names(feat):
                if name not in out:
                    out.append(name)
        return tuple(out)

    def spec(self, doc: Any, platform: str) -> EnvSpec:
        env = doc.environment(self.environment, platform)
        conda = tuple(i.text.strip() for i in env.deps if i.text.strip())
        pip = tuple(i.text.strip() for i in env.pip_items if isinstance(i.value, str))
        return EnvSpec(self.channels(doc), conda, pip)

    def render(self, doc: Any, ops: list[Any]) -> str:
        """One fix alone on the manifest as it is, through the view of its scope; a fix on a line the
        manifest does not have at that place (found after another scope's fix moved it) raises FixError
        and is proven with the whole rewrite."""
        from envslim.document.edits import FixError
        from envslim.document.pixi import ScopeView

        here = {(d.scope, d.table, d.name, d.pair.line_start, d.text) for d in doc.deps}
        scopes = set()
        for op in ops:
            dep = getattr(getattr(op, "item", None), "dep", None)
            if dep is None:
                continue
            if (dep.scope, dep.table, dep.name, dep.pair.line_start, dep.text) not in here:
                raise FixError(f"{dep.name}: not at this place in the manifest as it is")
            scopes.add(dep.scope)
        if len(scopes) != 1:
            raise FixError("a fix alone is rendered on one scope")
        return ScopeView(doc, scopes.pop()).render(ops)

    def parse(self, text: str, doc: Any) -> Any:
        return doc.reread(text)
