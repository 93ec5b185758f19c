"""The one settings object, read once from the environment (prefix ``DRAFTROOM_``) and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DRAFTROOM_", extra="ignore")

    data_dir: Path = Field(
        Path(".draftroom"), description="Holds the database, repositories, admin.key."
    )
    database_url: str | None = Field(None, description="Default: SQLite file in data_dir.")
    public_url: str = Field("http://127.0.0.1:8000", description="The URL GPT Actions call.")
    org: str = "default"
    token_ttl_days: int = Field(30, ge=1)
    fsync: bool = Field(False, description="fsync git writes: survives power loss, costs latency.")
    max_read_bytes: int = Field(32_000, ge=1, description="Largest file slice one read returns.")
    max_patch_bytes: int = Field(40_000, ge=1, description="Patch text one diff answer carries.")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'draftroom.db').resolve()}"

    @property
    def repos_dir(self) -> Path:
        return self.data_dir / "repos"
