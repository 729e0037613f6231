"""REST and GraphQL share only the edge plumbing in api/http: neither imports the other, and
GraphQL does not import the response cache (it marks responses through api/http/cacheable)."""

import ast
from pathlib import Path

import pytest

API = Path(__file__).resolve().parents[1] / "api"


def imported_modules(package: str) -> dict[str, set[str]]:
    """Module file -> the absolute module names it imports (`from x import y` gives x and x.y)."""
    found: dict[str, set[str]] = {}
    for path in sorted((API / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[str(path.relative_to(API.parent))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("rest", ("api.graphql",)), ("graphql", ("api.rest", "api.cache"))],
)
def test_outer_packages_do_not_import_each_other(package: str, forbidden: tuple[str, ...]) -> None:
    offenders = [
        f"{module}: {name}"
        for module, names in imported_modules(package).items()
        for name in sorted(names)
        if any(name == prefix or name.startswith(prefix + ".") for prefix in forbidden)
    ]
    assert not offenders, "share it through api/http instead:\n" + "\n".join(offenders)


def test_the_check_sees_imports() -> None:
    assert "api.http.nul" in imported_modules("rest")["api/rest/nul.py"]
