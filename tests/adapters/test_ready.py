"""``GET /ready``: 200 only when the database, Redis (when set) and the repositories volume
are usable; else 503 naming what failed."""

from __future__ import annotations

import shutil

from draftroom.domain.calls import Services
from draftroom.domain.monitoring import repositories_root
from draftroom.store import Database
from tests.support.api import Api
from tests.support.server import free_port


def test_ready_when_database_and_volume_are_usable(api: Api) -> None:
    response = api.client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "repositories": "ok"},
    }


def test_not_ready_when_the_database_does_not_answer(api: Api, services: Services) -> None:
    working = services.database
    services.database = Database(f"postgresql+psycopg://draftroom@127.0.0.1:{free_port()}/x")
    try:
        response = api.client.get("/ready")
    finally:
        services.database.dispose()
        services.database = working
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["repositories"] == "ok"
    assert body["checks"]["database"].startswith("OperationalError")
    assert api.client.get("/ready").status_code == 200


def test_not_ready_when_the_repositories_volume_is_gone(api: Api, services: Services) -> None:
    root = repositories_root(services)
    moved = root.with_name("unmounted")
    shutil.move(root, moved)
    try:
        response = api.client.get("/ready")
    finally:
        shutil.move(moved, root)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert "is not a directory" in checks["repositories"]


def test_redis_is_checked_only_when_configured(api: Api, services: Services) -> None:
    services.settings.redis_url = "redis://127.0.0.1:6379/0"  # type: ignore[assignment]
    assert api.client.get("/ready").json()["checks"]["redis"] == "ok"
    services.settings.redis_url = f"redis://127.0.0.1:{free_port()}/0"  # type: ignore[assignment]
    response = api.client.get("/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("ConnectionRefusedError")


def test_a_refused_redis_password_is_not_ready_and_never_shown(
    api: Api, services: Services
) -> None:
    services.settings.redis_url = "redis://:hunter2-secret@127.0.0.1:6379/0"  # type: ignore[assignment]
    response = api.client.get("/ready")
    assert response.status_code == 503
    assert "redis refused AUTH" in response.json()["checks"]["redis"]
    assert "hunter2" not in response.text
