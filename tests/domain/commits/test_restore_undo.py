"""/sandbox/undo and /sandbox/operations over HTTP: every change can be taken back, exactly."""

from __future__ import annotations

from fastapi.testclient import TestClient

from draftroom.domain.calls import Services
from tests.support.api import AdminApi, Api, start_sandbox, write
from tests.support.trees import files, logs, repo_of


def head(services: Services, sb: dict[str, str]) -> str:
    return repo_of(services).head(sb["branch"])


def test_undo_takes_the_branch_back_to_before_the_last_operation(
    api: Api, services: Services
) -> None:
    sb = start_sandbox(api)
    first = write(api, sb, "a.md", "one\n")
    second = write(api, sb, "a.md", "two\n")
    before = logs(services, second)

    out = api.post("/sandbox/undo", **sb)

    assert out["undone"] == [second] and out["restored_to"] == first
    assert files(services, head(services, sb)) == files(services, first)
    assert before.items() <= logs(services, head(services, sb)).items()
    assert api.post("/files/read", **sb, path="a.md")["content"] == "one\n"


def test_undoing_an_undo_reapplies_and_chains_give_back_exact_trees(
    api: Api, services: Services
) -> None:
    sb = start_sandbox(api)
    write(api, sb, "a.md", "one\n")
    two = write(api, sb, "b.md", "two\n")
    three = write(api, sb, "a.md", "three\n")

    api.post("/sandbox/undo", **sb)
    assert files(services, head(services, sb)) == files(services, two)
    api.post("/sandbox/undo", **sb)
    assert files(services, head(services, sb)) == files(services, three)
    api.post("/sandbox/undo", **sb, steps=3)  # the redo, the undo and the third write
    assert files(services, head(services, sb)) == files(services, two)
    api.post("/sandbox/undo", **sb)
    assert files(services, head(services, sb)) == files(services, three)


def test_one_undo_takes_back_a_rollback_a_restore_and_an_undo(api: Api, services: Services) -> None:
    sb = start_sandbox(api)
    write(api, sb, "a.md", "one\n")
    two = write(api, sb, "b.md", "two\n")
    three = write(api, sb, "c.md", "three\n")
    api.post("/git/rollback_commit", **sb, commit_sha=three, reason="no c")
    api.post("/git/restore", **sb, to="main")
    api.post("/sandbox/undo", **sb)  # back to after the rollback
    write(api, sb, "d.md", "four\n")
    assert set(files(services, head(services, sb))) == {"README.md", "a.md", "b.md", "d.md"}

    out = api.post("/sandbox/undo", **sb, steps=4)

    assert out["restored_to"] == three
    assert files(services, head(services, sb)) == files(services, three)
    tools = [op["tool"] for op in api.post("/sandbox/operations", **sb, limit=7)["operations"]]
    assert tools == [
        "sandbox.undo",
        "files.write",
        "sandbox.undo",
        "git.restore",
        "git.rollback_commit",
        "files.write",
        "files.write",
    ]
    assert two not in out["undone"] and len(out["undone"]) == 4
    assert api.post("/files/read", **sb, path="c.md")["content"] == "three\n"


def test_operations_are_paged_and_say_what_undid_them(api: Api, services: Services) -> None:
    sb = start_sandbox(api)
    one = write(api, sb, "a.md", "one\n")
    two = write(api, sb, "b.md", "two\n")
    three = write(api, sb, "c.md", "three\n")
    rolled = api.post("/git/rollback_commit", **sb, commit_sha=two)["revert_sha"]
    undo = api.post("/sandbox/undo", **sb)["commit_sha"]  # undoes the rollback

    first = api.post("/sandbox/operations", **sb, limit=2)
    rest = api.post("/sandbox/operations", **sb, limit=2, cursor=first["next_cursor"])
    last = api.post("/sandbox/operations", **sb, limit=2, cursor=rest["next_cursor"])

    ops = first["operations"] + rest["operations"] + last["operations"]
    assert last["next_cursor"] is None
    assert [op["sha"] for op in ops] == [undo, rolled, three, two, one]
    undone_by = {op["sha"]: op["undone_by"] for op in ops}
    assert undone_by == {undo: None, rolled: undo, three: None, two: rolled, one: None}
    assert ops[2]["files"] == ["c.md"] and ops[2]["tool"] == "files.write"
    assert all(op["request_id"] for op in ops)


def test_operations_leave_out_mains_and_other_sandboxes_commits(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    merged = start_sandbox(api)
    write(api, merged, "a.md", "one\n")
    request = api.post("/merge/request", expect=201, **merged, title="Add a")
    admin.post(f"/admin/merge_requests/{request['id']}/approve")
    sb = start_sandbox(api)

    assert api.post("/sandbox/operations", **sb)["operations"] == []
    error = api.post("/sandbox/undo", **sb, expect=400)["error"]
    assert error["code"] == "invalid_input"
    mine = write(api, sb, "b.md", "two\n")
    assert [op["sha"] for op in api.post("/sandbox/operations", **sb)["operations"]] == [mine]


def test_undoing_more_than_there_is_writes_nothing(api: Api, services: Services) -> None:
    sb = start_sandbox(api)
    only = write(api, sb, "a.md", "one\n")

    error = api.post("/sandbox/undo", **sb, steps=2, expect=400)["error"]

    assert error["code"] == "invalid_input" and error["details"]["available"] == 1
    assert head(services, sb) == only
    assert api.post("/sandbox/undo", **sb, steps=0, expect=422)["error"]["code"] == (
        "invalid_request"
    )


def test_history_marks_rolled_back_commits_and_their_rollbacks(
    api: Api, services: Services
) -> None:
    sb = start_sandbox(api)
    kept = write(api, sb, "a.md", "one\n")
    undone = write(api, sb, "b.md", "two\n")
    rollback = api.post("/git/rollback_commit", **sb, commit_sha=undone)["revert_sha"]

    commits = api.post("/git/history", **sb, limit=2)
    older = api.post("/git/history", **sb, limit=2, cursor=commits["next_cursor"])

    marks = {
        c["sha"]: (c["reverts"], c["reverted_by"]) for c in commits["commits"] + older["commits"]
    }
    assert marks[rollback] == (undone, None)
    assert marks[undone] == (None, rollback)
    assert marks[kept] == (None, None)
