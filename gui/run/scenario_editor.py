"""The scenario editor: the story's actions as markers on the timeline, made and changed in the app.

Add an action at the current time from the Scenario menu or the canvas context menu (a caption, a
pause cue, a failure or recovery of a component, a setting, a client's traffic spike); drag a
marker to another time; right-click it to edit or delete it, or double-click it to edit. Every
change is one `SetScenario` command on the undo stack, checked by the file loader first, so it
saves. When the scenario changes, the run is replayed to the moment on screen with the new story.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

from PySide6.QtCore import QObject, QPoint, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from engine.model import Document
from gui.editing import commands
from gui.editing.actions import first_error, sentence
from gui.editing.listening import FollowsDocument
from gui.run import scenario_actions as sa
from gui.run.scenario_dialog import ActionDialog

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoStack

    from gui.canvas.scene import TopologyScene
    from gui.canvas.view import CanvasView
    from gui.run.bridge import EngineBridge
    from gui.run.timeline import Timeline


class ScenarioHost(Protocol):
    """What the editor needs of the window: the document, its undo stack, the timeline and the run."""

    doc: Document
    timeline: "Timeline"
    view: "CanvasView"
    topology: "TopologyScene"
    bridge: "EngineBridge"
    engine_t: float

    @property
    def undo_stack(self) -> "QUndoStack": ...

    def tell(self, text: str) -> None: ...

    def restart_run(self) -> None: ...


class ScenarioEditor(QObject, FollowsDocument):
    def __init__(self, window: ScenarioHost) -> None:
        super().__init__(window)
        self.w = window
        self._replay_pending = False
        self.dialog: ActionDialog | None = None
        bar = window.timeline
        bar.cue_moved.connect(self.move)
        bar.cue_edit_requested.connect(self.edit)
        bar.menu_requested.connect(self._timeline_menu)
        self.caption_action = QAction("Add caption now…", self)
        self.caption_action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.caption_action.triggered.connect(lambda: self.add_and_edit(sa.caption(self.now)))
        self._canvas_menu = window.view.extend_menu
        window.view.extend_menu = self.canvas_menu
        self.attach(window.doc)

    # -- the document ----------------------------------------------------------------------------------
    def _on_doc(self, what: str, payload: Any) -> None:
        if what == "scenario_changed" and not self._replay_pending:
            self._replay_pending = True
            QTimer.singleShot(0, self._replay)

    @Slot()
    def _replay(self) -> None:
        """The engine's run holds the old story: start it over and play it to the same moment."""
        self._replay_pending = False
        t = self.w.engine_t
        self.w.restart_run()
        if t > 0:
            self.w.bridge.seek(t)

    @property
    def now(self) -> float:
        return round(self.w.engine_t, 1)

    def refusal(self, scenario: list[dict[str, Any]]) -> str | None:
        why = first_error(self.w.doc, lambda d: d.set_scenario(scenario))
        return sentence(why) if why else None

    def push(self, scenario: list[dict[str, Any]], text: str) -> bool:
        """One undo step replacing the scenario, or a refusal in the status bar."""
        why = self.refusal(scenario)
        if why:
            self.w.tell(why)
            return False
        self.w.undo_stack.push(commands.SetScenario(self.w.doc, scenario, text))
        return True

    # -- the changes ------------------------------------------------------------------------------------
    def add(self, act: dict[str, Any]) -> bool:
        return self.push(sa.added(self.w.doc.scenario, act), f"Add {sa.describe(act, self.w.doc)}")

    @Slot(int, float)
    def move(self, index: int, at: float) -> bool:
        act = self.w.doc.scenario[index]
        at = min(max(0.0, at), self.w.doc.duration_s)
        return self.push(sa.moved(self.w.doc.scenario, index, at),
                         f"Move {sa.describe(act, self.w.doc)} to {sa.clock(at)}")

    def delete(self, index: int) -> bool:
        act = self.w.doc.scenario[index]
        return self.push(sa.removed(self.w.doc.scenario, index), f"Delete {sa.describe(act, self.w.doc)}")

    def replace(self, index: int, act: dict[str, Any]) -> bool:
        if act == self.w.doc.scenario[index]:
            return False
        return self.push(sa.replaced(self.w.doc.scenario, index, act), f"Edit {sa.describe(act, self.w.doc)}")

    @Slot(int)
    def edit(self, index: int) -> None:
        """The small editor for one action; OK makes one undo step."""
        doc = self.w.doc
        edited = self.ask(doc.scenario[index], lambda act: self.refusal(sa.replaced(doc.scenario, index, act)))
        if edited is not None:
            self.replace(index, edited)

    def add_and_edit(self, act: dict[str, Any]) -> None:
        """An action whose words the author writes first (caption, setting): the editor, then one
        'Add' step with what was written; Cancel adds nothing."""
        doc = self.w.doc
        edited = self.ask(act, lambda a: self.refusal(sa.added(doc.scenario, a)))
        if edited is not None:
            self.add(edited)

    def ask(self, act: dict[str, Any], check: Callable[[dict], str | None]) -> dict[str, Any] | None:
        self.dialog = ActionDialog(self.w.view, self.w.doc, act, check)
        try:
            return self.dialog.result_action() if self.dialog.exec() else None
        finally:
            self.dialog = None

    # -- menus --------------------------------------------------------------------------------------------
    def fill_menu(self, menu: QMenu) -> None:
        """The Scenario menu: add at the current time; its node entries follow the document."""
        menu.aboutToShow.connect(lambda: self._refill(menu))
        self._refill(menu)

    def _refill(self, menu: QMenu) -> None:
        menu.clear()
        self.caption_action.setText(f"Add caption at {sa.clock(self.now)}…")
        menu.addAction(self.caption_action)
        self.add_entries(menu, self.now, None, caption=False)
        menu.addSeparator()
        actions = menu.addMenu("Edit or delete")
        for i, act in sorted(enumerate(self.w.doc.scenario), key=lambda p: p[1]["at_s"]):
            entry = actions.addMenu(sa.describe(act, self.w.doc))
            self.marker_entries(entry, i)
        actions.setEnabled(bool(self.w.doc.scenario))

    def add_entries(self, menu: QMenu, at: float, node_id: str | None, caption: bool = True) -> None:
        """'Add … at m:ss' entries: for one node (canvas), or for every node (menus)."""
        doc = self.w.doc
        if caption:
            menu.addAction(f"Add caption at {sa.clock(at)}…", lambda: self.add_and_edit(sa.caption(at)))
        menu.addAction(f"Add pause cue at {sa.clock(at)}", lambda: self.add(sa.pause(at)))
        ids = [node_id] if node_id else list(doc.nodes)
        failable = [i for i in ids if i in sa.failable_nodes(doc)]
        self._node_menu(menu, f"Fail at {sa.clock(at)}", failable, lambda n: self._fail_entries(n, at))
        self._node_menu(menu, f"Recover at {sa.clock(at)}", failable,
                        lambda n: [("Recover", lambda: self.add(sa.recover(at, n)))])
        spikes = [i for i in ids if i in sa.clients(doc)]
        self._node_menu(menu, f"Spike traffic at {sa.clock(at)}", spikes,
                        lambda n: [(f"×{sa.SPIKE_FACTOR:g} for {sa.SPIKE_S:g} s", lambda: self.add(sa.spike(at, n)))])
        self._node_menu(menu, f"Set a prop at {sa.clock(at)}", ids,
                        lambda n: [("Set…", lambda: self._add_setting(at, n))])

    def _fail_entries(self, node_id: str, at: float) -> list[tuple[str, Callable[[], Any]]]:
        return [(mode.capitalize(), lambda m=mode: self.add(sa.fail(at, node_id, m))) for mode in sa.FAIL_MODES]

    def _node_menu(self, menu: QMenu, title: str, ids: list[str],
                   entries: Callable[[str], list[tuple[str, Callable[[], Any]]]]) -> None:
        """A submenu of entries per node, or of the entries themselves for a single node."""
        if not ids:
            return
        sub = menu.addMenu(title if len(ids) > 1 else f"{title}: {self.w.doc.nodes[ids[0]].name}")
        for node_id in ids:
            target = sub.addMenu(self.w.doc.nodes[node_id].name) if len(ids) > 1 else sub
            for label, go in entries(node_id):
                target.addAction(label, go)

    def _add_setting(self, at: float, node_id: str) -> None:
        node = self.w.doc.nodes[node_id]
        prop = next(iter(sa.settable_props(self.w.doc, node_id)), None)
        if prop is not None:
            self.add_and_edit(sa.set_prop(at, node_id, prop, node.prop(prop)))

    def marker_entries(self, menu: QMenu, index: int) -> None:
        menu.addAction("Edit…", lambda: self.edit(index))
        now = self.now
        menu.addAction(f"Move to {sa.clock(now)} (now)", lambda: self.move(index, now))
        menu.addAction("Delete", lambda: self.delete(index))

    @Slot(object, float, QPoint)
    def _timeline_menu(self, index: int | None, at: float, where: QPoint) -> None:
        menu = self.popup_menu(index, at)
        menu.exec(where)

    def popup_menu(self, index: int | None, at: float) -> QMenu:
        """A marker's menu (edit, move here, delete), or 'add at this time' on the bare track."""
        menu = QMenu(self.w.timeline)
        if index is not None:
            title = menu.addAction(sa.describe(self.w.doc.scenario[index], self.w.doc))
            title.setEnabled(False)      # a heading: menu sections show no text in some styles
            menu.addSeparator()
            self.marker_entries(menu, index)
        else:
            self.add_entries(menu, round(at, 1), None)
        return menu

    def canvas_menu(self, menu: QMenu | None, pos: QPoint) -> QMenu:
        """The editor's canvas menu, then 'add to the scenario at now' for the node under the mouse."""
        menu = self._canvas_menu(menu, pos) if self._canvas_menu else (menu or QMenu(self.w.view))
        item = self.w.topology.node_at(self.w.view.mapToScene(pos))
        node_id = getattr(item, "node_id", None)
        menu.addSeparator()
        story = menu.addMenu(f"Scenario at {sa.clock(self.now)}")
        if node_id in self.w.doc.nodes:
            self.add_entries(story, self.now, node_id)
        else:
            self.add_entries(story, self.now, None)
        return menu

