"""`flowdeck sweep --plot`: a heatmap of a metric over two varied props (one panel per value of any
further --vary, e.g. per traffic level) and the cost vs p99 latency Pareto front, drawn with
matplotlib's headless Agg backend. Values are the means over seeds; failed runs are left out."""
from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")   # headless: no display, no Qt
import matplotlib.pyplot as plt  # noqa: E402

from engine.sweep_stats import mean_by_variant, pareto_front  # noqa: E402


def plot(rows: list[dict[str, Any]], paths: list[str], metric: str, out: str) -> None:
    means = mean_by_variant(rows, paths, (metric, "cost_usd", "latency_p99_s"))
    panels = _panels(means, paths)
    fig, axes = plt.subplots(1, len(panels) + 1, figsize=(5.2 * (len(panels) + 1), 4.6), squeeze=False)
    for ax, (title, cells) in zip(axes[0], panels):
        _heatmap(fig, ax, cells, paths, metric, title)
    _pareto(axes[0][-1], means, paths)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def _panels(means: dict[tuple, dict], paths: list[str]) -> list[tuple[str, dict[tuple, float]]]:
    """One heatmap per combination of the --vary after the first two."""
    groups: dict[tuple, dict[tuple, dict]] = {}
    for key, values in means.items():
        groups.setdefault(key[2:], {})[key[:2]] = values
    titles = []
    for rest, cells in groups.items():
        title = ", ".join(f"{p} = {v}" for p, v in zip(paths[2:], rest))
        titles.append((title, cells))
    return titles


def _axis_values(cells: dict[tuple, Any], i: int) -> list[str]:
    seen: list[str] = []
    for key in cells:
        if i < len(key) and key[i] not in seen:
            seen.append(key[i])
    return seen or [""]


def _heatmap(fig: Any, ax: Any, cells: dict[tuple, dict], paths: list[str], metric: str, title: str) -> None:
    xs, ys = _axis_values(cells, 0), _axis_values(cells, 1)
    grid = [[cells.get((x, y) if len(paths) > 1 else (x,), {}).get(metric, float("nan")) for x in xs] for y in ys]
    image = ax.imshow(grid, cmap="viridis_r", aspect="auto", origin="lower")
    low, high = image.get_clim()
    ax.set_xticks(range(len(xs)), xs)
    ax.set_yticks(range(len(ys)), ys)
    ax.set_xlabel(paths[0])
    ax.set_ylabel(paths[1] if len(paths) > 1 else "")
    for j, row in enumerate(grid):
        for i, value in enumerate(row):
            if value == value:   # not NaN
                dark_cell = high > low and (value - low) / (high - low) > 0.5   # viridis_r: high is dark
                ax.text(i, j, f"{value:.3g}", ha="center", va="center", fontsize=9, fontweight="bold",
                        color="white" if dark_cell else "black")
    ax.set_title(f"{metric}" + (f"\n{title}" if title else ""), fontsize=10)
    fig.colorbar(image, ax=ax, shrink=0.85)


def _pareto(ax: Any, means: dict[tuple, dict], paths: list[str]) -> None:
    points = [(v["cost_usd"], v["latency_p99_s"], key) for key, v in means.items()]
    front = pareto_front(points)
    ax.scatter([p[0] for p in points], [p[1] for p in points], color="#9aa5b1", label="variant", zorder=2)
    ax.plot([p[0] for p in front], [p[1] for p in front], "-o", color="#d9480f", label="Pareto front", zorder=3)
    for cost, p99, key in front:
        ax.annotate(", ".join(map(str, key)), (cost, p99), textcoords="offset points", xytext=(5, 5), fontsize=8)
    ax.set_xlabel("cost (USD per run)")
    ax.set_ylabel("p99 latency (s)")
    ax.set_title("Cost vs p99 latency\n(" + ", ".join(paths) + ")", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
