"""Plans for pixi manifests: the rules run on each scope of the manifest (a feature and/or a target, or the
default), its conda and PyPI tables seen as an environment file; each scope's fixes are spliced into the text
the scope before it left, and every edit is read back with tomllib before it is kept."""

from __future__ import annotations

from envslim import knowledge
from envslim._record import replace
from envslim.document.pixi import PixiManifest, ScopeView, scopes
from envslim.envfile import FixError
from envslim.plan import Options, Plan, make_plan

# Rules whose premise pixi does not share. ES007: pixi resolves from the channels it lists and nothing
# else (no .condarc, no implicit defaults). ES006: pixi installs a PyPI requirement with uv after the conda
# packages and leaves it out when a conda package already satisfies it, so no second copy is installed.
NOT_FOR_PIXI = frozenset({"ES006", "ES007"})


class _Whole:
    """The manifest as a whole, for the review output: the lines of a fix are those of its finding."""

    channels = dependencies = pip = None

    def __init__(self, manifest: PixiManifest) -> None:
        self.manifest = manifest
        self.path = manifest.path

    def position(self, offset: int) -> tuple[int, int]:
        return self.manifest.position(offset)

    def edits(self, ops):
        raise FixError("a pixi fix is located by its finding's line")


def make_pixi_plan(manifest: PixiManifest, options: Options | None = None, load=knowledge.load) -> Plan:
    options = options or Options()
    options = replace(options, ignore=options.ignore | NOT_FOR_PIXI)
    published = set(manifest.project_dependencies())
    plan = Plan(env=_Whole(manifest), old_text=manifest.bom + manifest.text)
    current = manifest
    for scope in scopes(manifest):
        view = ScopeView(current, scope, published=published)
        scoped = make_plan(view, options, load)
        scoped.findings = [f for f in scoped.findings if not getattr(f.item, "context", False)]
        for f in scoped.findings:
            if f.item is not None and getattr(f.item, "dep", None) is not None:
                first = next((d for d in manifest.deps if (d.scope, d.table, d.name) ==
                              (f.item.dep.scope, f.item.dep.table, f.item.dep.name)), None)
                if first is not None:  # report the line of the original text
                    f.item = replace(f.item, line=first.line)
        plan.findings += scoped.findings
        if scoped.changed:
            current = PixiManifest.from_text(scoped.new_text, manifest.path, root=manifest.root)
    plan.new_text = current.bom + current.text
    return plan
