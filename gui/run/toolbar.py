"""The run toolbar: play/pause, single step, reset, fit, the speed control and the simulated clock."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QSizePolicy, QSlider, QToolBar, QWidget

from gui import theme
from gui.canvas.icons import toolbar_icon
from gui.panels.activity import clock_text

SPEEDS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


def speed_text(speed: float) -> str:
    return f"{speed:g}×"


class RunToolbar(QToolBar):
    play_toggled = Signal()
    step_requested = Signal()
    reset_requested = Signal()
    fit_requested = Signal()
    speed_changed = Signal(float)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__("Run", parent)
        self.setMovable(False)
        self.setIconSize(QSize(26, 26))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.playing = False
        self.play_action = self._action("Play", "Space", self.play_toggled.emit)
        self.step_action = self._action("Single step (one event)", "S", self.step_requested.emit)
        self.reset_action = self._action("Reset to time 0", "R", self.reset_requested.emit)
        self.addSeparator()
        self._add_speed()
        self.addSeparator()
        self.clock = QLabel(clock_text(0.0))
        self.clock.setFont(theme.ui_font(17, bold=True))
        self.clock.setMinimumWidth(110)
        self.clock.setToolTip("Simulated time (minutes:seconds)")
        self.addWidget(_gap(6))
        self.addWidget(self.clock)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)   # the title fills the gap
        self._spacer = self.addWidget(spacer)
        self.title = ElidedLabel(title)
        self.title.setFont(theme.ui_font(11, bold=True))
        self.addWidget(self.title)
        self.addWidget(_gap(10))
        self.fit_action = self._action("Fit to view", "F", self.fit_requested.emit)
        self.restyle()

    def add_meter(self, widget: QWidget) -> None:
        """A live readout (the cost meter) after the clock."""
        self.insertWidget(self._spacer, widget)

    def _action(self, text: str, shortcut: str, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{text}  ({shortcut})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _add_speed(self) -> None:
        label = QLabel("Speed")
        label.setStyleSheet("padding: 0 6px 0 8px;")
        self.addWidget(label)
        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setRange(0, len(SPEEDS) - 1)
        self.speed_slider.setValue(SPEEDS.index(1.0))
        self.speed_slider.setFixedWidth(150)
        self.speed_slider.setPageStep(1)
        self.speed_slider.setToolTip("Simulated seconds per real second (+ / -)")
        self.speed_slider.valueChanged.connect(self._slider_moved)
        self.addWidget(self.speed_slider)
        self.speed_label = QLabel(speed_text(1.0))
        self.speed_label.setFont(theme.ui_font(12, bold=True))
        self.speed_label.setMinimumWidth(54)
        self.speed_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self.speed_label)
        self.faster = QAction("Faster", self)
        self.faster.setShortcuts([QKeySequence("+"), QKeySequence("=")])
        self.faster.triggered.connect(lambda: self.speed_slider.setValue(self.speed_slider.value() + 1))
        self.slower = QAction("Slower", self)
        self.slower.setShortcut(QKeySequence("-"))
        self.slower.triggered.connect(lambda: self.speed_slider.setValue(self.speed_slider.value() - 1))
        for action in (self.faster, self.slower):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.speed_actions = [self.faster, self.slower]   # the window adds them: no buttons for these

    def _slider_moved(self, index: int) -> None:
        speed = SPEEDS[index]
        self.speed_label.setText(speed_text(speed))
        self.speed_changed.emit(speed)

    @property
    def speed(self) -> float:
        return SPEEDS[self.speed_slider.value()]

    def set_playing(self, playing: bool) -> None:
        if playing != self.playing:
            self.playing = playing
            self._update_play()

    def set_clock(self, t: float) -> None:
        text = clock_text(t)
        if text != self.clock.text():
            self.clock.setText(text)

    def _update_play(self) -> None:
        t = theme.current()
        self.play_action.setIcon(toolbar_icon("pause" if self.playing else "play", t.accent))
        self.play_action.setText("Pause" if self.playing else "Play")
        self.play_action.setToolTip(("Pause" if self.playing else "Play") + "  (Space)")

    def restyle(self) -> None:
        t = theme.current()
        self._update_play()
        self.step_action.setIcon(toolbar_icon("step", t.text))
        self.reset_action.setIcon(toolbar_icon("reset", t.text))
        self.fit_action.setIcon(toolbar_icon("fit", t.text))
        self.title.setStyleSheet(f"color: {t.muted};")


class ElidedLabel(QLabel):
    """The document's title: it gives way (ending in "...") instead of pushing the toolbar's
    buttons into its overflow menu; the whole title is its tooltip."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.full = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(60)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setText(text)

    def setText(self, text: str) -> None:
        self.full = text
        self.setToolTip(text)
        self._elide()

    def text(self) -> str:
        return self.full

    def sizeHint(self):
        hint = super().sizeHint()   # small: the toolbar never overflows for a long title
        hint.setWidth(self.minimumWidth())
        return hint

    def minimumSizeHint(self):
        return self.sizeHint()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        super().setText(self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideRight, max(0, self.width() - 4)))


def _gap(width: int) -> QWidget:
    w = QWidget()
    w.setFixedWidth(width)
    return w
