"""The evidence behind an activity: the metric datapoints that made a group scale, the failed health
checks that made a target unhealthy. It goes into the activity's record as `evidence`, so the app
can show it when the activity is clicked (the chart's periods and target line, the probe list)."""
from __future__ import annotations

from typing import Any

PROBES_KEPT = 5    # health check results remembered per target
CONTEXT_POINTS = 3  # datapoints shown before the breaching run


def attach(world: Any, node: str, kinds: tuple[str, ...], evidence: dict[str, Any]) -> None:
    """Give the activities `node` logged just now (of those kinds) their evidence."""
    now = round(world.kernel.now, 6)
    for act in reversed(world.activities):
        if act["t_s"] != now:
            return
        if act["node"] == node and act["kind"] in kinds:
            act["evidence"] = evidence


def policy_evidence(policy: Any, scale_out: bool) -> dict[str, Any]:
    """The datapoints a scaling policy acted on: the breaching run for target tracking, else the last."""
    spec = policy.spec
    run = getattr(policy, "above" if scale_out else "below", 1) or 1
    points = list(policy.window.points)[-(run + CONTEXT_POINTS):]
    threshold = spec.get("target", spec.get("threshold"))
    if threshold is None and "steps" in spec:
        threshold = next((s.get("lower", s.get("upper")) for s in spec["steps"]), None)
    return {"metric": spec.get("metric"), "threshold": threshold, "period_s": policy.period,
            "datapoints": [[round(a, 6), round(b, 6), None if v is None else round(v, 6)] for a, b, v in points],
            "breaching": min(run, len(points))}


def probe_evidence(targets: list[Any]) -> dict[str, Any]:
    """The health checks behind an unhealthy verdict: each target's recent results."""
    probes = [[round(t, 6), lb_target.lb.id, lb_target.inst.id, ok, why]
              for lb_target in targets for t, ok, why in lb_target.probes]
    return {"probes": sorted(probes)}
