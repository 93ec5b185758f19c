"""Opening a sandbox: a reuse token works only with the API key that created it, and a
repository the token may not use answers exactly like one that does not exist."""

from __future__ import annotations

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.domain.repos import register_repository
from tests.support.api import Api, AppFactory, error, new_key, start_sandbox


def _without_request_id(body: dict[str, object]) -> dict[str, object]:
    found = error(body)
    return {k: v for k, v in found.items() if k != "request_id"}


def test_a_token_used_with_another_key_answers_like_an_invalid_token(
    app: tuple[Api, Services],
) -> None:
    owner, services = app
    sb = start_sandbox(owner)
    other = Api(owner.client, new_key(services))
    invalid = {**sb, "reuse_token": "drt_" + "a" * 12 + "_" + "b" * 43}
    stolen = other.post("/sandbox/status", **sb, expect=401)
    assert _without_request_id(stolen) == _without_request_id(
        other.post("/sandbox/status", **invalid, expect=401)
    )
    assert error(stolen)["code"] == "unauthorized"
    other.post("/files/write", **sb, path="x.txt", content="x", message="m", expect=401)
    owner.post("/sandbox/status", **sb)


def test_a_token_from_before_the_binding_works_with_any_key_of_the_org(
    app: tuple[Api, Services],
) -> None:
    owner, services = app
    sb = start_sandbox(owner)
    with services.database.session() as session:
        token = store.get_reuse_token(session, sb["reuse_token"].split("_")[1])
        assert token is not None
        token.created_by_key_id = None
    Api(owner.client, new_key(services)).post("/sandbox/status", **sb)


def test_a_repository_the_token_may_not_use_answers_like_a_missing_one(
    make_app: AppFactory,
) -> None:
    api, services = make_app()
    sb = start_sandbox(api)
    with services.database.session() as session:
        org = store.get_or_create_org(session, "default")
        register_repository(services, session, org.id, "secret-project")
    answers = []
    for name in ("secret-project", "no-such-repo"):
        body = api.post("/files/read", **{**sb, "repo_name": name}, path="README.md", expect=404)
        found = _without_request_id(body)
        answers.append((found["code"], str(found["message"]).replace(name, "NAME")))
    assert answers[0] == answers[1]
    assert answers[0][0] == "repo_not_found"
