"""Inputs that used to hang, crash or eat memory, and configurations AWS refuses (issues 8 and 9).

Each test names the AWS rule it checks where there is one; every refusal is one LoadError naming
the file and the JSON path.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine import awsrules, examples, fileio, loadchecks
from engine.fileio import LoadError
from tests.engine.helpers import node, topology


def refused(data, tmp_path: Path) -> LoadError:
    path = tmp_path / "bad.flowdeck.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        fileio.load(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    return info.value


def queues(*names: str) -> list[dict]:
    return [node("c", "client")] + [node(n, "sqs_queue") for n in names]


# -- redrive: AWS refuses a queue as its own dead-letter queue; one dead-letter queue per queue ------

def test_a_queue_cannot_be_its_own_dead_letter_queue(tmp_path):
    """AWS: a queue's RedrivePolicy cannot name the queue itself. Before: `run` stalled at t = 1 s."""
    err = refused(topology(queues("q"), [("c", "q"), ("q", "q")]), tmp_path)
    assert err.path == "$.edges[1]" and "'q' cannot be its own dead-letter queue" in err.message


@pytest.mark.parametrize("edges, path, cycle", [
    ([("c", "a"), ("a", "b"), ("b", "a")], "$.edges[2]", "'a' → 'b' → 'a'"),
    ([("c", "a"), ("a", "b"), ("b", "d"), ("d", "b")], "$.edges[3]", "'b' → 'd' → 'b'"),
])
def test_a_redrive_cycle_is_refused_naming_its_queues(tmp_path, edges, path, cycle):
    err = refused(topology(queues("a", "b", "d"), edges), tmp_path)
    assert err.path == path and f"redrive cycle {cycle}" in err.message


def test_a_queue_has_one_dead_letter_queue(tmp_path):
    """AWS: a RedrivePolicy names one deadLetterTargetArn, so a queue has at most one dead-letter queue."""
    err = refused(topology(queues("a", "b", "d"), [("c", "a"), ("a", "b"), ("a", "d")]), tmp_path)
    assert err.path == "$.edges[2]" and "'a' already has the dead-letter queue 'b'" in err.message


def test_a_redrive_chain_without_a_cycle_loads():
    doc = fileio.from_data(topology(queues("a", "b", "d"), [("c", "a"), ("a", "b"), ("b", "d")]))
    assert len(doc.edges) == 3


def test_a_node_and_an_edge_cannot_share_an_id(tmp_path):
    data = topology([node("c", "client"), node("e0", "sqs_queue")], [("c", "e0")])
    err = refused(data, tmp_path)
    assert err.path == "$.edges[0].id" and "also the id of a node" in err.message


# -- values no program could hold ------------------------------------------------------------------

def web_text(rate_literal: str = "5", name_literal: str = '"Users"') -> str:
    data = topology([node("c", "client", rate_rps="RATE"), node("q", "sqs_queue")], [("c", "q")])
    data["nodes"][0]["name"] = "NAME"
    return json.dumps(data).replace('"RATE"', rate_literal).replace('"NAME"', name_literal)


@pytest.mark.parametrize("literal", ["1" + "0" * 400, "-" + "9" * 320, "1e400", "-1e999"])
def test_numbers_beyond_float_range_are_refused(tmp_path, literal):
    """Before: a 400-digit integer raised OverflowError out of the loader (exit 1, traceback)."""
    err = refused(web_text(rate_literal=literal), tmp_path)
    assert err.path == "$.nodes[0].props.rate_rps" and "beyond the range" in err.message
    assert len(str(err)) < 300


@pytest.mark.parametrize("where", ["name", "title", "id", "key", "caption"])
def test_lone_surrogates_are_refused_with_the_json_path(tmp_path, where):
    """Before: loaded, then crashed `validate`, the summary printer and saving (UnicodeEncodeError)."""
    data = topology([node("c", "client"), node("q", "sqs_queue")], [("c", "q")],
                    [{"at_s": 1, "action": "caption", "text": "fine"}])
    bad = "x\ud800y"
    expected = {"name": "$.nodes[1].name", "title": "$.title", "id": "$.nodes[1].id",
                "key": "$.nodes[1].props", "caption": "$.scenario[0].text"}[where]
    if where == "name":
        data["nodes"][1]["name"] = bad
    elif where == "title":
        data["title"] = bad
    elif where == "id":
        data["nodes"][1]["id"] = bad
    elif where == "key":
        data["nodes"][1]["props"] = {bad: 1}
    else:
        data["scenario"][0]["text"] = bad
    err = refused(json.dumps(data), tmp_path)  # json.dumps writes the surrogate as the escape \ud800
    assert err.path == expected and "lone surrogate (\\ud800)" in err.message


def test_a_long_bad_value_is_quoted_short(tmp_path):
    """Before: a 10 MB value gave a 10 MB message."""
    data = topology([node("c", "client"), node("q", "sqs_queue")], [("c", "q")])
    data["nodes"][1]["kind"] = "k" * 10_000_000
    err = refused(data, tmp_path)
    assert err.path == "$.nodes[1].kind" and "…" in err.message and len(str(err)) < 500


# -- special and oversized files: refused from stat, never opened or read whole --------------------

def special_file(kind: str, tmp_path: Path) -> str:
    if kind == "fifo":
        os.mkfifo(tmp_path / "pipe.flowdeck.json")
        return str(tmp_path / "pipe.flowdeck.json")
    if kind == "oversized":
        with open(tmp_path / "big.flowdeck.json", "wb") as f:
            f.truncate(loadchecks.MAX_FILE_BYTES + 1)  # sparse: the size is there, no bytes need reading
        return str(tmp_path / "big.flowdeck.json")
    return {"device": "/dev/zero", "folder": str(tmp_path)}[kind]


@pytest.mark.parametrize("kind, words", [("fifo", "not a regular file"), ("device", "not a regular file"),
                                         ("folder", "is a folder"), ("oversized", "over the limit of 20 MB")])
def test_special_and_oversized_files_are_refused_without_reading_them(tmp_path, kind, words):
    """Before: a named pipe blocked for ever and `validate /dev/zero` read without limit. Here the
    command must answer within seconds, exit 2, one line; the app opens files through fileio.load too."""
    if kind == "device" and not Path("/dev/zero").exists():
        pytest.skip("needs /dev/zero")
    path = special_file(kind, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "validate", path],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert path in proc.stderr and words in proc.stderr


def test_the_size_limit_holds_for_a_small_limit_too(tmp_path, monkeypatch):
    monkeypatch.setattr(loadchecks, "MAX_FILE_BYTES", 100)
    small = tmp_path / "small.json"
    small.write_text(web_text(), encoding="utf-8")
    with pytest.raises(LoadError, match="over the limit"):
        fileio.load(small)


# -- what AWS refuses (issue 9) --------------------------------------------------------------------

def lb_topology(lb: dict, weights: tuple = (1,)) -> dict:
    targets = [node(f"i{k}", "ec2_instance") for k in range(len(weights))]
    edges = [("c", "lb")] + [("lb", f"i{k}", {"weight": w}) for k, w in enumerate(weights)]
    return topology([node("c", "client"), node("lb", "load_balancer", **lb)] + targets, edges)


@pytest.mark.parametrize("slow_start", [1, 10, 29, 29.9])
def test_slow_start_between_1_and_29_s_is_refused(tmp_path, slow_start):
    """AWS (target group attribute slow_start.duration_seconds): 0 to disable, or 30-900 seconds."""
    err = refused(lb_topology({"slow_start_s": slow_start}), tmp_path)
    assert err.path == "$.nodes[1].props.slow_start_s" and "30-900" in err.message


@pytest.mark.parametrize("slow_start", [0, 30, 900])
def test_slow_start_0_or_30_to_900_s_loads(slow_start):
    assert fileio.from_data(lb_topology({"slow_start_s": slow_start})).nodes["lb"].props["slow_start_s"] == slow_start


def test_slow_start_with_least_outstanding_requests_is_refused(tmp_path):
    """AWS: slow start mode cannot be used with the least outstanding requests algorithm."""
    err = refused(lb_topology({"slow_start_s": 60, "algorithm": "least_outstanding_requests"}), tmp_path)
    assert err.path == "$.nodes[1].props.slow_start_s" and "least_outstanding_requests" in err.message


def test_weighted_random_with_every_weight_zero_is_refused(tmp_path):
    """AWS refuses a forward action whose target group weights are all zero. Before: ValueError at run."""
    err = refused(lb_topology({"algorithm": "weighted_random"}, weights=(0, 0)), tmp_path)
    assert err.path == "$.nodes[1].props.algorithm" and "'lb'" in err.message and "all zero" in err.message
    fileio.from_data(lb_topology({"algorithm": "weighted_random"}, weights=(0, 2)))
    fileio.from_data(lb_topology({"algorithm": "round_robin"}, weights=(0, 0)))  # weights unused there


@pytest.mark.parametrize("target, allowed", [("lambda_function", False), ("email_endpoint", False),
                                             ("sqs_queue", True), ("ec2_instance", True)])
def test_raw_message_delivery_only_on_sqs_and_http_subscriptions(tmp_path, target, allowed):
    """AWS: RawMessageDelivery is a subscription attribute for SQS, HTTP/S (and Firehose) endpoints only."""
    data = topology([node("c", "client"), node("t", "sns_topic"), node("x", target)],
                    [("c", "t"), ("t", "x", {"raw_message_delivery": True})])
    if allowed:
        fileio.from_data(data)
    else:
        err = refused(data, tmp_path)
        assert err.path == "$.edges[1].props.raw_message_delivery" and "'e1'" in err.message


def test_prop_problems_is_the_one_check_the_inspector_can_ask():
    assert awsrules.prop_problems("load_balancer", {}) == []
    assert [p for p, _ in awsrules.prop_problems("load_balancer", {"slow_start_s": 5})] == ["slow_start_s"]
    assert [p for p, _ in awsrules.prop_problems("load_balancer", {"algorithm": "weighted_random"},
                                                 edges=[{"weight": 0}, {}])] == []   # a default weight is 1
    assert [p for p, _ in awsrules.prop_problems("sns_topic", {"raw_message_delivery": True},
                                                 target_kind="email_endpoint")] == ["raw_message_delivery"]


def step_policy(*steps: dict) -> dict:
    return topology([node("g", "auto_scaling_group", policies=[
        {"type": "step", "metric": "cpu_utilization", "steps": list(steps)}])], [])


@pytest.mark.parametrize("steps, step, words", [
    ([{"lower": 70, "upper": 80, "adjustment": 1}, {"lower": 90, "adjustment": 2}], 1, "leaves a gap"),
    ([{"lower": 70, "upper": 95, "adjustment": 1}, {"lower": 90, "adjustment": 2}], 1, "overlaps"),
    ([{"lower": 90, "adjustment": 2}, {"lower": 70, "adjustment": 1}], 0, "both have no upper bound"),
    ([{"upper": 30, "adjustment": -1}, {"upper": 20, "adjustment": -2}], 1, "both have no lower bound"),
    ([{"adjustment": 1}], 0, "neither"),
    ([{"lower": 70, "upper": 90, "adjustment": 1}], 0, "cover 70 to 90 only"),
])
def test_step_ranges_that_overlap_or_leave_gaps_are_refused(tmp_path, steps, step, words):
    """AWS PutScalingPolicy: step ranges may not overlap or leave a gap; at most one step has a null
    lower bound and one a null upper bound; a step cannot have both null; a positive upper bound
    (relative to the alarm threshold) needs a step with a null upper bound (and so for lower)."""
    err = refused(step_policy(*steps), tmp_path)
    assert err.path == f"$.nodes[0].props.policies[0].steps[{step}]" and words in err.message


@pytest.mark.parametrize("steps", [
    [{"lower": 90, "adjustment": 3}, {"lower": 70, "upper": 90, "adjustment": 1}],     # any order
    [{"upper": 30, "adjustment": -1}, {"lower": 30, "upper": 70, "adjustment": 0}, {"lower": 70, "adjustment": 1}],
    [{"upper": 30, "adjustment": -1}],
])
def test_contiguous_step_ranges_load(steps):
    fileio.from_data(step_policy(*steps))


def test_a_scenario_set_that_makes_weights_all_zero_is_refused(tmp_path):
    """AWS refuses a rule whose weights are all zero, so a scenario may not set the last weight to 0.
    Before: the run died with ValueError from random.choices when the action fired."""
    data = lb_topology({"algorithm": "weighted_random"}, weights=(0, 1))
    data["scenario"] = [{"at_s": 60, "action": "set", "target": "e2", "prop": "weight", "value": 0}]
    err = refused(data, tmp_path)
    assert err.path == "$.scenario[0].value" and "all zero" in err.message
    data["scenario"].append({"at_s": 30, "action": "set", "target": "e1", "prop": "weight", "value": 2})
    fileio.from_data(data)  # applied in time order: e1 has weight 2 before e2 drops to 0


def test_a_scenario_set_of_slow_start_follows_aws_rules(tmp_path):
    data = lb_topology({})
    data["scenario"] = [{"at_s": 5, "action": "set", "target": "lb", "prop": "slow_start_s", "value": 10}]
    assert "30-900" in refused(data, tmp_path).message


def test_a_number_of_thousands_of_digits_is_refused_in_one_line(tmp_path):
    """Python refuses to read integers of over 4300 digits; the message says what is wrong in the file."""
    err = refused(web_text(rate_literal="9" * 5000), tmp_path)
    assert "beyond the range" in err.message and "set_int_max_str_digits" not in err.message


def test_a_refusal_quoting_a_long_key_elsewhere_is_cut_short(tmp_path):
    """A backstop for messages built outside the loader (here the filter policy checker)."""
    key = "k" * 1_000_000
    data = topology([node("c", "client"), node("t", "sns_topic"), node("q", "sqs_queue")],
                    [("c", "t"), ("t", "q", {"filter_policy": {key: [{"no-such-operator": 1}]}})])
    err = refused(data, tmp_path)
    assert err.path.startswith("$.edges[1].props.filter_policy") and len(str(err)) < 1000


@pytest.mark.parametrize("where", ["title", "name", "node_id", "edge_id", "caption"])
def test_text_that_would_stall_the_app_is_refused_with_its_length(where):
    """A 10 MB node name passed validate and then kept the app from ever showing its window."""
    data = json.loads(Path(examples.path("web-tier")).read_text())
    long = "x" * 300 if where != "caption" else "x" * 5000
    if where == "title":
        data["title"], path = long, "$.title"
    elif where == "name":
        data["nodes"][0]["name"], path = long, "$.nodes[0].name"
    elif where == "node_id":
        old = data["nodes"][0]["id"]
        data["nodes"][0]["id"], path = long, "$.nodes[0].id"
        data["edges"] = [e for e in data["edges"] if old not in (e["source"], e["target"])]
        data["scenario"] = [a for a in data.get("scenario", []) if a.get("target") != old]
    elif where == "edge_id":
        data["edges"][0]["id"], path = long, "$.edges[0].id"
    else:
        data["scenario"] = [{"at_s": 1, "action": "caption", "text": long}]
        path = "$.scenario[0].text"
    with pytest.raises(fileio.LoadError) as e:
        fileio.from_data(data)
    assert e.value.path == path and "characters long, over the limit" in e.value.message


def test_a_byte_order_mark_is_read_and_deep_nesting_is_refused_in_words(tmp_path):
    bom = tmp_path / "bom.flowdeck.json"
    bom.write_bytes(b"\xef\xbb\xbf" + Path(examples.path("web-tier")).read_bytes())
    assert fileio.load(bom).title
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(fileio.LoadError, match="nested too deeply"):
        fileio.load(deep)
