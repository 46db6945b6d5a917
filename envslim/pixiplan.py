"""Plans for pixi manifests: the rules run on each scope of the manifest (a feature and/or a target, or the
default), its conda and PyPI tables seen as an environment file; each scope's fixes are spliced into the text
the scope before it left, and every edit is read back with tomllib before it is kept.

This sits beside plan.py, not in document/: it runs the plan (the document layer imports nothing above it).
Each scope's plan places its outcomes in the manifest's original text (``make_plan(original=, back=)``), so
the record is the same as an environment file's: lines, edits and changes in original-text offsets."""

from __future__ import annotations

from envslim import knowledge
from envslim._record import replace
from envslim.document.pixi import PixiManifest, ScopeView, scopes
from envslim.plan import Options, Plan, make_plan

# Rules whose premise pixi does not share. ES007: pixi resolves from the channels it lists and nothing
# else (no .condarc, no implicit defaults). ES006: pixi installs a PyPI requirement with uv after the conda
# packages and leaves it out when a conda package already satisfies it, so no second copy is installed.
NOT_FOR_PIXI = frozenset({"ES006", "ES007"})


def make_pixi_plan(manifest: PixiManifest, options: Options | None = None, load=knowledge.load) -> Plan:
    options = options or Options()
    options = replace(options, ignore=options.ignore | NOT_FOR_PIXI)
    published = set(manifest.project_dependencies())
    plan = Plan(env=manifest, old_text=manifest.bom + manifest.text)
    current, back = manifest, None  # the text the scopes so far left, and the map of its offsets to the original
    for scope in scopes(manifest):
        view = ScopeView(current, scope, published=published)
        scoped = make_plan(view, options, load, original=manifest, back=back)
        # (a package of another scope of the same environment is there for the rules to see, not to report)
        # (an applied fix whose finding is on such a package is kept: its edit is in the text)
        plan.outcomes += [o for o in scoped.outcomes if not getattr(o.finding.item, "context", False) or o.applied]
        if scoped.changed:
            current = PixiManifest.from_text(scoped.new_text, manifest.path, root=manifest.root)
            back = scoped.offsets
    plan.new_text = current.bom + current.text
    plan.offsets = back
    return plan
