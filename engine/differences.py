"""How this model differs from AWS: one line per simplification, for the Help page and the README.

Each entry is (area, text), the text one sentence a teacher can read aloud; areas come in the order
of AREAS. Where FlowDeck matches AWS there is no entry: AWS-SEMANTICS.md describes that behaviour.
The README's section "How this model differs from AWS" lists the same lines (a test keeps them equal).
"""
from __future__ import annotations

AREAS = ("ELB", "EC2", "Auto Scaling", "SQS", "SNS", "Lambda")

DIFFERENCES: list[tuple[str, str]] = [
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
    ("ELB", "No HTTP keep-alive, TLS or connection limits: a request is one message each way and one new "
            "connection in the load balancer's bill; request and answer sizes are the client's, for the bill only."),
    ("EC2", "instance_type sets the price only: an instance's speed is its concurrency (request slots) and "
            "service time, which does not grow with load."),
    ("EC2", "CPU utilization is busy request slots over concurrency, not the instance's real CPU."),
    ("EC2", "An instance boots in exactly boot_time_s and never fails to launch; there are no zones or "
            "capacity shortages. It is billed from its launch, boot included, with no EBS volume or data transfer."),
    ("Auto Scaling", "Metrics are measured exactly at the end of each evaluation period, with no CloudWatch "
                     "delay or missing datapoints."),
    ("Auto Scaling", "Target tracking scales in below 90 % of the target and one instance at a time; AWS's "
                     "own margins and step sizes are not published."),
    ("Auto Scaling", "default_instance_warmup_s is 300 s here; AWS leaves it unset unless you set it."),
    ("Auto Scaling", "health_check_grace_period_s defaults to 300 s as in the console; the API's default is 0."),
    ("Auto Scaling", "The default termination policy has one zone and one launch template to consider, so it "
                     "picks the instance closest to its next billing hour."),
    ("Auto Scaling", "No lifecycle hooks, instance refresh, warm pools, predictive scaling or Spot instances."),
    ("SQS", "A standard queue delivers each message exactly once, oldest first; AWS delivers at least "
            "once in best-effort order, so real consumers must expect duplicates."),
    ("SQS", "A short poll (wait 0 s) sees every visible message; AWS samples a subset of its servers and "
            "may answer empty while messages wait."),
    ("SQS", "Message size is not limited or metered, except the estimated size of SNS deliveries."),
    ("SNS", "Queues, functions and mail servers accept every delivery, so only HTTP/S subscriptions ever "
            "use the retry policy; its schedule follows AWS's documented phases exactly, without jitter."),
    ("SNS", "The JSON envelope of a non-raw delivery is estimated from AWS's documented fields with "
            "placeholder values of real length (about 900 bytes plus the attributes)."),
    ("SNS", "Deliveries take only the edge's latency; AWS adds its own delivery time."),
    ("Lambda", "An idle execution environment is assumed to stay warm for 10 minutes, then is recycled; "
               "AWS does not publish the figure and varies it."),
    ("Lambda", "Concurrency may rise instantly up to the limit; AWS scales each function by at most 1,000 "
               "concurrent executions every 10 seconds."),
    ("Lambda", "memory_mb sets the price only (AWS also gives more CPU with more memory); duration_s "
               "alone sets the run time, and a cold start is billed as part of it."),
    ("Lambda", "Throttled asynchronous events wait 1, 2, 4 ... s up to 5 minutes, each wait drawn between "
               "half and all of its step (AWS does not document the spread)."),
    ("Lambda", "Failed asynchronous invocations are retried exactly 60 and 120 s later (AWS: about 1 and "
               "2 minutes)."),
    ("Lambda", "An asynchronous event that runs out of retries or age is dropped; on-failure destinations "
               "and a function's dead-letter queue are not modelled."),
    ("Lambda", "The SQS event source mapping has no batching window: a batch above 10 takes what is "
               "visible at once; payload limits (6 MB) are not checked."),
    ("Lambda", "Event source mapping pollers add no pollers in a minute that saw a throttle and drop back "
               "to 5 as soon as they find the queue empty; AWS's scale-down is gradual."),
]
