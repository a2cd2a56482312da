"""Small statistics helpers for reports and series.

Latencies go into a LatencyHistogram: a fixed number of log-spaced buckets (HDR-style), so memory
is the same however many requests a run makes. A bucket spans a ratio GROWTH of 1.0019 and stands
for one value inside it chosen so that no value in the bucket is off by more than
(GROWTH - 1) / (GROWTH + 1) < 0.095 %; each percentile interpolates between two such values, so it
is within 0.1 % of numpy.percentile's. Count, sum (so the mean), min and max are exact. Values
below LOWEST_S (1 µs) count as zero; values above HIGHEST_S (10^6 s) fall in the top bucket
(percentiles there are clamped to the exact max).
"""
from __future__ import annotations

import math
from array import array
from typing import Sequence

import numpy as np

GROWTH = 1.0019
LOWEST_S, HIGHEST_S = 1e-6, 1e6
_LOG_GROWTH = math.log(GROWTH)
_LOG_LOWEST, _PER_LOG = math.log(LOWEST_S), 1.0 / _LOG_GROWTH
BUCKETS = int(math.log(HIGHEST_S / LOWEST_S) / _LOG_GROWTH) + 2   # bucket 0 holds the zeros


def percentiles(values: Sequence[float], qs: Sequence[float]) -> tuple[float, ...]:
    """The qs percentiles of values (linear interpolation); zeros when there are none."""
    if len(values) == 0:
        return tuple(0.0 for _ in qs)
    arr = np.frombuffer(values, dtype=np.float64) if hasattr(values, "typecode") else np.asarray(values, float)
    return tuple(float(v) for v in np.percentile(arr, qs))


def _bucket_values() -> np.ndarray:
    """The value each bucket stands for: 2ab/(a+b) of its bounds a, b, the point whose worst
    relative error to either bound is the same."""
    lo = LOWEST_S * GROWTH ** np.arange(BUCKETS - 1, dtype=np.float64)
    hi = lo * GROWTH
    return np.concatenate(([0.0], 2 * lo * hi / (lo + hi)))


class LatencyHistogram:
    """Count, exact sum, min and max, and counts in BUCKETS log-spaced buckets (about 117 KB).

    Buckets outside [first, end) are empty: sums, merges and percentiles look at that span only,
    so sampling a client every few seconds costs what its recent latencies span, not 117 KB.
    """

    _values = _bucket_values()
    __slots__ = ("counts", "total", "lo", "hi", "first", "end")

    def __init__(self) -> None:
        self.counts = array("q", bytes(8 * BUCKETS))
        self.total, self.lo, self.hi = 0.0, math.inf, -math.inf
        self.first, self.end = BUCKETS, 0

    def _span(self) -> np.ndarray:
        """The counts of buckets first..end-1 (a view)."""
        return np.frombuffer(self.counts, dtype=np.int64)[self.first:self.end]

    def _widen(self, first: int, end: int) -> None:
        self.first, self.end = min(self.first, first), max(self.end, end)

    @property
    def n(self) -> int:
        return int(self._span().sum())

    def add(self, v: float, _log=math.log, _last=BUCKETS - 1) -> None:
        self.total += v
        if v < self.lo:
            self.lo = v
        if v > self.hi:
            self.hi = v
        i = 0
        if v >= LOWEST_S:
            i = int((_log(v) - _LOG_LOWEST) * _PER_LOG) + 1
            i = i if i < _last else _last
        self.counts[i] += 1
        self._widen(i, i + 1)

    def add_many(self, values: array) -> None:
        """Add a batch of values (an array of doubles) at numpy speed."""
        if not values:
            return
        # A copy, not a view: a profiler that holds this frame (Dask's workers sample every running
        # task's stack) would keep a view alive, and the caller could no longer empty its buffer.
        a = np.frombuffer(values, dtype=np.float64).copy()
        self.total += math.fsum(values)
        self.lo, self.hi = min(self.lo, float(a.min())), max(self.hi, float(a.max()))
        idx = np.zeros(len(a), dtype=np.int64)
        above = a >= LOWEST_S
        idx[above] = ((np.log(a[above]) - _LOG_LOWEST) * _PER_LOG).astype(np.int64) + 1
        np.minimum(idx, BUCKETS - 1, out=idx)
        first = int(idx.min())
        added = np.bincount(idx - first)
        np.frombuffer(self.counts, dtype=np.int64)[first:first + len(added)] += added
        self._widen(first, first + len(added))

    def merge(self, other: "LatencyHistogram") -> None:
        """Add other's counts to these (other is left as it was)."""
        if other.first < other.end:
            np.frombuffer(self.counts, dtype=np.int64)[other.first:other.end] += other._span()
            self._widen(other.first, other.end)
        self.total += other.total
        self.lo, self.hi = min(self.lo, other.lo), max(self.hi, other.hi)

    def clear(self) -> None:
        self._span()[:] = 0
        self.total, self.lo, self.hi = 0.0, math.inf, -math.inf
        self.first, self.end = BUCKETS, 0

    def mean(self) -> float:
        n = self.n
        return self.total / n if n else 0.0

    def percentiles(self, qs: Sequence[float]) -> tuple[float, ...]:
        """As numpy.percentile's default (linear between the two nearest ranks); zeros when empty."""
        cum = self._span().cumsum()   # cumulative counts from bucket `first` (all below are empty)
        n = int(cum[-1]) if len(cum) else 0
        if not n:
            return tuple(0.0 for _ in qs)
        out = []
        for q in qs:
            rank = (n - 1) * q / 100.0
            below = math.floor(rank)
            a, b = self._value_at(cum, below), self._value_at(cum, min(below + 1, n - 1))
            out.append(a + (b - a) * (rank - below))
        return tuple(out)

    def _value_at(self, cum: np.ndarray, k: int) -> float:
        """The k-th smallest value (from 0), as its bucket's value clamped to the exact min and max."""
        if k == 0:
            return self.lo
        if k == cum[-1] - 1:
            return self.hi
        v = float(self._values[self.first + int(cum.searchsorted(k, side="right"))])
        return min(max(v, self.lo), self.hi)
