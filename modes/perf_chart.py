"""Perf's chart in SVG coordinates: a pure layout of a ``PerfSummary`` (no Django), so the
template only prints numbers. Connection-table entries over time, one line per instance
(told apart by dash pattern and a word, not colour alone), the capacity as a line, the span
where new tracked flows were dropped as a band, and the time the learner picked as a marker."""

from __future__ import annotations

from dataclasses import dataclass

from .perf import PerfSummary

WIDTH, HEIGHT = 640, 340
LEFT, RIGHT, TOP, BOTTOM = 84, 596, 20, 290  # the plot area
PLOT_HEIGHT = BOTTOM - TOP
MAX_POINTS = 200  # per line: enough for a smooth line, few bytes
DASHES = ("", "10 6", "3 5", "14 4 3 4")  # line n's pattern, named in the legend


@dataclass(frozen=True, slots=True)
class Line:
    instance: str
    points: str  # SVG polyline points
    dash: str


@dataclass(frozen=True, slots=True)
class Band:
    x: int
    width: int
    instance: str


@dataclass(frozen=True, slots=True)
class Tick:
    position: int
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    lines: tuple[Line, ...]
    capacity_y: int
    capacity: int
    bands: tuple[Band, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    marker_x: int
    at: int


def _x(second: int, seconds: int) -> int:
    return LEFT + round((RIGHT - LEFT) * second / max(seconds, 1))


def _y(entries: int, top_value: int) -> int:
    return BOTTOM - round((BOTTOM - TOP) * entries / max(top_value, 1))


def _thousands(value: int) -> str:
    return f"{value // 1000}k" if value >= 1000 and value % 1000 == 0 else f"{value:,}"


def chart(summary: PerfSummary, at: int) -> Chart:
    capacity = max(instance.capacity for instance in summary.instances)
    peak = max(max(instance.live) for instance in summary.instances)
    top_value = max(capacity, peak) * 5 // 4
    seconds = summary.seconds
    every = max(1, len(summary.instances[0].live) // MAX_POINTS)
    lines = tuple(
        Line(
            instance.instance,
            " ".join(f"{_x(s, seconds)},{_y(instance.live[s], top_value)}" for s in range(0, len(instance.live), every)),
            DASHES[n % len(DASHES)],
        )
        for n, instance in enumerate(summary.instances)
    )
    bands = []
    for instance in summary.instances:
        rising = [s for s in range(1, len(instance.exceeded_by)) if instance.exceeded_by[s] > instance.exceeded_by[s - 1]]
        if rising:
            start, end = _x(rising[0] - 1, seconds), _x(rising[-1], seconds)
            bands.append(Band(start, max(end - start, 2), instance.instance))
    return Chart(
        lines=lines,
        capacity_y=_y(capacity, top_value),
        capacity=capacity,
        bands=tuple(bands),
        x_ticks=tuple(Tick(_x(s, seconds), f"{s} s") for s in range(0, seconds + 1, max(1, seconds // 4))),
        y_ticks=tuple(Tick(_y(v, top_value), _thousands(v)) for v in (0, capacity // 2, capacity)),
        marker_x=_x(at, seconds),
        at=at,
    )
