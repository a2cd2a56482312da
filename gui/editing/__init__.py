"""Editing: undo commands, clipboard, rename, palette, inspector forms, auto layout, the document session."""
