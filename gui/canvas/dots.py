"""Moving dots: one graphics item draws every dot in one `drawPixmapFragments` call.

The fragment buffer is a float64 numpy array of shape (capacity, 10) whose rows have the memory
layout of `QPainter.PixmapFragment` (x, y, sourceLeft, sourceTop, width, height, scaleX, scaleY,
rotation, opacity). `shiboken6.wrapInstance` turns its address into the `PixmapFragment` pointer
that `drawPixmapFragments(pointer, n, sprite)` takes (DESIGN.md section 3). The sprite holds one
disc per `DotKind` side by side, so `sourceLeft` picks a dot's colour and one call draws them all.
The dots themselves are kept as contiguous x, y and kind columns; each frame only the rows of the
dots that can be seen are written: inside the viewport, and one per device pixel.
"""
from __future__ import annotations

import math
from enum import IntEnum

import numpy as np
import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEngine, QPen, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

X, Y, SOURCE_LEFT, SOURCE_TOP, WIDTH, HEIGHT, SCALE_X, SCALE_Y, ROTATION, OPACITY = range(10)
_FRAGMENT_FIELDS = 10
_MIN_CAPACITY = 1024
_VECTOR_ENGINES = (QPaintEngine.Type.SVG, QPaintEngine.Type.Pdf, QPaintEngine.Type.Picture)


class DotKind(IntEnum):
    REQUEST = 0
    RESPONSE = 1
    ERROR = 2
    MESSAGE = 3
    DEAD_LETTER = 4


DOT_COLOURS: dict[DotKind, str] = {
    DotKind.REQUEST: "#2f80ed",
    DotKind.RESPONSE: "#27ae60",
    DotKind.ERROR: "#e5383b",
    DotKind.MESSAGE: "#f5a524",
    DotKind.DEAD_LETTER: "#b44bd6",
}


def make_sprite(diameter_px: float, device_pixel_ratio: float = 1.0) -> tuple[QPixmap, int]:
    """One anti-aliased disc per kind, side by side; returns the pixmap and its cell size in pixels.

    The darker rim keeps a dot readable on both light and dark canvases.
    """
    cell = math.ceil(diameter_px) + 2
    sprite = QPixmap(cell * len(DotKind), cell)
    sprite.fill(Qt.GlobalColor.transparent)
    rim = max(0.6, diameter_px * 0.14)  # thin enough that a 4 px dot keeps its colour
    painter = QPainter(sprite)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for kind in DotKind:
        fill = QColor(DOT_COLOURS[kind])
        painter.setPen(QPen(fill.darker(165), rim))
        painter.setBrush(fill)
        centre = QPointF(kind * cell + cell / 2, cell / 2)
        radius = (diameter_px - rim) / 2
        painter.drawEllipse(centre, radius, radius)
    painter.end()
    sprite.setDevicePixelRatio(device_pixel_ratio)
    return sprite, cell


def positions_along(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray,
                    t_depart: np.ndarray, t_arrive: np.ndarray, now: float,
                    min_visible_s: float = 0.25) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions along straight edges at `now`, and a mask of the transfers in flight.

    Every argument is in one clock (the caller converts a wall-clock minimum into simulated seconds
    at the current speed). A hop shorter than `min_visible_s` is stretched: it still departs at
    `t_depart` but is drawn as if it took `min_visible_s`, so it arrives late on screen rather than
    being invisible. Hops at least that long move at their true speed and arrive at `t_arrive`.
    """
    duration = np.maximum(np.asarray(t_arrive, np.float64) - t_depart, min_visible_s)
    elapsed = now - np.asarray(t_depart, np.float64)
    in_flight = (elapsed >= 0.0) & (elapsed <= duration)
    if min_visible_s > 0:      # every duration is positive: no 0/0
        fraction = elapsed / duration
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = np.nan_to_num(elapsed / duration, nan=1.0)   # zero-length hop: at its end
    np.minimum(np.maximum(fraction, 0.0, out=fraction), 1.0, out=fraction)
    x = x0 + (np.asarray(x1, np.float64) - x0) * fraction
    y = y0 + (np.asarray(y1, np.float64) - y0) * fraction
    return x, y, in_flight


def _is_translation(transform: QTransform) -> bool:
    # PySide6 enums are not ordered; compare their values.
    return transform.type().value <= QTransform.TransformationType.TxTranslate.value


class DotLayer(QGraphicsItem):
    """Every moving dot, drawn above the topology, in one draw call.

    Dot size is in scene units (device pixels at 100 % zoom); nothing is painted outside the bounds
    given to the constructor or `set_bounds`. Under a pure translation Qt blits each disc at whole
    device pixels; under zoom the sprite is re-rendered at the device size and only the centres are
    mapped (see `_visible_fragments`), so Qt stays on its fast blit path instead of resampling.
    """

    def __init__(self, bounds: QRectF | None = None, dot_size: float = 8.0,
                 parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self._bounds = QRectF(bounds) if bounds is not None else QRectF()
        self._dot_size = float(dot_size)
        self._count = 0
        # The dots in scene coordinates, as contiguous columns (capacity grows geometrically).
        self._x = np.zeros(0, np.float64)
        self._y = np.zeros(0, np.float64)
        self._kinds = np.zeros(0, np.intp)
        self._device: np.ndarray | None = None     # the fragment rows drawn this frame, in device coordinates
        self._device_key = None
        self._owner: np.ndarray | None = None      # per device pixel: the last dot that landed on it
        self._sprite: QPixmap | None = None
        self._sprite_key: tuple[float, float] | None = None
        self._cell = 0
        self._source_left = np.zeros(len(DotKind), np.float64)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(1000.0)

    @property
    def count(self) -> int:
        return self._count

    @property
    def dot_size(self) -> float:
        return self._dot_size

    def set_bounds(self, rect: QRectF) -> None:
        """The scene rect the dots may occupy; the item repaints this area."""
        self.prepareGeometryChange()
        self._bounds = QRectF(rect)

    def set_dot_size(self, size: float) -> None:
        self._dot_size = float(size)
        self._sprite_key = None
        self.update()

    def set_dots(self, x: np.ndarray, y: np.ndarray, kind: np.ndarray) -> None:
        """Replace all dots; `kind` holds `DotKind` values. Arrays are copied."""
        n = len(x)
        if len(y) != n or len(kind) != n:
            raise ValueError(f"x, y and kind differ in length: {n}, {len(y)}, {len(kind)}")
        if n > len(self._x):
            capacity = max(n, 2 * len(self._x), _MIN_CAPACITY)
            self._x, self._y = np.zeros(capacity, np.float64), np.zeros(capacity, np.float64)
            self._kinds = np.zeros(capacity, np.intp)
        self._x[:n], self._y[:n], self._kinds[:n] = x, y, kind
        self._count = n
        self.update()

    def clear(self) -> None:
        self._count = 0
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(self._bounds)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if self._count == 0:
            return
        if painter.paintEngine().type() in _VECTOR_ENGINES:
            self._draw_shapes(painter)    # SVG, PDF: one circle per dot, not a bitmap
            return
        transform = painter.worldTransform()
        sprite = self._ensure_sprite(transform, painter.device().devicePixelRatioF())
        device = painter.device()
        fragments = self._visible_fragments(transform, device.width(), device.height(),
                                            device.devicePixelRatioF())
        if len(fragments):
            painter.save()
            painter.resetTransform()
            self._draw(painter, fragments, sprite)
            painter.restore()

    def _draw_shapes(self, painter: QPainter) -> None:
        """Every dot inside the painter's clip as a circle in scene coordinates, as the sprite draws it."""
        n, r = self._count, self._dot_size / 2
        x, y, kinds = self._x[:n], self._y[:n], self._kinds[:n]
        if painter.hasClipping():
            clip = painter.clipBoundingRect().adjusted(-r, -r, r, r)
            inside = (x >= clip.left()) & (x <= clip.right()) & (y >= clip.top()) & (y <= clip.bottom())
            x, y, kinds = x[inside], y[inside], kinds[inside]
        rim = max(0.6, self._dot_size * 0.14)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for kind in DotKind:
            mine = kinds == kind
            fill = QColor(DOT_COLOURS[kind])
            painter.setPen(QPen(fill.darker(165), rim))
            painter.setBrush(fill)
            for cx, cy in zip(x[mine].tolist(), y[mine].tolist()):
                painter.drawEllipse(QPointF(cx, cy), r - rim / 2, r - rim / 2)
        painter.restore()

    @staticmethod
    def _draw(painter: QPainter, fragments: np.ndarray, sprite: QPixmap) -> None:
        # `fragments` keeps the memory alive during the call; the wrapper does not own it.
        assert fragments.flags.c_contiguous and fragments.dtype == np.float64
        pointer = shiboken6.wrapInstance(fragments.ctypes.data, QPainter.PixmapFragment)
        painter.drawPixmapFragments(pointer, len(fragments), sprite)

    def _visible_fragments(self, transform: QTransform, width: int, height: int, dpr: float) -> np.ndarray:
        """The rows to draw, in device coordinates: dots outside the viewport are left out, and of
        the dots that land on the same device pixel only the last (the one drawn on top) is kept.

        Qt blits each disc at a whole device pixel, so a dot hidden under an identical disc at the
        same pixel changes nothing on screen; at high load most dots share pixels along the edges,
        and drawing each fragment is what costs (about 0.1 us each).
        """
        n = self._count
        x, y = self._x[:n], self._y[:n]
        if _is_translation(transform):
            x, y = x + transform.dx(), y + transform.dy()
        else:
            x, y = (transform.m11() * x + transform.m21() * y + transform.dx(),
                    transform.m12() * x + transform.m22() * y + transform.dy())
        pad = self._cell  # a dot whose centre is just outside still shows its edge
        columns, rows = math.ceil((width + 2 * pad) * dpr), math.ceil((height + 2 * pad) * dpr)
        if dpr == 1.0:
            ix, iy = (x + pad).astype(np.int64), (y + pad).astype(np.int64)   # whole device pixels, as Qt blits them
        else:
            ix, iy = ((x + pad) * dpr).astype(np.int64), ((y + pad) * dpr).astype(np.int64)
        # One unsigned comparison per axis tests both ends: a negative index wraps to a huge one.
        inside = np.flatnonzero((ix.view(np.uint64) < columns) & (iy.view(np.uint64) < rows))
        pixel = iy[inside] * columns + ix[inside]
        if self._owner is None or len(self._owner) < columns * rows:
            self._owner = np.empty(columns * rows, np.int64)
        self._owner[pixel] = inside           # a later dot overwrites an earlier one: the one on top
        kept = inside[self._owner[pixel] == inside]
        out = self._device_rows(len(kept))
        out[:, X], out[:, Y] = x[kept], y[kept]
        out[:, SOURCE_LEFT] = self._source_left[self._kinds[kept]]
        return out

    def _device_rows(self, n: int) -> np.ndarray:
        """n rows of a reused buffer whose constant columns match the current sprite."""
        if self._device is None or len(self._device) < n or self._device_key != self._sprite_key:
            self._device = np.zeros((max(n, len(self._x), _MIN_CAPACITY), _FRAGMENT_FIELDS), np.float64)
            self._device[:] = self._constant_row()
            self._device_key = self._sprite_key
        return self._device[:n]

    def _ensure_sprite(self, transform: QTransform, device_pixel_ratio: float) -> QPixmap:
        scale = 1.0
        if not _is_translation(transform):
            scale = math.sqrt(abs(transform.determinant()))
        diameter = max(2.0, round(self._dot_size * scale * device_pixel_ratio * 4) / 4)
        key = (diameter, device_pixel_ratio)
        if key != self._sprite_key:
            self._sprite, self._cell = make_sprite(diameter, device_pixel_ratio)
            self._sprite_key = key
            self._source_left = np.arange(len(DotKind), dtype=np.float64) * self._cell
        return self._sprite

    def _constant_row(self) -> np.ndarray:
        """A fragment row with every field that is the same for all dots (x, y, sourceLeft are 0)."""
        dpr = self._sprite_key[1] if self._sprite_key else 1.0
        row = np.zeros(_FRAGMENT_FIELDS, np.float64)
        row[WIDTH] = row[HEIGHT] = self._cell
        row[SCALE_X] = row[SCALE_Y] = 1.0 / dpr
        row[OPACITY] = 1.0
        return row
