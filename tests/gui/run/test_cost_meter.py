"""The live cost meter (toolbar), the cost line of node tooltips and the cost chart."""
from __future__ import annotations

import pytest

from engine import examples, fileio
from engine.costs.bill import COST_SERIES
from engine.simulation import Simulation
from gui.panels.charts import chart_specs
from gui.run.cost_meter import COST_LINE, dollars


def _headless(doc, until: float) -> Simulation:
    sim = Simulation(doc.copy(), series_interval=1.0)
    sim.run_until(until)
    return sim


def test_the_meter_shows_what_the_same_run_costs_headless(make_window, qtbot):
    """The live figures come from the engine's batches; a headless run of the same file and seed,
    sampled at the same moment, must give the same total, rate and per-node costs."""
    window = make_window("fan-out")
    window.toolbar.speed_slider.setValue(6)   # 10x
    window.toggle_play()
    qtbot.waitUntil(lambda: window.cost_meter.t_s >= 20.0, timeout=15000)
    window.toggle_play()
    meter = window.cost_meter
    t, total, rate, by_node = meter.t_s, meter.total_usd, meter.per_hour_usd, dict(meter.by_node)
    sim = _headless(window.doc, t + 0.5)
    i = sim.series["t_s"].index(t)
    assert total == sim.series[COST_SERIES]["total_usd"][i] > 0
    assert rate == sim.series[COST_SERIES]["per_hour_usd"][i] > 0
    assert by_node["alb"] == sim.series["alb"]["cost_usd"][i]
    assert f"{dollars(rate)}/h" in meter.text() and f"{dollars(total)} so far" in meter.text()


def test_billed_nodes_have_a_cost_line_in_their_tooltip(make_window, qtbot):
    window = make_window("fan-out")
    window.toggle_play()
    qtbot.waitUntil(lambda: window.cost_meter.t_s >= 1.0, timeout=15000)
    items = window.topology.items_by_id
    assert COST_LINE + dollars(window.cost_meter.by_node["alb"]) in items["alb"].toolTip()
    assert items["alb"].toolTip().startswith(items["alb"].name)
    assert COST_LINE not in items["shoppers"].toolTip()   # a client is not billed
    assert COST_LINE not in items["sales"].toolTip()   # nor an email address


def test_the_cost_chart_draws_the_total_and_each_billed_node_when_selected():
    doc = fileio.load(examples.path("fan-out"))
    cost = next(c for c in chart_specs(doc) if c.title.startswith("Cost"))
    assert [c.node for c in cost.curves if c.overview] == [COST_SERIES]
    billed = {c.node for c in cost.curves if not c.overview}
    assert {"alb", "orders", "events", "charge"} <= billed and "shoppers" not in billed


@pytest.mark.parametrize("value, text", [(0.04567, "$0.0457"), (1.866, "$1.87"), (1234.4, "$1,234")])
def test_dollars_keep_two_significant_digits_at_least(value, text):
    assert dollars(value) == text
