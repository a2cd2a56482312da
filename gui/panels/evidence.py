"""A scaling activity's evidence on the charts: the periods whose datapoints decided it, shaded on the
plot of its metric, each datapoint marked, and the policy's target (or threshold) as a line."""
from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt

from gui import theme


def show_on_charts(charts: Any, activity: dict[str, Any]) -> list[Any]:
    """Mark the evidence on the plot of the activity's node and metric; returns the items added
    (empty if the activity has no datapoints or no chart shows that metric)."""
    clear(charts)
    ev = activity.get("evidence") or {}
    if "datapoints" not in ev:
        return []
    plot = _plot_of(charts, activity.get("node", ""), ev.get("metric"))
    if plot is None:
        return []
    t = theme.current()
    items: list[Any] = []
    breaching = ev["datapoints"][-ev["breaching"]:] if ev.get("breaching") else []
    shade = pg.mkColor(t.warning)
    shade.setAlphaF(0.22)
    for a, b, _ in breaching:
        region = pg.LinearRegionItem((a, b), movable=False, brush=pg.mkBrush(shade), pen=pg.mkPen(None))
        items.append(region)
    if ev.get("threshold") is not None:
        line = pg.InfiniteLine(pos=ev["threshold"], angle=0, movable=False,
                               pen=pg.mkPen(t.unhealthy, width=1.6, style=Qt.PenStyle.DashLine),
                               label=f"target {ev['threshold']:g}", labelOpts={"position": 0.9, "color": t.unhealthy, "anchors": [(1, 1), (1, 1)]})
        items.append(line)
    points = [(b, v) for a, b, v in ev["datapoints"] if v is not None]
    brushes = [pg.mkBrush(t.unhealthy if [a, b, v] in breaching else t.muted) for a, b, v in ev["datapoints"]
               if v is not None]
    scatter = pg.ScatterPlotItem([p[0] for p in points], [p[1] for p in points], size=9, brush=brushes,
                                 pen=pg.mkPen(t.text, width=0.8))
    items.append(scatter)
    for item in items:
        plot.addItem(item)
    if points:
        top = max(v for _, v in points)
        low, high = plot.viewRange()[1]
        if top > high:
            plot.setYRange(low, top * 1.1, padding=0)
    charts._evidence_items = [(plot, item) for item in items]
    return items


def clear(charts: Any) -> None:
    for plot, item in getattr(charts, "_evidence_items", []):
        plot.removeItem(item)
    charts._evidence_items = []


def _plot_of(charts: Any, node: str, metric: str | None) -> Any:
    for plot, chart, curves in charts._plots:
        if any(curve.node == node and curve.key == metric for curve, _, _ in curves):
            return plot
    return None
