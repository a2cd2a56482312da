"""Scaling policies, the CloudWatch alarms that drive them, and scheduled actions -> a group's `policies`.

A simple or step policy takes its metric, threshold, comparison and period from the alarm whose
AlarmActions name it. Step bounds in a template are relative to the alarm's threshold; FlowDeck's
are absolute (FORMAT.md 1.1), so each bound is the threshold plus the template's bound.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from engine.cfn.values import as_list, flag, number, whole
from engine.policies import check_policies
from engine.propcheck import PropError

if TYPE_CHECKING:
    from engine.cfn.import_ import Importer

POLICY, SCHEDULED = "AWS::AutoScaling::ScalingPolicy", "AWS::AutoScaling::ScheduledAction"
ALARM, GROUP = "AWS::CloudWatch::Alarm", "AWS::AutoScaling::AutoScalingGroup"
PREDEFINED = {"ASGAverageCPUUtilization": "cpu_utilization", "ALBRequestCountPerTarget": "request_count_per_target"}
ALARM_METRICS = {("AWS/EC2", "CPUUtilization"): "cpu_utilization",
                 ("AWS/ApplicationELB", "RequestCountPerTarget"): "request_count_per_target"}
COMPARISONS = {"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": ">=",
               "LessThanThreshold": "<", "LessThanOrEqualToThreshold": "<="}
ADJUSTMENTS = {"ChangeInCapacity": "change_in_capacity", "ExactCapacity": "exact_capacity",
               "PercentChangeInCapacity": "percent_change_in_capacity"}


def add_policies(im: "Importer") -> None:
    for lid in im.of_type(POLICY, SCHEDULED):
        group = im.ref(im.props[lid].get("AutoScalingGroupName"), GROUP)
        if group not in im.nodes:
            im.why_not[lid] = "its AutoScalingGroupName is not a group of this template"
            continue
        policy = _scheduled(im, lid) if im.types[lid] == SCHEDULED else _policy(im, lid)
        if policy is None:
            continue
        props = im.nodes[group]["props"]
        try:
            props["policies"] = check_policies(props.get("policies", []) + [policy])
        except PropError as e:
            im.why_not[lid] = f"FlowDeck refuses it: {e.message}"
            continue
        im.use(lid, f"{policy['type']} policy of {group}")


def _policy(im: "Importer", lid: str) -> dict | None:
    p = im.props[lid]
    kind = p.get("PolicyType", "SimpleScaling")
    if kind == "TargetTrackingScaling":
        return _target_tracking(im, lid, p)
    if kind not in ("SimpleScaling", "StepScaling"):
        im.why_not[lid] = f"a {kind} policy: FlowDeck models target tracking, step and simple scaling"
        return None
    alarm = _alarm_of(im, lid)
    if alarm is None:
        im.why_not[lid] = "no CloudWatch alarm of this template triggers it"
        return None
    a = im.props[alarm]
    metric = _alarm_metric(a)
    comparison = COMPARISONS.get(str(a.get("ComparisonOperator")))
    threshold = number(a.get("Threshold"))
    if metric is None or comparison is None or threshold is None:
        im.why_not[lid] = (f"its alarm {alarm} watches {a.get('Namespace')}/{a.get('MetricName')} "
                           f"{a.get('ComparisonOperator')}: FlowDeck scales on CPU, request count per target and "
                           "queue backlog per instance")
        return None
    im.use(alarm, f"drives policy {lid}")
    period = number(a.get("Period")) or 60.0
    if (whole(a.get("EvaluationPeriods")) or 1) > 1:
        im.notes.append(f"{alarm}: EvaluationPeriods {a.get('EvaluationPeriods')} is not modelled "
                        "(FlowDeck's simple and step policies act on one period)")
    adjustment = ADJUSTMENTS.get(str(p.get("AdjustmentType", "ChangeInCapacity")))
    if kind == "SimpleScaling":
        if adjustment != "change_in_capacity":
            im.why_not[lid] = f"a simple policy with AdjustmentType {p.get('AdjustmentType')}: FlowDeck's simple " \
                              "policies change the capacity by a number of instances"
            return None
        return {"type": "simple", "metric": metric, "comparison": comparison, "threshold": threshold,
                "adjustment": whole(p.get("ScalingAdjustment")) or 0, "evaluation_period_s": period}
    steps = []
    for s in as_list(p.get("StepAdjustments")):
        if not isinstance(s, dict):
            continue
        step: dict[str, Any] = {"adjustment": number(s.get("ScalingAdjustment")) or 0}
        for bound, f in (("lower", "MetricIntervalLowerBound"), ("upper", "MetricIntervalUpperBound")):
            if number(s.get(f)) is not None:
                step[bound] = threshold + number(s[f])
        steps.append(step)
    return {"type": "step", "metric": metric, "adjustment_type": adjustment or "change_in_capacity",
            "steps": steps, "evaluation_period_s": period}


def _target_tracking(im: "Importer", lid: str, p: dict) -> dict | None:
    config = p.get("TargetTrackingConfiguration") if isinstance(p.get("TargetTrackingConfiguration"), dict) else {}
    predefined = config.get("PredefinedMetricSpecification")
    metric = PREDEFINED.get(predefined.get("PredefinedMetricType")) if isinstance(predefined, dict) else None
    if metric is None and isinstance(config.get("CustomizedMetricSpecification"), dict):
        metric = _custom_metric(config["CustomizedMetricSpecification"])
    target = number(config.get("TargetValue"))
    if metric is None or target is None:
        im.why_not[lid] = "a target tracking policy on a metric FlowDeck does not model " \
                          "(it models CPU, request count per target and queue backlog per instance)"
        return None
    policy = {"type": "target_tracking", "metric": metric, "target": target}
    if flag(config.get("DisableScaleIn")):
        policy["disable_scale_in"] = True
    return policy


def _custom_metric(spec: dict) -> str | None:
    """Backlog per instance, as AWS's documentation builds it: queue messages visible / in-service instances."""
    text = repr(spec)
    if "ApproximateNumberOfMessagesVisible" in text and "GroupInServiceInstances" in text:
        return "backlog_per_instance"
    if spec.get("MetricName") == "CPUUtilization":
        return "cpu_utilization"
    return None


def _alarm_of(im: "Importer", policy: str) -> str | None:
    for alarm in im.of_type(ALARM):
        if policy in [im.ref(a, POLICY) for a in as_list(im.props[alarm].get("AlarmActions"))]:
            return alarm
    return None


def _alarm_metric(a: dict) -> str | None:
    if "Metrics" in a:
        return _custom_metric({"Metrics": a["Metrics"]})
    return ALARM_METRICS.get((a.get("Namespace"), a.get("MetricName")))


def _scheduled(im: "Importer", lid: str) -> dict | None:
    """The time of day of a scheduled action, in seconds from the run's start (FlowDeck's time 0 is 00:00 UTC)."""
    p = im.props[lid]
    at_s = _time_of_day(p)
    if at_s is None:
        im.why_not[lid] = "it has neither a daily Recurrence (cron minute and hour) nor a StartTime"
        return None
    action: dict[str, Any] = {"type": "scheduled", "at_s": at_s}
    for key, f in (("min_size", "MinSize"), ("max_size", "MaxSize"), ("desired_capacity", "DesiredCapacity")):
        if whole(p.get(f)) is not None:
            action[key] = whole(p[f])
    return action


def _time_of_day(p: dict) -> float | None:
    cron = re.fullmatch(r"\s*(\d+)\s+(\d+)\s+\S+\s+\S+\s+\S+\s*", str(p.get("Recurrence", "")))
    if cron:
        return int(cron.group(2)) * 3600.0 + int(cron.group(1)) * 60.0
    start = re.search(r"T(\d\d):(\d\d)(?::(\d\d))?", str(p.get("StartTime", "")))
    if start:
        return int(start.group(1)) * 3600.0 + int(start.group(2)) * 60.0 + int(start.group(3) or 0)
    return None
