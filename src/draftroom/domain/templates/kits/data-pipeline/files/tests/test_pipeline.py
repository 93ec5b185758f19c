"""The pipeline from CSV to report, on small files written by each test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pipeline import load_sales, report, totals

HEADER = "date,region,product,units,price\n"


def write_csv(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_totals_are_by_revenue_largest_first(tmp_path: Path) -> None:
    loaded = load_sales(write_csv(tmp_path, "d,North,A,2,5\nd,South,B,1,20\nd,North,B,1,1\n"))
    assert totals(loaded.sales, "region") == {"South": 20.0, "North": 11.0}
    assert totals(loaded.sales, "product") == {"B": 21.0, "A": 10.0}


def test_bad_rows_are_counted_not_dropped_silently(tmp_path: Path) -> None:
    loaded = load_sales(write_csv(tmp_path, "d,North,A,two,5\nd,North,A,1,5\n"))
    assert len(loaded.sales) == 1 and loaded.skipped == 1
    assert "- Rows skipped: 1" in report(loaded)


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("date,region\n", encoding="utf-8")
    with pytest.raises(ValueError, match="product, units, price"):
        load_sales(path)


def test_the_command_writes_the_report_of_the_sample(tmp_path: Path) -> None:
    sample = Path(__file__).parent.parent / "data" / "sales.csv"
    target = tmp_path / "report.md"
    script = Path(__file__).parent.parent / "pipeline.py"
    subprocess.run([sys.executable, str(script), str(sample), str(target)], check=True)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Sales report\n")
    assert "- Revenue: 272.00" in text
    assert "| North | 159.00 |" in text
