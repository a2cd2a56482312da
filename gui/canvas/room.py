"""Room for growing groups: a group that scales out grows downwards, and what lies below it in the
document moves down on the canvas (never in the file) just enough to stay clear; it moves back when
the group shrinks."""
from __future__ import annotations

from typing import Mapping

from engine.model import Document
from gui.canvas.groups import GroupItem

ROOM_GAP = 24.0     # scene units kept between a grown group and what it pushed down


def room_shifts(items: Mapping, doc: Document, current: Mapping[str, float]) -> dict[str, float]:
    """The downward shift of every item: enough to clear each group above it (in the document)
    that grew into it, counting that group's own shift. `current` holds the shifts applied now."""
    shifts: dict[str, float] = {}
    for node_id in sorted(items, key=lambda i: doc.nodes[i].pos[1] if i in doc.nodes else 0.0):
        own = items[node_id].layout_rect().translated(0, -current.get(node_id, 0.0))   # where the file has it
        need = 0.0
        for other_id, other_shift in shifts.items():
            group = items[other_id]
            if not isinstance(group, GroupItem):
                continue
            base = group.base_layout_rect().translated(0, -current.get(other_id, 0.0))
            grown = group.layout_rect().translated(0, other_shift - current.get(other_id, 0.0))
            beside = own.right() <= grown.left() or grown.right() <= own.left()
            if not beside and own.top() >= base.bottom() - 1:
                need = max(need, grown.bottom() + ROOM_GAP - own.top())
        shifts[node_id] = float(round(max(0.0, need)))
    return shifts
