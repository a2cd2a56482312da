"""SNS topics: fan-out through filter policies, delivery with per-protocol retries, FIFO topics.

A publish arriving at the topic makes one copy per subscription whose filter policy matches
(`filter_policy_scope` MessageAttributes or MessageBody; generated messages carry a JSON body made
of their attributes and their id). Each copy is delivered with its protocol's retry policy
(engine/messaging/retry.py); when the tries run out it goes to the subscription's dead-letter
queue, if it has one, else it is dropped and counted. A FIFO topic deduplicates over 5 minutes and
keeps order per message group: a subscription delivers one copy of a group at a time.

Ledger: the topic creates the copies; a copy is being_delivered while the topic holds it (on its
way, waiting for a retry, or at an HTTP/S endpoint). Handing it to a queue, a function or a mail
server passes it on; an HTTP/S endpoint's 2xx answer consumes it (deleted); no tries left with no
DLQ: dropped.
"""
from __future__ import annotations

from collections import deque
from typing import Any

from engine.components.base import Component
from engine.filter_policy import matches
from engine.messaging.http import HttpSender
from engine.messaging.messages import DedupWindow, Message, attach_producer, dedup_key, new_id
from engine.messaging.retry import SCHEDULES
from engine.traffic import MESSAGE

PROTOCOLS = {"sqs_queue": "sqs", "lambda_function": "lambda", "email_endpoint": "email",
             "load_balancer": "http", "ec2_instance": "http", "auto_scaling_group": "http"}


class Delivery:
    __slots__ = ("copy", "sub", "tries")

    def __init__(self, copy: Message, sub: "Subscription") -> None:
        self.copy, self.sub, self.tries = copy, sub, 0


class Subscription:
    def __init__(self, topic: "SnsTopic", edge: Any, endpoint: Any) -> None:
        self.topic, self.edge, self.endpoint = topic, edge, endpoint
        self.protocol = PROTOCOLS[endpoint.kind]
        self.schedule = SCHEDULES[self.protocol]
        self.dlq: Any = None
        self.http = HttpSender(topic.world, edge, endpoint, topic._outcome) if self.protocol == "http" else None
        self.groups: dict[str | None, deque[Delivery]] = {}   # FIFO: copies waiting behind their group
        self.matched = self.filtered_out = self.delivered = self.tries = self.failed = 0
        self.dead_lettered = self.dropped = self.retries = 0

    def matches(self, msg: Message) -> bool:
        policy = self.edge.props.get("filter_policy")
        if policy is None:
            return True
        scope = self.edge.props.get("filter_policy_scope") or "MessageAttributes"
        return matches(policy, msg.attributes, body=msg.body, scope=scope)


class SnsTopic(Component):
    kind = "sns_topic"

    def __init__(self, world, node) -> None:
        super().__init__(world, node)
        self.fifo = bool(self.props["fifo"])
        self.subscriptions: list[Subscription] = []
        self.deliveries: set[Delivery] = set()
        self.producers: list[Any] = []
        self.dedup = DedupWindow()
        self.published = self.deduplicated = self.created = self.filtered_out = 0
        self.delivered = self.failed = self.retries = self.consumed = self.dropped = self.dead_lettered = 0
        self._marks = (0, 0)

    # -- wiring ----------------------------------------------------------------------------------------
    def connect_in(self, edge, source) -> None:
        producer = attach_producer(self.world, edge, source, self.on_publish)
        if producer is not None:
            self.producers.append(producer)

    def connect_out(self, edge, target) -> None:
        self.subscriptions.append(Subscription(self, edge, target))

    def start(self) -> None:
        for sub in self.subscriptions:
            dlq = sub.edge.props.get("dead_letter_queue")
            sub.dlq = self.world.components.get(dlq) if dlq else None

    # -- publish and fan-out ------------------------------------------------------------------------------
    def on_publish(self, msg: Message) -> None:
        self.published += 1
        now = self.kernel.now
        if self.fifo:
            key = dedup_key(msg, self.props["content_based_deduplication"])
            if self.dedup.is_duplicate(key, now):
                self.deduplicated += 1
                if msg.trace is not None:
                    msg.trace.finish("dropped", f"{self.name} deduplicated it (same key within 5 minutes)", now)
                return
            msg.dedup_id = key   # passed on to the FIFO queues, as SNS does
        tr = msg.trace
        for sub in self.subscriptions:
            matched = sub.matches(msg)
            if tr is not None:
                tr.verdict(sub, matched, msg)
            if not matched:
                sub.filtered_out += 1
                self.filtered_out += 1
                continue
            copy = msg.copy(new_id(self.world))
            if tr is not None:
                copy.trace = tr.for_copy(copy.id, sub, now)
            copy.raw = bool(sub.edge.props.get("raw_message_delivery"))
            sub.matched += 1
            self.created += 1
            d = Delivery(copy, sub)
            self.deliveries.add(d)
            if self.fifo and self._queue_behind_group(d):
                continue
            self._send(d)
        if tr is not None:
            tr.published(self, now)

    def _queue_behind_group(self, d: Delivery) -> bool:
        """FIFO: while a copy of this group is on its way to this subscription, later ones wait."""
        waiting = d.sub.groups.get(d.copy.group)
        if waiting is None:
            d.sub.groups[d.copy.group] = deque()
            return False
        waiting.append(d)
        return True

    def _group_next(self, d: Delivery) -> None:
        waiting = d.sub.groups.get(d.copy.group)
        if waiting is None:
            return
        if waiting:
            self._send(waiting.popleft())
        else:
            del d.sub.groups[d.copy.group]

    # -- delivery tries ---------------------------------------------------------------------------------
    def _send(self, d: Delivery) -> None:
        d.tries += 1
        d.sub.tries += 1
        if d.copy.trace is not None:
            d.copy.trace.attempt(d.sub, d.tries, self.kernel.now)
            if d.sub.http is None:
                d.copy.trace.leg(d.sub.edge, -1, self.kernel.now, MESSAGE)
        if d.sub.http is not None:
            d.sub.http.send(d)
        else:
            self.world.hop(d.sub.edge, -1, MESSAGE, self._arrive, d)

    def _arrive(self, d: Delivery) -> None:
        endpoint, protocol = d.sub.endpoint, d.sub.protocol
        if protocol == "sqs":
            ok = endpoint.accept_delivery(d.copy)
        elif protocol == "lambda":
            ok = endpoint.accept_async(d.copy)
        else:
            ok = endpoint.accept(d.copy)
        self._outcome(d, ok)

    def _outcome(self, d: Delivery, ok: bool) -> None:
        sub = d.sub
        if ok:
            self.deliveries.discard(d)
            sub.delivered += 1
            self.delivered += 1
            if sub.protocol == "http":
                self.consumed += 1
            if d.copy.trace is not None and sub.protocol in ("http", "email"):
                d.copy.trace.finish("deleted", f"delivered to {sub.endpoint.name} ({sub.protocol})", self.kernel.now)
            self._group_next(d)
            return
        delay = sub.schedule.delay_before(d.tries + 1)
        if d.copy.trace is not None:
            d.copy.trace.try_failed(sub, d.tries, delay, self.kernel.now)
        if delay is None:
            self._give_up(d)
        else:
            self.retries += 1
            sub.retries += 1
            self.kernel.after(delay, self._send, d)

    def _give_up(self, d: Delivery) -> None:
        """The retry policy is exhausted: to the subscription's dead-letter queue, or dropped."""
        self.deliveries.discard(d)
        sub = d.sub
        sub.failed += 1
        self.failed += 1
        if sub.dlq is not None:
            sub.dead_lettered += 1
            self.dead_lettered += 1
            sub.dlq.accept_dead_letter(d.copy)
        else:
            sub.dropped += 1
            self.dropped += 1
            if d.copy.trace is not None:
                d.copy.trace.finish("dropped", f"{sub.schedule.name} retries to {sub.endpoint.name} ran out "
                                    "and the subscription has no dead-letter queue", self.kernel.now)
        self._group_next(d)

    # -- reporting --------------------------------------------------------------------------------------
    def message_counts(self) -> dict[str, int]:
        return {"created": self.created, "deleted": self.consumed, "dropped": self.dropped,
                "being_delivered": len(self.deliveries)}

    def totals(self) -> dict[str, Any]:
        return {"published": self.published, "delivered": self.delivered, "filtered_out": self.filtered_out,
                "failed": self.failed, "copies": self.created, "retries": self.retries,
                "deduplicated": self.deduplicated, "dead_lettered": self.dead_lettered, "dropped": self.dropped,
                "sent_by": {p.edge.source: p.sent for p in self.producers},
                "subscriptions": {s.edge.id: {"endpoint": s.endpoint.name, "protocol": s.protocol, "matched": s.matched,
                                              "filtered_out": s.filtered_out, "delivered": s.delivered,
                                              "tries": s.tries, "retries": s.retries, "failed": s.failed,
                                              "dead_lettered": s.dead_lettered, "dropped": s.dropped}
                                  for s in self.subscriptions}}

    def sample(self, interval: float) -> dict[str, float]:
        p0, d0 = self._marks
        self._marks = (self.published, self.delivered)
        return {"published_rps": (self.published - p0) / interval, "delivered_rps": (self.delivered - d0) / interval,
                "being_delivered": len(self.deliveries)}

    def state(self) -> dict[str, Any]:
        return {"published": self.published, "delivered": self.delivered, "being_delivered": len(self.deliveries)}
