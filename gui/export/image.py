"""A widget and its children written to PNG / JPEG (raster, at a scale) or SVG / PDF (vector).

The vector formats go through Qt's SVG generator and PDF writer, so every item paints shapes into
them: the dot layer (gui.canvas.dots) sees a vector paint engine and draws one circle per dot.
A file is written under a temporary name in the same folder and moved over the target only once
it is whole: a failure never leaves half a file.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPoint, QRect, QSizeF
from PySide6.QtGui import QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QWidget

RASTER_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
VECTOR_SUFFIXES = (".svg", ".pdf")
JPEG_QUALITY = 92


def write_widget(widget: QWidget, out: str | os.PathLike, scale: float = 1.0, title: str = "",
                 pixels: tuple[int, int] | None = None) -> None:
    """Write `widget` as it is now to `out`; the format is the name's extension. Raster images have
    `scale` device pixels per widget pixel (resampled to `pixels` if they differ); SVG and PDF keep
    the widget's size (PDF in points)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in RASTER_FORMATS and suffix not in VECTOR_SUFFIXES:
        raise ValueError(f"{out}: unknown image format {suffix!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=suffix, prefix=".flowdeck-", dir=out.parent)
    os.close(fd)
    try:
        if suffix in RASTER_FORMATS:
            image = render_image(widget, scale)
            if pixels is not None and (image.width(), image.height()) != tuple(pixels):
                image = image.scaled(*pixels)
            if not image.save(tmp, RASTER_FORMATS[suffix], JPEG_QUALITY if suffix != ".png" else -1):
                raise OSError(f"{out}: cannot write the image")
        else:
            _write_vector(widget, tmp, suffix, title)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)     # mkstemp's private mode is not what the user's umask asks
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def render_image(widget: QWidget, scale: float = 1.0, image: QImage | None = None) -> QImage:
    """The widget rendered into an RGB32 image of its size times `scale` (reused when given)."""
    size = widget.size()
    w, h = round(size.width() * scale), round(size.height() * scale)
    if image is None or image.width() != w or image.height() != h:
        image = QImage(w, h, QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(scale)
    image.fill(QWidget.palette(widget).window().color())   # under what the widget leaves unpainted
    QWidget.render(widget, image)   # not QGraphicsView.render, which draws the scene only
    return image


def _write_vector(widget: QWidget, tmp: str, suffix: str, title: str) -> None:
    size = widget.size()
    if suffix == ".svg":
        device = QSvgGenerator()
        device.setFileName(tmp)
        device.setResolution(96)      # CSS pixels: a viewer shows it at the widget's size
        device.setSize(size)
        device.setViewBox(QRect(0, 0, size.width(), size.height()))
        device.setTitle(title or "FlowDeck")
        device.setDescription("Exported from FlowDeck")
    else:
        device = QPdfWriter(tmp)
        device.setResolution(72)       # one widget pixel is one point
        device.setPageSize(QPageSize(QSizeF(size.width(), size.height()), QPageSize.Unit.Point))
        device.setPageMargins(QMarginsF(0, 0, 0, 0))
        device.setTitle(title or "FlowDeck")
        device.setCreator("FlowDeck")
    painter = QPainter(device)
    try:
        with uncached(widget):
            QWidget.render(widget, painter, QPoint())
    finally:
        painter.end()
    if not os.path.getsize(tmp):
        raise OSError(f"cannot write {suffix[1:].upper()}")


@contextmanager
def uncached(widget: QWidget):
    """Every view under `widget` and every item of their scenes paints itself, not a cached bitmap
    (the views' background, the items' device caches), for as long as the block runs."""
    views = [v for v in [widget, *widget.findChildren(QGraphicsView)] if isinstance(v, QGraphicsView)]
    items = {id(i): i for v in views if v.scene() is not None for i in v.scene().items()}.values()
    saved_views = [(v, v.cacheMode()) for v in views]
    saved_items = [(i, i.cacheMode()) for i in items if i.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    for v, _ in saved_views:
        v.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
    for i, _ in saved_items:
        i.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        yield
    finally:
        for v, mode in saved_views:
            v.setCacheMode(mode)
        for i, mode in saved_items:
            i.setCacheMode(mode)
