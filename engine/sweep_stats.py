"""Summaries of sweep rows shared by the plot and the app: means over seeds, the Pareto front."""
from __future__ import annotations

from typing import Any, Sequence


def mean_by_variant(rows: list[dict[str, Any]], paths: list[str],
                    columns: Sequence[str]) -> dict[tuple, dict[str, float]]:
    """(values of the --vary, as text) -> the mean of each column over that variant's seeds.
    Failed runs are left out; a variant whose runs all failed is absent."""
    columns = tuple(dict.fromkeys(columns))   # a column named twice is summed once
    sums: dict[tuple, list] = {}
    for row in rows:
        if row.get("error"):
            continue
        key = tuple(str(row[p]) for p in paths)
        entry = sums.setdefault(key, [0, {c: 0.0 for c in columns}])
        entry[0] += 1
        for c in columns:
            entry[1][c] += float(row[c])
    return {key: {c: total / n for c, total in values.items()} for key, (n, values) in sums.items()}


def pareto_front(points: list[tuple[float, float, Any]]) -> list[tuple[float, float, Any]]:
    """The points (cost, latency, label) no other point beats on both: cheapest first, each one
    faster than every cheaper one."""
    front: list[tuple[float, float, Any]] = []
    for cost, latency, label in sorted(points, key=lambda p: (p[0], p[1])):
        if not front or latency < front[-1][1]:
            front.append((cost, latency, label))
    return front
