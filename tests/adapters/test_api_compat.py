"""The compatibility check CI runs (``draftroom api check|diff|snapshot``): a deliberately
broken copy of the committed v1 schema fails it, one kind of breakage at a time; additive
copies pass, and only they may be recorded as the new snapshot."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from draftroom.adapters.cli import app

SNAPSHOTS = Path(__file__).resolve().parents[2] / "api"
Schema = dict[str, Any]


def v1() -> Schema:
    loaded: Schema = json.loads((SNAPSHOTS / "openapi-v1.json").read_text("utf-8"))
    return loaded


def models(doc: Schema) -> Schema:
    found: Schema = doc["components"]["schemas"]
    return found


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def diff(tmp_path: Path, changed: Schema) -> Any:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(v1()), "utf-8")
    new.write_text(json.dumps(changed), "utf-8")
    return run("api", "diff", str(old), str(new))


def remove_operation(doc: Schema) -> None:
    del doc["paths"]["/git/commit"]


def rename_operation(doc: Schema) -> None:
    doc["paths"]["/git/commit"]["post"]["operationId"] = "commit_files"


def remove_input_field(doc: Schema) -> None:
    del models(doc)["CommitInput"]["properties"]["expected_head"]


def require_new_input(doc: Schema) -> None:
    models(doc)["CommitInput"]["required"].append("expected_head")


def narrow_type(doc: Schema) -> None:
    models(doc)["ReadInput"]["properties"]["offset"]["type"] = "boolean"


def narrow_number(doc: Schema) -> None:
    models(doc)["ReadInput"]["properties"]["offset"]["minimum"] = 10


def narrow_enum(doc: Schema) -> None:
    models(doc)["FileChange"]["properties"]["encoding"]["enum"] = ["utf-8"]


def narrow_nested_field(doc: Schema) -> None:
    del models(doc)["FileChange"]["properties"]["encoding"]


def remove_response_field(doc: Schema) -> None:
    del models(doc)["CommitOutput"]["properties"]["branch"]


BREAKING: dict[str, tuple[Callable[[Schema], None], str]] = {
    "operation removed": (remove_operation, "POST /git/commit: operation removed"),
    "operationId changed": (rename_operation, "POST /git/commit: operationId changed"),
    "input removed": (remove_input_field, "input field 'expected_head' removed"),
    "new required input": (require_new_input, "new required input 'expected_head'"),
    "type narrowed": (narrow_type, "POST /files/read.offset: type narrowed"),
    "bound narrowed": (narrow_number, "POST /files/read.offset: minimum narrowed to 10"),
    "enum narrowed": (narrow_enum, "encoding: enum narrowed (no longer accepts ['\"base64\"'])"),
    "nested input removed": (narrow_nested_field, "changes[]: input field 'encoding' removed"),
    "response field removed": (remove_response_field, "200: response field 'branch' removed"),
}


@pytest.mark.parametrize("kind", BREAKING)
def test_a_broken_copy_of_v1_fails_the_check_naming_the_break(tmp_path: Path, kind: str) -> None:
    breaks, expected = BREAKING[kind]
    broken = v1()
    breaks(broken)
    result = diff(tmp_path, broken)
    assert result.exit_code == 1
    assert expected in result.output, result.output


def additive(doc: Schema) -> None:
    models(doc)["CommitInput"]["properties"]["note"] = {"type": "string"}
    models(doc)["CommitOutput"]["properties"]["receipts"] = {}
    models(doc)["ReadInput"]["properties"]["offset"]["type"] = ["integer", "string"]
    models(doc)["FileChange"]["properties"]["encoding"]["enum"].append("hex")
    doc["paths"]["/git/commit"]["post"]["deprecated"] = True
    doc["paths"]["/files/stat"] = copy.deepcopy(doc["paths"]["/files/read"])
    doc["paths"]["/files/stat"]["post"]["operationId"] = "files_stat"


def test_an_additive_copy_passes(tmp_path: Path) -> None:
    grown = v1()
    additive(grown)
    result = diff(tmp_path, grown)
    assert result.exit_code == 0, result.output
    assert "compatible" in result.output


def test_the_repository_schemas_pass_the_check() -> None:
    result = run("api", "check", "--dir", str(SNAPSHOTS))
    assert result.exit_code == 0, result.output
    assert "v1: compatible" in result.output and "v2: compatible" in result.output


def test_snapshot_records_an_addition_and_refuses_a_break(tmp_path: Path) -> None:
    path = tmp_path / "openapi-v1.json"
    older = v1()
    del older["paths"]["/files/read"]  # today's schema adds it back: additive
    path.write_text(json.dumps(older), "utf-8")
    grown = run("api", "check", "--dir", str(tmp_path))
    assert grown.exit_code == 1  # v2 has no snapshot here
    assert "v1: compatible" in grown.output and "additive changes" in grown.output
    assert "v2: no snapshot" in grown.output
    recorded = run("api", "snapshot", "v1", "--dir", str(tmp_path))
    assert recorded.exit_code == 0, recorded.output
    assert path.read_text("utf-8") == (SNAPSHOTS / "openapi-v1.json").read_text("utf-8")

    ahead = v1()
    ahead["paths"]["/files/stat"] = copy.deepcopy(ahead["paths"]["/files/read"])
    path.write_text(json.dumps(ahead), "utf-8")  # today's schema lacks it: a break
    refused = run("api", "snapshot", "v1", "--dir", str(tmp_path))
    assert refused.exit_code == 1
    assert "POST /files/stat: operation removed" in refused.output
    assert json.loads(path.read_text("utf-8")) == ahead  # left as it was
    failed = run("api", "check", "--dir", str(tmp_path))
    assert failed.exit_code == 1 and "v1: breaking: POST /files/stat" in failed.output
    unknown = run("api", "snapshot", "v9", "--dir", str(tmp_path))
    assert unknown.exit_code == 1 and "use one of v1, v2" in unknown.output
