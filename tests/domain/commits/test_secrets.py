"""The secret scan: what counts as a likely secret, and what is deliberately not scanned."""

from __future__ import annotations

import time

import pytest

from draftroom.domain.commits import (
    SecretFinding,
    added_lines,
    refuse_secrets,
    scan_changes,
    scan_line,
    shannon_entropy,
)
from draftroom.git import Change

# Assembled at run time so this file itself does not look like it holds secrets.
AWS = "AKIA" + "IOSFODNN7EXAMPLE"
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
GITHUB_PAT = "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"
SLACK = "xoxb-" + "1234567890-abcdefghijkl"
OPENAI = "sk-" + "proj-a1b2c3d4e5f6g7h8i9j0k1l2m3n4"
GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
DRAFTROOM = "drt_" + "abcdefghijkl_" + "A" * 43
JWT = (
    "eyJhbGciOiJIUzI1NiJ9"
    + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
PRIVATE_KEY = "-----BEGIN " + "OPENSSH PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (PRIVATE_KEY, "private_key"),
        ("-----BEGIN " + "RSA PRIVATE KEY-----", "private_key"),
        ("-----BEGIN " + "PRIVATE KEY-----", "private_key"),
        (f"aws_access_key_id = {AWS}", "aws_access_key"),
        (f"token: {GITHUB}", "github_token"),
        (f"GH={GITHUB_PAT}", "github_token"),
        (f"SLACK={SLACK}", "slack_token"),
        (f'client = OpenAI(api_key="{OPENAI}")', "openai_key"),
        (f"const key = '{GOOGLE}';", "google_api_key"),
        (f"stripe.api_key = '{STRIPE}'", "stripe_key"),
        (f"export DRAFTROOM_TOKEN={DRAFTROOM}", "draftroom_credential"),
        ("ACCESS=dra_abcdefghijkl_" + "B" * 43, "draftroom_credential"),
        ("REFRESH=drr_abcdefghijkl_" + "C" * 43, "draftroom_credential"),
        (f"Authorization: Bearer {JWT}", "jwt"),
        ('password = "Xk9#mQ2$vL7@pR4!"', "high_entropy_assignment"),
        ("API_KEY=9f8e7d6c5b4a39281706f5e4d3c2b1a0", "high_entropy_assignment"),
        ('"client_secret": "q8ZrT1vX3nB6yK0wLm2P"', "high_entropy_assignment"),
    ],
)
def test_likely_secrets_are_found_by_kind(line: str, kind: str) -> None:
    assert kind in scan_line(line)


@pytest.mark.parametrize(
    "line",
    [
        'password = "changeme"',
        "password = os.environ['DB_PASSWORD']",
        "token = settings.auth.token_value",
        "API_KEY=${API_KEY}",
        'secret_name = "aaaaaaaaaaaaaaaa"',
        "import sklearn  # task-list sk-learn",
        "the word password appears in prose, and so does token.",
        "sha = 3f786850e387550fdab836ed7e6dc881de23001b",
    ],
)
def test_ordinary_code_and_prose_are_not_secrets(line: str) -> None:
    assert scan_line(line) == []


def test_entropy_separates_random_from_chosen() -> None:
    assert shannon_entropy("aaaaaaaa") == 0.0
    assert shannon_entropy("9f8e7d6c5b4a39281706f5e4d3c2b1a0") > 3.5
    assert shannon_entropy("") == 0.0


def test_only_added_lines_are_scanned_and_reported_by_line() -> None:
    old = f"line one\nkey = {AWS}\n".encode()
    new = f"line one\nkey = {AWS}\nnew = {GITHUB}\n".encode()
    findings = scan_changes([Change("cfg.py", new)], lambda path: old)
    assert findings == [SecretFinding("cfg.py", 3, "github_token")]


def test_binary_files_and_deletes_are_skipped() -> None:
    binary = b"\x00\x01" + AWS.encode()
    changes = [Change("a.bin", binary), Change("gone.txt", delete=True)]
    assert scan_changes(changes, lambda path: None) == []


def test_a_secret_at_the_edge_of_a_very_long_line_is_found() -> None:
    line = "x" * 19_990 + " " + AWS + " " + "y" * 30_000
    findings = scan_changes([Change("min.js", line.encode())], lambda path: None)
    assert [f.kind for f in findings] == ["aws_access_key"]


def test_the_refusal_names_file_line_and_kind_but_never_the_secret() -> None:
    new = f"ok\n{STRIPE}\n{PRIVATE_KEY}\n".encode()
    error = refuse_secrets(scan_changes([Change("pay.py", new)], lambda path: None))
    assert error.code == "secret_detected" and error.status == 422
    assert "'pay.py' line 2" in error.message and "Stripe" in error.message
    assert "allow_secrets" in error.message
    assert error.details["findings"] == [
        {"path": "pay.py", "line": 2, "kind": "stripe_key"},
        {"path": "pay.py", "line": 3, "kind": "private_key"},
    ]
    text = repr(error.to_dict())
    assert STRIPE not in text and STRIPE[8:20] not in text


def test_environment_references_are_not_secrets() -> None:
    assert scan_line("API_KEY=$API_KEY_FROM_THE_ENVIRONMENT_2") == []


def test_an_append_is_scanned_from_the_line_the_old_content_ends_in() -> None:
    old = b"line one\nline two\npartial "
    new = old + b"token = 'ghp_" + b"a" * 36 + b"'\nlast\n"
    assert [number for number, _ in added_lines(old, new)] == [3, 4, 5]
    assert "ghp_" in next(line for number, line in added_lines(old, new) if number == 3)


def test_eight_mib_of_adversarial_input_scans_in_linear_time() -> None:
    """Patterns with backtracking took minutes here; RE2 takes well under a second."""
    size = 8 * 1024 * 1024
    worst = {
        "assignment": '"password"',
        "assignment-tail": "password" + "_" * 1000,
        "private-key": "-----BEGIN " + "A " * 500,
        "openai": "sk-" + "a" * 5000 + " ",
        "jwt": "eyJ" + "a" * 1000 + ".",
    }
    timings = {}
    for name, unit in worst.items():
        data = (unit * (size // len(unit) + 1))[:size].encode()
        started = time.perf_counter()
        scan_changes([Change("big.txt", data)], lambda path: None)
        timings[name] = time.perf_counter() - started
    print("scan seconds per 8 MiB:", {k: round(v, 3) for k, v in timings.items()})
    assert max(timings.values()) <= 5, timings  # 1 s on a quiet machine; this one is shared
