"""Queue store operations against the backlog: standard, FIFO, and the FIFO store before the heap.

    python tests/perf/bench_queues.py [--backlogs 1000,10000,100000] [--groups 10] [--ops 2000]

Fills a store with a backlog of visible messages (FIFO: spread over --groups message groups), then
repeats the cycle of a failing consumer that keeps the backlog constant: receive one message,
return it from flight (its visibility timeout ran out), receive it again, delete it, add a new
one. Prints the mean microseconds of each operation, one row per backlog and store, then one JSON
line. `fifo-old` is the store as it was before the heap (a deque per group, walked from the tail
when a message comes back from flight), kept here only for the comparison.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import deque
from heapq import heappop, heappush
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine.messaging.messages import GONE, IN_FLIGHT, VISIBLE, Message  # noqa: E402
from engine.messaging.stores import FifoStore, StandardStore  # noqa: E402


class OldFifoStore(FifoStore):
    """The FIFO store before the heap (commit 4f0c80d), for the comparison only: its own deque per
    group; what did not change (left_flight) is the store's."""

    def __init__(self, queue: object) -> None:
        self.queue = queue
        self.groups: dict = {}
        self.in_flight: dict = {}
        self.ready: list = []

    def add(self, m: Message) -> None:
        q = self.groups.setdefault(m.group, deque())
        i = len(q)
        while i and q[i - 1].seq > m.seq:
            i -= 1
        q.insert(i, m)
        if i == 0:
            self._offer(m.group)

    def _offer(self, group) -> None:
        q = self.groups.get(group)
        if q and not self.in_flight.get(group):
            heappush(self.ready, (q[0].seq, group))

    def _next_group(self):
        while self.ready:
            seq, group = heappop(self.ready)
            q = self.groups.get(group)
            if q and not self.in_flight.get(group) and q[0].seq == seq:
                return group
        return False

    def take(self, n: int, accept) -> int:
        got = 0
        while got < n:
            group = self._next_group()
            if group is False:
                break
            q = self.groups[group]
            while q and got < n:
                m = q.popleft()
                if accept(m):
                    got += 1
                    self.in_flight[group] = self.in_flight.get(group, 0) + 1
            if not q:
                del self.groups[group]
            elif not self.in_flight.get(group):
                self._offer(group)
        return got


STORES = {"standard": StandardStore, "fifo": FifoStore, "fifo-old": OldFifoStore}
OPS = ("add", "receive", "return", "delete")


class Bench:
    def __init__(self, kind: str, backlog: int, groups: int) -> None:
        self.fifo = kind != "standard"
        self.groups = groups
        self.store = STORES[kind](self)
        self.seq = 0
        for _ in range(backlog):
            self.new_message()

    def new_message(self) -> None:
        m = Message(self.seq, {}, None, group=f"g{self.seq % self.groups}" if self.fifo else None)
        m.queue, m.seq, m.state = self, self.seq, VISIBLE
        self.seq += 1
        self.store.add(m)

    def receive(self) -> Message:
        out: list[Message] = []

        def accept(m: Message) -> bool:
            m.state = IN_FLIGHT
            out.append(m)
            return True
        self.store.take(1, accept)
        return out[0]

    def back_from_flight(self, m: Message) -> None:
        self.store.left_flight(m)
        m.state = VISIBLE
        self.store.add(m)

    def delete(self, m: Message) -> None:
        self.store.left_flight(m)
        m.state = GONE


def measure(kind: str, backlog: int, groups: int, ops: int) -> dict[str, float]:
    b, clock = Bench(kind, backlog, groups), time.perf_counter_ns
    spent = dict.fromkeys(OPS, 0)
    for _ in range(ops):
        t0 = clock()
        m = b.receive()
        t1 = clock()
        b.back_from_flight(m)
        t2 = clock()
        m = b.receive()
        t3 = clock()
        b.delete(m)
        t4 = clock()
        b.new_message()
        t5 = clock()
        spent["receive"] += t1 - t0 + t3 - t2
        spent["return"] += t2 - t1
        spent["delete"] += t4 - t3
        spent["add"] += t5 - t4
    per = {"receive": 2 * ops}
    return {op: spent[op] / per.get(op, ops) / 1000.0 for op in OPS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backlogs", default="1000,10000,100000")
    ap.add_argument("--groups", type=int, default=10)
    ap.add_argument("--ops", type=int, default=2000)
    ap.add_argument("--no-old", action="store_true", help="skip the old FIFO store (slow at big backlogs)")
    args = ap.parse_args()
    kinds = [k for k in STORES if not (args.no_old and k == "fifo-old")]
    rows = []
    print(f"{'backlog':>8} {'store':>9} " + " ".join(f"{op + ' µs':>11}" for op in OPS))
    for backlog in (int(x) for x in args.backlogs.split(",")):
        for kind in kinds:
            us = measure(kind, backlog, args.groups, args.ops)
            rows.append({"backlog": backlog, "store": kind, **{op: round(us[op], 3) for op in OPS}})
            print(f"{backlog:>8} {kind:>9} " + " ".join(f"{us[op]:>11.2f}" for op in OPS), flush=True)
    print(json.dumps({"groups": args.groups, "ops": args.ops, "us_per_op": rows}))


if __name__ == "__main__":
    main()
