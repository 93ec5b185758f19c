"""Schemathesis against the in-process app: no 5xx and no answer outside the schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

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
]


@pytest.mark.slow
def test_no_server_errors_and_answers_match_the_schema(tmp_path: Path) -> None:
    """Every operation, a few generated requests each, with a valid key and reuse token."""
    services = Services(Settings(data_dir=tmp_path / "data", public_url="http://localhost"))
    setup_default(services)
    app = create_app(services.settings, services)
    auth = {"Authorization": f"Bearer {new_key(services)}"}
    with TestClient(app) as client:
        init = client.post("/sandbox/init", json={"repo_name": "demo"}, headers=auth)
        token = init.json()["reuse_token"]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            if isinstance(case.body, dict) and "reuse_token" in case.body:
                # Valid credentials, so the fuzzing reaches past the token check.
                case.body["repo_name"] = "demo"
                case.body["reuse_token"] = token
                case.body.pop("branch", None)
            case.call_and_validate(headers=auth, checks=CHECKS)

        check()
