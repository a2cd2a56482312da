"""CloudFormation import (issue 16): templates in the style of AWS's public samples, written for
these tests under tests/data/cfn, become topologies that load and run."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine import fileio
from engine.cfn.import_ import import_template
from engine.cfn.parse import CfnError, parse
from engine.cli_cfn import import_file
from engine.simulation import Simulation

DATA = Path(__file__).resolve().parents[1] / "data" / "cfn"
SAMPLES = sorted(p.name for p in DATA.iterdir())


def imported(text: str):
    result = import_template(parse(textwrap.dedent(text)), "t")
    return fileio.from_data(result.data), result


def edges(doc) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in doc.edges.values()}


@pytest.mark.parametrize("name", SAMPLES)
def test_each_sample_imports_and_runs(name):
    """The imported topology is a valid file and the engine runs it: traffic flows, the ledger balances."""
    doc, result = import_file(DATA / name)
    assert result.mapped and all(lid in doc.nodes or what for lid, _, what in result.mapped)
    sim = Simulation(doc)
    sim.run_until(120)
    report = sim.report()
    assert report["ledger"]["balanced"]
    assert report["ledger"]["requests"]["generated"] + report["ledger"]["messages"]["created"] > 0
    positions = {n.pos for n in doc.nodes.values()}
    assert len(positions) == len(doc.nodes), "laid out: no two nodes on the same spot"


def test_alb_group_with_alarm_driven_simple_policies():
    """AWS's multi-AZ web server sample: the simple policies take their alarms' metric, threshold and
    comparison (AWS: a simple scaling policy acts when its CloudWatch alarm is in ALARM)."""
    doc, result = import_file(DATA / "alb-asg-alarms.yaml")
    assert edges(doc) >= {("ApplicationLoadBalancerUsers", "ApplicationLoadBalancer"),
                          ("ApplicationLoadBalancer", "WebServerGroup"),
                          ("NotificationTopic", "NotificationTopicEmail1")}
    group = doc.nodes["WebServerGroup"].props
    assert (group["min_size"], group["max_size"], group["desired_capacity"]) == (2, 6, 2)   # given as "2", "6", "2"
    assert group["instance"] == {"instance_type": "t3.small"}      # the launch template's !Ref InstanceType default
    assert group["health_check_type"] == "ELB" and group["health_check_grace_period_s"] == 120
    up, down = group["policies"]
    assert (up["type"], up["metric"], up["comparison"], up["threshold"], up["adjustment"]) == \
        ("simple", "cpu_utilization", ">", 70, 1)
    assert (down["comparison"], down["threshold"], down["adjustment"]) == ("<", 30, -1)
    lb = doc.nodes["ApplicationLoadBalancer"].props
    assert lb["algorithm"] == "least_outstanding_requests" and lb["deregistration_delay_s"] == 20
    assert lb["idle_timeout_s"] == 30
    assert lb["health_check"] == {"interval_s": 10, "timeout_s": 5, "healthy_threshold": 2, "unhealthy_threshold": 5}
    left = {lid: kind for lid, kind, _ in result.left_out}
    assert left == {"LoadBalancerSecurityGroup": "AWS::EC2::SecurityGroup",
                    "InstanceSecurityGroup": "AWS::EC2::SecurityGroup", "URL": "Output"}
    assert any("notifications" in n for n in result.notes), "the group's SNS notifications are named as not modelled"


def test_conditional_dead_letter_queue_follows_the_parameter_default(tmp_path):
    """RedrivePolicy inside Fn::If: with the default "true" the DLQ is there; with "false" the queue
    has no redrive and the DLQ is listed as left out because of its condition."""
    doc, _ = import_file(DATA / "queue-conditional-dlq.yaml")
    assert ("SourceQueue", "DeadLetterQueue") in edges(doc)
    assert doc.nodes["SourceQueue"].props["max_receive_count"] == 4
    assert doc.nodes["SourceQueue"].props["visibility_timeout_s"] == 45
    off = tmp_path / "off.yaml"
    off.write_text((DATA / "queue-conditional-dlq.yaml").read_text().replace('Default: "true"', 'Default: "false"'))
    doc, result = import_file(off)
    assert "DeadLetterQueue" not in doc.nodes and ("SourceQueue", "DeadLetterQueue") not in edges(doc)
    why = {lid: reason for lid, _, reason in result.left_out}
    assert "CreateDeadLetterQueue is false" in why["DeadLetterQueue"]


def test_topic_queue_lambda_chain():
    """Subscription attributes, the event source mapping's batch size and reserved concurrency."""
    doc, result = import_file(DATA / "topic-queue-lambda.json")
    assert edges(doc) >= {("OrdersTopic", "OrdersQueue"), ("OrdersQueue", "ProcessorFunction"), ("OrdersQueue", "OrdersDLQ")}
    sub = next(e for e in doc.edges.values() if (e.source, e.target) == ("OrdersTopic", "OrdersQueue")).props
    assert sub["raw_message_delivery"] is True and sub["filter_policy"] == {"event_type": ["order_placed"]}
    mapping = next(e for e in doc.edges.values() if e.target == "ProcessorFunction").props
    assert mapping["batch_size"] == 5
    assert doc.nodes["ProcessorFunction"].props == {"memory_mb": 256, "reserved_concurrency": 10}
    producers = next(e for e in doc.edges.values() if e.target == "OrdersTopic")
    assert producers.props["message_attributes"] == {"event_type": {"values": ["order_placed"], "weights": [1.0]}}
    assert {lid for lid, _, _ in result.left_out} == {"QueuePolicy", "ProcessorRole"}


def test_classic_load_balancer_instances_and_step_policy_with_relative_bounds():
    doc, result = imported("""
        Resources:
          Elb:
            Type: AWS::ElasticLoadBalancing::LoadBalancer
            Properties:
              Scheme: internal
              Listeners: [{LoadBalancerPort: "80", InstancePort: "80", Protocol: HTTP}]
              HealthCheck: {Target: "HTTP:80/", Interval: "15", Timeout: "4", HealthyThreshold: "3", UnhealthyThreshold: "2"}
              ConnectionDrainingPolicy: {Enabled: true, Timeout: 60}
              Instances: [!Ref Web1]
          Web1:
            Type: AWS::EC2::Instance
            Properties: {InstanceType: m5.large, ImageId: ami-12345678}
          Group:
            Type: AWS::AutoScaling::AutoScalingGroup
            Properties:
              MinSize: 1
              MaxSize: 5
              LaunchConfigurationName: !Ref Config
              LoadBalancerNames: [!Ref Elb]
          Config:
            Type: AWS::AutoScaling::LaunchConfiguration
            Properties: {InstanceType: c5.xlarge, ImageId: ami-12345678}
          StepOut:
            Type: AWS::AutoScaling::ScalingPolicy
            Properties:
              AutoScalingGroupName: !Ref Group
              PolicyType: StepScaling
              AdjustmentType: ChangeInCapacity
              StepAdjustments:
                - {MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1}
                - {MetricIntervalLowerBound: 20, ScalingAdjustment: 3}
          HighCpu:
            Type: AWS::CloudWatch::Alarm
            Properties:
              Namespace: AWS/EC2
              MetricName: CPUUtilization
              Threshold: 60
              ComparisonOperator: GreaterThanOrEqualToThreshold
              Period: 120
              EvaluationPeriods: 1
              AlarmActions: [!Ref StepOut]
          Nightly:
            Type: AWS::AutoScaling::ScheduledAction
            Properties: {AutoScalingGroupName: !Ref Group, Recurrence: "30 2 * * *", DesiredCapacity: 3}
          Orphan:
            Type: AWS::AutoScaling::ScalingPolicy
            Properties: {AutoScalingGroupName: !Ref Group, ScalingAdjustment: 1}
    """)
    assert edges(doc) == {("Elb", "Web1"), ("Elb", "Group")}, "internal: no Internet users in front"
    elb = doc.nodes["Elb"].props
    assert elb["health_check"] == {"interval_s": 15, "timeout_s": 4, "healthy_threshold": 3, "unhealthy_threshold": 2}
    assert elb["deregistration_delay_s"] == 60
    assert doc.nodes["Web1"].props["instance_type"] == "m5.large"
    bare, _ = imported("Resources:\n  Elb: {Type: AWS::ElasticLoadBalancing::LoadBalancer}\n")
    # AWS: a Classic Load Balancer's health check defaults to 30 s, 5 s, 10 healthy, 2 unhealthy
    assert bare.nodes["Elb"].props["health_check"] == {"interval_s": 30, "timeout_s": 5, "healthy_threshold": 10,
                                                       "unhealthy_threshold": 2}
    group = doc.nodes["Group"].props
    assert group["instance"]["instance_type"] == "c5.xlarge" and group["desired_capacity"] == 1
    step, nightly = group["policies"]
    # AWS: step bounds are relative to the alarm threshold (60): 60-80 adds 1, 80 and above adds 3
    assert step["steps"] == [{"adjustment": 1, "lower": 60, "upper": 80}, {"adjustment": 3, "lower": 80}]
    assert step["evaluation_period_s"] == 120
    assert nightly == {"type": "scheduled", "at_s": 2 * 3600 + 30 * 60, "desired_capacity": 3}
    why = {lid: reason for lid, _, reason in result.left_out}
    assert "no CloudWatch alarm" in why["Orphan"]


def test_target_tracking_predefined_and_backlog_metric_math():
    doc, _ = imported("""
        Resources:
          Jobs: {Type: AWS::SQS::Queue}
          Workers:
            Type: AWS::AutoScaling::AutoScalingGroup
            Properties: {MinSize: "1", MaxSize: "4", DesiredCapacity: "1"}
          Cpu:
            Type: AWS::AutoScaling::ScalingPolicy
            Properties:
              AutoScalingGroupName: !Ref Workers
              PolicyType: TargetTrackingScaling
              TargetTrackingConfiguration:
                PredefinedMetricSpecification: {PredefinedMetricType: ASGAverageCPUUtilization}
                TargetValue: "40"
                DisableScaleIn: "true"
          Backlog:
            Type: AWS::AutoScaling::ScalingPolicy
            Properties:
              AutoScalingGroupName: !Ref Workers
              PolicyType: TargetTrackingScaling
              TargetTrackingConfiguration:
                TargetValue: 25
                CustomizedMetricSpecification:
                  Metrics:
                    - Id: m1
                      ReturnData: false
                      MetricStat:
                        Stat: Sum
                        Metric: {Namespace: AWS/SQS, MetricName: ApproximateNumberOfMessagesVisible,
                                 Dimensions: [{Name: QueueName, Value: !GetAtt Jobs.QueueName}]}
                    - Id: m2
                      ReturnData: false
                      MetricStat:
                        Stat: Average
                        Metric: {Namespace: AWS/AutoScaling, MetricName: GroupInServiceInstances,
                                 Dimensions: [{Name: AutoScalingGroupName, Value: !Ref Workers}]}
                    - {Id: e1, Expression: m1 / m2, ReturnData: true}
    """)
    cpu, backlog = doc.nodes["Workers"].props["policies"]
    assert (cpu["metric"], cpu["target"], cpu["disable_scale_in"]) == ("cpu_utilization", 40, True)
    assert (backlog["metric"], backlog["target"]) == ("backlog_per_instance", 25)


@pytest.mark.parametrize("text, words", [
    ("Resources: [\n  a: !Ref\n", "line 3"),
    ("just: a mapping\n", "no 'Resources' section"),
    ("Resources:\n  Q:\n    Properties: {}\n", "Resources.Q has no 'Type'"),
    ("- a list\n", "must be a mapping with 'Resources'"),
])
def test_what_is_not_a_template_is_refused_with_the_line(text, words):
    with pytest.raises(CfnError) as err:
        parse(text, "bad.yaml")
    assert str(err.value).startswith("bad.yaml: ") and words in str(err.value)


def test_command_line_import_exit_codes(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("Resources:\n  X: [unclosed\n")
    out = tmp_path / "never.flowdeck.json"
    run = lambda *a: subprocess.run([sys.executable, "-m", "engine.cli", *a], capture_output=True, text=True)
    proc = run("import-cfn", str(bad), "-o", str(out))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"flowdeck: {bad}: line ") and len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists(), "a refused template writes nothing"
    good = tmp_path / "dlq.flowdeck.json"
    proc = run("import-cfn", str(DATA / "queue-conditional-dlq.yaml"), "-o", str(good))
    assert proc.returncode == 0 and "SourceQueue (AWS::SQS::Queue)" in proc.stdout
    assert run("validate", str(good)).stdout.strip() == "ok"


MAPPED_TYPES = ["AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener",
                "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::ElasticLoadBalancing::LoadBalancer",
                "AWS::AutoScaling::AutoScalingGroup", "AWS::AutoScaling::ScalingPolicy",
                "AWS::AutoScaling::ScheduledAction", "AWS::AutoScaling::LaunchConfiguration",
                "AWS::EC2::LaunchTemplate", "AWS::EC2::Instance", "AWS::CloudWatch::Alarm", "AWS::SNS::Topic",
                "AWS::SNS::Subscription", "AWS::SQS::Queue", "AWS::Lambda::Function",
                "AWS::Lambda::EventSourceMapping", "AWS::Lambda::EventInvokeConfig", "AWS::IAM::Role",
                "AWS::IAM::InstanceProfile", "AWS::IAM::Policy"]


def test_malformed_properties_never_crash_the_import():
    """Whatever the values (lists where mappings belong, intrinsic functions with wrong arguments,
    references to nothing), the import gives a topology the loader accepts, or one clear refusal."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-5, 100000), st.text(max_size=8),
                     st.sampled_from(["A", "B", "C", "true", "10", "sqs", "email", "ELB"]))
    fn_names = st.sampled_from(["Ref", "Fn::GetAtt", "Fn::If", "Fn::Sub", "Fn::Join", "Fn::Select",
                                "Fn::FindInMap", "Fn::Split", "Condition", "Fn::Equals", "Fn::Base64"])
    value = st.recursive(leaf, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(fn_names, inner, min_size=1, max_size=1),
        st.dictionaries(st.sampled_from(["Id", "Key", "Value", "TargetGroupArn", "Endpoint", "Protocol",
                                         "LaunchTemplateId", "deadLetterTargetArn", "maxReceiveCount"]), inner,
                        max_size=3)), max_leaves=8)
    props = st.dictionaries(st.sampled_from(["MinSize", "MaxSize", "DesiredCapacity", "TargetGroupARNs",
                                             "LoadBalancerNames", "Subscription", "RedrivePolicy", "TopicArn",
                                             "Endpoint", "Protocol", "EventSourceArn", "FunctionName", "BatchSize",
                                             "AutoScalingGroupName", "AlarmActions", "StepAdjustments", "PolicyType",
                                             "DefaultActions", "LoadBalancerArn", "Targets", "Instances", "Roles",
                                             "Policies", "LaunchTemplate", "HealthCheck", "Threshold",
                                             "TargetTrackingConfiguration", "Recurrence", "VisibilityTimeout"]),
                            value, max_size=6)
    resources = st.dictionaries(st.sampled_from(["A", "B", "C", "D", "E"]),
                                st.fixed_dictionaries({"Type": st.sampled_from(MAPPED_TYPES), "Properties": props}),
                                min_size=1, max_size=5)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(resources)
    def check(res):
        template = {"Resources": res, "Conditions": {"A": {"Fn::Equals": ["a", "a"]}}}
        try:
            fileio.from_data(import_template(template, "t").data)
        except fileio.LoadError:
            pass
    check()


def test_a_split_with_an_empty_delimiter_is_no_value_not_a_crash():
    """Found by the property test above: Fn::Split needs a delimiter (CloudFormation refuses an
    empty one); the import treats it as no value instead of raising."""
    template = {"Resources": {"Q": {"Type": "AWS::SQS::Queue",
                                    "Properties": {"VisibilityTimeout": {"Fn::Split": ["", "a,b"]}}}}}
    doc = fileio.from_data(import_template(template, "t").data)
    assert doc.nodes["Q"].kind == "sqs_queue"
