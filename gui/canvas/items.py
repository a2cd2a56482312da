"""Node items of the canvas and what they share with group frames (fonts, badges, z order).

Nodes are drawn from the kind registry (icon, name, badges); groups are in `gui.canvas.groups`, edges
in `gui.canvas.edges`. Sizes are in scene units; at 100 % zoom one unit is one pixel.
"""
from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from engine import registry
from engine.model import Node
from gui import theme
from gui.canvas.badges import BAD, GOOD, INFO, WARN, Badge
from gui.canvas.icons import paint_kind_icon
from gui.canvas.ports import PORT_GAP, Editable, paint_port, paint_target_ring, port_rect

ICON = 64.0
Z_FILL, Z_EDGE, Z_DOTS, Z_GROUP, Z_NODE = -3.0, -2.0, -1.0, 0.0, 2.0
NAME_GAP, BADGE_GAP = 8.0, 6.0
NAME_PX, BADGE_PX = 15, 12
BADGE_H, BADGE_PAD, BADGE_SPACING = 22.0, 9.0, 6.0
HEALTH_COLOURS = {"healthy": "healthy", "initial": "accent", "pending": "pending", "unhealthy": "unhealthy",
                  "crashed": "unhealthy", "draining": "draining", "terminated": "pending"}
HEALTH_WORDS = {"healthy": "healthy", "initial": "checking", "pending": "booting", "unhealthy": "unhealthy",
                "crashed": "crashed", "draining": "draining", "terminated": "terminated"}
FAILURE_WORDS = {"hang": "hung", "slow": "slowed", "error": "failing"}


def _fonts() -> dict[str, QFont]:
    return {"name": theme.pixel_font(NAME_PX, QFont.Weight.DemiBold),
            "badge": theme.pixel_font(BADGE_PX, QFont.Weight.DemiBold),
            "small": theme.pixel_font(11), "tile": theme.pixel_font(13, QFont.Weight.Bold)}


FONTS: dict[str, QFont] = {}


def font(name: str) -> QFont:
    if not FONTS:
        FONTS.update(_fonts())
    return FONTS[name]


def text_width(text: str, which: str) -> float:
    return QFontMetricsF(font(which)).horizontalAdvance(text)


def tone_colours(tone: str) -> tuple[QColor, QColor, QColor]:
    """(background, border, text) of a badge pill in the current theme."""
    t = theme.current()
    base = {GOOD: t.healthy, BAD: t.unhealthy, WARN: t.draining, INFO: t.accent}.get(tone)
    if base is None:
        return t.color("surface"), t.color("border"), t.color("text")
    c = QColor(base)
    share, surface = (0.16 if t.name == "light" else 0.22), t.color("surface")
    bg = QColor.fromRgbF(*(share * a + (1 - share) * b for a, b in      # opaque: no edge shows through
                           zip(c.getRgbF()[:3], surface.getRgbF()[:3])))
    border = QColor(c)
    border.setAlphaF(0.55)
    text = c.darker(135) if t.name == "light" else c.lighter(115)
    return bg, border, text


def badges_width(badges: list[Badge]) -> float:
    if not badges:
        return 0.0
    return sum(text_width(b.text, "badge") + 2 * BADGE_PAD for b in badges) + BADGE_SPACING * (len(badges) - 1)


def paint_badges(p: QPainter, badges: list[Badge], centre_x: float, top: float) -> None:
    x = centre_x - badges_width(badges) / 2
    p.setFont(font("badge"))
    for b in badges:
        w = text_width(b.text, "badge") + 2 * BADGE_PAD
        bg, border, text = tone_colours(b.tone)
        rect = QRectF(x, top, w, BADGE_H)
        p.setPen(QPen(border, 1.0))
        p.setBrush(bg)
        p.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), BADGE_H / 2, BADGE_H / 2)
        p.setPen(text)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, b.text)
        x += w + BADGE_SPACING


def _hq(p: QPainter) -> None:
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)


class NodeItem(Editable, QGraphicsItem):
    """Any node but a group: its kind's icon, its name and live badges, centred on `pos`."""

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node_id, self.kind, self.name = node.id, node.kind, node.name
        self.label = registry.KINDS[node.kind].label if node.kind in registry.KINDS else node.kind
        self.badges: list[Badge] = []
        self.ring: str | None = None      # a health colour around the icon (standalone instance)
        self.setPos(*node.pos)
        self.setZValue(Z_NODE)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setToolTip(f"{self.name}: {self.label}")
        self.init_editing(node.kind)
        self._bounds = QRectF()
        self._relayout()

    def set_name(self, name: str) -> None:
        self.name = name
        self.setToolTip(f"{self.name}: {self.label}")
        self._relayout()
        self.update()

    def name_rect(self) -> QRectF:
        """Where the name is drawn, in scene coordinates (double-click there to rename)."""
        w = max(ICON + 16, text_width(self.name, "name") + 8)
        return self.mapRectToScene(QRectF(-w / 2, ICON / 2 + NAME_GAP - 2, w, NAME_PX + 10))

    def port_pos(self) -> QPointF:
        return QPointF(ICON / 2 + PORT_GAP, 0.0)

    def place(self, pos: QPointF) -> None:
        self.setPos(pos)

    def _relayout(self) -> None:
        self.prepareGeometryChange()
        w = max(ICON + 16, text_width(self.name, "name") + 8, badges_width(self.badges) + 4)
        h = ICON / 2 + NAME_GAP + NAME_PX + 6 + (BADGE_GAP + BADGE_H if self.badges else 0) + 4
        self._bounds = QRectF(-w / 2, -ICON / 2 - 8, w, h + ICON / 2 + 8).united(port_rect(self.port_pos()))

    def layout_rect(self) -> QRectF:
        """The scene area the node takes with a row of badges, for fitting the view (stable as
        the badges' texts change)."""
        w = max(200.0, text_width(self.name, "name") + 8)
        h = ICON + NAME_GAP + NAME_PX + 6 + BADGE_GAP + BADGE_H + 4
        return self.mapRectToScene(QRectF(-w / 2, -ICON / 2 - 8, w, h + 8))

    def anchor_rect(self) -> QRectF:
        """Where edges start and end: the icon, with a little air around it."""
        return self.mapRectToScene(QRectF(-ICON / 2, -ICON / 2, ICON, ICON).adjusted(-5, -5, 5, 5))

    def set_badges(self, badges: list[Badge], ring: str | None = None) -> None:
        if badges == self.badges and ring == self.ring:
            return
        width_changed = badges_width(badges) != badges_width(self.badges) or bool(badges) != bool(self.badges)
        self.badges, self.ring = badges, ring
        if width_changed:
            self._relayout()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, p: QPainter, option: Any, widget: Any = None) -> None:
        t = theme.current()
        _hq(p)
        icon = QRectF(-ICON / 2, -ICON / 2, ICON, ICON)
        if self.is_target:
            paint_target_ring(p, icon.adjusted(-6, -6, 6, 6), 16)
        elif self.ring or self.isSelected():
            colour = t.color("accent") if self.isSelected() else QColor(getattr(t, self.ring))
            p.setPen(QPen(colour, 3.0))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(icon.adjusted(-5, -5, 5, 5), 16, 16)
        paint_kind_icon(p, self.kind, icon, t.color("muted"))
        if self.shows_port():
            paint_port(p, self.port_pos())
        p.setFont(font("name"))
        p.setPen(t.color("text"))
        name_top = ICON / 2 + NAME_GAP
        p.drawText(QRectF(self._bounds.left(), name_top, self._bounds.width(), NAME_PX + 6),
                   Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, self.name)
        if self.badges:
            paint_badges(p, self.badges, 0.0, name_top + NAME_PX + 6 + BADGE_GAP)


def border_point(rect: QRectF, toward: QPointF) -> QPointF:
    """Where the ray from the rect's centre toward a point leaves the rect."""
    c = rect.center()
    dx, dy = toward.x() - c.x(), toward.y() - c.y()
    if dx == 0 and dy == 0:
        return c
    sx = (rect.width() / 2) / abs(dx) if dx else math.inf
    sy = (rect.height() / 2) / abs(dy) if dy else math.inf
    s = min(sx, sy, 1.0)
    return QPointF(c.x() + dx * s, c.y() + dy * s)


def clipped_line(a: QRectF, b: QRectF) -> tuple[QPointF, QPointF]:
    return border_point(a, b.center()), border_point(b, a.center())
