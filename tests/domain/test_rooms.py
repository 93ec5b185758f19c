"""The domain's house rules, read from the source: no SQL and no raw git under ``domain/``,
imports between domain packages only through their faces, and small modules and functions.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "draftroom"
DOMAIN = SRC / "domain"
PACKAGES = sorted(p.name for p in DOMAIN.iterdir() if (p / "__init__.py").is_file())
ALLOWED_SQLALCHEMY = {("sqlalchemy.orm", "Session"), ("sqlalchemy.exc", "SQLAlchemyError")}
"""A session passed down as a type, and the error a best-effort write catches: no queries."""
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
SIZED = [SRC]
MUTABLE_CALLS = {"Lock", "RLock", "Event", "local", "dict", "list", "set", "OrderedDict"}
PROCESS_GLOBAL = {DOMAIN / "workspace" / "collector.py"}
"""Mirrors state Python itself keeps per process (the garbage collector's switch)."""


def modules(*roots: Path) -> Iterator[tuple[Path, ast.Module]]:
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            yield path, ast.parse(path.read_text("utf-8"))


def imports(tree: ast.Module) -> Iterator[tuple[str, list[str]]]:
    """(module, names) of every import; ``import a.b`` gives ("a.b", [])."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [alias.name for alias in node.names]


def test_domain_imports_no_sqlalchemy_but_the_session_type() -> None:
    found = [
        f"{path.relative_to(SRC)}: {module} {names}"
        for path, tree in modules(DOMAIN)
        for module, names in imports(tree)
        if module.split(".")[0] == "sqlalchemy"
        and (not names or any((module, name) not in ALLOWED_SQLALCHEMY for name in names))
    ]
    assert found == [], "queries belong in draftroom.store"


def test_domain_runs_no_query_on_a_session() -> None:
    """Domain code hands its session to ``draftroom.store`` functions; it never queries."""
    queries = {"execute", "scalar", "scalars", "get", "query", "add", "delete", "merge"}
    found = [
        f"{path.relative_to(SRC)}:{node.lineno} session.{node.func.attr}"
        for path, tree in modules(DOMAIN)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in queries
        and isinstance(node.func.value, ast.Name)
        and "session" in node.func.value.id
    ]
    assert found == []


def test_domain_never_opens_git_but_through_the_engine() -> None:
    found = [
        f"{path.relative_to(SRC)}: {module}"
        for path, tree in modules(DOMAIN)
        for module, _ in imports(tree)
        if module.split(".")[0] == "pygit2"
    ]
    assert found == [], "git belongs in draftroom.git"


def test_domain_keeps_no_state_at_import_time() -> None:
    """Caches, locks and registries are built at start and held by ``Services`` (or a
    ``Repository``), so each app and each test gets its own."""
    found = []
    for path, tree in modules(DOMAIN):
        if path in PROCESS_GLOBAL:
            continue
        for node in tree.body:
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            empty = isinstance(value, ast.Dict | ast.List | ast.Set) and not (
                value.keys if isinstance(value, ast.Dict) else value.elts
            )
            called = isinstance(value, ast.Call) and (
                getattr(value.func, "attr", None) in MUTABLE_CALLS
                or getattr(value.func, "id", None) in MUTABLE_CALLS
            )
            if empty or called:
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
        found += [
            f"{path.relative_to(SRC)}:{node.lineno} global"
            for node in ast.walk(tree)
            if isinstance(node, ast.Global)
        ]
    assert found == []


def test_domain_packages_import_each_other_through_their_faces() -> None:
    found = []
    for path, tree in modules(DOMAIN, SRC / "tools", SRC / "adapters"):
        home = path.relative_to(DOMAIN).parts[0] if path.is_relative_to(DOMAIN) else None
        for module, names in imports(tree):
            parts = module.split(".")
            if parts[:2] != ["draftroom", "domain"] or len(parts) < 3 or parts[2] == home:
                continue
            face = importlib.import_module(".".join(parts[:3]))
            inside = len(parts) > 3 or (home is not None and set(names) - set(face.__all__))
            if inside:
                found.append(f"{path.relative_to(SRC)}: {module} {names}")
    assert found == []


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_of_a_face_is_exported(package: str) -> None:
    face = importlib.import_module(f"draftroom.domain.{package}")
    public = {
        name
        for name, value in vars(face).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith(face.__name__)
    }
    assert public <= set(face.__all__)
    assert all(hasattr(face, name) for name in face.__all__)
    assert sorted(face.__all__) == sorted(set(face.__all__))


def test_no_module_or_function_is_too_long() -> None:
    too_long = []
    for path, tree in modules(*SIZED):
        if "migrations" in path.parts:
            continue
        lines = len(path.read_text("utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(SRC)}: {lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(SRC)}:{node.name}: {length} lines")
    assert too_long == []
