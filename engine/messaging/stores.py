"""The visible messages of a queue, in the order receives take them.

Standard queues: oldest enqueue first (AWS promises only best-effort order; oldest first is what a
quiet queue does and what moto does, so scripted runs compare). FIFO queues: order within a message
group, and a group is held back while any of its messages is in flight. A receive takes as many
messages of one group as it can before it moves on to the next group (AWS: "SQS first attempts to
return as many messages with the same message group ID as possible"); the next group is the one
whose first visible message is the oldest.
"""
from __future__ import annotations

from heapq import heappop, heappush
from typing import Callable

from engine.messaging.messages import VISIBLE, Message

Accept = Callable[[Message], bool]  # the queue takes a popped message: True if it was received


class StandardStore:
    """Visible messages in a heap by enqueue order; entries of messages gone meanwhile (expired,
    deleted while visible) are skipped when they reach the top."""

    def __init__(self, queue: object) -> None:
        self.queue = queue
        self.heap: list[tuple[int, Message]] = []

    def add(self, m: Message) -> None:
        heappush(self.heap, (m.seq, m))

    def take(self, n: int, accept: Accept) -> int:
        heap, queue, got = self.heap, self.queue, 0
        while heap and got < n:
            seq, m = heappop(heap)
            if m.state != VISIBLE or m.queue is not queue or m.seq != seq:
                continue
            if accept(m):
                got += 1
        return got

    def left_flight(self, m: Message) -> None:
        """An in-flight message was deleted, expired or is about to become visible again."""

    def discard(self, m: Message) -> None:
        """A visible message left (expired): its heap entry is skipped later."""


class FifoStore:
    """Per group a heap of (seq, message), so a message coming back from flight takes its place
    before later ones in O(log n); a heap of ready groups keyed by their head's seq. Entries of
    messages gone while visible (expired, deleted) are dropped when they reach a group's top, which
    is kept valid: every operation is O(log n) in the backlog."""

    def __init__(self, queue: object) -> None:
        self.queue = queue
        self.groups: dict[str | None, list[tuple[int, Message]]] = {}
        self.in_flight: dict[str | None, int] = {}
        self.ready: list[tuple[int, str | None]] = []   # (seq of the group's head, group): lazy entries

    def add(self, m: Message) -> None:
        """Insert in enqueue order: a message coming back from flight goes before later ones."""
        q = self.groups.get(m.group)
        if q is None:
            q = self.groups[m.group] = []
        entry = (m.seq, m)
        heappush(q, entry)
        if q[0] is entry:
            self._offer(m.group)

    def _offer(self, group: str | None) -> None:
        q = self.groups.get(group)
        if q and not self.in_flight.get(group):
            heappush(self.ready, (q[0][0], group))

    def _clean(self, group: str | None, q: list[tuple[int, Message]]) -> None:
        """Drop gone entries from the group's top; forget the group when nothing is left."""
        queue = self.queue
        while q:
            seq, m = q[0]
            if m.state == VISIBLE and m.queue is queue and m.seq == seq:
                return
            heappop(q)
        del self.groups[group]

    def _next_group(self) -> str | None | bool:
        ready, groups, flight = self.ready, self.groups, self.in_flight
        while ready:
            seq, group = heappop(ready)
            q = groups.get(group)
            if q and not flight.get(group) and q[0][0] == seq:
                return group
        return False

    def take(self, n: int, accept: Accept) -> int:
        got, groups, flight = 0, self.groups, self.in_flight
        while got < n:
            group = self._next_group()
            if group is False:
                break
            q = groups[group]
            while q and got < n:
                m = heappop(q)[1]
                if accept(m):
                    got += 1
                    flight[group] = flight.get(group, 0) + 1
                self._clean(group, q)
            if q and not flight.get(group):
                self._offer(group)   # its messages all went to the DLQ: still ready
        return got

    def left_flight(self, m: Message) -> None:
        left = self.in_flight[m.group] - 1
        if left:
            self.in_flight[m.group] = left
        else:
            del self.in_flight[m.group]
            self._offer(m.group)

    def discard(self, m: Message) -> None:
        """A visible message left (expired, deleted): its entry is dropped when it reaches the top."""
        q = self.groups.get(m.group)
        if q and q[0][1] is m:
            heappop(q)
            self._clean(m.group, q)
            self._offer(m.group)
