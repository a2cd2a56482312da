"""Samplers for the distribution specs of FORMAT.md 1.1 (service and processing times)."""
from __future__ import annotations

import math
import random
from typing import Callable


def sampler(spec: dict, rng: random.Random) -> Callable[[], float]:
    """A zero-argument function drawing one value from spec."""
    dist = spec["dist"]
    if dist == "exponential":
        rate = 1.0 / spec["mean"]
        expo = rng.expovariate
        return lambda: expo(rate)
    if dist == "constant":
        value = float(spec["value"])
        return lambda: value
    if dist == "uniform":
        low, high = float(spec["low"]), float(spec["high"])
        uni = rng.uniform
        return lambda: uni(low, high)
    if dist == "lognormal":
        mu, sigma = lognormal_params(spec["mean"], spec["cv"])
        logn = rng.lognormvariate
        return lambda: logn(mu, sigma)
    raise ValueError(f"unknown distribution {dist!r}")


def lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    """mu and sigma of the underlying normal for a lognormal with this mean and coefficient of variation."""
    if mean <= 0:
        return -math.inf, 0.0
    sigma2 = math.log(1.0 + cv * cv)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


def mean_of(spec: dict) -> float:
    dist = spec["dist"]
    if dist == "constant":
        return float(spec["value"])
    if dist == "uniform":
        return (spec["low"] + spec["high"]) / 2.0
    return float(spec["mean"])
