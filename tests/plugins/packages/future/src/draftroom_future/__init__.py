"""A plugin made for a tool API this server does not serve: refused at start."""

from __future__ import annotations

requires_api = ">=3,<4"
