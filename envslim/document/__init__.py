"""Documents: the manifest text and the nodes located in it, and the edits that change it.

Takes the bytes of a manifest (a conda environment YAML file today, pixi TOML beside it) and gives a
document: the original text plus every dependency, channel and pip item with its span, indentation,
inline comment and selector. Edits are spans of the original text; splicing them gives the new text
and every byte outside an edit stays the same byte. Writes are atomic. Nothing here knows about
rules, knowledge or output; this layer imports nothing else from envslim but its errors.
"""
