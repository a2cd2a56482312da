"""The overview shows the charts the topology has data for."""
from __future__ import annotations

from engine import examples, fileio
from gui.panels.charts import chart_specs


def titles(name: str) -> list[str]:
    return [c.title for c in chart_specs(fileio.load(examples.path(name)))]


def test_web_tier_has_latency_requests_instances_and_cpu_but_no_queues():
    assert titles("web-tier") == ["Latency at the clients (ms)", "Requests per second", "Instances", "CPU (%)",
                                  "Cost so far (US cents)"]


def test_a_queue_topology_without_http_clients_shows_no_latency_chart():
    got = titles("queue-leveling")
    assert "Latency at the clients (ms)" not in got and "Requests per second" not in got
    assert "Queue depth" in got and "Instances" in got


def test_the_charts_show_the_last_five_minutes_and_the_whole_run_on_demand():
    from gui.panels.charts import x_range
    assert x_range(0.0, 3600.0, False) == (0.0, 300.0), "the first minutes fill the width"
    assert x_range(100.0, 3600.0, False) == (0.0, 300.0)
    start, end = x_range(1000.0, 3600.0, False)
    assert end - start == 300.0 and start < 1000.0 <= end < 1000.0 + 30.0
    assert x_range(1000.0, 3600.0, True) == (0.0, 3600.0)


def test_time_ticks_are_round_and_never_crowd():
    from gui.panels.charts import TICK_PX, clock_text, tick_step
    for span, px in ((300, 260), (300, 600), (3600, 260), (86400, 400), (20, 300)):
        step = tick_step(span, px)
        assert span / step <= max(1, px / TICK_PX) and step in (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
                                                                3600, 7200, 10800, 21600, 43200, 86400)
    assert tick_step(300, 260) == 60, "five labels across a narrow dock: every minute"
    assert (clock_text(90), clock_text(3725)) == ("1:30", "1:02:05")


def test_an_empty_chart_shows_a_note_and_no_axes_and_a_legend_leaves_room(qtbot):
    from gui.panels.charts import MIN_PLOT_H, ChartsPanel
    panel = ChartsPanel(fileio.load(examples.path("fan-out")))
    qtbot.addWidget(panel)
    panel.resize(320, 500)
    panel.show()
    plot = panel._plots[0][0]
    assert plot.empty_note.isVisible() and not plot.getAxis("left").isVisible()
    heights = sum(p.layout.rowMaximumHeight(0) for p, _, _ in panel._plots)
    assert panel.graphs.minimumHeight() >= heights + MIN_PLOT_H * len(panel._plots), "the panel scrolls instead"
    panel.extend(0, {"t_s": [10.0, 20.0], **{c.node: {c.key: [1.0, 2.0]} for c in panel._plots[0][1].curves}})
    panel.refresh()
    assert not plot.empty_note.isVisible() and plot.getAxis("left").isVisible()
