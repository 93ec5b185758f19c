"""Finding likely secrets in what a commit adds, before it becomes history.

Once a key is committed it is in every clone and every merge, so a commit adding one is
refused (``SecretDetected``, 422) unless the caller says ``allow_secrets``. Only lines the
change adds are scanned (a line already in the old file is not news), binary files are
skipped. A finding names the file, line and kind; it must never carry the secret itself,
nor any part of it, into an error, a log line or an audit row.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from draftroom.errors import SecretDetected
from draftroom.git import Change

ENTROPY_THRESHOLD = 3.5
"""Bits per character above which an assigned value looks random rather than chosen."""
MIN_ASSIGNED_LENGTH = 12
MAX_FINDINGS = 20
_MAX_LINE_CHARS = 20_000  # longer "lines" (minified bundles) are scanned in windows of this

_KINDS: list[tuple[str, str, re.Pattern[str]]] = [
    (
        "private_key",
        "a private key",
        re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    ),
    ("aws_access_key", "an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    (
        "github_token",
        "a GitHub token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
    ),
    ("slack_token", "a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    (
        "openai_key",
        "an OpenAI API key",
        re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}"),
    ),
    ("google_api_key", "a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("stripe_key", "a Stripe live key", re.compile(r"\b(?:sk|rk)_live_[0-9A-Za-z]{16,}")),
    (
        "draftroom_credential",
        "a draftroom API key or reuse token",
        re.compile(r"\bdr[kt]_[a-z2-7]{12}_[A-Za-z0-9_-]{43}"),
    ),
    (
        "jwt",
        "a JSON Web Token",
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ),
]
_ASSIGNMENT = re.compile(
    r"""(?ix)
    (?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?key|credentials?)
    [A-Za-z0-9_.-]*          # API_KEY_PROD, secret_value, token.main
    ["']?\s*(?::=|=>|=|:)\s*  # = : := =>
    (?P<quote>["'`]?)
    (?P<value>[A-Za-z0-9+/=_\-.~!@#$%^&*]{8,})
    """
)
_DESCRIPTIONS = {kind: what for kind, what, _ in _KINDS}
_DESCRIPTIONS["high_entropy_assignment"] = "a high-entropy value assigned to a secret-like name"


@dataclass(frozen=True)
class SecretFinding:
    """Where a likely secret was added; deliberately without the matched text."""

    path: str
    line: int
    kind: str

    def to_dict(self) -> dict[str, str | int]:
        return {"path": self.path, "line": self.line, "kind": self.kind}


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text``'s own character distribution."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def scan_line(line: str) -> list[str]:
    """The kinds of secret ``line`` seems to hold (each kind once)."""
    kinds = [kind for kind, _, pattern in _KINDS if pattern.search(line)]
    if not kinds:
        for match in _ASSIGNMENT.finditer(line):
            value = match.group("value")
            if (
                len(value) >= MIN_ASSIGNED_LENGTH
                and shannon_entropy(value) >= ENTROPY_THRESHOLD
                and not _looks_like_reference(value)
            ):
                kinds.append("high_entropy_assignment")
                break
    return kinds


def _looks_like_reference(value: str) -> bool:
    """Dotted names and env lookups (``settings.db.password_hash``, ``$TOKEN``) are code."""
    if value.startswith(("$", "%")):
        return True
    parts = value.split(".")
    return len(parts) > 1 and all(p.isidentifier() for p in parts)


def text_of(data: bytes) -> str | None:
    """``data`` as text, or None for binary (NUL bytes or not UTF-8)."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def added_lines(old: bytes | None, new: bytes) -> Iterable[tuple[int, str]]:
    """(line number, text) of lines of ``new`` that ``old`` does not have; none if binary.

    An append (``new`` starts with ``old``) is scanned from the last line ``old`` touches on,
    so appending to a large file costs the size of the append, not of the file.
    """
    first, before = 1, set[str]()
    if old and new.startswith(old):
        cut = old.rfind(b"\n") + 1
        first, new = old.count(b"\n", 0, cut) + 1, new[cut:]
    elif old:
        before = set((text_of(old) or "").split("\n"))
    text = text_of(new)
    if text is None:
        return
    for number, line in enumerate(text.split("\n"), start=first):
        if line in before:
            continue
        for start in range(0, max(len(line), 1), _MAX_LINE_CHARS):
            # Windows overlap so a secret on a window edge is still seen whole.
            yield number, line[max(0, start - 200) : start + _MAX_LINE_CHARS]


def scan_changes(
    changes: Sequence[Change], old_data: Callable[[str], bytes | None]
) -> list[SecretFinding]:
    """Findings in what ``changes`` add; ``old_data(path)`` is the file before the change."""
    findings: list[SecretFinding] = []
    for change in changes:
        if change.delete or change.data is None:
            continue
        seen: set[tuple[int, str]] = set()
        for number, line in added_lines(old_data(change.path), bytes(change.data)):
            for kind in scan_line(line):
                if (number, kind) not in seen:
                    seen.add((number, kind))
                    findings.append(SecretFinding(change.path, number, kind))
    return findings


def refuse_secrets(findings: Sequence[SecretFinding]) -> SecretDetected:
    """The error for ``findings``: where and what kind, never the value."""
    first = findings[0]
    more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
    return SecretDetected(
        f"{first.path!r} line {first.line} looks like {_DESCRIPTIONS[first.kind]}{more}. "
        "Remove it (read it from an environment variable or a secret store instead); if it "
        "is not a secret, send the same request again with allow_secrets: true",
        findings=[f.to_dict() for f in findings[:MAX_FINDINGS]],
    )
