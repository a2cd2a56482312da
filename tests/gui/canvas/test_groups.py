"""Issue 14 items 7 and 11: a small group's badges are painted whole; tiles are packed."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

from engine.model import Node
from gui.canvas.badges import Badge
from gui.canvas.groups import GroupItem
from gui.canvas.items import BADGE_GAP, BADGE_H, badges_width
from gui.screenshot import snapshot


def small_group() -> GroupItem:
    return GroupItem(Node("w", "auto_scaling_group", "W", (0.0, 0.0),
                          {"min_size": 1, "max_size": 1, "desired_capacity": 1}))


def test_a_one_instance_groups_badges_lie_inside_what_it_paints(qtbot):
    group = small_group()
    group.set_badges([Badge("1/1 in service"), Badge("CPU 50%")])
    w = badges_width(group.badges)
    assert w > group.frame_rect().width(), "the case of the issue: badges wider than the frame"
    painted = QRectF(-w / 2, group.frame_rect().bottom() + BADGE_GAP, w, BADGE_H)
    assert group.boundingRect().contains(painted), "Qt clips (and caches) a group to its bounding rect"
    assert group.mapRectFromScene(group.layout_rect()).contains(painted), "fitting the view leaves them in"


def running(*nos: int) -> list[dict]:
    return [{"no": no, "id": f"w/i-{no}", "state": "running", "health": "healthy", "concurrency": 4, "busy": 1}
            for no in nos]


def test_tiles_of_instances_that_went_are_repacked_without_holes(qtbot):
    group = GroupItem(Node("w", "auto_scaling_group", "W", (0.0, 0.0),
                           {"min_size": 1, "max_size": 9, "desired_capacity": 4}))
    group.apply_instances(running(1, 2, 3, 4))
    first_slot = group.instances[1].pos()
    group.apply_instances(running(2, 3, 4))     # i-1 terminated
    group.settle()
    assert sorted(group._slots.values()) == [0, 1, 2]
    assert group.instances[2].pos() == first_slot, "the next instance takes the first place"


def test_a_load_balancers_edge_ends_at_the_frame_and_dots_fan_out_inside(make_window):
    window = make_window("web-tier", start_engine=False)
    snapshot(window, 200.0)      # the morning rush: several instances
    edge = next(e for e in window.topology.edge_items if e.edge_id == "alb-web")
    group = edge.dst
    assert len(group.instances) >= 2 and len(edge._lines) == 1, "one line, not one per instance"
    frame = group.anchor_rect()
    for no, tile in group.instances.items():
        x0, y0, xm, ym, x1, y1 = edge.path(no)
        assert (x0, y0, xm, ym) == edge.route(-1), "along the drawn edge up to the frame"
        tile_rect = tile.mapRectToScene(tile.boundingRect())
        assert tile_rect.adjusted(-1, -1, 1, 1).contains(x1, y1) and frame.contains(x1, y1)


def test_the_groups_cpu_badge_is_the_average_of_its_tiles(make_window):
    """Issue 14 item 6: one CPU measure, busy slot-seconds over a window (as CloudWatch's CPU
    utilization is an average over a period, not an instant), for the badge and the tiles alike."""
    window = make_window("web-tier", start_engine=False)
    snapshot(window, 200.0)
    group = window.topology.items_by_id["web"]
    tiles = [i for i in group.instances.values() if i.state.get("state") == "running"]
    assert len(tiles) >= 2
    badge = next(b.text for b in group.badges if b.text.startswith("CPU"))
    mean = 100.0 * sum(i.cpu for i in tiles) / len(tiles)
    assert badge == f"CPU {mean:.0f}%"
    assert "CPU: the share of the request slots busy" in tiles[0].toolTip() and "CPU:" in group.toolTip()


def test_an_instances_cpu_is_its_busy_slot_seconds_over_the_window():
    from gui.canvas.badges import BadgeBook
    book = BadgeBook()
    inst = {"id": "w/i-1", "concurrency": 4, "busy": 4}
    assert book.cpu({**inst, "busy_s": 0.0}, 10.0) == 1.0, "one look: the instant"
    # 4 slots for 5 s = 20 slot-seconds; 6 were busy (a burst now holds all 4)
    assert abs(book.cpu({**inst, "busy_s": 6.0}, 15.0) - 0.3) < 1e-9


@pytest.mark.parametrize("name", ["light", "dark"])
def test_the_health_word_is_readable_on_a_full_cpu_fill(qtbot, name):
    """Issue 14 item 18: "healthy" in green on the green CPU fill was unreadable; WCAG 2.1 asks
    4.5:1 for text (success criterion 1.4.3)."""
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QApplication

    from gui import theme
    from gui.canvas.groups import TILE_H, TILE_W
    from tests.gui.test_theme import _contrast
    app, before = QApplication.instance(), theme.current()
    theme.apply(app, theme.THEMES[name])
    try:
        group = small_group()
        group.apply_instances(running(1), cpu=lambda s: 1.0)
        tile = group.instances[1]
        image = QImage(int(TILE_W), int(TILE_H), QImage.Format.Format_ARGB32)
        image.fill(theme.current().color("canvas"))
        p = QPainter(image)
        tile.paint(p, None)
        p.end()
        fill = image.pixelColor(int(TILE_W) - 12, 30)          # right of the word: the fill alone
        word = max(_contrast(image.pixelColor(x, y), fill) for x in range(19, 60) for y in range(22, 36))
        assert word >= 4.5, word
    finally:
        theme.apply(app, before)


def test_a_growing_group_makes_room_below_it_on_the_canvas_only(qtbot):
    from engine.model import Document
    from gui.canvas.scene import TopologyScene
    doc = Document()
    doc.add_node(Node("web", "auto_scaling_group", "Web", (0.0, 0.0),
                      {"min_size": 2, "max_size": 10, "desired_capacity": 2}))
    doc.add_node(Node("q", "sqs_queue", "Below", (0.0, 200.0), {}))
    doc.add_node(Node("side", "sqs_queue", "Beside", (400.0, 0.0), {}))
    scene = TopologyScene(doc)
    web, below, beside = (scene.items_by_id[i] for i in ("web", "q", "side"))
    assert not web.layout_rect().intersects(below.layout_rect()), "placed clear of the group as it starts"

    def serve(n: int) -> None:
        scene.apply_state({"web": {"desired": n, "in_service": n, "instances": running(*range(1, n + 1))}},
                          10.0, 1.0, badges=False)
        scene.settle()

    serve(9)                                  # three rows: the frame reaches down past the queue's top
    assert not web.layout_rect().adjusted(0, 0, 0, 20).intersects(below.layout_rect())
    assert below.pos().y() > 200.0 and doc.nodes["q"].pos == (0.0, 200.0), "the file keeps its position"
    assert beside.pos().y() == 0.0, "a node beside the group stays"
    serve(2)
    assert below.pos().y() == 200.0, "back when the group shrinks"


def test_a_tile_redraws_when_its_shown_percentage_would_be_wrong(qtbot, monkeypatch):
    """Small CPU steps (under 1 point each) used to be skipped one by one and the cached tile
    drifted from the group's badge (47 % on the tile, 37 % on the badge, seen in the real window)."""
    group = small_group()
    group.apply_instances(running(1), cpu=lambda s: 0.30)
    tile = group.instances[1]
    redraws = []
    monkeypatch.setattr(tile, "update", lambda *a: redraws.append(tile.cpu))
    for step in range(1, 21):
        group.apply_instances(running(1), cpu=lambda s, step=step: 0.30 + 0.005 * step)
    assert len(redraws) >= 9, "one redraw per whole point at least"
    assert round(100 * tile._shown) == round(100 * tile.cpu), "what is drawn is what the badge says"


def test_badge_pills_are_opaque_so_no_edge_shows_through_their_words():
    """Seen in a screenshot: the ALB -> Workers line ran through "2/2 healthy"."""
    from gui.canvas.badges import BAD, GOOD, INFO, NEUTRAL, WARN
    from gui.canvas.items import tone_colours
    assert all(tone_colours(tone)[0].alphaF() == 1.0 for tone in (GOOD, BAD, WARN, INFO, NEUTRAL))


def test_every_word_a_tile_shows_fits_the_tile(qapp):
    """A tile's second line (health or failure) is clipped at the tile's edge: 'health checks'
    showed as 'health chec' on every booting instance."""
    from gui.canvas.groups import TILE_W
    from gui.canvas.items import FAILURE_WORDS, HEALTH_WORDS, text_width
    room = TILE_W - 28
    too_wide = [w for w in [*HEALTH_WORDS.values(), *FAILURE_WORDS.values()] if text_width(w, "small") > room]
    assert not too_wide, f"wider than the {room:g} px a tile has for them: {too_wide}"
