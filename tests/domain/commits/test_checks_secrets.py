"""A commit adding a likely secret is refused over HTTP unless overridden, and the override is audited."""

from __future__ import annotations

import json

from sqlalchemy import select

from draftroom import store
from draftroom.domain.calls import Services
from tests.support.api import Api, error, start_sandbox

AWS = "AKIA" + "Z3PXQW7RT9LK2MNB"


def test_a_write_adding_a_secret_is_422_naming_file_line_and_kind(
    app: tuple[Api, Services],
) -> None:
    api, _ = app
    sb = start_sandbox(api)
    before = api.post("/sandbox/status", **sb)["head"]
    content = f"region = 'eu'\naws_key = '{AWS}'\n"
    body = api.post(
        "/files/write", **sb, path="conf/aws.ini", content=content, message="m", expect=422
    )
    err = error(body)
    assert err["code"] == "secret_detected"
    assert err["details"]["findings"] == [
        {"path": "conf/aws.ini", "line": 2, "kind": "aws_access_key"}
    ]
    assert AWS not in json.dumps(body)
    assert api.post("/sandbox/status", **sb)["head"] == before


def test_git_commit_scans_every_file_and_only_added_lines(app: tuple[Api, Services]) -> None:
    api, _ = app
    sb = start_sandbox(api)
    key = "-----BEGIN " + "EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n"
    changes = [{"path": "ok.txt", "content": "fine\n"}, {"path": "id_ec", "content": key}]
    body = api.post("/git/commit", **sb, message="m", changes=changes, expect=422)
    assert error(body)["details"]["findings"][0] == {
        "path": "id_ec",
        "line": 1,
        "kind": "private_key",
    }


def test_allow_secrets_commits_and_the_audit_row_says_so(
    app: tuple[Api, Services],
) -> None:
    api, services = app
    sb = start_sandbox(api)
    content = f"aws_key = '{AWS}'\n"
    out = api.post(
        "/files/write", **sb, path="fixture.ini", content=content, message="m", allow_secrets=True
    )
    with services.database.session() as session:
        row = session.scalars(
            select(store.AuditEvent).where(store.AuditEvent.commit_sha == out["commit_sha"])
        ).one()
        assert row.detail is not None
        assert row.detail["allow_secrets"] is True
        assert row.detail["secrets_allowed"] == [
            {"path": "fixture.ini", "line": 1, "kind": "aws_access_key"}
        ]
        assert AWS not in json.dumps(row.detail)
    # the same line is not news in a later edit of the file
    api.post("/files/write", **sb, path="fixture.ini", content=content + "more\n", message="m")


def test_binary_files_are_not_scanned(app: tuple[Api, Services]) -> None:
    import base64

    api, _ = app
    sb = start_sandbox(api)
    data = base64.b64encode(b"\x00\xff" + AWS.encode()).decode()
    api.post("/files/write", **sb, path="a.bin", content=data, encoding="base64", message="m")
