"""The charts dock: pyqtgraph plots of the engine's series, for the selected node or an overview.

Series arrive with each batch as new points only (`series_from` is the index of the first one);
the store appends them and the plots redraw a few times a second, not every frame.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from engine.costs.bill import COST_SERIES, METERS
from engine.model import Document
from gui import theme

pg.setConfigOptions(antialias=True)
TITLE_H, LEGEND_LINE_H = 26, 14   # pixels
LEGEND_LINE_CHARS = 34  # legend characters per line under a chart's title
WINDOW_S = 300.0          # the charts show the last five minutes unless "Whole run" is on
WINDOW_STEP_S = 30.0      # the window slides in steps: a range change rebuilds the axes
MIN_PLOT_H = 110          # pixels of plot under each title and legend: the panel scrolls instead
TICK_STEPS_S = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
TICK_PX = 45              # at least this many pixels between time labels
STYLES = {"solid": Qt.PenStyle.SolidLine, "dash": Qt.PenStyle.DashLine, "dot": Qt.PenStyle.DotLine}


@dataclass(frozen=True)
class Curve:
    node: str
    key: str
    label: str
    colour: int          # index into the theme's chart colours
    style: str = "solid"
    scale: float = 1.0
    overview: bool = True   # False: drawn only when its node is selected


@dataclass(frozen=True)
class Chart:
    title: str
    curves: tuple[Curve, ...]
    y_max: float | None = None


class SeriesStore:
    """Every series point so far: t_s and {node: {name: values}}."""

    def __init__(self) -> None:
        self.t: list[float] = []
        self.data: dict[str, dict[str, list[float]]] = {}
        self.version = 0

    def clear(self) -> None:
        self.t, self.data = [], {}
        self.version += 1

    def extend(self, series_from: int, series: dict[str, Any]) -> None:
        new_t = series.get("t_s") or []
        if not new_t:
            return
        if series_from < len(self.t):  # a point we already have: the run was reset or repeated
            del self.t[series_from:]
            for values in self.data.values():
                for name in values:
                    del values[name][series_from:]
        self.t.extend(new_t)
        for node, values in series.items():
            if node == "t_s" or not isinstance(values, dict):
                continue
            mine = self.data.setdefault(node, {})
            for name, points in values.items():
                mine.setdefault(name, []).extend(points)
        self.version += 1

    def values(self, node: str, key: str) -> list[float]:
        return self.data.get(node, {}).get(key, [])

    def truncate(self, t_max: float) -> None:
        """Keep the points at or before t_max (what a fork leaves of a future)."""
        n = sum(1 for t in self.t if t <= t_max)
        del self.t[n:]
        for values in self.data.values():
            for name in values:
                del values[name][n:]
        self.version += 1


def chart_specs(doc: Document) -> list[Chart]:
    """The overview's charts; a node's name is in a curve's label only when several nodes share a chart."""
    def of(kind: str) -> list:
        return [n for n in doc.nodes.values() if n.kind == kind]
    clients, groups, singles, queues = of("client"), of("auto_scaling_group"), of("ec2_instance"), of("sqs_queue")
    latency, rps, count, cpu, depth = [], [], [], [], []
    http = {e.source for e in doc.edges.values() if doc.nodes[e.target].kind == "load_balancer"}
    for i, c in enumerate(c for c in clients if c.id in http):  # publishers have no latency or HTTP errors
        k = 5 * i
        latency += [(c.name, Curve(c.id, f"latency_{p}_s", p, colour + k, "solid", 1000.0))
                    for p, colour in (("p50", 0), ("p95", 3), ("p99", 4))]
        rps += [(c.name, Curve(c.id, "sent_rps", "sent", k)), (c.name, Curve(c.id, "errors_rps", "errors", 1 + k))]
    for i, g in enumerate(groups):
        count += [(g.name, Curve(g.id, "in_service", "in service", 2 + 3 * i)),
                  (g.name, Curve(g.id, "desired", "desired", 3 + 3 * i, "dash"))]
        cpu.append((g.name, Curve(g.id, "cpu_utilization", "", 3 + 3 * i)))
    cpu += [(s.name, Curve(s.id, "cpu_utilization", "", 4 + i)) for i, s in enumerate(singles)]
    for i, q in enumerate(queues):
        depth += [(q.name, Curve(q.id, "visible", "visible", 5 + 2 * i)),
                  (q.name, Curve(q.id, "in_flight", "in flight", 4 + 2 * i, "dash"))]
    charts = [Chart("Latency at the clients (ms)", _labelled(latency)), Chart("Requests per second", _labelled(rps)),
              Chart("Instances", _labelled(count)), Chart("CPU (%)", _labelled(cpu), 100.0),
              Chart("Queue depth", _labelled(depth)), _cost_chart(doc)]
    return [c for c in charts if c.curves]


def _cost_chart(doc: Document) -> Chart:
    """What the run has cost so far, in cents: the total, and each billed node (its own chart when selected)."""
    billed = [n for n in doc.nodes.values() if n.kind in METERS]
    curves = [("Total", Curve(COST_SERIES, "total_usd", "", 0, "solid", 100.0))]
    curves += [(n.name, Curve(n.id, "cost_usd", "", 1 + i, "dash", 100.0, overview=False)) for i, n in enumerate(billed)]
    return Chart("Cost so far (US cents)", _labelled(curves) if billed else ())


def _labelled(named: list[tuple[str, Curve]]) -> tuple[Curve, ...]:
    """Prefix each label with its node's name when the chart shows more than one node."""
    several = len({name for name, _ in named}) > 1
    return tuple(Curve(c.node, c.key, f"{name} {c.label}".strip() if several or not c.label else c.label,
                       c.colour, c.style, c.scale, c.overview) for name, c in named)


def _legend_html(chart: Chart, t: theme.Theme) -> str:
    """The legend as a line under the title: it never covers a curve, whatever the plot's size."""
    if len(chart.curves) < 2:
        return ""
    marks = {"solid": "━━", "dash": "╍╍", "dot": "┅┅"}
    lines: list[list[str]] = [[]]
    used = 0
    for c in chart.curves:   # a label item does not wrap: break the lines by hand
        if lines[-1] and used + len(c.label) + 4 > LEGEND_LINE_CHARS:
            lines.append([])
            used = 0
        used += len(c.label) + 4
        lines[-1].append(f"<span style='color:{t.chart_lines[c.colour % len(t.chart_lines)]}'>{marks[c.style]}</span>"
                         f"&nbsp;<span style='color:{t.muted}'>{c.label}</span>")
    body = "<br>".join("&nbsp;&nbsp; ".join(items) for items in lines)
    return f"<br><span style='font-size:8pt'>{body}</span>"


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 5, 7.5 x 10^k at or above value (at least 1)."""
    if value <= 1.0:
        return 1.0
    exp = 10 ** np.floor(np.log10(value))
    return float(next(m * exp for m in (1, 1.5, 2, 3, 5, 7.5, 10) if m * exp >= value))


def tick_step(span_s: float, size_px: float) -> float:
    """The shortest of the round time steps (10 s, 30 s, 1 min, 5 min ...) that leaves TICK_PX per label."""
    most = max(1.0, size_px / TICK_PX)
    return float(next((s for s in TICK_STEPS_S if span_s / s <= most), TICK_STEPS_S[-1]))


def clock_text(t: float) -> str:
    """m:ss, or h:mm:ss from an hour on."""
    t = int(round(t))
    return f"{t // 3600}:{t // 60 % 60:02d}:{t % 60:02d}" if t >= 3600 else f"{t // 60}:{t % 60:02d}"


def x_range(t_last: float, duration_s: float, whole_run: bool) -> tuple[float, float]:
    """The time the charts show: the last WINDOW_S (stepping) or the whole run."""
    if whole_run:
        end = duration_s if t_last <= duration_s else nice_ceiling(t_last * 1.2)
        return 0.0, end
    end = max(WINDOW_S, np.ceil(t_last / WINDOW_STEP_S) * WINDOW_STEP_S)
    return end - WINDOW_S, end


class TimeAxis(pg.AxisItem):
    """Time labels on round steps (30 s, 1 min, 5 min ...) that never crowd."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        step = tick_step(maxVal - minVal, size)
        return [(step, 0.0)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [clock_text(v) for v in values]


class ChartsPanel(QWidget):
    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.store = SeriesStore()
        self.ghost = SeriesStore()   # after a jump back: the future already played, drawn faded
        self.specs = chart_specs(doc)
        self.selected = ""
        self._drawn: dict[int, tuple] = {}   # plot index -> versions of the store and ghost drawn
        self._ranges: dict[int, tuple[float, float]] = {}
        self._next = 0
        self._plots: list[tuple[pg.PlotItem, Chart, list[tuple[Curve, pg.PlotDataItem, pg.PlotDataItem]]]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 8)
        self.heading = QLabel("Overview")
        self.heading.setFont(theme.ui_font(11, bold=True))
        self.whole_run = QCheckBox("Whole run")
        self.whole_run.setToolTip(f"Show the whole run instead of the last {WINDOW_S / 60:.0f} minutes")
        self.whole_run.toggled.connect(self._rescale)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.whole_run)
        layout.addLayout(top)
        self.graphs = pg.GraphicsLayoutWidget()
        self.scroll = QScrollArea()          # many charts scroll rather than squeeze each plot flat
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.graphs)
        layout.addWidget(self.scroll, 1)
        self._build()

    def _rescale(self) -> None:
        self._drawn, self._ranges = {}, {}
        self.refresh()

    def set_document(self, doc: Document) -> None:
        """The document's nodes changed (added, removed, renamed): new charts, same series store."""
        self.doc = doc
        self.specs = chart_specs(doc)
        self._build()

    def set_selected(self, node_id: str) -> None:
        if node_id != self.selected:
            self.selected = node_id
            self._build()

    def _visible_specs(self) -> list[Chart]:
        if self.selected:
            mine = [Chart(c.title, tuple(v for v in c.curves if v.node == self.selected), c.y_max) for c in self.specs]
            mine = [c for c in mine if c.curves]
            if mine:
                return mine
        overview = [Chart(c.title, tuple(v for v in c.curves if v.overview), c.y_max) for c in self.specs]
        return [c for c in overview if c.curves]

    def _build(self) -> None:
        t = theme.current()
        self.graphs.clear()
        self.graphs.setBackground(t.surface)
        specs = self._visible_specs()
        node = self.doc.nodes.get(self.selected)
        focused = node is not None and any(v.node == self.selected for c in specs for v in c.curves)
        self.heading.setText(node.name if focused else "Overview")
        self._plots = []
        for row, chart in enumerate(specs):
            plot, curves = self._make_plot(row, chart, t)
            self._plots.append((plot, chart, curves))
        self.graphs.setMinimumHeight(sum(int(p.layout.rowMaximumHeight(0)) + MIN_PLOT_H for p, _, _ in self._plots))
        self._drawn, self._ranges = {}, {}
        self.refresh()

    def _make_plot(self, row: int, chart: Chart, t: theme.Theme) -> tuple[pg.PlotItem, list]:
        plot = self.graphs.addPlot(row=row, col=0, axisItems={"bottom": TimeAxis("bottom")})
        legend = _legend_html(chart, t)
        plot.setTitle(f"<span style='color:{t.text}; font-size:11pt; font-weight:600'>{chart.title}</span>" + legend)
        height = TITLE_H + LEGEND_LINE_H * legend.count("<br>")   # pyqtgraph fixes the title row at 30 px
        plot.titleLabel.setMaximumHeight(height)
        plot.layout.setRowFixedHeight(0, height)
        plot.showGrid(x=False, y=True, alpha=0.18)
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(t.border))
            axis.setTextPen(pg.mkPen(t.muted))
            axis.setStyle(tickFont=theme.ui_font(9))
        plot.getAxis("left").setWidth(44)
        plot.disableAutoRange()
        plot.setYRange(0, chart.y_max or 1.0, padding=0.02 if chart.y_max else 0)
        curves = []
        plot.empty_note = pg.TextItem("No data yet: press Play", color=t.muted, anchor=(0.5, 0.5))
        plot.empty_note.setFont(theme.ui_font(9))
        plot.addItem(plot.empty_note, ignoreBounds=True)
        for curve in chart.curves:
            colour = t.chart_lines[curve.colour % len(t.chart_lines)]
            faded = pg.mkColor(colour)
            faded.setAlphaF(0.3)
            ghost = plot.plot([], [], pen=pg.mkPen(faded, width=2.2, style=STYLES[curve.style]))
            pen = pg.mkPen(colour, width=2.2, style=STYLES[curve.style])
            item = plot.plot([], [], pen=pen, name=curve.label)
            for line in (ghost, item):
                line.setDownsampling(auto=True, method="peak")   # a point per pixel column is enough
                line.setClipToView(True)
            curves.append((curve, item, ghost))
        return plot, curves

    def extend(self, series_from: int, series: dict[str, Any]) -> None:
        self.store.extend(series_from, series)

    def clear(self, keep_future: bool = False) -> None:
        """Forget the series (a restart); after a jump back, what was played stays, faded."""
        if keep_future:
            if len(self.store.t) >= len(self.ghost.t):
                self.ghost = self.store
        else:
            self.ghost = SeriesStore()
        self.store = SeriesStore()
        self.refresh()

    def forget_future_after(self, t: float) -> None:
        """A fork at t: the faded future after it will not happen."""
        self.ghost.truncate(t)
        self._drawn.clear()

    def refresh(self) -> None:
        """Redraw every plot that has new points (screenshots, a new selection)."""
        for index in range(len(self._plots)):
            self._draw(index)

    def refresh_one(self) -> None:
        """Redraw the next plot that has new points. A plot repaint costs several milliseconds of
        the GUI thread, so the live view spreads them over frames instead of one long stall."""
        for _ in range(len(self._plots)):
            index = self._next % len(self._plots)
            self._next += 1
            if self._draw(index):
                return

    def _draw(self, index: int) -> bool:
        plot, chart, curves = self._plots[index]
        version = (self.store.version, self.ghost.version, id(self.ghost))
        if self._drawn.get(index) == version:
            return False
        self._drawn[index] = version
        t = self.store.t
        x_start, x_end = x_range(t[-1] if t else 0.0, self.doc.duration_s, self.whole_run.isChecked())
        top, empty = 0.0, True
        for curve, item, ghost in curves:
            top = max(top, _draw_curve(item, self.store, curve, x_start), _draw_curve(ghost, self.ghost, curve, x_start))
            empty = empty and not self.store.values(curve.node, curve.key) and not self.ghost.values(curve.node, curve.key)
        # Ranges move in coarse steps: a range change makes pyqtgraph rebuild its axes in Python,
        # which is what makes a chart repaint expensive while the engine thread holds the GIL.
        y_top = chart.y_max or nice_ceiling(top * 1.05)
        if (y_top, x_start, x_end, empty) != self._ranges.get(index):
            self._ranges[index] = (y_top, x_start, x_end, empty)
            plot.setYRange(0, y_top, padding=0.02)
            plot.setXRange(x_start, x_end, padding=0.01)
            for name in ("left", "bottom"):     # an empty chart shows a note, not a made-up scale
                plot.showAxis(name, not empty)
            plot.empty_note.setVisible(empty)
            plot.empty_note.setPos((x_start + x_end) / 2, y_top / 2)
        return True

    def ghost_times(self) -> list[float]:
        return self.ghost.t

    def apply_theme(self) -> None:
        self._build()


def _draw_curve(item: pg.PlotDataItem, store: SeriesStore, curve: Curve, shown_from: float = 0.0) -> float:
    """Give item the curve's points from store; returns the highest value from `shown_from` on (0 for none)."""
    t = np.asarray(store.t, np.float64)
    values = store.values(curve.node, curve.key)
    n = min(len(values), len(t))
    y = np.asarray(values[:n], np.float64) * curve.scale
    if curve.key.startswith("latency"):
        y[y <= 0] = np.nan    # no request finished in that interval: a gap, not 0 ms
    item.setData(t[:n], y, connect="finite")
    shown = y[t[:n] >= shown_from]
    return float(np.nanmax(shown)) if np.isfinite(shown).any() else 0.0
