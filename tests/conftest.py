"""Shared test set-up: every engine Simulation built in a test must end with a balanced ledger."""
from __future__ import annotations

import pytest

from engine import simulation


@pytest.fixture(autouse=True)
def ledger_balances(monkeypatch):
    """Record every Simulation a test builds; at the end each one's ledger must balance."""
    built: list[simulation.Simulation] = []
    original = simulation.Simulation.__init__

    def tracking_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        built.append(self)

    monkeypatch.setattr(simulation.Simulation, "__init__", tracking_init)
    yield built
    for sim in built:
        ledger = sim.ledger()
        assert ledger["balanced"], f"ledger does not balance at t={sim.now}: {ledger}"
