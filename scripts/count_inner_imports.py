"""Count the imports that sit inside functions, and those of them that cross apps.

An import inside a function (or method) is usually there to dodge an import cycle;
one that reaches another app is a sign the arrows between apps run both ways.
"Another app" means a different first package under ``shezhi`` (``shezhi.events``
imported from ``shezhi/stats/…``, or ``from ..events import x`` from there).

    python scripts/count_inner_imports.py            # the two totals
    python scripts/count_inner_imports.py --list     # and every cross-app one
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "shezhi"


def _app_of(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else ""


def _target(node: ast.ImportFrom | ast.Import, path: Path) -> list[str]:
    """The dotted modules the import names, made absolute."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        return [node.module or ""]
    package = ["shezhi", *path.relative_to(ROOT).parts[:-1]]
    if path.name == "__init__.py":
        package = ["shezhi", *path.relative_to(ROOT).parts[:-1]]
    base = package[: len(package) - (node.level - 1)]
    module = ".".join(base + ([node.module] if node.module else []))
    if node.module:
        return [module]
    # ``from .. import events``: each name may be a module.
    return [f"{module}.{alias.name}" for alias in node.names]


def inner_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def walk(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                yield from walk(child, True)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                if in_function:
                    yield child
            else:
                yield from walk(child, in_function)

    yield from walk(tree, False)


def main(argv: list[str]) -> int:
    total = 0
    project = 0
    crossing: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        app = _app_of(path)
        for node in inner_imports(path):
            total += 1
            others = set()
            modules = _target(node, path)
            if any(m.split(".")[0] == "shezhi" for m in modules):
                project += 1
            for module in modules:
                parts = module.split(".")
                if parts[0] == "shezhi" and len(parts) > 1 and parts[1] != app:
                    others.add(parts[1])
            if others:
                where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
                crossing.append(f"{where} -> {', '.join(sorted(others))}")
    if "--list" in argv:
        for line in crossing:
            print(line)
    print(f"imports inside functions: {total}")
    print(f"  of project modules:     {project}")
    print(f"  of which cross apps:    {len(crossing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
