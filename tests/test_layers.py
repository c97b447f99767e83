"""The packages depend on each other one way: everything over the pure knowledge package, never sideways;
the action server needs only rasa-sdk and the knowledge package (actions/requirements.txt)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"actions", "channels", "components", "knowledge", "evaluation", "scripts", "tests"}

# What each package may import from the project; anything else of the project is a sideways import.
ALLOWED = {
    "knowledge": {"knowledge"},
    "actions": {"actions", "knowledge"},
    "components": {"components", "knowledge"},
    "channels": {"channels", "knowledge"},
    "evaluation": {"evaluation", "knowledge"},
    "scripts": {"scripts", "knowledge", "components", "evaluation"},
}
# Third-party packages the action server may import: those of actions/requirements.txt.
ACTION_SERVER_PACKAGES = {"rasa_sdk", "yaml", "srsly", "spacy_lookups_data"}


def imports(path: Path) -> set[str]:
    """The top-level names a module imports (absolute imports only; the project uses no relative ones)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_what_their_layer_allows(package):
    sideways = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in imports(path) & PROJECT
        if name not in ALLOWED[package]
    }
    assert not sideways


@pytest.mark.parametrize("package", ["actions", "knowledge"])
def test_the_action_server_needs_only_rasa_sdk_and_the_knowledge_package(package):
    allowed = ACTION_SERVER_PACKAGES | {"actions", "knowledge", "__future__"} | set(sys.stdlib_module_names)
    extra = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in imports(path)
        if name not in allowed
    }
    assert not extra
    required = (ROOT / "actions" / "requirements.txt").read_text(encoding="utf-8").lower()
    assert all(name.replace("_", "-") in required or name == "yaml" for name in ACTION_SERVER_PACKAGES)
