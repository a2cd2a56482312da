"""Clients: a population that sends HTTP requests (and, with messaging edges, messages)."""
from __future__ import annotations

import math
from array import array
from heapq import heappush
from typing import Any, Callable

from engine.components.base import Component
from engine.distributions import unit_exponentials
from engine.stats import LatencyHistogram
from engine.trace import trace_end
from engine.traffic import OK, REQUEST, Request

RECHECK_IDLE_S = 1.0  # with a rate of 0, look again this often
SAMPLES_KEPT = 10_000  # the first latencies kept one by one, for tests and inspection
BATCH = 4096           # latencies wait in a small buffer and go into the histogram this many at once


class Client(Component):
    kind = "client"

    def __init__(self, world, node) -> None:
        super().__init__(world, node)
        self.lb_edges: list[tuple[Any, Any]] = []     # (edge, load balancer)
        self.emitters: list[Callable[[float], None]] = []  # message publishers, added by messaging
        self.sent = self.failed = 0   # completed is derived (a property): the hot path counts less
        self.errors = {"500": 0, "502": 0, "503": 0, "504": 0, "timeout": 0}
        self._kept = array("d")                   # the first SAMPLES_KEPT latencies only
        self._batch = array("d")                  # latencies not yet in _recent (at most BATCH)
        self.latency = LatencyHistogram()         # every latency up to the last sample()
        self._recent = LatencyHistogram()         # those since the last sample()
        self._boost_factor, self._boost_until = 1.0, -1.0
        self._generation = 0
        self._sampled = (0, 0)  # sent, failed at the last sample
        self._rec = world.rec
        self._exp1 = unit_exponentials(self.rng)
        self._arrive_handler = self._arrive   # made once: every arrival event holds it
        self._slow_floor = math.inf   # a 200 slower than this is kept by the tracer (engine.trace)
        self._refresh_rate_bound()

    def connect_out(self, edge, target) -> None:
        if target.kind == "load_balancer":
            self.lb_edges.append((edge, target))

    def start(self) -> None:
        self._schedule_next()

    # -- arrivals -------------------------------------------------------------------------------
    def rate_at(self, t: float) -> float:
        """The arrival rate at time t: the base rate shaped by the pattern and any live spike."""
        base = self.props["rate_rps"]
        p = self.props["pattern"]
        kind = p["type"]
        if kind == "sine":
            rate = base * (1.0 + p["amplitude"] * math.sin(2.0 * math.pi * t / p["period_s"]))
        elif kind == "ramp":
            frac = 1.0 if p["over_s"] <= 0 else min(1.0, t / p["over_s"])
            rate = base + (p["to_rps"] - base) * frac
        elif kind == "spike" and p["at_s"] <= t < p["at_s"] + p["duration_s"]:
            rate = base * p["factor"]
        else:
            rate = base
        if t < self._boost_until:
            rate *= self._boost_factor
        return max(0.0, rate)

    def _refresh_rate_bound(self) -> None:
        base, p = self.props["rate_rps"], self.props["pattern"]
        bound = {"sine": lambda: base * (1 + p.get("amplitude", 0)),
                 "ramp": lambda: max(base, p.get("to_rps", base)),
                 "spike": lambda: base * max(1.0, p.get("factor", 1.0))}.get(p["type"], lambda: base)()
        self._rate_bound = bound * max(1.0, self._boost_factor)
        self._constant = self.props["arrival"] == "constant"
        self._steady = p["type"] == "steady" and self._boost_until < 0 and not self._constant
        self._poisson = self._steady and self._rate_bound > 0   # _arrive's fast path
        self._timeout = self.props["timeout_s"]

    def _schedule_next(self) -> None:
        k = self.kernel
        if self._constant:
            rate = self.rate_at(k.now)
            k.at(k.now + (1.0 / rate if rate > 0 else RECHECK_IDLE_S), self._arrive, self._generation)
            return
        bound = self._rate_bound
        if self._steady and bound > 0:  # the common case, kept short
            heappush(k.heap, (k.now + self._exp1() / bound, next(k.seq), self._arrive, self._generation))
            return
        if bound <= 0:
            k.at(k.now + RECHECK_IDLE_S, self._arrive_none, self._generation)
            return
        # Thinning (Lewis and Shedler): exact arrivals of a Poisson process with a varying rate.
        t, expo = k.now, self.rng.expovariate
        t += expo(bound)
        if not self._steady:
            rand, rate_at = self.rng.random, self.rate_at
            while rand() * bound > rate_at(t):
                t += expo(bound)
        k.at(t, self._arrive, self._generation)

    def _arrive_none(self, generation: int) -> None:
        if generation == self._generation:
            self._schedule_next()

    def _arrive(self, generation: int) -> None:
        if generation != self._generation:
            return
        if self._poisson:  # the common case first, with _schedule_next's part for it inlined
            self.send_one()
            k = self.kernel
            draws = self._exp1.values   # Sampler.__call__, inlined
            gap = draws.pop() if draws else self._exp1.refill()
            heappush(k.heap, (k.now + gap / self._rate_bound, next(k.seq), self._arrive_handler, generation))
            return
        if self._constant and self.rate_at(self.kernel.now) <= 0:
            self._schedule_next()
            return
        self.send_one()
        self._schedule_next()

    def send_one(self) -> None:
        now = self.kernel.now
        tracer = self.world.tracer
        for edge, lb in self.lb_edges:
            r = Request(self, now, edge)
            self.sent += 1
            if tracer is not None:
                tracer.on_send(self, r, edge)
            if self._timeout is not None:
                self.kernel.at(now + self._timeout, self._time_out, r)
            # world.hop, inlined: this is the hottest path of the engine
            latency = edge.latency
            if latency:
                self._rec((edge.index, -1, now, now + latency, REQUEST))
                self.kernel.at(now + latency, lb.on_request, r)
            else:   # no event, and the transfer arrives as it leaves
                self._rec((edge.index, -1, now, now, REQUEST))
                lb.on_request(r)
        if self.emitters:
            for emit in self.emitters:
                emit(now)

    # -- outcomes ---------------------------------------------------------------------------------
    def on_response(self, r: Request) -> None:
        if r.closed:
            return  # the client gave up on it already
        r.closed = True
        batch = self._batch
        latency = self.kernel.now - r.t0
        batch.append(latency)
        if len(batch) >= BATCH:
            self._flush()
        if r.status != OK:
            self.failed += 1
            self.errors[str(r.status)] += 1
            if self.world.tracer is not None:
                trace_end(self, r, str(r.status))
        elif r.trace is not None or latency > self._slow_floor:
            trace_end(self, r, "200")

    def _time_out(self, r: Request) -> None:
        if r.closed:
            return
        r.closed = True
        self._batch.append(self.kernel.now - r.t0)
        if len(self._batch) >= BATCH:
            self._flush()
        self.failed += 1
        self.errors["timeout"] += 1
        if self.world.tracer is not None:
            trace_end(self, r, "timeout")

    def _flush(self) -> None:
        """Move the buffered latencies into the histogram (keeping the first SAMPLES_KEPT)."""
        batch = self._batch
        room = SAMPLES_KEPT - len(self._kept)
        if room > 0:
            self._kept.extend(batch[:room])
        self._recent.add_many(batch)
        del batch[:]

    @property
    def completed(self) -> int:
        """Requests answered with 200: every closed request left one latency, and the rest failed."""
        closed = self.latency.n + self._recent.n + len(self._batch)
        return closed - self.failed

    def latency_total(self) -> float:
        """The sum of every latency so far: the client's connection-seconds (a load balancer's bill)."""
        return self.latency.total + self._recent.total + sum(self._batch)

    @property
    def latencies(self) -> array:
        """The first SAMPLES_KEPT latencies, one by one (tests and inspection; reports use the histogram)."""
        self._flush()
        return self._kept

    # -- live changes -----------------------------------------------------------------------------
    def on_prop_changed(self, name: str) -> None:
        if name in ("rate_rps", "pattern", "arrival", "timeout_s"):
            self._reschedule()

    def boost(self, factor: float, duration_s: float) -> None:
        """Multiply the rate for a while (the live view's 'spike traffic' action)."""
        self._boost_factor, self._boost_until = factor, self.kernel.now + duration_s
        self._reschedule()
        self.kernel.at(self._boost_until, self._end_boost)
        self.log("spike", f"Traffic x{factor:g} for {duration_s:g} s")

    def _end_boost(self, _: object) -> None:
        self._reschedule()

    def _reschedule(self) -> None:
        self._refresh_rate_bound()
        self._generation += 1
        self._schedule_next()

    # -- reporting ---------------------------------------------------------------------------------
    def totals(self) -> dict[str, Any]:
        return {"sent": self.sent, "completed": self.completed, "failed": self.failed}

    def latency_summary(self) -> dict[str, float]:
        """Mean (exact), p50, p95 and p99 (within 0.1 %) of every latency so far."""
        lat = self.latency_histogram()
        p50, p95, p99 = lat.percentiles((50, 95, 99))
        return {"mean": lat.mean(), "p50": p50, "p95": p95, "p99": p99}

    def latency_histogram(self) -> LatencyHistogram:
        """Every latency so far, in a new histogram (several clients' can be merged)."""
        self._flush()
        lat = LatencyHistogram()
        lat.merge(self.latency)
        lat.merge(self._recent)
        return lat

    def sample(self, interval: float) -> dict[str, float]:
        sent0, failed0 = self._sampled
        self._sampled = (self.sent, self.failed)
        self._flush()
        p50, p95, p99 = self._recent.percentiles((50, 95, 99))
        self.latency.merge(self._recent)
        self._recent.clear()
        return {"sent_rps": (self.sent - sent0) / interval, "errors_rps": (self.failed - failed0) / interval,
                "latency_p50_s": p50, "latency_p95_s": p95, "latency_p99_s": p99}

    def state(self) -> dict[str, Any]:
        return {"rate_rps": self.rate_at(self.kernel.now), "sent": self.sent, "failed": self.failed}
