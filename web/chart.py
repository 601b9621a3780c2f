"""Charts of a coverage (``search.coverage``) as shapes for the server-rendered SVG templates.

Nothing here writes markup: it places bars, lines, points and labels in a frame, and the templates
(``_coverage.html``, autoescaped) draw them. A chart that stands alone is drawn twice, for a wide
frame and a phone's, and the stylesheet shows the one that fits, so its text is read at its size
on either; panels of small multiples have one frame that suits both.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from berita_search.search.coverage import INTERVAL_NAMES, Coverage, Period, Series

LinkOf = Callable[[Series, Period | None], str]  # the results of a series in a period (None: every period)
PALETTE_SIZE = 10  # classes c0..c9 in style.css (Okabe-Ito colours, then darker tones)
MEASURE_LABELS = {False: "Jumlah artikel", True: "Proporsi dari semua artikel"}
SPLIT_LABELS = {"source": "sumber", "category": "kategori", "desk": "desk", "reporter": "reporter"}


@dataclass(frozen=True)
class Frame:
    name: str
    width: int
    height: int
    left: int  # room for the values of the y axis
    right: int
    top: int
    bottom: int  # room for the period labels
    font: int

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def baseline(self) -> float:
        return self.height - self.bottom


WIDE = Frame("wide", 760, 250, 56, 10, 12, 26, 13)
NARROW = Frame("narrow", 360, 240, 46, 8, 12, 26, 12)
PANEL = Frame("panel", 360, 150, 46, 8, 10, 24, 12)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str  # colour class


@dataclass(frozen=True)
class Column:
    """One period's bar (stacked when split), a link to that period's results."""

    href: str
    label: str  # what a pointer's tooltip says
    x: float
    width: float
    rects: list[Rect]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    href: str
    label: str


@dataclass(frozen=True)
class Line:
    css: str
    path: str  # SVG path data; a gap where the share is undefined
    points: list[Point]


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass
class Plot:
    frame: Frame
    title: str
    description: str
    columns: list[Column] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    radius: float = 3.0  # of the points of lines


@dataclass
class LegendItem:
    css: str
    label: str
    href: str
    total: int
    share: str  # the series' share of all articles over the span, "" when undefined


@dataclass
class Chart:
    """What a coverage page draws: one plot (in a wide and a narrow frame) or panels of small multiples."""

    kind: str  # "bars", "lines" or "multiples"
    share: bool
    wide: Plot | None = None
    narrow: Plot | None = None
    panels: list[tuple[str, Plot]] = field(default_factory=list)  # (heading, plot)
    legend: list[LegendItem] = field(default_factory=list)


# ---------------------------------------------------------------- numbers


def thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def percent(value: float | None, digits: int = 1) -> str:
    """0.1234 -> '12,3%' (Indonesian decimal comma); '' when undefined."""
    if value is None:
        return ""
    return f"{value * 100:.{digits}f}".replace(".", ",") + "%"


def nice_step(top: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that covers ``top`` in about ``ticks`` steps."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def y_scale(top: float, share: bool) -> tuple[float, list[float]]:
    """The axis's top and its tick values: whole articles for counts, percents for shares."""
    step = nice_step(top)
    if not share:
        step = max(1.0, math.ceil(step))
    high = step * max(1, math.ceil(top / step - 1e-9))
    count = round(high / step)
    return high, [step * i for i in range(count + 1)]


def y_label(value: float, share: bool) -> str:
    if share:
        digits = 0 if abs(value * 100 - round(value * 100)) < 1e-9 else 1
        return percent(value, digits)
    return thousands(round(value))


# ---------------------------------------------------------------- plots


def _x_ticks(coverage: Coverage, frame: Frame, slot: float) -> list[Tick]:
    """Period labels under the axis, every k-th so that they do not overlap."""
    # Days and weeks name their year too when the chart spans several: "12 Jul" alone is ambiguous.
    several_years = bool(coverage.periods) and coverage.periods[0].first.year != coverage.periods[-1].last.year
    labels = [p.tick(coverage.interval, several_years) for p in coverage.periods]
    if not labels:
        return []
    widest = max(len(t) for t in labels) * frame.font * 0.62 + 10
    every = max(1, math.ceil(widest / slot))
    ticks = []
    for i in range(0, len(labels), every):
        # A label centred on the first or last slot is kept inside the drawing, not cut at its edge.
        half = len(labels[i]) * frame.font * 0.31 + 2
        ticks.append(Tick(min(max(frame.left + i * slot + slot / 2, half), frame.width - half), labels[i]))
    return ticks


def _value(series: Series, period: int, share: bool) -> float | None:
    if share:
        return series.shares[period]
    return float(series.counts[period])


def colours(coverage: Coverage) -> dict[tuple[int, str, str], str]:
    """A colour class per series: one per search when not split; one per value when split, the
    same value the same colour in every panel; grey for "others"."""
    found: dict[tuple[int, str, str], str] = {}
    by_value: dict[str, str] = {}
    for s in coverage.series:
        if s.kind == "others":
            css = "others"
        elif s.kind == "all":
            css = f"c{s.query_index % PALETTE_SIZE}"
        else:
            css = by_value.setdefault(s.value, f"c{len(by_value) % PALETTE_SIZE}")
        found[s.query_index, s.kind, s.value] = css
    return found


def _css(coverage: Coverage, series: Series) -> str:
    return colours(coverage).get((series.query_index, series.kind, series.value), "others")


def _tooltip(coverage: Coverage, series: Series, period: int, share: bool) -> str:
    label = coverage.periods[period].label()
    count, base = series.counts[period], series.base[period]
    said = f"{thousands(count)} artikel"
    if base:
        said += f", {percent(count / base)} dari {thousands(base)}"
    return f"{label} · {series.label()}: {said}"


def bar_plot(
    coverage: Coverage, series: list[Series], share: bool, frame: Frame, link: LinkOf, top: float | None = None
) -> Plot:
    """Bars per period, the series stacked (a share is drawn for one series only)."""
    n = len(coverage.periods)
    slot = frame.plot_width / max(n, 1)
    gap = min(2.0, slot * 0.2) if slot > 2 else 0.0
    if top is None:
        sums = [sum((_value(s, i, share) or 0.0) for s in series) for i in range(n)]
        top = max(sums, default=0.0)
    high, ticks = y_scale(top, share)
    palette = [_css(coverage, s) for s in series]
    columns = []
    for i, period in enumerate(coverage.periods):
        x = frame.left + i * slot + gap / 2
        y = frame.baseline
        rects = []
        for position, s in enumerate(series):
            value = _value(s, i, share) or 0.0
            if value <= 0:
                continue
            height = max(1.0, frame.plot_height * value / high)
            y -= height
            rects.append(Rect(round(x, 2), round(y, 2), round(slot - gap, 2), round(height, 2), palette[position]))
        if not rects:
            continue
        one = series[0] if len(series) == 1 else None
        whole = one or coverage.whole(series[0].query_index)
        if one is not None:
            label = _tooltip(coverage, one, i, share)
        else:
            total = coverage.period_total(series[0].query_index, i)
            label = f"{period.label()}: {thousands(total)} artikel"
        columns.append(Column(link(whole, period), label, round(x, 2), round(slot - gap, 2), rects))
    return Plot(
        frame,
        "",
        "",
        columns=columns,
        x_ticks=_x_ticks(coverage, frame, slot),
        y_ticks=[Tick(round(frame.baseline - frame.plot_height * v / high, 2), y_label(v, share)) for v in ticks],
    )


def line_plot(
    coverage: Coverage, series: list[Series], share: bool, frame: Frame, link: LinkOf, top: float | None = None
) -> Plot:
    """A line per series, a point per period (each a link), gaps where a share is undefined."""
    n = len(coverage.periods)
    slot = frame.plot_width / max(n, 1)
    if top is None:
        top = max((_value(s, i, share) or 0.0 for s in series for i in range(n)), default=0.0)
    high, ticks = y_scale(top, share)
    lines = []
    for s in series:
        path: list[str] = []
        points = []
        pen_up = True
        for i, period in enumerate(coverage.periods):
            value = _value(s, i, share)
            if value is None:
                pen_up = True
                continue
            x = round(frame.left + i * slot + slot / 2, 2)
            y = round(frame.baseline - frame.plot_height * value / high, 2)
            path.append(f"{'M' if pen_up else 'L'}{x} {y}")
            pen_up = False
            if s.counts[i] or share:
                points.append(Point(x, y, link(s, period), _tooltip(coverage, s, i, share)))
        lines.append(Line(_css(coverage, s), " ".join(path), points))
    return Plot(
        frame,
        "",
        "",
        lines=lines,
        x_ticks=_x_ticks(coverage, frame, slot),
        y_ticks=[Tick(round(frame.baseline - frame.plot_height * v / high, 2), y_label(v, share)) for v in ticks],
        radius=3.0 if slot >= 6 else 2.0,
    )


# ---------------------------------------------------------------- what a page draws


def describe(coverage: Coverage, share: bool) -> tuple[str, str]:
    """The chart's title and description, for the SVG's <title> and <desc> and its caption."""
    interval = INTERVAL_NAMES["id"].get(coverage.interval, coverage.interval)
    measure = MEASURE_LABELS[share]
    searches = ", ".join(s.label() for s in coverage.series if s.kind == "all") or ", ".join(
        f"“{t.query}”" if t.query else "(saringan saja)" for t in coverage.searches
    )
    title = f"{measure} per {interval}: {searches}"
    if coverage.request.by:
        title += f", dipisah menurut {SPLIT_LABELS[coverage.request.by]}"
    parts = []
    if coverage.periods:
        parts.append(
            f"{len(coverage.periods)} periode, {coverage.periods[0].label()} sampai {coverage.periods[-1].label()}."
        )
    for number, search in enumerate(coverage.searches):
        name = f"“{search.query}”" if search.query else "Saringan"
        said = f"{name}: {thousands(search.dated)} artikel bertanggal"
        peak = coverage.peak(number)
        if peak is not None:
            said += f", puncak {peak[0].label()} ({thousands(peak[1])} artikel)"
        split = [s for s in coverage.series_of(number) if s.kind != "all"]
        if split:
            said += "; " + ", ".join(f"{s.label()} {thousands(s.total)}" for s in split)
        parts.append(said + ".")
    return title, " ".join(parts)


def legend(coverage: Coverage, link: LinkOf) -> list[LegendItem]:
    """One item per series; when several searches are split, one per value (its colour in every
    panel), the totals being in each panel's table."""
    if len(coverage.searches) > 1 and coverage.request.by:
        items: dict[str, LegendItem] = {}
        for s in coverage.series:
            items.setdefault(s.label(), LegendItem(_css(coverage, s), s.label(), "", 0, ""))
        return list(items.values())
    return [
        LegendItem(_css(coverage, s), s.label(), link(s, None), s.total, percent(s.share_total, 2))
        for s in coverage.series
    ]


def build_chart(coverage: Coverage, share: bool, link: LinkOf) -> Chart | None:
    """The chart of a coverage: bars for one search (stacked by value when split; small multiples
    on request), lines for several searches or for the shares of a split, and panels of each
    search's split when several are compared."""
    if not coverage.periods or not coverage.series:
        return None
    title, description = describe(coverage, share)
    searches = len(coverage.searches)
    split = bool(coverage.request.by)
    chart = Chart(kind="bars", share=share, legend=legend(coverage, link))
    if searches > 1 and split:
        chart.kind = "multiples"
        top = _shared_top(coverage, coverage.series, share, stacked=not share)
        for number, search in enumerate(coverage.searches):
            draw = line_plot if share else bar_plot
            plot = draw(coverage, coverage.series_of(number), share, PANEL, link, top)
            heading = f"“{search.query}”" if search.query else "(saringan saja)"
            plot.title, plot.description = f"{title} — {heading}", description
            chart.panels.append((heading, plot))
        return chart
    if split and coverage.request.layout == "multiples":
        chart.kind = "multiples"
        top = _shared_top(coverage, coverage.series, share, stacked=False)
        for s in coverage.series:
            plot = bar_plot(coverage, [s], share, PANEL, link, top)
            plot.title, plot.description = f"{title} — {s.label()}", description
            chart.panels.append((s.label(), plot))
        return chart
    lines = searches > 1 or (split and share)
    chart.kind = "lines" if lines else "bars"
    draw = line_plot if lines else bar_plot
    chart.wide = draw(coverage, coverage.series, share, WIDE, link)
    chart.narrow = draw(coverage, coverage.series, share, NARROW, link)
    for plot in (chart.wide, chart.narrow):
        plot.title, plot.description = title, description
    return chart


def _shared_top(coverage: Coverage, series: list[Series], share: bool, stacked: bool) -> float:
    """One scale for every panel, so that panels compare by height."""
    n = len(coverage.periods)
    if stacked:
        return float(
            max((coverage.period_total(q, i) for q in range(len(coverage.searches)) for i in range(n)), default=0)
        )
    return max(((_value(s, i, share) or 0.0) for s in series for i in range(n)), default=0.0)
