"""Toolsets: named groups of tools, so a host loads only what it needs (and read-only mode).

Each tool belongs to exactly one toolset, declared here once by tool name or group; the MCP
server (``draftroom mcp --toolsets``, ``/mcp?toolsets=``) and the GPT schema
(``/openapi.json?toolsets=``) list only the selected ones, and ``Registry.invoke`` refuses
the others. ``core`` stays small (under 12 tools): what every sandbox session needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from draftroom.errors import InvalidInput, ReadOnlyMode, ToolsetNotLoaded

TOOLSETS: dict[str, tuple[str, ...]] = {
    "core": (
        "sandbox.init",
        "sandbox.status",
        "sandbox.undo",
        "files.read",
        "files.list",
        "files.write",
        "git.commit",
        "git.rollback_commit",
        "git.history",
        "git.diff",
    ),
    "workspace": ("memory", "tasks", "reasoning", "context", "templates", "prompts"),
    "merge": ("merge", "sandbox.sync"),
    "history": (
        "git.restore",
        "sandbox.operations",
        "sandbox.list",
        "sandbox.archive",
        "sandbox.restore",
        "sandbox.renew",
    ),
    "admin": ("admin", "system"),
    "plugins": (),
}
"""Toolset -> tool names or groups (``memory`` = every ``memory.*`` tool); a name wins over
its group. ``plugins`` holds every tool no other toolset names: the installed plugins'."""


MAX_TOOLSETS_CHARS = 200
"""Longest ``toolsets`` value read: an unknown name is echoed in the 400."""


def toolset_of(tool_name: str) -> str:
    """The toolset a tool belongs to: by its own name, else by its group; a tool ``TOOLSETS``
    does not name is a plugin's, in ``plugins`` (a test keeps every built-in tool named)."""
    group = tool_name.split(".", 1)[0]
    by_group = None
    for toolset, members in TOOLSETS.items():
        if tool_name in members:
            return toolset
        if group in members:
            by_group = toolset
    return by_group or "plugins"


def parse_toolsets(text: str | Iterable[str] | None) -> frozenset[str] | None:
    """``"core,workspace"`` as a set of toolset names; None or empty means every toolset.

    An unknown name is a 400 naming the valid ones.
    """
    if text is None:
        return None
    parts = text.split(",") if isinstance(text, str) else list(text)
    if len(parts) > len(TOOLSETS) * 2 or sum(map(len, parts)) > MAX_TOOLSETS_CHARS:
        raise InvalidInput(f"too many toolsets; valid toolsets: {', '.join(TOOLSETS)}")
    names = frozenset(part.strip() for part in parts if part.strip())
    unknown = sorted(names - set(TOOLSETS))
    if unknown:
        valid = ", ".join(TOOLSETS)
        raise InvalidInput(
            f"unknown toolset {', '.join(map(repr, unknown))}; valid toolsets: {valid}",
            valid=list(TOOLSETS),
        )
    return names or None


def parse_flag(text: str | None) -> bool:
    """A query-parameter flag: ``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``."""
    value = (text or "").strip().lower()
    if value in {"", "0", "false", "no", "off"}:
        return False
    if value in {"1", "true", "yes", "on"}:
        return True
    raise InvalidInput(f"read_only must be 1 or 0, not {value[:20]!r}")


@dataclass(frozen=True)
class Selection:
    """Which tools a server or schema offers: some toolsets (None = all), maybe only reads."""

    toolsets: frozenset[str] | None = None
    read_only: bool = False

    @classmethod
    def parse(cls, toolsets: str | Iterable[str] | None, read_only: bool = False) -> Selection:
        return cls(parse_toolsets(toolsets), read_only)

    def offers(self, tool_name: str, writes: bool) -> bool:
        """Whether the tool is listed: in a selected toolset, and a read in read-only mode."""
        if self.read_only and writes:
            return False
        return self.toolsets is None or toolset_of(tool_name) in self.toolsets

    def check(self, tool_name: str, writes: bool) -> None:
        """Refuse a call to a tool this selection does not offer (403)."""
        if self.read_only and writes:
            raise ReadOnlyMode(f"{tool_name} writes, and this server is read-only")
        if self.toolsets is not None and toolset_of(tool_name) not in self.toolsets:
            loaded = ", ".join(sorted(self.toolsets))
            raise ToolsetNotLoaded(
                f"{tool_name} is in the toolset {toolset_of(tool_name)!r}, not loaded here "
                f"(loaded: {loaded})"
            )

    @property
    def query(self) -> str:
        """The selection as URL query parameters (``toolsets=core&read_only=1``), or ''."""
        parts = []
        if self.toolsets is not None:
            parts.append("toolsets=" + ",".join(t for t in TOOLSETS if t in self.toolsets))
        if self.read_only:
            parts.append("read_only=1")
        return "&".join(parts)


ALL = Selection()
