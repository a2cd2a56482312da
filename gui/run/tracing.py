"""Tracing in the live view: click a dot (or "Trace next request" on a client) to follow one request
or message; its path lights up, a ring follows its dot, and the Trace panel tells its story.

The traces come with the engine's batches as plain data (engine.trace.new_traces); nothing here reads
engine objects. A dot is matched to its trace by the transfer it draws (edge, instance, departure,
kind), which every trace lists in its `legs`. A dot whose request has not finished yet is asked
for by that transfer: the engine then sends its trace in each batch while it moves.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsPathItem, QMenu

from gui import theme
from gui.run.animation import positions_via
from gui.canvas.groups import InstanceItem
from gui.canvas.items import NodeItem

KEPT = 1000             # traces the view remembers (few objects: the collector walks them all)
HIT_PX = 6.0            # how far from a dot's centre a click still hits it (device pixels)
RING_R = 9.0
Z_PATH, Z_RING = -1.5, 40.0


def leg_key(edge: int, inst: int, depart: float, kind: int) -> tuple[int, int, int, float]:
    return int(edge), int(inst), int(kind), round(float(depart), 6)


class TraceStore:
    """The traces seen so far, by id, and by the transfers (dots) they made."""

    def __init__(self) -> None:
        self.traces: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.by_leg: dict[tuple, str] = {}

    def put(self, trace: dict[str, Any]) -> None:
        self.traces[trace["id"]] = trace
        self.traces.move_to_end(trace["id"])
        for edge, inst, depart, _, kind in trace.get("legs", []):
            self.by_leg[leg_key(edge, inst, depart, kind)] = trace["id"]
        while len(self.traces) > KEPT:
            _, old = self.traces.popitem(last=False)
            for edge, inst, depart, _, kind in old.get("legs", []):
                self.by_leg.pop(leg_key(edge, inst, depart, kind), None)

    def for_leg(self, key: tuple) -> dict[str, Any] | None:
        trace_id = self.by_leg.get(key)
        return None if trace_id is None else self.traces.get(trace_id)


class TraceController(QObject):
    """Owns the followed trace and draws its path and ring; the window wires it to the panels."""

    def __init__(self, view: Any, animator_of: Callable[[], Any], bridge: Any, panel: Any, events: Any,
                 now: Callable[[], float], speed: Callable[[], float], show_panel: Callable[[], None]) -> None:
        super().__init__(view)
        self.view, self.scene = view, view.topology
        self.animator_of, self.bridge, self.panel, self.events = animator_of, bridge, panel, events
        self.now, self.speed, self.show_panel = now, speed, show_panel
        self.store = TraceStore()
        self.followed: dict[str, Any] | None = None
        self.pending: tuple | None = None       # a clicked dot's transfer whose trace has not come yet
        self.path = QGraphicsPathItem()
        self.path.setZValue(Z_PATH)
        self.ring = QGraphicsEllipseItem(-RING_R, -RING_R, 2 * RING_R, 2 * RING_R)
        self.ring.setZValue(Z_RING)
        for item in (self.path, self.ring):
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            item.hide()
        self._style()
        view.viewport().installEventFilter(self)
        self._editor_menu = view.extend_menu
        view.extend_menu = self._menu

    def _style(self) -> None:
        accent = QColor(theme.current().accent)
        glow = QColor(accent)
        glow.setAlphaF(0.35)
        self.path.setPen(QPen(glow, 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        self.ring.setPen(QPen(accent, 2.5))
        self.ring.setBrush(Qt.BrushStyle.NoBrush)

    # -- traces from the engine ------------------------------------------------------------------------
    def take(self, traces: list[dict[str, Any]]) -> None:
        for trace in traces:
            self.store.put(trace)
        self.events.put(traces)
        for trace in traces:
            if self.pending is not None and (self._has_leg(trace, self.pending) or self.next_arrived(trace)):
                self.pending = None
                self.open(trace)
            elif self.followed is not None and trace["id"] == self.followed["id"]:
                self.open(trace, keep_note=True)

    @staticmethod
    def _has_leg(trace: dict[str, Any], key: tuple) -> bool:
        return any(leg_key(e, i, d, k) == key for e, i, d, _, k in trace.get("legs", []))

    def open(self, trace: dict[str, Any], note: str = "", keep_note: bool = False) -> None:
        """Show a trace in the panel and follow it on the canvas."""
        self.followed = trace
        if not keep_note:
            self.bridge.watch(trace["id"] if trace.get("end_s") is None else None)
        self.panel.show_trace(trace, note)
        self.show_panel()
        self._draw_path()

    def open_id(self, trace_id: str) -> dict[str, Any] | None:
        trace = self.store.traces.get(trace_id)
        if trace is not None:
            self.open(trace)
        return trace

    def clear(self) -> None:
        self.followed, self.pending = None, None
        self.store = TraceStore()
        self.path.hide()
        self.ring.hide()

    # -- clicks on dots ---------------------------------------------------------------------------------
    def eventFilter(self, watched: Any, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton
                and not event.modifiers()):
            return self.click_at(event.position().toPoint())
        return False

    def click_at(self, pos: Any) -> bool:
        """A left click at a viewport position: True if it hit a dot (whose trace then opens)."""
        if any(isinstance(item, (NodeItem, InstanceItem)) for item in self.view.items(pos)):
            return False       # nodes keep their clicks (select, drag)
        hit = self.dot_at(self.view.mapToScene(pos))
        if hit is None:
            return False
        self.open_transfer(hit)
        return True

    def dot_at(self, scene_pos: QPointF) -> tuple | None:
        """The transfer of the dot drawn nearest to scene_pos, if one is within reach."""
        animator = self.animator_of()
        buf, n = animator.buffer, animator.buffer.count
        if n == 0:
            return None
        x, y, flying = positions_via(buf.ends[:n], buf.t0[:n], buf.t1[:n], self.now())
        d2 = (x - scene_pos.x()) ** 2 + (y - scene_pos.y()) ** 2
        d2[~flying] = np.inf
        i = int(np.argmin(d2))
        reach = self.scene.dots.dot_size / 2 + HIT_PX / max(self.view.transform().m11(), 1e-6)
        if not np.isfinite(d2[i]) or d2[i] > reach * reach:
            return None
        edge, inst = animator._route_keys[int(buf.route[i])]
        return leg_key(edge, inst, buf.t0[i], int(buf.kind[i]))

    def dots_on_screen(self, limit: int) -> list[Any]:
        """Viewport points of up to `limit` dots drawn now that a click would hit (not over a node)."""
        animator = self.animator_of()
        buf, n = animator.buffer, animator.buffer.count
        if n == 0:
            return []
        x, y, flying = positions_via(buf.ends[:n], buf.t0[:n], buf.t1[:n], self.now())
        out = []
        for i in np.flatnonzero(flying)[:limit * 4]:
            point = self.view.mapFromScene(QPointF(x[i], y[i]))
            if self.view.viewport().rect().contains(point) and not any(
                    isinstance(item, (NodeItem, InstanceItem)) for item in self.view.items(point)):
                out.append(point)
            if len(out) >= limit:
                break
        return out

    def open_transfer(self, key: tuple) -> None:
        trace = self.store.for_leg(key)
        if trace is not None:
            self.open(trace)
            return
        self.pending = key
        self.bridge.watch(("leg",) + key)
        self.panel.heading.setText("Following this dot: its trace fills in as it moves…")

    # -- drawing the followed trace -----------------------------------------------------------------------
    def frame(self) -> None:
        """Place the ring on the followed dot at the view's time (called once per drawn frame)."""
        trace = self.followed
        if trace is None:
            return
        for item in (self.path, self.ring):
            if item.scene() is None:
                self.scene.addItem(item)
        where = self._position(trace, self.now())
        if where is None:
            self.ring.hide()
            return
        self.ring.setPos(where)
        self.ring.show()

    def _route_ends(self, edge: int, inst: int, kind: int) -> np.ndarray | None:
        """The leg's path as the animator draws it: x0, y0, a waypoint, x1, y1, the first segment's
        length and the whole length (gui.run.animation.positions_via)."""
        animator = self.animator_of()
        if self.scene.route(int(edge), int(inst)) is None:
            return None
        rid = animator._route_index(np.array([int(edge)]), np.array([int(inst)]))
        return animator._ends(rid, np.array([kind], np.int8))[0]

    def _position(self, trace: dict[str, Any], t: float) -> QPointF | None:
        legs = trace.get("legs", [])
        if not legs or t < legs[0][2]:
            return None
        stretch = self.animator_of().min_visible_wall_s * max(self.speed(), 1e-6)
        last = None
        for edge, inst, depart, arrive, kind in legs:
            if depart > t:
                break
            ends = self._route_ends(edge, inst, kind)
            if ends is None:
                continue
            duration = max(arrive - depart, stretch)
            x, y, _ = positions_via(ends[None, :], np.array([depart]), np.array([depart + duration]),
                                    min(t, depart + duration))
            last = QPointF(float(x[0]), float(y[0]))
        end = trace.get("end_s")
        if end is not None and t > max(end, legs[-1][2] + stretch) + 1.0:
            return None          # over: the ring goes, the path stays lit
        return last

    def _draw_path(self) -> None:
        path = QPainterPath()
        for edge, inst, _, _, kind in (self.followed or {}).get("legs", []):
            ends = self._route_ends(edge, inst, kind)
            if ends is not None:
                path.moveTo(ends[0], ends[1])
                path.lineTo(ends[2], ends[3])
                path.lineTo(ends[4], ends[5])
        self._style()
        self.path.setPath(path)
        self.path.setVisible(not path.isEmpty())
        if self.path.scene() is None:
            self.scene.addItem(self.path)
        self.frame()

    # -- "Trace next request" ----------------------------------------------------------------------------
    def _menu(self, menu: QMenu | None, pos: Any) -> QMenu | None:
        if self._editor_menu is not None:
            menu = self._editor_menu(menu, pos)
        client = next((item for item in self.view.items(pos) if isinstance(item, NodeItem) and item.kind == "client"),
                      None)
        if client is None:
            return menu
        menu = menu or QMenu(self.view)
        menu.addSeparator()
        menu.addAction("Trace next request", lambda: self.trace_next(client.node_id))
        return menu

    def trace_next(self, client_id: str) -> None:
        self.bridge.trace_next(client_id)
        self.bridge.watch(("next", client_id))
        self.pending = ("next", client_id)
        self.panel.heading.setText("Waiting for the next request of this client…")
        self.show_panel()

    def next_arrived(self, trace: dict[str, Any]) -> bool:
        return (self.pending is not None and self.pending[0] == "next" and trace.get("watched", False)
                and trace.get("origin") == self.pending[1])
