"""expected_head over HTTP: overlapping paths are 409 stale_head; disjoint ones are re-applied."""

from __future__ import annotations

from draftroom.domain.calls import Services
from tests.support.api import Api, error, start_sandbox


def test_a_stale_head_on_an_overlapping_path_is_409_with_the_current_head(
    app: tuple[Api, Services],
) -> None:
    api, _ = app
    sb = start_sandbox(api)
    base = api.post("/sandbox/status", **sb)["head"]
    moved = api.post("/files/write", **sb, path="notes/a.md", content="first\n", message="m")
    body = api.post(
        "/files/write",
        **sb,
        path="notes/a.md",
        content="second\n",
        message="m",
        expected_head=base,
        expect=409,
    )
    err = error(body)
    assert err["code"] == "stale_head"
    assert err["details"]["head"] == moved["commit_sha"]
    assert err["details"]["paths"] == ["notes/a.md"]
    assert api.post("/files/read", **sb, path="notes/a.md")["content"] == "first\n"


def test_a_stale_head_on_disjoint_paths_is_reapplied_and_succeeds(
    app: tuple[Api, Services],
) -> None:
    api, _ = app
    sb = start_sandbox(api)
    base = api.post("/sandbox/status", **sb)["head"]
    api.post("/files/write", **sb, path="a.md", content="a\n", message="m")
    out = api.post(
        "/git/commit",
        **sb,
        message="m",
        changes=[{"path": "b.md", "content": "b\n"}],
        expected_head=base,
    )
    status = api.post("/sandbox/status", **sb)
    assert status["head"] == out["commit_sha"]
    assert api.post("/files/read", **sb, path="a.md")["content"] == "a\n"
    assert api.post("/files/read", **sb, path="b.md")["content"] == "b\n"


def test_an_unknown_expected_head_is_409_not_500(app: tuple[Api, Services]) -> None:
    api, _ = app
    sb = start_sandbox(api)
    body = api.post(
        "/files/write",
        **sb,
        path="a.md",
        content="a",
        message="m",
        expected_head="0" * 40,
        expect=409,
    )
    assert error(body)["code"] == "stale_head"
