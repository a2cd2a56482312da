"""Words for the inspector: each prop's label in plain words with its unit, and the words shown for
the file's codes (metrics, adjustment types, algorithms) in the forms' lists."""
from __future__ import annotations

from typing import Any

WORDS = {
    "rate_rps": "Requests per second", "arrival": "Arrivals", "pattern": "Traffic pattern",
    "timeout_s": "Client timeout", "algorithm": "Routing algorithm", "health_check": "Health check",
    "idle_timeout_s": "Idle timeout", "deregistration_delay_s": "Deregistration delay (draining)",
    "slow_start_s": "Slow start", "instance_type": "Instance type", "concurrency": "Request slots",
    "service_time_s": "Service time", "max_backlog": "Waiting requests at most", "error_rate": "Error rate",
    "boot_time_s": "Boot time", "min_size": "Minimum size", "max_size": "Maximum size",
    "desired_capacity": "Desired capacity", "instance": "Instance template (each new instance)",
    "health_check_type": "Health check type", "health_check_grace_period_s": "Health check grace period",
    "default_cooldown_s": "Default cooldown", "default_instance_warmup_s": "Instance warm-up",
    "termination_policy": "Termination policy", "policies": "Scaling policies", "fifo": "FIFO",
    "content_based_deduplication": "Content-based deduplication", "visibility_timeout_s": "Visibility timeout",
    "message_retention_s": "Message retention", "delay_s": "Delivery delay",
    "receive_wait_time_s": "Receive wait time (long polling)", "max_receive_count": "Receives before dead-lettering",
    "reserved_concurrency": "Reserved concurrency", "memory_mb": "Memory", "duration_s": "Run time per invocation",
    "cold_start_s": "Cold start", "maximum_retry_attempts": "Retries after an error",
    "maximum_event_age_s": "Maximum event age", "address": "Email address",
    "delivery_latency_s": "Delivery time", "latency_ms": "Network latency", "message_attributes": "Message attributes",
    "message_groups": "Message groups (FIFO)", "ratio": "Share of requests that publish",
    "filter_policy": "Filter policy", "filter_policy_scope": "Filter policy looks at",
    "raw_message_delivery": "Raw message delivery", "dead_letter_queue": "Dead-letter queue",
    "wait_time_s": "Receive wait time", "batch_size": "Batch size", "maximum_concurrency": "Maximum concurrency",
    "weight": "Weight",
}
UNIT_WORDS = {"": "", "s": "s", "ms": "ms", "MB": "MB", "req/s": "", "requests": "requests"}
SHARES = ("error_rate", "ratio")    # 0-1 values, said as a share


def words(name: str) -> str:
    """Snake-case code in words: 'visibility_timeout_s' -> 'Visibility timeout'."""
    if name in WORDS:
        return WORDS[name]
    stem = name
    for suffix in ("_s", "_ms", "_rps", "_mb", "_pct"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    text = stem.replace("_", " ")
    return text[:1].upper() + text[1:]


def label(spec: Any) -> str:
    """A prop's label: words, then the unit or the kind of number in brackets."""
    unit = UNIT_WORDS.get(spec.unit, spec.unit)
    if spec.name in SHARES:
        unit = "share, 0–1"
    return f"{words(spec.name)} ({unit})" if unit else words(spec.name)


METRICS = {"cpu_utilization": "Average CPU utilization", "request_count_per_target": "Requests per target",
           "backlog_per_instance": "Queue backlog per instance"}
METRIC_UNITS = {"cpu_utilization": "%", "request_count_per_target": "req/min", "backlog_per_instance": "messages"}
ADJUSTMENTS = {"change_in_capacity": "Add or remove instances", "exact_capacity": "Set the capacity to",
               "percent_change_in_capacity": "Change capacity by percent"}
POLICY_KINDS = {"target_tracking": "Target tracking", "step": "Step scaling", "simple": "Simple scaling",
                "scheduled": "Scheduled action"}
COMPARISONS = {">": "above", ">=": "at or above", "<": "below", "<=": "at or below"}
PATTERNS = {"steady": "Steady", "sine": "Sine wave (daily rhythm)", "ramp": "Ramp to a rate", "spike": "Spike"}
DISTRIBUTIONS = {"exponential": "Exponential", "constant": "Constant", "uniform": "Uniform", "lognormal": "Lognormal"}
