"""The retention review's modules: imports point one way, from build down to the data."""

from __future__ import annotations

import ast

from tests.helpers.paths import ROOT

PACKAGE = "mimoto_gov.views.review"
FOLDER = ROOT / "mimoto_gov" / "views" / "review"
SECTIONS = ("holdings", "schedule", "personal_data", "customers", "governance", "output")


def review_imports() -> dict[str, set[str]]:
    """Map each module of the package to the package's modules it imports (at any depth)."""
    graph = {}
    for path in FOLDER.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == PACKAGE:
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
                found.add(node.module.removeprefix(PACKAGE + "."))
        graph[path.stem] = found
    return graph


def test_the_review_modules_import_each_other_without_a_cycle():
    graph = review_imports()

    def reaches(start: str) -> set[str]:
        seen, todo = set(), list(graph[start])
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(graph.get(name, ()))
        return seen

    assert {name for name in graph if name in reaches(name)} == set()
    # The sections read the data only; the summary reads the sections; the core joins them.
    for section in SECTIONS:
        assert reaches(section) <= {"model", "charts"}, section
    assert {"core", "build"}.isdisjoint(reaches("summary"))
    assert "build" not in reaches("core")
