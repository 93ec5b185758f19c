from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from draftroom.errors import InvalidPath
from draftroom.git import validate_path

segment = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\\x00"),
    min_size=1,
    max_size=20,
).filter(lambda s: s not in (".", "..") and s.lower() != ".git")
bad_segment = st.sampled_from(["", ".", "..", ".git", ".GIT", "a\\b", "a\x00b", "a\nb", "\x7f"])


@given(st.lists(segment, min_size=1, max_size=6))
def test_valid_paths_round_trip(parts: list[str]) -> None:
    path = "/".join(parts)
    assert validate_path(path) == path


@given(
    st.lists(segment, max_size=3),
    bad_segment,
    st.lists(segment, max_size=3),
)
def test_any_bad_segment_is_rejected(before: list[str], bad: str, after: list[str]) -> None:
    with pytest.raises(InvalidPath):
        validate_path("/".join([*before, bad, *after]))


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/etc/passwd", "must be relative, got '/etc/passwd'"),
        ("", "must not be empty"),
        ("a//b", "empty segments"),
        ("a/", "empty segments"),
        ("../x", "'..'"),
        ("a/./b", "'.'"),
        (".git/config", "'.git'"),
        ("sub/.Git/HEAD", "'.git'"),
        ("a\\b", "'/' as separator"),
        ("a\tb", "control characters"),
        ("x" * 256, "at most 255 bytes"),
        ("a/" * 2100 + "a", "at most 4096 bytes"),
        ("a/" * 128 + "a", "at most 128 segments"),
    ],
)
def test_invalid_path_message_says_what_is_wrong(path: str, words: str) -> None:
    with pytest.raises(InvalidPath, match=None) as info:
        validate_path(path)
    assert words in info.value.message


def test_unicode_and_dotfiles_are_valid() -> None:
    for path in ["ünï/cödé ✓.md", ".github/workflows/ci.yml", "a/.gitignore", "..x/y.."]:
        assert validate_path(path) == path


def test_segment_limit_counts_bytes_not_characters() -> None:
    with pytest.raises(InvalidPath):
        validate_path("é" * 128)
    assert validate_path("é" * 127)
