"""The ``schema`` every JSON output carries first: its kind and version. The version goes up when a field
is renamed, removed or changes meaning; new fields do not change it."""

SCHEMAS = {
    "rewrite": "envslim-rewrite/1",  # envslim rewrite --format json
    "report": "envslim-report/1",  # envslim report --format json
    "explain": "envslim-explain/1",  # envslim explain --json
}
