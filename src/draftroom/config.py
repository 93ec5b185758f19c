"""The one settings object, read once from the environment (prefix ``DRAFTROOM_``) and passed down."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """``10.0.0.1, 10.1.0.0/16`` as networks; a ValueError names an entry that is neither."""
    networks = []
    for entry in filter(None, (part.strip() for part in text.split(","))):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or CIDR network") from None
    return tuple(networks)


def is_private_address(address: str) -> bool:
    """Loopback, private, link-local (cloud metadata), multicast, reserved or unspecified:
    an address an outbound request from the server must not reach unless allowed."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_outbound_url(url: str, *, allow_private: bool, what: str = "URL") -> str:
    """``url`` if the server may send to it, else ``ValueError`` saying why.

    https only, to a host that resolves to public addresses only; with ``allow_private``
    (``DRAFTROOM_ALLOW_PRIVATE_URLS``) loopback/private hosts are allowed, over http too.
    A name that does not resolve now is let through: it is checked again when used.
    The one place outbound addresses are judged (alert webhook, upstreams).
    """
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme not in ("https", "http") or not host:
        raise ValueError(f"{what} must be an https:// URL with a host, got {parts.scheme}://…")
    if parts.username or parts.password:
        raise ValueError(f"{what} must not carry a user name or password")
    addresses = _addresses(host, parts.port or (443 if parts.scheme == "https" else 80))
    private = [a for a in addresses if is_private_address(a)]
    if private and not allow_private:
        raise ValueError(
            f"{what} points at {host} ({private[0]}), a loopback or private address; "
            "set DRAFTROOM_ALLOW_PRIVATE_URLS=1 to allow it"
        )
    if parts.scheme != "https" and not (allow_private and addresses and private == addresses):
        raise ValueError(f"{what} must use https (http only to a private host, when allowed)")
    return url


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in found})


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
    # Safety limits (docs/security.md): each refusal is a typed 413/429, never a partial write.
    max_request_bytes: int = Field(
        16 * 2**20, ge=1024, description="Largest HTTP request body (413 payload_too_large)."
    )
    max_file_bytes: int = Field(8 * 2**20, ge=1, description="Largest file one commit may write.")
    max_files_per_commit: int = Field(1000, ge=1, description="Most changes in one commit.")
    max_sandbox_bytes: int = Field(
        2**30, ge=1, description="Largest total of file sizes on a sandbox branch."
    )
    max_commits_per_minute: int = Field(
        60, ge=1, description="Commits one reuse token may make per minute (429 rate_limited)."
    )
    token_failures_before_lockout: int = Field(
        10, ge=1, description="Failed reuse-token attempts per API key or client before 429."
    )
    token_lockout_seconds: int = Field(
        300, ge=1, description="Window in which failed reuse-token attempts are counted."
    )
    token_grace_days: int = Field(
        7, ge=0, description="Days after expiry in which /sandbox/renew revives a reuse token."
    )
    allow_case_collisions: bool = Field(
        False, description="Allow new paths differing from existing ones only by case or NFC/NFD."
    )
    trusted_proxies: str = Field(
        "",
        description="Comma-separated IPs/CIDRs whose X-Forwarded-For names the real client.",
    )
    alert_webhook_url: str | None = Field(
        None,
        description="Receives a JSON event for every failed write and refused admin call (https).",
    )
    allow_private_urls: bool = Field(
        False,
        description="Allow outbound URLs (webhook, upstreams) to loopback/private hosts, and http to them.",
    )
    # Upstreams (docs: README "Connecting a GitHub repository").
    secret_key: SecretStr | None = Field(
        None, description="Encrypts upstream credentials at rest; required to store any."
    )
    upstream_fetch_seconds: float = Field(
        60.0, gt=0, description="How often each upstream's main is fetched."
    )
    upstream_poll_seconds: float = Field(
        1.0, gt=0, description="How often the background worker looks for pushes that are due."
    )
    upstream_retry_seconds: float = Field(
        2.0, gt=0, description="First retry delay of a failed push; doubles per failure."
    )
    upstream_retry_max_seconds: float = Field(
        300.0, gt=0, description="Longest delay between retries of a failed push."
    )
    upstream_timeout_seconds: int = Field(
        30, ge=1, description="Network timeout of one git fetch or push to an upstream."
    )
    upstream_worker: bool = Field(
        True, description="Run the background pusher and fetcher inside the server."
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        parse_networks(value)
        return value

    @model_validator(mode="after")
    def _outbound_urls_public(self) -> Settings:
        if self.alert_webhook_url is not None:
            check_outbound_url(
                self.alert_webhook_url,
                allow_private=self.allow_private_urls,
                what="DRAFTROOM_ALERT_WEBHOOK_URL",
            )
        return self

    @property
    def trusted_proxy_networks(self) -> tuple[IPNetwork, ...]:
        return parse_networks(self.trusted_proxies)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'draftroom.db').resolve()}"

    @property
    def repos_dir(self) -> Path:
        return self.data_dir / "repos"
