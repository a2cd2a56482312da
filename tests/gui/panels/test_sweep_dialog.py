"""Run > Sweep...: the dialog runs a sweep on a local Dask cluster in the background, draws the
heatmap and the Pareto front, and opens a clicked variant as a new document."""
from __future__ import annotations

import pytest

from engine import examples, fileio, sweep
from gui.panels.sweep_dialog import SweepDialog, default_values, preferred, sweepable


def _pick(combo, path: str) -> None:
    combo.setCurrentIndex([combo.itemData(i) for i in range(combo.count())].index(path))


def test_the_dialog_sweeps_in_the_background_and_opens_a_variant(qtbot):
    doc = fileio.load(examples.path("web-tier"))
    opened = []
    dialog = SweepDialog(doc, opened.append)
    qtbot.addWidget(dialog)
    _pick(dialog.first.prop, "web.max_size")
    dialog.first.values.setText("2,4")
    dialog.use_second.setChecked(False)
    dialog.duration.setValue(60)
    dialog.workers.setValue(1)
    assert dialog.start()
    assert dialog.run_button.text() == "Stop"   # the window is not blocked while it runs
    qtbot.waitUntil(lambda: dialog.job is not None and not dialog.job.running() and len(dialog.rows) == 2,
                    timeout=120_000)
    qtbot.waitUntil(lambda: dialog.run_button.text() == "Run sweep", timeout=5000)
    for index, row in dialog.rows.items():   # each cell's figure is what a plain run gives
        v = dialog.variants[index]
        assert row["latency_p99_s"] == sweep.run_variant(v.data, v.seed, v.duration_s)["latency_p99_s"]
    assert set(dialog.cells.values()) == {("2",), ("4",)}
    dialog.open_variant(("4",))
    assert opened[0].nodes["web"].props["max_size"] == 4 and "web.max_size=4" in opened[0].title


def test_a_value_the_file_would_refuse_is_said_in_the_dialog(qtbot):
    dialog = SweepDialog(fileio.load(examples.path("web-tier")), lambda doc: None)
    qtbot.addWidget(dialog)
    _pick(dialog.first.prop, "users.rate_rps")
    dialog.first.values.setText("10,-5")
    dialog.use_second.setChecked(False)
    assert not dialog.start()
    assert "rate_rps" in dialog.status.text() and dialog.job is None
    dialog.use_second.setChecked(True)
    _pick(dialog.second.prop, "users.rate_rps")
    assert not dialog.start() and "two different props" in dialog.status.text()


def test_the_props_offered_are_the_numeric_ones_and_the_group_template():
    paths = [p for p, _ in sweepable(fileio.load(examples.path("web-tier")))]
    assert "web.max_size" in paths and "web.instance.concurrency" in paths and "users.rate_rps" in paths
    assert "users.arrival" not in paths   # a choice, not a number
    dialog_doc = fileio.load(examples.path("fan-out"))
    first, second = preferred(dialog_doc, sweepable(dialog_doc))
    offered = [p for p, _ in sweepable(dialog_doc)]
    assert (offered[first], offered[second]) == ("orders.max_size", "shoppers.rate_rps")
    doc = fileio.load(examples.path("web-tier"))
    c = doc.nodes["web"].props["instance"]["concurrency"]
    assert default_values(doc, "web.instance.concurrency") == f"{c},{2 * c},{4 * c}"
