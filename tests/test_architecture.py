"""The shape of the house: imports point down the layers, and feature packages never import in a circle.

Layers (``DESIGN.md``), lowest first: core modules, content (``catalogue``), people (``accounts``,
``schools``), records, features, oversight. The app's wiring (``eduplatform/__init__.py`` and
``cli.py``) registers every feature and may import anything. The audit log's writer
(``audit.models``, ``audit.services``) depends only on the database, so any layer may call it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import eduplatform

PACKAGE = Path(eduplatform.__file__).parent
CORE = {"config", "db", "access", "roles", "academic_year", "i18n", "forms", "rendering", "errors", "extensions",
        "rate_limits", "crypto", "qr", "static_files", "mail", "pdf", "csv_files"}
LOWER = CORE | {"catalogue", "accounts", "schools", "records"}
FEATURES = {"learning", "agreements", "classroom", "signin", "roster", "people", "health", "admin", "compliance",
            "workshops", "concerns"}
OVERSIGHT = {"reports", "audit", "privacy"}
#: The app's wiring and the demo builder (which writes a whole school, audit included) may import anything.
WIRING = {"__init__", "cli", "demo"}
#: Modules of the audit package that depend only on the database: anyone may record an event.
ANYONE_MAY_IMPORT = {"eduplatform.audit.models", "eduplatform.audit.services"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every eduplatform module and the eduplatform modules it imports (at any depth in the file)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("eduplatform"):
                targets.add(node.module)
                targets.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names if alias.name.startswith("eduplatform"))
        found[name] = targets
    return found


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_lower_layers_never_import_features_or_oversight() -> None:
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in _imports().items() if _top(module) in LOWER
        for target in targets
        if _top(target) in FEATURES | OVERSIGHT and not any(target.startswith(ok) for ok in ANYONE_MAY_IMPORT)
    )
    assert upward == [], "imports must point down the layers"


def test_features_never_import_oversight_except_the_audit_writer() -> None:
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in _imports().items() if _top(module) in FEATURES
        for target in targets
        if _top(target) in OVERSIGHT and not any(target.startswith(ok) for ok in ANYONE_MAY_IMPORT)
    )
    assert upward == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one package (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycle_between_feature_packages() -> None:
    checked = FEATURES | OVERSIGHT | {"records"}
    graph: dict[str, set[str]] = {}
    for module, targets in _imports().items():
        source = _top(module)
        if source not in checked:
            continue
        graph.setdefault(source, set()).update(
            _top(target) for target in targets
            if _top(target) in checked and _top(target) != source
            and not any(target.startswith(ok) for ok in ANYONE_MAY_IMPORT))
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_every_package_has_a_layer() -> None:
    tops = {_top(module) for module in _imports()}
    assert tops - (LOWER | FEATURES | OVERSIGHT | WIRING) == set(), "add new packages to a layer here"
