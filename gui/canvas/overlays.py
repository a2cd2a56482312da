"""Widgets that float over the canvas at a fixed size: the caption banner and the dot legend."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from gui import theme
from gui.canvas.dots import DOT_COLOURS, DotKind

KIND_LABELS = {DotKind.REQUEST: "Request", DotKind.RESPONSE: "Response", DotKind.ERROR: "Error",
               DotKind.MESSAGE: "Message", DotKind.DEAD_LETTER: "Dead letter"}


class Banner(QWidget):
    """A caption for the audience (scenario `caption`), or the pause cue with its text."""

    MAX_WIDTH = 900

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.text = ""
        self.hint = ""
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()

    def show_text(self, text: str, hint: str = "") -> None:
        self.text, self.hint = text, hint
        self.place()
        self.show()
        self.raise_()
        self.update()

    def dismiss(self) -> None:
        self.text, self.hint = "", ""
        self.hide()

    def place(self) -> None:
        parent = self.parentWidget()
        if parent is None or not self.text:
            return
        avail = min(self.MAX_WIDTH * theme.stage_scale(), parent.width() - 80)
        title, small = theme.stage_font(15, bold=True), theme.stage_font(10.5)
        fm, fm_small = QFontMetricsF(title), QFontMetricsF(small)
        text_rect = fm.boundingRect(QRectF(0, 0, avail - 48, 1000), Qt.TextFlag.TextWordWrap, self.text)
        w = max(text_rect.width(), fm_small.horizontalAdvance(self.hint) if self.hint else 0) + 48
        h = text_rect.height() + 28 + (fm_small.height() + 6 if self.hint else 0)
        self.setGeometry(int((parent.width() - w) / 2), 18, int(w) + 1, int(h) + 1)

    def paintEvent(self, event: QPaintEvent) -> None:
        t = theme.current()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        bg = t.color("banner", 0.93)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(bg)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 14, 14)
        p.setPen(t.color("accent") if t.name == "light" else QColor("#2f6fdf"))
        p.setBrush(p.pen().color())
        p.drawRoundedRect(QRectF(0, 0, 6, self.height()).adjusted(10, 16, 10, -16), 2, 2)
        text_color = t.color("banner_text")
        p.setPen(text_color)
        p.setFont(theme.stage_font(15, bold=True))
        body = QRectF(self.rect()).adjusted(28, 14, -20, -14)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        p.drawText(body, flags, self.text)
        if self.hint:
            muted = QColor(text_color)
            muted.setAlphaF(0.7)
            p.setPen(muted)
            p.setFont(theme.stage_font(10.5))
            p.drawText(body, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, self.hint)


class Legend(QWidget):
    """Which colour is which dot, and how many transfers one dot stands for when sampling."""

    def __init__(self, parent: QWidget, kinds: list[DotKind]) -> None:
        super().__init__(parent)
        self.kinds = kinds
        self.stride = 1
        self._avoid: list[QRect] = []    # where the nodes are, in the view's coordinates
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def set_stride(self, stride: int) -> None:
        if stride != self.stride:
            self.stride = stride
            self.place()
            self.update()

    def sizeHint(self) -> QSize:
        fm = QFontMetricsF(theme.stage_font(10))
        w = sum(fm.horizontalAdvance(KIND_LABELS[k]) + 34 * theme.stage_scale() for k in self.kinds) + 14
        if self.stride > 1:
            w += fm.horizontalAdvance(self._sampling_text()) + 24
        return QSize(int(w), int(34 * theme.stage_scale()))

    def _sampling_text(self) -> str:
        what = "requests or messages" if DotKind.MESSAGE in self.kinds else "requests"
        return f"1 dot = {self.stride:,} {what}"

    def place(self, avoid: list[QRect] | None = None) -> None:
        """Bottom left, or the first corner (bottom right, top left, top right) that covers none of
        the `avoid` rects; where every corner covers something, bottom left."""
        parent = self.parentWidget()
        if parent is None:
            return
        if avoid is not None:
            self._avoid = avoid
        size = self.sizeHint()
        w, h, pw, ph = size.width(), size.height(), parent.width(), parent.height()
        corners = [QRect(16, ph - h - 16, w, h), QRect(pw - w - 16, ph - h - 16, w, h),
                   QRect(16, 16, w, h), QRect(pw - w - 16, 16, w, h)]
        free = [c for c in corners if not any(c.intersects(r) for r in self._avoid)]
        self.setGeometry((free or corners)[0])

    def paintEvent(self, event: QPaintEvent) -> None:
        t = theme.current()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(t.color("border"))
        p.setBrush(t.color("surface", 0.92))
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 10, 10)
        p.setFont(theme.stage_font(10))
        fm = QFontMetricsF(p.font())
        x, mid = 14.0, self.height() / 2
        for kind in self.kinds:
            colour = QColor(DOT_COLOURS[kind])
            p.setPen(colour.darker(160))
            p.setBrush(colour)
            r = 5 * theme.stage_scale()
            p.drawEllipse(QPointF(x + r, mid), r, r)
            p.setPen(t.color("text"))
            label = KIND_LABELS[kind]
            p.drawText(QRectF(x + 3.2 * r, 0, 400, self.height()), Qt.AlignmentFlag.AlignVCenter, label)
            x += fm.horizontalAdvance(label) + 6.8 * r
        if self.stride > 1:
            p.setPen(t.color("warning"))
            p.drawText(QRectF(x + 4, 0, 400, self.height()), Qt.AlignmentFlag.AlignVCenter, self._sampling_text())
