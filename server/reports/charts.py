"""Charts drawn on the server as SVG geometry (no chart library, no script): bar lengths and the trend.

The templates draw what these return; every chart sits beside (or inside) a table that gives the same figures
as text and links, so the SVG itself is decoration for sighted readers (aria-hidden).
"""

from dataclasses import dataclass

# The trend's drawing, in SVG user units (the SVG scales to its box).
TREND_WIDTH, TREND_HEIGHT, TREND_GAP = 600, 160, 4


def bar_length(value: int, largest: int, full: float = 100.0) -> float:
    """Return a bar's length for `value` when `largest` fills `full` (0 for an empty chart)."""
    return round(full * value / largest, 1) if largest else 0.0


@dataclass(frozen=True)
class Bar:
    """One bar of the trend: where it starts across, how tall it is."""

    x: float
    height: float
    y: float


def trend_bars(weeks) -> tuple[list[tuple[Bar, Bar]], float]:
    """Return for each week its pair of bars (found, closed) and the bars' width."""
    largest = max([max(w.found.value, w.closed.value) for w in weeks] + [0])
    slot = TREND_WIDTH / max(len(weeks), 1)
    width = (slot - 3 * TREND_GAP) / 2
    pairs = []
    for i, week in enumerate(weeks):
        left = i * slot + TREND_GAP
        found = bar_length(week.found.value, largest, TREND_HEIGHT)
        closed = bar_length(week.closed.value, largest, TREND_HEIGHT)
        pairs.append((Bar(left, found, TREND_HEIGHT - found),
                      Bar(left + width + TREND_GAP, closed, TREND_HEIGHT - closed)))
    return pairs, round(width, 1)
