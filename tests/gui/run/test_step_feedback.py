"""Issue 14 item 16: a single step (S) shows in the status bar which event happened."""
from __future__ import annotations


def test_the_status_bar_names_the_stepped_event(make_window):
    window = make_window("web-tier", start_engine=False)
    runner = window.bridge.runner
    runner.step(5.0)
    window.apply_batches([runner.make_batch()])
    runner.step_event()
    window.apply_batches([runner.make_batch()])
    message = window.statusBar().currentMessage()
    assert message.startswith("Step: 0:05.") and " · " in message, message
