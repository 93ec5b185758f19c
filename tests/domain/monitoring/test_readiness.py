"""``check_readiness``: each check named, ok or what failed."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from draftroom.config import Settings
from draftroom.domain.calls import Services
from draftroom.domain.monitoring import check_readiness, repositories_root


def test_a_volume_that_is_a_file_is_not_ready(services: Services) -> None:
    root = repositories_root(services)
    root.rename(root.with_name("away"))
    root.write_text("not a volume")
    found = check_readiness(services)
    assert not found.ready
    assert found.checks["database"] == "ok"
    assert "is not a directory" in found.checks["repositories"]


def test_redis_url_is_kept_as_a_secret(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, redis_url=SecretStr("redis://:pw@127.0.0.1:6379/0"))
    assert isinstance(settings.redis_url, SecretStr)
    assert "pw" not in repr(settings)


def test_ready_with_a_live_redis_database_number(services: Services) -> None:
    services.settings.redis_url = SecretStr("redis://127.0.0.1:6379/3")
    found = check_readiness(services)
    assert found.ready and found.checks["redis"] == "ok"
