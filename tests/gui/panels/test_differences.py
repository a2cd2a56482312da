"""Help > How this model differs from AWS lists every simplification, grouped by service."""
from __future__ import annotations

from engine.differences import AREAS, DIFFERENCES
from gui.panels.differences import DifferencesDialog


def test_the_help_page_lists_every_difference_under_its_area(qtbot):
    dialog = DifferencesDialog()
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    for area in AREAS:
        assert area in text
    positions = [text.index(entry) for _, entry in DIFFERENCES]
    assert positions == sorted(positions)      # in the order of the list, so grouped by area


def test_the_window_has_the_help_menu_entry(make_window):
    window = make_window("web-tier", start_engine=False)
    assert window.differences_action.text().startswith("How this model differs from AWS")
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus[-1] == "&Help"
