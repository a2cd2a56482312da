"""The canvas: the scene mirroring the document, its node, group, edge and dot items, badges, icons, gestures."""
