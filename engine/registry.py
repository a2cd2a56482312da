"""The registry of node kinds and connections: the single place where kinds are listed.

The loader, the validator, the engine's world builder, the palette and the inspector all read
this module. Each kind declares its props (type, default, range, unit, help) and each allowed
connection declares what it means and which edge props it takes (FORMAT.md sections 1.1, 1.2).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine import filter_policy, propcheck
from engine.costs import prices
from engine.policies import check_policies
from engine.propcheck import PropError

# Prop value types understood by engine.propcheck.
INT, FLOAT, BOOL, CHOICE, STR = "int", "float", "bool", "choice", "str"
DISTRIBUTION, PATTERN, HEALTH_CHECK = "distribution", "pattern", "health_check"
POLICIES, TEMPLATE, ATTRIBUTES = "policies", "template", "attributes"
FILTER_POLICY, NODE_REF = "filter_policy", "node_ref"


@dataclass(frozen=True)
class PropSpec:
    name: str
    type: str
    default: Any
    help: str
    unit: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False
    live: bool = True   # False: a running simulation cannot change it; the app restarts the run
    step: float | None = None   # what the editor's arrows add (default 1); slow start jumps 0 -> 30

    def check(self, value: Any) -> Any:
        """Return the value in canonical form, or raise propcheck.PropError saying why not."""
        return propcheck.check(self, value)


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: str
    group: str
    description: str
    props: tuple[PropSpec, ...]

    def prop(self, name: str) -> PropSpec | None:
        return next((p for p in self.props if p.name == name), None)

    def defaults(self) -> dict[str, Any]:
        return {p.name: propcheck.copy_value(p.default) for p in self.props}


@dataclass(frozen=True)
class ConnectionSpec:
    source: str
    target: str
    meaning: str
    props: tuple[PropSpec, ...] = field(default=())

    def prop(self, name: str) -> PropSpec | None:
        return next((p for p in self.props if p.name == name), None)


EXPONENTIAL_100MS = {"dist": "exponential", "mean": 0.1}

_INSTANCE_PROPS = (
    PropSpec("instance_type", CHOICE, prices.DEFAULT_INSTANCE_TYPE,
             "Sets the price (us-east-1 on-demand, per second with a 60 s minimum) and nothing else: speed is "
             "concurrency and service time.", choices=prices.instance_types(), live=False),
    PropSpec("concurrency", INT, 2,
             "Requests the instance serves at once (its request slots), standing in for its vCPUs and threads.",
             unit="requests", min=1, max=10000),
    PropSpec("service_time_s", DISTRIBUTION, EXPONENTIAL_100MS,
             "Time to serve one request or process one message; it does not grow with load (no contention "
             "beyond the request slots).", unit="s"),
    PropSpec("max_backlog", INT, 100,
             "Requests that may wait for a slot (the server's own queue, not an AWS setting); beyond that the "
             "instance answers 503.",
             unit="requests", min=0, max=1_000_000),
    PropSpec("error_rate", FLOAT, 0.0, "Share of handled requests or jobs that fail (HTTP 500).",
             min=0.0, max=1.0),
    PropSpec("boot_time_s", FLOAT, 60.0,
             "Time from launch until the instance is running and in service (boot and application start-up).",
             unit="s", min=0.0, max=3600.0),
)

KINDS: dict[str, KindSpec] = {k.kind: k for k in (
    KindSpec("client", "Client", "Traffic",
             "Users or devices that send HTTP requests or publish messages.", (
                 PropSpec("rate_rps", FLOAT, 10.0, "Average arrival rate.", unit="req/s", min=0.0, max=1_000_000.0),
                 PropSpec("arrival", CHOICE, "poisson",
                          "Poisson (random, memoryless) or evenly spaced arrivals; the client is not an AWS service.",
                          choices=("poisson", "constant")),
                 PropSpec("pattern", PATTERN, {"type": "steady"},
                          "How the rate changes over time: steady, sine, ramp or spike."),
                 PropSpec("timeout_s", FLOAT, None,
                          "Give up on a request after this long (none: wait for the load balancer's answer); the target "
                          "still works on a request given up on.",
                          unit="s", min=0.001, max=86400.0, nullable=True),
                 PropSpec("request_bytes", INT, 1000,
                          "Size of each request (headers and body): with response_bytes, the bytes a load balancer "
                          "processes, one of its LCU dimensions (cost only).", unit="bytes", min=0, max=100_000_000),
                 PropSpec("response_bytes", INT, 10000,
                          "Size of each successful answer (cost only, as request_bytes).",
                          unit="bytes", min=0, max=100_000_000),
             )),
    KindSpec("load_balancer", "Application Load Balancer", "Traffic",
             "Spreads requests over the healthy targets of its one target group; the load balancer itself "
             "never runs out of capacity.", (
                 PropSpec("algorithm", CHOICE, "round_robin",
                          "round_robin (AWS's default), least_outstanding_requests, weighted_random (AWS sets its "
                          "weights itself, by automatic target weights; here the edges' weight) or random "
                          "(not an AWS algorithm: a teaching baseline).",
                          choices=("round_robin", "least_outstanding_requests", "random", "weighted_random")),
                 PropSpec("health_check", HEALTH_CHECK,
                          {"interval_s": 30, "timeout_s": 5, "healthy_threshold": 5, "unhealthy_threshold": 2},
                          "A new target is healthy after ONE passed probe, an unhealthy one after healthy_threshold; "
                          "probes fail only when an instance crashed or hangs, never because it is busy."),
                 PropSpec("idle_timeout_s", FLOAT, 60.0,
                          "A target silent this long gives the client a 504 (AWS times out an idle connection; "
                          "here each request waits at most this long for its answer).",
                          unit="s", min=1.0, max=4000.0),
                 PropSpec("deregistration_delay_s", FLOAT, 300.0,
                          "How long a deregistered target may finish its requests (draining).",
                          unit="s", min=0.0, max=3600.0),
                 PropSpec("slow_start_s", FLOAT, 0.0,
                          "Ramp a newly healthy target's share of traffic linearly over this time (0 = off, else "
                          "30-900; AWS refuses it with least_outstanding_requests).",
                          unit="s", min=0.0, max=900.0, step=30.0),
             )),
    KindSpec("ec2_instance", "EC2 instance", "Compute",
             "One virtual server outside any group.", _INSTANCE_PROPS),
    KindSpec("auto_scaling_group", "Auto Scaling group", "Compute",
             "A group of identical EC2 instances that launches and terminates them to meet demand.", (
                 PropSpec("min_size", INT, 1, "The group never has fewer instances.", min=0, max=1000),
                 PropSpec("max_size", INT, 4, "The group never has more instances.", min=0, max=1000),
                 PropSpec("desired_capacity", INT, 1, "Instances the group aims to run now.", min=0, max=1000),
                 PropSpec("instance", TEMPLATE, {}, "Launch template: the EC2 instance props of each instance."),
                 PropSpec("health_check_type", CHOICE, "EC2",
                          "EC2: replace crashed instances; ELB: also those the load balancer marks unhealthy.",
                          choices=("EC2", "ELB")),
                 PropSpec("health_check_grace_period_s", FLOAT, 300.0,
                          "ELB health results are ignored this long after an instance enters service; 300 s is the "
                          "console's default, the API's default is 0.", unit="s", min=0.0, max=7200.0),
                 PropSpec("default_cooldown_s", FLOAT, 300.0,
                          "Simple scaling waits this long after each scaling activity completes (launched instances "
                          "in service, terminated ones drained).", unit="s", min=0.0, max=3600.0),
                 PropSpec("default_instance_warmup_s", FLOAT, 300.0,
                          "New instances do not count in the scaling metric, and dynamic scale-in waits, this long "
                          "after they enter service (AWS leaves it unset unless you set it).",
                          unit="s", min=0.0, max=3600.0),
                 PropSpec("termination_policy", CHOICE, "default",
                          "Which instance scale-in terminates first; default: one zone and one launch template, so "
                          "the instance closest to its next billing hour.",
                          choices=("default", "oldest_instance", "newest_instance")),
                 PropSpec("policies", POLICIES, [],
                          "Scaling policies: target tracking (scales in below about 90 % of the target, one instance "
                          "at a time), step, simple, scheduled."),
             )),
    KindSpec("sns_topic", "SNS topic", "Messaging",
             "Publish/subscribe: one copy of each message to every matching subscription.", (
                 PropSpec("fifo", BOOL, False, "A FIFO topic keeps order per message group; it delivers to SQS only.",
                          live=False),
                 PropSpec("content_based_deduplication", BOOL, False,
                          "FIFO only: drop a message whose body was already published in the last 5 minutes."),
             )),
    KindSpec("sqs_queue", "SQS queue", "Messaging",
             "A queue that holds messages until a consumer receives and deletes them.", (
                 PropSpec("fifo", BOOL, False,
                          "A FIFO queue keeps order per message group and deduplicates. A standard queue here "
                          "delivers each message once, oldest first (simplified: AWS promises at-least-once "
                          "delivery and best-effort order, so real consumers must tolerate duplicates).",
                          live=False),
                 PropSpec("visibility_timeout_s", FLOAT, 30.0,
                          "A received message is hidden this long; if not deleted it becomes visible again.",
                          unit="s", min=0.0, max=43200.0),
                 PropSpec("message_retention_s", FLOAT, 345600.0, "Messages older than this are deleted (expired).",
                          unit="s", min=60.0, max=1209600.0),
                 PropSpec("delay_s", FLOAT, 0.0, "New messages stay invisible this long.", unit="s", min=0.0, max=900.0),
                 PropSpec("receive_wait_time_s", FLOAT, 0.0,
                          "Long polling: a receive waits up to this long for messages (0: short polling). "
                          "Simplified: a short poll sees every visible message; AWS's samples only some of "
                          "its servers and can come back empty while messages wait.",
                          unit="s", min=0.0, max=20.0),
                 PropSpec("max_receive_count", INT, 10,
                          "Receives before a message moves to the dead-letter queue (needs a redrive edge).",
                          min=1, max=1000),
                 PropSpec("content_based_deduplication", BOOL, False,
                          "FIFO only: deduplicate by a hash of the body."),
             )),
    KindSpec("lambda_function", "Lambda function", "Compute",
             "Runs code per event; scales by concurrent executions.", (
                 PropSpec("reserved_concurrency", INT, None,
                          "Concurrency reserved for this function: at most this many invocations run at once, "
                          "and the rest of the account cannot use them. None (AWS's default): the function "
                          "shares the account's unreserved concurrency (simulation.account_concurrency, 1,000 "
                          "by default, minus every reservation) with the other functions that reserve none. "
                          "Beyond the limit, invocations are throttled.",
                          min=0, max=10000, nullable=True),
                 PropSpec("memory_mb", INT, 128,
                          "Memory of each execution environment: it sets the price of each millisecond (GB-seconds) "
                          "and nothing else (AWS also scales CPU with it; here duration_s alone sets the run time).",
                          unit="MB", min=128, max=10240),
                 PropSpec("duration_s", DISTRIBUTION, {"dist": "constant", "value": 0.2},
                          "Run time of one invocation.", unit="s"),
                 PropSpec("cold_start_s", FLOAT, 0.5,
                          "Added when no warm execution environment is free. Simplified: an idle environment "
                          "is assumed to stay warm for 10 minutes, then is recycled (AWS does not publish "
                          "the figure).", unit="s", min=0.0, max=60.0),
                 PropSpec("error_rate", FLOAT, 0.0, "Share of invocations that fail.", min=0.0, max=1.0),
                 PropSpec("maximum_retry_attempts", INT, 2,
                          "Asynchronous invocations (from SNS): retries after a function error, about 1 minute "
                          "before the first and 2 minutes before the second (modelled as exactly 60 and 120 s). "
                          "Throttles do not use these up.", min=0, max=2),
                 PropSpec("maximum_event_age_s", FLOAT, 21600.0,
                          "Asynchronous invocations: how long an event may wait in Lambda's event queue. A "
                          "throttled event is retried with backoff from 1 s doubling up to 5 minutes (each wait drawn "
                          "between half and all of its step) until then; "
                          "an event this old is dropped.", unit="s", min=60.0, max=21600.0),
             )),
    KindSpec("email_endpoint", "Email subscriber", "Endpoints",
             "An email address subscribed to a topic.", (
                 PropSpec("address", STR, "ops@example.com", "The address that receives the notifications."),
                 PropSpec("delivery_latency_s", FLOAT, 2.0, "Time for a notification to arrive.",
                          unit="s", min=0.0, max=3600.0),
             )),
)}

def _check_template(spec: PropSpec, value: Any) -> dict:
    """An instance template: each key an ec2_instance prop, checked by that prop's own spec."""
    if not isinstance(value, dict):
        raise PropError(f"must be an object (EC2 instance props), not {propcheck.quote(value)}")
    instance = KINDS["ec2_instance"]
    out = {}
    for key, v in value.items():
        p = instance.prop(key)
        if p is None:
            raise PropError(f"unknown instance prop {propcheck.quote(key)}", f".{key}")
        try:
            out[key] = p.check(v)
        except PropError as e:
            raise PropError(f"{key} {e.message}", f".{key}{e.subpath}") from None
    return out


def _check_filter_policy(spec: PropSpec, value: Any) -> dict:
    if not isinstance(value, dict):
        raise PropError(f"must be an object (an SNS filter policy), not {propcheck.quote(value)}")
    try:  # the scope is an edge prop of its own; the loader checks the pair (engine.fileio)
        filter_policy.validate(value, "MessageBody")
    except ValueError as e:
        raise PropError(f"is not a valid filter policy: {e}") from None
    return propcheck.copy_value(value)


propcheck.register_checker(TEMPLATE, _check_template)
propcheck.register_checker(FILTER_POLICY, _check_filter_policy)
propcheck.register_checker(POLICIES, lambda spec, value: check_policies(value))


LATENCY = PropSpec("latency_ms", FLOAT, 0.0, "One-way network time on this connection.", unit="ms",
                   min=0.0, max=60000.0)
_ATTRS = PropSpec("message_attributes", ATTRIBUTES, None,
                  "Generators of message attributes, e.g. {\"event_type\": {\"values\": [...], \"weights\": [...]}}.",
                  nullable=True)
_GROUPS = PropSpec("message_groups", INT, 1, "FIFO: number of message group ids used.", min=1, max=100000)
_RATIO = PropSpec("ratio", FLOAT, 1.0, "Share of handled requests that publish a message.", min=0.0, max=1.0)
_SUBSCRIPTION = (
    PropSpec("filter_policy", FILTER_POLICY, None, "Only messages that match are delivered (null: all).",
             nullable=True),
    PropSpec("filter_policy_scope", CHOICE, "MessageAttributes", "What the filter policy looks at.",
             choices=("MessageAttributes", "MessageBody")),
    PropSpec("raw_message_delivery", BOOL, False,
             "Deliver the body only, without the SNS JSON envelope (AWS allows it for SQS and HTTP/S). The "
             "envelope's size is estimated from AWS's documented fields (about 900 bytes more per message); "
             "queues count deliveries of each form and their bytes."),
    PropSpec("dead_letter_queue", NODE_REF, None,
             "An SQS queue that receives copies whose delivery retries ran out (null: drop them). Retries as "
             "modelled: SQS and Lambda 3 immediate tries, 2 at 1 s, 10 backing off from 1 to 20 s, then every "
             "20 s (100,015 tries over 23 days); HTTP/S 3 retries 20 s apart; email 50 tries over 6 hours. "
             "Simplified: queues, functions and mail servers here accept every delivery, so only HTTP/S "
             "subscriptions (no 2xx within 15 s) run out of tries.",
             nullable=True),
)
_WAIT = PropSpec("wait_time_s", FLOAT, None, "Long polling wait (the queue's receive_wait_time_s when unset).",
                 unit="s", min=0.0, max=20.0, nullable=True)
_CONSUMER = (
    PropSpec("batch_size", INT, None, "Messages per receive (1 when unset; 1-10).", min=1, max=10, nullable=True),
    _WAIT,
)
_EVENT_SOURCE_MAPPING = (
    PropSpec("batch_size", INT, None,
             "Messages per invocation (10 when unset; 1-10,000 for a standard queue, 1-10 for FIFO). Above 10 "
             "a poller gathers several receives of 10. Simplified: it takes what is visible at once "
             "(no batching window).", min=1, max=10000, nullable=True),
    _WAIT,
    PropSpec("maximum_concurrency", INT, None,
             "Most invocations this mapping runs at once (none: up to the function's concurrency). Pollers "
             "start with 5 concurrent batches and add up to 300 a minute while messages wait, up to 1,250.",
             min=2, max=1000, nullable=True),
)
_WEB = ("load_balancer", "ec2_instance", "auto_scaling_group")
_WEIGHT = PropSpec("weight", FLOAT, 1.0,
                   "What AWS calls weighted target groups (a listener rule splitting traffic between target groups, "
                   "0-999); here it weights each target of this edge under weighted_random only.",
                   min=0.0, max=999.0)


def _connections() -> dict[tuple[str, str], ConnectionSpec]:
    rows: list[ConnectionSpec] = [
        ConnectionSpec("client", "load_balancer", "HTTP requests"),
        ConnectionSpec("client", "sns_topic", "the client publishes messages", (_ATTRS, _GROUPS)),
        ConnectionSpec("client", "sqs_queue", "the client sends messages", (_ATTRS, _GROUPS)),
        ConnectionSpec("load_balancer", "auto_scaling_group", "the group's instances are registered targets",
                       (_WEIGHT,)),
        ConnectionSpec("load_balancer", "ec2_instance", "the instance is a registered target", (_WEIGHT,)),
        ConnectionSpec("sqs_queue", "sqs_queue", "redrive: the target is the source's dead-letter queue"),
    ]
    for src in ("auto_scaling_group", "ec2_instance"):
        for dst in ("sns_topic", "sqs_queue"):
            rows.append(ConnectionSpec(src, dst, "each handled request publishes one message", (_RATIO, _ATTRS, _GROUPS)))
    for dst in ("sqs_queue", "lambda_function", "email_endpoint") + _WEB:
        rows.append(ConnectionSpec("sns_topic", dst, "a subscription", _SUBSCRIPTION))
    for dst in ("auto_scaling_group", "ec2_instance"):
        rows.append(ConnectionSpec("sqs_queue", dst, "consumers poll the queue, process, and delete on success",
                                   _CONSUMER))
    rows.append(ConnectionSpec("sqs_queue", "lambda_function", "an event source mapping: Lambda polls the queue, "
                               "invokes per batch, and deletes on success", _EVENT_SOURCE_MAPPING))
    return {(c.source, c.target): ConnectionSpec(c.source, c.target, c.meaning, (LATENCY,) + c.props) for c in rows}


CONNECTIONS: dict[tuple[str, str], ConnectionSpec] = _connections()


def kind(name: str) -> KindSpec:
    return KINDS[name]


def connection(source_kind: str, target_kind: str) -> ConnectionSpec | None:
    return CONNECTIONS.get((source_kind, target_kind))


def _article(label: str) -> str:
    spoken_vowel = label[0].lower() in "aeiou" or label.startswith(("SQS", "SNS"))  # "an ess-queue-ess"
    return ("an " if spoken_vowel else "a ") + label


def _plural(label: str) -> str:
    if label.endswith("s"):
        return label
    if label.endswith("group"):
        return label + "s"
    return label + "s"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def accepted_targets_text(source_kind: str) -> str:
    """A sentence saying which connections a kind can make, for refusals in the loader and the editor."""
    label = KINDS[source_kind].label
    targets = [t for (s, t) in CONNECTIONS if s == source_kind]
    if not targets:
        return f"{_article(label)} cannot start a connection"
    return f"{_article(label)} can connect to " + _join([_plural(KINDS[t].label) for t in targets])


def refusal(source_kind: str, target_kind: str) -> str:
    """Why source → target is not allowed, in words."""
    src, dst = KINDS[source_kind].label, KINDS[target_kind].label
    return f"{_article(src)} cannot connect to {_article(dst)}: {accepted_targets_text(source_kind)}"
