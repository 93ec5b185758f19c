"""The people commands as an owner types them (``draftroom user add|list|remove``, ``key create
--user``), and what each person's key may do from the command line (``--key``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from draftroom import store
from draftroom.adapters import cli_calls
from draftroom.adapters.cli import app
from draftroom.config import Settings
from draftroom.domain.calls import Services

PASSWORD = "a pass phrase only stdin sees"


class Cli:
    """The CLI on one data dir and database, in process; each command's database closed after it."""

    def __init__(self, data_dir: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.data_dir, self.database_url = data_dir, database_url
        self.runner = CliRunner()
        self.opened: list[Services] = []
        original = cli_calls.open_services

        def open_services(*args: Any, **kwargs: Any) -> Services:
            services = original(*args, **kwargs)
            self.opened.append(services)
            return services

        monkeypatch.setattr(cli_calls, "open_services", open_services)

    def run(self, *args: str, key: str | None = None, stdin: str | None = None) -> Result:
        prefix = ["--key", key] if key else []
        try:
            return self.runner.invoke(
                app,
                [*prefix, *args, "--data-dir", str(self.data_dir)],
                input=stdin,
                env={"DRAFTROOM_DATABASE_URL": self.database_url, "DRAFTROOM_API_KEY": None},
            )
        finally:
            while self.opened:
                self.opened.pop().database.dispose()

    def ok(self, *args: str, key: str | None = None, stdin: str | None = None) -> str:
        done = self.run(*args, key=key, stdin=stdin)
        assert done.exit_code == 0, (args, done.stdout, done.stderr)
        return done.stdout

    def refusal(self, *args: str, key: str | None = None) -> str:
        """The error code of a command expected to fail."""
        done = self.run(*args, key=key)
        assert done.exit_code == 1, (args, done.stdout)
        return done.stderr.split(":")[1].strip()

    def person_key(self, email: str, role: str, *extra: str) -> str:
        self.ok("user", "add", email, "--role", role)
        return self.ok("key", "create", "--user", email, *extra).splitlines()[-1]

    def audit(self) -> str:
        services = Services(Settings(data_dir=self.data_dir, database_url=self.database_url))
        try:
            with services.database.session() as session:
                events = store.list_audit_events(session, limit=10_000)
                return repr([(e.tool, e.outcome, e.detail) for e in events])
        finally:
            services.database.dispose()


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(tmp_path / "data", database_url, monkeypatch)


def test_an_owner_adds_lists_and_removes_people_and_their_keys(cli: Cli) -> None:
    added = cli.ok(
        "user", "add", "Ada@Example.com", "--org", "default", "--role", "reviewer",
        "--name", "Ada Lovelace", "--password-stdin",
        stdin=PASSWORD + "\nnot read\n",
    )  # fmt: skip
    assert added == "added reviewer ada@example.com\n"
    cli.ok("user", "add", "bo@example.com", "--role", "member")
    assert cli.refusal("user", "add", "bo@example.com", "--role", "owner") == "already_exists"
    short = cli.run("user", "add", "cy@example.com", "--role", "member", "--password-stdin")
    assert short.exit_code == 1 and "at least 12 characters" in short.stderr
    assert cli.refusal("user", "add", "cy", "--role", "member") == "invalid_input"
    assert cli.refusal("user", "list", "--org", "nope") == "not_found"

    made = cli.ok("key", "create", "--user", "ada@example.com", "--label", "laptop")
    first, key = made.splitlines()
    assert first == f"created person key {key.split('_')[1]} for ada@example.com (shown once):"
    agent = cli.ok("key", "create", "--user", "ada@example.com", "--role", "agent")
    assert agent.startswith("created agent key ") and " for ada@example.com " in agent
    both = cli.run("key", "create", "--user", "ada@example.com", "--role", "admin")
    assert both.exit_code == 1 and both.stderr.startswith("error: invalid_input: ")
    listed = cli.ok("key", "list").splitlines()
    assert f"{key.split('_')[1]}  person  ada@example.com  live  never used  laptop" in listed

    people = cli.ok("user", "list").splitlines()
    assert people[0].startswith("ada@example.com  reviewer  live  2 live keys  password")
    assert people[0].endswith("Ada Lovelace")
    assert people[1].startswith("bo@example.com  member    live  0 live keys  no password")
    assert cli.ok("sandbox", "list", key=key).startswith("no sandboxes")

    removed = cli.ok("user", "remove", "ada@example.com", "--org", "default")
    assert removed.startswith("removed ada@example.com at ")
    assert cli.refusal("sandbox", "list", key=key) == "unauthorized"
    assert "removed " in cli.ok("user", "list").splitlines()[0]
    assert cli.refusal("user", "remove", "nobody@example.com") == "not_found"
    assert "admin.users.add" in cli.audit() and PASSWORD not in cli.audit()


def test_each_persons_key_does_from_the_command_line_what_its_role_allows(cli: Cli) -> None:
    cli.ok("repo", "add", "made", "--init")
    owner = cli.person_key("olga@example.com", "owner")
    reviewer = cli.person_key("rita@example.com", "reviewer")
    member = cli.person_key("mia@example.com", "member")
    agent = cli.ok("key", "create", "--user", "olga@example.com", "--role", "agent").split()[-1]

    for key in (member, agent, owner):
        started = cli.ok("call", "sandbox.init", "--json", '{"repo_name": "made"}', key=key)
        assert json.loads(started)["branch"]
    assert cli.ok("user", "add", "eve@example.com", "--role", "member", key=owner)
    assert "eve@example.com" in cli.ok("key", "create", "--user", "eve@example.com", key=owner)

    assert len(cli.ok("sandbox", "list", key=reviewer).splitlines()) == 3
    [mine] = cli.ok("sandbox", "list", "--person", "mia@example.com", key=reviewer).splitlines()
    assert mine.startswith("made  sandbox-")
    assert cli.run("merge", "list", key=reviewer).exit_code == 0
    for key in (reviewer, member, agent):
        assert cli.refusal("key", "list", key=key) == "insufficient_scope"
        assert cli.refusal("user", "list", key=key) == "insufficient_scope"
        assert cli.refusal("repo", "add", "other", "--init", key=key) == "insufficient_scope"
    for key in (member, agent):
        assert cli.refusal("sandbox", "list", key=key) == "insufficient_scope"
        assert cli.refusal("merge", "approve", "1", key=key) == "insufficient_scope"


def test_an_owner_changes_a_persons_role_but_never_the_last_owners(cli: Cli) -> None:
    cli.ok("user", "add", "olga@example.com", "--role", "owner")
    key = cli.person_key("rita@example.com", "member")
    assert cli.refusal("user", "list", key=key) == "insufficient_scope"
    assert cli.ok("user", "set", "Rita@example.com", "--role", "owner") == (
        "rita@example.com is now owner\n"
    )
    assert "rita@example.com" in cli.ok("user", "list", key=key)  # the same key, now an owner
    assert cli.ok("user", "set", "olga@example.com", "--role", "reviewer", key=key)
    refused = cli.run("user", "set", "rita@example.com", "--role", "member")
    assert refused.exit_code == 1 and refused.stderr.startswith("error: last_owner: ")
    assert cli.refusal("user", "remove", "rita@example.com") == "last_owner"
    assert cli.refusal("user", "set", "nobody@example.com", "--role", "member") == "not_found"
    bad = cli.run("user", "set", "olga@example.com", "--role", "admin")
    assert bad.exit_code == 2
    assert "admin.users.set" in cli.audit()
