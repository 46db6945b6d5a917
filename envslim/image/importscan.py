"""Which modules the non-test code of an installed package imports: a ``tests`` directory that the
package's own code imports at run time is kept by ``envslim prune``."""

from __future__ import annotations

import ast
import os
import re

from envslim.document.atomic import open_regular

MAX_SOURCE_BYTES = 64 * 1024 * 1024  # one .py file scanned (the largest in a big environment: a few MB)


class ImportScanner:
    """Which modules the non-test code of a top-level package imports (cached per package).

    A tests directory ``a/b/tests`` (module ``a.b.tests``) is kept when any ``.py`` file of package ``a``
    outside tests directories (``conftest.py`` excepted: only pytest loads it) imports ``a.b.tests`` or
    something below it, by absolute or relative import, or names it in a string (importlib, relative names
    such as ``".tests.x"`` resolved against the file's package); an f-string with a ``tests`` part keeps
    every tests directory of the package (its name is only known at run time). A ``.pth`` file of the
    site-packages that imports a tests module or adds a tests folder to the path keeps it too.
    """

    _IMPORTISH = re.compile(r"^\s*(?:from|import)\s.*\btests?\b", re.M)
    ANY = "<any tests directory>"
    # Files worth parsing: an import naming test(s), or a dotted string naming it (importlib).
    _MAYBE = re.compile(
        rb"^[ \t]*(?:from|import)[ \t][^\n]*\btests?\b"
        rb"|^[ \t]*from[ \t]+\S+[ \t]+import[ \t]*\([^)]*\btests?\b"
        rb"|[\"'][\w.]*\btests?\b[\w.]*[\"']"
        rb"|\}[\w.]*\btests?\b",  # an f-string piece after a replacement field: f"{__name__}.tests"
        re.M,
    )

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.cache: dict[str, list[tuple[str, str, int]]] = {}

    def imported(self, rel: str) -> str | None:
        sp, _, inside = rel.rpartition("/site-packages/")
        sp = f"{sp}/site-packages"
        module = inside.replace("/", ".")
        top = inside.split("/", 1)[0]
        for name, where, line in self._imports(sp, top) + self.pth_references(sp):
            if name == module or name.startswith(module + ".") or name == self.ANY:
                return f"imported at run time by {where}:{line}"
        return None

    def _imports(self, sp: str, top: str) -> list[tuple[str, str, int]]:
        key = f"{sp}/{top}"
        if key not in self.cache:
            self.cache[key] = found = []
            for rel_file in self._sources(sp, top):
                found.extend(self._scan(sp, rel_file))
        return self.cache[key]

    def _sources(self, sp: str, top: str) -> list[str]:
        out: list[str] = []
        root = os.path.join(self.prefix, sp)
        stack = [top]
        while stack:
            rel_dir = stack.pop()
            try:
                with os.scandir(os.path.join(root, rel_dir)) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError:
                continue
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    if e.name not in ("tests", "test", "__pycache__"):
                        stack.append(f"{rel_dir}/{e.name}")
                elif e.name.endswith(".py") and e.name != "conftest.py" and e.is_file(follow_symlinks=False):
                    out.append(f"{rel_dir}/{e.name}")
        return sorted(out)

    def _scan(self, sp: str, rel_file: str) -> list[tuple[str, str, int]]:
        where = f"{sp}/{rel_file}"
        try:
            with open_regular(os.path.join(self.prefix, where), follow_links=False) as f:
                data = f.read(MAX_SOURCE_BYTES)
        except OSError:
            return []
        if not self._MAYBE.search(data):
            return []
        parts = rel_file[: -len(".py")].split("/")
        package = parts[:-1]  # the package a relative import starts from
        try:
            tree = ast.parse(data, where)
        except (SyntaxError, ValueError):
            # Newer syntax than this Python reads: be conservative, a tests import keeps every tests dir.
            text = data.decode("utf-8", "replace")
            m = self._IMPORTISH.search(text)
            if m is None:
                return []
            return [(self.ANY, where, text.count("\n", 0, m.start()) + 1)]
        found: list[tuple[str, str, int]] = []
        pieces = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.extend((a.name, where, node.lineno) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                found.append((mod, where, node.lineno))
                found.extend((f"{mod}.{a.name}", where, node.lineno) for a in node.names if a.name != "*")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "test" in node.value:
                value = node.value
                if id(node) in pieces:  # a piece of an f-string: the module's name is made at run time
                    if _TESTS_PART.search(value):
                        found.append((self.ANY, where, node.lineno))
                    continue
                if value.startswith("."):  # importlib.import_module(".tests.x", package=__name__)
                    dots = len(value) - len(value.lstrip("."))
                    base = package[: max(len(package) - dots + 1, 0)]
                    value = ".".join(base + [value[dots:]]) if value[dots:] else ".".join(base)
                found.append((value, where, node.lineno))
        return found

    def pth_references(self, sp: str) -> list[tuple[str, str, int]]:
        """What the ``.pth`` files of ``sp`` name: modules their ``import`` lines import, and the folders their
        path lines add (as dotted names relative to site-packages); each with file and line."""
        key = f"{sp}/*.pth"
        if key in self.cache:
            return self.cache[key]
        self.cache[key] = found = []
        root = os.path.join(self.prefix, sp)
        try:
            names = sorted(n for n in os.listdir(root) if n.endswith(".pth"))
        except OSError:
            return found
        for name in names:
            where = f"{sp}/{name}"
            try:
                with open_regular(os.path.join(root, name)) as f:  # (a FIFO would wait for a writer forever)
                    lines = f.read(1 << 20).decode("utf-8", "replace").splitlines()
            except OSError:
                continue
            for n, line in enumerate(lines, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if line.startswith(("import ", "import\t")):
                    for m in re.finditer(r"[A-Za-z_][\w.]*", line[len("import"):]):
                        found.append((m.group(0), where, n))
                    continue
                path = os.path.normpath(line if os.path.isabs(line) else os.path.join(root, line))
                rel = os.path.relpath(path, root)
                if not rel.startswith(".."):
                    found.append((rel.replace(os.sep, "."), where, n))
        return found


_TESTS_PART = re.compile(r"(?:^|[.{}/])tests?(?:$|[.{}/])")


