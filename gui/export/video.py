"""Videos of a run: frames drawn by a `Stage` at evenly spaced simulated times, piped to ffmpeg.

The ffmpeg binary is the one the imageio-ffmpeg wheel ships (a runtime dependency: nothing to
install beside pip). Frames go in as raw 32-bit pixels on its standard input; MP4 is H.264
(yuv420p, which every player reads); a GIF has one 256-colour palette made from the first frame
and the colours that may come later, so each frame stores only what changed. The video is written
under a temporary name beside the target and moved over it only when ffmpeg has finished well; a
cancel or a failure leaves nothing.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterator

from PySide6.QtGui import QColor, QImage, QPainter

from engine.model import Document
from gui import theme
from gui.canvas.dots import DOT_COLOURS
from gui.export.stage import Stage

MP4_OUTPUT = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
              "-movflags", "+faststart"]
GIF_FILTER = "[0:v][1:v]paletteuse=dither=none:diff_mode=rectangle"
SWATCH_SHARE = 0.25   # of the palette's sample image: the colours a later frame may bring


def gif_palette(first: QImage) -> str:
    """A 256-colour palette (a PNG file) for the whole GIF: one palette lets each frame store only
    what changed. It is made from the first frame and, over a quarter of the sample, every colour
    the canvas can show later (dots, health, warnings), so an error's red is red when it comes."""
    colours = [*DOT_COLOURS.values()]
    t = theme.current()
    colours += [t.healthy, t.pending, t.unhealthy, t.draining, t.warning, t.accent, t.banner, t.banner_text, t.text]
    w, h = first.width(), first.height()
    band = max(len(colours), int(h * SWATCH_SHARE))
    sample = QImage(w, h + band, QImage.Format.Format_RGB32)
    painter = QPainter(sample)
    painter.drawImage(0, 0, first)
    for i, colour in enumerate(colours):
        painter.fillRect(w * i // len(colours), h, w // len(colours) + 1, band, QColor(colour))
    painter.end()
    fd, source = tempfile.mkstemp(suffix=".png", prefix="flowdeck-sample-")
    os.close(fd)
    palette = source.replace("sample", "palette")
    try:
        sample.save(source, "PNG")
        subprocess.run([ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", "-i", source,
                        "-vf", "palettegen=stats_mode=full", palette], check=True, capture_output=True)
    except subprocess.CalledProcessError as e:
        raise OSError(f"the GIF palette failed: {e.stderr.decode(errors='replace').strip()[-200:]}") from None
    finally:
        os.unlink(source)
    return palette


def ffmpeg_exe() -> str:
    import imageio_ffmpeg
    return imageio_ffmpeg.get_ffmpeg_exe()


class Encoder:
    """An ffmpeg process that turns raw frames of `size` at `fps` into `out` (.mp4 or .gif); it
    starts with the first frame (a GIF's palette is made from it)."""

    def __init__(self, out: Path, size: tuple[int, int], fps: int) -> None:
        self.out, self.size, self.fps = Path(out), size, fps
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.gif = self.out.suffix.lower() == ".gif"
        fd, self.tmp = tempfile.mkstemp(suffix=self.out.suffix.lower(), prefix=".flowdeck-", dir=self.out.parent)
        os.close(fd)
        self.log = tempfile.TemporaryFile()
        self.proc: subprocess.Popen | None = None
        self._palette: str | None = None

    def _start(self, first: QImage) -> None:
        raw = ["-f", "rawvideo", "-pix_fmt", "bgr0" if sys.byteorder == "little" else "0rgb",
               "-s", f"{self.size[0]}x{self.size[1]}", "-r", str(self.fps), "-i", "-"]
        if self.gif:
            self._palette = gif_palette(first)
            output = ["-i", self._palette, "-lavfi", GIF_FILTER, "-loop", "0"]
        else:
            output = MP4_OUTPUT
        cmd = [ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", *raw, *output, self.tmp]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self.log)

    def write(self, image: QImage) -> None:
        if self.proc is None:
            self._start(image)
        try:
            self.proc.stdin.write(image.constBits())
        except BrokenPipeError:
            raise OSError(f"the encoder stopped: {self._error()}") from None

    def finish(self) -> None:
        if self.proc is None:
            self.abort()
            raise OSError("no frame to encode")
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            error = self._error()
            self.abort()
            raise OSError(f"the encoder failed: {error}")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.tmp, 0o666 & ~umask)
        os.replace(self.tmp, self.out)
        self._clean()

    def abort(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)
        self._clean()

    def _clean(self) -> None:
        if self._palette and os.path.exists(self._palette):
            os.unlink(self._palette)
        self.log.close()

    def _error(self) -> str:
        self.log.seek(0)
        lines = self.log.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"ffmpeg exited with {self.proc.poll() if self.proc else None}"


class VideoJob:
    """One video being made: `step()` draws and encodes the next frame; the caller decides the
    pace (a loop on the command line, a timer in the app, so the window stays responsive)."""

    def __init__(self, doc: Document, plan: dict) -> None:
        self.plan = plan
        self.frames = plan["frames"]
        self.done = 0
        self.stage = Stage(doc, plan["size"], plan["speed"], plan["fps"])
        self.primed = self.finished = False
        self.encoder = Encoder(plan["out"], plan["size"], plan["fps"])

    def time_of(self, k: int) -> float:
        return self.plan["start"] + k * self.plan["speed"] / self.plan["fps"]

    def step(self) -> bool:
        """Draw and encode one frame (or, before the first, run a slice of the time before it);
        False once every frame is written (the file is then complete)."""
        if not self.primed:
            self.primed = self.stage.prime(self.plan["start"])
            return True
        if self.done < self.frames:
            self.stage.frame(self.time_of(self.done))
            self.encoder.write(self.stage.image())
            self.done += 1
        if self.done == self.frames and not self.finished:
            self.finished = True
            self.encoder.finish()
            self.stage.close()
        return not self.finished

    def cancel(self) -> None:
        self.encoder.abort()
        self.stage.close()

    def run(self) -> Iterator[int]:
        try:
            while self.step():
                yield self.done
            yield self.done
        except BaseException:
            self.cancel()
            raise


def render_video(doc: Document, plan: dict, progress: Callable[[int], None] | None = None) -> None:
    """`flowdeck video`: a QApplication of its own (offscreen without a display), the theme, the frames."""
    if "QT_QPA_PLATFORM" not in os.environ and not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from gui import theme
    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.apply(app, theme.THEMES[plan["theme"]])
    job = VideoJob(doc, plan)
    for done in job.run():
        if progress is not None:
            progress(done)
