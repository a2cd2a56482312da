"""A topology -> a CloudFormation template (FORMAT.md 4.1, `flowdeck export-cfn`).

What FlowDeck does not model comes in as Parameters (the VPC, its subnets, the AMI through AWS's
public SSM parameter). Each node becomes its resources under its own id as the logical id (a
group: launch template + group + policies; a load balancer: ALB + listener + target group; a
function: function + execution role). Connections become target group membership, SNS
subscriptions, redrive policies, event source mappings, and the IAM grants of instance roles (who
publishes to, sends to and receives from which topic or queue), which the import reads back.
"""
from __future__ import annotations

import re
from typing import Any

from engine import registry
from engine.cfn import export_scaling
from engine.model import Document, Node

AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
ALGORITHMS = ("round_robin", "least_outstanding_requests", "weighted_random")
PLACEHOLDER_HANDLER = ("def handler(event, context):\n"
                       "    # Placeholder written by FlowDeck: replace with the function's code.\n"
                       "    return {'records': len(event.get('Records', []))}\n")


def ref(lid: str) -> dict:
    return {"Ref": lid}


def att(lid: str, name: str) -> dict:
    return {"Fn::GetAtt": [lid, name]}


def whole(x: float) -> int:
    return int(round(x))


class Exporter:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.resources: dict[str, dict] = {}
        self.params: set[str] = set()
        self.notes: list[str] = []
        self.lid = _logical_ids(doc)

    # -- helpers ------------------------------------------------------------------------------------
    def add(self, lid: str, kind: str, props: dict, **extra: Any) -> str:
        self.resources[lid] = {"Type": kind, "Properties": props, **extra}
        return lid

    def param(self, name: str) -> dict:
        self.params.add(name)
        return ref(name)

    def prop(self, node: Node, name: str) -> Any:
        return node.prop(name)

    def given(self, node: Node, name: str) -> bool:
        return name in node.props

    def edges_from(self, node_id: str, *kinds: str) -> list:
        return [e for e in self.doc.edges.values() if e.source == node_id
                and (not kinds or self.doc.nodes[e.target].kind in kinds)]

    def edges_into(self, node_id: str, *kinds: str) -> list:
        return [e for e in self.doc.edges.values() if e.target == node_id
                and (not kinds or self.doc.nodes[e.source].kind in kinds)]

    def unexpressed(self, owner: str, what: str) -> None:
        self.notes.append(f"{owner}: {what}")

    # -- the template ----------------------------------------------------------------------------------
    def run(self) -> dict:
        for node in self.doc.nodes.values():
            builder = _BUILDERS.get(node.kind)
            if builder:
                builder(self, node)
            elif node.kind == "client":
                self.unexpressed(node.id, "clients are traffic, not resources: not in the template")
        for edge in self.doc.edges.values():
            if self.doc.nodes[edge.source].kind == "sns_topic":
                _subscription(self, edge)
        _instance_roles(self)
        template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09",
                                    "Description": _description(self.doc)}
        parameters = {name: spec for name, spec in _PARAMETERS.items() if name in self.params}
        if parameters:
            template["Parameters"] = parameters
        template["Resources"] = self.resources
        return template


_PARAMETERS = {
    "VpcId": {"Type": "AWS::EC2::VPC::Id", "Description": "The VPC of the load balancers' target groups"},
    "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>",
                "Description": "Subnets in at least two Availability Zones, for load balancers, groups and instances"},
    "LatestAmiId": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": AMI_PARAMETER,
                    "Description": "The instances' image: the latest Amazon Linux 2023, from AWS's public parameter"},
}


def _description(doc: Document) -> str:
    text = f"{doc.title}: exported from FlowDeck."
    return text if len(text) <= 1024 else text[:1021] + "..."


def _logical_ids(doc: Document) -> dict[str, str]:
    """Node id -> logical id: the id itself when it is alphanumeric (CloudFormation's rule), else cleaned."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for node_id in doc.nodes:
        base = re.sub(r"[^A-Za-z0-9]", "", node_id) or "Node"
        lid, n = base[:200], 2
        while lid in taken:
            lid, n = f"{base[:190]}{n}", n + 1
        taken.add(lid)
        out[node_id] = lid
    return out


def _name_tag(node: Node) -> list[dict]:
    return [{"Key": "Name", "Value": node.name}]


# -- load balancers -----------------------------------------------------------------------------------
def _load_balancer(ex: Exporter, node: Node) -> None:
    lid = ex.lid[node.id]
    facing = bool(ex.edges_into(node.id, "client"))
    ex.add(lid, "AWS::ElasticLoadBalancingV2::LoadBalancer", {
        "Type": "application", "Scheme": "internet-facing" if facing else "internal",
        "Subnets": ex.param("Subnets"),
        "LoadBalancerAttributes": [{"Key": "idle_timeout.timeout_seconds",
                                    "Value": str(whole(ex.prop(node, "idle_timeout_s")))}],
        "Tags": _name_tag(node)})
    hc = ex.prop(node, "health_check")
    attributes = [{"Key": "deregistration_delay.timeout_seconds", "Value": str(whole(ex.prop(node, "deregistration_delay_s")))}]
    if ex.prop(node, "slow_start_s"):
        attributes.append({"Key": "slow_start.duration_seconds", "Value": str(whole(ex.prop(node, "slow_start_s")))})
    algorithm = ex.prop(node, "algorithm")
    if algorithm in ALGORITHMS:
        attributes.append({"Key": "load_balancing.algorithm.type", "Value": algorithm})
    else:
        ex.unexpressed(node.id, f"algorithm {algorithm} is not an AWS algorithm; the template uses round_robin")
    targets = [{"Id": ref(ex.lid[e.target])} for e in ex.edges_from(node.id, "ec2_instance")]
    tg = ex.add(f"{lid}TargetGroup", "AWS::ElasticLoadBalancingV2::TargetGroup", {
        "Port": 80, "Protocol": "HTTP", "VpcId": ex.param("VpcId"), "TargetType": "instance",
        "HealthCheckIntervalSeconds": whole(hc["interval_s"]), "HealthCheckTimeoutSeconds": whole(hc["timeout_s"]),
        "HealthyThresholdCount": hc["healthy_threshold"], "UnhealthyThresholdCount": hc["unhealthy_threshold"],
        "TargetGroupAttributes": attributes, **({"Targets": targets} if targets else {})})
    ex.add(f"{lid}Listener", "AWS::ElasticLoadBalancingV2::Listener", {
        "LoadBalancerArn": ref(lid), "Port": 80, "Protocol": "HTTP",
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": ref(tg)}]})
    if any("weight" in e.props for e in ex.edges_from(node.id)):
        ex.unexpressed(node.id, "target weights are not expressed (one target group per load balancer)")


# -- compute -------------------------------------------------------------------------------------------
def _group(ex: Exporter, node: Node) -> None:
    lid = ex.lid[node.id]
    instance = dict(registry.KINDS["ec2_instance"].defaults(), **ex.prop(node, "instance"))
    lt = ex.add(f"{lid}LaunchTemplate", "AWS::EC2::LaunchTemplate", {"LaunchTemplateData": {
        "ImageId": ex.param("LatestAmiId"), "InstanceType": instance["instance_type"]}})
    lbs = [ex.lid[e.source] for e in ex.edges_into(node.id, "load_balancer")]
    termination = {"default": "Default", "oldest_instance": "OldestInstance", "newest_instance": "NewestInstance"}
    props = {
        "MinSize": str(ex.prop(node, "min_size")), "MaxSize": str(ex.prop(node, "max_size")),
        "DesiredCapacity": str(ex.prop(node, "desired_capacity")),
        "LaunchTemplate": {"LaunchTemplateId": ref(lt), "Version": att(lt, "LatestVersionNumber")},
        "VPCZoneIdentifier": ex.param("Subnets"),
        "HealthCheckType": ex.prop(node, "health_check_type"),
        "HealthCheckGracePeriod": whole(ex.prop(node, "health_check_grace_period_s")),
        "Cooldown": str(whole(ex.prop(node, "default_cooldown_s"))),
        "DefaultInstanceWarmup": whole(ex.prop(node, "default_instance_warmup_s")),
        "TerminationPolicies": [termination[ex.prop(node, "termination_policy")]],
        "Tags": [{"Key": "Name", "Value": node.name, "PropagateAtLaunch": True}],
    }
    if lbs:
        props["TargetGroupARNs"] = [ref(f"{lb}TargetGroup") for lb in lbs]
    ex.add(lid, "AWS::AutoScaling::AutoScalingGroup", props)
    _instance_note(ex, node.id, ex.prop(node, "instance"))
    export_scaling.add_policies(ex, node, lid, lbs)


def _instance_note(ex: Exporter, owner: str, instance: dict) -> None:
    modelled = [k for k in ("concurrency", "service_time_s", "max_backlog", "error_rate", "boot_time_s") if k in instance]
    if modelled:
        ex.unexpressed(owner, f"instance behaviour ({', '.join(modelled)}) is simulation only; the template "
                              "keeps the instance type")


def _instance(ex: Exporter, node: Node) -> None:
    lid = ex.lid[node.id]
    ex.add(lid, "AWS::EC2::Instance", {
        "ImageId": ex.param("LatestAmiId"), "InstanceType": ex.prop(node, "instance_type"),
        "SubnetId": {"Fn::Select": [0, ex.param("Subnets")]}, "Tags": _name_tag(node)})
    _instance_note(ex, node.id, node.props)


def _instance_roles(ex: Exporter) -> None:
    """An instance role per group or instance that publishes, sends or receives: its grants are the connections."""
    for node in ex.doc.nodes.values():
        if node.kind not in ("auto_scaling_group", "ec2_instance"):
            continue
        statements = [_grant("sns:Publish", ref(ex.lid[e.target])) for e in ex.edges_from(node.id, "sns_topic")]
        statements += [_grant("sqs:SendMessage", att(ex.lid[e.target], "Arn")) for e in ex.edges_from(node.id, "sqs_queue")]
        statements += [_grant(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                              att(ex.lid[e.source], "Arn")) for e in ex.edges_into(node.id, "sqs_queue")]
        if not statements:
            continue
        lid = ex.lid[node.id]
        role = ex.add(f"{lid}Role", "AWS::IAM::Role", {
            "AssumeRolePolicyDocument": _trust("ec2.amazonaws.com"),
            "Policies": [{"PolicyName": "messaging", "PolicyDocument": {"Version": "2012-10-17",
                                                                        "Statement": statements}}]})
        profile = ex.add(f"{lid}InstanceProfile", "AWS::IAM::InstanceProfile", {"Roles": [ref(role)]})
        if node.kind == "ec2_instance":
            ex.resources[lid]["Properties"]["IamInstanceProfile"] = ref(profile)
        else:
            data = ex.resources[f"{lid}LaunchTemplate"]["Properties"]["LaunchTemplateData"]
            data["IamInstanceProfile"] = {"Arn": att(profile, "Arn")}
        for e in ex.edges_from(node.id, "sns_topic", "sqs_queue") + ex.edges_into(node.id, "sqs_queue"):
            _edge_note(ex, e, ("latency_ms", "ratio", "message_attributes", "message_groups", "batch_size", "wait_time_s"))


def _grant(action: Any, resource: Any) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def _trust(service: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def _edge_note(ex: Exporter, edge: Any, fields: tuple[str, ...]) -> None:
    lost = [k for k in fields if k in edge.props]
    if lost:
        ex.unexpressed(f"{edge.source} -> {edge.target}", f"{', '.join(lost)} not expressed (simulation only)")


# -- messaging -----------------------------------------------------------------------------------------
def _topic(ex: Exporter, node: Node) -> None:
    props: dict[str, Any] = {"Tags": _name_tag(node)}
    if ex.prop(node, "fifo"):   # AWS: a FIFO topic's name must end in .fifo
        props["TopicName"] = _fifo_name(ex.lid[node.id])
        props["FifoTopic"] = True
        props["ContentBasedDeduplication"] = bool(ex.prop(node, "content_based_deduplication"))
    ex.add(ex.lid[node.id], "AWS::SNS::Topic", props)


def _queue(ex: Exporter, node: Node) -> None:
    props: dict[str, Any] = {
        "VisibilityTimeout": whole(ex.prop(node, "visibility_timeout_s")),
        "MessageRetentionPeriod": whole(ex.prop(node, "message_retention_s")),
        "DelaySeconds": whole(ex.prop(node, "delay_s")),
        "ReceiveMessageWaitTimeSeconds": whole(ex.prop(node, "receive_wait_time_s")),
        "Tags": _name_tag(node)}
    if ex.prop(node, "fifo"):   # AWS: a FIFO queue's name must end in .fifo
        props["QueueName"] = _fifo_name(ex.lid[node.id])
        props["FifoQueue"] = True
        props["ContentBasedDeduplication"] = bool(ex.prop(node, "content_based_deduplication"))
    dlq = ex.edges_from(node.id, "sqs_queue")
    if dlq:
        props["RedrivePolicy"] = {"deadLetterTargetArn": att(ex.lid[dlq[0].target], "Arn"),
                                  "maxReceiveCount": ex.prop(node, "max_receive_count")}
    elif ex.given(node, "max_receive_count"):
        ex.unexpressed(node.id, "max_receive_count without a dead-letter queue has no meaning in AWS")
    for name in ("visibility_timeout_s", "message_retention_s", "delay_s", "receive_wait_time_s"):
        if ex.prop(node, name) != whole(ex.prop(node, name)):
            ex.unexpressed(node.id, f"{name} {ex.prop(node, name)} rounded to whole seconds")
    ex.add(ex.lid[node.id], "AWS::SQS::Queue", props)
    senders = ex.edges_into(node.id, "sns_topic")
    if senders:
        ex.add(f"{ex.lid[node.id]}Policy", "AWS::SQS::QueuePolicy", {"Queues": [ref(ex.lid[node.id])], "PolicyDocument": {
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                "Resource": att(ex.lid[node.id], "Arn"),
                "Condition": {"ArnEquals": {"aws:SourceArn": [ref(ex.lid[e.source]) for e in senders]}}}]}})


def _fifo_name(lid: str) -> dict:
    """The stack's name, the logical id and .fifo: unique per stack, within AWS's 80 characters."""
    return {"Fn::Sub": f"${{AWS::StackName}}-{lid[:40]}.fifo"}


def _function(ex: Exporter, node: Node) -> None:
    lid = ex.lid[node.id]
    managed = ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    if ex.edges_into(node.id, "sqs_queue"):
        managed.append("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")
    role = ex.add(f"{lid}Role", "AWS::IAM::Role", {"AssumeRolePolicyDocument": _trust("lambda.amazonaws.com"),
                                                   "ManagedPolicyArns": managed})
    props: dict[str, Any] = {"Runtime": "python3.12", "Handler": "index.handler", "Role": att(role, "Arn"),
                             "Code": {"ZipFile": PLACEHOLDER_HANDLER}, "MemorySize": ex.prop(node, "memory_mb"),
                             "Tags": _name_tag(node)}
    if ex.prop(node, "reserved_concurrency") is not None:
        props["ReservedConcurrentExecutions"] = ex.prop(node, "reserved_concurrency")
    ex.add(lid, "AWS::Lambda::Function", props)
    if ex.given(node, "maximum_retry_attempts") or ex.given(node, "maximum_event_age_s"):
        ex.add(f"{lid}InvokeConfig", "AWS::Lambda::EventInvokeConfig", {
            "FunctionName": ref(lid), "Qualifier": "$LATEST",
            "MaximumRetryAttempts": ex.prop(node, "maximum_retry_attempts"),
            "MaximumEventAgeInSeconds": whole(ex.prop(node, "maximum_event_age_s"))})
    for e in ex.edges_into(node.id, "sqs_queue"):
        _event_source_mapping(ex, e, lid)
    lost = [k for k in ("duration_s", "cold_start_s", "error_rate") if ex.given(node, k)]
    if lost:
        ex.unexpressed(node.id, f"{', '.join(lost)} are simulation only (the handler is a placeholder)")


def _event_source_mapping(ex: Exporter, edge: Any, function: str) -> None:
    queue = ex.lid[edge.source]
    props: dict[str, Any] = {"EventSourceArn": att(queue, "Arn"), "FunctionName": ref(function)}
    batch = edge.props.get("batch_size")
    if batch is not None:
        props["BatchSize"] = batch
        if batch > 10:    # AWS: a batch above 10 needs a batching window of at least 1 s
            props["MaximumBatchingWindowInSeconds"] = 1
    if edge.props.get("maximum_concurrency") is not None:
        props["ScalingConfig"] = {"MaximumConcurrency": edge.props["maximum_concurrency"]}
    ex.add(f"{queue}To{function}Mapping", "AWS::Lambda::EventSourceMapping", props)
    _edge_note(ex, edge, ("latency_ms", "wait_time_s"))


def _subscription(ex: Exporter, edge: Any) -> None:
    topic, target = ex.lid[edge.source], ex.doc.nodes[edge.target]
    tl = ex.lid[target.id]
    endpoint: Any
    if target.kind == "sqs_queue":
        protocol, endpoint, lid = "sqs", att(tl, "Arn"), f"{topic}To{tl}"
    elif target.kind == "lambda_function":
        protocol, endpoint, lid = "lambda", att(tl, "Arn"), f"{topic}To{tl}"
        ex.add(f"{lid}Permission", "AWS::Lambda::Permission", {
            "Action": "lambda:InvokeFunction", "FunctionName": ref(tl), "Principal": "sns.amazonaws.com",
            "SourceArn": ref(topic)})
    elif target.kind == "email_endpoint":
        protocol, endpoint, lid = "email", target.prop("address"), tl
        if "delivery_latency_s" in target.props:
            ex.unexpressed(target.id, "delivery_latency_s is simulation only")
    elif target.kind == "load_balancer":
        protocol, endpoint, lid = "http", {"Fn::Sub": f"http://${{{tl}.DNSName}}/"}, f"{topic}To{tl}"
    elif target.kind == "ec2_instance":
        protocol, endpoint, lid = "http", {"Fn::Sub": f"http://${{{tl}.PublicDnsName}}/"}, f"{topic}To{tl}"
    else:
        ex.unexpressed(f"{edge.source} -> {edge.target}", "an HTTP subscription to a group has no single "
                       "endpoint in CloudFormation (subscribe its load balancer instead): left out")
        return
    _edge_note(ex, edge, ("latency_ms",))
    plain = not any(edge.props.get(k) for k in ("filter_policy", "raw_message_delivery", "dead_letter_queue"))
    if plain and protocol != "email":    # the topic's own list (an email node keeps its id as the resource's)
        ex.resources[topic]["Properties"].setdefault("Subscription", []).append(
            {"Protocol": protocol, "Endpoint": endpoint})
        return
    props: dict[str, Any] = {"TopicArn": ref(topic), "Protocol": protocol, "Endpoint": endpoint}
    if edge.props.get("filter_policy") is not None:
        props["FilterPolicy"] = edge.props["filter_policy"]
        props["FilterPolicyScope"] = edge.props.get("filter_policy_scope", "MessageAttributes")
    if edge.props.get("raw_message_delivery"):
        props["RawMessageDelivery"] = True
    if edge.props.get("dead_letter_queue"):
        props["RedrivePolicy"] = {"deadLetterTargetArn": att(ex.lid[edge.props["dead_letter_queue"]], "Arn")}
    ex.add(lid if lid not in ex.resources else f"{lid}Subscription", "AWS::SNS::Subscription", props)


_BUILDERS = {"load_balancer": _load_balancer, "auto_scaling_group": _group, "ec2_instance": _instance,
             "sns_topic": _topic, "sqs_queue": _queue, "lambda_function": _function}


def export_with_notes(doc: Document) -> tuple[dict, list[str]]:
    ex = Exporter(doc)
    return ex.run(), ex.notes


def export_template(doc: Document) -> dict:
    """The CloudFormation template (a JSON-ready dict) for a topology."""
    return export_with_notes(doc)[0]
