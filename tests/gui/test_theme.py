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
