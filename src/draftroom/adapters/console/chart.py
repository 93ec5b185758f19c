"""Geometry of the overview's bar chart, drawn as inline SVG by ``overview.html``.

Presentation only (where each bar goes, how tall, which labels): the counts come from
``domain.console.overview``. No JavaScript and no style attributes (the console's CSP
forbids inline styles): colours come from classes in ``console.css``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from draftroom.domain.console import Hour

LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 28
SLOT, GAP = 5, 1
PLOT_HEIGHT = 150


@dataclass(frozen=True)
class Bar:
    hour: Hour
    x: int
    height: float
    """Of every call in the hour; the failed part, ``failed_height``, is drawn over its foot."""
    failed_height: float

    @property
    def y(self) -> float:
        return TOP + PLOT_HEIGHT - self.height

    @property
    def failed_y(self) -> float:
        return TOP + PLOT_HEIGHT - self.failed_height


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    top: int = TOP
    left: int = LEFT
    base: int = TOP + PLOT_HEIGHT
    bar_width: int = SLOT - GAP

    @property
    def busiest(self) -> Hour | None:
        hour = max((bar.hour for bar in self.bars), key=lambda h: h.calls, default=None)
        return hour if hour is not None and hour.calls else None


def scale_top(largest: int) -> int:
    """The y axis's top: the smallest 1, 2 or 5 times a power of ten at least ``largest``."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= largest:
                return step * factor
        step *= 10


def bar_chart(hours: Sequence[Hour]) -> Chart:
    top = scale_top(max((hour.calls for hour in hours), default=0))

    def height(count: int) -> float:
        return round(count / top * PLOT_HEIGHT, 2)

    bars = [
        Bar(hour, LEFT + n * SLOT, height(hour.calls), height(hour.failed))
        for n, hour in enumerate(hours)
    ]
    y_ticks = [Tick(TOP + PLOT_HEIGHT - height(v), f"{v:,}") for v in sorted({0, top // 2, top})]
    x_ticks = [
        Tick(bar.x, bar.hour.start.strftime("%a %d %b")) for bar in bars if bar.hour.start.hour == 0
    ]
    return Chart(
        LEFT + len(bars) * SLOT + RIGHT, TOP + PLOT_HEIGHT + BOTTOM, bars, y_ticks, x_ticks
    )
