"""Lambda functions: concurrency, throttling, cold starts, asynchronous invocations from SNS.

An invocation runs when fewer than `reserved_concurrency` are running, else it is throttled. It
takes a warm execution environment if one is idle, else starts a new one and pays `cold_start_s`.
Idle environments stay warm for WARM_IDLE_S (AWS does not publish the figure; minutes).

Asynchronous invocations (SNS): Lambda keeps the event and retries it twice (three tries in all,
AWS's default maximum of 2 retries), whether the try was throttled or the function failed; after the
last try the event is dropped (no on-failure destination is modelled). Retry delays follow AWS:
throttles back off from 1 s, function errors wait 1 then 2 minutes.

Ledger: an SNS copy Lambda has accepted is being_delivered until its invocation succeeds, which
counts as deleted (consumed successfully), or its tries run out (dropped). Batches from SQS stay in
their queue (in flight) and the queue counts them.
"""
from __future__ import annotations

from collections import deque
from typing import Any, Callable

from engine import distributions
from engine.components.base import Component
from engine.messaging.esm import EventSourceMapping
from engine.messaging.messages import Message

WARM_IDLE_S = 600.0
ASYNC_TRIES = 3
THROTTLE_RETRY_S = (1.0, 2.0)
ERROR_RETRY_S = (60.0, 120.0)


class Invocation:
    __slots__ = ("on_done", "payload", "cold")

    def __init__(self, on_done: Callable[[Any, bool], None], payload: Any, cold: bool) -> None:
        self.on_done, self.payload, self.cold = on_done, payload, cold


class AsyncEvent:
    __slots__ = ("message", "tries")

    def __init__(self, message: Message) -> None:
        self.message, self.tries = message, 0


class LambdaFunction(Component):
    kind = "lambda_function"

    def __init__(self, world, node) -> None:
        super().__init__(world, node)
        self.available = True           # False: refuse SNS deliveries (tests of SNS's retry policy)
        self.running = 0
        self.peak_running = 0
        self.warm: deque[float] = deque()   # idle environments: when each was last used, oldest first
        self.environments = 0
        self.async_events: dict[int, AsyncEvent] = {}
        self.mappings: list[EventSourceMapping] = []
        self.invocations = self.throttles = self.cold_starts = self.errors = self.successes = 0
        self.deleted = self.dropped = self.async_retries = 0
        self._duration = distributions.sampler(self.props["duration_s"], self.rng)
        self._marks = (0, 0)

    def add_event_source(self, queue: Any, edge: Any) -> None:
        mapping = EventSourceMapping(self, queue, edge)
        self.mappings.append(mapping)
        mapping.start()

    def on_prop_changed(self, name: str) -> None:
        if name == "duration_s":
            self._duration = distributions.sampler(self.props["duration_s"], self.rng)

    # -- invoking --------------------------------------------------------------------------------------
    def invoke(self, on_done: Callable[[Any, bool], None], payload: Any) -> bool:
        """Start an invocation; False if throttled. on_done(payload, succeeded) follows when it ends."""
        if self.running >= self.props["reserved_concurrency"]:
            self.throttles += 1
            return False
        now = self.kernel.now
        warm = self.warm
        while warm and now - warm[0] > WARM_IDLE_S:   # environments idle too long were recycled
            warm.popleft()
            self.environments -= 1
        cold = not warm
        if cold:
            self.environments += 1
            self.cold_starts += 1
        else:
            warm.pop()   # the most recently used one
        self.running += 1
        self.invocations += 1
        self.peak_running = max(self.peak_running, self.running)
        run = self._duration() + (self.props["cold_start_s"] if cold else 0.0)
        self.kernel.at(now + run, self._finish, Invocation(on_done, payload, cold))
        return True

    def _finish(self, inv: Invocation) -> None:
        self.running -= 1
        self.warm.append(self.kernel.now)
        rate = self.props["error_rate"]
        ok = not (rate and self.rng.random() < rate)
        if ok:
            self.successes += 1
        else:
            self.errors += 1
        inv.on_done(inv.payload, ok)

    # -- asynchronous invocations (SNS) ----------------------------------------------------------------
    def accept_async(self, msg: Message) -> bool:
        """SNS hands over a copy (an Invoke of type Event); False if Lambda refuses it."""
        if not self.available:
            return False
        event = AsyncEvent(msg)
        self.async_events[msg.id] = event
        self._try(event)
        return True

    def _try(self, event: AsyncEvent) -> None:
        event.tries += 1
        if not self.invoke(self._async_done, event):
            self._retry_or_drop(event, THROTTLE_RETRY_S)

    def _async_done(self, event: AsyncEvent, ok: bool) -> None:
        if ok:
            del self.async_events[event.message.id]
            self.deleted += 1
        else:
            self._retry_or_drop(event, ERROR_RETRY_S)

    def _retry_or_drop(self, event: AsyncEvent, delays: tuple[float, ...]) -> None:
        if event.tries >= ASYNC_TRIES:
            del self.async_events[event.message.id]
            self.dropped += 1
            return
        self.async_retries += 1
        self.kernel.after(delays[min(event.tries, len(delays)) - 1], self._try, event)

    # -- reporting -------------------------------------------------------------------------------------
    def message_counts(self) -> dict[str, int]:
        return {"deleted": self.deleted, "dropped": self.dropped, "being_delivered": len(self.async_events)}

    def totals(self) -> dict[str, Any]:
        return {"invocations": self.invocations, "succeeded": self.successes, "errors": self.errors,
                "throttles": self.throttles, "cold_starts": self.cold_starts, "peak_concurrency": self.peak_running,
                "async_succeeded": self.deleted, "async_dropped": self.dropped, "async_retries": self.async_retries,
                "batches": sum(m.batches for m in self.mappings),
                "pollers": sum(len(m.pollers) for m in self.mappings)}

    def sample(self, interval: float) -> dict[str, float]:
        i0, t0 = self._marks
        self._marks = (self.invocations, self.throttles)
        return {"concurrency": self.running, "invocations_rps": (self.invocations - i0) / interval,
                "throttles_rps": (self.throttles - t0) / interval}

    def state(self) -> dict[str, Any]:
        return {"running": self.running, "limit": self.props["reserved_concurrency"],
                "warm": len(self.warm), "throttles": self.throttles}
