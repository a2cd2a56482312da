"""The themes style every widget readably (found by trying it: a light-theme drop-down showed its
highlighted row as white text on white)."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QComboBox

from gui import theme


@pytest.mark.parametrize("name", sorted(theme.THEMES))
def test_the_highlighted_row_of_a_drop_down_shows_in_the_accent_colour(qtbot, name):
    app = QApplication.instance()
    before = theme.current()
    theme.apply(app, theme.THEMES[name])
    try:
        combo = QComboBox()
        qtbot.addWidget(combo)
        combo.addItems(["round_robin", "least_outstanding_requests", "random"])
        combo.resize(260, 30)
        combo.show()
        combo.setCurrentIndex(1)
        combo.showPopup()
        view = combo.view()
        qtbot.waitUntil(view.isVisible)
        row = view.visualRect(view.model().index(1, 0))
        image = view.viewport().grab().toImage()
        colour = image.pixelColor(row.center().x() + 60, row.center().y())
        assert colour.name() == theme.THEMES[name].accent
        combo.hidePopup()
    finally:
        theme.apply(app, before)


def _contrast(a, b) -> float:
    """WCAG's contrast ratio of two QColors."""
    def lum(c):
        def ch(v):
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.red()) + 0.7152 * ch(c.green()) + 0.0722 * ch(c.blue())
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("name", sorted(theme.THEMES))
def test_an_unchecked_checkbox_has_a_visible_box(qtbot, name):
    """Issue 14 item 18: unchecked boxes were invisible in the dark theme. WCAG 2.1 asks 3:1 for
    the parts of a control needed to see it (success criterion 1.4.11)."""
    from PySide6.QtWidgets import QCheckBox
    app = QApplication.instance()
    before = theme.current()
    theme.apply(app, theme.THEMES[name])
    try:
        box = QCheckBox("Whole run")
        qtbot.addWidget(box)
        box.show()
        image = box.grab().toImage()
        background = image.pixelColor(image.width() - 1, 0)
        h = image.height()
        best = max(_contrast(image.pixelColor(x, y), background) for x in range(0, 20) for y in range(h))
        assert best >= 3.0, best
    finally:
        theme.apply(app, before)
