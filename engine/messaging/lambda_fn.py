"""Lambda functions: concurrency, throttling, cold starts, asynchronous invocations from SNS.

Concurrency (AWS-SEMANTICS "Lambda"): a function with `reserved_concurrency` runs at most that many
invocations at once, and its reservation is carved out of the account's pool. Functions without one
share what is left: the world's AccountPool, `simulation.account_concurrency` (AWS's default quota,
1,000) minus every reservation. Beyond the limit an invocation is throttled. An invocation takes a
warm execution environment if one is idle, else starts a new one and pays `cold_start_s`. Idle
environments stay warm for WARM_IDLE_S (AWS does not publish the figure; minutes).

Asynchronous invocations (SNS): Lambda accepts the event into its own event queue (SNS's delivery
succeeds then). A throttled event stays queued and is retried with backoff from 1 s doubling up to
5 minutes, for up to `maximum_event_age_s`; each wait is drawn between half and all of its step
(AWS does not document the spread; without one, events throttled together would retry together
for ever and leave the function idle in between); a function error is retried `maximum_retry_attempts`
times (0-2), 1 then 2 minutes after the failed try. Only then is the event dropped (no on-failure
destination is modelled).

Ledger: an SNS copy Lambda has accepted is being_delivered (FORMAT.md: held by a service on its way
to the code that consumes it) while it waits in the event queue or runs; a successful invocation
counts it deleted (consumed), running out of retries or age counts it dropped. It is not in_flight:
that state is an SQS queue's received-but-not-deleted message. Batches from SQS stay in their
queue (in flight) and the queue counts them.
"""
from __future__ import annotations

from collections import deque
from typing import Any, Callable

from engine import distributions
from engine.components.base import Component
from engine.costs.meter import billed_ms
from engine.messaging.esm import EventSourceMapping
from engine.messaging.messages import Message

WARM_IDLE_S = 600.0
THROTTLE_FIRST_S, THROTTLE_MAX_S = 1.0, 300.0   # throttled async events: backoff from 1 s up to 5 minutes
ERROR_RETRY_S = (60.0, 120.0)                    # function errors: about 1, then 2 minutes


class AccountPool:
    """The account's concurrency, shared by every function of the world that reserves none."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.functions: list["LambdaFunction"] = []
        self.running = 0   # invocations of functions without a reservation

    def unreserved(self) -> int:
        return max(0, self.limit - sum(f.props["reserved_concurrency"] or 0 for f in self.functions))


def account_pool(world: Any) -> AccountPool:
    pool = world.lambda_pool
    if pool is None:
        pool = world.lambda_pool = AccountPool(getattr(world.doc, "account_concurrency", 1000))
    return pool


class Invocation:
    __slots__ = ("on_done", "payload", "cold", "pooled")

    def __init__(self, on_done: Callable[[Any, bool], None], payload: Any, cold: bool, pooled: bool) -> None:
        self.on_done, self.payload, self.cold = on_done, payload, cold
        self.pooled = pooled   # counted in the account's unreserved pool


class AsyncEvent:
    __slots__ = ("message", "expires_at", "failures", "throttles", "running")

    def __init__(self, message: Message, expires_at: float) -> None:
        self.message, self.expires_at = message, expires_at
        self.failures = self.throttles = 0   # function errors and throttles so far
        self.running = False


class LambdaFunction(Component):
    kind = "lambda_function"

    def __init__(self, world, node) -> None:
        super().__init__(world, node)
        self.available = True           # False: refuse SNS deliveries (tests of SNS's retry policy)
        self.injected_error_rate: float | None = None   # an injected failure overrides error_rate
        self.running = 0
        self.peak_running = 0
        self.warm: deque[float] = deque()   # idle environments: when each was last used, oldest first
        self.environments = 0
        self.async_events: dict[int, AsyncEvent] = {}
        self.mappings: list[EventSourceMapping] = []
        self.invocations = self.throttles = self.cold_starts = self.errors = self.successes = 0
        self.mb_ms = 0   # billed duration (ms, rounded up per invocation) times memory (MB)
        self.deleted = self.dropped_failed = self.dropped_old = self.async_retries = self.async_running = 0
        self.pool = account_pool(world)
        self.pool.functions.append(self)
        self._duration = distributions.sampler(self.props["duration_s"], self.rng)
        self._jitter = world.kernel.stream(f"lambda-async:{node.id}")   # its own: retries shift no other draw
        self._marks = (0, 0)

    def add_event_source(self, queue: Any, edge: Any) -> None:
        mapping = EventSourceMapping(self, queue, edge)
        self.mappings.append(mapping)
        mapping.start()

    def on_prop_changed(self, name: str) -> None:
        if name == "duration_s":
            self._duration = distributions.sampler(self.props["duration_s"], self.rng)

    # -- invoking --------------------------------------------------------------------------------------
    def concurrency_limit(self) -> int:
        """The most invocations this function may run at once now."""
        reserved = self.props["reserved_concurrency"]
        if reserved is not None:
            return reserved
        pool = self.pool
        return self.running + max(0, pool.unreserved() - pool.running)

    def invoke(self, on_done: Callable[[Any, bool], None], payload: Any) -> bool:
        """Start an invocation; False if throttled. on_done(payload, succeeded) follows when it ends."""
        if self.running >= self.concurrency_limit():
            self.throttles += 1
            if self.world.tracer is not None:
                _trace_invoke(self, payload, None)
            return False
        pooled = self.props["reserved_concurrency"] is None
        if pooled:
            self.pool.running += 1
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
        self.mb_ms += billed_ms(run) * self.props["memory_mb"]
        if self.world.tracer is not None:
            _trace_invoke(self, payload, cold)
        self.kernel.at(now + run, self._finish, Invocation(on_done, payload, cold, pooled))
        return True

    def _finish(self, inv: Invocation) -> None:
        self.running -= 1
        if inv.pooled:
            self.pool.running -= 1
        self.warm.append(self.kernel.now)
        rate = self.props["error_rate"] if self.injected_error_rate is None else self.injected_error_rate
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
        event = AsyncEvent(msg, self.kernel.now + self.props["maximum_event_age_s"])
        self.async_events[msg.id] = event
        self._try(event)
        return True

    def _try(self, event: AsyncEvent) -> None:
        if self.kernel.now >= event.expires_at:
            self._drop(event, too_old=True)
        elif self.invoke(self._async_done, event):
            event.running = True
            self.async_running += 1
        else:
            step = min(THROTTLE_MAX_S, THROTTLE_FIRST_S * 2.0 ** event.throttles)
            event.throttles += 1
            self._retry(event, step * (0.5 + 0.5 * self._jitter.random()))

    def _async_done(self, event: AsyncEvent, ok: bool) -> None:
        event.running = False
        self.async_running -= 1
        if ok:
            del self.async_events[event.message.id]
            self.deleted += 1
            if event.message.trace is not None:
                event.message.trace.finish("deleted", f"processed by {self.name}", self.kernel.now)
        elif event.failures >= self.props["maximum_retry_attempts"]:
            self._drop(event, too_old=False)
        else:
            event.failures += 1
            self._retry(event, ERROR_RETRY_S[event.failures - 1])

    def _retry(self, event: AsyncEvent, delay: float) -> None:
        """Back to the event queue; a retry due after the event's maximum age happens at that age (dropped)."""
        self.async_retries += 1
        self.kernel.at(min(self.kernel.now + delay, event.expires_at), self._try, event)

    def _drop(self, event: AsyncEvent, too_old: bool) -> None:
        del self.async_events[event.message.id]
        if event.message.trace is not None:
            why = "older than its maximum event age" if too_old else "its retries ran out"
            event.message.trace.finish("dropped", f"{self.name} dropped it: {why}", self.kernel.now)
        if too_old:
            self.dropped_old += 1
        else:
            self.dropped_failed += 1

    # -- reporting -------------------------------------------------------------------------------------
    def message_counts(self) -> dict[str, int]:
        return {"deleted": self.deleted, "dropped": self.dropped_failed + self.dropped_old,
                "being_delivered": len(self.async_events)}

    def queued_events(self) -> int:
        """Asynchronous events waiting in Lambda's event queue (not running)."""
        return len(self.async_events) - self.async_running

    def totals(self) -> dict[str, Any]:
        return {"invocations": self.invocations, "succeeded": self.successes, "errors": self.errors,
                "throttles": self.throttles, "cold_starts": self.cold_starts, "peak_concurrency": self.peak_running,
                "async_succeeded": self.deleted, "async_dropped": self.dropped_failed + self.dropped_old,
                "async_dropped_failed": self.dropped_failed, "async_dropped_too_old": self.dropped_old,
                "async_retries": self.async_retries, "async_queued": self.queued_events(),
                "batches": sum(m.batches for m in self.mappings),
                "pollers": sum(len(m.pollers) for m in self.mappings)}

    def sample(self, interval: float) -> dict[str, float]:
        i0, t0 = self._marks
        self._marks = (self.invocations, self.throttles)
        return {"concurrency": self.running, "invocations_rps": (self.invocations - i0) / interval,
                "throttles_rps": (self.throttles - t0) / interval, "async_queued": self.queued_events()}

    def state(self) -> dict[str, Any]:
        return {"running": self.running, "limit": self.concurrency_limit(), "warm": len(self.warm),
                "throttles": self.throttles, "async_queued": self.queued_events()}


def _trace_invoke(fn: LambdaFunction, payload: Any, cold: bool | None) -> None:
    """Tell the traced messages of an invocation (an SNS event or an SQS batch) how it started."""
    msgs = [payload.message] if isinstance(payload, AsyncEvent) else [m for m, _ in payload]
    now = fn.kernel.now
    for msg in msgs:
        if msg.trace is not None:
            if cold is None:
                msg.trace.throttled(fn, now)
            else:
                msg.trace.invoked(fn, cold, now)
