"""Which upstream a payload names, and each forge's proof."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from draftroom.domain.webhooks import named_repository, proof_matches, url_key


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/Acme/App.git",
        "https://token@github.com/acme/app",
        "ssh://git@github.com/acme/app.git",
        "git@github.com:acme/app.git",
        "http://github.com:8080/acme/app/",
    ],
)
def test_one_repository_has_one_key_whatever_its_url_form(url: str) -> None:
    assert url_key(url) == "github.com/acme/app"


@pytest.mark.parametrize("url", ["", "not a url", "https://github.com", "file:///srv/repo.git"])
def test_a_url_without_host_or_path_has_no_key(url: str) -> None:
    assert url_key(url) is None


def test_a_payload_matches_by_url_or_by_full_name() -> None:
    by_url = named_repository({"repository": {"clone_url": "https://github.com/acme/app.git"}})
    by_name = named_repository({"project": {"path_with_namespace": "Acme/App"}})
    assert by_url.matches("git@github.com:acme/app.git")
    assert by_name.matches("https://gitlab.example/acme/app.git")
    assert not by_url.matches("https://github.com/acme/other.git")
    assert not named_repository({"repository": "acme/app"})
    assert not named_repository({"repository": {"clone_url": 7, "full_name": ["x"]}})


def test_each_forge_proof_is_checked_exactly() -> None:
    body, secret = b'{"a": 1}', "s3cret"
    mac = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert proof_matches("github", f"sha256={mac}", secret, body)
    assert not proof_matches("github", mac, secret, body)
    assert not proof_matches("github", f"sha256={mac}", secret, body + b" ")
    assert proof_matches("gitea", mac, secret, body)
    assert not proof_matches("gitea", f"sha256={mac}", secret, body)
    assert proof_matches("gitlab", secret, secret, body)
    assert not proof_matches("gitlab", secret.upper(), secret, body)
    assert not proof_matches("github", "sha256=é", secret, body)
