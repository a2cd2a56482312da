"""Samplers for the distribution specs of FORMAT.md 1.1 (service and processing times)."""
from __future__ import annotations

import math
import random
from typing import Any, Callable

import numpy as np


BLOCK = 4096  # values drawn per numpy call


class Sampler:
    """A seeded stream of values, called with no argument for the next one.

    Numpy-backed streams draw BLOCK values at a time into `values` (stored reversed, so `pop()`
    hands them out in drawing order); hot paths may take `values.pop()` themselves when `values` is
    not empty. The state is plain data (a list, a bound method of a numpy Generator or of a
    random.Random, its arguments), so a simulation that holds samplers pickles (FORMAT.md 4.4).
    """

    __slots__ = ("values", "_draw", "_args", "_block")

    def __init__(self, draw: Callable[..., Any], args: tuple = (), block: bool = False) -> None:
        self.values: list[float] = []
        self._draw, self._args, self._block = draw, args, block

    def __call__(self) -> float:
        values = self.values
        return values.pop() if values else self.refill()

    def refill(self) -> float:
        """The next value, drawing the next block first where the stream is drawn in blocks."""
        if not self._block:
            return self._draw(*self._args)
        self.values = self._draw(*self._args, BLOCK)[::-1].tolist()
        return self.values.pop()


def unit_exponentials(rng: random.Random) -> Sampler:
    """An endless, seeded stream of Exp(1) values, drawn in blocks by numpy (much cheaper than a
    Python-level random call per value)."""
    return Sampler(np.random.default_rng(rng.getrandbits(64)).standard_exponential, block=True)


def sampler(spec: dict, rng: random.Random) -> Sampler:
    """A stream of values drawn from spec."""
    dist = spec["dist"]
    if dist == "exponential":
        return Sampler(np.random.default_rng(rng.getrandbits(64)).exponential, (spec["mean"],), block=True)
    if dist == "constant":
        return Sampler(float, (float(spec["value"]),))
    if dist == "uniform":
        return Sampler(rng.uniform, (float(spec["low"]), float(spec["high"])))
    if dist == "lognormal":
        return Sampler(rng.lognormvariate, lognormal_params(spec["mean"], spec["cv"]))
    raise ValueError(f"unknown distribution {dist!r}")


def lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    """mu and sigma of the underlying normal for a lognormal with this mean and coefficient of variation."""
    if mean <= 0:
        return -math.inf, 0.0
    sigma2 = math.log(1.0 + cv * cv)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)
