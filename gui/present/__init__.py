"""Presenting: document properties, 'About this demo', presentation mode and the Help sheets, added to
the window's menus by `Stage` (one object the window keeps, one call when the document changes)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMenu

from engine.model import Document
from gui.files.properties import DocumentProperties
from gui.present.about_demo import AboutDemoPanel
from gui.present.help import AboutDialog, ShortcutsDialog
from gui.present.stage import Presenter, menu_named


class Stage(QObject):
    """Builds the presenting parts on a window whose menus exist, and follows its documents."""

    def __init__(self, window: Any, update_title: Any) -> None:
        super().__init__(window)
        self.w = window
        self.properties = DocumentProperties(window, update_title)
        self.about_demo = AboutDemoPanel(window.view)
        self.presenter = Presenter(window, self.about_demo.restyle)
        self.dialog: Any = None
        self._add_menus(window.menuBar())
        window.addAction(window.presentation_action)    # F11 also works while the menu bar is hidden
        for action in getattr(window, "theme_actions", {}).values():    # after the theme has changed
            action.toggled.connect(lambda _on: QTimer.singleShot(0, self.about_demo.restyle))
        # Kept here: during the window's destruction, events still come and the view is gone.
        self._view, self._viewport = window.view, window.view.viewport()
        window.view.installEventFilter(self)
        window.view.viewport().installEventFilter(self)
        window.installEventFilter(self)
        window.undo_group.indexChanged.connect(lambda _i: self.about_demo.hide())     # an edit
        self._was_paused = True
        window.bridge.frame.connect(self._on_frame)
        QTimer.singleShot(0, lambda: self.about_demo.show_for(window.doc))

    def _add_menus(self, bar: Any) -> None:
        files, view, help_menu = (menu_named(bar, t) for t in ("&File", "&View", "&Help"))
        if files is not None:
            self.properties.add_to(files, self.w.files.quit)
        if view is not None:
            sizes = QMenu("Presentation &text size", view)
            after = view.actions().index(self.w.presentation_action) + 1
            view.insertMenu(view.actions()[after], sizes)
            self.presenter.fill_size_menu(sizes)
        if help_menu is None:
            help_menu = bar.addMenu("&Help")
        first = help_menu.actions()[0] if help_menu.actions() else None
        shortcuts = help_menu.addAction("&Keyboard shortcuts…", self.show_shortcuts)
        shortcuts.setShortcut("Ctrl+/")
        about_demo = help_menu.addAction("About this &demo", lambda: self.about_demo.show_for(self.w.doc))
        if first is not None:
            help_menu.insertActions(first, [shortcuts, about_demo])
        help_menu.addSeparator()
        help_menu.addAction("&About FlowDeck…", self.show_about)

    def show_shortcuts(self) -> None:
        self.dialog = ShortcutsDialog(self.w)
        self.dialog.show()

    def show_about(self) -> None:
        self.dialog = AboutDialog(self.w)
        self.dialog.show()

    def document_changed(self, old: Document, new: Document) -> None:
        """Another document is on screen (New, Open, an example): follow it, and show what it is about."""
        self.properties.detach(old)
        self.properties.attach(new)
        self.about_demo.show_for(new)

    def _on_frame(self, _batches: list) -> None:
        if self._was_paused and not self.w.paused:
            self.about_demo.hide()     # the run takes the stage
        self._was_paused = self.w.paused

    def eventFilter(self, watched: QObject, event: Any) -> bool:
        if watched is self._viewport and event.type() in (event.Type.MouseButtonPress, event.Type.Drop):
            self.about_demo.hide()
        elif watched is self.w and event.type() == event.Type.Close:
            self.presenter.set_presenting(False)      # the text size is app-wide: put it back
        elif watched is self._view and event.type() == event.Type.Resize and self.about_demo.isVisible():
            self.about_demo.place()
        return False
