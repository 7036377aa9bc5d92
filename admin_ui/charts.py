"""The geometry of the dashboard's charts, in SVG user units: what the templates
in ``admin_ui/dashboard/`` draw, so they only place what is computed here. Each
chart has a ``slug`` (its element ids), a title and a description for readers
that do not see it (``chart.html``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as shown
    y: int  # top of the bar's row
    width: float
    text_x: float  # where the value is written, after the bar
    colour: str
    url: str = ""


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one a row, labelled on the left, their value after them."""

    slug: str
    title: str
    description: str
    headings: tuple[str, str]  # of the data table's columns
    bars: list[Bar]
    width: int = 540
    label_width: int = 180  # the bars start here; their labels end just before
    row: int = 28

    @property
    def height(self) -> int:
        return self.row * len(self.bars)

    @property
    def label_x(self) -> int:
        return self.label_width - 8


BAR_SPACE = 190  # leaves room after the longest bar for its value


def bar_chart(
    slug: str,
    title: str,
    headings: tuple[str, str],
    rows: Sequence[tuple[str, Decimal | int, str, str, str]],
) -> BarChart:
    """A chart of ``rows`` of (label, value, value as shown, colour, link), the
    longest bar for the largest value."""
    top = max((value for _label, value, *_rest in rows), default=0) or 1
    bars = []
    for index, (label, value, text, colour, url) in enumerate(rows):
        width = round(float(BAR_SPACE * value / top), 1)
        text_x = BarChart.label_width + width + 6
        bars.append(Bar(label, text, BarChart.row * index, width, text_x, colour, url))
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    return BarChart(slug, title, description, headings, bars)


@dataclass(frozen=True)
class Segment:
    y: float
    height: float
    colour: str
    title: str  # shown on hover


@dataclass(frozen=True)
class Column:
    x: float
    centre: float
    label: str  # the day
    shown: bool  # whether the day is written under the column
    segments: list[Segment]


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class ColumnChart:
    """Stacked columns, one a day, over a scale of amounts."""

    slug: str
    title: str
    description: str
    columns: list[Column]
    ticks: list[Tick]
    legend: list[tuple[str, str]]  # (label, colour)
    column_width: float
    width: int = 960
    height: int = 220
    left: int = 80  # where the plot starts; the scale is written before it
    right: int = 24  # room for the last day's label
    top: int = 8
    baseline: int = 196  # the days are written under it

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def scale_x(self) -> int:
        return self.left - 6

    @property
    def day_y(self) -> int:
        return self.baseline + 16


def nice_ceiling(value: Decimal) -> Decimal:
    """The least of 1, 2, 2.5 and 5 times a power of ten at or above ``value``
    (the top of a scale), 1 for nothing."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** (value.adjusted())
    return next(power * step for step in (1, 2, Decimal("2.5"), 5, 10) if value <= power * step)
