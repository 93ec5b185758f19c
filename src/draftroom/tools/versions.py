"""The tool API's versions, in one place, and what a deprecated tool variant announces.

A tool is declared once per API version that changes it (``@tool(..., api_version=2)``);
a version serves, for each tool, its newest declaration not newer than itself. The
unversioned paths, the CLI and ``Registry.get`` are version 1 forever. Released versions
are frozen: their schemas are snapshotted under ``api/`` and checked by ``draftroom api
check`` (see docs/api-versions.md). Must never import an adapter.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from email.utils import formatdate

from draftroom.errors import InvalidInput
from draftroom.plugins.versions import SUPPORTED_API_VERSIONS

API_VERSIONS = SUPPORTED_API_VERSIONS
"""Every version served at ``/v<N>/``, oldest first. Defined beside the plugin API (below the
tools), which checks a plugin's ``requires_api`` against the same tuple."""
LATEST = API_VERSIONS[-1]
"""What ``/openapi.json`` and MCP serve unless pinned."""


def parse_api(value: str | int) -> int:
    """``"v1"``, ``"1"`` or ``1`` as a served version; anything else is a 400 naming them."""
    text = str(value).strip().lower().removeprefix("v")
    if text.isdigit() and int(text) in API_VERSIONS:
        return int(text)
    served = ", ".join(f"v{n}" for n in API_VERSIONS)
    raise InvalidInput(f"unknown API version {value!r}; use one of {served}")


@dataclass(frozen=True)
class Deprecation:
    """A tool variant still served but on its way out: since ``at``, gone after ``sunset``,
    ``use`` saying what replaces it (a tool name, rendered per transport)."""

    at: date
    sunset: date
    use: str

    def headers(self) -> dict[str, str]:
        """``Deprecation`` (RFC 9745: ``@`` and Unix seconds) and ``Sunset`` (RFC 8594: an
        HTTP-date), both at midnight UTC of their day."""
        return {
            "Deprecation": f"@{_seconds(self.at)}",
            "Sunset": formatdate(_seconds(self.sunset), usegmt=True),
        }

    @property
    def note(self) -> str:
        """One line for a tool's description (MCP) or a schema reader."""
        return (
            f"Deprecated since {self.at.isoformat()}, removed after {self.sunset.isoformat()}: "
            f"use {self.use}."
        )


def _seconds(day: date) -> int:
    return calendar.timegm(day.timetuple())


REPLACED_BY_V2 = Deprecation(date(2026, 12, 4), date(2027, 12, 31), "its v2 (write receipts)")
"""The v1 variants v2 replaces: served for at least a year after v2 shipped."""
