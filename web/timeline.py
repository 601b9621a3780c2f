"""The timeline: result counts per month (per year over long spans) as bars for an inline SVG."""

from __future__ import annotations

from dataclasses import dataclass

from berita_search.index.dates import MONTH_NAMES_ID

# Beyond this many months, one bar per month gets too thin to read or click.
MAX_MONTH_BARS = 36
WIDTH, HEIGHT, LABEL_SPACE = 720, 140, 20
TOP_SPACE = 18  # room for the "maks." label above the tallest bar
# A few periods get bars of a readable width rather than one bar across the chart.
MIN_SLOTS = 12


@dataclass(frozen=True)
class Bar:
    period: str  # "2023-08" or "2023", the value of the from/to parameters
    label: str  # "Agustus 2023" or "2023"
    count: int
    x: float
    y: float
    width: float
    height: float
    tick: str  # short label drawn under the bar, or ""


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    by_year: bool
    width: int = WIDTH
    height: int = HEIGHT
    label_space: int = LABEL_SPACE

    @property
    def max_count(self) -> int:
        return max((b.count for b in self.bars), default=0)


def _month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (y, m) <= end:
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def build_timeline(months: list[tuple[str, int]]) -> Timeline | None:
    """Bars for every period from the first to the last with results, empty ones included."""
    counts = {k: v for k, v in months if len(k) == 7 and k[4] == "-" and k[:4].isdigit() and k[5:].isdigit()}
    if not counts:
        return None
    periods = _month_range(min(counts), max(counts))
    by_year = len(periods) > MAX_MONTH_BARS
    if by_year:
        years: dict[str, int] = {}
        for month, count in counts.items():
            years[month[:4]] = years.get(month[:4], 0) + count
        periods = [str(y) for y in range(int(min(years)), int(max(years)) + 1)]
        counts = years
    top = max(counts.values())
    slot = WIDTH / max(len(periods), MIN_SLOTS)
    gap = min(4.0, slot * 0.2)
    bars = []
    for number, period in enumerate(periods):
        count = counts.get(period, 0)
        height = 0.0 if not count else max(2.0, (HEIGHT - TOP_SPACE) * count / top)
        if by_year:
            label = period
            tick = period if len(periods) <= 12 or number % max(1, len(periods) // 8) == 0 else ""
        else:
            month_number = int(period[5:])
            label = f"{MONTH_NAMES_ID[month_number - 1]} {period[:4]}"
            if len(periods) <= 12:
                tick = MONTH_NAMES_ID[month_number - 1][:3] + (
                    f" {period[2:4]}" if month_number == 1 or number == 0 else ""
                )
            else:
                tick = period[:4] if month_number == 1 or number == 0 else ""
        bars.append(
            Bar(
                period=period,
                label=label,
                count=count,
                x=round(number * slot + gap / 2, 2),
                y=round(HEIGHT - height, 2),
                width=round(slot - gap, 2),
                height=round(height, 2),
                tick=tick,
            )
        )
    return Timeline(bars=bars, by_year=by_year)
