"""Images of the live view: PNG / JPEG by their names, and SVG / PDF whose every dot is a shape."""
from __future__ import annotations

import pytest

from gui.export.image import write_widget
from gui.screenshot import snapshot

@pytest.mark.parametrize("name, at", [("failure", 100.0), ("fan-out", 45.0)])
def test_svg_holds_one_circle_per_dot_in_flight(make_window, tmp_path, dot_circles, name, at):
    window = make_window(name, start_engine=False)
    snapshot(window, at)
    in_flight = window.animator.in_flight
    assert in_flight > 10, "the moment chosen should have traffic on the canvas"
    out = tmp_path / "canvas.svg"
    write_widget(window.view, out, title="t")
    legend = len(window.view.legend.kinds) if window.view.legend.isVisible() else 0
    assert dot_circles(out) == in_flight + legend   # every dot drawn (none merged per pixel), plus the legend's samples
    assert "<image" not in out.read_text().split("<defs>")[-1].split("</defs>")[-1], "a bitmap outside the grid pattern"


def test_pdf_is_written_whole(make_window, tmp_path):
    window = make_window("failure", start_engine=False)
    snapshot(window, 100.0)
    out = tmp_path / "canvas.pdf"
    write_widget(window.view, out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert not list(tmp_path.glob(".flowdeck-*")), "the temporary file was left behind"


def test_png_at_a_scale_has_that_many_pixels(make_window, tmp_path):
    window = make_window("failure", start_engine=False)
    snapshot(window, 100.0)
    out = tmp_path / "canvas.png"
    write_widget(window.view, out, scale=2.0)
    from PySide6.QtGui import QImage
    image = QImage(str(out))
    assert (image.width(), image.height()) == (window.view.width() * 2, window.view.height() * 2)
