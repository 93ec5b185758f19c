"""Which URL clients are told to call: DRAFTROOM_PUBLIC_URL, else the address served."""

from __future__ import annotations

import pytest

from draftroom.config import Settings


@pytest.fixture(autouse=True)
def no_address_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DRAFTROOM_PUBLIC_URL", "DRAFTROOM_HOST", "DRAFTROOM_PORT"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("127.0.0.1", 8123, "http://127.0.0.1:8123"),
        ("localhost", 9000, "http://localhost:9000"),
        ("0.0.0.0", 8123, "http://127.0.0.1:8123"),
        ("::", 8123, "http://127.0.0.1:8123"),
        ("::1", 8123, "http://[::1]:8123"),
    ],
)
def test_without_a_public_url_the_address_served_is_named(host: str, port: int, url: str) -> None:
    assert Settings(host=host, port=port).public_url == url


def test_the_address_served_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTROOM_PORT", "8124")
    assert Settings().public_url == "http://127.0.0.1:8124"


def test_a_public_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTROOM_PUBLIC_URL", "https://dr.example")
    assert Settings(port=8123).public_url == "https://dr.example"


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_a_port_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch, port: str) -> None:
    monkeypatch.setenv("DRAFTROOM_PORT", port)
    with pytest.raises(ValueError, match="port"):
        Settings()


def test_nodes_sharing_repositories_must_share_one_secret_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DRAFTROOM_REPOS_DIR", "/srv/repos")
    with pytest.raises(ValueError, match="needs DRAFTROOM_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("DRAFTROOM_SECRET_KEY", "one-secret-for-every-node")
    assert str(Settings().orgs_dir) == "/srv/repos"
