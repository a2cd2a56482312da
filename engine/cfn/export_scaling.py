"""A group's `policies` -> scaling policies, the CloudWatch alarms of step and simple policies, and
scheduled actions (the inverse of engine.cfn.scaling)."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from engine.model import Node
from engine.policies import check_policies

if TYPE_CHECKING:
    from engine.cfn.export import Exporter

COMPARISONS = {">": "GreaterThanThreshold", ">=": "GreaterThanOrEqualToThreshold",
               "<": "LessThanThreshold", "<=": "LessThanOrEqualToThreshold"}
ADJUSTMENTS = {"change_in_capacity": "ChangeInCapacity", "exact_capacity": "ExactCapacity",
               "percent_change_in_capacity": "PercentChangeInCapacity"}
DAY_S = 86400


def add_policies(ex: "Exporter", node: Node, group: str, lbs: list[str]) -> None:
    queues = [ex.lid[e.source] for e in ex.edges_into(node.id, "sqs_queue")]
    for i, policy in enumerate(check_policies(node.prop("policies")), start=1):   # canonical: defaults filled in
        lid = f"{group}Policy{i}"
        where = f"{node.id} policy {i}"
        if policy["type"] == "scheduled":
            _scheduled(ex, f"{group}Schedule{i}", group, policy, where)
            continue
        metric = _metric(ex, policy["metric"], group, lbs, queues, where)
        if metric is None:
            continue
        if policy["type"] == "target_tracking":
            _target_tracking(ex, lid, group, policy, metric, where)
        else:
            _alarmed(ex, lid, group, policy, metric, where)


def _metric(ex: "Exporter", metric: str, group: str, lbs: list[str], queues: list[str], where: str) -> dict | None:
    """How CloudWatch names the metric: for target tracking and for an alarm."""
    if metric == "cpu_utilization":
        return {"predefined": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                "alarm": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization", "Statistic": "Average",
                          "Dimensions": [{"Name": "AutoScalingGroupName", "Value": {"Ref": group}}]}}
    if metric == "request_count_per_target" and lbs:
        tg = f"{lbs[0]}TargetGroup"
        label = {"Fn::Join": ["/", [{"Fn::GetAtt": [lbs[0], "LoadBalancerFullName"]},
                                    {"Fn::GetAtt": [tg, "TargetGroupFullName"]}]]}
        return {"predefined": {"PredefinedMetricType": "ALBRequestCountPerTarget", "ResourceLabel": label},
                "alarm": {"Namespace": "AWS/ApplicationELB", "MetricName": "RequestCountPerTarget", "Statistic": "Sum",
                          "Dimensions": [{"Name": "TargetGroup", "Value": {"Fn::GetAtt": [tg, "TargetGroupFullName"]}}]}}
    if metric == "backlog_per_instance" and queues:
        return {"metrics": _backlog_math(queues[0], group)}
    ex.unexpressed(where, f"{metric} needs a {'load balancer' if 'request' in metric else 'queue'} "
                          "in front of the group: left out")
    return None


def _backlog_math(queue: str, group: str) -> list[dict]:
    """AWS's documented backlog per instance: visible messages / in-service instances, by metric math."""
    def stat(mid: str, namespace: str, name: str, dim: str, value: Any, statistic: str) -> dict:
        return {"Id": mid, "ReturnData": False, "MetricStat": {"Stat": statistic, "Metric": {
            "Namespace": namespace, "MetricName": name, "Dimensions": [{"Name": dim, "Value": value}]}}}
    return [stat("m1", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName",
                 {"Fn::GetAtt": [queue, "QueueName"]}, "Sum"),
            stat("m2", "AWS/AutoScaling", "GroupInServiceInstances", "AutoScalingGroupName", {"Ref": group}, "Average"),
            {"Id": "e1", "Expression": "m1 / m2", "Label": "Backlog per instance", "ReturnData": True}]


def _target_tracking(ex: "Exporter", lid: str, group: str, policy: dict, metric: dict, where: str) -> None:
    config: dict[str, Any] = {"TargetValue": policy["target"], "DisableScaleIn": bool(policy.get("disable_scale_in"))}
    if "predefined" in metric:
        config["PredefinedMetricSpecification"] = metric["predefined"]
    else:
        config["CustomizedMetricSpecification"] = {"Metrics": metric["metrics"]}
        _collect_group_metrics(ex, group)
    ex.add(lid, "AWS::AutoScaling::ScalingPolicy", {"AutoScalingGroupName": {"Ref": group},
                                                     "PolicyType": "TargetTrackingScaling",
                                                     "TargetTrackingConfiguration": config})
    changed = [k for k, v in (("evaluation_period_s", 60), ("scale_out_datapoints", 3), ("scale_in_datapoints", 15))
               if policy.get(k, v) != v]
    if changed:
        ex.unexpressed(where, f"{', '.join(changed)}: AWS fixes these for target tracking (60 s, 3 and 15)")


def _collect_group_metrics(ex: "Exporter", group: str) -> None:
    ex.resources[group]["Properties"]["MetricsCollection"] = [
        {"Granularity": "1Minute", "Metrics": ["GroupInServiceInstances"]}]


def _alarmed(ex: "Exporter", lid: str, group: str, policy: dict, metric: dict, where: str) -> None:
    props: dict[str, Any] = {"AutoScalingGroupName": {"Ref": group}}
    if policy["type"] == "simple":
        props.update(PolicyType="SimpleScaling", AdjustmentType="ChangeInCapacity",
                     ScalingAdjustment=policy["adjustment"])
        threshold, comparison = policy["threshold"], COMPARISONS[policy["comparison"]]
    else:
        threshold, comparison, steps = _steps(policy["steps"])
        props.update(PolicyType="StepScaling", AdjustmentType=ADJUSTMENTS[policy["adjustment_type"]],
                     StepAdjustments=steps)
        if any(isinstance(s["adjustment"], float) and not s["adjustment"].is_integer() for s in policy["steps"]):
            ex.unexpressed(where, "fractional step adjustments rounded")
    ex.add(lid, "AWS::AutoScaling::ScalingPolicy", props)
    alarm: dict[str, Any] = {"AlarmDescription": f"Drives {lid} (exported from FlowDeck)",
                             "EvaluationPeriods": 1, "Threshold": threshold, "ComparisonOperator": comparison,
                             "AlarmActions": [{"Ref": lid}]}
    period = max(10, int(round(policy.get("evaluation_period_s", 60))))
    if "metrics" in metric:
        alarm["Metrics"] = [dict(m, MetricStat=dict(m["MetricStat"], Period=period)) if "MetricStat" in m else m
                            for m in metric["metrics"]]
        _collect_group_metrics(ex, group)
    else:
        alarm.update(metric["alarm"], Period=period)
    if period != policy.get("evaluation_period_s", 60):
        ex.unexpressed(where, f"evaluation period rounded to {period} s (CloudWatch periods are 10, 30 or n × 60 s)")
    ex.add(f"{lid}Alarm", "AWS::CloudWatch::Alarm", alarm)


def _steps(steps: list[dict]) -> tuple[float, str, list[dict]]:
    """Alarm threshold, comparison and AWS step adjustments (bounds relative to the threshold).

    Steps that reach up without end scale on a high metric: the threshold is the lowest bound and
    the alarm fires at or above it. Otherwise they reach down without end: the threshold is the
    highest bound and the alarm fires at or below it.
    """
    upward = any("upper" not in s for s in steps)
    if upward:
        threshold = min(s["lower"] for s in steps if "lower" in s)
        comparison = "GreaterThanOrEqualToThreshold"
    else:
        threshold = max(s["upper"] for s in steps if "upper" in s)
        comparison = "LessThanOrEqualToThreshold"
    out = []
    for s in sorted(steps, key=lambda s: s.get("lower", -math.inf)):
        step: dict[str, Any] = {"ScalingAdjustment": int(round(s["adjustment"]))}
        if "lower" in s:
            step["MetricIntervalLowerBound"] = s["lower"] - threshold
        if "upper" in s:
            step["MetricIntervalUpperBound"] = s["upper"] - threshold
        out.append(step)
    return threshold, comparison, out


def _scheduled(ex: "Exporter", lid: str, group: str, policy: dict, where: str) -> None:
    """A daily cron at the action's time of day: FlowDeck's time 0 is taken as 00:00 UTC."""
    at = int(round(policy["at_s"] / 60.0)) * 60
    if at != policy["at_s"] or at >= DAY_S:
        ex.unexpressed(where, f"at_s {policy['at_s']:g} becomes the daily time {at % DAY_S // 3600:02d}:"
                              f"{at % 3600 // 60:02d} UTC (whole minutes, within one day)")
    props: dict[str, Any] = {"AutoScalingGroupName": {"Ref": group},
                             "Recurrence": f"{at % 3600 // 60} {at % DAY_S // 3600} * * *"}
    for key, name in (("min_size", "MinSize"), ("max_size", "MaxSize"), ("desired_capacity", "DesiredCapacity")):
        if key in policy:
            props[name] = policy[key]
    ex.add(lid, "AWS::AutoScaling::ScheduledAction", props)
