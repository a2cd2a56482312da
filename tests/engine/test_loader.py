"""The topology file: every refusal in FORMAT.md section 1, saving, migration, and fuzzing."""
from __future__ import annotations

import copy
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import examples, fileio, registry
from engine.fileio import LoadError
from tests.engine.helpers import node, topology

GOOD = topology([node("c", "client", rate_rps=5, pattern={"type": "sine", "period_s": 60, "amplitude": 0.5}),
                 node("lb", "load_balancer", health_check={"interval_s": 10, "timeout_s": 5}),
                 node("g", "auto_scaling_group", min_size=1, desired_capacity=2, max_size=3,
                      instance={"service_time_s": {"dist": "lognormal", "mean": 0.1, "cv": 0.5}},
                      policies=[{"type": "target_tracking", "metric": "cpu_utilization", "target": 50},
                                {"type": "step", "metric": "cpu_utilization",
                                 "steps": [{"lower": 70, "upper": 90, "adjustment": 1}, {"lower": 90, "adjustment": 3}]},
                                {"type": "scheduled", "at_s": 60, "desired_capacity": 3}]),
                 node("t", "sns_topic"), node("q", "sqs_queue")],
                [("c", "lb"), ("lb", "g"),
                 ("c", "t", {"message_attributes": {"kind": {"values": ["a", "b"], "weights": [1, 3]},
                                                    "amount": {"uniform": [1, 9]}}}),
                 ("t", "q", {"filter_policy": {"kind": ["a", {"prefix": "b"}]}})],
                [{"at_s": 5, "action": "set", "target": "c", "prop": "rate_rps", "value": 9, "ramp_s": 2},
                 {"at_s": 6, "action": "fail", "target": "g", "mode": "crash", "count": 1},
                 {"at_s": 7, "action": "caption", "text": "hello"}])


def refused(data, tmp_path: Path, name: str = "bad.flowdeck.json") -> LoadError:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        fileio.load(path)
    assert str(path) in str(info.value), "the message names the file"
    return info.value


def mutate(fn) -> dict:
    data = copy.deepcopy(GOOD)
    fn(data)
    return data


def test_good_file_loads_with_defaults():
    doc = fileio.from_data(GOOD)
    assert list(doc.nodes) == ["c", "lb", "g", "t", "q"]
    assert doc.nodes["lb"].prop("algorithm") == "round_robin"          # omitted props take defaults
    health_check = doc.nodes["lb"].prop("health_check")
    assert health_check == {"interval_s": 10, "timeout_s": 5}, "kept as written"
    assert registry.KINDS["load_balancer"].prop("health_check").check(health_check)["unhealthy_threshold"] == 2
    assert doc.scenario[0]["ramp_s"] == 2


@pytest.mark.parametrize("text, path, words", [
    ("{not json", "", "invalid JSON at line 1"),
    ("[]", "$", "JSON object"),
])
def test_invalid_json(tmp_path, text, path, words):
    err = refused(text, tmp_path)
    assert err.path == path and words in err.message


CASES = {
    "wrong format": (lambda d: d.update(format="other"), "$.format", "not a FlowDeck topology"),
    "newer schema": (lambda d: d.update(schema_version=99), "$.schema_version", "newer than this FlowDeck knows"),
    "bad schema": (lambda d: d.update(schema_version="1"), "$.schema_version", "whole number"),
    "unknown kind": (lambda d: d["nodes"][1].update(kind="nat_gateway"), "$.nodes[1].kind", "unknown kind 'nat_gateway'"),
    "unknown prop": (lambda d: d["nodes"][0]["props"].update(rps=3), "$.nodes[0].props.rps", "unknown prop 'rps'"),
    "out of range": (lambda d: d["nodes"][0]["props"].update(rate_rps=-1), "$.nodes[0].props.rate_rps", "below the minimum"),
    "wrong type": (lambda d: d["nodes"][1]["props"].update(algorithm="fastest"), "$.nodes[1].props.algorithm", "must be one of"),
    "nested prop": (lambda d: d["nodes"][1]["props"].update(health_check={"interval_s": 1}),
                    "$.nodes[1].props.health_check.interval_s", "below the minimum of 5"),
    "template prop": (lambda d: d["nodes"][2]["props"].update(instance={"concurrency": 0}),
                      "$.nodes[2].props.instance.concurrency", "below the minimum"),
    "policy field": (lambda d: d["nodes"][2]["props"].update(policies=[{"type": "target_tracking", "metric": "cpu", "target": 50}]),
                     "$.nodes[2].props.policies[0].metric", "metric must be one of"),
    "group sizes": (lambda d: d["nodes"][2]["props"].update(desired_capacity=7), "$.nodes[2].props.desired_capacity",
                    "outside min_size"),
    "duplicate node id": (lambda d: d["nodes"].append(node("c", "client")), "$.nodes[5].id", "duplicate node id 'c'"),
    "duplicate edge id": (lambda d: d["edges"].append({"id": "e0", "source": "c", "target": "lb"}), "$.edges[4].id",
                          "duplicate edge id"),
    "missing node": (lambda d: d["edges"][1].update(target="nowhere"), "$.edges[1].target", "no node with id 'nowhere'"),
    "bad connection": (lambda d: d["edges"].append({"id": "x", "source": "g", "target": "c"}), "$.edges[4]",
                       "cannot connect to a Client"),
    "unknown edge prop": (lambda d: d["edges"][0]["props"].update(weight=2), "$.edges[0].props.weight", "unknown prop"),
    "scenario action": (lambda d: d["scenario"].append({"at_s": 1, "action": "explode"}), "$.scenario[3].action",
                        "must be one of"),
    "scenario target": (lambda d: d["scenario"][1].update(target="lb"), "$.scenario[1].target",
                        "only EC2 instances and Auto Scaling groups"),
    "scenario value": (lambda d: d["scenario"][0].update(value="fast"), "$.scenario[0].value", "must be a number"),
    "nodes not list": (lambda d: d.update(nodes={}), "$.nodes", "must be a list"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_refusal_names_the_json_path(tmp_path, case):
    fn, path, words = CASES[case]
    err = refused(mutate(fn), tmp_path)
    assert err.path == path, err
    assert words in err.message, err


def test_refusal_says_which_connections_are_allowed(tmp_path):
    err = refused(mutate(lambda d: d["edges"].append({"id": "x", "source": "c", "target": "g"})), tmp_path)
    assert "a Client can connect to Application Load Balancers, SNS topics and SQS queues" in err.message


def test_fifo_topic_delivers_only_to_queues(tmp_path):
    data = topology([node("t", "sns_topic", fifo=True), node("f", "lambda_function")], [("t", "f")])
    assert "FIFO topic 't' can deliver only to SQS queues" in refused(data, tmp_path).message


def test_dead_letter_queue_has_the_same_type(tmp_path):
    data = topology([node("q", "sqs_queue", fifo=True), node("dlq", "sqs_queue")], [("q", "dlq")])
    assert "same type" in refused(data, tmp_path).message


def test_bad_filter_policy_is_refused(tmp_path):
    data = topology([node("t", "sns_topic"), node("q", "sqs_queue")],
                    [("t", "q", {"filter_policy": {"price": [{"numeric": [">>", 5]}]}})])
    err = refused(data, tmp_path)
    assert err.path.startswith("$.edges[0].props.filter_policy")


def test_missing_file_and_not_utf8(tmp_path):
    with pytest.raises(LoadError, match="no such file"):
        fileio.load(tmp_path / "nope.json")
    (tmp_path / "latin.json").write_bytes(b'{"title": "caf\xe9"}')
    with pytest.raises(LoadError, match="not UTF-8"):
        fileio.load(tmp_path / "latin.json")


def test_save_round_trip_is_sorted_indented_and_stable(tmp_path):
    doc = fileio.from_data(GOOD)
    out = tmp_path / "out.flowdeck.json"
    fileio.save(doc, out)
    text = out.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    again = fileio.load(out)
    fileio.save(again, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text(encoding="utf-8") == text
    assert again.nodes == doc.nodes and again.edges == doc.edges and again.scenario == doc.scenario


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    out = tmp_path / "keep.flowdeck.json"
    out.write_text("original", encoding="utf-8")
    doc = fileio.from_data(GOOD)

    def broken_fsync(fd):
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        fileio.save(doc, out)
    assert out.read_text(encoding="utf-8") == "original"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.flowdeck.json"], "no temporary file left behind"


def test_migration_chain_upgrades_step_by_step(monkeypatch):
    """A version-2 program reads version-1 files through MIGRATIONS[1]."""
    def rename_title(data: dict) -> dict:
        data["title"] = data.pop("name", "migrated")
        return data
    monkeypatch.setattr(fileio, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(fileio.MIGRATIONS, 1, rename_title)
    old = copy.deepcopy(GOOD)
    old.pop("title")
    old["name"] = "From version 1"
    doc = fileio.from_data(old)
    assert doc.title == "From version 1"


def test_every_example_loads_and_says_what_it_shows():
    assert {"web-tier", "spike", "failure"} <= set(examples.names())
    for name in examples.names():
        doc = fileio.load(examples.path(name))
        assert len(doc.description) > 80, f"{name} needs a description for the audience"


# -- fuzzing: random and corrupted files never crash the loader ---------------------------------------

# Also the classes issue 8 found: non-finite and huge numbers (beyond float range) and lone surrogates.
huge_numbers = st.integers(10**308, 10**400) | st.integers(-10**400, -10**308) | st.sampled_from([math.inf, -math.inf, math.nan])
surrogate_text = st.text(st.characters(categories=["Cs", "Ll"]), min_size=1, max_size=6)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=8)
    | huge_numbers | surrogate_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, prefix + (i,))


ALL_PATHS = list(_paths(GOOD))[1:]


def corrupt(path: tuple, value) -> dict:
    """GOOD with the value at path replaced."""
    data = copy.deepcopy(GOOD)
    holder = data
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    return data


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ALL_PATHS), json_values)
def test_corrupted_files_load_or_refuse_cleanly(path, value):
    data = corrupt(path, value)
    try:
        doc = fileio.from_data(data)
    except LoadError as e:
        assert e.path.startswith("$") and e.message
        return
    again = fileio.loads(fileio.dumps(doc))  # what loads can be saved as UTF-8 and loads back the same
    assert again.nodes == doc.nodes and again.edges == doc.edges


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_random_bytes_are_refused_cleanly(blob):
    text = GOOD_TEXT[: len(blob) % len(GOOD_TEXT)] + blob.decode("utf-8", "replace")
    try:
        fileio.loads(text)
    except LoadError as e:
        assert e.message


GOOD_TEXT = json.dumps(GOOD)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(ALL_PATHS), json_values)
def test_command_line_exit_code_2_on_bad_files(tmp_path_factory, path, value):
    data = corrupt(path, value)
    try:
        fileio.from_data(data)
        return  # still a valid file: not what this test is about
    except LoadError:
        pass
    f = tmp_path_factory.mktemp("fuzz") / "bad.flowdeck.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "validate", str(f)], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and str(f) in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# -- fuzzing the graph: self-loops, redrive cycles, second dead-letter queues -----------------------

GRAPH_NODES = [node("c", "client"), node("t", "sns_topic"), node("f", "lambda_function")] + \
              [node(f"q{k}", "sqs_queue") for k in range(4)]
GRAPH_IDS = [n["id"] for n in GRAPH_NODES]
KIND_OF = {n["id"]: n["kind"] for n in GRAPH_NODES}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(GRAPH_IDS), st.sampled_from(GRAPH_IDS)), max_size=10, unique=True))
def test_random_graphs_load_exactly_when_the_redrive_graph_is_sound(pairs):
    """The truth is computed independently with networkx: a file loads if and only if every connection
    is in the registry's table, no edge is a self-loop, and the redrive edges (queue → queue) give
    each queue at most one dead-letter queue (AWS: one per queue) and form no cycle."""
    redrive = nx.DiGraph([(a, b) for a, b in pairs if KIND_OF[a] == KIND_OF[b] == "sqs_queue"])
    sound = (all(registry.connection(KIND_OF[a], KIND_OF[b]) for a, b in pairs)
             and all(a != b for a, b in pairs)
             and all(d <= 1 for _, d in redrive.out_degree())
             and nx.is_directed_acyclic_graph(redrive))
    data = topology(GRAPH_NODES, list(pairs))
    try:
        fileio.from_data(data)
        assert sound, f"loaded a topology that should be refused: {pairs}"
    except LoadError as e:
        assert not sound, f"refused a sound topology: {e}"
        assert e.path.startswith("$.edges[")
