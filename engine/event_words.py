"""Words for one kernel event, for the single step control: "0:12.345 · Web tier i-2 finishes a request"."""
from __future__ import annotations

from functools import partial
from typing import Any

WORDS = {
    "Instance._finish": "{who} finishes a request",
    "Instance.accept": "a request reaches {who}",
    "Instance._watchdog": "{who} checks a request's deadline",
    "Client._arrive": "{who} sends a request",
    "Client.on_response": "an answer reaches {who}",
    "LoadBalancer.on_request": "a request reaches {who}",
    "LoadBalancer.on_response": "an answer reaches {who}",
    "LoadBalancer._probe": "{who} runs a health check",
    "SqsQueue.on_send": "a message reaches {who}",
    "SqsQueue._visibility_over": "a message's visibility timeout ends in {who}",
    "SqsQueue._wait_over": "a long poll of {who} ends empty",
    "InstancePoller._arrive": "a message reaches {who}",
    "InstancePoller.on_response": "{who} is done with a message",
    "InstancePoller._recheck": "{who} polls its queue again",
    "SnsTopic.on_publish": "a message is published to {who}",
    "SnsTopic._arrive": "a message reaches {who}",
    "EsmPoller._arrive": "a batch of messages reaches {who}",
    "EsmPoller._delete": "{who} deletes a batch it handled",
    "LambdaFunction._finish": "{who} finishes an invocation",
    "EmailEndpoint._arrived": "an email reaches {who}",
    "AutoScalingGroup._booted": "an instance of {who} has booted",
    "AutoScalingGroup._evaluate": "{who} evaluates a scaling policy",
    "AutoScalingGroup._health_sweep": "{who} checks its instances' health",
    "Simulation._sample": "the charts take a sample",
    "EventSourceMapping._scale": "{who}'s queue poller adjusts its number of pollers",
    "_apply_scheduled": "a scenario action",
}


def describe(event: tuple, names: dict[str, str]) -> str:
    """What the event (t, seq, handler, payload) does, in words, with node names from `names`."""
    t, _, handler, _payload = event
    func = handler.func if isinstance(handler, partial) else handler
    owner = getattr(func, "__self__", None)
    if type(owner).__name__ == "Periodic":      # a periodic task: say whose
        func = owner.handler
        owner = getattr(func, "__self__", None)
    key = getattr(func, "__qualname__", type(func).__name__)
    who = _who(owner, names)
    text = WORDS.get(key)
    if text is None:
        verb = key.rsplit(".", 1)[-1].strip("_").replace("_", " ")
        text = f"{who}: {verb}" if who else verb
    return f"{clock(t)} · {text.format(who=who or 'a component')}"


def _who(owner: Any, names: dict[str, str]) -> str:
    if owner is None:
        return ""
    worker = getattr(owner, "worker", None)           # a queue's poller on an instance
    if getattr(worker, "inst", None) is not None:
        owner = worker.inst
    mapping = getattr(owner, "mapping", None)         # Lambda's poller of a queue
    fn = getattr(mapping, "fn", None) or getattr(owner, "fn", None)
    if fn is not None:
        return names.get(fn.id, fn.id)
    if hasattr(owner, "owner") and hasattr(owner, "no"):   # a runtime instance
        group = names.get(owner.owner.id, owner.owner.id)
        return f"{group} {str(owner.id).rsplit('/', 1)[-1]}" if "/" in str(owner.id) else group
    node_id = getattr(owner, "id", None)
    return names.get(node_id, str(node_id)) if isinstance(node_id, str) else ""


def clock(t: float) -> str:
    return f"{int(t) // 60}:{t % 60:06.3f}"
