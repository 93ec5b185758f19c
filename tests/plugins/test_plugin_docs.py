"""The hookspecs' docstrings are the reference: docs/plugins.md repeats each one, and each
hook has an end-to-end test named after it (``test_<hook>_…`` in test_plugins.py)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import draftroom.plugins
from draftroom.plugins import hookspecs

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
TESTS = Path(__file__).resolve().parent / "test_plugins.py"
HOOKS = sorted(name for name, value in vars(hookspecs).items() if hasattr(value, "draftroom_spec"))


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_hooks_are_the_five_of_the_contract() -> None:
    assert HOOKS == [
        "after_commit",
        "before_commit",
        "on_merge_request",
        "on_tool_error",
        "register_templates",
    ]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_with_its_docstring(hook: str) -> None:
    docs = DOCS.read_text("utf-8")
    assert f"### `{hook}(" in docs, f"docs/plugins.md has no heading for {hook}"
    docstring = inspect.getdoc(getattr(hookspecs, hook))
    assert docstring and _words(docstring) in _words(docs)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_exercised_by_a_test(hook: str) -> None:
    tree = ast.parse(TESTS.read_text("utf-8"))
    names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert any(name.startswith(f"test_{hook}_") for name in names), names


def test_the_plugin_api_exports_what_it_defines() -> None:
    public = {
        name
        for name, value in vars(draftroom.plugins).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "").startswith("draftroom.plugins")
    }
    assert public <= set(draftroom.plugins.__all__)
    assert all(hasattr(draftroom.plugins, name) for name in draftroom.plugins.__all__)
