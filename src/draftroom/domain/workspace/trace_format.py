"""The markdown trace format of ``reasoning_trace.md``: ``## at · kind · id`` sections.

A person may edit the file; any other ``## `` heading is refused with the line it is on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from draftroom.domain.workspace.formats import decode, invalid

HEADING = re.compile(r"^## +(?P<at>\S+) *[·|] *(?P<kind>[A-Za-z]+)(?: *[·|] *(?P<id>\S+))? *$")


@dataclass(frozen=True)
class TraceBlock:
    """One ``## at · kind · id`` section of a markdown trace, with its 1-based heading line."""

    line: int
    at: str
    kind: str
    id: str | None
    body: str


def parse_trace(path: str, data: bytes) -> tuple[str, list[TraceBlock]]:
    """The preamble and the entries of a markdown trace; any other ``## `` line is invalid."""
    text = decode(path, data)
    lines = text.split("\n")
    preamble: list[str] = []
    blocks: list[TraceBlock] = []
    current: dict[str, Any] | None = None
    body: list[str] = []

    def close() -> None:
        if current is not None:
            blocks.append(TraceBlock(body="\n".join(body).strip("\n"), **current))

    for number, line in enumerate(lines, start=1):
        if line.startswith("## "):
            match = HEADING.match(line)
            if match is None:
                raise invalid(
                    path,
                    number,
                    "an entry heading must read '## <time> · <thought|decision|question> · "
                    f"<id>' (id optional), got {line[:80]!r}",
                )
            close()
            current = {"line": number, **match.groupdict()}
            body = []
        elif current is None:
            preamble.append(line)
        else:
            body.append(line.removeprefix("\\"))
    close()
    return "\n".join(preamble), blocks


def trace_block(at: str, kind: str, entry_id: str, body: str) -> bytes:
    """An entry as appended to a trace; body lines that look like headings are escaped."""
    escaped = "\n".join(
        "\\" + ln if ln.startswith(("## ", "\\")) else ln for ln in body.split("\n")
    )
    return f"\n## {at} · {kind} · {entry_id}\n\n{escaped.strip(chr(10))}\n".encode()
