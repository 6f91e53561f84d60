"""Small server-rendered SVG charts for the solve pages (no JavaScript library):
the objective and bound of a running solve over time, and a bar histogram."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    objective: str  # "x,y x,y ..." for <polyline points>
    bound: str
    last_x: float
    last_y: float
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)


def _nice_step(span: float, steps: int = 4) -> float:
    if span <= 0:
        return 1.0
    raw = span / steps
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1.0
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw:
            return step
    return raw


def _positive(value: Any) -> float | None:
    return None if value is None or float(value) < 0 else float(value)


def _fmt(value: float) -> str:
    return f"{value:g}" if abs(value) < 10_000 else f"{value / 1000:g}k"


def _value_axis(y_min: float, y_max: float) -> tuple[float, float, float]:
    """(low, high, step) of a value axis with round ticks that holds every value; from
    zero unless the values stay in the upper half."""
    if y_min <= y_max * 0.5:
        y_min = 0.0
    if y_max - y_min < 1:
        y_min, y_max = max(0.0, y_min - 1), y_max + 1
    step = _nice_step(y_max - y_min)
    y_lo = step * (y_min // step)
    y_hi = y_lo + step * (((y_max - y_lo) // step) + (1 if (y_max - y_lo) % step else 0))
    return y_lo, max(y_hi, y_lo + step), step


def progress_chart(
    points: list[dict[str, Any]],
    *,
    key: str = "objective",
    bound_key: str = "bound",
    t_end: float | None = None,
    width: int = 480,
    height: int = 180,
) -> LineChart | None:
    """One figure of a solve (by default the scheduled weight) and its bound over the
    elapsed seconds, as step lines; ``t_end`` stretches the time axis to the run's end."""
    data = [
        (float(p["t"]), p.get(key), _positive(p.get(bound_key)))
        for p in points
        if p.get(key) is not None
    ]
    if len(data) < 2:
        return None  # one point is no progress to show
    left, right, top, bottom = 48, 12, 10, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    t_max = max(max(t for t, _, _ in data), t_end or 0.0, 1.0)
    values = [float(v) for _, o, b in data for v in (o, b) if v is not None]
    y_lo, y_hi, step = _value_axis(min(values), max(values))

    def x(t: float) -> float:
        return round(left + plot_w * t / t_max, 1)

    def y(v: float) -> float:
        return round(top + plot_h * (1 - (v - y_lo) / (y_hi - y_lo)), 1)

    def line(series: list[tuple[float, float]]) -> str:
        if not series:
            return ""
        out = []
        prev: float | None = None
        for t, v in series:
            if prev is not None:  # step line: the value holds until the next point
                out.append(f"{x(t)},{y(prev)}")
            out.append(f"{x(t)},{y(v)}")
            prev = v
        out.append(f"{x(t_max)},{y(series[-1][1])}")
        return " ".join(out)

    objective = [(t, float(o)) for t, o, _ in data if o is not None]
    bound = [(t, float(b)) for t, _, b in data if b is not None]
    y_ticks = []
    v = y_lo
    while v <= y_hi + 1e-9:
        y_ticks.append(Tick(y(v), _fmt(v)))
        v += step
    t_step = _nice_step(t_max)
    x_ticks = []
    t = 0.0
    while t <= t_max + 1e-9:
        x_ticks.append(Tick(x(t), f"{_fmt(t)}s"))
        t += t_step
    return LineChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        objective=line(objective),
        bound=line(bound),
        last_x=x(t_max),
        last_y=y(objective[-1][1]),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    label: str
    value: int


@dataclass
class BarChart:
    width: int
    height: int
    baseline: float
    bars: list[Bar]
    max_value: int


def histogram(pairs: list[tuple[int, int]], *, width: int = 600, height: int = 180) -> BarChart:
    """Bars for (meetings, organisations) pairs, with empty bins filled in."""
    counts = dict(pairs)
    hi = max(counts) if counts else 0
    bins = list(range(0, hi + 1))
    top, bottom, side = 18, 24, 8
    plot_h = height - top - bottom
    max_value = max(counts.values()) if counts else 0
    slot = (width - 2 * side) / max(1, len(bins))
    bars = []
    for i, b in enumerate(bins):
        value = counts.get(b, 0)
        h = round(plot_h * value / max_value, 1) if max_value else 0.0
        bars.append(
            Bar(
                x=round(side + i * slot + slot * 0.1, 1),
                y=round(top + plot_h - h, 1),
                w=round(slot * 0.8, 1),
                h=h,
                label=str(b),
                value=value,
            )
        )
    return BarChart(
        width=width, height=height, baseline=top + plot_h, bars=bars, max_value=max_value
    )


def heat_colour(share: float) -> str:
    """White (empty) to the brand green (every table used)."""
    share = min(1.0, max(0.0, share))
    start, end = (0xF4, 0xF7, 0xF6), (0x0B, 0x6E, 0x4F)
    rgb = [round(a + (b - a) * share) for a, b in zip(start, end, strict=True)]
    return "#" + "".join(f"{c:02x}" for c in rgb)
