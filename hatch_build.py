"""Hatch build hook: compile the knowledge index (envslim/knowledge/index.py) into the wheel.

The index is written to a temporary folder and force-included as ``envslim/_knowledge_index.json``; an
editable install gets none (the checkout reads ``knowledge/`` and any fresh index beside the package).
Nothing is ever written into an installed package at run time.
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
        spec = importlib.util.spec_from_file_location(
            "_envslim_knowledge_index", os.path.join(self.root, "envslim", "knowledge", "index.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        self._folder = tempfile.mkdtemp(prefix="envslim-index-")
        out = os.path.join(self._folder, module.FILE)
        with open(out, "wb") as f:
            f.write(module.compile_index(os.path.join(self.root, "knowledge")))
        build_data["force_include"][out] = f"envslim/{module.FILE}"

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        folder = getattr(self, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
