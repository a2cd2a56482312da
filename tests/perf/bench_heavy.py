"""Engine speed on a heavy topology: events per second of wall time.

    python tests/perf/bench_heavy.py [--seconds 400] [--rate 2000] [--profile]

2,000 requests a second into an ALB and a group of 40-200 instances (target tracking on CPU: it
grows to about 160, then scales in when the rate falls to a quarter from 240 s);
every other handled request is published to an SNS topic that fans out to three SQS queues (one
drained by a worker group, one by a Lambda, one by a failing consumer with a dead-letter queue),
a Lambda, an email endpoint (big orders only) and an HTTP endpoint. Failures: 2 % of web requests
fail, five web instances crash at 20 s, the consumer fails 30 % of its jobs. Prints one JSON line
(events, wall seconds, events per second, requests per second, the ledger's verdict); --profile
prints the top of a cProfile by own time instead.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine.fileio import from_data  # noqa: E402
from engine.simulation import Simulation  # noqa: E402


def exp(mean: float) -> dict:
    return {"dist": "exponential", "mean": mean}


def n(node_id: str, kind: str, **props) -> dict:
    return {"id": node_id, "kind": kind, "props": props}


def heavy_topology(rate: float = 2000.0, seed: int = 1) -> dict:
    """The benchmark input (a topology dict, FORMAT.md 1)."""
    nodes = [
        n("users", "client", rate_rps=rate, timeout_s=10),
        n("alb", "load_balancer", health_check={"interval_s": 10, "timeout_s": 5, "healthy_threshold": 2,
                                                "unhealthy_threshold": 2}),
        n("web", "auto_scaling_group", min_size=40, max_size=200, desired_capacity=40,
          default_instance_warmup_s=30,
          instance={"concurrency": 4, "service_time_s": exp(0.2), "error_rate": 0.02, "boot_time_s": 30},
          policies=[{"type": "target_tracking", "metric": "cpu_utilization", "target": 50}]),
        n("events", "sns_topic"),
        n("q-ship", "sqs_queue", receive_wait_time_s=20),
        n("q-pay", "sqs_queue", receive_wait_time_s=20),
        n("q-audit", "sqs_queue", receive_wait_time_s=20, visibility_timeout_s=10, max_receive_count=3),
        n("dlq", "sqs_queue"),
        n("workers", "auto_scaling_group", min_size=10, max_size=40, desired_capacity=10,
          instance={"concurrency": 8, "service_time_s": exp(0.05), "boot_time_s": 30},
          policies=[{"type": "target_tracking", "metric": "backlog_per_instance", "target": 10}]),
        n("charge", "lambda_function", reserved_concurrency=200, duration_s=exp(0.1)),
        n("notify", "lambda_function", reserved_concurrency=200, duration_s=exp(0.05), error_rate=0.05),
        n("auditor", "ec2_instance", concurrency=200, service_time_s=exp(0.1), error_rate=0.3, max_backlog=1000),
        n("hook", "ec2_instance", concurrency=200, service_time_s=exp(0.02), max_backlog=1000),
        n("sales", "email_endpoint"),
    ]
    attrs = {"amount": {"uniform": [5, 1000]}}
    edges = [("users", "alb", {"latency_ms": 20}), ("alb", "web", {"latency_ms": 1}),
             ("web", "events", {"latency_ms": 2, "ratio": 0.5, "message_attributes": attrs}),
             ("events", "q-ship", {"latency_ms": 5}), ("events", "q-pay", {"latency_ms": 5}),
             ("events", "q-audit", {"latency_ms": 5}), ("events", "notify", {"latency_ms": 5}),
             ("events", "hook", {"latency_ms": 5}),
             ("events", "sales", {"filter_policy": {"amount": [{"numeric": [">=", 995]}]}}),
             ("q-ship", "workers", {"latency_ms": 2}), ("q-pay", "charge", {"latency_ms": 2}),
             ("q-audit", "auditor", {"latency_ms": 2}), ("q-audit", "dlq", {})]
    return {"format": "flowdeck-topology", "schema_version": 1, "title": "Heavy fan-out benchmark",
            "simulation": {"seed": seed, "duration_s": 3600},
            "nodes": nodes,
            "edges": [{"id": f"e{i}", "source": s, "target": t, "props": p} for i, (s, t, p) in enumerate(edges)],
            "scenario": [{"at_s": 20, "action": "fail", "target": "web", "mode": "crash", "count": 5},
                         {"at_s": 240, "action": "set", "target": "users", "prop": "rate_rps", "value": rate / 4,
                          "ramp_s": 30}]}


def run(seconds: float, rate: float) -> dict:
    sim = Simulation(from_data(heavy_topology(rate)), series_interval=1.0)
    kept = [0]
    start = time.perf_counter()
    sim.run_until(seconds, on_transfers=lambda batch: kept.__setitem__(0, kept[0] + len(batch)))
    wall = time.perf_counter() - start
    users = sim.world.components["users"]
    return {"sim_s": seconds, "wall_s": round(wall, 2), "events": sim.kernel.events,
            "events_per_s": round(sim.kernel.events / wall), "requests_per_s": round(users.sent / wall),
            "web_instances": len(sim.world.components["web"].instances), "transfers": kept[0],
            "balanced": sim.ledger()["balanced"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=400.0)
    ap.add_argument("--rate", type=float, default=2000.0)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(run, args.seconds, args.rate)
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        return
    print(json.dumps(run(args.seconds, args.rate)))


if __name__ == "__main__":
    main()
