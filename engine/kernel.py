"""The discrete-event kernel: one clock, one heap of (time, seq, handler, payload), seeded streams.

Handlers take one argument. Nothing is ever removed from the heap: a handler whose work has
been cancelled checks a flag on its payload and returns (lazy cancellation is cheaper than
deleting from a heap). The sequence number keeps equal-time events in scheduling order, so the
same seed gives the same run.
"""
from __future__ import annotations

import gc
import random
import zlib
from heapq import heappop, heappush
from itertools import count
from typing import Any, Callable

Handler = Callable[[Any], None]

# While events run, the cyclic garbage collector looks at young objects every 10,000 allocations
# instead of Python's 700: a run allocates fast and keeps a large live heap (events, messages),
# so the default made full collections (which walk every live object, finding almost nothing)
# about a third of the wall time of a heavy topology (tests/perf/bench_heavy.py).
GC_YOUNG_THRESHOLD = 10_000


class Kernel:
    def __init__(self, seed: int = 1) -> None:
        self.seed = seed
        self.now = 0.0
        self.events = 0
        self.heap: list[tuple[float, int, Handler, Any]] = []
        self.seq = count()  # public so hot paths can push without a method call

    def at(self, t: float, handler: Handler, payload: Any = None) -> None:
        heappush(self.heap, (t, next(self.seq), handler, payload))

    def after(self, delay: float, handler: Handler, payload: Any = None) -> None:
        heappush(self.heap, (self.now + delay, next(self.seq), handler, payload))

    def every(self, period: float, handler: Callable[..., Any], first: float | None = None,
              args: tuple = ()) -> None:
        """Call handler(*args) every period seconds; it stops when handler returns False."""
        self.at(self.now + period if first is None else first, Periodic(self, period, handler, args).tick)

    # A checkpoint pickles the kernel: the sequence counter goes as the number it would give next
    # (an itertools.count itself will not pickle in future Pythons).
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["seq"] = next_seq = next(self.seq)
        self.seq = count(next_seq)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.seq = count(state["seq"])

    def run_until(self, until: float) -> int:
        """Process every event at or before `until`, then set the clock to `until`."""
        heap, pop, n = self.heap, heappop, 0
        thresholds = gc.get_threshold()
        if thresholds[0] < GC_YOUNG_THRESHOLD:
            gc.set_threshold(GC_YOUNG_THRESHOLD, *thresholds[1:])
        try:
            while heap:
                event = pop(heap)
                t, _, handler, payload = event   # one unpacking instead of three subscripts
                if t > until:  # one look past the end, put back: cheaper than peeking every time
                    heappush(heap, event)
                    break
                self.now = t
                handler(payload)
                n += 1
        finally:
            gc.set_threshold(*thresholds)
        self.events += n
        if until > self.now:
            self.now = until
        return n

    def step(self) -> bool:
        """Process the next event only; False when there is none."""
        if not self.heap:
            return False
        t, _, handler, payload = heappop(self.heap)
        self.now = t
        handler(payload)
        self.events += 1
        return True

    def stream(self, name: str) -> random.Random:
        """A random stream of its own for each named user, so adding one component does not
        shift the numbers every other component draws."""
        return random.Random((self.seed << 32) ^ zlib.crc32(name.encode("utf-8")))


class Periodic:
    """A handler called every `period` seconds (Kernel.every): plain data and a bound method on
    the heap, never a closure, so the heap pickles."""

    __slots__ = ("kernel", "period", "handler", "args")

    def __init__(self, kernel: Kernel, period: float, handler: Callable[..., Any], args: tuple) -> None:
        self.kernel, self.period, self.handler, self.args = kernel, period, handler, args

    def tick(self, _: Any) -> None:
        if self.handler(*self.args) is not False:
            self.kernel.after(self.period, self.tick)
