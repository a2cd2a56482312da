"""Video export speed: frames per second of `flowdeck video` at 1280x720 and 1920x1080, and file sizes.

    QT_QPA_PLATFORM=offscreen python tests/perf/bench_video.py [--example failure] [--seconds 10]

For each size it exports the same range of an example to MP4 and to GIF (the real code path:
gui.export.video.VideoJob) and prints frames per second of video made (the goal is at least 30
at 720p: faster than real time) and the file's size. Beside it, in the same run, the baseline:
the frames drawn but not encoded, and the share of each frame's time spent in the simulation
(`Runner.step`), in updating the scene (state, dots, captions), in painting and in handing the
pixels to ffmpeg (which encodes in its own process, on another core when there is one). Prints
a table; it never fails on speed.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtWidgets import QApplication  # noqa: E402

from engine import examples, fileio  # noqa: E402
from engine.cli_export import frame_count  # noqa: E402
from gui import theme  # noqa: E402
from gui.export.stage import Stage  # noqa: E402
from gui.export.video import VideoJob  # noqa: E402

SIZES = ((1280, 720), (1920, 1080))
GOAL_FPS_720P = 30


def plan(out: Path, size: tuple[int, int], start: float, seconds: float, fps: int = 30) -> dict:
    return {"out": out, "start": start, "end": start + seconds, "fps": fps, "speed": 1.0, "size": size,
            "theme": "light", "frames": frame_count(start, start + seconds, fps, 1.0)}


def export(doc, p: dict) -> tuple[float, float, int]:
    """(frames per second, wall seconds, bytes) of a whole export, set-up and encoder flush included."""
    t0 = time.perf_counter()
    job = VideoJob(doc, p)
    for _ in job.run():
        pass
    wall = time.perf_counter() - t0
    return p["frames"] / wall, wall, p["out"].stat().st_size


def draw_only(doc, p: dict) -> tuple[float, dict[str, float]]:
    """Frames per second drawn without an encoder, and where each frame's time goes (ms)."""
    stage = Stage(doc, p["size"], p["speed"], p["fps"])
    stage.start(p["start"])
    parts = {"simulate": 0.0, "update scene": 0.0, "paint": 0.0, "pixels out": 0.0}
    runner_step = stage.runner.step

    def timed_step(until: float) -> None:
        s = time.perf_counter()
        runner_step(until)
        parts["simulate"] += time.perf_counter() - s
    stage.runner.step = timed_step
    t0 = time.perf_counter()
    for k in range(p["frames"]):
        s = time.perf_counter()
        stage.frame(p["start"] + k / p["fps"])
        m = time.perf_counter()
        image = stage.image()
        e = time.perf_counter()
        bytes(image.constBits())       # what handing the frame over costs at least: one copy
        parts["update scene"] += m - s
        parts["paint"] += e - m
        parts["pixels out"] += time.perf_counter() - e
    wall = time.perf_counter() - t0
    stage.close()
    parts["update scene"] -= parts["simulate"]
    return p["frames"] / wall, {k: 1000 * v / p["frames"] for k, v in parts.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--example", default="failure")
    ap.add_argument("--from", dest="start", type=float, default=55.0)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.apply(app, theme.THEMES["light"])
    doc = fileio.load(examples.path(args.example))
    print(f"{args.example}, {args.seconds:g} simulated s from {args.start:g} s at 30 fps, speed 1 "
          f"({os.cpu_count()} cores)")
    print(f"{'size':>10} {'format':>6} {'fps':>7} {'wall s':>7} {'MB':>7}   "
          f"{'drawn only fps':>14}   ms per frame: simulate / update scene / paint / pixels out")
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            drawn_fps, parts = draw_only(doc, plan(Path(tmp) / "none", size, args.start, args.seconds))
            split = " / ".join(f"{v:.1f}" for v in parts.values())
            for fmt in ("mp4", "gif"):
                p = plan(Path(tmp) / f"bench.{fmt}", size, args.start, args.seconds)
                fps, wall, size_bytes = export(doc, p)
                label = f"{size[0]}x{size[1]}"
                print(f"{label:>10} {fmt:>6} {fps:7.1f} {wall:7.2f} {size_bytes / 1e6:7.2f}   "
                      f"{drawn_fps:14.1f}   {split}")
    print(f"goal: at least {GOAL_FPS_720P} fps for MP4 at 1280x720")


if __name__ == "__main__":
    main()
