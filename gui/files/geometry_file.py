"""`FLOWDECK_GEOMETRY_FILE`: where things are on the screen, for end-to-end tests that drive the
real window with a mouse (xdotool).

While the variable names a path, the file is rewritten (atomically: a temporary file, then a
rename) whenever what it says changes, checked five times a second. It holds global screen
coordinates: `palette` (kind -> centre of its entry), `canvas` ([x, y, width, height] of the
canvas viewport) and `nodes` (id -> {"center": [x, y], "port": [x, y]}; a press and drag at
"port" starts a connection). Without the variable none of this exists.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, QPoint, QPointF, QTimer, Slot
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from gui.canvas.scene import TopologyScene
    from gui.canvas.view import CanvasView
    from gui.editing.palette import Palette

ENV = "FLOWDECK_GEOMETRY_FILE"
PERIOD_MS = 200


def requested_path() -> str | None:
    return os.environ.get(ENV) or None


def _xy(p: QPoint) -> list[int]:
    return [p.x(), p.y()]


class GeometryReporter(QObject):
    """Writes where the palette's entries, the canvas and its nodes are while the view is shown."""

    def __init__(self, view: "CanvasView", topology: "TopologyScene", palette: "Palette", path: str,
                 timeline: QWidget | None = None, run_state: Callable[[], tuple[float, bool]] | None = None) -> None:
        super().__init__(view)
        self.view, self.topology, self.palette, self.path = view, topology, palette, Path(path)
        self.timeline, self.run_state = timeline, run_state   # (time shown, paused): FORMAT.md 4.6
        self._last = ""
        self.extra: Callable[[], dict[str, Any]] | None = None   # more keys from other parts (tracing)
        self.timer = QTimer(self)
        self.timer.setInterval(PERIOD_MS)
        self.timer.timeout.connect(self.write)
        self.timer.start()

    def snapshot(self) -> dict[str, Any]:
        view, palette = self.view, self.palette
        viewport = view.viewport()

        def on_screen(scene_pos: QPointF) -> list[int]:
            return _xy(viewport.mapToGlobal(view.mapFromScene(scene_pos)))

        corner = viewport.mapToGlobal(QPoint(0, 0))
        nodes = {node_id: {"center": on_screen(item.pos()), "port": on_screen(item.port_scene_pos())}
                 for node_id, item in self.topology.items_by_id.items()}
        out = {"palette": {kind: _xy(palette.entry_center(kind)) for kind in palette.entries},
               "canvas": [corner.x(), corner.y(), viewport.width(), viewport.height()],
               "nodes": nodes}
        if self.timeline is not None and self.run_state is not None:
            sim_time, paused = self.run_state()
            bar = self.timeline
            corner = bar.mapToGlobal(QPoint(0, 0))
            out.update(sim_time_s=round(sim_time, 3), paused=paused,
                       timeline=[corner.x(), corner.y(), bar.width(), bar.height()])
        if self.extra is not None:
            out.update(self.extra())
        return out

    @Slot()
    def write(self) -> None:
        if not self.view.isVisible():
            return
        text = json.dumps(self.snapshot(), sort_keys=True)
        if text == self._last:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            return      # a test harness problem must not disturb the app; the next tick tries again
        self._last = text

    def stop(self) -> None:
        self.timer.stop()
