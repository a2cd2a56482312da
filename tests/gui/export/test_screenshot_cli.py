"""`flowdeck screenshot` arguments (issue 13): early times, a folder or an unknown extension as OUT,
JPEG for a .jpg name, and the vector formats of FORMAT.md 4.1."""
from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

FLOWDECK = os.path.join(os.path.dirname(sys.executable), "flowdeck")
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def screenshot(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([FLOWDECK, "screenshot", *args], capture_output=True, text=True, timeout=180, env=ENV)


def one_line(proc: subprocess.CompletedProcess) -> str:
    lines = [ln for ln in proc.stderr.splitlines() if "propagateSizeHints" not in ln]
    assert len(lines) == 1 and lines[0].startswith("flowdeck: "), proc.stderr
    return lines[0]


@pytest.mark.parametrize("at", ["0", "0.001"])
def test_the_first_instants_render(tmp_path, at):
    """Before any transfer exists the dot buffers are empty: once a crash (zero-size reduction)."""
    out = tmp_path / "at.png"
    proc = screenshot("web-tier", str(out), "--at", at, "--size", "400x300")
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("at, words", [("nan", "finite"), ("-0.5", "below the minimum"), ("1e400", "finite")])
def test_bad_times_exit_2_with_one_line(tmp_path, at, words):
    proc = screenshot("web-tier", str(tmp_path / "x.png"), "--at", at)
    assert proc.returncode == 2 and words in one_line(proc)
    assert not list(tmp_path.iterdir())


def test_a_folder_as_out_exits_2_with_one_line(tmp_path):
    proc = screenshot("web-tier", str(tmp_path))
    assert proc.returncode == 2 and "is a folder" in one_line(proc)


@pytest.mark.parametrize("name", ["x.bmp", "x", "x.png.txt"])
def test_an_unknown_extension_exits_2_before_any_work(tmp_path, name):
    proc = screenshot("web-tier", str(tmp_path / name))
    assert proc.returncode == 2 and ".png, .jpg, .jpeg, .svg or .pdf" in one_line(proc)
    assert not list(tmp_path.iterdir())


def test_a_jpg_name_gets_jpeg_bytes(tmp_path):
    out = tmp_path / "shot.jpg"
    proc = screenshot("web-tier", str(out), "--at", "30", "--size", "400x300")
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:3] == b"\xff\xd8\xff"     # the JPEG start-of-image marker, not PNG's signature


def test_svg_and_pdf_from_the_command_line(tmp_path):
    svg, pdf = tmp_path / "shot.svg", tmp_path / "shot.pdf"
    for out in (svg, pdf):
        proc = screenshot("failure", str(out), "--at", "100")
        assert proc.returncode == 0, proc.stderr
    root = ET.parse(svg).getroot()
    assert root.get("viewBox") == "0 0 1280 800"
    assert sum(1 for e in root.iter() if e.tag.endswith("circle")) > 20     # the dots are shapes
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.pdf", "shot.svg"]


def test_a_screenshot_shows_the_run_not_the_opening_card(qapp, tmp_path, monkeypatch):
    """The "About this demo" card greets a person opening a file; a screenshot is the live view."""
    from engine import examples, fileio
    from gui import screenshot as shot
    from gui.export import image
    seen = []
    real = image.write_widget
    monkeypatch.setattr(image, "write_widget", lambda widget, *a, **k: (
        seen.append(widget.stage.about_demo.isVisible()), real(widget, *a, **k)))
    shot.render_screenshot(fileio.load(examples.path("failure")), tmp_path / "s.png", at=30, size=(640, 400))
    assert seen == [False] and (tmp_path / "s.png").stat().st_size > 0
