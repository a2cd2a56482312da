"""Frame cost of the moving dots: DotLayer (drawPixmapFragments) against drawing every dot and
against wide-pen drawPoints.

    QT_QPA_PLATFORM=offscreen python tests/perf/bench_render.py --dots 50000 --frames 200

Builds a 1280x800 QGraphicsView over a small topology (rounded rects and lines), puts N dots on
~20 random edges and, for each frame, moves them with `positions_along`, hands them to the dot
item and paints the whole viewport through `QGraphicsView.paintEvent` into a QImage. The same
scene with the DotLayer drawing every row (no culling, no per-pixel deduplication: the layer as
it was) and with a `drawPoints` item instead are measured in the same run, taking turns in blocks
of ten frames. Prints one JSON line; it never fails on speed.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
from pyqtgraph.functions import create_qpolygonf, ndarray_from_qpolygonf  # noqa: E402
from PySide6.QtCore import QRectF, Qt  # noqa: E402
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen  # noqa: E402
from PySide6.QtWidgets import (QApplication, QFrame, QGraphicsItem, QGraphicsScene,  # noqa: E402
                               QGraphicsView)

from gui.canvas.dots import DOT_COLOURS, DotKind, DotLayer, positions_along  # noqa: E402

WIDTH, HEIGHT = 1280, 800
FRAME_S = 1 / 60
DOT_SIZE = 8.0
BLOCK = 10


class EveryDotLayer(DotLayer):
    """The DotLayer as it was before culling and per-pixel deduplication: every row is drawn."""

    def _visible_fragments(self, transform, width, height, dpr):
        n = self._count
        out = self._device_rows(n)
        x, y = self._x[:n], self._y[:n]
        out[:, 0] = transform.m11() * x + transform.m21() * y + transform.dx()
        out[:, 1] = transform.m12() * x + transform.m22() * y + transform.dy()
        out[:, 2] = self._source_left[self._kinds[:n]]
        return out


class PointsItem(QGraphicsItem):
    """The baseline: one wide round pen and one `drawPoints` call per dot kind."""

    def __init__(self, bounds: QRectF, antialias: bool) -> None:
        super().__init__()
        self._bounds = bounds
        self._antialias = antialias
        self._polygons = {kind: create_qpolygonf(0) for kind in DotKind}
        self._pens = {kind: QPen(QColor(DOT_COLOURS[kind]), DOT_SIZE, Qt.SolidLine, Qt.RoundCap)
                      for kind in DotKind}
        self.setZValue(1000.0)

    def set_dots(self, x: np.ndarray, y: np.ndarray, kind: np.ndarray) -> None:
        for k in DotKind:
            mask = kind == k
            polygon = create_qpolygonf(int(mask.sum()))
            points = ndarray_from_qpolygonf(polygon)
            points[:, 0] = x[mask]
            points[:, 1] = y[mask]
            self._polygons[k] = polygon
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing, self._antialias)
        for k, polygon in self._polygons.items():
            painter.setPen(self._pens[k])
            painter.drawPoints(polygon)


def build_topology(scene: QGraphicsScene, rng: np.random.Generator) -> np.ndarray:
    """A handful of node tiles and ~20 edges between them; returns edges as rows (x0, y0, x1, y1)."""
    columns = [(160, 3), (440, 2), (760, 4), (1100, 3)]
    centres = [(cx, HEIGHT * (i + 1) / (n + 1)) for cx, n in columns for i in range(n)]
    tile_pen, tile_brush = QPen(QColor("#5a6b86"), 1.5), QBrush(QColor("#eef1f6"))
    layers = [[c for c in centres if c[0] == cx] for cx, _ in columns]
    edges = [(a, b) for left, right in zip(layers, layers[1:]) for a in left for b in right]
    edges = [edges[i] for i in rng.choice(len(edges), size=min(20, len(edges)), replace=False)]
    for (x0, y0), (x1, y1) in edges:
        scene.addLine(x0, y0, x1, y1, QPen(QColor("#9aa5b8"), 2))
    for cx, cy in centres:
        path = QPainterPath()
        path.addRoundedRect(QRectF(cx - 40, cy - 40, 80, 80), 12, 12)
        scene.addPath(path, tile_pen, tile_brush).setZValue(1)
    return np.array([(x0, y0, x1, y1) for (x0, y0), (x1, y1) in edges], np.float64)


class Traffic:
    """N dots looping over their edges: each dot is a stream of back-to-back transfers."""

    def __init__(self, edges: np.ndarray, n: int, rng: np.random.Generator) -> None:
        edge = rng.integers(0, len(edges), n)
        self.x0, self.y0, self.x1, self.y1 = (edges[edge, i].copy() for i in range(4))
        self.duration = rng.uniform(0.3, 3.0, n)
        self.duration[rng.random(n) < 0.1] = 0.001  # instantaneous hops, stretched on screen
        self.phase = rng.uniform(0.0, 3.0, n)
        self.kind = rng.integers(0, len(DotKind), n)

    def positions(self, now: float, min_visible_s: float = 0.25):
        shown = np.maximum(self.duration, min_visible_s)
        depart = now - np.mod(now + self.phase, shown)
        x, y, in_flight = positions_along(self.x0, self.y0, self.x1, self.y1,
                                          depart, depart + self.duration, now, min_visible_s)
        return x[in_flight], y[in_flight], self.kind[in_flight]


def make_view(scene: QGraphicsScene) -> QGraphicsView:
    view = QGraphicsView(scene)
    view.setFrameShape(QFrame.NoFrame)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    view.setBackgroundBrush(QColor("#ffffff"))
    view.resize(WIDTH, HEIGHT)
    view.show()
    return view


def render_frame(view: QGraphicsView, item, traffic: Traffic, now: float, image: QImage) -> float:
    """Move the dots, paint the viewport through QGraphicsView.paintEvent; returns milliseconds."""
    start = time.perf_counter()
    item.set_dots(*traffic.positions(now))
    view.viewport().render(image)
    return (time.perf_counter() - start) * 1000.0


def percentile(samples: list[float], q: float) -> float:
    return round(float(np.percentile(samples, q)), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dots", type=int, default=50_000)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    app = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(args.seed)
    bounds = QRectF(0, 0, WIDTH, HEIGHT)
    items = {"dots": DotLayer(bounds, DOT_SIZE), "every_dot": EveryDotLayer(bounds, DOT_SIZE), "points": PointsItem(bounds, antialias=True),
             "points_noaa": PointsItem(bounds, antialias=False)}
    scenes, views = {}, {}
    for name, item in items.items():
        scenes[name] = QGraphicsScene(bounds)  # kept referenced: a scene without one is collected
        edges = build_topology(scenes[name], np.random.default_rng(args.seed))
        scenes[name].addItem(item)
        views[name] = make_view(scenes[name])
    traffic = Traffic(edges, args.dots, rng)
    image = QImage(WIDTH, HEIGHT, QImage.Format_ARGB32_Premultiplied)
    app.processEvents()

    times: dict[str, list[float]] = {name: [] for name in items}
    # Blocks of BLOCK frames per item, the items taking turns: side by side over the same minutes
    # (fair when the machine's load changes), while each item's frames follow one another as in
    # the app (a 130 ms drawPoints frame between two dot frames would evict their caches).
    for start in range(-BLOCK, args.frames, BLOCK):   # the first block warms up and is not counted
        for name, item in items.items():
            for frame in range(start, min(start + BLOCK, args.frames)):
                ms = render_frame(views[name], item, traffic, frame * FRAME_S, image)
                if frame >= 0:
                    times[name].append(ms)

    print(json.dumps({
        "dots": args.dots, "frames": args.frames,
        "frame_ms_p50": percentile(times["dots"], 50),
        "frame_ms_p95": percentile(times["dots"], 95),
        "baseline_every_dot_drawn_ms_p50": percentile(times["every_dot"], 50),
        "baseline_every_dot_drawn_ms_p95": percentile(times["every_dot"], 95),
        "baseline_drawPoints_ms_p50": percentile(times["points"], 50),
        "baseline_drawPoints_ms_p95": percentile(times["points"], 95),
        "baseline_drawPoints_noaa_ms_p50": percentile(times["points_noaa"], 50),
    }))


if __name__ == "__main__":
    main()
