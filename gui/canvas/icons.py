"""Kind icons (one shared QSvgRenderer per kind) and the toolbar's glyphs, drawn crisp at any size."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtSvg import QSvgRenderer

ICON_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"


@lru_cache(maxsize=None)
def renderer(kind: str) -> QSvgRenderer | None:
    """The one renderer for a kind's SVG, shared by every item of that kind (None if missing)."""
    path = ICON_DIR / f"{kind}.svg"
    if not path.exists():
        return None
    svg = QSvgRenderer(str(path))
    return svg if svg.isValid() else None


def paint_kind_icon(painter: QPainter, kind: str, rect: QRectF, fallback: QColor) -> None:
    svg = renderer(kind)
    if svg is not None:
        svg.render(painter, rect)
        return
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fallback)
    painter.drawRoundedRect(rect, rect.width() * 0.18, rect.width() * 0.18)


def _glyph(draw, color: str, size: int = 40) -> QIcon:
    icon = QIcon()
    for ratio in (1.0, 2.0):
        pix = QPixmap(int(size * ratio), int(size * ratio))
        pix.setDevicePixelRatio(ratio)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor(color), size * 0.09, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                      Qt.PenJoinStyle.RoundJoin))
        p.setBrush(QColor(color))
        draw(p, size)
        p.end()
        icon.addPixmap(pix)
    return icon


def _play(p: QPainter, s: float) -> None:
    p.drawPolygon(QPolygonF([QPointF(s * 0.34, s * 0.24), QPointF(s * 0.78, s * 0.5), QPointF(s * 0.34, s * 0.76)]))


def _pause(p: QPainter, s: float) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(QRectF(s * 0.28, s * 0.24, s * 0.15, s * 0.52), 2, 2)
    p.drawRoundedRect(QRectF(s * 0.57, s * 0.24, s * 0.15, s * 0.52), 2, 2)


def _step(p: QPainter, s: float) -> None:
    p.drawPolygon(QPolygonF([QPointF(s * 0.28, s * 0.26), QPointF(s * 0.62, s * 0.5), QPointF(s * 0.28, s * 0.74)]))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(QRectF(s * 0.64, s * 0.26, s * 0.1, s * 0.48), 2, 2)


def _reset(p: QPainter, s: float) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    rect = QRectF(s * 0.24, s * 0.24, s * 0.52, s * 0.52)
    p.drawArc(rect, 100 * 16, 290 * 16)
    pen = p.pen()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(pen.color())
    tip = QPointF(s * 0.46, s * 0.24)
    p.drawPolygon(QPolygonF([tip + QPointF(-s * 0.12, 0), tip + QPointF(s * 0.06, -s * 0.12),
                             tip + QPointF(s * 0.06, s * 0.12)]))


def _fit(p: QPainter, s: float) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath()
    a, b, c = s * 0.24, s * 0.76, s * 0.16
    for x, y, dx, dy in ((a, a, 1, 1), (b, a, -1, 1), (a, b, 1, -1), (b, b, -1, -1)):
        path.moveTo(x + dx * c, y)
        path.lineTo(x, y)
        path.lineTo(x, y + dy * c)
    p.drawPath(path)


GLYPHS = {"play": _play, "pause": _pause, "step": _step, "reset": _reset, "fit": _fit}


def toolbar_icon(name: str, color: str) -> QIcon:
    return _glyph(GLYPHS[name], color)
