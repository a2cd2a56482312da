"""The simulated world built from a Document: components wired by edges, the clock, the records."""
from __future__ import annotations

from collections import deque
from typing import Any, Callable

from engine import registry
from engine.catalog import COMPONENT_CLASSES
from engine.components.base import Component, EdgeRt
from engine.components.client import Client
from engine.components.instance import Instance
from engine.costs.meter import Meter
from engine.kernel import Kernel
from engine.model import Document, Edge
from engine.traffic import Request

TERMINATED_KEPT = 32   # terminated instances still found by id; older ones are forgotten


class NotSimulated(ValueError):
    """The topology uses a kind this engine cannot simulate yet."""


class World:
    def __init__(self, doc: Document, seed: int | None = None) -> None:
        self.doc = doc
        self.kernel = Kernel(doc.seed if seed is None else seed)
        self.transfers: list[tuple[int, int, float, float, int]] = []
        self.rec = self.transfers.append
        self.activities: list[dict[str, Any]] = []
        self.instances: dict[str, Instance] = {}
        self._instance_no = 0
        self.message_ids = 0        # the last message id given (engine.messaging.messages.new_id)
        self.lambda_pool: Any = None   # the account's Lambda concurrency, made by the first function
        self.on_pause: Callable[[dict], None] | None = None   # the live view's hook (engine.scenario)
        self.tracer: Any = None    # engine.trace.Tracer while tracing is on
        self.components: dict[str, Component] = {}
        self.edges: list[EdgeRt] = []
        self.edge_by_id: dict[str, EdgeRt] = {}
        self._gone: deque[str] = deque()   # ids of terminated instances, oldest first
        self.meter = Meter(self)   # what the bill needs beyond the components' counters
        self._build()

    def _build(self) -> None:
        classes = COMPONENT_CLASSES
        for node in self.doc.nodes.values():
            if node.kind not in classes:
                raise NotSimulated(f"{registry.KINDS[node.kind].label} {node.id!r} cannot be simulated yet")
            self.components[node.id] = classes[node.kind](self, node)
        for i, edge in enumerate(self.doc.edges.values()):
            conn = registry.connection(self.doc.nodes[edge.source].kind, self.doc.nodes[edge.target].kind)
            props = {p.name: p.check(self.doc.edge_prop(edge, p.name)) for p in conn.props}
            rt = EdgeRt(i, edge, props["latency_ms"] / 1000.0, props)
            self.edges.append(rt)
            self.edge_by_id[edge.id] = rt
        for rt in self.edges:
            src, dst = self.components[rt.source], self.components[rt.target]
            src.connect_out(rt, dst)
            dst.connect_in(rt, src)
        for comp in self.components.values():
            comp.start()
        self.meter.start()

    # -- what components call --------------------------------------------------------------------
    def hop(self, edge: EdgeRt, instance_no: int, kind: int, handler: Callable[[Any], None], payload: Any) -> None:
        """Move payload along edge (backwards for responses): record the transfer, deliver on arrival."""
        now = self.kernel.now
        latency = edge.latency
        self.rec((edge.index, instance_no, now, now + latency, kind))
        if latency:
            self.kernel.at(now + latency, handler, payload)
        else:
            handler(payload)

    def edge_prop(self, edge: EdgeRt, name: str) -> Any:
        return edge.props.get(name)

    def next_instance_no(self) -> int:
        self._instance_no += 1
        return self._instance_no - 1

    def __getstate__(self) -> dict[str, Any]:
        """What a checkpoint keeps: everything but the live view's pause hook."""
        return {**self.__dict__, "on_pause": None}

    def log(self, node: str, kind: str, text: str) -> None:
        self.activities.append({"t_s": round(self.kernel.now, 6), "node": node, "kind": kind, "text": text})

    def instance_gone(self, inst: Instance) -> None:
        """A terminated instance stays findable by id (scenario targets, the inspector) until
        TERMINATED_KEPT later ones have gone, so memory is flat however often groups scale."""
        self._gone.append(inst.id)
        if len(self._gone) > TERMINATED_KEPT:
            self.instances.pop(self._gone.popleft(), None)

    # -- the ledger ----------------------------------------------------------------------------------
    def requests_in_flight(self) -> int:
        """Requests without an outcome, found where they are (heap, backlogs, slots), not by subtraction."""
        seen: set[int] = set()
        for _, _, _, payload in self.kernel.heap:
            if isinstance(payload, Request) and not payload.closed:
                seen.add(id(payload))
        for inst in self.instances.values():   # those in a slot are in the heap (their completion)
            for r in (*inst.backlog, *inst.hung):
                if not r.closed:
                    seen.add(id(r))
        return len(seen)

    def request_ledger(self) -> dict[str, int]:
        clients = [c for c in self.components.values() if isinstance(c, Client)]
        ledger = {"generated": sum(c.sent for c in clients), "completed": sum(c.completed for c in clients),
                  "failed": sum(c.failed for c in clients), "in_flight": self.requests_in_flight()}
        return ledger

    def message_ledger(self) -> dict[str, int]:
        """Every message copy in exactly one state; components that hold messages report their part."""
        ledger = {"created": 0, "deleted": 0, "dead_lettered": 0, "expired": 0, "dropped": 0,
                  "in_queues": 0, "in_flight": 0, "delayed": 0, "being_delivered": 0}
        for comp in self.components.values():
            for key, n in getattr(comp, "message_counts", dict)().items():
                ledger[key] += n
        return ledger
