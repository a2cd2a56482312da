"""The SQS event source mapping of a Lambda function: pollers that receive batches and invoke.

As AWS documents it: the mapping starts with 5 concurrent batches (here 5 pollers, each running one
batch at a time); while messages remain it adds up to 300 concurrent invocations a minute, up to
1,250, the function's concurrency (its reservation, or what the account's unreserved pool has), or
the mapping's `maximum_concurrency` (2-1,000) when set. Each poller gathers a batch (`batch_size`,
default 10, up to 10,000 on a standard queue: receives of at most 10 until the batch is full or the
queue has no more visible; no batching window is modelled), makes one invocation per batch, deletes
the batch when the invocation succeeds and leaves it to reappear after the visibility timeout when
it fails. A throttled invocation also leaves the batch in the queue (AWS's well-known trap: a low
reserved concurrency behind a busy queue drives receive counts up); the poller backs off and, above
the first 5, stops. No pollers are added in a minute that saw a throttle.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.awsrules import RECEIVE_MAX
from engine.messaging.messages import Message, hop_batch
from engine.traffic import MESSAGE, RESPONSE

if TYPE_CHECKING:
    from engine.messaging.lambda_fn import LambdaFunction
    from engine.messaging.sqs import SqsQueue

INITIAL_POLLERS = 5
MAX_POLLERS = 1250
ADD_PER_MINUTE = 300
SCALE_PERIOD_S = 60.0
SHORT_POLL_IDLE_S = 1.0
THROTTLE_BACKOFF_S = 1.0


class EventSourceMapping:
    def __init__(self, fn: "LambdaFunction", queue: "SqsQueue", edge: Any) -> None:
        self.fn, self.queue, self.edge = fn, queue, edge
        self.world, self.kernel = fn.world, fn.kernel
        self.pollers: list[EsmPoller] = []
        self.batches = self.throttled_batches = 0
        self.throttled_recently = False

    def settings(self) -> tuple[int, float]:
        return self.queue.consumer_settings(self.edge, 10)

    def cap(self) -> int:
        """The most pollers (concurrent batches) the mapping may have now."""
        limit = min(MAX_POLLERS, self.fn.concurrency_limit())
        maximum = self.edge.props.get("maximum_concurrency")
        return limit if maximum is None else min(limit, maximum)

    def start(self) -> None:
        maximum = self.edge.props.get("maximum_concurrency")
        self._add(INITIAL_POLLERS if maximum is None else min(INITIAL_POLLERS, maximum))
        self.kernel.every(SCALE_PERIOD_S, self._scale)

    def _add(self, n: int) -> None:
        for _ in range(n):
            poller = EsmPoller(self)
            self.pollers.append(poller)
            self.kernel.after(0.0, poller.poll)

    def _scale(self) -> None:
        """Add pollers while messages wait and nothing was throttled during the last minute."""
        room = self.cap() - len(self.pollers)
        if self.queue.visible_count() > 0 and not self.throttled_recently and room > 0:
            self._add(min(ADD_PER_MINUTE, room))
        self.throttled_recently = False

    def retire(self, poller: "EsmPoller") -> bool:
        """Stop a poller that found nothing or was throttled, down to the first five."""
        if len(self.pollers) <= INITIAL_POLLERS:
            return False
        self.pollers.remove(poller)
        return True

    def over_cap(self, poller: "EsmPoller") -> bool:
        """Stop a poller beyond maximum_concurrency (lowered while the run goes on)."""
        maximum = self.edge.props.get("maximum_concurrency")
        if maximum is None or len(self.pollers) <= maximum:
            return False
        self.pollers.remove(poller)
        return True


class EsmPoller:
    def __init__(self, mapping: EventSourceMapping) -> None:
        self.mapping = mapping
        self.busy = False   # receiving, or waiting for its invocation

    def poll(self, _: object = None) -> None:
        if self.busy:
            return
        m = self.mapping
        if m.over_cap(self):
            return
        self.busy = True
        batch, wait = m.settings()
        msgs = m.queue.receive(min(batch, RECEIVE_MAX), wait, self._answer)
        if msgs is not None:
            self._answer(msgs)

    def _fill(self, msgs: list[Message]) -> list[Message]:
        """Receive more, 10 at a time, until the batch is full or the queue has no more visible."""
        want, queue = self.mapping.settings()[0], self.mapping.queue
        got = list(msgs)
        asked = min(want, RECEIVE_MAX)
        while len(msgs) == asked and len(got) < want:
            asked = min(want - len(got), RECEIVE_MAX)
            msgs = queue.receive(asked, 0.0, self._answer) or []
            got.extend(msgs)
        return got

    def _answer(self, msgs: list[Message]) -> None:
        m = self.mapping
        if not msgs:
            self.busy = False
            if m.retire(self):
                return
            if m.settings()[1] > 0:
                self.poll()
            else:
                m.kernel.after(SHORT_POLL_IDLE_S, self.poll)
            return
        batch = [(msg, msg.receipt) for msg in self._fill(msgs)]
        hop_batch(m.world, m.edge, -1, MESSAGE, self._arrive, batch, len(batch))

    def _arrive(self, batch: list[tuple[Message, int]]) -> None:
        m = self.mapping
        m.batches += 1
        if m.fn.invoke(self._done, batch):
            return
        m.throttled_batches += 1   # the batch stays in flight and reappears after the visibility timeout
        m.throttled_recently = True
        self.busy = False
        if not m.retire(self):
            m.kernel.after(THROTTLE_BACKOFF_S, self.poll)

    def _done(self, batch: list[tuple[Message, int]], ok: bool) -> None:
        m = self.mapping
        if ok and not m.queue.consumer_fails():
            hop_batch(m.world, m.edge, -1, RESPONSE, self._delete, batch, len(batch))
        self.busy = False
        self.poll()

    def _delete(self, batch: list[tuple[Message, int]]) -> None:
        queue = self.mapping.queue
        for msg, receipt in batch:
            queue.delete(msg, receipt)
