"""CSV in, report out: read sales rows, check them, total them, write a Markdown report.

Usage: python pipeline.py INPUT.csv REPORT.md
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REQUIRED_COLUMNS = ("date", "region", "product", "units", "price")


@dataclass(frozen=True)
class Sale:
    date: str
    region: str
    product: str
    units: int
    price: float

    @property
    def revenue(self) -> float:
        return self.units * self.price


@dataclass(frozen=True)
class Loaded:
    sales: list[Sale]
    skipped: int


def load_sales(path: Path) -> Loaded:
    """Every valid row of the CSV at ``path``; rows that do not parse are counted."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path} lacks the columns {', '.join(missing)}")
        sales, skipped = [], 0
        for row in reader:
            try:
                units, price = int(row["units"]), float(row["price"])
            except (TypeError, ValueError):
                skipped += 1
                continue
            sales.append(Sale(row["date"], row["region"], row["product"], units, price))
    return Loaded(sales, skipped)


def totals(sales: list[Sale], key: str) -> dict[str, float]:
    """Revenue by ``key`` (region or product), largest first."""
    found: dict[str, float] = defaultdict(float)
    for sale in sales:
        found[getattr(sale, key)] += sale.revenue
    return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))


def report(loaded: Loaded) -> str:
    """The Markdown report of ``loaded``."""
    revenue = sum(sale.revenue for sale in loaded.sales)
    lines = [
        "# Sales report",
        "",
        f"- Rows: {len(loaded.sales)}",
        f"- Rows skipped: {loaded.skipped}",
        f"- Revenue: {revenue:.2f}",
    ]
    for key in ("region", "product"):
        lines += ["", f"## By {key}", "", f"| {key} | revenue |", "|---|---:|"]
        lines += [f"| {name} | {value:.2f} |" for name, value in totals(loaded.sales, key).items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    target.write_text(report(load_sales(source)), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
