"""The SimPy side of the engine benchmarks: the textbook M/M/4 process model at 80 % load.

    python tests/perf/simpy_mm4.py [--requests N] [--seed S]

Imports nothing but SimPy and the standard library, so run as a script it is the whole-process
baseline of bench_process.py; bench_engine.py calls `run_simpy` in its own process. Prints one
JSON line (requests, events, mean time in system).
"""
from __future__ import annotations

import argparse
import json
import random
import time

SERVERS, MU, LOAD = 4, 10.0, 0.8
LAMBDA = LOAD * SERVERS * MU


def run_simpy(requests: int, seed: int) -> dict:
    """Customers arrive for requests / LAMBDA simulated seconds; each holds one of the SERVERS."""
    import simpy
    rng = random.Random(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, SERVERS)
    latencies: list[float] = []

    def customer(env):
        t0 = env.now
        with servers.request() as req:
            yield req
            yield env.timeout(rng.expovariate(MU))
        latencies.append(env.now - t0)

    def source(env):
        while True:
            yield env.timeout(rng.expovariate(LAMBDA))
            env.process(customer(env))

    env.process(source(env))
    duration = requests / LAMBDA
    events = 0
    start = time.perf_counter()
    while env.peek() <= duration:
        env.step()
        events += 1
    wall = time.perf_counter() - start
    return {"wall_s": wall, "requests": len(latencies), "events": events,
            "mean_s": sum(latencies) / len(latencies)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=770_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    result = run_simpy(args.requests, args.seed)
    print(json.dumps({"requests": result["requests"], "events": result["events"],
                      "mean_s": round(result["mean_s"], 6)}))


if __name__ == "__main__":
    main()
