"""Finding likely secrets in what a commit adds, before it becomes history.

Once a key is committed it is in every clone and every merge, so a commit adding one is
refused (``SecretDetected``, 422) unless the caller says ``allow_secrets``. Only lines the
change adds are scanned (a line already in the old file is not news); so are the texts that
travel with a change (commit message, paths, rollback reason, merge request title and
description). A finding names the file (or field), line and kind; it must never carry the
secret itself, nor any part of it, into an error, a log line or an audit row.

Every pattern is RE2 (``google-re2``): matching time is linear in the input whatever it
holds, so no file can stall a worker. Text is decoded the way git users store it (see
``text_of``); only real binaries are skipped.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import re2

from draftroom.errors import SecretDetected
from draftroom.git import Change

ENTROPY_THRESHOLD = 3.5
"""Bits per character above which an assigned value looks random rather than chosen."""
MIN_ASSIGNED_LENGTH = 12
MAX_FINDINGS = 20
_MAX_LINE_CHARS = 20_000  # longer "lines" (minified bundles) are scanned in windows of this
BINARY_SAMPLE_BYTES = 8000
"""Bytes looked at to tell binary from text: git's own window (``buffer_is_binary``)."""
BINARY_CONTROL_RATIO = 0.05
"""Share of control bytes (NUL and C0 but tab, newline, CR, FF, ESC) above which it is binary.

Text in any 8-bit encoding has almost none (a stray NUL is not binary); images, archives and
compressed data have about 11% (29 of 256 byte values).
"""
_BOMS: list[tuple[bytes, str]] = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
]
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r\x0c\x1b")

_KINDS: list[tuple[str, str, re2._Regexp]] = [
    (
        "private_key",
        "a private key",
        re2.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    ),
    ("aws_access_key", "an AWS access key id", re2.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    (
        "github_token",
        "a GitHub token",
        re2.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
    ),
    ("slack_token", "a Slack token", re2.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    (
        "openai_key",
        "an OpenAI API key",
        # RE2 has no lookahead: "has a digit" is checked on the match (``_OPENAI_NEEDS``).
        re2.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"),
    ),
    ("google_api_key", "a Google API key", re2.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("stripe_key", "a Stripe live key", re2.compile(r"\b(?:sk|rk)_live_[0-9A-Za-z]{16,}")),
    (
        "draftroom_credential",
        "a draftroom API key, reuse token, or sign-in access or refresh token",
        re2.compile(r"\bdr[ktar]_[a-z2-7]{12}_[A-Za-z0-9_-]{43}"),
    ),
    (
        "jwt",
        "a JSON Web Token",
        re2.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ),
]
_OPENAI_NEEDS = frozenset("0123456789")
_ANY_KIND = re2.compile("|".join(f"(?:{pattern.pattern})" for _, _, pattern in _KINDS))
"""One pass that tells whether any kind may be present: most lines hold none."""
_ASSIGNMENT = re2.compile(
    # a secret-like name, then API_KEY_PROD / secret_value / token.main, then = : := =>
    r"(?i)(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key"
    r"|auth[_-]?key|credentials?)"
    r"[A-Za-z0-9_.-]*"
    r"[\"']?\s*(?::=|=>|=|:)\s*"
    r"(?P<quote>[\"'`]?)"
    r"(?P<value>[A-Za-z0-9+/=_\-.~!@#$%^&*]{8,})"
)
_DESCRIPTIONS = {kind: what for kind, what, _ in _KINDS}
_DESCRIPTIONS["high_entropy_assignment"] = "a high-entropy value assigned to a secret-like name"


@dataclass(frozen=True)
class SecretFinding:
    """Where a likely secret was added; deliberately without the matched text.

    For a file, ``path`` and ``line``; for a text sent with the change, ``field`` (``message``,
    ``reason``, ``title``, ``description``, or ``path``, whose ``line`` is then the changed
    file's position in the change set: the path itself may be the secret).
    """

    path: str
    line: int
    kind: str
    field: str | None = None

    def to_dict(self) -> dict[str, str | int]:
        if self.field is not None:
            return {"field": self.field, "line": self.line, "kind": self.kind}
        return {"path": self.path, "line": self.line, "kind": self.kind}

    def where(self) -> str:
        if self.field == "path":
            return f"the path of changed file #{self.line}"
        if self.field is not None:
            return f"the {self.field} (line {self.line})"
        return f"{self.path!r} line {self.line}"


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text``'s own character distribution."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def scan_line(line: str) -> list[str]:
    """The kinds of secret ``line`` seems to hold (each kind once)."""
    kinds: list[str] = []
    if _ANY_KIND.search(line) is not None:
        kinds = [kind for kind, _, pattern in _KINDS if _found(kind, pattern, line)]
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


def _found(kind: str, pattern: re2._Regexp, line: str) -> bool:
    if kind != "openai_key":
        return pattern.search(line) is not None
    return any(not _OPENAI_NEEDS.isdisjoint(m.group()) for m in pattern.finditer(line))


def _looks_like_reference(value: str) -> bool:
    """Dotted names and env lookups (``settings.db.password_hash``, ``$TOKEN``) are code."""
    if value.startswith(("$", "%")):
        return True
    parts = value.split(".")
    return len(parts) > 1 and all(p.isidentifier() for p in parts)


def _bom_encoding(data: bytes) -> str | None:
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def text_of(data: bytes) -> str | None:
    """``data`` as text, or None for binary.

    A byte-order mark decides the encoding (UTF-8, UTF-16, UTF-32). Without one, data whose
    first ``BINARY_SAMPLE_BYTES`` are more than ``BINARY_CONTROL_RATIO`` control bytes is
    binary (images, archives); anything else is text: UTF-8 when it decodes, else Latin-1
    (which decodes every byte, so no file escapes the scan by one odd byte or a stray NUL).
    """
    encoding = _bom_encoding(data)
    if encoding is not None:
        return data.decode(encoding, errors="replace")
    sample = data[:BINARY_SAMPLE_BYTES]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > BINARY_CONTROL_RATIO * len(sample):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def added_lines(old: bytes | None, new: bytes) -> Iterable[tuple[int, str]]:
    """(line number, text) of lines of ``new`` that ``old`` does not have; none if binary.

    An append (``new`` starts with ``old``) is scanned from the last line ``old`` touches on,
    so appending to a large file costs the size of the append, not of the file. Not for
    UTF-16/32, whose newline is not one byte.
    """
    first, before = 1, set[str]()
    wide = (_bom_encoding(new) or "").startswith("utf-")
    if old and new.startswith(old) and not wide and text_of(new[:BINARY_SAMPLE_BYTES]):
        cut = old.rfind(b"\n") + 1
        first, new = old.count(b"\n", 0, cut) + 1, new[cut:]
    elif old:
        before = set((text_of(old) or "").split("\n"))
    text = text_of(new)
    if text is None:
        return
    yield from _windows(text, first, before)


def _windows(text: str, first: int, before: set[str]) -> Iterable[tuple[int, str]]:
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


def scan_text(field: str, text: str | None) -> list[SecretFinding]:
    """Findings in a text sent along with a change (a message, a reason, a title)."""
    if not text:
        return []
    findings: list[SecretFinding] = []
    for number, line in _windows(text, 1, set()):
        findings += [SecretFinding("", number, kind, field) for kind in scan_line(line)]
    return list(dict.fromkeys(findings))


def scan_paths(changes: Sequence[Change]) -> list[SecretFinding]:
    """Findings in the paths ``changes`` write: a path is stored in every tree and log."""
    return [
        SecretFinding("", position, kind, "path")
        for position, change in enumerate(changes, start=1)
        if not change.delete
        for kind in scan_line(change.path)
    ]


def refuse_secrets(
    findings: Sequence[SecretFinding], *, overridable: bool = True
) -> SecretDetected:
    """The error for ``findings``: where and what kind, never the value.

    ``overridable`` when the tool has ``allow_secrets``; otherwise the text must change.
    """
    first = findings[0]
    more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
    advice = (
        "; if it is not a secret, send the same request again with allow_secrets: true"
        if overridable
        else ""
    )
    return SecretDetected(
        f"{first.where()} looks like {_DESCRIPTIONS[first.kind]}{more}. Remove it (read it "
        f"from an environment variable or a secret store instead){advice}",
        findings=[f.to_dict() for f in findings[:MAX_FINDINGS]],
    )


def refuse_secret_texts(**texts: str | None) -> None:
    """422 ``secret_detected`` if a text a tool stores (and has no ``allow_secrets``) holds one."""
    findings = [f for field, text in texts.items() for f in scan_text(field, text)]
    if findings:
        raise refuse_secrets(findings, overridable=False)
