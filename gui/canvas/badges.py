"""What a node's live badges say, from its component's `state()` (no Qt here).

Each kind has a small formatter; kinds without one (and keys a formatter does not know) fall back
to a generic one that shows the first counts it finds, so a new engine component shows something
sensible before the view knows about it.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

GOOD, BAD, WARN, INFO, NEUTRAL = "good", "bad", "warn", "info", "neutral"
GENERIC_KEYS = ("visible", "in_flight", "delayed", "running", "in_use", "concurrency", "throttled",
                "published", "delivered", "received", "sent")


@dataclass(frozen=True)
class Badge:
    text: str
    tone: str = NEUTRAL


class RateMeter:
    """A per-second rate of a growing counter over a sliding window of simulated time."""

    def __init__(self, window_s: float = 5.0) -> None:
        self.window_s = window_s
        self._marks: deque[tuple[float, float]] = deque()
        self.hint = 0.0     # the rate to show until two marks exist (after a jump: from the series)

    def add(self, t: float, count: float) -> None:
        marks = self._marks
        if marks and (t < marks[-1][0] or count < marks[-1][1]):
            marks.clear()  # the run was reset
        marks.append((t, count))
        while len(marks) > 2 and t - marks[1][0] >= self.window_s:
            marks.popleft()

    def rate(self) -> float:
        if len(self._marks) < 2:
            return self.hint
        (t0, c0), (t1, c1) = self._marks[0], self._marks[-1]
        return (c1 - c0) / (t1 - t0) if t1 > t0 else 0.0


def compact(value: float) -> str:
    """12, 1.2k, 35k, 1.2M: short numbers for badges."""
    v = abs(value)
    if v >= 1e6:
        return f"{value / 1e6:.1f}M"
    if v >= 1e4:
        return f"{value / 1e3:.0f}k"
    if v >= 1e3:
        return f"{value / 1e3:.1f}k"
    if v >= 10 or float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.1f}"


CPU_WINDOW_S = 5.0
CPU_TIP = (f"CPU: the share of the request slots busy over the last {CPU_WINDOW_S:.0f} simulated seconds "
           "(the tiles, the group's badge and the standalone instance's badge all use it)")


def instance_cpu(inst: dict[str, Any]) -> float:
    """Busy request slots at this instant as a fraction (0..1) of an instance's concurrency."""
    conc = inst.get("concurrency") or 0
    return min(1.0, max(0.0, (inst.get("busy") or 0) / conc)) if conc else 0.0


HEALTH_TONES = {"healthy": GOOD, "unhealthy": BAD, "crashed": BAD, "draining": WARN,
                "pending": NEUTRAL, "initial": INFO}


# The counter a badge turns into a rate, and the series column that records the same rate.
SERIES_OF_COUNTER = {"received": "requests_rps", "sent": "sent_rps", "failed": "errors_rps",
                     "published": "published_rps", "throttles": "throttles_rps"}
COUNTER_WINDOW_S = {"sent": 10.0, "failed": 10.0, "throttles": 10.0}


class BadgeBook:
    """Keeps the rate meters per node and turns states into badges."""

    def __init__(self) -> None:
        self._meters: dict[tuple[str, str], RateMeter] = {}

    def clear(self) -> None:
        self._meters.clear()

    def seed(self, series: dict[str, Any]) -> None:
        """After a jump the counters have one mark only: until a second one comes, each meter
        shows the rate the run's series recorded last (the same counter, per second)."""
        for node_id, columns in series.items():
            if not isinstance(columns, dict):
                continue
            for key, column in SERIES_OF_COUNTER.items():
                values = columns.get(column)
                if values:
                    self._meters.setdefault((node_id, key), RateMeter(COUNTER_WINDOW_S.get(key, 5.0))).hint = values[-1]

    def rate(self, node_id: str, key: str, t: float, count: float | None, window_s: float = 5.0) -> float:
        meter = self._meters.setdefault((node_id, key), RateMeter(window_s))
        if count is not None:
            meter.add(t, float(count))
        return meter.rate()

    def cpu(self, inst: dict[str, Any], t: float) -> float:
        """An instance's CPU (0..1): busy slot-seconds over the last CPU_WINDOW_S, per slot; the
        instant's busy share until there are two looks to average over."""
        conc = inst.get("concurrency") or 0
        meter = self._meters.setdefault((str(inst.get("id")), "busy_s"), RateMeter(CPU_WINDOW_S))
        if "busy_s" in inst:
            meter.add(t, float(inst["busy_s"]))
        if not conc or len(meter._marks) < 2 or meter._marks[-1][0] - meter._marks[0][0] <= 0:
            return instance_cpu(inst)
        return min(1.0, max(0.0, meter.rate() / conc))

    def badges(self, node_id: str, kind: str, state: dict[str, Any], t: float) -> list[Badge]:
        if not isinstance(state, dict):
            return []
        formatter = FORMATTERS.get(kind, _generic)
        try:
            return formatter(self, node_id, state, t)
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            return _generic(self, node_id, state, t)


def _client(book: BadgeBook, node_id: str, s: dict, t: float) -> list[Badge]:
    out = [Badge(f"{compact(s['rate_rps'])} req/s")]
    sent = book.rate(node_id, "sent", t, s.get("sent"), 10.0)
    failed = book.rate(node_id, "failed", t, s.get("failed"), 10.0)
    if sent > 0 and failed > 0:
        share = 100.0 * failed / sent
        out.append(Badge(f"{share:.0f}% errors" if share >= 1 else "<1% errors", BAD if share >= 1 else WARN))
    return out


def _load_balancer(book: BadgeBook, node_id: str, s: dict, t: float) -> list[Badge]:
    rps = book.rate(node_id, "received", t, s.get("received"))
    out = [Badge(f"{compact(rps)} req/s")]
    targets = s.get("targets") or {}
    if targets:
        healthy = sum(1 for h in targets.values() if h == "healthy")
        live = sum(1 for h in targets.values() if h != "draining")
        tone = GOOD if healthy == live and live else (BAD if healthy == 0 else WARN)
        out.append(Badge(f"{healthy}/{live} healthy", tone))
    return out


def _group(book: BadgeBook, node_id: str, s: dict, t: float) -> list[Badge]:
    instances = s.get("instances") or []
    in_service, desired = s["in_service"], s["desired"]
    tone = GOOD if in_service >= desired else WARN
    out = [Badge(f"{in_service}/{desired} in service", tone)]
    serving = [i for i in instances if i.get("state") == "running"]
    if serving:
        cpu = 100.0 * sum(book.cpu(i, t) for i in serving) / len(serving)
        out.append(Badge(f"CPU {cpu:.0f}%", BAD if cpu >= 90 else WARN if cpu >= 70 else NEUTRAL))
    return out


def _ec2(book: BadgeBook, node_id: str, s: dict, t: float) -> list[Badge]:
    inst = (s.get("instances") or [{}])[0]
    health = inst.get("health", "pending")
    cpu = 100.0 * book.cpu(inst, t)
    return [Badge(health, HEALTH_TONES.get(health, NEUTRAL)), Badge(f"CPU {cpu:.0f}%")]


def _queue(book: BadgeBook, node_id: str, s: dict, t: float) -> list[Badge]:
    visible = s.get("visible", s.get("visible_messages", s.get("depth")))
    in_flight = s.get("in_flight", s.get("not_visible", s.get("inflight")))
    if visible is None and in_flight is None:
        return _generic(book, node_id, s, t)
    out = [Badge(f"{compact(visible or 0)} visible", WARN if (visible or 0) > 0 else NEUTRAL)]
    if in_flight is not None:
        out.append(Badge(f"{compact(in_flight)} in flight", INFO))
    return out


def _lambda(book: BadgeBook, node_id: str, s: dict, t: float) -> list[Badge]:
    running, limit = s["running"], s.get("limit")
    out = [Badge(f"{running}/{limit} running" if limit is not None else f"{running} running",
                 WARN if limit and running >= limit else NEUTRAL)]
    throttles = book.rate(node_id, "throttles", t, s.get("throttles"), 10.0)
    if throttles > 0:
        out.append(Badge(f"{compact(throttles)} throttled/s", BAD))
    return out


def _topic(book: BadgeBook, node_id: str, s: dict, t: float) -> list[Badge]:
    return [Badge(f"{compact(book.rate(node_id, 'published', t, s['published']))} msg/s")]


def _email(book: BadgeBook, node_id: str, s: dict, t: float) -> list[Badge]:
    return [Badge(f"{compact(s['delivered'])} delivered")]


def _generic(book: BadgeBook, node_id: str, s: dict, t: float) -> list[Badge]:
    def numeric(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    keys = [k for k in GENERIC_KEYS if numeric(s.get(k))]
    keys += [k for k, v in s.items() if numeric(v) and k not in keys]
    return [Badge(f"{compact(s[k])} {k.replace('_', ' ')}") for k in keys[:2]]


FORMATTERS: dict[str, Callable[[BadgeBook, str, dict, float], list[Badge]]] = {
    "client": _client, "load_balancer": _load_balancer, "auto_scaling_group": _group,
    "ec2_instance": _ec2, "sqs_queue": _queue, "lambda_function": _lambda, "sns_topic": _topic,
    "email_endpoint": _email,
}
