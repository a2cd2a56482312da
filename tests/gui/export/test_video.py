"""Videos (issue 13): frame count and size read back from the file, frames that change where the
dots move and nowhere else, the same frames from the same document and seed, bad arguments."""
from __future__ import annotations

import os
import subprocess
import sys

import imageio_ffmpeg
import numpy as np
import pytest
from PySide6.QtCore import QPointF

from engine import examples, fileio
from gui.canvas.groups import GroupItem
from gui.export.stage import Stage

FLOWDECK = os.path.join(os.path.dirname(sys.executable), "flowdeck")
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def video(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([FLOWDECK, "video", *args], capture_output=True, text=True, timeout=300, env=ENV)


def pixels(image) -> np.ndarray:
    """A copy of an RGB32 QImage as an (h, w) array of 32-bit pixels."""
    h, w = image.height(), image.width()
    return np.frombuffer(image.constBits(), np.uint32, count=h * image.bytesPerLine() // 4).reshape(h, -1)[:, :w].copy()


def read_back(path) -> tuple[tuple[int, int], list[np.ndarray]]:
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = reader.__next__()
    w, h = meta["size"]
    frames = [np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in reader]
    return (w, h), frames


def test_an_mp4_has_the_frames_and_size_asked_for(tmp_path):
    out = tmp_path / "crash.mp4"
    proc = video("failure", str(out), "--from", "58", "--to", "62", "--fps", "10", "--size", "480x270")
    assert proc.returncode == 0, proc.stderr
    size, frames = read_back(out)
    assert size == (480, 270)
    assert len(frames) == (62 - 58) * 10          # a frame every 0.1 simulated second at --speed 1
    assert imageio_ffmpeg.count_frames_and_secs(str(out)) == (40, 4.0)
    changed = [np.abs(a.astype(int) - b).max() > 40 for a, b in zip(frames, frames[1:])]
    assert all(changed), "every frame moves on: dots travel at 40 requests a second"
    assert "100%" in proc.stderr and "40/40 frames" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crash.mp4"], "a temporary file was left behind"


def test_speed_and_a_gif(tmp_path):
    out = tmp_path / "fast.gif"
    proc = video("web-tier", str(out), "--from", "100", "--to", "160", "--speed", "10", "--fps", "5",
                 "--size", "320x180")
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:6] == b"GIF89a"
    size, frames = read_back(out)
    assert size == (320, 180) and len(frames) == 60 / 10 * 5


def stage_at(name: str, t0: float, size=(640, 360), fps: int = 30) -> Stage:
    doc = fileio.load(examples.path(name))
    stage = Stage(doc, size, 1.0, fps)
    stage.start(t0)
    return stage


def dot_pixels(stage: Stage) -> np.ndarray:
    """Where the stage's dots are drawn, in image pixels."""
    dots = stage.scene.dots
    points = [stage.view.mapFromScene(QPointF(x, y)) for x, y in zip(dots._x[:dots.count], dots._y[:dots.count])]
    return np.array([(p.x() * stage.scale, p.y() * stage.scale) for p in points]).reshape(-1, 2)


def test_frames_differ_where_the_dots_move_and_only_there(qapp):
    stage = stage_at("failure", 20.0)
    for k in range(3):     # frames 0..2; badges are redrawn at frame 0 and then every 0.25 video seconds
        stage.frame(20.0 + k / 30)
        if k == 1:
            before, dots_before = pixels(stage.image()), dot_pixels(stage)
    after, dots_after = pixels(stage.image()), dot_pixels(stage)
    changed = np.argwhere(before != after)          # (row, column) pairs
    rows, cols = changed[:, 0] / stage.scale, changed[:, 1] / stage.scale
    # The clock and the group's instance cards (their utilisation bars follow every state) change too.
    boxes = [stage.clock.geometry()] + [stage.view.mapFromScene(item.sceneBoundingRect()).boundingRect()
                                        for item in stage.scene.items_by_id.values() if isinstance(item, GroupItem)]
    for box in boxes:
        inside = (cols >= box.left()) & (cols <= box.right() + 1) & (rows >= box.top()) & (rows <= box.bottom() + 1)
        changed, rows, cols = changed[~inside], rows[~inside], cols[~inside]
    assert len(changed) > 50
    dots = np.vstack([dots_before, dots_after])
    reach = stage.scene.dots.dot_size * stage.scale * stage.view.zoom() / 2 + 2
    nearest = np.min(np.hypot(changed[:, 1, None] - dots[None, :, 0], changed[:, 0, None] - dots[None, :, 1]), axis=1)
    assert nearest.max() <= reach, "a pixel changed away from every dot"
    assert len(dots_after) > 10
    for x, y in dots_after:     # and every dot drawn outside those boxes changed a pixel near it (each one moves)
        if not any(box.contains(int(x / stage.scale), int(y / stage.scale)) for box in boxes):
            assert np.hypot(changed[:, 1] - x, changed[:, 0] - y).min() <= reach
    stage.close()


def test_the_same_document_and_seed_give_the_same_frames(qapp):
    a, b = stage_at("failure", 59.0), stage_at("failure", 59.0)
    for k in range(12):
        t = 59.0 + k / 4
        a.frame(t)
        b.frame(t)
    assert np.array_equal(pixels(a.image()), pixels(b.image()))
    assert a.view.banner.isVisible() and "crashes" in a.view.banner.text    # the caption at 60 s is in the frame
    a.close()
    b.close()


@pytest.mark.parametrize("args, words", [
    (("--from", "480"), "at or after the end of the run"),
    (("--from", "10", "--to", "5"), "must be after --from"),
    (("--to", "500"), "after the end of the run (480 s)"),
    (("--size", "641x360"), "even width and height"),
    (("--size", "50x50"), "--size must be WIDTHxHEIGHT"),
    (("--fps", "0"), "--fps must be above 0"),
    (("--speed", "0"), "--speed 0"),
    (("--speed", "nan"), "finite"),
    (("--from", "0", "--to", "480", "--fps", "120", "--speed", "0.1"), "over the limit"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, args, words):
    proc = video("failure", str(tmp_path / "v.mp4"), *args)
    lines = [ln for ln in proc.stderr.splitlines() if "propagateSizeHints" not in ln]
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("flowdeck: "), proc.stderr
    assert words in lines[0]
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name, words", [("v.avi", "use .mp4 or .gif"), ("", "is a folder")])
def test_a_bad_out_exits_2(tmp_path, name, words):
    proc = video("failure", str(tmp_path / name) if name else str(tmp_path))
    assert proc.returncode == 2 and words in proc.stderr
