"""Saving is atomic, recent files persist, autosave leaves a file only when the app did not close cleanly."""
from __future__ import annotations

import pytest

from engine import examples, fileio
from gui.files import storage


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch, qapp):
    from PySide6.QtCore import QSettings
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    monkeypatch.setenv("FLOWDECK_DATA_DIR", str(tmp_path / "data"))
    storage.settings().clear()


def test_save_atomic_writes_what_the_loader_reads(tmp_path):
    doc = fileio.load(examples.path("spike"))
    out = tmp_path / "spike.flowdeck.json"
    storage.save_atomic(doc, out)
    assert out.read_text(encoding="utf-8") == fileio.dumps(doc)
    assert fileio.load(out).nodes == doc.nodes


def test_save_to_an_impossible_place_raises_with_the_path(tmp_path):
    target = tmp_path / "no-such-folder" / "x.flowdeck.json"
    with pytest.raises(OSError, match="cannot write"):
        storage.save_atomic(fileio.load(examples.path("spike")), target)
    assert not target.exists()


def test_recent_files_newest_first_without_duplicates(tmp_path):
    paths = []
    for i in range(10):
        p = tmp_path / f"f{i}.flowdeck.json"
        p.write_text("{}")
        paths.append(str(p.resolve()))
        storage.add_recent(str(p))
    storage.add_recent(paths[3])
    recent = storage.recent_files()
    assert recent[0] == paths[3] and len(recent) == storage.MAX_RECENT and len(set(recent)) == len(recent)


def test_autosave_only_when_dirty_and_discard_on_clean_close(tmp_path):
    doc = fileio.load(examples.path("web-tier"))
    dirty = {"value": False}
    saver = storage.Autosaver(lambda: doc, lambda: dirty["value"])
    saver.save_now()
    assert storage.pending_recoveries() == []
    dirty["value"] = True
    saver.save_now()
    assert storage.pending_recoveries() == [saver.path]
    assert fileio.load(saver.path).title == doc.title
    saver.discard()
    assert storage.pending_recoveries() == []
