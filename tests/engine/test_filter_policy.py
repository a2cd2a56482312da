"""Tests for engine.filter_policy: AWS documentation examples, validate() refusals,
and a comparison against moto's SNS filter matcher on generated policies."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.filter_policy import (
    MAX_COMBINATIONS,
    MAX_KEYS,
    FilterPolicyError,
    combinations,
    key_paths,
    matches,
    validate,
)

ATTRS = "MessageAttributes"
BODY = "MessageBody"

# --------------------------------------------------------------------------- AWS doc examples

# Examples from the SNS developer guide pages "String value matching", "Numeric value
# matching", "Key matching", "AND/OR logic", "Example filter policies" and the
# payload-based filtering announcement (S3 event Records).
INTERESTS = {"customer_interests": ["rugby", "tennis"]}
ANY_BUT = {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]}
ANY_BUT_NUM = {"price": [{"anything-but": [100, 500]}]}
ANY_BUT_PREFIX = {"event": [{"anything-but": {"prefix": "order-"}}]}
IGNORE_CASE = {"customer_interests": [{"equals-ignore-case": "tennis"}]}
PREFIX = {"customer_interests": [{"prefix": "bas"}]}
SUFFIX = {"customer_interests": [{"suffix": "ball"}]}
CIDR4 = {"source_ip": [{"cidr": "10.0.0.0/24"}]}
CIDR6 = {"source_ip": [{"cidr": "2001:db8::/32"}]}
NUM_EQ = {"price_usd": [{"numeric": ["=", 301.5]}]}
NUM_RANGE = {"price_usd": [{"numeric": [">", 0, "<=", 150]}]}
EXACT_NUM = {"price_usd": [300]}
EXISTS = {"store": [{"exists": True}]}
NOT_EXISTS = {"store": [{"exists": False}]}
AND = {"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]}
OR_FLAT = {
    "source": ["aws.cloudwatch"],
    "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
}
OR_NESTED = {
    "source": ["aws.cloudwatch"],
    "$or": [
        {"metricName": ["CPUUtilization", "ReadLatency"]},
        {
            "metricType": ["MetricType"],
            "$or": [{"metricId": [1234, 4321]}, {"spaceId": [1000, 2000, 3000]}],
        },
    ],
}
EXAMPLE_POLICY = {
    "store": ["example_corp"],
    "event": [{"anything-but": "order_cancelled"}],
    "customer_interests": ["rugby", "football", "baseball"],
    "price_usd": [{"numeric": [">=", 100]}],
}
EXAMPLE_MESSAGE = {
    "customer_interests": ["soccer", "rugby", "hockey"],
    "store": "example_corp",
    "event": "order_placed",
    "price_usd": 210.75,
}
S3_POLICY = {"Records": {"s3": {"object": {"key": [{"prefix": "auto-"}]}}}}
S3_EVENT = {
    "Records": [
        {"eventName": "ObjectCreated:Put", "s3": {"object": {"key": "home-insurance-1.xml"}}},
        {"eventName": "ObjectCreated:Put", "s3": {"object": {"key": "auto-insurance-2314.xml"}}},
    ]
}
BODY_OR = {
    "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
    "detail": {"scope": ["Service"], "$or": [{"source": ["aws.cloudwatch"]}, {"type": ["Alarm"]}]},
}
CI = "customer_interests"
CW_TYPE = {"source": "aws.cloudwatch", "metricType": "MetricType"}

# (id, policy, attributes, body, scope, expected)
CASES: list[tuple[str, dict, dict, Any, str, bool]] = [
    ("exact-first", INTERESTS, {CI: "rugby"}, None, ATTRS, True),
    ("exact-second", INTERESTS, {CI: "tennis"}, None, ATTRS, True),
    ("exact-array", INTERESTS, {CI: ["rugby", "tennis"]}, None, ATTRS, True),
    ("exact-other", INTERESTS, {CI: "baseball"}, None, ATTRS, False),
    ("exact-array-other", INTERESTS, {CI: ["baseball"]}, None, ATTRS, False),
    ("exact-case-sensitive", INTERESTS, {CI: "Rugby"}, None, ATTRS, False),
    ("exact-body", INTERESTS, {}, {CI: "rugby"}, BODY, True),
    ("exact-body-other", INTERESTS, {}, {CI: "baseball"}, BODY, False),
    ("exact-num-int", EXACT_NUM, {"price_usd": 300}, None, ATTRS, True),
    ("exact-num-float", EXACT_NUM, {"price_usd": 300.0}, None, ATTRS, True),
    ("exact-num-string-attr", EXACT_NUM, {"price_usd": "300"}, None, ATTRS, False),
    ("exact-str-vs-number", {"price_usd": ["300"]}, {"price_usd": 300}, None, ATTRS, False),
    ("anything-but-other", ANY_BUT, {CI: "baseball"}, None, ATTRS, True),
    ("anything-but-listed", ANY_BUT, {CI: "rugby"}, None, ATTRS, False),
    ("anything-but-array-mixed", ANY_BUT, {CI: ["rugby", "baseball"]}, None, ATTRS, True),
    ("anything-but-array-all-listed", ANY_BUT, {CI: ["rugby", "tennis"]}, None, ATTRS, False),
    ("anything-but-absent", ANY_BUT, {}, None, ATTRS, False),
    ("anything-but-body", ANY_BUT, {}, {CI: "football"}, BODY, True),
    ("anything-but-num-101", ANY_BUT_NUM, {"price": 101}, None, ATTRS, True),
    ("anything-but-num-100.1", ANY_BUT_NUM, {"price": 100.1}, None, ATTRS, True),
    ("anything-but-num-array", ANY_BUT_NUM, {"price": [100, 50]}, None, ATTRS, True),
    ("anything-but-num-100", ANY_BUT_NUM, {"price": 100}, None, ATTRS, False),
    ("anything-but-num-body", ANY_BUT_NUM, {}, {"price": 100}, BODY, False),
    ("anything-but-single", {"a": [{"anything-but": "x"}]}, {"a": "y"}, None, ATTRS, True),
    ("anything-but-prefix-other", ANY_BUT_PREFIX, {"event": "data-entry"}, None, ATTRS, True),
    ("anything-but-prefix-underscore", ANY_BUT_PREFIX, {"event": "order_number"}, None, ATTRS, True),
    ("anything-but-prefix-hit", ANY_BUT_PREFIX, {"event": "order-cancelled"}, None, ATTRS, False),
    ("ignore-case-upper", IGNORE_CASE, {CI: "TENNIS"}, None, ATTRS, True),
    ("ignore-case-mixed", IGNORE_CASE, {CI: "Tennis"}, None, ATTRS, True),
    ("ignore-case-other", IGNORE_CASE, {CI: "rugby"}, None, ATTRS, False),
    ("prefix-baseball", PREFIX, {CI: "baseball"}, None, ATTRS, True),
    ("prefix-basketball-body", PREFIX, {}, {CI: "basketball"}, BODY, True),
    ("prefix-array", PREFIX, {CI: ["rugby", "basketball"]}, None, ATTRS, True),
    ("prefix-other", PREFIX, {CI: "rugby"}, None, ATTRS, False),
    ("prefix-number", {"a": [{"prefix": "1"}]}, {"a": 10}, None, ATTRS, False),
    ("suffix-baseball", SUFFIX, {CI: "baseball"}, None, ATTRS, True),
    ("suffix-other", SUFFIX, {CI: "rugby"}, None, ATTRS, False),
    ("cidr-first", CIDR4, {"source_ip": "10.0.0.0"}, None, ATTRS, True),
    ("cidr-last", CIDR4, {"source_ip": "10.0.0.255"}, None, ATTRS, True),
    ("cidr-outside", CIDR4, {"source_ip": "10.1.1.0"}, None, ATTRS, False),
    ("cidr-not-an-ip", CIDR4, {"source_ip": "ten"}, None, ATTRS, False),
    ("cidr6-inside", CIDR6, {"source_ip": "2001:db8::1"}, None, ATTRS, True),
    ("cidr6-outside", CIDR6, {"source_ip": "2001:db9::1"}, None, ATTRS, False),
    ("cidr6-vs-v4-address", CIDR6, {"source_ip": "10.0.0.1"}, None, ATTRS, False),
    ("numeric-eq", NUM_EQ, {"price_usd": 301.5}, None, ATTRS, True),
    ("numeric-eq-exponent-body", NUM_EQ, {}, json.loads('{"price_usd": 3.015e2}'), BODY, True),
    ("numeric-eq-other", NUM_EQ, {"price_usd": 301.6}, None, ATTRS, False),
    ("numeric-eq-string", NUM_EQ, {"price_usd": "301.5"}, None, ATTRS, False),
    ("range-inside", NUM_RANGE, {"price_usd": 100}, None, ATTRS, True),
    ("range-top-inclusive", NUM_RANGE, {"price_usd": 150}, None, ATTRS, True),
    ("range-bottom-exclusive", NUM_RANGE, {"price_usd": 0}, None, ATTRS, False),
    ("range-above", NUM_RANGE, {"price_usd": 150.01}, None, ATTRS, False),
    ("range-array", NUM_RANGE, {"price_usd": [500, 20]}, None, ATTRS, True),
    ("range-absent", NUM_RANGE, {}, None, ATTRS, False),
    ("exists-present", EXISTS, {"store": "fans", CI: ["baseball"]}, None, ATTRS, True),
    ("exists-absent", EXISTS, {CI: ["baseball"]}, None, ATTRS, False),
    ("exists-body", EXISTS, {}, {"store": "fans"}, BODY, True),
    ("not-exists-present", NOT_EXISTS, {"store": "fans"}, None, ATTRS, False),
    ("not-exists-absent", NOT_EXISTS, {CI: ["baseball"]}, None, ATTRS, True),
    ("not-exists-no-attributes", NOT_EXISTS, {}, None, ATTRS, True),
    ("not-exists-body", NOT_EXISTS, {}, {CI: ["baseball"]}, BODY, True),
    ("not-exists-or-other", {"a": [{"anything-but": "x"}, {"exists": False}]}, {}, None, ATTRS, True),
    ("and-both", AND, {CI: "rugby", "price_usd": 101}, None, ATTRS, True),
    ("and-one", AND, {CI: "rugby", "price_usd": 100}, None, ATTRS, False),
    ("or-first", OR_FLAT, {"source": "aws.cloudwatch", "metricName": "CPUUtilization"}, None, ATTRS, True),
    ("or-second", OR_FLAT, {"source": "aws.cloudwatch", "namespace": "AWS/EC2"}, None, ATTRS, True),
    ("or-neither", OR_FLAT, {"source": "aws.cloudwatch", "namespace": "AWS/ES"}, None, ATTRS, False),
    ("or-without-and", OR_FLAT, {"metricName": "CPUUtilization"}, None, ATTRS, False),
    ("or-nested-metricid", OR_NESTED, {**CW_TYPE, "metricId": 1234}, None, ATTRS, True),
    ("or-nested-spaceid", OR_NESTED, {**CW_TYPE, "spaceId": 2000}, None, ATTRS, True),
    ("or-nested-other-id", OR_NESTED, {**CW_TYPE, "spaceId": 1234}, None, ATTRS, False),
    ("or-nested-no-type", OR_NESTED, {"source": "aws.cloudwatch", "spaceId": 2000}, None, ATTRS, False),
    ("or-nested-first", OR_NESTED, {"source": "aws.cloudwatch", "metricName": "ReadLatency"}, None, ATTRS, True),
    ("example-attributes", EXAMPLE_POLICY, EXAMPLE_MESSAGE, None, ATTRS, True),
    ("example-body", EXAMPLE_POLICY, {}, EXAMPLE_MESSAGE, BODY, True),
    ("example-cancelled", EXAMPLE_POLICY, {**EXAMPLE_MESSAGE, "event": "order_cancelled"}, None, ATTRS, False),
    ("example-cheap", EXAMPLE_POLICY, {**EXAMPLE_MESSAGE, "price_usd": 99}, None, ATTRS, False),
    ("example-body-ignores-attributes", EXAMPLE_POLICY, EXAMPLE_MESSAGE, {"other": 1}, BODY, False),
    ("example-attributes-ignore-body", EXAMPLE_POLICY, {}, EXAMPLE_MESSAGE, ATTRS, False),
    ("body-nested-records", S3_POLICY, {}, S3_EVENT, BODY, True),
    ("body-nested-records-miss", S3_POLICY, {}, {"Records": S3_EVENT["Records"][:1]}, BODY, False),
    ("body-nested-missing-parent", S3_POLICY, {}, {"other": 1}, BODY, False),
    ("body-nested-scalar-parent", {"detail": {"a": ["x"]}}, {}, {"detail": "x"}, BODY, False),
    ("body-nested-not-exists", {"detail": {"a": [{"exists": False}]}}, {}, {"x": 1}, BODY, True),
    ("body-nested-same-element", {"r": {"a": ["x"], "b": ["y"]}}, {}, {"r": [{"a": "x"}, {"b": "y"}]}, BODY, False),
    ("body-or-nested", BODY_OR, {}, {"namespace": "AWS/EC2", "detail": {"scope": "Service", "type": "Alarm"}}, BODY, True),
    ("body-or-nested-miss", BODY_OR, {}, {"namespace": "AWS/EC2", "detail": {"scope": "Service"}}, BODY, False),
    ("body-null", {"a": [None]}, {}, {"a": None}, BODY, True),
    ("body-null-absent", {"a": [None]}, {}, {}, BODY, False),
    ("body-bool-not-number", {"a": [1]}, {}, {"a": True}, BODY, False),
    ("body-true", {"a": [True]}, {}, {"a": True}, BODY, True),
    ("body-string-not-bool", {"a": ["true"]}, {}, {"a": True}, BODY, False),
    ("body-string-not-null", {"a": ["None"]}, {}, {"a": None}, BODY, False),
    ("body-not-an-object", {"a": ["x"]}, {}, None, BODY, False),
    ("no-attributes", {"store": ["x"]}, {}, None, ATTRS, False),
    ("no-attributes-none", {"store": ["x"]}, None, None, ATTRS, False),
    ("empty-policy", {}, {}, None, ATTRS, True),
    ("empty-policy-body", {}, {}, None, BODY, True),
]


@pytest.mark.parametrize(
    ("policy", "attributes", "body", "scope", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_aws_documentation_examples(policy, attributes, body, scope, expected):
    validate(policy, scope=scope)
    assert matches(policy, attributes, body, scope) is expected


# --------------------------------------------------------------------------- validate()

OR_152 = {  # recorded against AWS: (4*6) + (4*4*4) + (4*4*4) = 152, refused
    "source": ["a", "b", "c", "d"],
    "$or": [
        {"metricName": ["m1", "m2", "m3", "m4", "m5", "m6"]},
        {"metricType": ["t1", "t2", "t3", "t4"], "$or": [{"metricId": [1, 2, 3, 4]}, {"spaceId": [1, 2, 3, 4]}]},
    ],
}
OR_150 = {  # (3*6) + (3*4*4) + (3*4*7) = 150, accepted
    "source": ["a", "b", "c"],
    "$or": [
        {"metricName": ["m1", "m2", "m3", "m4", "m5", "m6"]},
        {"metricType": ["t1", "t2", "t3", "t4"], "$or": [{"metricId": [1, 2, 3, 4]}, {"spaceId": list(range(7))}]},
    ],
}
NESTED_72 = {"key_a": {"key_b": {"key_c": ["v1", "v2", "v3", "v4"]}}, "key_d": {"key_e": ["v1", "v2", "v3"]}}
NESTED_216 = {**NESTED_72, "key_f": ["v1", "v2", "v3"]}
SIX_KEYS = {f"key{i}": [f"value{i}"] for i in range(1, 7)}


def test_limits_are_aws_limits():
    assert (MAX_KEYS, MAX_COMBINATIONS) == (5, 150)
    assert issubclass(FilterPolicyError, ValueError)


@pytest.mark.parametrize(
    ("policy", "scope", "count"),
    [
        ({"key_a": ["v1", "v2", "v3"], "key_b": ["v1"], "key_c": ["v1", "v2"]}, ATTRS, 6),
        (OR_152, ATTRS, 152),
        (OR_150, ATTRS, 150),
        (NESTED_72, BODY, 72),
        (NESTED_216, BODY, 216),
        ({"$or": [{"a": list(range(100))}, {"b": list(range(51))}]}, ATTRS, 151),
    ],
)
def test_combination_count(policy, scope, count):
    assert combinations(policy) == count


@pytest.mark.parametrize(
    "policy",
    [
        {"key": [f"value{i}" for i in range(150)]},
        {"key1": [f"v{i}" for i in range(3)], "key2": [f"v{i}" for i in range(50)]},
        OR_150,
        {f"key{i}": ["v"] for i in range(1, 6)},
    ],
    ids=["150-one-key", "150-two-keys", "150-with-or", "5-keys"],
)
def test_validate_accepts_policies_at_the_limits(policy):
    validate(policy)


def test_validate_accepts_nested_policy_in_body_scope():
    validate(NESTED_72, scope=BODY)
    validate(BODY_OR, scope=BODY)
    assert key_paths(NESTED_216) == {("key_a", "key_b", "key_c"), ("key_d", "key_e"), ("key_f",)}


# (id, policy, scope, pattern the message must contain)
REFUSALS: list[tuple[str, Any, str, str]] = [
    ("6-keys", SIX_KEYS, ATTRS, r"6 keys \(key1, .*key6\); AWS allows at most 5 keys"),
    ("6-keys-nested", {"p": {f"k{i}": ["v"] for i in range(6)}}, BODY, r"6 keys \(p\.k0, "),
    ("6-keys-across-or", {"a": [1], "b": [1], "$or": [{"c": [1], "d": [1]}, {"e": [1], "f": [1]}]}, ATTRS, "6 keys"),
    ("151-one-key", {"key": [f"value{i}" for i in range(151)]}, ATTRS, "151 value combinations; AWS allows at most 150"),
    ("151-with-or", {"$or": [{"a": list(range(100))}, {"b": list(range(51))}]}, ATTRS, "151 value combinations"),
    ("153-two-keys", {"k1": list(range(3)), "k2": list(range(51))}, ATTRS, "153 value combinations"),
    ("152-or-recorded", OR_152, ATTRS, "152 value combinations"),
    ("216-nested", NESTED_216, BODY, "216 value combinations"),
    ("numeric-bad-operator", {"price": [{"numeric": [">>", 1]}]}, ATTRS,
     "key 'price': numeric operator '>>' is not one of =, <, <=, >, >="),
    ("numeric-empty", {"price": [{"numeric": []}]}, ATTRS, "key 'price': numeric needs a list"),
    ("numeric-not-list", {"price": [{"numeric": 5}]}, ATTRS, "key 'price': numeric needs a list"),
    ("numeric-string-value", {"price": [{"numeric": ["=", "000"]}]}, ATTRS,
     "key 'price': numeric operator '=' needs a number"),
    ("numeric-missing-value", {"price": [{"numeric": [">="]}]}, ATTRS, "operator '>=' needs a number after it"),
    ("numeric-value-first", {"price": [{"numeric": [1, "<="]}]}, ATTRS, "operator 1 is not one of"),
    ("numeric-range-order", {"price": [{"numeric": ["<", 100, ">", 10]}]}, ATTRS,
     "range must be '>' or '>=' then '<' or '<='"),
    ("numeric-range-two-lower", {"price": [{"numeric": [">=", 1, ">", 2]}]}, ATTRS, "range must be"),
    ("numeric-range-inverted", {"price": [{"numeric": [">", 3, "<", 1]}]}, ATTRS, "bottom 3 must be less than top 1"),
    ("numeric-too-long", {"price": [{"numeric": [">", 20, "<", 30, "<", 50]}]}, ATTRS, "not 6 items"),
    ("numeric-range-string", {"price": [{"numeric": [">", 20, "<", "30"]}]}, ATTRS, "operator '<' needs a number"),
    ("numeric-bool", {"price": [{"numeric": [">", True]}]}, ATTRS, "needs a number"),
    ("unknown-operator", {"key": [{"wrong-operator": True}]}, ATTRS, "key 'key': unknown operator 'wrong-operator'"),
    ("two-operators", {"key": [{"suffix": "v", "prefix": "w"}]}, ATTRS, "exactly one operator"),
    ("empty-operator", {"key": [{}]}, ATTRS, "exactly one operator"),
    ("prefix-number", {"key": [{"prefix": 100}]}, ATTRS, "key 'key': prefix needs a string"),
    ("suffix-null", {"key": [{"suffix": None}]}, ATTRS, "key 'key': suffix needs a string"),
    ("suffix-list", {"key": [{"suffix": ["a", "b"]}]}, ATTRS, "suffix needs a string"),
    ("ignore-case-number", {"key": [{"equals-ignore-case": 1}]}, ATTRS, "equals-ignore-case needs a string"),
    ("exists-null", {"key": [{"exists": None}]}, ATTRS, "key 'key': exists needs true or false"),
    ("exists-string", {"key": [{"exists": "no"}]}, ATTRS, "exists needs true or false"),
    ("cidr-no-mask", {"ip": [{"cidr": "10.0.0.1"}]}, ATTRS, "key 'ip': cidr: '10.0.0.1' is not an IPv4 or IPv6 CIDR"),
    ("cidr-bad", {"ip": [{"cidr": "10.0.0.300/24"}]}, ATTRS, "is not an IPv4 or IPv6 CIDR"),
    ("cidr-number", {"ip": [{"cidr": 10}]}, ATTRS, "cidr needs a string"),
    ("anything-but-suffix", {"key": [{"anything-but": {"suffix": "test"}}]}, ATTRS, "only 'prefix' is supported"),
    ("anything-but-exists", {"key": [{"anything-but": {"exists": False}}]}, ATTRS, "only 'prefix' is supported"),
    ("anything-but-prefix-bool", {"key": [{"anything-but": {"prefix": False}}]}, ATTRS,
     "anything-but prefix needs a string"),
    ("anything-but-empty", {"key": [{"anything-but": []}]}, ATTRS, "list of excluded values is empty"),
    ("anything-but-mixed", {"key": [{"anything-but": ["a", 1]}]}, ATTRS, "all strings or all numbers"),
    ("anything-but-null", {"key": [{"anything-but": None}]}, ATTRS, "anything-but needs a string, a number"),
    ("empty-values", {"key": []}, ATTRS, "key 'key': the list of values is empty"),
    ("not-a-list", {"key_a": "value_one"}, ATTRS, "key 'key_a': values must be in a list"),
    ("number-not-list", {"key_a": 5}, ATTRS, "values must be in a list"),
    ("list-in-list", {"key": [["value"]]}, ATTRS, r"key 'key': \['value'\] is not a string, number"),
    ("nested-in-attributes", {"object": {"key": [{"prefix": "auto-"}]}}, ATTRS,
     "key 'object': nested objects need scope MessageBody"),
    ("empty-nested", {"object": {}}, BODY, "key 'object': an empty object"),
    ("or-single", {"$or": [{"a": ["x"]}]}, ATTRS, "'$or' needs a list of at least two"),
    ("or-empty-branch", {"$or": [{"a": ["x"]}, {}]}, ATTRS, "'$or' needs a list of at least two"),
    ("or-branch-error-path", {"$or": [{"a": ["x"]}, {"b": [{"numeric": ["?", 1]}]}]}, ATTRS,
     "key '$or[1].b': numeric operator '?'"),
    ("or-nested-in-attributes", {"$or": [{"a": ["x"]}, {"b": {"c": ["y"]}}]}, ATTRS, "key '$or[1].b': nested objects"),
    ("nested-path", {"detail": {"type": [{"bogus": 1}]}}, BODY, "key 'detail.type': unknown operator 'bogus'"),
    ("not-an-object", ["a"], ATTRS, "a filter policy is a JSON object"),
    ("bad-scope", {"a": ["x"]}, "Body", "scope 'Body' is not one of MessageAttributes, MessageBody"),
    ("infinite", {"a": [float("inf")]}, ATTRS, "not a finite number"),
]


@pytest.mark.parametrize(
    ("policy", "scope", "pattern"),
    [case[1:] for case in REFUSALS],
    ids=[case[0] for case in REFUSALS],
)
def test_validate_refuses_with_a_message(policy, scope, pattern):
    with pytest.raises(FilterPolicyError) as excinfo:
        validate(policy, scope=scope)
    assert re.search(pattern if "\\" in pattern else re.escape(pattern), str(excinfo.value)), str(excinfo.value)


def test_or_with_plain_values_is_an_ordinary_key():
    """AWS treats "$or" as an attribute name unless it holds two or more sub-policies."""
    policy = {"$or": ["x", {"prefix": "y"}]}
    validate(policy)
    assert matches(policy, {"$or": "yes"})
    assert not matches(policy, {"a": "x"})


# --------------------------------------------------------------------------- moto comparison
#
# moto 5.x implements SNS filtering in moto.sns.utils.FilterPolicyMatcher. It agrees with the
# AWS documentation only on part of the policy space, so the generators below stay inside it:
#
# * Keys have a fixed type family: string keys (String or String.Array attributes, JSON
#   strings in the body) and number keys (Number attributes, JSON numbers). Cross-type cases
#   (a string "300" against 300, anything-but strings against numbers) are left to the table
#   above: moto crashes on some (float("abc") for a number rule against a String.Array) and
#   returns early on others (a number rule against a String attribute ends the key's OR).
# * String.Array attributes / JSON arrays only meet exact-string and exists rules: moto
#   matches prefix/suffix only on Type String, iterates the characters of the JSON text for
#   anything-but, and calls str methods on lists in the body.
# * equals-ignore-case operands are lowercase: moto lowercases only the attribute value.
# * anything-but with a single number is excluded (moto does `value not in 5`); lists are used.
# * exists never shares a key's list with other rules: moto returns False for a missing key
#   at the first exact/anything-but rule, before a later {"exists": false} can match.
# * Strings are short words over "abAB" (never valid JSON, never numeric): moto json-decodes
#   String values and compares Number attributes as text for string rules.
# * Body scope: no $or (moto evaluates body $or branches with the attribute code path), the
#   parent object of nested keys is always present (moto refuses a missing parent before a
#   nested {"exists": false} can match), no booleans (moto treats true as the number 1) and
#   no arrays of objects.
# * Numbers have at most two decimals and |x| < 10^9 (moto compares on six decimals).

STRING_KEYS = ("color", "size", "tag")
NUMBER_KEYS = ("price", "qty")
words = st.text(alphabet="abAB", min_size=1, max_size=3)
fragments = st.text(alphabet="abAB", min_size=1, max_size=2)
lower_words = st.text(alphabet="ab", min_size=1, max_size=3)
numbers = st.sampled_from([-2, -1, 0, 0.5, 1, 1.5, 2, 2.0, 3, 10, 12.25])


@st.composite
def numeric_rules(draw) -> dict:
    if draw(st.booleans()):
        return {"numeric": [draw(st.sampled_from(["=", "<", "<=", ">", ">="])), draw(numbers)]}
    low, high = sorted(draw(st.lists(numbers, min_size=2, max_size=2, unique_by=float)), key=float)
    return {"numeric": [draw(st.sampled_from([">", ">="])), low, draw(st.sampled_from(["<", "<="])), high]}


string_rules = st.one_of(
    words,
    st.builds(lambda w: {"prefix": w}, fragments),
    st.builds(lambda w: {"suffix": w}, fragments),
    st.builds(lambda w: {"equals-ignore-case": w}, lower_words),
    st.builds(lambda w: {"anything-but": w}, words),
    st.builds(lambda ws: {"anything-but": ws}, st.lists(words, min_size=1, max_size=3)),
    st.builds(lambda w: {"anything-but": {"prefix": w}}, fragments),
)
number_rules = st.one_of(
    numbers,
    numeric_rules(),
    st.builds(lambda ns: {"anything-but": ns}, st.lists(numbers, min_size=1, max_size=3)),
)
exists_rules = st.builds(lambda b: [{"exists": b}], st.booleans())


def leaf_rules(key: str) -> st.SearchStrategy[list]:
    rules = string_rules if key in STRING_KEYS else number_rules
    return st.one_of(exists_rules, st.lists(rules, min_size=1, max_size=3))


@st.composite
def flat_policies(draw, or_depth: int) -> dict:
    keys = draw(st.lists(st.sampled_from(STRING_KEYS + NUMBER_KEYS), min_size=1, max_size=3, unique=True))
    policy = {key: draw(leaf_rules(key)) for key in keys}
    if or_depth and draw(st.booleans()):
        policy["$or"] = draw(st.lists(flat_policies(or_depth - 1), min_size=2, max_size=3))
    return policy


def _within_limits(policy: dict) -> bool:
    return combinations(policy) <= MAX_COMBINATIONS and len(key_paths(policy)) <= MAX_KEYS


def _rules_for(policy: dict, key: str) -> list:
    found = list(policy.get(key, []))
    for sub in policy.get("$or", []):
        found += _rules_for(sub, key)
    return found


def _only_exact_or_exists(rules: list) -> bool:
    return all(isinstance(rule, str) or (isinstance(rule, dict) and "exists" in rule) for rule in rules)


@st.composite
def messages_for(draw, policy: dict) -> dict:
    """Attribute values per key, typed by key family; arrays only where moto copes."""
    message = {}
    for key in STRING_KEYS + NUMBER_KEYS:
        if key in NUMBER_KEYS:
            choices = [numbers]
        elif _only_exact_or_exists(_rules_for(policy, key)):
            choices = [words, st.lists(words, min_size=1, max_size=3)]
        else:
            choices = [words]
        if draw(st.sampled_from([True, True, True, False])):  # mostly present
            message[key] = draw(st.one_of(*choices))
    return message


def _moto_attributes(attributes: dict) -> dict:
    def typed(value: Any) -> dict:
        if isinstance(value, list):
            return {"Type": "String.Array", "Value": json.dumps(value)}
        if isinstance(value, str):
            return {"Type": "String", "Value": value}
        return {"Type": "Number", "Value": str(value)}

    return {name: typed(value) for name, value in attributes.items()}


def moto_matches(policy: dict, attributes: dict, body: Any = None, scope: str = ATTRS) -> bool:
    from moto.sns.utils import FilterPolicyMatcher

    matcher = FilterPolicyMatcher(policy, scope)
    return matcher.matches(_moto_attributes(attributes), json.dumps(body))


@st.composite
def attribute_cases(draw) -> tuple[dict, dict]:
    policy = draw(flat_policies(or_depth=2).filter(_within_limits))
    return policy, draw(messages_for(policy))


@st.composite
def body_cases(draw) -> tuple[dict, dict]:
    inner = draw(flat_policies(or_depth=0))
    outer = draw(st.one_of(st.just({}), flat_policies(or_depth=0)))
    policy = {**outer, "detail": inner}
    assume(_within_limits(policy))
    body = {**draw(messages_for(outer)), "detail": draw(messages_for(inner))}
    return policy, body


HYPOTHESIS = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@HYPOTHESIS
@given(attribute_cases())
def test_attributes_scope_agrees_with_moto(case):
    policy, attributes = case
    validate(policy)
    assert matches(policy, attributes) == moto_matches(policy, attributes), (policy, attributes)


@HYPOTHESIS
@given(body_cases())
def test_body_scope_agrees_with_moto(case):
    policy, body = case
    validate(policy, scope=BODY)
    assert matches(policy, {}, body, BODY) == moto_matches(policy, {}, body, BODY), (policy, body)


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(flat_policies(or_depth=0), min_size=2, max_size=3), st.data())
def test_or_is_the_union_of_its_branches(branches, data):
    attributes = data.draw(messages_for({"$or": branches}))
    expected = any(matches(branch, attributes) for branch in branches)
    assert matches({"$or": branches}, attributes) is expected
