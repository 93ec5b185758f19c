"""Passwords are argon2id hashes, checked in constant work whether or not the person exists."""

from __future__ import annotations

from draftroom.domain.signin import hash_password, verify_password


def test_a_password_is_stored_as_an_argon2id_hash_and_checked() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong horse", stored)


def test_no_hash_or_a_broken_one_never_matches() -> None:
    assert not verify_password("draftroom: no such person", None)
    assert not verify_password("anything", "not-a-hash")
