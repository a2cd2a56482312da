"""The latency histogram (engine/stats.py): percentiles within 0.1 % of numpy.percentile, mean, min
and max exact, and a client's memory flat however many requests it makes."""
from __future__ import annotations

import tracemalloc
from array import array

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.stats import LatencyHistogram
from tests.engine.helpers import node, simulate

QS = (0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100)
latency = st.one_of(st.just(0.0), st.floats(1e-6, 1e5, allow_nan=False, allow_infinity=False))


def filled(values) -> LatencyHistogram:
    h = LatencyHistogram()
    for v in values:
        h.add(v)
    return h


def assert_close_percentiles(h: LatencyHistogram, values) -> None:
    want = np.percentile(np.asarray(values, dtype=np.float64), QS)
    for q, got, exact in zip(QS, h.percentiles(QS), want):
        assert abs(got - exact) <= 1e-3 * abs(exact) + 1e-12, (q, got, exact)


@settings(max_examples=300, deadline=None)
@given(st.lists(latency, min_size=1, max_size=400))
def test_percentiles_are_within_a_tenth_of_a_percent_of_numpy(values):
    h = filled(values)
    assert_close_percentiles(h, values)
    assert h.n == len(values)
    assert h.mean() == sum(values) / len(values)
    assert (h.lo, h.hi) == (min(values), max(values))


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["exponential", "lognormal", "uniform"]))
def test_percentiles_of_large_random_samples(seed, dist):
    rng = np.random.default_rng(seed)
    values = {"exponential": lambda: rng.exponential(0.2, 20_000),
              "lognormal": lambda: rng.lognormal(-3, 2, 20_000),
              "uniform": lambda: rng.uniform(0.001, 5, 20_000)}[dist]()
    assert_close_percentiles(filled(values.tolist()), values)


@settings(max_examples=200, deadline=None)
@given(st.lists(latency, min_size=1, max_size=400))
def test_a_batch_gives_the_same_as_one_by_one(values):
    one_by_one, batch = filled(values), LatencyHistogram()
    batch.add_many(array("d", values))
    assert_close_percentiles(batch, values)
    assert (batch.n, batch.lo, batch.hi) == (len(values), min(values), max(values))
    assert batch.mean() == pytest.approx(one_by_one.mean(), rel=1e-12, abs=1e-300)
    assert batch.percentiles(QS) == pytest.approx(one_by_one.percentiles(QS), rel=2e-3)


@given(st.lists(latency, min_size=1, max_size=100), st.lists(latency, min_size=1, max_size=100))
def test_merging_two_histograms_is_the_histogram_of_both(a, b):
    h = filled(a)
    h.merge(filled(b))
    assert_close_percentiles(h, a + b)
    assert (h.n, h.lo, h.hi) == (len(a) + len(b), min(a + b), max(a + b))


def test_an_empty_histogram_reports_zeros_and_clear_empties_it():
    h = filled([1.0, 2.0])
    h.clear()
    assert (h.n, h.mean(), h.percentiles((50, 99))) == (0, 0.0, (0.0, 0.0))


def client_bytes(sim, until: float) -> int:
    """Bytes still allocated by client code and its statistics after running to `until`."""
    sim.run_until(until)
    snap = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(True, "*engine/components/client.py"), tracemalloc.Filter(True, "*engine/stats.py")])
    return sum(s.size for s in snap.statistics("filename"))


def test_a_clients_latency_memory_is_flat_in_the_number_of_requests():
    """After N and after 10 N requests (N = 20,000) the client holds the same memory within 48 KB
    (the 32 KB buffer of latencies on their way into the histogram, in-flight requests); one
    8-byte sample per request would add 1.4 MB."""
    nodes = [node("c", "client", rate_rps=1000), node("lb", "load_balancer"),
             node("s", "ec2_instance", concurrency=100, service_time_s={"dist": "exponential", "mean": 0.01})]
    tracemalloc.start()
    try:
        sim = simulate(nodes, [("c", "lb"), ("lb", "s")], until=0, series_interval=5.0)
        after_n = client_bytes(sim, 20.0)
        after_10n = client_bytes(sim, 200.0)
    finally:
        tracemalloc.stop()
    assert sim.world.components["c"].latency.n + sim.world.components["c"]._recent.n > 190_000
    assert after_10n - after_n < 48_000, (after_n, after_10n)


def test_a_profiler_that_keeps_frames_does_not_pin_the_callers_buffer():
    """Dask workers sample the stacks of running tasks and keep the frames for a while: add_many
    must not leave a view of the caller's array in its frame (BufferError when the client empties it)."""
    import sys

    kept = []
    batch = array("d", [0.1] * 100)
    hist = LatencyHistogram()
    sys.setprofile(lambda frame, event, arg: kept.append(frame) if frame.f_code.co_name == "add_many" else None)
    try:
        hist.add_many(batch)
    finally:
        sys.setprofile(None)
    assert kept
    del batch[:]   # raised BufferError while a kept frame held a numpy view of batch
    assert hist.n == 100
