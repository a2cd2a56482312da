"""`flowdeck screenshot`: the live view run to a simulated time, rendered offscreen into a PNG
(or JPEG, or a vector SVG or PDF: gui.export.image).

The engine runs synchronously in this thread (`Runner.step`); the batches go through the same
window code as in the app, so the picture is what a presenter would see at that instant,
including the dots in flight at 1x speed.
"""
from __future__ import annotations

import os
import sys
import time

from engine.model import Document

RATE_WINDOW_S = 5.0     # the badges' rates need two looks at the counters this far apart
KEEP_TRANSFERS_S = 3.0  # only transfers this recent can still be in flight at `at`


def render_screenshot(doc: Document, out_path: str | os.PathLike, at: float = 0.0,
                      size: tuple[int, int] = (1280, 800), theme: str = "light") -> None:
    if "QT_QPA_PLATFORM" not in os.environ and not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from gui.panels.docks import set_presentation
    from gui.export.image import write_widget
    from gui.window import MainWindow
    window = MainWindow(doc, theme, start_engine=False)
    try:
        window.resize(*size)
        window.presentation_action.blockSignals(True)   # docks aside, but not the stage's full screen
        set_presentation(window, True)   # the live view as presented: no editing docks
        window.presentation_action.blockSignals(False)
        window.ensure_charts()
        window.show()
        app.processEvents()
        snapshot(window, max(0.0, float(at)))
        app.processEvents()
        window.stage.about_demo.hide()   # the card a person sees on opening; the run has the stage
        write_widget(window, out_path, title=doc.title, pixels=size)   # PNG, JPEG, SVG or PDF by the name
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()


def snapshot(window, at: float) -> None:
    """Run the window's engine to `at` and show that instant (dots in flight, settled instances)."""
    runner = window.bridge.runner
    window.caption_min_wall_s = 0.0
    if at > RATE_WINDOW_S:
        runner.step(at - RATE_WINDOW_S)
        early = runner.make_batch()
        early.transfers = []
        window.apply_batches([early])
        window.render_frame(time.perf_counter(), force_badges=True)
    runner.step(at)
    batch = runner.make_batch()
    transfers = [tr for tr in batch.transfers if tr[2] >= at - KEEP_TRANSFERS_S]
    batch.transfers = []
    window.apply_batches([batch])
    window.topology.settle()
    window.clock.reset(at)
    window.render_frame(time.perf_counter(), force_badges=True)
    window.topology.settle()
    window.animator.show_instant(transfers, batch.speed, at)
    window.view.legend.set_stride(window.animator.stride)
    window.view.fit()
    window.paused = True
    window._update_status()
    if window.charts is not None:
        window.charts.refresh()
