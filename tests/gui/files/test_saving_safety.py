"""Issue 8, the app's half: work that cannot be written is reported (never a traceback in a slot,
never a torn file), a replaced document leaves no stale selection behind, and an autosave is
offered back only when it holds something newer than its file."""
from __future__ import annotations

import os
import shutil
import sys

import pytest
from PySide6.QtCore import QObject, QTimer, Signal

from engine import examples, fileio, registry
from engine.model import Document
from gui.editing import commands
from gui.editing.inspector import PropEditor
from gui.files import document_io, storage

SURROGATE = "\ud800"     # a lone high surrogate: valid in a Python str, impossible in UTF-8


@pytest.fixture
def saved_window(make_window, tmp_path):
    """A window on a copy of web-tier saved as a file, and that file's path."""
    path = tmp_path / "web.flowdeck.json"
    shutil.copy(examples.path("web-tier"), path)
    window = make_window("web-tier", start_engine=False)
    assert window.files.open_path(str(path), confirm=False)
    return window, path


def break_a_name(window) -> None:
    """A name with a lone surrogate reaches the document (as a loader that accepted one did)."""
    window.undo_stack.push(commands.RenameNode(window.doc, "alb", "Front" + SURROGATE))


# -- item 9: saving reports every error -------------------------------------------------------------------
def test_a_name_that_cannot_be_written_is_reported_in_a_dialog_and_the_file_stays_whole(saved_window,
                                                                                       monkeypatch):
    window, path = saved_window
    before = path.read_bytes()
    break_a_name(window)
    shown = []
    monkeypatch.setattr(document_io, "warn", lambda parent, title, text: shown.append((title, text)))
    window.files.save.trigger()
    assert len(shown) == 1
    title, text = shown[0]
    index = list(window.doc.nodes).index("alb")
    assert title == "Cannot save" and str(path) in text and f"$.nodes[{index}].name" in text
    assert "lone surrogate" in text
    assert path.read_bytes() == before, "the file on disk is the last good save"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "no temporary file left behind"
    assert window.isWindowModified(), "the work is still unsaved, and the title says so"


def test_an_autosave_that_fails_says_so_once_and_leaves_no_file(saved_window):
    window, _ = saved_window
    break_a_name(window)
    saver = window.files.autosaver
    saver.save_now()
    message = window.statusBar().currentMessage()
    assert message.startswith("Autosave failed: ") and str(saver.path) in message and "lone surrogate" in message
    window.statusBar().clearMessage()
    saver.save_now()
    assert window.statusBar().currentMessage() == "", "the same failure is reported once, not every minute"
    assert not saver.path.exists()
    window.undo_stack.undo()
    window.edit.rename_to("alb", "Front door")
    saver.save_now()
    assert fileio.load(saver.path).nodes["alb"].name == "Front door" and saver.failure is None


def test_names_with_a_lone_surrogate_are_refused_with_a_message(saved_window):
    window, _ = saved_window
    window.edit.rename_to("alb", "Front" + SURROGATE)
    assert window.doc.nodes["alb"].name != "Front" + SURROGATE
    assert "lone surrogate" in window.statusBar().currentMessage()
    window.statusBar().clearMessage()
    window.session._on_inspector_rename("alb", "Door" + SURROGATE)
    assert window.doc.nodes["alb"].name != "Door" + SURROGATE
    assert "lone surrogate" in window.statusBar().currentMessage()
    assert not window.isWindowModified()


def test_a_json_field_refuses_a_lone_surrogate_escape(qtbot):
    """JSON text may spell a lone surrogate as an escape; the field refuses it in place."""
    spec = registry.connection("sns_topic", "sqs_queue").prop("filter_policy")
    editor = PropEditor(spec, None, False)
    qtbot.addWidget(editor)
    emitted = []
    editor.changed.connect(emitted.append)
    editor.input.setPlainText('{"colour": ["r\\ud800"]}')
    editor._commit()
    assert emitted == [] and "filter_policy.colour[0]" in editor.error.text()
    assert "lone surrogate" in editor.error.text()
    editor.input.setPlainText('{"colour": ["red"]}')
    editor._commit()
    assert emitted == [{"colour": ["red"]}] and editor.error.isHidden()


# -- item 10: a replaced document leaves no stale selection -------------------------------------------------
@pytest.mark.parametrize("replace", ["new", "example"])
def test_new_or_an_example_while_several_nodes_are_selected(make_window, qtbot, replace):
    window = make_window("web-tier", start_engine=False)
    window.topology.select_ids(list(window.doc.nodes))
    qtbot.wait(10)
    if replace == "new":
        window.files.new.trigger()
        assert not window.doc.nodes
    else:
        assert window.files.open_example("fan-out")
    qtbot.wait(10)
    assert window.topology.selected_ids() == ([], [])
    assert window.inspector.owner_id is None and window.inspector.title.text() == "Nothing selected"


# -- item 11: the autosave and the saved file --------------------------------------------------------------
def test_a_save_clears_the_autosave(saved_window):
    window, _ = saved_window
    window.edit.rename_to("alb", "Front door")
    window.files.autosaver.save_now()
    assert storage.pending_recoveries() == [window.files.autosaver.path]
    assert window.files.save_document()
    assert storage.pending_recoveries() == [] and not storage.source_of(window.files.autosaver.path).exists()


def crashed_autosave(doc: Document, belongs_to: str | None, mtime: float) -> "os.PathLike":
    """An autosave as a crashed session (a pid that cannot exist) leaves it, dated `mtime`."""
    autosave = storage.autosave_dir() / "session-999999999.flowdeck.json"
    autosave.parent.mkdir(parents=True, exist_ok=True)
    storage.save_atomic(doc, autosave)
    if belongs_to:
        storage.source_of(autosave).write_text(belongs_to, encoding="utf-8")
    os.utime(autosave, (mtime, mtime))
    return autosave


def test_an_autosave_older_than_its_file_is_not_offered(make_window, tmp_path, monkeypatch):
    own = tmp_path / "mine.flowdeck.json"
    fileio.save(fileio.load(examples.path("spike")), own)
    autosave = crashed_autosave(fileio.load(examples.path("web-tier")), str(own), own.stat().st_mtime - 60)
    window = make_window(Document(), start_engine=False)
    monkeypatch.delenv("FLOWDECK_NO_RECOVERY")
    asked = []
    monkeypatch.setattr(document_io, "ask_recover", lambda parent, paths: asked.append(paths) or "recover")
    window.files.offer_recovery()
    assert asked == [] and not window.doc.nodes and not autosave.exists()


def test_an_autosave_newer_than_its_file_is_offered_naming_the_file(make_window, tmp_path, monkeypatch):
    own = tmp_path / "mine.flowdeck.json"
    fileio.save(fileio.load(examples.path("spike")), own)
    crashed_autosave(fileio.load(examples.path("web-tier")), str(own.resolve()), own.stat().st_mtime + 60)
    window = make_window(Document(), start_engine=False)
    monkeypatch.delenv("FLOWDECK_NO_RECOVERY")
    asked = []
    monkeypatch.setattr(document_io, "ask_recover",
                        lambda parent, paths: asked.append(document_io.recovery_text(paths)) or "recover")
    window.files.offer_recovery()
    assert len(asked) == 1 and f"Changes to {own.resolve()}, autosaved" in asked[0]
    assert "alb" in window.doc.nodes and window.isWindowModified()
    assert window.files.path == str(own.resolve()), "Save goes back to the file the work belongs to"
    title = window.windowTitle()
    assert "mine.flowdeck.json[*]" in title and "Untitled" not in title, "issue 14 item 15: not 'Untitled'"
    assert storage.pending_recoveries() == []


# -- slot exceptions fail tests ------------------------------------------------------------------------------
class _Emitter(QObject):
    fired = Signal()


def test_an_exception_in_a_slot_fails_the_test(qtbot, request):
    """pytest-qt's capture is on (no qt_no_exception_capture): a traceback printed from a slot would
    otherwise go unnoticed while the test passes."""
    assert not request.config.getini("qt_no_exception_capture")
    assert sys.excepthook is not sys.__excepthook__, "pytest-qt hooks sys.excepthook during each test"
    emitter = _Emitter()

    def broken() -> None:
        raise KeyError("stale id")

    emitter.fired.connect(broken)
    with qtbot.captureExceptions() as caught:
        QTimer.singleShot(0, emitter.fired.emit)
        qtbot.wait(20)
    assert [kind for kind, _, _ in caught] == [KeyError]
