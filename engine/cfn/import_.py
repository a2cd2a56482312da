"""A CloudFormation template -> a FlowDeck topology (FORMAT.md 4.1, `flowdeck import-cfn`).

Each modelled resource becomes a node named after its logical id; listeners, target groups,
launch templates, subscriptions, event source mappings, alarms and IAM roles become connections
and props. Every other resource is listed as left out, by logical id and type, with the reason.
A client ("Internet users") is put in front of each internet-facing load balancer, and one
("Producers") in front of each topic or queue that nothing in the template feeds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine import registry
from engine.cfn import links, scaling
from engine.cfn.resolve import Resolver, target_of
from engine.cfn.values import as_list, flag, json_object, number, whole
from engine.propcheck import PropError

ALB, ELB = "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer"
ASG, EC2 = "AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::Instance"
TOPIC, QUEUE, FUNCTION = "AWS::SNS::Topic", "AWS::SQS::Queue", "AWS::Lambda::Function"
NODE_TYPES = {ALB: "load_balancer", ELB: "load_balancer", ASG: "auto_scaling_group", EC2: "ec2_instance",
              TOPIC: "sns_topic", QUEUE: "sqs_queue", FUNCTION: "lambda_function"}
DEFAULT_CLIENT_RPS = 10.0
# AWS's defaults for a Classic Load Balancer's health check (they differ from a target group's: 10 healthy)
CLASSIC_HEALTH_CHECK = {"Interval": 30, "Timeout": 5, "HealthyThreshold": 10, "UnhealthyThreshold": 2}


@dataclass
class Imported:
    data: dict                                   # a topology (FORMAT.md section 1), not yet laid out
    mapped: list[tuple[str, str, str]] = field(default_factory=list)     # (logical id, type, into what)
    left_out: list[tuple[str, str, str]] = field(default_factory=list)   # (logical id, type, why)
    notes: list[str] = field(default_factory=list)                       # settings FlowDeck cannot express


class Importer:
    def __init__(self, template: dict, title: str) -> None:
        self.r = Resolver(template)
        self.title = title
        self.types = {lid: str(res.get("Type")) for lid, res in template["Resources"].items()}
        self.active = {lid for lid, res in template["Resources"].items()
                       if "Condition" not in res or self.r.condition(res["Condition"])}
        self.props = {lid: self._properties(res) for lid, res in template["Resources"].items() if lid in self.active}
        self.nodes: dict[str, dict] = {}
        self.edges: list[dict] = []
        self.lb_groups: dict[str, str] = {}     # load balancer -> the target group whose settings it took
        self.notification_topics: set[str] = set()   # topics a group sends scaling notifications to
        self.used: dict[str, str] = {}          # logical id -> what it became (resources that are not nodes)
        self.why_not: dict[str, str] = {}       # logical id -> why it is left out
        self.notes: list[str] = []
        self.template = template

    def _properties(self, res: dict) -> dict:
        props = self.r.value(res.get("Properties", {}))
        return props if isinstance(props, dict) else {}

    # -- helpers used by the mapping modules ----------------------------------------------------
    def of_type(self, *types: str) -> list[str]:
        return [lid for lid in self.types if lid in self.active and self.types[lid] in types]

    def node(self, lid: str, kind: str, name: str | None = None) -> dict:
        tags = as_list(self.props.get(lid, {}).get("Tags"))
        tagged = next((t.get("Value") for t in tags if isinstance(t, dict) and t.get("Key") == "Name"), None)
        name = name or (tagged if isinstance(tagged, str) and 0 < len(tagged) <= 200 else lid)
        self.nodes[lid] = {"id": lid, "kind": kind, "name": name, "props": {}}
        return self.nodes[lid]

    def set(self, lid: str, prop: str, value: Any, field_name: str) -> None:
        """Set a node prop if FlowDeck accepts the value; else note it and keep the default."""
        if value is None:
            return
        spec = registry.KINDS[self.nodes[lid]["kind"]].prop(prop)
        try:
            self.nodes[lid]["props"][prop] = spec.check(value)
        except PropError as e:
            self.notes.append(f"{lid}: {field_name} {value!r} {e.message}; FlowDeck's default is used")

    def connect(self, source: str, target: str, props: dict | None = None) -> dict | None:
        if source not in self.nodes or target not in self.nodes or source == target:
            return None
        if any(e["source"] == source and e["target"] == target for e in self.edges):
            return next(e for e in self.edges if e["source"] == source and e["target"] == target)
        src, dst = self.nodes[source]["kind"], self.nodes[target]["kind"]
        conn = registry.connection(src, dst)
        if conn is None:
            self.notes.append(f"{source} -> {target}: {registry.refusal(src, dst)}")
            return None
        edge = {"id": f"{source}-{target}", "source": source, "target": target, "props": {}}
        for key, value in (props or {}).items():
            try:
                edge["props"][key] = conn.prop(key).check(value)
            except PropError as e:
                self.notes.append(f"{source} -> {target}: {key} {value!r} {e.message}; the default is used")
        self.edges.append(edge)
        return edge

    def use(self, lid: str, what: str) -> None:
        self.used.setdefault(lid, what)

    def ref(self, value: Any, *types: str) -> str | None:
        """The logical id `value` refers to when it is an active resource of one of `types`."""
        lid = target_of(value)
        if lid is None and isinstance(value, str) and value in self.active:
            lid = value            # Fn::Sub/Join text that names a resource
        return lid if lid in self.active and (not types or self.types[lid] in types) else None

    # -- the mapping ------------------------------------------------------------------------------
    def run(self) -> Imported:
        for lid in self.of_type(*NODE_TYPES):
            _NODE_BUILDERS[self.types[lid]](self, lid, self.props[lid])
        links.connect_all(self)
        scaling.add_policies(self)
        self._add_clients()
        return self._result()

    def _add_clients(self) -> None:
        for lid in list(self.nodes):
            kind = self.nodes[lid]["kind"]
            fed = any(e["target"] == lid for e in self.edges)
            if kind == "load_balancer" and self.nodes[lid].pop("internet_facing", False):
                self._client(lid, "Users", "Internet users")
            elif kind in ("sns_topic", "sqs_queue") and not fed and not self._is_dead_letter_queue(lid) \
                    and lid not in self.notification_topics:
                self._client(lid, "Producers", f"Producers ({lid})", _attributes_for(self.edges, lid))
            self.nodes[lid].pop("internet_facing", None)

    def _client(self, lid: str, suffix: str, name: str, attributes: dict | None = None) -> None:
        client_id = f"{lid}{suffix}"
        self.node(client_id, "client", name)["props"]["rate_rps"] = DEFAULT_CLIENT_RPS
        self.connect(client_id, lid, {"message_attributes": attributes} if attributes else None)

    def _is_dead_letter_queue(self, lid: str) -> bool:
        return any(lid == e["props"].get("dead_letter_queue") for e in self.edges)

    def _result(self) -> Imported:
        data = {"format": "flowdeck-topology", "schema_version": 1, "title": self.title,
                "description": "Imported from a CloudFormation template.",
                "simulation": {"seed": 1, "duration_s": 600},
                "nodes": [dict(n, pos=[0, 0]) for n in self.nodes.values()], "edges": self.edges, "scenario": []}
        out = Imported(data, notes=self.notes)
        for lid in self.types:
            if lid in self.nodes:
                out.mapped.append((lid, self.types[lid], f"{self.nodes[lid]['kind']} node"))
            elif lid in self.used:
                out.mapped.append((lid, self.types[lid], self.used[lid]))
            else:
                out.left_out.append((lid, self.types[lid], self._why(lid)))
        outputs = self.template.get("Outputs")
        for name in outputs if isinstance(outputs, dict) else []:
            out.left_out.append((name, "Output", "outputs have no meaning in a simulation"))
        return out

    def _why(self, lid: str) -> str:
        if self.types[lid].startswith("AWS::Serverless::"):
            return "a SAM resource: the AWS::Serverless transform is not expanded (deploy it and export the processed template)"
        if lid not in self.active:
            return f"its condition {self.template['Resources'][lid]['Condition']} is false with the parameters' defaults"
        return self.why_not.get(lid, "FlowDeck does not model this resource type")


# -- one builder per node type -------------------------------------------------------------------
def _alb(im: Importer, lid: str, p: dict) -> None:
    kind = str(p.get("Type", "application"))
    if kind != "application":
        im.why_not[lid] = f"a {kind} load balancer: FlowDeck models Application Load Balancers only"
        return
    im.node(lid, "load_balancer")["internet_facing"] = p.get("Scheme", "internet-facing") == "internet-facing"
    attrs = {a.get("Key"): a.get("Value") for a in as_list(p.get("LoadBalancerAttributes")) if isinstance(a, dict)}
    im.set(lid, "idle_timeout_s", number(attrs.get("idle_timeout.timeout_seconds")), "idle_timeout.timeout_seconds")


def _elb(im: Importer, lid: str, p: dict) -> None:
    im.node(lid, "load_balancer")["internet_facing"] = p.get("Scheme", "internet-facing") == "internet-facing"
    hc = p.get("HealthCheck") if isinstance(p.get("HealthCheck"), dict) else {}
    hc = dict(CLASSIC_HEALTH_CHECK, **hc)
    health = {k: number(hc.get(f)) for k, f in (("interval_s", "Interval"), ("timeout_s", "Timeout"),
                                                 ("healthy_threshold", "HealthyThreshold"),
                                                 ("unhealthy_threshold", "UnhealthyThreshold"))}
    links.health_check(im, lid, health, "HealthCheck")
    settings = p.get("ConnectionSettings") if isinstance(p.get("ConnectionSettings"), dict) else {}
    im.set(lid, "idle_timeout_s", number(settings.get("IdleTimeout")), "ConnectionSettings.IdleTimeout")
    draining = p.get("ConnectionDrainingPolicy") if isinstance(p.get("ConnectionDrainingPolicy"), dict) else None
    if draining is not None:
        delay = number(draining.get("Timeout", 300)) if flag(draining.get("Enabled")) else 0.0
        im.set(lid, "deregistration_delay_s", delay, "ConnectionDrainingPolicy")
    else:   # AWS: connection draining is off on a Classic Load Balancer created by CloudFormation
        im.set(lid, "deregistration_delay_s", 0.0, "ConnectionDrainingPolicy")
    im.set(lid, "algorithm", "round_robin", "(Classic Load Balancer)")


def _asg(im: Importer, lid: str, p: dict) -> None:
    im.node(lid, "auto_scaling_group")
    for prop, f in (("min_size", "MinSize"), ("max_size", "MaxSize"), ("desired_capacity", "DesiredCapacity")):
        im.set(lid, prop, whole(p.get(f)), f)
    props = im.nodes[lid]["props"]
    if "desired_capacity" not in props:    # AWS: the group starts at its minimum size
        props["desired_capacity"] = props.get("min_size", 1)
    if p.get("HealthCheckType") in ("EC2", "ELB"):
        im.set(lid, "health_check_type", p["HealthCheckType"], "HealthCheckType")
    im.set(lid, "health_check_grace_period_s", number(p.get("HealthCheckGracePeriod", 0)), "HealthCheckGracePeriod")
    im.set(lid, "default_cooldown_s", number(p.get("Cooldown")), "Cooldown")
    im.set(lid, "default_instance_warmup_s", number(p.get("DefaultInstanceWarmup")), "DefaultInstanceWarmup")
    policies = [str(t) for t in as_list(p.get("TerminationPolicies"))]
    names = {"Default": "default", "OldestInstance": "oldest_instance", "NewestInstance": "newest_instance"}
    if policies and policies[0] in names:
        im.set(lid, "termination_policy", names[policies[0]], "TerminationPolicies")
    elif policies:
        im.notes.append(f"{lid}: termination policy {policies[0]} is not modelled; FlowDeck's default is used")
    instance_type = links.launch_instance_type(im, lid, p)
    if instance_type:
        im.set(lid, "instance", {"instance_type": instance_type}, "InstanceType")
    notifications = as_list(p.get("NotificationConfigurations")) + as_list(p.get("NotificationConfiguration"))
    for n in notifications:
        topic = im.ref(n.get("TopicARN") if isinstance(n, dict) else None, TOPIC)
        if topic:
            im.notification_topics.add(topic)
    if notifications:
        im.notes.append(f"{lid}: scaling notifications to SNS are not modelled (FlowDeck's group -> topic "
                        "connection means each handled request publishes)")


def _ec2(im: Importer, lid: str, p: dict) -> None:
    im.node(lid, "ec2_instance")
    if isinstance(p.get("InstanceType"), str):
        im.set(lid, "instance_type", p["InstanceType"], "InstanceType")


def _topic(im: Importer, lid: str, p: dict) -> None:
    im.node(lid, "sns_topic")
    im.set(lid, "fifo", flag(p.get("FifoTopic")), "FifoTopic")
    im.set(lid, "content_based_deduplication", flag(p.get("ContentBasedDeduplication")), "ContentBasedDeduplication")


def _queue(im: Importer, lid: str, p: dict) -> None:
    im.node(lid, "sqs_queue")
    im.set(lid, "fifo", flag(p.get("FifoQueue")), "FifoQueue")
    im.set(lid, "content_based_deduplication", flag(p.get("ContentBasedDeduplication")), "ContentBasedDeduplication")
    for prop, f in (("visibility_timeout_s", "VisibilityTimeout"), ("message_retention_s", "MessageRetentionPeriod"),
                    ("delay_s", "DelaySeconds"), ("receive_wait_time_s", "ReceiveMessageWaitTimeSeconds")):
        im.set(lid, prop, number(p.get(f)), f)
    redrive = json_object(p.get("RedrivePolicy"))
    if redrive:
        im.set(lid, "max_receive_count", whole(redrive.get("maxReceiveCount")), "RedrivePolicy.maxReceiveCount")


def _function(im: Importer, lid: str, p: dict) -> None:
    im.node(lid, "lambda_function")
    im.set(lid, "memory_mb", whole(p.get("MemorySize")), "MemorySize")
    im.set(lid, "reserved_concurrency", whole(p.get("ReservedConcurrentExecutions")), "ReservedConcurrentExecutions")


_NODE_BUILDERS = {ALB: _alb, ELB: _elb, ASG: _asg, EC2: _ec2, TOPIC: _topic, QUEUE: _queue, FUNCTION: _function}


def _attributes_for(edges: list[dict], topic: str) -> dict | None:
    """Message attributes for a topic's producers that its subscriptions' filter policies ask for
    (the exact strings they list, equally likely), so an imported topology delivers something."""
    values: dict[str, list] = {}
    for e in edges:
        policy = e["props"].get("filter_policy") if e["source"] == topic else None
        for key, wanted in (policy or {}).items():
            for v in as_list(wanted):
                if isinstance(v, str) and v not in values.setdefault(key, []):
                    values[key].append(v)
    return {k: {"values": v} for k, v in values.items() if v} or None


def import_template(template: dict, title: str = "Imported template") -> Imported:
    """The topology for a decoded template (engine.cfn.parse), with what was mapped and left out."""
    return Importer(template, title).run()
