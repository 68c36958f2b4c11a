"""The house's shape, checked on the source: route -> handler -> logic -> adapter, nothing else.

- boto3 and botocore are imported only by the adapters;
- no import cycle among the functions' modules (a lazy import inside a function counts too);
- a generation's status is written by one module, logic/lifecycle.py;
- no module of the shared package grows past the size a reader takes in at once.
"""

from __future__ import annotations

import ast
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
STUDIO = FUNCTIONS / "studio"
# The writes that move a record's status (adapters/generation_records.py).
STATUS_WRITES = {"create", "claim", "complete", "fail"}
MAX_MODULE_LINES = 360


def _module_name(path: Path) -> str:
    parts = path.relative_to(FUNCTIONS).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, tuple[Path, ast.Module]]:
    return {_module_name(p): (p, ast.parse(p.read_text(), str(p))) for p in FUNCTIONS.rglob("*.py")}


def _imports(tree: ast.Module, module: str, known: set[str]) -> set[str]:
    """The project modules `module` imports (from x import y: y when it is a module, else x)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:  # relative: from . import x
                base = ".".join(module.split(".")[:-node.level] + ([node.module] if node.module else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                if candidate in known:
                    found.add(candidate)
                elif base in known:
                    found.add(base)
    found.discard(module)
    return found


def test_boto3_is_imported_only_by_the_adapters():
    offenders = []
    for module, (path, tree) in _sources().items():
        if module.startswith("studio.adapters."):
            continue
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] in ("boto3", "botocore") for n in names):
                offenders.append(module)
    assert offenders == []


def test_no_import_cycle_among_the_functions_modules():
    sources = _sources()
    known = set(sources)
    graph = {module: _imports(tree, module, known) for module, (_path, tree) in sources.items()}
    # A package imports its __init__ first: an edge to a package is not a cycle through its modules.
    cycles, state = [], {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append(trail[trail.index(target):] + [target] if target in trail else [module, target])
            elif target not in state:
                visit(target, trail + [target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_only_the_lifecycle_module_changes_a_generations_status():
    writers = set()
    for module, (_path, tree) in _sources().items():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr in STATUS_WRITES and isinstance(node.value, ast.Name)
                    and node.value.id == "generation_records"):
                writers.add(module)
            if isinstance(node, ast.ImportFrom) and node.module == "studio.adapters.generation_records":
                if STATUS_WRITES & {alias.name for alias in node.names}:
                    writers.add(module)
    assert writers == {"studio.logic.lifecycle"}


def test_no_shared_module_is_longer_than_a_reader_takes_in():
    long = {str(p.relative_to(FUNCTIONS)): n for p in STUDIO.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}, f"split these by what they do (at most {MAX_MODULE_LINES} lines): {long}"
