"""A part of the window that follows the document's announcements (engine.model.Document)."""
from __future__ import annotations

from typing import Any

from engine.model import Document


class FollowsDocument:
    """Mix-in: `attach` and `detach` a document; announcements arrive at `_on_doc(what, payload)`."""

    def attach(self, doc: Document) -> None:
        doc.listeners.append(self._on_doc)

    def detach(self, doc: Document) -> None:
        if self._on_doc in doc.listeners:
            doc.listeners.remove(self._on_doc)

    def _on_doc(self, what: str, payload: Any) -> None:
        raise NotImplementedError
