#!/usr/bin/env python3
"""The architecture rules import-linter cannot see (run by `make lint`; tests/test_architecture.py).

1. No import cycle among the modules of `programs/`, counting imports inside functions too: a
   module importing a package imports its `__init__`, and `from package import module` imports
   that module.
2. No module over MAX_MODULE_LINES lines and no function over MAX_FUNCTION_LINES lines in the
   product and its tooling (migrations and data files aside, and the few listed in ALLOWED with
   the reason).

Exits 1 and prints every breach; prints nothing and exits 0 otherwise.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CYCLE_FREE = ("programs",)
SIZED = ("programs", "regions", "talentportal", "bench", "scripts")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
SKIPPED_PARTS = {"migrations", "__pycache__"}
DATA_FILES = {"programs/demo_data.py"}  # the demo's data, written as Python literals
# "path:function" → why it stays longer than MAX_FUNCTION_LINES.
ALLOWED: dict[str, str] = {}


def python_files(root: Path, package: str):
    for path in sorted((root / package).rglob("*.py")):
        if not SKIPPED_PARTS.intersection(path.relative_to(root).parts):
            yield path


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(tree: ast.AST, name: str, is_package: bool, known: set[str]) -> set[str]:
    """Every module of `known` this module's code imports, wherever the import statement is."""
    found: set[str] = set()

    def add(target: str) -> None:
        # Importing a.b.c runs a/__init__, a/b/__init__ and a/b/c. The packages that contain this
        # module are already imported when it runs, so only the target itself counts for them.
        parts = target.split(".")
        for end in range(1, len(parts) + 1):
            candidate = ".".join(parts[:end])
            if candidate not in known or candidate == name:
                continue
            if end < len(parts) and name.startswith(candidate + "."):
                continue
            found.add(candidate)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            submodules = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            for submodule in submodules:
                add(submodule)
            if len(submodules) < len(node.names):  # names defined in `target` itself
                add(target)
    return found


def import_graph(root: Path, packages=CYCLE_FREE) -> dict[str, set[str]]:
    files = {module_name(root, p): p for package in packages for p in python_files(root, package)}
    known = set(files)
    return {
        name: imported_modules(
            ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py", known
        )
        for name, path in files.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def size_breaches(root: Path, packages=SIZED) -> list[str]:
    breaches = []
    for package in packages:
        if not (root / package).is_dir():
            continue
        for path in python_files(root, package):
            relative = path.relative_to(root).as_posix()
            if relative in DATA_FILES:
                continue
            source = path.read_text(encoding="utf-8")
            lines = source.count("\n")
            if lines > MAX_MODULE_LINES:
                breaches.append(
                    f"{relative}: {lines} lines (> {MAX_MODULE_LINES}): make it a package"
                )
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = node.end_lineno - node.lineno + 1
                    key = f"{relative}:{node.name}"
                    if length > MAX_FUNCTION_LINES and key not in ALLOWED:
                        breaches.append(f"{key}: {length} lines (> {MAX_FUNCTION_LINES}): split it")
    return breaches


def main(root: Path = ROOT) -> int:
    problems = [
        "import cycle: " + " ↔ ".join(component) for component in cycles(import_graph(root))
    ]
    problems += size_breaches(root)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT))
