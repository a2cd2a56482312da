"""Pixels of a rendered frame show a dot where an engine transfer must be at that instant."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from engine import examples, fileio
from engine.traffic import REQUEST, RESPONSE
from gui.canvas.dots import DOT_COLOURS, DotKind
from gui.run.animation import LANE_OFFSET, MIN_VISIBLE_WALL_S, DotAnimator, TransferBuffer, ViewClock

AT = 30.0


def expected_positions(window, transfers, t):
    """Where each transfer must be drawn at sim time t (1x speed), with its kind; None if not in flight."""
    out = []
    for edge, inst, t0, t1, kind in transfers:
        shown = max(t1 - t0, MIN_VISIBLE_WALL_S)
        if not t0 <= t <= t0 + shown:
            continue
        x0, y0, x1, y1 = window.topology.edge_items[edge].route(inst)
        if kind in (RESPONSE, 2):
            x0, y0, x1, y1 = x1, y1, x0, y0
        f = (t - t0) / shown
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        nx, ny = -(y1 - y0) / length * LANE_OFFSET, (x1 - x0) / length * LANE_OFFSET  # right of travel
        out.append((x0 + (x1 - x0) * f + nx, y0 + (y1 - y0) * f + ny, kind))
    return out


def test_a_dot_is_drawn_where_a_transfer_is_at_that_instant(make_window, qtbot):
    doc = fileio.load(examples.path("web-tier"))
    doc.nodes["users"].props["rate_rps"] = 4.0      # few requests, so dots stand apart
    doc.scenario = []
    window = make_window(doc, start_engine=False)
    window.animator.spacing = 0            # no sampling: every transfer is a dot
    runner = window.bridge.runner
    runner.step(AT)
    batch = runner.make_batch()
    transfers = [tr for tr in batch.transfers if tr[2] >= AT - 2]
    batch.transfers = []
    window.apply_batches([batch])
    window.topology.settle()
    window.clock.reset(AT)
    window.animator.show_instant(transfers, 1.0, AT)
    expected = expected_positions(window, transfers, AT)
    assert window.animator.in_flight == len(expected) > 0
    # A dot far from every other dot, so no neighbour can paint over its centre.
    pts = np.array([(x, y) for x, y, _ in expected])
    lonely = [e for e, p in zip(expected, pts) if np.sort(np.hypot(*(pts - p).T))[1] > 14]
    assert lonely, "no isolated dot to check"
    window.view.fit()
    image = window.view.viewport().grab().toImage()
    x, y, kind = lonely[0]
    at = window.view.mapFromScene(QPointF(x, y))
    got = image.pixelColor(at.x(), at.y())
    want = QColor(DOT_COLOURS[DotKind(int(kind))])
    assert max(abs(got.red() - want.red()), abs(got.green() - want.green()), abs(got.blue() - want.blue())) < 40, \
        (got.name(), want.name())
    # Just outside the dot the canvas shows through: nothing was drawn there.
    window.animator.frame(AT + 5.0)
    image = window.view.viewport().grab().toImage()
    assert image.pixelColor(at.x(), at.y()) != got or window.animator.in_flight == 0


def test_an_instant_hop_is_stretched_to_a_visible_wall_time(make_window):
    window = make_window("web-tier", start_engine=False)
    anim: DotAnimator = window.animator
    anim.spacing = 0
    anim.ingest([(1, 0, 10.0, 10.0, REQUEST)], speed=10.0)   # 0 s in simulated time, at 10x
    assert anim.frame(10.0) == 1
    assert anim.frame(10.0 + 10.0 * MIN_VISIBLE_WALL_S * 0.9) == 1
    assert anim.frame(10.0 + 10.0 * MIN_VISIBLE_WALL_S * 1.1) == 0


def test_sampling_above_the_cap_and_the_legend_says_so(make_window):
    window = make_window("web-tier", start_engine=False)
    anim = window.animator
    anim.cap, anim.spacing = 500, 0
    many = [(0, -1, 5.0 + i * 1e-4, 5.02 + i * 1e-4, REQUEST) for i in range(5000)]
    anim.show_instant(many, 1.0, 5.3)
    assert anim.stride == 10 and anim.in_flight <= anim.cap
    window.view.legend.set_stride(anim.stride)
    assert "1 dot = 10 requests" in window.view.legend._sampling_text()


def test_view_clock_is_smooth_monotonic_and_never_ahead_of_the_engine():
    clock = ViewClock()
    engine_t, seen = 0.0, []
    for frame in range(300):
        wall = frame / 60
        engine_t += (1 / 60) * 10 * (1.0 + 0.3 * np.sin(frame))   # jittery batches at 10x
        seen.append(clock.advance(wall, engine_t, 10.0, paused=False))
        assert seen[-1] <= engine_t
    steps = np.diff(seen[60:])
    assert (steps >= 0).all() and steps.std() < 0.2 * steps.mean()
    assert clock.advance(6.0, 3.0, 10.0, paused=True) == 3.0   # a reset or pause follows the engine


def test_transfer_buffer_drops_ended_hops_and_grows():
    buf = TransferBuffer(capacity=4)
    n = 10
    buf.append(np.arange(n, dtype=np.int32), np.zeros(n, np.int8), np.zeros(n), np.arange(n, dtype=float), 1.0)
    assert buf.count == n
    buf.drop_ended(5.0)
    assert buf.count == 5 and buf.t1[:5].tolist() == [5.0, 6.0, 7.0, 8.0, 9.0]


def test_an_instant_with_nothing_in_flight_shows_no_dots(make_window):
    """`flowdeck screenshot FILE OUT` at its default time 0: no transfer yet, no route known."""
    window = make_window("web-tier", start_engine=False)
    assert window.animator.show_instant([], 1.0, 0.0) == 0
    assert window.animator.stride == 1


def test_the_sampling_stride_comes_back_down_when_traffic_thins(make_window):
    """At 100x one dot may stand for 500 requests; slowed down to 0.5x the same traffic needs no
    sampling, and the legend must not keep saying 1 dot = 500 (found by trying it)."""
    window = make_window("web-tier", start_engine=False)
    anim = window.animator
    anim.cap, anim.spacing = 500, 0
    many = [(0, -1, 5.0 + i * 1e-5, 5.02 + i * 1e-5, REQUEST) for i in range(50000)]
    anim.show_instant(many, 1.0, 5.1)
    assert anim.stride >= 50
    few = [(0, -1, 20.0 + i * 0.05, 20.5 + i * 0.05, REQUEST) for i in range(40)]
    anim.ingest(few, speed=0.5)
    for frame in range(60):
        anim.frame(20.5 + frame * 0.01)
    assert anim.stride <= 2


def test_positions_via_a_waypoint_at_even_speed():
    from gui.run.animation import positions_via
    ends = np.array([[0.0, 0.0, 30.0, 0.0, 30.0, 10.0, 30.0, 40.0]] * 4)     # 30 along x, then 10 down
    x, y, flying = positions_via(ends, np.array([0.0, -1.0, -3.5, -5.0]), np.array([4.0, 3.0, 0.5, -1.0]), 0.0)
    assert flying.tolist() == [True, True, True, False]
    assert np.allclose(x[:3], [0.0, 10.0, 30.0]) and np.allclose(y[:3], [0.0, 0.0, 5.0])
