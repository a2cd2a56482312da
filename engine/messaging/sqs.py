"""SQS queues: standard and FIFO, delay, retention, visibility timeout, long polling, redrive.

The queue costs events only when something happens: one timer per receive (its visibility
timeout, lazily cancelled through the message's receipt number), one per delayed message, one per
waiting long poll, and a single retention timer for the oldest message. Nothing polls messages.

Ledger (see engine/messaging/__init__.py): a queue reports the copies it holds (visible, in flight,
delayed; those flagged `dead` as dead_lettered), the ones it ended (deleted, expired, dropped
duplicates of SNS deliveries) and those producers sent it directly (created).
"""
from __future__ import annotations

from collections import deque
from heapq import heapify, heappop, heappush
from functools import partial
from typing import Any, Callable

from engine.components.base import Component
from engine.costs.meter import message_chunks, sqs_chunks
from engine.messaging import consumers
from engine.messaging.messages import (DELAYED, GONE, IN_FLIGHT, TRANSIT, VISIBLE, DedupWindow, Message,
                                       attach_producer, dedup_key)
from engine.messaging.stores import FifoStore, StandardStore
from engine.traffic import DEAD_LETTER

IN_FLIGHT_LIMITS = {False: 120_000, True: 20_000}   # AWS quotas: receives beyond them get nothing
MAX_BATCH = 10

OnMessages = Callable[[list[Message]], None]


class Waiter:
    """A long poll waiting for messages."""

    __slots__ = ("n", "on_messages", "wants", "visibility", "done")

    def __init__(self, n: int, on_messages: OnMessages, wants: Callable[[], bool] | None,
                 visibility: float | None) -> None:
        self.n, self.on_messages, self.wants, self.visibility = n, on_messages, wants, visibility
        self.done = False


class SqsQueue(Component):
    kind = "sqs_queue"

    def __init__(self, world, node) -> None:
        super().__init__(world, node)
        self.fifo = bool(self.props["fifo"])
        self.store = FifoStore(self) if self.fifo else StandardStore(self)
        self.in_flight_limit = IN_FLIGHT_LIMITS[self.fifo]
        self.available = True          # False: refuse SNS deliveries (tests of SNS's retry policy)
        self.alive: dict[int, Message] = {}       # every copy the queue holds, by id
        self.redriving: dict[int, Message] = {}   # on the way to the dead-letter queue
        self.n_visible = self.n_in_flight = self.n_delayed = 0
        self._seq = 0
        self._ages: list[tuple[float, int, Message]] = []   # (enqueue time, id, message): lazy entries
        self._expiry_at: float | None = None
        self.waiters: deque[Waiter] = deque()
        self.dedup = DedupWindow()
        self.dlq: SqsQueue | None = None
        self.dlq_edge: Any = None
        self._consumer_edges: list[tuple[Any, Any]] = []
        self.producers: list[Any] = []
        self.created = self.received_in = self.receives = self.receive_calls = self.empty_receives = 0
        self.top_receive_count = 0    # the most receives of one message over the run
        self.deleted = self.dead_lettered = self.dead_letter_in = self.expired = self.dropped = 0
        self.deduplicated = self.delete_failures = self.over_limit = 0
        self.consumer_bug = 0.0     # an injected failure: the share of received messages every consumer fails
        self.sns_raw_in = self.sns_envelope_in = self.sns_bytes_in = 0   # SNS deliveries, by form and size
        self.send_chunks = 0   # SendMessage requests as billed: one per started 64 KB of payload
        self._marks = (0, 0, 0)

    # -- wiring ------------------------------------------------------------------------------------
    def connect_in(self, edge, source) -> None:
        producer = attach_producer(self.world, edge, source, self.on_send)
        if producer is not None:
            self.producers.append(producer)

    def connect_out(self, edge, target) -> None:
        if target.kind == "sqs_queue":
            self.dlq, self.dlq_edge = target, edge
        elif target.kind == "auto_scaling_group":
            target.source_queues.append(self)   # feeds backlog_per_instance
            target.on_launch.append(partial(self._attach_consumer, edge))
        else:
            self._consumer_edges.append((edge, target))

    def consumer_fails(self) -> bool:
        """True when an injected consumer bug makes the processing of a received message fail."""
        rate = self.consumer_bug
        if rate <= 0.0:
            return False
        if rate >= 1.0:
            return True
        if getattr(self, "_bug_rng", None) is None:
            self._bug_rng = self.world.kernel.stream(f"consumer-bug:{self.id}")   # shifts no other draw
        return self._bug_rng.random() < rate

    def _attach_consumer(self, edge: Any, inst: Any) -> None:
        """A consuming group launched inst: it polls this queue too."""
        consumers.attach(self.world, inst, self, edge)

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def start(self) -> None:
        for edge, target in self._consumer_edges:
            if target.kind == "ec2_instance":
                consumers.attach(self.world, target.inst, self, edge)
            elif target.kind == "lambda_function":
                target.add_event_source(self, edge)

    # -- messages in ---------------------------------------------------------------------------------
    def on_send(self, msg: Message) -> None:
        """A producer's SendMessage arrives. A FIFO duplicate is accepted and discarded: no copy."""
        self.send_chunks += message_chunks(msg)
        if self.fifo and self.dedup.is_duplicate(dedup_key(msg, self.props["content_based_deduplication"]),
                                                 self.kernel.now):
            self.deduplicated += 1
            return
        self.created += 1
        self._enqueue(msg, delay=self.props["delay_s"])

    def accept_delivery(self, msg: Message) -> bool:
        """An SNS delivery arrives; False if the queue refuses it (SNS then retries)."""
        if not self.available:
            return False
        if self.fifo and self.dedup.is_duplicate(dedup_key(msg, self.props["content_based_deduplication"]),
                                                 self.kernel.now):
            self.deduplicated += 1
            self.dropped += 1   # the copy existed (SNS made it) and ends here
            if msg.trace is not None:
                msg.trace.finish("dropped", f"{self.name} deduplicated it", self.kernel.now)
            return True
        if msg.raw:
            self.sns_raw_in += 1
        else:
            self.sns_envelope_in += 1
        size = msg.delivered_size()
        self.sns_bytes_in += size
        self.send_chunks += sqs_chunks(size)
        self._enqueue(msg, delay=self.props["delay_s"])
        return True

    def accept_dead_letter(self, msg: Message) -> None:
        """A copy moved here by a redrive or by SNS after its delivery retries ran out."""
        msg.dead = True
        self.dead_letter_in += 1
        if msg.trace is not None:
            msg.trace.finish("dead_lettered", f"moved to the dead-letter queue {self.name}", self.kernel.now)
        # AWS keeps the original enqueue time of a standard queue's message; FIFO resets it.
        self._enqueue(msg, delay=0.0, keep_sent_at=not self.fifo and msg.queue is not None)

    def _enqueue(self, msg: Message, delay: float, keep_sent_at: bool = False) -> None:
        now = self.kernel.now
        if msg.trace is not None:
            msg.trace.enqueued(self, now, delay)
        msg.queue, msg.seq = self, self._next_seq()
        if not keep_sent_at:
            msg.sent_at = now
        self.alive[msg.id] = msg
        self.received_in += 1
        heappush(self._ages, (msg.sent_at, msg.id, msg))
        self._arm_expiry(msg.sent_at + self.props["message_retention_s"])
        if delay > 0:
            msg.state = DELAYED
            self.n_delayed += 1
            self.kernel.at(now + delay, self._delay_over, msg)
        else:
            self._make_visible(msg)

    def _delay_over(self, msg: Message) -> None:
        if msg.state == DELAYED and msg.queue is self:
            self.n_delayed -= 1
            self._make_visible(msg)

    def _make_visible(self, msg: Message) -> None:
        msg.state = VISIBLE
        self.n_visible += 1
        self.store.add(msg)
        if self.waiters:
            self._serve_waiters()

    # -- receive ------------------------------------------------------------------------------------
    def receive(self, n: int, wait_s: float, on_messages: OnMessages, wants: Callable[[], bool] | None = None,
                visibility: float | None = None) -> list[Message] | None:
        """ReceiveMessage for up to n (≤ 10) messages. Returns the messages at once when there are
        any (or [] for a short poll that finds none); returns None when a long poll waits: then
        on_messages(list) is called later, with [] when wait_s passes or `wants()` turns False."""
        self.receive_calls += 1
        msgs = self._take(min(n, MAX_BATCH), visibility)
        if msgs or wait_s <= 0:
            if not msgs:
                self.empty_receives += 1
            return msgs
        while self.waiters and self.waiters[0].done:
            self.waiters.popleft()
        waiter = Waiter(min(n, MAX_BATCH), on_messages, wants, visibility)
        self.waiters.append(waiter)
        self.kernel.at(self.kernel.now + wait_s, self._wait_over, waiter)
        return None

    def _take(self, n: int, visibility: float | None) -> list[Message]:
        room = self.in_flight_limit - self.n_in_flight
        if room <= 0:
            self.over_limit += 1
            return []
        out: list[Message] = []
        vt = self.props["visibility_timeout_s"] if visibility is None else visibility
        limit = self.props["max_receive_count"] if self.dlq is not None else None
        now = self.kernel.now

        def accept(m: Message) -> bool:
            self.n_visible -= 1
            if limit is not None and m.receive_count >= limit:
                self._redrive(m)   # its receive count would exceed max_receive_count
                return False
            m.state, m.visible_at = IN_FLIGHT, now + vt
            m.receive_count += 1
            if m.receive_count > self.top_receive_count:
                self.top_receive_count = m.receive_count
            m.receipt += 1
            if m.trace is not None:
                m.trace.received(self, m, now)
            self.n_in_flight += 1
            self.kernel.at(m.visible_at, self._visibility_over, (m, m.receipt))
            out.append(m)
            return True

        self.store.take(min(n, room), accept)
        self.receives += len(out)
        return out

    def _serve_waiters(self) -> None:
        waiters = self.waiters
        while waiters and self.n_visible > 0:
            w = waiters.popleft()
            if w.done:
                continue
            if w.wants is not None and not w.wants():
                w.done = True
                self.empty_receives += 1
                w.on_messages([])
                continue
            msgs = self._take(w.n, w.visibility)
            if not msgs:   # all visible ones are held back (FIFO groups) or went to the DLQ
                waiters.appendleft(w)
                return
            w.done = True
            w.on_messages(msgs)

    def _wait_over(self, w: Waiter) -> None:
        if w.done:
            return
        w.done = True
        self.empty_receives += 1
        w.on_messages([])

    def _visibility_over(self, token: tuple[Message, int]) -> None:
        m, receipt = token
        if m.state != IN_FLIGHT or m.queue is not self or m.receipt != receipt:
            return
        self.n_in_flight -= 1
        self.store.left_flight(m)
        self._make_visible(m)

    # -- delete, redrive, expiry -------------------------------------------------------------------------
    def delete(self, m: Message, receipt: int) -> bool:
        """DeleteMessage with the receipt of a receive. Only the latest receipt deletes; on a FIFO
        queue it must still be in flight (an expired receipt handle fails there)."""
        ok = self.alive.get(m.id) is m and m.receipt == receipt and (m.state == IN_FLIGHT or not self.fifo)
        if not ok:
            self.delete_failures += 1
            return False
        self._leave(m)
        self.deleted += 1
        if m.trace is not None:
            m.trace.deleted(self, self.kernel.now)
        return True

    def _leave(self, m: Message) -> None:
        """Take a message out of whatever state it is in here."""
        if m.state == IN_FLIGHT:
            self.n_in_flight -= 1
            self.store.left_flight(m)
        elif m.state == VISIBLE:
            self.n_visible -= 1
            self.store.discard(m)
        elif m.state == DELAYED:
            self.n_delayed -= 1
        m.state = GONE
        del self.alive[m.id]

    def _redrive(self, m: Message) -> None:
        """Move a visible message (already out of the store) to the dead-letter queue."""
        del self.alive[m.id]
        m.state, m.dead = TRANSIT, True
        self.dead_lettered += 1
        if m.trace is not None:
            m.trace.redriven(self, self.props["max_receive_count"], self.kernel.now)
        self.redriving[m.id] = m
        self.world.hop(self.dlq_edge, -1, DEAD_LETTER, self._redrive_arrive, m)

    def _redrive_arrive(self, m: Message) -> None:
        del self.redriving[m.id]
        self.dlq.accept_dead_letter(m)

    def _arm_expiry(self, t: float) -> None:
        if self._expiry_at is None or t < self._expiry_at:
            self._expiry_at = t
            self.kernel.at(t, self._expire_due, t)

    def _live_entry(self, entry: tuple[float, int, Message]) -> bool:
        sent_at, _, m = entry
        return self.alive.get(m.id) is m and m.sent_at == sent_at

    def _expire_due(self, t: float) -> None:
        if t != self._expiry_at:
            return  # superseded by an earlier timer
        self._expiry_at = None
        ages, now, retention = self._ages, self.kernel.now, self.props["message_retention_s"]
        while ages and (not self._live_entry(ages[0]) or ages[0][0] + retention <= now):
            _, _, m = heappop(ages)
            if self.alive.get(m.id) is m and m.sent_at + retention <= now:
                self._leave(m)
                self.expired += 1
                if m.trace is not None:
                    m.trace.finish("expired", f"older than {self.name}'s retention of {retention:g} s", now)
        if len(ages) > 2 * len(self.alive) + 1024:   # drop the entries of messages long gone
            self._ages = ages = [(m.sent_at, m.id, m) for m in self.alive.values()]
            heapify(ages)
        if ages:
            self._arm_expiry(ages[0][0] + retention)

    def on_prop_changed(self, name: str) -> None:
        if name == "message_retention_s" and self._ages:
            self._expiry_at = None
            self._arm_expiry(self._ages[0][0] + self.props["message_retention_s"])

    # -- gauges and reporting ----------------------------------------------------------------------------
    def consumer_settings(self, edge: Any, default_batch: int) -> tuple[int, float]:
        """(batch size, long-poll wait) of a consumer edge: the edge's own values, else the defaults
        FORMAT.md gives (default_batch: 1 for instances, 10 for Lambda; the queue's receive wait)."""
        batch, wait = edge.props.get("batch_size"), edge.props.get("wait_time_s")
        return batch or default_batch, self.props["receive_wait_time_s"] if wait is None else wait

    def visible_count(self) -> int:
        return self.n_visible

    def oldest_age(self) -> float:
        ages = self._ages
        while ages and not self._live_entry(ages[0]):
            heappop(ages)
        return self.kernel.now - ages[0][0] if ages else 0.0

    def message_counts(self) -> dict[str, int]:
        """This queue's part of the ledger, counted from the messages it holds."""
        held = {VISIBLE: 0, IN_FLIGHT: 0, DELAYED: 0}
        dead = len(self.redriving)
        for m in self.alive.values():
            if m.dead:
                dead += 1
            else:
                held[m.state] += 1
        return {"created": self.created, "deleted": self.deleted, "expired": self.expired,
                "dropped": self.dropped, "dead_lettered": dead, "in_queues": held[VISIBLE],
                "in_flight": held[IN_FLIGHT], "delayed": held[DELAYED]}

    def totals(self) -> dict[str, Any]:
        return {"received_in": self.received_in, "receives": self.receives, "deleted": self.deleted,
                "dead_lettered": self.dead_lettered, "expired": self.expired, "sent": self.created,
                "dead_letter_in": self.dead_letter_in, "receive_calls": self.receive_calls,
                "empty_receives": self.empty_receives, "deduplicated": self.deduplicated,
                "delete_failures": self.delete_failures, "visible": self.n_visible,
                "in_flight": self.n_in_flight, "delayed": self.n_delayed,
                "max_receive_count_seen": max(self.top_receive_count,   # those moved in keep their count
                                              max((m.receive_count for m in self.alive.values()), default=0)),
                "sns_raw_in": self.sns_raw_in, "sns_envelope_in": self.sns_envelope_in,
                "sns_bytes_in": self.sns_bytes_in,
                "sent_by": {p.edge.source: p.sent for p in self.producers}}

    def sample(self, interval: float) -> dict[str, float]:
        r0, d0, x0 = self._marks
        self._marks = (self.received_in, self.deleted, self.dead_lettered)
        return {"visible": self.n_visible, "in_flight": self.n_in_flight, "delayed": self.n_delayed,
                "oldest_age_s": self.oldest_age(), "received_in_rps": (self.received_in - r0) / interval,
                "deleted_rps": (self.deleted - d0) / interval, "dead_lettered": self.dead_lettered}

    def state(self) -> dict[str, Any]:
        return {"visible": self.n_visible, "in_flight": self.n_in_flight, "delayed": self.n_delayed,
                "oldest_age_s": round(self.oldest_age(), 3), "fifo": self.fifo}
