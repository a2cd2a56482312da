"""The Trace and Events docks and their wiring: traces from the bridge's batches, clicks on dots,
events and activities, the timeline jump. The window calls `install` once."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget

from gui.panels.events import EventsView
from gui.panels.trace_view import TracePanel
from gui.run.tracing import TraceController

SEEK_BEFORE_S = 0.001    # an event's row jumps the view to just before its request is sent
GEOMETRY_DOTS = 12       # dots listed in FLOWDECK_GEOMETRY_FILE


class TraceDocks:
    def __init__(self, w: Any) -> None:
        from gui.panels.docks import BOTTOM, RIGHT, dock
        self.w = w
        self.panel, self.events = TracePanel(), EventsView()
        self.trace_dock = dock(w, "Trace", self.panel, RIGHT)
        w.splitDockWidget(w.charts_dock, self.trace_dock, Qt.Orientation.Vertical)
        self.events_dock = dock(w, "Events", self.events, BOTTOM)
        w.splitDockWidget(w.activity_dock, self.events_dock, Qt.Orientation.Horizontal)
        self.controller = TraceController(w.view, lambda: w.animator, w.bridge, self.panel, self.events,
                                          lambda: w.clock.t, lambda: w.speed, self.show_panel)
        self.names_changed()
        w.bridge.frame.connect(self._on_frame)
        self.events.trace_clicked.connect(self.open_event)
        w.activity.activity_clicked.connect(self.explain_activity)
        QTimer.singleShot(0, self._report_geometry)   # the window makes its reporter after the docks

    def _report_geometry(self) -> None:
        if getattr(self.w, "geometry_reporter", None) is not None:
            self.w.geometry_reporter.extra = self.geometry

    def geometry(self) -> dict[str, Any]:
        """For the real-window test: where some dots are on the screen, and the trace followed."""
        viewport = self.w.view.viewport()
        dots = [viewport.mapToGlobal(p) for p in self.controller.dots_on_screen(GEOMETRY_DOTS)]
        followed = self.controller.followed
        return {"dots": [[p.x(), p.y()] for p in dots], "trace": followed["id"] if followed else None}

    def names_changed(self) -> None:
        names = {n.id: n.name for n in self.w.doc.nodes.values()}
        self.panel.names = names
        self.events.set_nodes(names)

    def show_panel(self) -> None:
        self.trace_dock.show()
        self.trace_dock.raise_()

    def _on_frame(self, batches: list) -> None:
        for b in batches:
            if b.traces:
                self.controller.take(b.traces)
        self.controller.frame()

    def open_event(self, trace_id: str) -> None:
        """An event's row: its trace, and the view at its moment (the timeline replays to it)."""
        trace = self.controller.open_id(trace_id)
        if trace is not None and trace.get("t0_s", 0.0) <= self.w.played_to:
            self.w.seek(max(0.0, trace["t0_s"] - SEEK_BEFORE_S))

    def explain_activity(self, activity: dict) -> None:
        """A scaling or health activity: its evidence in the panel, its datapoints on the chart."""
        if not activity.get("evidence"):
            return
        self.panel.show_evidence(activity)
        self.show_panel()
        charts = self.w.charts
        if charts is not None and "datapoints" in activity["evidence"]:
            from gui.panels.evidence import show_on_charts
            charts.set_selected(activity.get("node", ""))
            show_on_charts(charts, activity)
            self.w.charts_dock.show()
            self.w.charts_dock.raise_()


def install(w: Any) -> TraceDocks:
    return TraceDocks(w)


def dock_widgets(docks: TraceDocks) -> list[QDockWidget]:
    return [docks.trace_dock, docks.events_dock]
