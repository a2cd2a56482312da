"""Samplers for the distribution specs of FORMAT.md 1.1 (service and processing times)."""
from __future__ import annotations

import math
import random
from functools import partial
from typing import Callable, Iterator

import numpy as np


BLOCK = 4096  # values drawn per numpy call


def _blocks(draw: Callable[[int], np.ndarray]) -> Iterator[float]:
    while True:
        yield from draw(BLOCK).tolist()


def unit_exponentials(rng: random.Random) -> Iterator[float]:
    """An endless, seeded stream of Exp(1) values: drawn in blocks by numpy, handed out one by one
    at the cost of a generator step (much cheaper than a Python-level random call per value)."""
    return _blocks(np.random.default_rng(rng.getrandbits(64)).standard_exponential)


def sampler(spec: dict, rng: random.Random) -> Callable[[], float]:
    """A zero-argument function drawing one value from spec."""
    dist = spec["dist"]
    if dist == "exponential":
        gen = np.random.default_rng(rng.getrandbits(64))
        return partial(next, _blocks(partial(gen.exponential, spec["mean"])))
    if dist == "constant":
        value = float(spec["value"])
        return lambda: value
    if dist == "uniform":
        return partial(rng.uniform, float(spec["low"]), float(spec["high"]))
    if dist == "lognormal":
        return partial(rng.lognormvariate, *lognormal_params(spec["mean"], spec["cv"]))
    raise ValueError(f"unknown distribution {dist!r}")


def lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    """mu and sigma of the underlying normal for a lognormal with this mean and coefficient of variation."""
    if mean <= 0:
        return -math.inf, 0.0
    sigma2 = math.log(1.0 + cv * cv)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)
