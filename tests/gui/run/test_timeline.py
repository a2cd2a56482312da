"""The timeline under the canvas: scrub back into what was played, keys for a presenter, and a
change in the past forks the run (engine/timeline.py does the work; these drive the window)."""
from __future__ import annotations

from PySide6.QtCore import QPointF, Qt

from gui.run.timeline import cues_of


def played_to(window, qtbot, t: float) -> None:
    window.toolbar.speed_slider.setValue(window.toolbar.speed_slider.maximum())   # 100x
    window.toggle_play()
    qtbot.waitUntil(lambda: window.engine_t >= t, timeout=20000)
    window.toggle_play()
    qtbot.waitUntil(lambda: window.bridge.runner.paused, timeout=5000)


def test_scrubbing_back_shows_that_moment_and_keeps_what_was_played(make_window, qtbot):
    window = make_window("failure")
    played_to(window, qtbot, 150.0)
    furthest = window.played_to
    window.timeline.seek_requested.emit(60.0)
    qtbot.waitUntil(lambda: abs(window.engine_t - 60.0) < 1e-9 and not window._awaiting_reset, timeout=10000)
    assert window.bridge.runner.now == 60.0
    assert window.played_to >= furthest >= 150.0
    times = [row["t_s"] for row in window.activity.model.rows]
    assert times and max(times) <= 60.0, "the activity log shows that moment, not the future"


def test_a_jump_back_while_paused_draws_the_dots_in_flight_at_that_moment(make_window, qtbot):
    """Scrub back while paused: the canvas shows the dots where they were, not an empty graph."""
    window = make_window("fan-out")
    played_to(window, qtbot, 120.0)
    window.timeline.seek_requested.emit(95.0)
    qtbot.waitUntil(lambda: abs(window.engine_t - 95.0) < 1e-9 and not window._awaiting_reset, timeout=10000)
    qtbot.waitUntil(lambda: window.animator.in_flight > 0, timeout=3000)
    assert window.paused and window.clock.t == 95.0
    assert window.topology.dots.count == window.animator.in_flight
    window.render_frame(1e9, force_badges=True)
    alb_rps = window.topology.book.rate("alb", "received", window.engine_t, None)
    assert alb_rps > 0, "the badges show the rate at that moment, not 0 until a second state arrives"


def test_home_and_page_keys_go_to_cues(make_window, qtbot):
    window = make_window("failure")
    played_to(window, qtbot, 130.0)
    qtbot.keyClick(window, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: window.engine_t == 0.0 and not window._awaiting_reset, timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    first_cue = min(t for t, _, _ in cues_of(window.doc.scenario) if t > 0)
    qtbot.waitUntil(lambda: abs(window.engine_t - first_cue) < 1e-9, timeout=10000)


def test_a_change_in_the_past_forks_the_run(make_window, qtbot):
    window = make_window("failure")
    played_to(window, qtbot, 120.0)
    window.seek(30.0)
    qtbot.waitUntil(lambda: window.bridge.runner.now == 30.0, timeout=10000)
    window.bridge.set_prop("users", "rate_rps", 5.0)
    qtbot.waitUntil(lambda: window.bridge.runner.last_fork is not None, timeout=5000)
    assert window.bridge.runner.history.played_to == 30.0


def test_clicking_the_track_seeks_there(make_window, qtbot):
    window = make_window("failure")
    played_to(window, qtbot, 100.0)
    bar = window.timeline
    x = bar.x_of(50.0)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=QPointF(x, bar.height() - 4).toPoint())
    qtbot.waitUntil(lambda: abs(window.bridge.runner.now - 50.0) < 1.0, timeout=10000)


def test_left_and_right_step_one_event_back_and_forward(make_window, qtbot):
    window = make_window("failure")
    played_to(window, qtbot, 20.0)
    runner = window.bridge.runner
    qtbot.waitUntil(lambda: window.paused, timeout=5000)
    events = runner.sim.kernel.events
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: runner.sim.kernel.events == events + 1, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: runner.sim.kernel.events == events, timeout=5000)


def test_scaling_and_health_activities_are_ticks_that_survive_a_seek_but_not_a_fork(make_window, qtbot):
    window = make_window("failure")
    played_to(window, qtbot, 200.0)
    marks = dict(window.timeline.marks)
    assert any(kind in ("failure", "unhealthy") for _, kind in marks), marks
    back = min(t for t, _ in marks) + 1.0
    assert max(t for t, _ in marks) > back + 1.0
    window.seek(back)
    qtbot.waitUntil(lambda: window.bridge.runner.now == back and not window._awaiting_reset, timeout=10000)
    assert window.timeline.marks == marks, "going back keeps what was played"
    window.bridge.set_prop("users", "rate_rps", 5.0)
    window.step()
    qtbot.waitUntil(lambda: window.played_to < back + 1.0, timeout=5000)
    assert window.timeline.marks and all(t <= back + 1.0 for t, _ in window.timeline.marks), "the fork undid the rest"


def test_undo_of_an_edit_in_the_past_brings_the_old_future_back(make_window, qtbot):
    window = make_window("failure")
    played_to(window, qtbot, 150.0)
    window.seek(60.0)
    runner = window.bridge.runner
    qtbot.waitUntil(lambda: runner.now == 60.0 and not window._awaiting_reset, timeout=10000)
    window.topology.items_by_id["users"].setSelected(True)
    qtbot.waitUntil(lambda: "rate_rps" in window.inspector.editors, timeout=2000)
    window.inspector.editors["rate_rps"].input.setValue(5)
    qtbot.waitUntil(lambda: runner.last_fork is not None, timeout=5000)
    assert runner.history.played_to == 60.0
    window.undo_stack.undo()
    qtbot.waitUntil(lambda: runner.last_fork is None and runner.history.played_to >= 150.0, timeout=5000)
    assert runner.now == 60.0


def test_after_a_jump_back_the_charts_end_now_and_show_the_played_future_faded(make_window, qtbot):
    window = make_window("failure")
    window.ensure_charts()
    played_to(window, qtbot, 120.0)
    window.seek(40.0)
    charts = window.charts
    qtbot.waitUntil(lambda: window.bridge.runner.now == 40.0 and not window._awaiting_reset
                    and charts.store.t and charts.store.t[-1] == 40.0, timeout=10000)
    assert charts.ghost_times() and charts.ghost_times()[-1] >= 119.0
    window.bridge.set_prop("users", "rate_rps", 5.0)         # a fork at 0:40
    window.step()
    qtbot.waitUntil(lambda: charts.ghost_times() and charts.ghost_times()[-1] <= 41.0, timeout=5000)
    window.restart_run()
    qtbot.waitUntil(lambda: not charts.ghost_times(), timeout=10000)


def test_the_presenters_story_crash_go_back_see_it_again_then_change_the_past(make_window, qtbot):
    """Issue 11's test of done: crash an instance live, watch the recovery, Page Up and see the
    same crash again, then change the health-check interval at that moment: another recovery."""
    window = make_window("failure")
    runner = window.bridge.runner
    played_to(window, qtbot, 120.0)
    window.bridge.fail("web/i-2", "crash")                    # the presenter's right-click, at 2:00
    window.toggle_play()
    qtbot.waitUntil(lambda: window.engine_t >= 200.0, timeout=20000)
    window.toggle_play()
    qtbot.waitUntil(lambda: runner.paused, timeout=5000)
    after = lambda: [(a["t_s"], a["text"]) for a in runner.sim.world.activities if 120.0 <= a["t_s"] <= 200.0]  # noqa: E731
    first = after()
    assert any("web/i-2 crashes" in text for _, text in first)
    qtbot.keyClick(window, Qt.Key.Key_PageUp)                 # back to the cue at 1:00
    qtbot.waitUntil(lambda: runner.now == 60.0 and not window._awaiting_reset, timeout=10000)
    window.seek(200.0)                                        # play it again (the engine thread replays)
    qtbot.waitUntil(lambda: runner.now == 200.0 and not window._awaiting_reset, timeout=10000)
    assert after() == first, "the same crash and the same recovery"
    crashed_at = runner.history.journal[0].t
    window.seek(crashed_at)                                   # the moment of the crash, crash included
    qtbot.waitUntil(lambda: runner.now == crashed_at and not window._awaiting_reset, timeout=10000)
    window.bridge.set_prop("alb", "health_check",
                           {"interval_s": 30, "timeout_s": 5, "healthy_threshold": 3, "unhealthy_threshold": 2})
    qtbot.waitUntil(lambda: runner.last_fork is not None, timeout=5000)
    window.seek(200.0)                                        # past the fork: the engine thread runs on
    qtbot.waitUntil(lambda: runner.now == 200.0 and not window._awaiting_reset, timeout=10000)
    second = after()
    assert any("web/i-2 crashes" in text for _, text in second)
    assert second != first, "the same crash, a different recovery"
