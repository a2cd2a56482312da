"""Light and Dark themes: the app's own palette, independent of the platform's colour scheme.

The offscreen platform (and many desktops) report no colour scheme, so the app sets everything
itself: the Qt palette on the Fusion style, a small style sheet, and the colours the canvas, the
charts and the overlays read from `current()`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

CHECK_ICON = (Path(__file__).resolve().parent.parent / "resources" / "icons" / "check.svg").as_posix()
FONT_FAMILIES = ["Inter", "Segoe UI", "Helvetica Neue", "Cantarell", "Ubuntu", "Noto Sans", "DejaVu Sans"]


@dataclass(frozen=True)
class Theme:
    name: str
    canvas: str          # the canvas background
    grid: str            # the faint dot grid on the canvas
    window: str          # docks and toolbars
    surface: str         # cards, plots, the log
    surface_alt: str
    text: str
    muted: str
    border: str
    edge: str            # connection lines
    accent: str          # selection, focus, captions
    frame: str           # an Auto Scaling group's dashed border
    frame_fill: str
    healthy: str
    pending: str
    unhealthy: str
    draining: str
    warning: str
    banner: str          # caption banner background
    banner_text: str
    chart_lines: tuple[str, ...]

    def color(self, name: str, alpha: float = 1.0) -> QColor:
        c = QColor(getattr(self, name))
        c.setAlphaF(alpha)
        return c


LIGHT = Theme(
    name="light", canvas="#f4f6f9", grid="#dde2ea", window="#eceff3", surface="#ffffff",
    surface_alt="#f6f8fa", text="#1d2733", muted="#66768a", border="#d3d9e1", edge="#8795a8",
    accent="#2f6fdf", frame="#d9822b", frame_fill="#fdf6ee", healthy="#24a05a", pending="#8a96a8",
    unhealthy="#d93b3b", draining="#e09b1c", warning="#b86e00", banner="#1f2a3a", banner_text="#ffffff",
    chart_lines=("#2f80ed", "#e5383b", "#24a05a", "#d9822b", "#8e5bd6", "#0fa3b1", "#c2477f"),
)

DARK = Theme(
    name="dark", canvas="#14181e", grid="#232a33", window="#1b2028", surface="#20262f",
    surface_alt="#262d37", text="#e4e8ee", muted="#93a0b1", border="#343d49", edge="#66758a",
    accent="#5b9bff", frame="#e39442", frame_fill="#211d19", healthy="#3cc274", pending="#7d8899",
    unhealthy="#f05454", draining="#f0b43c", warning="#f0b43c", banner="#eef2f8", banner_text="#131820",
    chart_lines=("#5aa2ff", "#ff6b6b", "#3cc274", "#f0a04b", "#b48cff", "#3cc9d6", "#ff7eb6"),
)

THEMES = {"light": LIGHT, "dark": DARK}
_current: list[Theme] = [LIGHT]


def current() -> Theme:
    return _current[0]


def ui_font(point_size: float = 10.0, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


_stage_scale: list[float] = [1.0]


def stage_font(point_size: float = 10.0, bold: bool = False) -> QFont:
    """A font for what the audience reads over the canvas (captions, legend, clock): ui_font, times
    the presentation text size while presenting (View > Presentation text size)."""
    return ui_font(point_size * _stage_scale[0], bold)


def stage_scale() -> float:
    return _stage_scale[0]


def set_stage_scale(scale: float) -> None:
    _stage_scale[0] = scale


def pixel_font(pixel_size: int, weight: QFont.Weight = QFont.Weight.Normal) -> QFont:
    """A font sized in scene units, so text scales with the canvas zoom like everything else."""
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPixelSize(pixel_size)
    font.setWeight(weight)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def _palette(t: Theme) -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    for r, c in ((role.Window, t.window), (role.WindowText, t.text), (role.Base, t.surface),
                 (role.AlternateBase, t.surface_alt), (role.Text, t.text), (role.Button, t.surface),
                 (role.ButtonText, t.text), (role.ToolTipBase, t.surface), (role.ToolTipText, t.text),
                 (role.Highlight, t.accent), (role.HighlightedText, "#ffffff"), (role.PlaceholderText, t.muted),
                 (role.Mid, t.border), (role.Midlight, t.surface_alt), (role.Dark, t.border),
                 (role.Light, t.surface), (role.Shadow, t.border), (role.Link, t.accent)):
        p.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, r, QColor(t.muted))
    return p


def _style_sheet(t: Theme) -> str:
    return f"""
    QMainWindow, QDockWidget {{ background: {t.window}; color: {t.text}; }}
    QToolBar {{ background: {t.window}; border: none; border-bottom: 1px solid {t.border};
                padding: 6px 10px; spacing: 6px; }}
    QToolBar QToolButton {{ border: 1px solid transparent; border-radius: 8px; padding: 5px; }}
    QToolBar QToolButton:hover {{ background: {t.surface}; border-color: {t.border}; }}
    QToolBar QToolButton:checked {{ background: {t.surface}; border-color: {t.border}; }}
    QDockWidget::title {{ background: {t.window}; padding: 8px 12px 4px 12px; color: {t.muted}; }}
    QStatusBar {{ background: {t.window}; color: {t.muted}; border-top: 1px solid {t.border}; }}
    QStatusBar QLabel {{ padding: 0 10px; }}
    QTableView {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 8px;
                  gridline-color: transparent; selection-background-color: {t.accent}; }}
    QHeaderView::section {{ background: {t.surface}; color: {t.muted}; border: none;
                            border-bottom: 1px solid {t.border}; padding: 4px 8px; }}
    QComboBox {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 6px;
                 padding: 3px 8px; min-width: 110px; }}
    QComboBox QAbstractItemView {{ background: {t.surface}; color: {t.text}; outline: none; }}
    QComboBox::item:selected {{ background: {t.accent}; color: #ffffff; }}
    QSlider::groove:horizontal {{ height: 4px; background: {t.border}; border-radius: 2px; }}
    QSlider::sub-page:horizontal {{ background: {t.accent}; border-radius: 2px; }}
    QSlider::handle:horizontal {{ background: {t.surface}; border: 2px solid {t.accent};
                                  width: 12px; height: 12px; margin: -6px 0; border-radius: 8px; }}
    QMenu {{ background: {t.surface}; border: 1px solid {t.border}; padding: 4px; }}
    QMenu::item {{ padding: 6px 22px 6px 14px; border-radius: 4px; }}
    QMenu::item:selected {{ background: {t.accent}; color: #ffffff; }}
    QMenu::separator {{ height: 1px; background: {t.border}; margin: 4px 8px; }}
    QMenuBar {{ background: {t.window}; color: {t.text}; }}
    QMenuBar::item:selected {{ background: {t.surface}; }}
    QCheckBox::indicator {{ width: 13px; height: 13px; border: 1px solid {t.muted}; border-radius: 3px;
                           background: {t.surface}; }}
    QCheckBox::indicator:checked {{ background: {t.accent}; border-color: {t.accent}; image: url({CHECK_ICON}); }}
    QCheckBox::indicator:disabled {{ border-color: {t.border}; }}
    """


def apply(app: QApplication, theme: Theme) -> None:
    """Make `theme` current and restyle the application widgets with it."""
    _current[0] = theme
    app.setStyle("Fusion")
    app.setFont(ui_font(10))
    app.setPalette(_palette(theme))
    app.setStyleSheet(_style_sheet(theme))
