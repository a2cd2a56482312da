"""A simulation run: the world, its scenario, the sampled series and the run report (FORMAT.md 2)."""
from __future__ import annotations

import pickle
from typing import Any, Callable

from engine import scenario
from engine.costs import bill
from engine.model import Document
from engine.world import World

MESSAGE_STATES = ("deleted", "dead_lettered", "expired", "dropped", "in_queues", "in_flight", "delayed",
                  "being_delivered")
SLICE_S = 5.0  # headless runs hand over (and drop) transfers this often, so memory stays flat


class Simulation:
    def __init__(self, doc: Document, seed: int | None = None, series_interval: float = 10.0,
                 on_pause: Callable[[dict], None] | None = None) -> None:
        self.doc = doc
        self.seed = doc.seed if seed is None else seed
        self.world = World(doc, self.seed)
        self.kernel = self.world.kernel
        self.series_interval = series_interval
        self.series: dict[str, Any] = {"t_s": []}
        self._last_sample_t = 0.0
        self._usage_usd = 0.0   # the use-based part of the bill at the last sample (its $/h now)
        scenario.schedule(self.world, doc.scenario, on_pause)
        self.kernel.every(series_interval, self._sample, first=0.0)

    # -- checkpoints (FORMAT.md 4.4) -----------------------------------------------------------------
    def checkpoint(self) -> bytes:
        """The whole run as bytes: `restore` continues it exactly, in this process or another.

        Everything a run holds is plain data and bound methods (DESIGN.md 2), so this is a pickle;
        the live view's pause hook is left out (the runner attaches its own after a restore).
        A checkpoint is FlowDeck's own working data, not a file format: load only checkpoints this
        program made (unpickling runs code named in the data).
        """
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def restore(cls, data: bytes) -> "Simulation":
        sim = pickle.loads(data)
        if not isinstance(sim, cls):
            raise TypeError(f"not a FlowDeck simulation checkpoint but {type(sim).__name__}")
        return sim

    @property
    def now(self) -> float:
        return self.kernel.now

    def run_until(self, until: float, on_transfers: Callable[[list], None] | None = None) -> None:
        """Advance the clock to `until` in slices, handing each slice's transfers to on_transfers."""
        transfers = self.world.transfers
        while self.kernel.now < until:
            self.kernel.run_until(min(until, self.kernel.now + SLICE_S))
            if on_transfers is not None and transfers:
                on_transfers(list(transfers))
            transfers.clear()

    def _sample(self) -> None:
        now = self.kernel.now
        interval = (now - self._last_sample_t) or self.series_interval
        self._last_sample_t = now
        self.series["t_s"].append(round(now, 6))
        for node_id, comp in self.world.components.items():
            for name, value in comp.sample(interval).items():
                self.series.setdefault(node_id, {}).setdefault(name, []).append(round(float(value), 6))
        costs, self._usage_usd = bill.sample(self.world, interval, self._usage_usd)
        for key, values in costs.items():
            for name, value in values.items():
                self.series.setdefault(key, {}).setdefault(name, []).append(round(value, 6))

    # -- the report ----------------------------------------------------------------------------------
    def ledger(self) -> dict[str, Any]:
        requests = self.world.request_ledger()
        messages = self.world.message_ledger()
        balanced = (requests["generated"] == requests["completed"] + requests["failed"] + requests["in_flight"]
                    and messages["created"] == sum(messages[s] for s in MESSAGE_STATES))
        return {"balanced": balanced, "requests": requests, "messages": messages}

    def report(self, wall_s: float = 0.0, title: str | None = None) -> dict[str, Any]:
        nodes = {}
        for node_id, comp in self.world.components.items():
            entry: dict[str, Any] = {"kind": comp.kind, "name": comp.name, "totals": comp.totals()}
            if comp.kind == "client":
                entry["errors"] = dict(comp.errors)
                entry["latency_s"] = {k: round(v, 6) for k, v in comp.latency_summary().items()}
            nodes[node_id] = entry
        return {
            "format": "flowdeck-report", "schema_version": 1,
            "title": self.doc.title if title is None else title, "seed": self.seed,
            "duration_s": round(self.kernel.now, 6), "events": self.kernel.events, "wall_s": round(wall_s, 3),
            "ledger": self.ledger(), "nodes": nodes, "series": self.series,
            "activities": [_without_evidence(a) for a in self.world.activities],
            "cost": bill.cost_block(self.world), "metering": bill.metering(self.world),
            **({"traces": self.world.tracer.report()} if getattr(self.world.tracer, "in_report", False) else {}),
        }


def _without_evidence(activity: dict[str, Any]) -> dict[str, Any]:
    """An activity as the report has it: the evidence (engine.trace_evidence) is for the app only."""
    return activity if "evidence" not in activity else {k: v for k, v in activity.items() if k != "evidence"}
