"""The live window under load: N dots in flight while the engine runs web-tier at 100x.

    QT_QPA_PLATFORM=offscreen python tests/perf/bench_live.py --dots 20000 --seconds 8

Opens the real MainWindow (engine thread, 60 Hz bridge timer, charts, log) on web-tier, plays it
at 100x and, every frame, tops the engine's own transfers up with synthetic ones on the document's
edges so that N dots are in flight (sampling is switched off). Each frame's work is timed: the
window's frame handler plus a synchronous repaint of the canvas. Also measured: the interval
between frames, the engine's achieved speed, the time from process start to the first painted
window (in a fresh subprocess), and peak memory (resource.getrusage). Prints one JSON line and
never fails on speed.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

FIRST_PAINT_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from PySide6.QtWidgets import QApplication
from engine import examples, fileio
app = QApplication([])
from gui.window import MainWindow
window = MainWindow(fileio.load(examples.path("web-tier")))
window.resize(1280, 800)
window.view.first_painted.connect(lambda t: (print("painted", time.time(), flush=True), app.quit()))
window.show()
app.exec()
window.bridge.stop()
"""


def time_to_first_paint() -> float:
    start = time.time()
    done = subprocess.run([sys.executable, "-c", FIRST_PAINT_CHILD.format(root=str(ROOT))],
                          capture_output=True, text=True, timeout=60)
    stamp = next((float(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("painted")), None)
    return round(stamp - start, 3) if stamp else -1.0


class Load:
    """Synthetic transfers on the document's edges, keeping `dots` in flight at the view's time."""

    def __init__(self, window, dots: int, rng: np.random.Generator) -> None:
        self.window, self.dots, self.rng = window, dots, rng

    def top_up(self) -> None:
        anim, w = self.window.animator, self.window
        missing = self.dots - anim.buffer.count
        if missing <= 0:
            return
        speed = max(w.speed, 0.1)
        n_edges = len(w.topology.edge_items)
        duration = self.rng.uniform(0.3, 1.5, missing) * speed
        t0 = w.clock.t - self.rng.uniform(0.0, 1.0, missing) * duration
        edge = self.rng.integers(0, n_edges, missing)
        kind = self.rng.integers(0, 3, missing)
        transfers = list(zip(edge.tolist(), [-1] * missing, t0.tolist(), (t0 + duration).tolist(), kind.tolist()))
        anim.ingest(transfers, speed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dots", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--speed", type=float, default=100.0)
    args = parser.parse_args()
    first_paint = time_to_first_paint()

    sys.setswitchinterval(0.001)
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication
    from engine import examples, fileio
    from gui.window import MainWindow
    app = QApplication.instance() or QApplication([])
    doc = fileio.load(examples.path("web-tier"))
    doc.duration_s = 7200.0    # the run stops at its duration; at 100x it must not end mid-measure
    window = MainWindow(doc)
    window.resize(1280, 800)
    window.show()
    window.animator.cap, window.animator.spacing = 10 ** 9, 0.0   # every dot drawn, no sampling
    load = Load(window, args.dots, np.random.default_rng(1))
    frame_ms, stamps, in_flight, batches_seen = [], [], [], []
    window.bridge.frame.disconnect(window._on_frame)
    handler_ms: list[float] = []

    def on_frame(batches) -> None:
        start = time.perf_counter()
        stamps.append(start)
        load.top_up()
        window._on_frame(batches)
        handler_ms.append((time.perf_counter() - start) * 1000.0)
        in_flight.append(window.animator.in_flight)
        batches_seen.extend(batches[-1:])

    view_class = type(window.view)
    paint = view_class.paintEvent

    def timed_paint(view, event) -> None:   # the frame's paint, as Qt delivers it after the handler
        start = time.perf_counter()
        paint(view, event)
        if handler_ms:
            frame_ms.append(handler_ms.pop() + (time.perf_counter() - start) * 1000.0)
            handler_ms.clear()

    view_class.paintEvent = timed_paint

    window.bridge.frame.connect(on_frame)
    window.bridge.set_speed(args.speed)
    window.toggle_play()
    loop = QEventLoop()
    QTimer.singleShot(int(1000 * 1.0), lambda: (frame_ms.clear(), stamps.clear(), in_flight.clear()))
    QTimer.singleShot(int(1000 * (args.seconds + 1.0)), loop.quit)
    loop.exec()
    window.close()
    intervals = np.diff(stamps) * 1000.0
    achieved = [b.achieved_speed for b in batches_seen[-60:]]
    print(json.dumps({
        "dots_target": args.dots, "seconds": args.seconds, "speed": args.speed,
        "frames": len(frame_ms),
        "frame_ms_p50": round(float(np.percentile(frame_ms, 50)), 3),
        "frame_ms_p95": round(float(np.percentile(frame_ms, 95)), 3),
        "frame_interval_ms_p50": round(float(np.percentile(intervals, 50)), 3),
        "frame_interval_ms_p95": round(float(np.percentile(intervals, 95)), 3),
        "fps": round(len(stamps) / (stamps[-1] - stamps[0]), 1) if len(stamps) > 1 else 0.0,
        "dots_in_flight_mean": int(np.mean(in_flight)) if in_flight else 0,
        "engine_achieved_speed": round(float(np.mean(achieved)), 1) if achieved else 0.0,
        "engine_lagging_share": round(float(np.mean([b.lagging for b in batches_seen])), 3) if batches_seen else 0.0,
        "sim_time_reached_s": round(window.engine_t, 1),
        "first_paint_s": first_paint,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
    }))


if __name__ == "__main__":
    main()
