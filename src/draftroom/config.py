"""The one settings object, read once from the environment (prefix ``DRAFTROOM_``) and passed down,
and the one rule for where draftroom may send a request (``check_outbound_url``)."""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from draftroom.errors import DraftroomError, InvalidInput, UpstreamUnavailable

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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DRAFTROOM_", extra="ignore")

    data_dir: Path = Field(
        Path(".draftroom"), description="Holds the database, repositories, admin.key."
    )
    database_url: str | None = Field(None, description="Default: SQLite file in data_dir.")
    redis_key_prefix: str = Field(
        "draftroom", min_length=1, description="Starts every Redis key draftroom writes."
    )
    shared_repos_dir: Path | None = Field(
        None,
        validation_alias=AliasChoices("DRAFTROOM_REPOS_DIR", "shared_repos_dir"),
        description="Repositories every node mounts (DRAFTROOM_REPOS_DIR); default: data_dir/orgs.",
    )
    host: str = Field("127.0.0.1", description="Interface served (set by `draftroom serve`).")
    port: int = Field(8000, ge=1, le=65535, description="Port served (set by `draftroom serve`).")
    public_url: str = Field(
        "", description="The URL clients are told to call; default: the host and port served."
    )
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
    max_sandboxes_per_key: int = Field(
        100, ge=1, description="Active sandboxes one API key may hold (429 quota_exceeded)."
    )
    max_sandbox_bytes_per_day: int = Field(
        64 * 2**20,
        ge=1,
        description="Bytes of file content one sandbox's commits may add per UTC day (413).",
    )
    max_repo_growth_per_day: int = Field(
        2**30,
        ge=1,
        description="Bytes of file content all sandboxes of a repository may add per UTC day.",
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
    audit_sink: str | None = Field(
        None,
        description="Where every audit record is also delivered: file:///path.jsonl, "
        "https://host/path (JSON lines POSTed in batches) or syslog://host:port (RFC 5424, TCP).",
    )
    audit_sink_token: SecretStr | None = Field(
        None, description="Bearer token for an https audit sink."
    )
    audit_retention_days: int | None = Field(
        None, ge=1, description="Archive and remove audit rows older than this (default: keep)."
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
    mcp_toolsets: str | None = Field(
        None, description="Toolsets /mcp and draftroom mcp list by default, e.g. 'core,workspace'."
    )
    mcp_read_only: bool = Field(
        False, description="/mcp and draftroom mcp list only reads and refuse writes by default."
    )
    webhook_max_bytes: int = Field(
        2 * 2**20, ge=1024, description="Largest webhook delivery body (413 payload_too_large)."
    )
    upstream_worker: bool = Field(
        True, description="Run the background pusher and fetcher inside the server."
    )
    allow_private_urls: bool = Field(
        False,
        description="Allow file:// and loopback/private/link-local targets, and http to them (upstreams, webhook).",
    )
    oauth_access_token_seconds: int = Field(
        3600, ge=60, description="Lifetime of a sign-in's access token (then it is refreshed)."
    )
    oauth_refresh_token_days: int = Field(
        30, ge=1, description="Days a sign-in's refresh token stays usable (then sign in again)."
    )
    audit_checkpoint_minutes: int = Field(
        10,
        ge=0,
        description="Minutes between checkpoints of the audit chain in git (0: only by hand).",
    )
    console_session_hours: int = Field(
        12, ge=1, description="Hours a console sign-in lasts (then sign in again)."
    )
    github_client_id: str | None = Field(
        None, description="A GitHub OAuth app's client id: offers Sign in with GitHub."
    )
    github_client_secret: SecretStr | None = Field(
        None, description="That GitHub OAuth app's client secret."
    )
    github_signin_url: str = Field(
        "https://github.com", description="Where Sign in with GitHub sends people (GHES: its URL)."
    )
    github_signin_api_url: str = Field(
        "https://api.github.com",
        description="The GitHub API Sign in with GitHub reads emails from.",
    )
    github_hosts: str = Field(
        "", description="GitHub Enterprise hosts (comma-separated) GitHub credentials may reach."
    )
    redis_url: SecretStr | None = Field(
        None,
        description="Redis shared by every node (redis://host:port/db): counts rate limits, "
        "quotas and lockouts across nodes (default: in the database); /ready checks it.",
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="Server logs: one JSON object a line (with the request id) or text."
    )
    metrics_port: int | None = Field(
        None, ge=1, le=65535, description="Also serve /metrics without auth on this port."
    )
    maintenance_hours: float = Field(
        24.0, ge=0, description="Hours between maintenance runs inside the server (0: never)."
    )
    sandbox_idle_days: int = Field(
        90, ge=1, description="Maintenance archives sandboxes unused for this many days."
    )

    @property
    def github_host_set(self) -> frozenset[str]:
        """github.com and the configured GitHub Enterprise hosts, lower case."""
        extra = (h.strip().lower().rstrip(".") for h in self.github_hosts.split(","))
        return frozenset({"github.com", *(h for h in extra if h)})

    @model_validator(mode="after")
    def _default_public_url(self) -> Settings:
        if not self.public_url:
            self.public_url = served_url(self.host, self.port)
        return self

    @model_validator(mode="after")
    def _nodes_share_one_secret(self) -> Settings:
        if self.shared_repos_dir is not None and not (
            self.secret_key and self.secret_key.get_secret_value()
        ):
            # Else each node would key the audit chain with its own data dir's audit.key.
            raise ValueError(
                "DRAFTROOM_REPOS_DIR (several nodes) needs DRAFTROOM_SECRET_KEY, the same on "
                "every node: it keys the audit chain and upstream credentials"
            )
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        parse_networks(value)
        return value

    @model_validator(mode="after")
    def _outbound_urls_public(self) -> Settings:
        if self.alert_webhook_url is not None:
            check_webhook_url(
                self.alert_webhook_url,
                allow_private=self.allow_private_urls,
                what="DRAFTROOM_ALERT_WEBHOOK_URL",
            )
        if self.audit_sink is not None:
            check_audit_sink(self.audit_sink, allow_private=self.allow_private_urls)
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
        """Where the data dir's own org (``org``) keeps its repositories: ``ORGS/ORG``
        (each org's is ``domain.repos.org_dir``)."""
        return self.orgs_dir / self.org

    @property
    def orgs_dir(self) -> Path:
        """Holds one directory of repositories per org: ``DRAFTROOM_REPOS_DIR`` when several
        nodes share a volume, else ``DATA_DIR/orgs``."""
        return self.shared_repos_dir or self.data_dir / "orgs"


WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})


def served_url(host: str, port: int) -> str:
    """The http URL of ``host:port``; a wildcard interface is reached on this machine's loopback."""
    name = "127.0.0.1" if host in WILDCARD_HOSTS else host
    if ":" in name:  # an IPv6 address
        name = f"[{name}]"
    return f"http://{name}:{port}"


_SCP = re.compile(r"^[^@/]+@(?P<host>[^:/]+):")


@dataclass(frozen=True)
class Destination:
    """Where a URL points: its scheme, its host (lower case, "" for file://), and whether that
    host is, or resolves to, an address outside the public internet."""

    scheme: str
    host: str
    private: bool


def _private_reason(address: str) -> str | None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for reason, hit in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("unspecified", ip.is_unspecified),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private or ip.is_reserved or not ip.is_global),
    ):
        if hit:
            return reason
    return None


def _resolve(host: str) -> list[str]:
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, None)]
    except (OSError, UnicodeError):
        raise UpstreamUnavailable(f"cannot resolve host {host!r}") from None


def check_outbound_url(url: str, *, allow_private: bool, what: str = "URL") -> Destination:
    """Refuse (400 ``invalid_input``) a ``file://`` URL and a host that is, or resolves to, a
    loopback, private, link-local, unspecified or multicast address, unless ``allow_private``
    (``DRAFTROOM_ALLOW_PRIVATE_URLS``). Every address a name resolves to must be public, so
    ``localhost`` or a name pointing at 127.0.0.1 counts as loopback. The one check for every
    request draftroom sends on an admin's behalf: upstreams, the GitHub API, the alert webhook.
    """
    scp = _SCP.match(url)
    scheme = "ssh" if scp else urlsplit(url).scheme.lower()
    try:
        host = scp["host"] if scp else urlsplit(url).hostname or ""
    except ValueError:
        raise InvalidInput(f"{what} {url!r} has an invalid host") from None
    host = host.lower().rstrip(".")
    if scheme == "file" or not host:
        if allow_private and scheme == "file":
            return Destination(scheme, "", True)
        raise InvalidInput(
            f"{what} must name a network host, got {url!r}: file:// and host-less URLs "
            "reach this server's own disk (set DRAFTROOM_ALLOW_PRIVATE_URLS=1 to allow)"
        )
    reasons = {r for a in _resolve(host) if (r := _private_reason(a)) is not None}
    if reasons and not allow_private:
        raise InvalidInput(
            f"{what} host {host!r} is a {'/'.join(sorted(reasons))} address: draftroom only "
            "sends requests to public hosts (set DRAFTROOM_ALLOW_PRIVATE_URLS=1 to allow)"
        )
    return Destination(scheme, host, bool(reasons))


def check_audit_sink(url: str, *, allow_private: bool) -> str:
    """``url`` if it names an audit sink draftroom can deliver to, else ``ValueError``."""
    parts = urlsplit(url)
    what = "DRAFTROOM_AUDIT_SINK"
    if parts.scheme == "file":
        if parts.netloc or not parts.path.startswith("/") or parts.path.endswith("/"):
            raise ValueError(f"{what}: a file sink is file:///absolute/path.jsonl")
        return url
    if parts.scheme == "syslog":
        if not parts.hostname or not parts.port:
            raise ValueError(f"{what}: a syslog sink is syslog://host:port (TCP)")
        return url
    if parts.scheme in ("https", "http"):
        return check_webhook_url(url, allow_private=allow_private, what=what)
    raise ValueError(f"{what} must be a file://, https:// or syslog:// URL")


def check_webhook_url(url: str, *, allow_private: bool, what: str = "URL") -> str:
    """``url`` if draftroom may post to it, else ``ValueError`` saying why: the rules of
    ``check_outbound_url``, plus https only (http only to an allowed private host) and no
    user name or password. A name that does not resolve now is checked again when used."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValueError(f"{what} must not carry a user name or password")
    try:
        where = check_outbound_url(url, allow_private=allow_private, what=what)
    except UpstreamUnavailable:  # not resolvable now: checked again before each delivery
        if parts.scheme != "https":
            raise ValueError(f"{what} must use https") from None
        return url
    except DraftroomError as exc:
        raise ValueError(exc.message) from None
    if where.scheme != "https" and not (where.scheme == "http" and where.private):
        raise ValueError(f"{what} must use https (http only to a private host, when allowed)")
    return url
