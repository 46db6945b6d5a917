"""Hatch build hook: the knowledge base, its compiled index and the compiled graph snapshot, into the wheel.

- ``knowledge/`` goes in as ``envslim/_knowledge/``, all but the graph snapshot's JSONL;
- the knowledge index (envslim/knowledge/index.py) as ``envslim/_knowledge_index.bin``;
- the graph snapshot compiled (envslim/environment/graphbin.py) as ``envslim/_graph_snapshot.bin``, in place
  of its JSONL (the checkout's reviewable source).

The compiled files are written to a temporary folder and force-included; an editable install gets none (the
checkout reads ``knowledge/`` and any fresh compiled file beside the package). Nothing is ever written into an
installed package at run time.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class KnowledgeIndexHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        knowledge = os.path.join(self.root, "knowledge")
        graph = os.path.join(knowledge, "graph", "conda.jsonl")
        for folder, _dirs, files in os.walk(knowledge):
            for file in files:
                path = os.path.join(folder, file)
                if path != graph:
                    rel = os.path.relpath(path, knowledge).replace(os.sep, "/")
                    build_data["force_include"][path] = f"envslim/_knowledge/{rel}"
        self._folder = tempfile.mkdtemp(prefix="envslim-index-")
        index = _load("_envslim_knowledge_index", os.path.join(self.root, "envslim", "knowledge", "index.py"))
        out = os.path.join(self._folder, index.FILE)
        with open(out, "wb") as f:
            f.write(index.compile_index(knowledge))
        build_data["force_include"][out] = f"envslim/{index.FILE}"
        graphbin = _load("_envslim_graphbin", os.path.join(self.root, "envslim", "environment", "graphbin.py"))
        out = os.path.join(self._folder, graphbin.FILE)
        with open(graph, "rb") as f, open(out, "wb") as g:
            g.write(graphbin.compile_snapshot(f.read(), graphbin.stamp(graph)))
        build_data["force_include"][out] = f"envslim/{graphbin.FILE}"

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        folder = getattr(self, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def _load(name: str, path: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
