"""No private name crosses a module boundary in the shipped packages and the tooling.

ruff's SLF001 catches ``obj._name``; this walks the syntax trees for what it cannot see:
``from module import _name`` (and ``import``-ed modules used as ``module._name``) between
two of our modules. The layers and the absence of cycles are import-linter's contracts
in pyproject.toml, run by ``make test``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("matchmaker", "solver", "tooling")

# (importing module, imported module, name): being rewritten elsewhere right now, to go
# with that work (the publication service of issue 9).


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def private_uses(module: str, path: Path, ours: set[str]) -> Iterator[tuple[str, str, str]]:
    """(imported module, private name, where) for each use of another module's private
    name in ``module``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}  # local name -> one of our modules
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _absolute(module, path.name == "__init__.py", node)
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in ours:
                    aliases[alias.asname or alias.name] = submodule
                    if module.startswith(f"{source}."):
                        continue  # a module of the same package, private or not
                if source in ours and source != module and _private(alias.name):
                    yield source, alias.name, f"{path.name}:{node.lineno}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ours and alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and _private(node.attr)
        ):
            yield aliases[node.value.id], node.attr, f"{path.name}:{node.lineno}"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_layers_no_private_name_is_used_outside_its_module() -> None:
    modules = _modules()
    found = {
        (module, source, name, where)
        for module, path in modules.items()
        for source, name, where in private_uses(module, path, set(modules))
    }

    assert sorted(found) == []


def test_layers_the_check_sees_private_imports_and_attributes(tmp_path: Path) -> None:
    path = tmp_path / "probe.py"
    path.write_text(
        "from matchmaker.profiles import _hidden\n"
        "from . import _sibling\n"
        "from matchmaker import changes\n"
        "from solver.probe import _own\n"
        "changes._Checker\n"
        "changes.__doc__\n",
        encoding="utf-8",
    )
    ours = {"matchmaker", "matchmaker.profiles", "matchmaker.changes", "solver", "solver._sibling"}

    found = sorted(private_uses("solver.probe", path, ours))

    assert found == [
        ("matchmaker.changes", "_Checker", "probe.py:5"),
        ("matchmaker.profiles", "_hidden", "probe.py:1"),
    ]
