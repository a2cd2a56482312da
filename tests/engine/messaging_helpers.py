"""Helpers for the messaging tests: build worlds, drive a queue directly, check the ledger."""
from __future__ import annotations

from typing import Any

from engine.fileio import from_data
from engine.messaging.messages import IN_FLIGHT, VISIBLE, DELAYED, Message, make_message
from engine.messaging.sqs import SqsQueue
from engine.simulation import MESSAGE_STATES, Simulation

from tests.engine.helpers import node, topology

__all__ = ["node", "build", "check_ledger", "QueueBench"]


def build(nodes: list[dict], edges: list, scenario: list | None = None, seed: int = 1,
          series_interval: float = 10.0, account_concurrency: int | None = None) -> Simulation:
    data = topology(nodes, edges, scenario, seed)
    if account_concurrency is not None:
        data["simulation"]["account_concurrency"] = account_concurrency
    return Simulation(from_data(data), series_interval=series_interval)


def check_queue_consistency(q: SqsQueue) -> None:
    """The queue's gauges (kept as counters for speed) agree with the messages it holds."""
    states = [m.state for m in q.alive.values()]
    assert q.n_visible == states.count(VISIBLE)
    assert q.n_in_flight == states.count(IN_FLIGHT)
    assert q.n_delayed == states.count(DELAYED)
    assert all(m.queue is q for m in q.alive.values())


def check_ledger(sim: Simulation) -> dict[str, int]:
    """Every copy in exactly one state: created = the sum of the states, each counted where it is."""
    led = sim.ledger()
    m = led["messages"]
    assert all(v >= 0 for v in m.values()), m
    assert m["created"] == sum(m[s] for s in MESSAGE_STATES), m
    assert led["balanced"], led
    for comp in sim.world.components.values():
        if isinstance(comp, SqsQueue):
            check_queue_consistency(comp)
    return m


class QueueBench:
    """One queue (and optionally its DLQ) driven directly on the kernel's clock."""

    def __init__(self, seed: int = 1, dlq: bool = False, **props: Any) -> None:
        nodes = [node("q", "sqs_queue", **props)]
        edges: list = []
        if dlq:
            nodes.append(node("dlq", "sqs_queue", fifo=props.get("fifo", False)))
            edges.append(("q", "dlq"))
        self.sim = build(nodes, edges, seed=seed)
        self.world, self.kernel = self.sim.world, self.sim.kernel
        self.q: SqsQueue = self.world.components["q"]
        self.dlq: SqsQueue | None = self.world.components.get("dlq")

    def send(self, body: Any = None, group: str | None = None, dedup: str | None = None,
             attributes: dict | None = None) -> Message:
        msg = make_message(self.world, body=body, attributes=attributes, group=group, dedup_id=dedup)
        self.q.on_send(msg)
        return msg

    def receive(self, n: int = 10, visibility: float | None = None, queue: SqsQueue | None = None) -> list[Message]:
        got = (queue or self.q).receive(n, 0.0, lambda _: None, visibility=visibility)
        assert got is not None
        return got

    def delete(self, msg: Message, queue: SqsQueue | None = None) -> bool:
        return (queue or self.q).delete(msg, msg.receipt)

    def advance(self, seconds: float) -> None:
        self.kernel.run_until(self.kernel.now + seconds)

    def ledger(self) -> dict[str, int]:
        return check_ledger(self.sim)
