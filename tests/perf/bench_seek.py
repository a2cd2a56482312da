"""Time travel: how long a seek takes, what the checkpoints of an hour hold, what they cost a run.

    python tests/perf/bench_seek.py [--example fan-out] [--hour 3600] [--seeks 40]

Plays the example for an hour of simulated time through the runner in the slices the engine
thread uses (0.5 s at a time) with checkpoints on, then seeks to random times across the hour and
measures each seek from the request to the first painted frame at the new time, split into
restore, replay and paint (the runner's batch applied to an offscreen window at 1280x800, the
frame rendered and the canvas repainted: what the app does after a jump; `--no-paint` leaves
the window out). The same hour is played with checkpoints off in the same process, alternating,
for the overhead. Prints one JSON line; it never fails on speed.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

from engine import examples, fileio  # noqa: E402
from engine.runner import Runner  # noqa: E402

SLICE_S = 0.5


def document(name: str, hour: float):
    doc = fileio.load(examples.path(name))
    doc.duration_s = hour
    return doc


class PacedClock:
    """The wall clock of the app's engine thread playing at `speed`: the real time spent plus the
    sleeps that hold it to that pace (the history spaces its checkpoints by the pace it sees)."""

    def __init__(self, speed: float) -> None:
        self.speed, self.start, self.idle = speed, time.perf_counter(), 0.0

    def __call__(self) -> float:
        return time.perf_counter() - self.start + self.idle

    def wait_for(self, sim_t: float) -> None:
        self.idle += max(0.0, sim_t / self.speed - self())


def play(name: str, hour: float, checkpoints: bool, r: Runner | None = None,
         speed: float = 0.0) -> tuple[Runner, float]:
    """Play the hour in the engine thread's slices; speed 0 runs flat out, else paced as the app."""
    r = r or Runner(document(name, hour))
    if not checkpoints:
        r.history.interval_s = float("inf")
    paced = PacedClock(speed) if speed else None
    if paced:
        r.history.clock = paced
        r.history._last_wall = paced()
    start = time.perf_counter()
    t = 0.0
    while t < hour:
        t = min(hour, t + SLICE_S)
        r.step(t)
        r._transfers.clear()     # the view would take them
        if paced:
            paced.wait_for(t)
    return r, time.perf_counter() - start


def timed_seek(r: Runner, target: float) -> tuple[float, float]:
    """(restore ms, replay ms) of one seek, split as the history does it."""
    h = r.history
    times = [c.t for c in h.checkpoints]
    start = h.checkpoints[max(0, int(np.searchsorted(times, target, side="right")) - 1)]
    t0 = time.perf_counter()
    sim = h._restore(start)
    t1 = time.perf_counter()
    sim.run_until(target)
    t2 = time.perf_counter()
    return (t1 - t0) * 1000, (t2 - t1) * 1000


def offscreen_window(doc):
    """The app's window on the document, engine thread not started: the bench drives its runner."""
    import os
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication
    from gui.window import MainWindow
    app = QApplication.instance() or QApplication([])
    window = MainWindow(doc, "light", start_engine=False)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    return app, window


def timed_paint(app, window, r: Runner) -> tuple[float, int]:
    """(ms, dots drawn) to put the runner's jump on screen: apply its batch, render, repaint."""
    start = time.perf_counter()
    window.apply_batches([r.make_batch()])
    window.render_frame(time.perf_counter(), force_badges=True)
    window.view.viewport().repaint()
    app.processEvents()
    return (time.perf_counter() - start) * 1000, window.animator.in_flight


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="fan-out")
    parser.add_argument("--hour", type=float, default=3600.0)
    parser.add_argument("--seeks", type=int, default=40)
    parser.add_argument("--no-paint", action="store_true", help="the engine's part only")
    parser.add_argument("--speed", type=float, default=100.0,
                        help="the app's playing speed the seeks' history is recorded at "
                             "(default 100, the top speed; 0 plays flat out, as the command line does)")
    args = parser.parse_args()

    app = window = None
    if not args.no_paint:
        app, window = offscreen_window(document(args.example, args.hour))
    walls = {True: [], False: []}
    for on in (True, False, True, False):      # flat out, for the overhead of checkpoints
        walls[on].append(play(args.example, args.hour, on)[1])
    kept, _ = play(args.example, args.hour, True, window.bridge.runner if window else None, args.speed)
    rng = random.Random(1)
    restore, replay, engine, paint, to_screen, dots = [], [], [], [], [], []
    for _ in range(args.seeks):
        target = rng.uniform(0, args.hour)
        a, b = timed_seek(kept, target)
        start = time.perf_counter()
        kept.seek(target)
        engine.append((time.perf_counter() - start) * 1000)
        restore.append(a)
        replay.append(b)
        if window is not None:
            ms, drawn = timed_paint(app, window, kept)
            paint.append(ms)
            to_screen.append(engine[-1] + ms)
            dots.append(drawn)
    h = kept.history
    p95 = lambda xs: round(float(np.percentile(xs, 95)), 1)   # noqa: E731
    print(json.dumps({
        "example": args.example, "simulated_s": args.hour, "seeks": args.seeks, "played_at_speed": args.speed or "flat out",
        "seek_to_painted_ms_p50": round(float(np.median(to_screen)), 1) if paint else None,
        "seek_to_painted_ms_p95": p95(to_screen) if paint else None,
        "engine_seek_ms_p50": round(float(np.median(engine)), 1), "engine_seek_ms_p95": p95(engine),
        "restore_ms_p95": p95(restore), "replay_ms_p95": p95(replay),
        "paint_ms_p95": p95(paint) if paint else None,
        "dots_after_seek_median": int(np.median(dots)) if dots else None,
        "checkpoints": len(h.checkpoints), "checkpoint_mb": round(h.nbytes / 1e6, 1),
        "play_wall_s_checkpoints_on": round(min(walls[True]), 2),
        "play_wall_s_checkpoints_off": round(min(walls[False]), 2),
        "overhead_pct": round(100 * (min(walls[True]) / min(walls[False]) - 1), 1),
    }))


if __name__ == "__main__":
    main()
