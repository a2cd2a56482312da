"""Auto Scaling group frames and their runtime instance items (appear, boot, serve, drain, vanish)."""
from __future__ import annotations

import math
from typing import Any, Callable

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from engine.model import Node
from gui import theme
from gui.canvas.badges import CPU_TIP, Badge, instance_cpu
from gui.canvas.icons import paint_kind_icon
from gui.canvas.items import (BADGE_GAP, BADGE_H, FAILURE_WORDS, HEALTH_COLOURS, HEALTH_WORDS, Z_FILL, Z_GROUP, _hq,
                              badges_width, font, paint_badges, text_width)
from gui.canvas.ports import PORT_R, Editable, paint_port, paint_target_ring

TILE_W, TILE_H, TILE_GAP = 90.0, 54.0, 8.0
FRAME_PAD, FRAME_HEADER, FRAME_ICON = 12.0, 48.0, 26.0
TYPICAL_BADGES = [Badge("10/10 in service"), Badge("CPU 100%")]


def grid_columns(slots: int) -> int:
    """Columns of instance tiles: 2 up to 4 instances, 3 up to 9, then about square."""
    if slots <= 4:
        return 2 if slots > 1 else 1
    return 3 if slots <= 9 else math.ceil(math.sqrt(slots))


class InstanceItem(QGraphicsItem):
    """One runtime EC2 instance inside its group's frame: health colour, CPU fill, backlog."""

    def __init__(self, no: int, inst_id: str, parent: "GroupItem") -> None:
        super().__init__(parent)
        self.no, self.inst_id = no, inst_id
        self.short = inst_id.rsplit("/", 1)[-1]
        self.state: dict[str, Any] = {}
        self.cpu = 0.0
        self._shown = 0.0      # the CPU the cached drawing shows
        self.gone = False
        self.setOpacity(0.0)
        self.setZValue(1)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setToolTip(f"{inst_id}\n{CPU_TIP}")

    @property
    def health(self) -> str:
        return "terminated" if self.gone else self.state.get("health", "pending")

    def apply(self, state: dict[str, Any], cpu: float) -> None:
        """Follow the engine's state of the instance, with its CPU (0..1, `BadgeBook.cpu`)."""
        visible_change = (state.get("health"), state.get("failure"), state.get("backlog")) != (
            self.state.get("health"), self.state.get("failure"), self.state.get("backlog"))
        shown = self._shown   # compared with what was last drawn: small steps add up
        if visible_change or round(100 * cpu) != round(100 * shown) or (cpu == 0) != (shown == 0):
            self.update()
            self._shown = cpu
        self.cpu, self.state = cpu, state

    def target_opacity(self) -> float:
        if self.gone:
            return 0.0
        return {"pending": 0.75, "draining": 0.7}.get(self.health, 1.0)

    def fade(self, dt_wall: float) -> None:
        target, now = self.target_opacity(), self.opacity()
        step = dt_wall / 0.45
        if now != target:
            self.setOpacity(min(target, now + step) if target > now else max(target, now - step))

    def boundingRect(self) -> QRectF:
        return QRectF(-1, -1, TILE_W + 2, TILE_H + 2)

    def paint(self, p: QPainter, option: Any, widget: Any = None) -> None:
        t = theme.current()
        _hq(p)
        colour = QColor(getattr(t, HEALTH_COLOURS.get(self.health, "pending")))
        rect = QRectF(0, 0, TILE_W, TILE_H)
        shape = QPainterPath()
        shape.addRoundedRect(rect, 9, 9)
        p.fillPath(shape, t.color("surface"))
        if self.cpu > 0.005 and self.health not in ("pending", "crashed"):
            fill = QColor(colour)
            fill.setAlphaF(0.24 if t.name == "light" else 0.32)
            level = TILE_H * self.cpu
            p.save()
            p.setClipPath(shape)
            p.fillRect(QRectF(0, TILE_H - level, TILE_W, level), fill)
            p.restore()
        pen = QPen(colour, 2.0)
        if self.health in ("pending", "draining", "terminated"):
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 8, 8)
        self._paint_text(p, t, colour)

    def _paint_text(self, p: QPainter, t: theme.Theme, colour: QColor) -> None:
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        p.setFont(font("tile"))
        p.setPen(t.color("text"))
        p.drawText(QRectF(9, 4, TILE_W - 18, 18), left, self.short)
        if self.state.get("state") == "running" and self.health != "crashed":
            p.setFont(font("badge"))
            p.drawText(QRectF(9, 4, TILE_W - 18, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       f"{100 * self.cpu:.0f}%")
        word = HEALTH_WORDS.get(self.health, self.health)
        failure = FAILURE_WORDS.get(self.state.get("failure") or "")
        p.setFont(font("small"))
        if failure and self.health != "crashed":
            word, colour = failure, t.color("warning")
        p.setPen(Qt.PenStyle.NoPen)      # the colour as a dot, the word in text colour: readable on the CPU fill
        p.setBrush(colour)
        p.drawEllipse(QPointF(12, 28.5), 3.0, 3.0)
        p.setPen(t.color("text"))
        p.drawText(QRectF(19, 21, TILE_W - 28, 15), left, word)
        backlog = self.state.get("backlog") or 0
        if backlog:
            p.setPen(t.color("warning"))
            p.drawText(QRectF(9, 35, TILE_W - 18, 15), left, f"{backlog} waiting")


class GroupFill(QGraphicsItem):
    """A group frame's background, far below: edges and dots pass above it and under the tiles."""

    def __init__(self, group: "GroupItem") -> None:
        super().__init__()
        self.group = group
        self.setZValue(Z_FILL)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        return self.group.frame_rect()

    def paint(self, p: QPainter, option: Any, widget: Any = None) -> None:
        _hq(p)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(theme.current().color("frame_fill"))
        p.drawRoundedRect(self.group.frame_rect().adjusted(1, 1, -1, -1), 14, 14)
        self.group.paint_free_slots(p)


class GroupItem(Editable, QGraphicsItem):
    """An Auto Scaling group: a dashed frame, its name and badges, and a slot per instance.

    Its background is a separate `GroupFill` item below the edges and the dots, so traffic to an
    instance in the second column passes under the first column's tiles instead of across them.
    """

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node_id, self.kind, self.name = node.id, node.kind, node.name
        self.max_size = int(node.prop("max_size") or 1)
        # The frame fits the instances it has (at least the desired capacity at start) and grows
        # downwards as the group scales out, so the top-left stays where the author put it.
        self.base_slots = max(1, int(node.prop("desired_capacity") or 1), int(node.prop("min_size") or 0))
        self.badges: list[Badge] = []
        self.instances: dict[int, InstanceItem] = {}
        self.by_id: dict[str, InstanceItem] = {}
        self._slots: dict[int, int] = {}      # instance no -> slot index
        self._cols, self._rows = 1, 1
        self.setPos(*node.pos)
        self.setZValue(Z_GROUP)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setToolTip(f"{self.name}: Auto Scaling group\n{CPU_TIP}")
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.init_editing(node.kind)
        self._frame = QRectF()
        self.fill = GroupFill(self)
        self.fill.setPos(self.pos())
        self._top = -self._frame_height(math.ceil(self.base_slots / grid_columns(self.base_slots))) / 2
        self._resize(self.base_slots)

    # -- editing ----------------------------------------------------------------------------------
    def place(self, pos: QPointF) -> None:
        self.setPos(pos)
        self.fill.setPos(pos)

    def set_name(self, name: str) -> None:
        self.name = name
        self.setToolTip(f"{self.name}: Auto Scaling group\n{CPU_TIP}")
        self._frame = QRectF()          # the frame's width follows the name
        self._resize(self._slots_needed())
        self.update()
        self.fill.update()

    def set_base_slots(self, node: Node) -> bool:
        """Follow a change of the group's sizes (desired capacity, min size); True if the frame changed."""
        self.max_size = int(node.prop("max_size") or 1)
        self.base_slots = max(1, int(node.prop("desired_capacity") or 1), int(node.prop("min_size") or 0))
        changed = self._resize(self._slots_needed())
        self.fill.update()
        return changed

    def name_rect(self) -> QRectF:
        frame = self._frame
        left = frame.left() + FRAME_PAD + FRAME_ICON + 6
        return self.mapRectToScene(QRectF(left, frame.top() + 8, frame.right() - left - 6, FRAME_ICON + 8))

    def port_pos(self) -> QPointF:
        return QPointF(self._frame.right(), self._frame.top() + 12 + FRAME_ICON / 2)

    def set_dimmed(self, on: bool) -> None:
        Editable.set_dimmed(self, on)
        self.fill.setOpacity(self.opacity())

    @staticmethod
    def _frame_height(rows: int) -> float:
        return FRAME_HEADER + rows * TILE_H + (rows - 1) * TILE_GAP + FRAME_PAD

    def _slots_needed(self) -> int:
        return max([self.base_slots, len(self.instances)] + [s + 1 for s in self._slots.values()])

    def _resize(self, slots: int) -> bool:
        cols = grid_columns(slots)
        rows = max(1, math.ceil(slots / cols))
        if (cols, rows) == (self._cols, self._rows) and not self._frame.isNull():
            return False
        self.prepareGeometryChange()
        self.fill.prepareGeometryChange()
        self._cols, self._rows = cols, rows
        w = max(2 * FRAME_PAD + cols * TILE_W + (cols - 1) * TILE_GAP, 2 * FRAME_PAD + FRAME_ICON + 10
                + text_width(self.name, "name"))
        self._frame = QRectF(-w / 2, self._top, w, self._frame_height(rows))
        for no, slot in self._slots.items():
            self.instances[no].setPos(self._slot_pos(slot))
        return True

    def _slot_pos(self, slot: int) -> QPointF:
        row, col = divmod(slot, self._cols)
        grid_w = self._cols * TILE_W + (self._cols - 1) * TILE_GAP
        x = -grid_w / 2 + col * (TILE_W + TILE_GAP)
        return QPointF(x, self._frame.top() + FRAME_HEADER + row * (TILE_H + TILE_GAP))

    def anchor_rect(self) -> QRectF:
        return self.mapRectToScene(self._frame.adjusted(-4, -4, 4, 4))

    def frame_rect(self) -> QRectF:
        return QRectF(self._frame)

    def layout_rect(self) -> QRectF:
        """The scene area the group takes, badges included (as wide as two typical ones), for fitting the view."""
        spill = max(0.0, (badges_width(TYPICAL_BADGES) - self._frame.width()) / 2)
        return self.mapRectToScene(self._frame.adjusted(-spill, 0, spill, BADGE_GAP + BADGE_H))

    def base_layout_rect(self) -> QRectF:
        """The layout rect with the frame as tall as its starting size (what the author placed)."""
        rows = math.ceil(self.base_slots / grid_columns(self.base_slots))
        base = QRectF(self._frame.left(), self._top, self._frame.width(), self._frame_height(rows))
        return self.mapRectToScene(base.adjusted(0, 0, 0, BADGE_GAP + BADGE_H))

    def paint_free_slots(self, p: QPainter) -> None:
        """Faint outlines for the empty places left in the grid."""
        taken = set(self._slots.values())
        p.setPen(_free_slot_pen())
        p.setBrush(Qt.BrushStyle.NoBrush)
        for slot in range(self._cols * self._rows):
            if slot not in taken:
                p.drawRoundedRect(QRectF(self._slot_pos(slot), QSizeF(TILE_W, TILE_H)).adjusted(1, 1, -1, -1), 8, 8)

    def boundingRect(self) -> QRectF:
        if not self.badges:
            return self._frame.adjusted(-2, -2, PORT_R + 4, 2)
        spill = max(0.0, (badges_width(self.badges) - self._frame.width()) / 2 + 2)   # a small group's badges overhang
        return self._frame.adjusted(-2 - spill, -2, PORT_R + 4 + spill, BADGE_GAP + BADGE_H + 6)

    def set_badges(self, badges: list[Badge]) -> None:
        if badges != self.badges:
            self.prepareGeometryChange()
            self.badges = badges
            self.update()
            self.fill.update()

    def apply_instances(self, states: list[dict[str, Any]], cpu: Callable[[dict[str, Any]], float] = instance_cpu) -> bool:
        """Follow the engine's instance list (`cpu` gives an instance's CPU from its state); True
        when an item appeared or a slot moved."""
        changed = False
        seen = set()
        for s in states:
            no = s.get("no")
            if no is None:
                continue
            seen.add(no)
            item = self.instances.get(no)
            if item is None or item.gone:
                item = self._add(no, s.get("id", f"i-{no}"))
                changed = True
            item.apply(s, cpu(s))
        for no, item in self.instances.items():
            if no not in seen and not item.gone:
                item.gone = True
                item.update()
        return self._resize(self._slots_needed()) or changed

    def _add(self, no: int, inst_id: str) -> InstanceItem:
        old = self.instances.pop(no, None)
        if old is not None:
            self._drop(old)
        taken = set(self._slots.values())
        slot = next(i for i in range(len(taken) + 1) if i not in taken)
        item = InstanceItem(no, inst_id, self)
        self.instances[no], self.by_id[inst_id], self._slots[no] = item, item, slot
        self._resize(self._slots_needed())
        item.setPos(self._slot_pos(slot))
        self.fill.update()
        return item

    def _drop(self, item: InstanceItem) -> None:
        self.fill.update()
        self._slots.pop(item.no, None)
        self.by_id.pop(item.inst_id, None)
        item.setParentItem(None)
        if item.scene() is not None:
            item.scene().removeItem(item)

    def fade(self, dt_wall: float) -> bool:
        """Advance the appear/vanish fades; True when an instance item was removed."""
        removed = False
        for no, item in list(self.instances.items()):
            item.fade(dt_wall)
            if item.gone and item.opacity() <= 0.0:
                del self.instances[no]
                self._drop(item)
                removed = True
        if removed:
            self._repack()
        return removed

    def _repack(self) -> None:
        """Close the holes left by instances that went: the others move up, in their order."""
        order = sorted(self._slots, key=self._slots.get)
        self._slots = {no: slot for slot, no in enumerate(order)}
        if not self._resize(self._slots_needed()):
            for no, slot in self._slots.items():
                self.instances[no].setPos(self._slot_pos(slot))
        self.fill.update()

    def settle(self) -> None:
        """Skip the fades (screenshots): every instance at its resting opacity."""
        self.fade(10.0)

    def clear(self) -> None:
        for item in list(self.instances.values()):
            self._drop(item)
        self.instances.clear()

    def paint(self, p: QPainter, option: Any, widget: Any = None) -> None:
        t = theme.current()
        _hq(p)
        frame = self._frame
        border = t.color("accent") if self.isSelected() else t.color("frame")
        pen = QPen(border, 2.0 if self.isSelected() else 1.6, Qt.PenStyle.CustomDashLine)
        pen.setDashPattern([5, 3])
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(frame.adjusted(1, 1, -1, -1), 14, 14)
        if self.is_target:
            paint_target_ring(p, frame.adjusted(-3, -3, 3, 3), 16)
        icon = QRectF(frame.left() + FRAME_PAD, frame.top() + 12, FRAME_ICON, FRAME_ICON)
        paint_kind_icon(p, self.kind, icon, t.color("frame"))
        p.setFont(font("name"))
        p.setPen(t.color("text"))
        p.drawText(QRectF(icon.right() + 10, icon.top(), frame.width(), FRAME_ICON),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.name)
        if self.badges:
            paint_badges(p, self.badges, 0.0, frame.bottom() + BADGE_GAP)
        if self.shows_port():
            paint_port(p, self.port_pos())


def _free_slot_pen() -> QPen:
    t = theme.current()
    pen = QPen(t.color("frame", 0.35), 1.2, Qt.PenStyle.DotLine)
    return pen
