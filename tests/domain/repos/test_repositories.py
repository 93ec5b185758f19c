"""Registering repositories: a new bare one with its README on main, or an existing one as is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.calls.services import Services
from draftroom.domain.repos.repositories import register_repository
from draftroom.errors import AlreadyExists, InvalidInput
from draftroom.git import Repository


def org_id(services: Services) -> int:
    with services.database.session() as session:
        return store.get_or_create_org(session, services.settings.org).id


def register(services: Services, name: str, **options: Any) -> store.RepositoryRecord:
    with services.database.session() as session:
        return register_repository(services, session, org_id(services), name, **options)


def test_a_new_repository_is_a_bare_repo_whose_main_holds_the_readme(services: Services) -> None:
    record = register(services, "site", readme=b"# site\n")

    gitdir = Path(record.path)
    assert gitdir == (services.settings.repos_dir / "site.git").resolve()
    repo = Repository.open(gitdir)
    assert repo.read_file(repo.head("main"), "README.md").data == b"# site\n"
    with services.database.session() as session:
        found = store.get_repository(session, org_id(services), "site")
        assert found is not None and found.path == record.path


def test_an_existing_repository_is_registered_where_it_is_untouched(
    services: Services, tmp_path: Path
) -> None:
    existing = Repository.init(tmp_path / "elsewhere.git", readme=b"# mine\n")
    head = existing.head("main")

    record = register(services, "mine", path=tmp_path / "elsewhere.git")

    assert Path(record.path) == existing.path
    assert Repository.open(record.path).head("main") == head
    assert not (services.settings.repos_dir / "mine.git").exists()


@pytest.mark.parametrize(
    "name", ["", ".hidden", "-dash", "a/b", "../up", "site.git", "sp ace", "x" * 101]
)
def test_a_name_that_is_not_a_plain_word_is_refused_and_creates_nothing(
    services: Services, name: str
) -> None:
    before = sorted(p.name for p in services.settings.repos_dir.iterdir())
    with pytest.raises(InvalidInput, match="repository name"):
        register(services, name)
    assert sorted(p.name for p in services.settings.repos_dir.iterdir()) == before


def test_a_name_already_registered_is_refused(services: Services) -> None:
    first = register(services, "site")
    with pytest.raises(AlreadyExists, match="already registered"):
        register(services, "site")
    assert Repository.open(first.path).head("main")


def test_a_directory_already_on_disk_is_not_overwritten_but_pointed_to_path(
    services: Services,
) -> None:
    stray = services.settings.repos_dir / "stray.git"
    stray.mkdir(parents=True)
    (stray / "keep.txt").write_text("mine\n")

    with pytest.raises(AlreadyExists, match="--path"):
        register(services, "stray")
    assert (stray / "keep.txt").read_text() == "mine\n"
    with services.database.session() as session:
        assert store.get_repository(session, org_id(services), "stray") is None


def test_nodes_sharing_a_repositories_volume_create_repositories_on_it(tmp_path: Path) -> None:
    """``DRAFTROOM_REPOS_DIR``: repositories on the shared volume, local caches in data_dir."""
    shared = tmp_path / "volume"
    settings = Settings(data_dir=tmp_path / "node-1", shared_repos_dir=shared, secret_key="s")
    settings.data_dir.mkdir()
    node = Services(settings)
    node.database.migrate()
    record = register(node, "site")
    assert Path(record.path) == (shared / settings.org / "site.git").resolve()
    assert not (tmp_path / "node-1" / "orgs").exists()
