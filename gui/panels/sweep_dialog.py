"""Run > Sweep...: choose one or two props of the document and their values, run the sweep in the
background on a local Dask cluster, and see the heatmap of p99 latency and the cost vs p99 Pareto
front as runs finish; clicking a heatmap cell opens that variant as a new (untitled) document."""
from __future__ import annotations

import math
import os
from typing import Any, Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from engine import fileio, registry, sweep
from engine.model import Document
from engine.sweep_stats import mean_by_variant, pareto_front
from gui import theme
from gui.run.sweep_job import SweepJob

NUMERIC = (registry.INT, registry.FLOAT)
METRIC = "latency_p99_s"
POLL_MS = 200


def sweepable(doc: Document) -> list[tuple[str, str]]:
    """(path, label) of every numeric prop the sweep can vary: node props and group templates."""
    out = []
    for node in doc.nodes.values():
        spec = registry.KINDS[node.kind]
        out += [(f"{node.id}.{p.name}", f"{node.name} · {p.name}") for p in spec.props if p.type in NUMERIC]
        if node.kind == "auto_scaling_group":
            out += [(f"{node.id}.instance.{p.name}", f"{node.name} · instance.{p.name}")
                    for p in registry.KINDS["ec2_instance"].props if p.type in NUMERIC]
    return out


def preferred(doc: Document, choices: list[tuple[str, str]]) -> tuple[int, int]:
    """The two rows to start with: a group's max_size and a client's rate (capacity against traffic),
    else the first two props."""
    paths = [p for p, _ in choices]
    wanted = [f"{n.id}.max_size" for n in doc.nodes.values() if n.kind == "auto_scaling_group"][:1]
    wanted += [f"{n.id}.rate_rps" for n in doc.nodes.values() if n.kind == "client"][:1]
    found = [paths.index(p) for p in wanted if p in paths] + [0, 1]
    first = found[0]
    return first, next((i for i in found[1:] if i != first), min(1, len(paths) - 1))


def default_values(doc: Document, path: str) -> str:
    """The current value, its double and its quadruple (whole numbers for whole-number props)."""
    node_id, _, rest = path.partition(".")
    node = doc.nodes[node_id]
    if rest.startswith("instance."):
        name = rest.split(".", 1)[1]
        spec = registry.KINDS["ec2_instance"].prop(name)
        value = (node.prop("instance") or {}).get(name, spec.default)
    else:
        spec = registry.KINDS[node.kind].prop(rest)
        value = node.prop(rest)
    value = value if isinstance(value, (int, float)) and value else 1
    top = spec.max if spec.max is not None else math.inf
    values = sorted({min(top, value * k) for k in (1, 2, 4)})
    return ",".join(f"{int(v)}" if spec.type == registry.INT else f"{v:g}" for v in values)


class VaryRow(QWidget):
    def __init__(self, doc: Document, choices: list[tuple[str, str]], index: int) -> None:
        super().__init__()
        self.doc = doc
        self.prop = QComboBox()
        for path, label in choices:
            self.prop.addItem(label, path)
        self.prop.setCurrentIndex(min(index, self.prop.count() - 1))
        self.values = QLineEdit()
        self.values.setPlaceholderText("values, separated by commas")
        self.prop.currentIndexChanged.connect(self._fill)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.prop, 2)
        row.addWidget(self.values, 1)
        self._fill()

    def _fill(self) -> None:
        if self.prop.currentData():
            self.values.setText(default_values(self.doc, self.prop.currentData()))

    def vary_text(self) -> str:
        return f"{self.prop.currentData()}={self.values.text()}"


class SweepDialog(QDialog):
    def __init__(self, doc: Document, open_document: Callable[[Document], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sweep")
        self.resize(980, 640)
        self.doc = doc.copy()
        self.open_document = open_document
        self.job: SweepJob | None = None
        self.variants: list[sweep.Variant] = []
        self.paths: list[str] = []
        self.rows: dict[int, dict] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        layout = QVBoxLayout(self)
        layout.addLayout(self._form())
        self.graphs = pg.GraphicsLayoutWidget()
        layout.addWidget(self.graphs, 1)
        self._make_plots()

    # -- the form ---------------------------------------------------------------------------------
    def _form(self) -> QFormLayout:
        form = QFormLayout()
        choices = sweepable(self.doc)
        first, second = preferred(self.doc, choices)
        self.first = VaryRow(self.doc, choices, first)
        self.second = VaryRow(self.doc, choices, second)
        self.use_second = QCheckBox("and")
        self.use_second.setChecked(True)
        self.second.setEnabled(True)
        self.use_second.toggled.connect(self.second.setEnabled)
        form.addRow("Vary", self.first)
        form.addRow(self.use_second, self.second)
        self.seeds = QSpinBox()
        self.seeds.setRange(1, 100)
        self.duration = QDoubleSpinBox()
        self.duration.setRange(1, fileio.MAX_DURATION_S)
        self.duration.setDecimals(0)
        self.duration.setSuffix(" s")
        self.duration.setValue(self.doc.duration_s)
        self.workers = QSpinBox()
        self.workers.setRange(1, 256)
        self.workers.setValue(os.cpu_count() or 1)
        runs = QHBoxLayout()
        for label, box in (("Seeds", self.seeds), ("Duration", self.duration), ("Workers", self.workers)):
            runs.addWidget(QLabel(label))
            runs.addWidget(box)
        self.run_button = QPushButton("Run sweep")
        self.run_button.clicked.connect(self.toggle)
        runs.addStretch(1)
        runs.addWidget(self.run_button)
        form.addRow("Runs", runs)
        self.progress = QProgressBar()
        self.status = QLabel("Choose what to vary, then run. Click a cell of the heatmap to open that variant.")
        form.addRow(self.progress)
        form.addRow(self.status)
        return form

    @Slot()
    def toggle(self) -> None:
        if self.job is not None and self.job.running():
            self.status.setText("Stopping: the runs in progress finish first...")
            self.job.stop()
            return
        self.start()

    def start(self) -> bool:
        try:
            varies = [sweep.parse_vary(self.first.vary_text())]
            if self.use_second.isChecked():
                if self.second.prop.currentData() == self.first.prop.currentData():
                    raise sweep.SweepError("Choose two different props, or untick 'and' to vary one")
                varies.append(sweep.parse_vary(self.second.vary_text()))
            self.variants = sweep.variants(self.doc, self.doc.title, varies, self.seeds.value(), self.duration.value())
        except (sweep.SweepError, fileio.LoadError) as e:
            self.status.setText(str(e))
            return False
        self.paths, self.rows = [v.path for v in varies], {}
        self.progress.setRange(0, len(self.variants))
        self.progress.setValue(0)
        self.job = SweepJob(self.variants, workers=self.workers.value())
        self.job.start()
        self._timer.start()
        self.run_button.setText("Stop")
        self.status.setText(f"Starting {self.workers.value()} workers for {len(self.variants)} runs...")
        self._draw()
        return True

    @Slot()
    def _poll(self) -> None:
        for item in self.job.take() if self.job else []:
            if item[0] == "row":
                self.rows[item[1]] = self._row(self.variants[item[1]], item[2])
                self.progress.setValue(len(self.rows))
                self.status.setText(f"{len(self.rows)} of {len(self.variants)} runs done")
            elif item[0] == "error":
                self.status.setText(item[1])
            else:
                self._finished()
        self._draw()

    def _finished(self) -> None:
        self._timer.stop()
        self.run_button.setText("Run sweep")
        failed = sum(1 for r in self.rows.values() if r["error"])
        if self.rows:
            self.status.setText(f"{len(self.rows)} of {len(self.variants)} runs done"
                                + (f", {failed} failed" if failed else "") + ". Click a cell to open that variant.")

    def _row(self, variant: sweep.Variant, result: dict) -> dict:
        row = {p: str(v) for p, v in zip(self.paths, variant.values)}
        return {**row, "seed": variant.seed, **result}

    # -- the plots --------------------------------------------------------------------------------
    def _make_plots(self) -> None:
        t = theme.current()
        self.graphs.setBackground(t.surface)
        self.heat = self.graphs.addPlot(row=0, col=0, title="p99 latency (s), mean over seeds")
        self.pareto = self.graphs.addPlot(row=0, col=1, title="Cost vs p99 latency: the Pareto front")
        self.pareto.setLabel("bottom", "cost per run (USD)")
        self.pareto.setLabel("left", "p99 latency (s)")
        for plot in (self.heat, self.pareto):
            plot.setMenuEnabled(False)
            plot.hideButtons()
        self.heat.scene().sigMouseClicked.connect(self._clicked)
        self.cells: dict[tuple[int, int], tuple] = {}

    def _axes(self) -> tuple[list[str], list[str]]:
        xs = list(dict.fromkeys(str(v.values[0]) for v in self.variants))
        ys = list(dict.fromkeys(str(v.values[1]) for v in self.variants)) if len(self.paths) > 1 else [""]
        return xs, ys

    def _draw(self) -> None:
        self.heat.clear()
        self.pareto.clear()
        if not self.variants:
            return
        means = mean_by_variant(list(self.rows.values()), self.paths, (METRIC, "cost_usd"))
        xs, ys = self._axes()
        grid = np.full((len(xs), len(ys)), np.nan)
        self.cells = {}
        for key, values in means.items():
            ix, iy = xs.index(key[0]), ys.index(key[1]) if len(key) > 1 else 0
            grid[ix, iy] = values[METRIC]
            self.cells[(ix, iy)] = key
        self._heatmap(grid, xs, ys)
        self._front(means)

    def _heatmap(self, grid: np.ndarray, xs: list[str], ys: list[str]) -> None:
        finite = grid[np.isfinite(grid)]
        self._axis_ticks(xs, ys)
        if not finite.size:
            return   # nothing finished yet: the axes only
        low, high = float(finite.min()), float(finite.max())
        image = pg.ImageItem(np.nan_to_num(grid, nan=low))
        image.setColorMap(pg.colormap.get("viridis"))   # high latency is bright yellow
        image.setLevels((low, high if high > low else low + 1.0))
        self.heat.addItem(image)
        for (ix, iy), value in np.ndenumerate(grid):
            if np.isfinite(value):
                bright = high > low and (value - low) / (high - low) > 0.6
                label = pg.TextItem(f"{value:.3g}", color="k" if bright else "w", anchor=(0.5, 0.5))
                label.setPos(ix + 0.5, iy + 0.5)
                self.heat.addItem(label)

    def _axis_ticks(self, xs: list[str], ys: list[str]) -> None:
        self.heat.getAxis("bottom").setTicks([[(i + 0.5, x) for i, x in enumerate(xs)]])
        self.heat.getAxis("left").setTicks([[(i + 0.5, y) for i, y in enumerate(ys)]])
        self.heat.setLabel("bottom", self.paths[0])
        self.heat.setLabel("left", self.paths[1] if len(self.paths) > 1 else "")
        self.heat.setRange(xRange=(0, len(xs)), yRange=(0, len(ys)), padding=0)

    def _front(self, means: dict[tuple, dict]) -> None:
        points = [(v["cost_usd"], v[METRIC], key) for key, v in means.items()]
        if not points:
            return
        self.pareto.plot([p[0] for p in points], [p[1] for p in points], pen=None, symbol="o",
                         symbolBrush="#9aa5b1", symbolSize=9)
        front = pareto_front(points)
        self.pareto.plot([p[0] for p in front], [p[1] for p in front], pen=pg.mkPen("#d9480f", width=2),
                         symbol="o", symbolBrush="#d9480f", symbolSize=10)
        for cost, p99, key in front:
            label = pg.TextItem(", ".join(key), color=theme.current().text, anchor=(0, 1))
            label.setPos(cost, p99)
            self.pareto.addItem(label)
        self.pareto.getViewBox().setDefaultPadding(0.15)   # room for the labels at the edges
        self.pareto.enableAutoRange()

    @Slot(object)
    def _clicked(self, event: Any) -> None:
        point = self.heat.vb.mapSceneToView(event.scenePos())
        cell = (math.floor(point.x()), math.floor(point.y()))
        key = self.cells.get(cell)
        if key is not None:
            self.open_variant(key)

    def open_variant(self, key: tuple) -> None:
        """Open the variant with these values (its first seed) as a new document."""
        variant = next(v for v in self.variants if tuple(str(x) for x in v.values) == key)
        doc = fileio.from_data(variant.data)
        doc.title = f"{doc.title} ({', '.join(f'{p}={x}' for p, x in zip(self.paths, key))})"
        self.open_document(doc)

    def closeEvent(self, event: Any) -> None:
        if self.job is not None:
            self.job.stop()
        self._timer.stop()
        super().closeEvent(event)


def open_sweep_dialog(w: Any) -> SweepDialog:
    """Run > Sweep...: a dialog on a copy of the window's document; a clicked variant replaces it
    (after asking to save) as an untitled document."""
    def open_document(doc: Document) -> None:
        if w.files.maybe_save():
            w.set_document(doc, None)
    dialog = SweepDialog(w.doc, open_document, w)
    dialog.show()
    return dialog
