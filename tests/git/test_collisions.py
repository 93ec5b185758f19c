"""New paths that only differ from another by case or NFC/NFD are refused, naming both."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from draftroom.errors import InvalidPath
from draftroom.git import Change, Repository
from draftroom.git.collisions import collision_key

_WINDOWS_DEVICE = re.compile(r"(con|prn|aux|nul|com[1-9]|lpt[1-9])", re.I)
"""Names refused in every case (tests/domain/commits/test_changes_paths.py): no twin to refuse."""
name = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Mn", "Nd"), max_codepoint=0x2FF),
    min_size=1,
    max_size=8,
).filter(lambda s: s.lower() != ".git" and not _WINDOWS_DEVICE.fullmatch(s))


def variant(text: str, data: st.DataObject) -> str:
    """``text`` re-cased character by character and in NFC or NFD form."""
    cased = "".join(c.swapcase() if data.draw(st.booleans(), label="swap") else c for c in text)
    form = data.draw(st.sampled_from(["NFC", "NFD"]), label="form")
    return unicodedata.normalize(form, cased)


def commit(repo: Repository, *changes: Change) -> str:
    return repo.commit_changes("main", list(changes), message="m").sha


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=name, data=st.data())
def test_any_case_or_normalisation_twin_of_an_existing_path_is_refused(
    tmp_path_factory: pytest.TempPathFactory, first: str, data: st.DataObject
) -> None:
    repo = Repository.init(tmp_path_factory.mktemp("r") / "repo.git")
    commit(repo, Change(f"dir/{first}", b"1"))
    twin = variant(first, data)
    existing = repo.list_tree("main", "dir").entries[0].path
    if f"dir/{twin}" == existing or collision_key(twin) != collision_key(first):
        return  # the same name (a plain write) or not a twin (e.g. 'ß' cases to 'SS')
    with pytest.raises(InvalidPath) as raised:
        commit(repo, Change(f"dir/{twin}", b"2"))
    assert raised.value.details == {"path": f"dir/{twin}", "existing_path": existing}


@given(a=name)
def test_collision_key_ignores_normal_form_and_case(a: str) -> None:
    nfc, nfd = unicodedata.normalize("NFC", a), unicodedata.normalize("NFD", a)
    assert collision_key(nfc) == collision_key(nfd)
    swapped = "".join(c.swapcase() if c.isascii() else c for c in a)
    assert collision_key(swapped) == collision_key(a)


def test_twins_within_one_change_set_are_refused(repo: Repository) -> None:
    with pytest.raises(InvalidPath, match="same change set") as raised:
        commit(repo, Change("Notes/a.md", b"1"), Change("notes/b.md", b"2"))
    assert raised.value.details == {"path": "notes", "existing_path": "Notes"}


def test_writing_an_existing_path_and_deleting_a_twin_are_fine(repo: Repository) -> None:
    commit(repo, Change("README.md", b"new\n"))
    commit(repo, Change("README.md", delete=True), Change("readme.md", b"lower\n"))
    assert [e.path for e in repo.list_tree("main").entries] == ["readme.md"]


def test_the_option_allows_collisions(tmp_path: Path) -> None:
    repo = Repository.init(tmp_path / "r.git", allow_case_collisions=True)
    commit(repo, Change("readme.md", b"x"))
    reopened = Repository.open(tmp_path / "r.git")
    with pytest.raises(InvalidPath):
        commit(reopened, Change("ReadMe.md", b"y"))
