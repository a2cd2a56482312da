"""Issue 14 item 17: the legend overlay never covers a node when a corner is free."""
from __future__ import annotations

from PySide6.QtCore import QRect


def test_the_legend_moves_to_a_free_corner_when_a_node_is_under_it(make_window):
    window = make_window("web-tier", start_engine=False, size=(1000, 700))
    view = window.view
    users = window.topology.items_by_id["users"]
    view.auto_fit = False
    view.resetTransform()
    bottom_left = view.mapToScene(view.viewport().rect().bottomLeft())
    view.centerOn(view.mapToScene(view.viewport().rect().center())
                  + (users.sceneBoundingRect().center() - bottom_left) * 0.9)   # Users near the bottom-left corner
    users_rect = view.mapFromScene(users.layout_rect()).boundingRect()
    assert users_rect.intersects(view.viewport().rect())
    size = view.legend.sizeHint()
    old_place = QRect(16, view.height() - size.height() - 16, size.width(), size.height())
    legend = view.legend.geometry()
    assert old_place.intersects(users_rect), "the case of the issue: a node under the legend's usual corner"
    assert not legend.intersects(users_rect), (legend, users_rect)
    assert not any(legend.intersects(view.mapFromScene(i.layout_rect()).boundingRect())
                   for i in window.topology.items_by_id.values())
