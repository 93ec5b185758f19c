"""The CSV export never hands a spreadsheet a formula a caller chose."""

from __future__ import annotations

import csv
import io
import json

from draftroom.domain.audit.export import COLUMNS, encode


def record(**values: object) -> dict[str, object]:
    return {column: None for column in COLUMNS} | {"id": 7, "duration_ms": -1.5} | values


def test_csv_cells_that_would_run_as_formulas_are_quoted_and_json_is_unchanged() -> None:
    chosen = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    records = [record(branch=value, repo="demo") for value in chosen]
    text = "".join(encode(iter(records), "csv"))
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["branch"] for row in rows] == ["'" + value for value in chosen]
    assert {row["repo"] for row in rows} == {"demo"}  # plain text untouched
    assert {row["duration_ms"] for row in rows} == {"-1.5"}  # numbers are not text
    assert rows[0]["code"] == ""  # None is an empty cell
    lines = "".join(encode(iter(records), "jsonl")).splitlines()
    assert [json.loads(line)["branch"] for line in lines] == chosen
