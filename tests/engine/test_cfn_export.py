"""CloudFormation export (issue 16): cfn-lint accepts every example's template, moto's CloudFormation
creates the stack, and import(export(x)) gives back x's nodes, kinds, edges and expressible props."""
from __future__ import annotations

import json
import warnings

import pytest

from engine import examples, fileio
from engine.cfn.export import export_template, export_with_notes
from engine.cfn.import_ import import_template
from engine.cfn.parse import parse
from engine.model import Document
from engine.policies import check_policies
from tests.engine.helpers import node, topology

NAMES = examples.names()
# What a template cannot say: how simulated instances, functions and networks behave, and the traffic.
NOT_EXPRESSIBLE = {
    "auto_scaling_group": {"instance"},          # checked apart: only instance_type survives
    "lambda_function": {"duration_s", "cold_start_s", "error_rate"},
    "email_endpoint": {"delivery_latency_s"},
    "ec2_instance": {"concurrency", "service_time_s", "max_backlog", "error_rate", "boot_time_s"},
}
EDGE_NOT_EXPRESSIBLE = {"latency_ms", "ratio", "message_attributes", "message_groups", "weight"}
TARGET_TRACKING_FIXED = ("evaluation_period_s", "scale_out_datapoints", "scale_in_datapoints")


def load(name: str) -> Document:
    return fileio.load(examples.resolve(name))


@pytest.mark.parametrize("name", NAMES)
def test_cfn_lint_accepts_every_example(name):
    from cfnlint.api import ManualArgs, lint
    template = json.dumps(export_template(load(name)))
    matches = lint(template, config=ManualArgs(regions=["us-east-1"]))
    assert [m for m in matches if m.rule.id.startswith("E")] == []
    assert [f"{m.rule.id} {m.message}" for m in matches] == [], "no warnings either"


def test_cfn_lint_would_catch_a_bad_value():
    """The lint check is not vacuous: an out-of-range visibility timeout (AWS: 0-43200 s) is an error."""
    from cfnlint.api import ManualArgs, lint
    template = export_template(load("poison-message"))
    template["Resources"]["jobs"]["Properties"]["VisibilityTimeout"] = 50000
    assert any(m.rule.id.startswith("E") for m in lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"])))


def _round_trip(doc: Document) -> tuple[Document, object]:
    result = import_template(parse(json.dumps(export_template(doc)), "exported"), doc.title)
    return fileio.from_data(result.data), result


def _comparable_policies(policies: list[dict]) -> list[dict]:
    return [{k: v for k, v in p.items() if not (p["type"] == "target_tracking" and k in TARGET_TRACKING_FIXED)}
            for p in check_policies(policies)]     # the canonical form: defaults filled in


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_keeps_nodes_edges_and_expressible_props(name):
    doc = load(name)
    back, result = _round_trip(doc)
    aws = {n.id: n.kind for n in doc.nodes.values() if n.kind != "client"}
    assert {n.id: n.kind for n in back.nodes.values() if n.kind != "client"} == aws
    pairs = lambda d: {(e.source, e.target) for e in d.edges.values() if d.nodes[e.source].kind != "client"}
    assert pairs(back) == pairs(doc)
    fed = lambda d: sorted(e.target for e in d.edges.values() if d.nodes[e.source].kind == "client")
    assert fed(back) == fed(doc), "the import puts a client where the topology had one"
    for node_id, kind in aws.items():
        a, b = doc.nodes[node_id], back.nodes[node_id]
        for prop in set(a.props) | set(b.props):
            if prop in NOT_EXPRESSIBLE.get(kind, ()):
                continue
            va, vb = a.prop(prop), b.prop(prop)
            if prop == "policies":
                va, vb = _comparable_policies(va), _comparable_policies(vb)
            assert va == vb, f"{node_id}.{prop}"
        if kind == "auto_scaling_group":
            assert b.prop("instance").get("instance_type", "t3.micro") == a.prop("instance").get("instance_type", "t3.micro")
    for e in doc.edges.values():
        if doc.nodes[e.source].kind == "client":
            continue
        f = next(x for x in back.edges.values() if (x.source, x.target) == (e.source, e.target))
        consumer_batch = doc.nodes[e.target].kind != "lambda_function"   # instances poll in code, not by template
        for prop in set(e.props) - EDGE_NOT_EXPRESSIBLE - ({"batch_size", "wait_time_s"} if consumer_batch else set()):
            assert back.edge_prop(f, prop) == doc.edge_prop(e, prop), f"{e.source} -> {e.target}: {prop}"
    assert not [r for r in result.left_out if r[1] not in ("AWS::IAM::Role", "AWS::SQS::QueuePolicy",
                                                          "AWS::Lambda::Permission")]


def test_round_trip_of_policies_and_messaging_settings_the_examples_leave_out():
    """Step, simple and scheduled policies, request-count tracking, FIFO, retries and a subscription DLQ."""
    step = {"type": "step", "metric": "cpu_utilization", "adjustment_type": "percent_change_in_capacity",
            "steps": [{"lower": 70, "upper": 90, "adjustment": 10}, {"lower": 90, "adjustment": 50}]}
    scale_in = {"type": "step", "metric": "cpu_utilization", "steps": [{"upper": 20, "adjustment": -1}]}
    simple = {"type": "simple", "metric": "request_count_per_target", "comparison": "<=", "threshold": 100, "adjustment": -1,
              "evaluation_period_s": 300}
    tracking = {"type": "target_tracking", "metric": "request_count_per_target", "target": 500}
    nightly = {"type": "scheduled", "at_s": 3600 * 6 + 60 * 15, "min_size": 3, "desired_capacity": 4}
    data = topology([
        node("users", "client"),
        node("alb", "load_balancer", algorithm="weighted_random", slow_start_s=60, idle_timeout_s=120),
        node("web", "auto_scaling_group", min_size=2, max_size=9, desired_capacity=3, termination_policy="oldest_instance",
             instance={"instance_type": "c7g.large"}, policies=[step, scale_in, simple, tracking, nightly]),
        node("box", "ec2_instance", instance_type="m5.large"),
        node("events", "sns_topic", fifo=True, content_based_deduplication=True),
        node("orders", "sqs_queue", fifo=True, delay_s=5, max_receive_count=7),
        node("orders_dlq", "sqs_queue", fifo=True),
        node("alerts", "sns_topic"), node("spare", "sqs_queue"),
        node("fn", "lambda_function", maximum_retry_attempts=1, maximum_event_age_s=3600, reserved_concurrency=5),
    ], [("users", "alb"), ("alb", "web"), ("alb", "box"), ("web", "events"), ("events", "orders"),
        ("orders", "orders_dlq"), ("box", "alerts"),
        ("alerts", "fn", {"dead_letter_queue": "spare", "filter_policy": {"level": ["error"]}}),
        ("alerts", "alb", {"filter_policy_scope": "MessageBody", "filter_policy": {"level": ["warn"]}}),
        ("spare", "fn", {"batch_size": 100, "maximum_concurrency": 5})])
    doc = fileio.from_data(data)
    back, _ = _round_trip(doc)
    assert back.nodes["web"].props["policies"] == check_policies(doc.nodes["web"].props["policies"])
    for nid in ("alb", "box", "events", "orders", "fn"):
        assert {k: back.nodes[nid].prop(k) for k in doc.nodes[nid].props} == doc.nodes[nid].props, nid
    sub = next(e for e in back.edges.values() if (e.source, e.target) == ("alerts", "fn"))
    assert sub.props["dead_letter_queue"] == "spare" and sub.props["filter_policy"] == {"level": ["error"]}
    http = next(e for e in back.edges.values() if (e.source, e.target) == ("alerts", "alb"))
    assert http.props == {"filter_policy_scope": "MessageBody", "filter_policy": {"level": ["warn"]}}
    mapping = next(e for e in back.edges.values() if (e.source, e.target) == ("spare", "fn"))
    assert mapping.props == {"batch_size": 100, "maximum_concurrency": 5}
    from cfnlint.api import ManualArgs, lint
    assert [str(m) for m in lint(json.dumps(export_template(doc)), config=ManualArgs(regions=["us-east-1"]))
            if m.rule.id.startswith("E")] == []


def test_what_cannot_be_expressed_is_said():
    _, notes = export_with_notes(load("fan-out"))
    assert any(n.startswith("charge: duration_s, cold_start_s") for n in notes)
    assert any(n.startswith("orders -> events:") and "message_attributes" in n for n in notes)


@pytest.mark.parametrize("name", NAMES)
def test_moto_creates_every_exported_stack(name):
    """moto's CloudFormation creates the stack given a VPC and subnets; the resources moto models
    carry the topology's settings (group sizes, queue attributes and redrive, topic subscriptions)."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    doc = load(name)
    template = export_template(doc)
    with moto.mock_aws(), warnings.catch_warnings():
        warnings.simplefilter("ignore")        # moto warns about the resource types it does not create
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]][:2]
        params = {"VpcId": vpc, "Subnets": ",".join(subnets)}
        cf = boto3.client("cloudformation", region_name="us-east-1")
        cf.create_stack(StackName=name, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"],
                        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()
                                    if k in template.get("Parameters", {})])
        assert cf.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
        physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                    for r in cf.list_stack_resources(StackName=name)["StackResourceSummaries"]}
        _check_groups(boto3, doc, physical)
        _check_target_groups(boto3, doc, physical)
        _check_queues(boto3, doc, physical)
        _check_topics(boto3, doc, physical)


def _check_groups(boto3, doc: Document, physical: dict) -> None:
    autoscaling = boto3.client("autoscaling", region_name="us-east-1")
    for n in doc.nodes.values():
        if n.kind == "auto_scaling_group":
            g = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[physical[n.id]])["AutoScalingGroups"][0]
            assert (g["MinSize"], g["MaxSize"], g["DesiredCapacity"]) == \
                (n.prop("min_size"), n.prop("max_size"), n.prop("desired_capacity"))
            assert g["HealthCheckType"] == n.prop("health_check_type")


def _check_target_groups(boto3, doc: Document, physical: dict) -> None:
    """Each load balancer's target group has its health check, and its groups are registered with it."""
    elbv2 = boto3.client("elbv2", region_name="us-east-1")
    autoscaling = boto3.client("autoscaling", region_name="us-east-1")
    for n in doc.nodes.values():
        if n.kind != "load_balancer":
            continue
        arn = physical[f"{n.id}TargetGroup"]
        tg = elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]
        hc = n.prop("health_check")
        assert (tg["HealthCheckIntervalSeconds"], tg["HealthyThresholdCount"], tg["UnhealthyThresholdCount"]) == \
            (hc["interval_s"], hc["healthy_threshold"], hc["unhealthy_threshold"])
        for e in doc.edges.values():
            if e.source == n.id and doc.nodes[e.target].kind == "auto_scaling_group":
                g = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[physical[e.target]])
                assert arn in g["AutoScalingGroups"][0]["TargetGroupARNs"]


def test_moto_creates_fifo_names_and_scheduled_actions():
    """AWS: FIFO queue and topic names end in .fifo; a scheduled action keeps its recurrence and sizes."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    doc = fileio.from_data(topology([
        node("events", "sns_topic", fifo=True), node("orders", "sqs_queue", fifo=True, delay_s=5),
        node("web", "auto_scaling_group", policies=[{"type": "scheduled", "at_s": 600, "desired_capacity": 3,
                                                     "max_size": 4}])], [("events", "orders")]))
    template = export_template(doc)
    with moto.mock_aws(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        subnets = [s["SubnetId"] for s in boto3.client("ec2", region_name="us-east-1").describe_subnets()["Subnets"]][:2]
        cf = boto3.client("cloudformation", region_name="us-east-1")
        cf.create_stack(StackName="fifo", TemplateBody=json.dumps(template),
                        Parameters=[{"ParameterKey": "Subnets", "ParameterValue": ",".join(subnets)}])
        physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                    for r in cf.list_stack_resources(StackName="fifo")["StackResourceSummaries"]}
        attrs = boto3.client("sqs", region_name="us-east-1").get_queue_attributes(
            QueueUrl=physical["orders"], AttributeNames=["All"])["Attributes"]
        assert attrs["FifoQueue"] == "true" and attrs["DelaySeconds"] == "5" and physical["orders"].endswith(".fifo")
        assert physical["events"].endswith(".fifo")
        action, = boto3.client("autoscaling", region_name="us-east-1").describe_scheduled_actions()["ScheduledUpdateGroupActions"]
        assert (action["Recurrence"], action["DesiredCapacity"], action["MaxSize"]) == ("10 0 * * *", 3, 4)


def _check_queues(boto3, doc: Document, physical: dict) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    for n in doc.nodes.values():
        if n.kind != "sqs_queue":
            continue
        attrs = sqs.get_queue_attributes(QueueUrl=physical[n.id], AttributeNames=["All"])["Attributes"]
        assert int(attrs["VisibilityTimeout"]) == n.prop("visibility_timeout_s")
        assert int(attrs["MessageRetentionPeriod"]) == n.prop("message_retention_s")
        assert int(attrs["ReceiveMessageWaitTimeSeconds"]) == n.prop("receive_wait_time_s")
        dlq = [e.target for e in doc.edges.values() if e.source == n.id and doc.nodes[e.target].kind == "sqs_queue"]
        if dlq:
            redrive = json.loads(attrs["RedrivePolicy"])
            dlq_arn = sqs.get_queue_attributes(QueueUrl=physical[dlq[0]], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            assert redrive["deadLetterTargetArn"] == dlq_arn
            assert int(redrive["maxReceiveCount"]) == n.prop("max_receive_count")
        else:
            assert "RedrivePolicy" not in attrs


def _check_topics(boto3, doc: Document, physical: dict) -> None:
    """moto creates a topic's own Subscription list (not AWS::SNS::Subscription resources): those are checked."""
    sns = boto3.client("sns", region_name="us-east-1")
    for n in doc.nodes.values():
        if n.kind != "sns_topic":
            continue
        subs = sns.list_subscriptions_by_topic(TopicArn=physical[n.id])["Subscriptions"]
        plain = [e for e in doc.edges.values() if e.source == n.id and doc.nodes[e.target].kind != "email_endpoint"
                 and not any(e.props.get(k) for k in ("filter_policy", "raw_message_delivery", "dead_letter_queue"))]
        assert sorted(s["Protocol"] for s in subs) == sorted(
            {"sqs_queue": "sqs", "lambda_function": "lambda"}.get(doc.nodes[e.target].kind, "http") for e in plain)


def test_moto_sees_a_topics_subscriptions():
    """A topic with a plain queue and a plain function subscription: moto lists both, to the right ARNs."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    doc = fileio.from_data(topology([node("t", "sns_topic"), node("q", "sqs_queue", visibility_timeout_s=90),
                                     node("f", "lambda_function")], [("t", "q"), ("t", "f")]))
    template = export_template(doc)
    with moto.mock_aws(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cf = boto3.client("cloudformation", region_name="us-east-1")
        cf.create_stack(StackName="subs", TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
        physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                    for r in cf.list_stack_resources(StackName="subs")["StackResourceSummaries"]}
        subs = boto3.client("sns", region_name="us-east-1").list_subscriptions_by_topic(TopicArn=physical["t"])["Subscriptions"]
        queue_arn = boto3.client("sqs", region_name="us-east-1").get_queue_attributes(
            QueueUrl=physical["q"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        assert {s["Protocol"]: s["Endpoint"] for s in subs}["sqs"] == queue_arn
        assert {s["Protocol"] for s in subs} == {"sqs", "lambda"}


def test_command_line_export(tmp_path):
    from engine.cli import main
    out = tmp_path / "web.template.json"
    assert main(["export-cfn", "web-tier", "-o", str(out)]) == 0
    template = json.loads(out.read_text())
    assert template["Resources"]["web"]["Type"] == "AWS::AutoScaling::AutoScalingGroup"
    assert set(template["Parameters"]) == {"VpcId", "Subnets", "LatestAmiId"}
    assert main(["export-cfn", "no-such-file.json", "-o", str(tmp_path / "x.json")]) == 2
    assert main(["export-cfn", "web-tier", "-o", str(tmp_path)]) == 2, "a folder is not a place to write"
    assert not (tmp_path / "x.json").exists()
