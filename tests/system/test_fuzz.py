"""Schemathesis against the in-process app: no 5xx, no answer outside the schema, and no
schema-invalid request accepted (strict booleans and integers, the limits the schema states)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.generation import GenerationMode

from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls import Services
from draftroom.domain.repos import setup_default
from tests.support.api import new_key

# Schema-valid bodies may still be refused on meaning (a path that is not allowed, content
# and delete both given): that is a typed 4xx by design, so acceptance is not checked.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]


@pytest.mark.slow
def test_no_server_errors_and_answers_match_the_schema(tmp_path: Path) -> None:
    """Every operation, a few valid and a few invalid requests each, with a valid key and reuse
    token, and the wrong-token lockout raised so fuzzed tokens do not lock the valid one out."""
    settings_ = Settings(
        data_dir=tmp_path / "data",
        public_url="http://localhost",
        token_failures_before_lockout=1_000_000,
    )
    services = Services(settings_)
    setup_default(services)
    app = create_app(services.settings, services)
    auth = {"Authorization": f"Bearer {new_key(services)}"}
    with TestClient(app) as client:
        init = client.post("/sandbox/init", json={"repo_name": "demo"}, headers=auth)
        token = init.json()["reuse_token"]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    failures: list[str] = []
    for operation in operations:
        for mode in GenerationMode:
            check_operation(operation, mode, auth, token, failures)
    assert failures == []


def check_operation(
    operation: Any, mode: GenerationMode, auth: dict[str, str], token: str, failures: list[str]
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=10,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        if isinstance(case.body, dict) and "reuse_token" in case.body:
            # Valid credentials, so the fuzzing reaches past the token check; a value the
            # negative mode made invalid (wrong type, empty, too long) is left as generated.
            for name, value in (("repo_name", "demo"), ("reuse_token", token)):
                if isinstance(case.body.get(name), str) and 1 <= len(case.body[name]) <= 200:
                    case.body[name] = value
            branch = case.body.get("branch")
            if branch is None or (isinstance(branch, str) and len(branch) <= 250):
                case.body.pop("branch", None)
        try:
            case.call_and_validate(headers=auth, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # collected, so one run names every failure
            failures.append(f"{mode.value} {operation.label}: {str(exc)[:600]}")

    check()
