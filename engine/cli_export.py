"""The export commands' arguments: `flowdeck screenshot` (its output path) and `flowdeck video`.

Everything a user can get wrong is checked here, before Qt is loaded or a frame is drawn: the
output's folder and extension, the time range, the frame rate, the speed and the size. The GUI
(gui.screenshot, gui.export.video) is imported only once the arguments are good.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg", ".pdf")
VIDEO_SUFFIXES = (".mp4", ".gif")
MIN_SIDE, MAX_SIDE = 100, 8000
MAX_VIDEO_SIDE = 3840
MAX_FPS = 120
MAX_FRAMES = 100_000


class OutError(ValueError):
    """A bad output path: the message names it and says why."""


def check_out(out: str, suffixes: tuple[str, ...], what: str) -> Path:
    """The output path, if it can be written: a known extension, not a folder, in a folder that exists
    (or can be made: the screenshot has always created missing folders)."""
    path = Path(out)
    if path.is_dir():
        raise OutError(f"{out}: is a folder; give a file name ending in {_choices(suffixes)}")
    if path.suffix.lower() not in suffixes:
        raise OutError(f"{out}: cannot tell the {what} format from the name; use {_choices(suffixes)}")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutError(f"{out}: {parent} is a file, not a folder")
            break
    return path


def _choices(suffixes: tuple[str, ...]) -> str:
    return ", ".join(suffixes[:-1]) + " or " + suffixes[-1]


def parse_size(text: str, hi: int = MAX_SIDE) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
        if not (MIN_SIDE <= w <= hi and MIN_SIDE <= h <= hi):
            raise ValueError
    except ValueError:
        raise OutError(f"--size must be WIDTHxHEIGHT between {MIN_SIDE} and {hi}, not {text!r}") from None
    return w, h


def add_video_parser(sub, bounded: Callable, max_duration_s: float) -> None:
    """`flowdeck video FILE OUT.mp4|OUT.gif` (FORMAT.md 4.1); `bounded` is the CLI's number type."""
    video = sub.add_parser("video", help="render the live view to an MP4 (H.264) or GIF, frame by frame")
    video.add_argument("file", help="a .flowdeck.json file or the name of a built-in example")
    video.add_argument("out", help="OUT.mp4 (H.264) or OUT.gif")
    video.add_argument("--from", dest="start", metavar="S", type=bounded(0, max_duration_s, "s"), default=0.0,
                       help="simulated time of the first frame (s, default 0)")
    video.add_argument("--to", dest="end", metavar="S", type=bounded(0, max_duration_s, "s", above=True),
                       help="simulated time the video ends (s, default: --from + 20 s, within the file's duration)")
    video.add_argument("--fps", metavar="N", type=bounded(0, MAX_FPS, integer=True, above=True), default=30,
                       help=f"frames per video second, 1 to {MAX_FPS} (default 30)")
    video.add_argument("--speed", metavar="X", type=bounded(0.01, 1000), default=1.0,
                       help="simulated seconds per video second (default 1)")
    video.add_argument("--size", metavar="WxH", default="1280x720", help="WIDTHxHEIGHT in pixels (default 1280x720)")
    video.add_argument("--theme", choices=("light", "dark"), default="light")


DEFAULT_LENGTH_S = 20.0


def video_plan(args: argparse.Namespace, duration_s: float) -> dict:
    """The checked settings of a video: out path, range, fps, speed, size and the frame count."""
    out = check_out(args.out, VIDEO_SUFFIXES, "video")
    size = parse_size(args.size, MAX_VIDEO_SIDE)
    if out.suffix.lower() == ".mp4" and (size[0] % 2 or size[1] % 2):
        raise OutError(f"--size {args.size}: H.264 needs an even width and height")
    start = args.start
    end = args.end if args.end is not None else min(start + DEFAULT_LENGTH_S, duration_s)
    if start >= duration_s:
        raise OutError(f"--from {start:g} s is at or after the end of the run ({duration_s:g} s)")
    if end > duration_s:
        raise OutError(f"--to {end:g} s is after the end of the run ({duration_s:g} s)")
    if end <= start:
        raise OutError(f"--to {end:g} s must be after --from {start:g} s")
    frames = frame_count(start, end, args.fps, args.speed)
    if frames > MAX_FRAMES:
        raise OutError(f"{frames:,} frames is over the limit of {MAX_FRAMES:,}: "
                       "shorten the range, raise --speed or lower --fps")
    return {"out": out, "start": start, "end": end, "fps": int(args.fps), "speed": args.speed,
            "size": size, "theme": args.theme, "frames": frames}


def frame_count(start: float, end: float, fps: int, speed: float) -> int:
    """Frames of a video of simulated [start, end) at `speed` simulated seconds per video second."""
    return max(1, round((end - start) / speed * fps))


class ProgressBar:
    """A one-line progress bar on stderr, redrawn in place; nothing when stderr is not a terminal
    but the final line."""

    WIDTH = 30

    def __init__(self, total: int, label: str, stream=None) -> None:
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._shown = -1

    def update(self, done: int) -> None:
        percent = done * 100 // max(1, self.total)
        if percent == self._shown or not self.tty and done < self.total:
            return
        self._shown = percent
        filled = done * self.WIDTH // max(1, self.total)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        end = "\n" if done >= self.total else ""
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}% {done}/{self.total} frames{end}")
        self.stream.flush()


def cmd_video(args: argparse.Namespace, load: Callable) -> int:
    """`flowdeck video`: exit 2 for bad arguments (before any frame), 1 if the encoder fails."""
    doc = load(args.file)
    plan = video_plan(args, doc.duration_s)
    try:
        from gui.export.video import render_video
    except ImportError as e:
        print(f"flowdeck: the live view is not available: {e}", file=sys.stderr)
        return 1
    bar = ProgressBar(plan["frames"], plan["out"].name)
    try:
        render_video(doc, plan, progress=bar.update)
    except OSError as e:
        print(f"flowdeck: {plan['out']}: cannot write the video: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0
