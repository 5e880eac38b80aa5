"""Shared timing for the district benchmarks: interleaved runs, medians, ratios (not a benchmark itself).

The 2-core machine is shared and noisy, so each case runs once per round, the cases taking turns, and the
figures are medians and minima over rounds; a ratio of medians compares two sides measured under the same
load. `make bench` runs this file too: it only defines things and exits.
"""

import statistics
import time
from collections.abc import Callable


def interleaved(cases: dict[str, Callable[[], object]], runs: int, warm: int = 1) -> dict[str, list[float]]:
    """Run every case `warm` times untimed, then `runs` rounds in turn; return each case's seconds."""
    for _ in range(warm):
        for run in cases.values():
            run()
    seconds = {name: [] for name in cases}
    for _ in range(runs):
        for name, run in cases.items():
            started = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - started)
    return seconds


def ms(values: list[float]) -> str:
    """Return 'median ms (min ms)' of a list of seconds."""
    return f"{statistics.median(values) * 1000:8.1f} ms (min {min(values) * 1000:7.1f})"


def ratio(ours: list[float], bare: list[float]) -> float:
    """Return the ratio of the medians, ours over the baseline."""
    return statistics.median(ours) / statistics.median(bare)
