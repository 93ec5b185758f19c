"""Composing commit messages with git trailers (``Key: value`` lines in the last paragraph).

Trailers are how the audit trail rides inside git itself; must never emit anything that
``git interpret-trailers`` (or pygit2's ``message_trailers``) would parse differently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from draftroom.errors import InvalidInput

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_TRAILER_LINE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*: ")


def compose_message(message: str, trailers: Mapping[str, str] | None = None) -> str:
    """Return ``message`` normalised to end in a newline, with ``trailers`` appended.

    Trailers join an existing trailer block rather than starting a new paragraph, so earlier
    trailers in the caller's message stay parseable.
    """
    if not isinstance(message, str) or not message.strip():
        raise InvalidInput("commit message must not be empty; say what the change does")
    if "\x00" in message:
        raise InvalidInput("commit message must not contain NUL characters")
    body = message.strip("\n").rstrip() + "\n"
    if not trailers:
        return body
    lines = []
    for key, value in trailers.items():
        if not _KEY.fullmatch(key):
            raise InvalidInput(
                f"trailer key must be letters, digits and '-', got {key!r}", trailer=key
            )
        if not isinstance(value, str) or any(ord(ch) < 0x20 for ch in value) or not value.strip():
            raise InvalidInput(
                f"trailer {key!r} needs a one-line, non-empty value, got {value!r}", trailer=key
            )
        lines.append(f"{key}: {value.strip()}\n")
    paragraphs = body.rstrip("\n").split("\n\n")
    last = paragraphs[-1].split("\n")
    if len(paragraphs) > 1 and all(_TRAILER_LINE.match(line) for line in last):
        return body + "".join(lines)
    return body + "\n" + "".join(lines)
