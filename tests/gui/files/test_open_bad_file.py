"""Issue 14 item 8: `flowdeck broken.json` (as a double-click in a file manager runs it, with no
terminal to read) opens the app on an empty document and shows the loader's message in a dialog."""
from __future__ import annotations

import pytest

from engine import cli
from gui import app


@pytest.mark.parametrize("content, words", [
    (None, "no such file"),
    ("{ not json", "broken.flowdeck.json"),
])
def test_a_bad_file_on_the_command_line_opens_the_app_with_the_error(tmp_path, monkeypatch, content, words):
    path = tmp_path / "broken.flowdeck.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    opened = []
    monkeypatch.setattr(app, "main", lambda path=None, theme_name=None, error=None: opened.append((path, error)) or 0)
    assert cli.open_app([str(path)]) == 0, "the app opens instead of exiting with code 2"
    assert len(opened) == 1 and opened[0][0] is None
    assert "broken.flowdeck.json" in opened[0][1] and words in opened[0][1].lower()


def test_without_a_display_a_bad_file_is_still_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_has_display", lambda: False)
    assert cli.main([str(tmp_path / "missing.flowdeck.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.flowdeck.json" in err


def test_the_window_after_an_error_holds_an_empty_untitled_document(qtbot):
    window = app.make_window("/nowhere/broken.flowdeck.json", "light", error="broken: no such file")
    qtbot.addWidget(window)
    assert not window.doc.nodes and window.files.path is None
    assert window.windowTitle().startswith("Untitled")
    window.close()
