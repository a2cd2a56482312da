"""How the model of the load balancer, EC2 and Auto Scaling differs from AWS: one line each.

The Help page and the README list these (with the messaging entries of engine/differences.py).
Each entry is (area, text); the text is one sentence a teacher can read aloud.
"""
from __future__ import annotations

COMPUTE_DIFFERENCES: list[tuple[str, str]] = [
    ("ELB", "One load balancer has one listener and one target group in one Availability Zone, and never "
            "runs out of capacity itself (no load balancer capacity units, no pre-warming)."),
    ("ELB", "Health checks fail only when an instance has crashed or hangs: a busy instance always answers "
            "its probe, and probes take no request slot."),
    ("ELB", "A new target's first health check comes at a random moment within its first interval; AWS "
            "does not document when it comes."),
    ("ELB", "weighted_random uses each edge's weight; AWS sets those weights itself (automatic target "
            "weights, anomaly mitigation), which the model does not do."),
    ("ELB", "An edge's weight (0-999) stands for AWS's weighted target groups but only acts under "
            "weighted_random, per target, instead of splitting traffic between target groups by a listener rule."),
    ("ELB", "random is not an AWS routing algorithm: it is a baseline for teaching."),
    ("ELB", "Slow start ramps the chance that a new target keeps a request, not a weight AWS computes."),
    ("ELB", "idle_timeout_s bounds each request's wait for its answer (then 504); AWS times out a connection "
            "on which no data moves."),
    ("ELB", "No HTTP keep-alive, TLS, connection limits or request sizes: a request is one message each way."),
    ("EC2", "instance_type is a label only: an instance's speed is its concurrency (request slots) and "
            "service time, which does not grow with load."),
    ("EC2", "CPU utilization is busy request slots over concurrency, not the instance's real CPU."),
    ("EC2", "An instance boots in exactly boot_time_s and never fails to launch; there are no zones, "
            "capacity shortages or costs."),
    ("Auto Scaling", "Metrics are measured exactly at the end of each evaluation period, with no CloudWatch "
                     "delay or missing datapoints."),
    ("Auto Scaling", "Target tracking scales in below 90 % of the target and one instance at a time; AWS's "
                     "own margins and step sizes are not published."),
    ("Auto Scaling", "default_instance_warmup_s is 300 s here; AWS leaves it unset unless you set it."),
    ("Auto Scaling", "health_check_grace_period_s defaults to 300 s as in the console; the API's default is 0."),
    ("Auto Scaling", "The default termination policy has one zone and one launch template to consider, so it "
                     "picks the instance closest to its next billing hour."),
    ("Auto Scaling", "No lifecycle hooks, instance refresh, warm pools, predictive scaling or Spot instances."),
]
