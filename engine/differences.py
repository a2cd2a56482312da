"""How this model differs from AWS: one line per simplification, for the Help page and the README.

Each entry is (area, text). The messaging entries ("SNS", "SQS", "Lambda") live here; the compute
entries (load balancer, EC2, Auto Scaling) are kept in a list of their own and merged for display.
Where FlowDeck matches AWS there is no entry: AWS-SEMANTICS.md describes that behaviour.
"""
from __future__ import annotations

DIFFERENCES: list[tuple[str, str]] = [
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
    ("Lambda", "memory_mb changes nothing in a run (AWS also gives more CPU with more memory); duration_s "
               "alone sets the run time."),
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
