"""Tests mirror the domain: each package under src/draftroom/domain has tests/domain/<package>/.

So a capability added as a new package cannot land without at least one test module of its own.
"""

from __future__ import annotations

from pathlib import Path

import draftroom.domain

SRC = Path(draftroom.domain.__file__).parent
TESTS = Path(__file__).parent


def packages(root: Path) -> set[str]:
    return {p.name for p in root.iterdir() if (p / "__init__.py").is_file()}


def test_every_domain_package_has_a_test_package_with_a_test_module() -> None:
    domain = packages(SRC)
    assert len(domain) >= 2, f"no domain packages found under {SRC}"
    untested = sorted(name for name in domain if not any((TESTS / name).glob("test_*.py")))
    assert untested == [], f"add tests/domain/<package>/test_<module>.py for: {untested}"


def test_every_test_package_names_a_domain_package() -> None:
    """A test package left behind by a rename or removal would mirror nothing."""
    assert sorted(packages(TESTS) - packages(SRC)) == []
