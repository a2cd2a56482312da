"""Amazon SNS subscription filter policies: matching and validation.

Pure Python (standard library only), written from the AWS SNS developer guide:
"Amazon SNS subscription filter policies", "AND/OR logic", "Key matching",
"Numeric value matching", "String value matching", "Filter policy constraints"
and "Amazon SNS subscription filter policy scope".

Semantics in short:

* The keys of a policy are ANDed; the values listed under a key are ORed.
* A leaf value is an exact string, number, ``true``, ``false`` or ``null``, or an
  operator object with exactly one operator: ``prefix``, ``suffix``,
  ``equals-ignore-case``, ``anything-but``, ``numeric``, ``exists`` or ``cidr``.
* Strings match strings only (case-sensitively); numbers match numbers only, by
  value (300 matches 300.0, the String "300" matches neither 300 nor
  ``numeric``).
* An array value (a String.Array attribute or a JSON array in the body) matches
  when any of its elements matches; ``anything-but`` therefore matches an array
  that holds at least one element outside the excluded values.
* ``exists: false`` matches when the key is absent; every other rule needs the
  key, so a message without attributes matches no policy that needs one.
* ``"$or": [policy, policy, ...]`` (at least two non-empty objects whose keys are
  not operator names) ORs sub-policies; it may appear at any level.
* Scope ``MessageBody`` filters the decoded JSON body: objects in the policy
  match nested objects in the body, and a policy object applied to a body array
  matches when one element of the array matches all of it.
"""

from __future__ import annotations

import ipaddress
import math
import operator
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "FilterPolicyError", "matches", "validate", "key_paths", "combinations", "MAX_KEYS", "MAX_COMBINATIONS",
]

MAX_KEYS = 5
MAX_COMBINATIONS = 150
OR_KEY = "$or"
SCOPES = ("MessageAttributes", "MessageBody")
OPERATORS = ("prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr")
NUMERIC_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
_MISSING = object()


class FilterPolicyError(ValueError):
    """A filter policy that Amazon SNS would refuse; the message says what and where."""


# --------------------------------------------------------------------------- matching


def matches(
    policy: dict[str, Any],
    attributes: dict[str, Any] | None,
    body: Any = None,
    scope: str = "MessageAttributes",
) -> bool:
    """True when a message passes ``policy`` (assumed valid, see :func:`validate`).

    ``attributes`` maps an attribute name to a string (String), a number (Number)
    or a list of strings/numbers (String.Array). With ``scope="MessageBody"`` the
    policy is applied to ``body``, the decoded JSON body, and ``attributes`` is
    ignored; a body that is not a JSON object has no properties.
    """
    if scope == "MessageBody":
        return any(_match_object(policy, obj) for obj in _objects(body))
    return _match_object(policy, attributes or {})


def _match_object(policy: dict[str, Any], obj: dict[str, Any]) -> bool:
    return all(_match_entry(key, spec, obj) for key, spec in policy.items())


def _match_entry(key: str, spec: Any, obj: dict[str, Any]) -> bool:
    if _is_or(key, spec):
        return any(_match_object(sub, obj) for sub in spec)
    value = obj.get(key, _MISSING)
    if isinstance(spec, dict):
        return any(_match_object(spec, child) for child in _objects(value))
    return any(_match_rule(rule, value) for rule in spec)


def _objects(value: Any) -> list[dict[str, Any]]:
    """The JSON objects a nested policy applies to: the object itself, or the
    objects inside an array; ``[{}]`` when there are none (every key is absent)."""
    found = [leaf for leaf in _leaves(value) if isinstance(leaf, dict)]
    return found or [{}]


def _leaves(value: Any) -> Iterator[Any]:
    """The scalar values of a property: its elements if it is an array (flattened)."""
    if isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _match_rule(rule: Any, value: Any) -> bool:
    if isinstance(rule, dict):
        ((name, arg),) = rule.items()
        if name == "exists":
            return (value is not _MISSING) == arg
        test = _OPERATOR_TESTS[name]
        return value is not _MISSING and any(test(arg, leaf) for leaf in _leaves(value))
    return value is not _MISSING and any(_equal(rule, leaf) for leaf in _leaves(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(expected: Any, actual: Any) -> bool:
    """Exact match: numbers by value, everything else by type and value."""
    if _is_number(expected) or _is_number(actual):
        return _is_number(expected) and _is_number(actual) and float(expected) == float(actual)
    return type(expected) is type(actual) and expected == actual


def _anything_but(arg: Any, leaf: Any) -> bool:
    if isinstance(arg, dict):
        return isinstance(leaf, str) and not leaf.startswith(arg["prefix"])
    excluded = arg if isinstance(arg, list) else [arg]
    return not any(_equal(item, leaf) for item in excluded)


def _numeric(arg: list[Any], leaf: Any) -> bool:
    if not _is_number(leaf):
        return False
    pairs = zip(arg[0::2], arg[1::2])
    return all(NUMERIC_OPERATORS[op](float(leaf), float(bound)) for op, bound in pairs)


def _cidr(arg: str, leaf: Any) -> bool:
    if not isinstance(leaf, str):
        return False
    try:
        return ipaddress.ip_address(leaf) in ipaddress.ip_network(arg, strict=False)
    except ValueError:
        return False


_OPERATOR_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "prefix": lambda arg, leaf: isinstance(leaf, str) and leaf.startswith(arg),
    "suffix": lambda arg, leaf: isinstance(leaf, str) and leaf.endswith(arg),
    "equals-ignore-case": lambda arg, leaf: isinstance(leaf, str) and leaf.lower() == arg.lower(),
    "anything-but": _anything_but,
    "numeric": _numeric,
    "cidr": _cidr,
}


def _is_or(key: str, spec: Any) -> bool:
    """AWS recognises ``$or`` only for an array of at least two objects none of
    whose keys is an operator name; otherwise ``$or`` is an ordinary key."""
    return (
        key == OR_KEY
        and isinstance(spec, list)
        and len(spec) >= 2
        and all(isinstance(sub, dict) and sub and not set(sub) & set(OPERATORS) for sub in spec)
    )


# --------------------------------------------------------------------------- validation


def validate(policy: dict[str, Any], scope: str = "MessageAttributes") -> None:
    """Raise :class:`FilterPolicyError` if Amazon SNS would refuse ``policy``.

    Checks the structure and every operator, then AWS's limits: at most
    :data:`MAX_KEYS` keys and at most :data:`MAX_COMBINATIONS` value combinations
    (see :func:`key_paths` and :func:`combinations` for how they are counted).
    Nested objects are accepted only with ``scope="MessageBody"``.
    """
    if scope not in SCOPES:
        raise FilterPolicyError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    if not isinstance(policy, dict):
        raise FilterPolicyError(f"a filter policy is a JSON object, not {_type_name(policy)}")
    _check_object(policy, (), nested_ok=scope == "MessageBody")
    keys = key_paths(policy)
    if len(keys) > MAX_KEYS:
        names = ", ".join(".".join(path) for path in sorted(keys))
        raise FilterPolicyError(
            f"the policy has {len(keys)} keys ({names}); AWS allows at most {MAX_KEYS} keys"
        )
    total = combinations(policy)
    if total > MAX_COMBINATIONS:
        raise FilterPolicyError(
            f"the policy has {total} value combinations; AWS allows at most {MAX_COMBINATIONS}"
        )


def key_paths(policy: dict[str, Any], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """The distinct keys AWS counts against the five-key limit: the keys that hold
    a list of values (for nested body policies the leaf keys, not their parents);
    ``$or`` itself is not a key, the keys inside its sub-policies are."""
    found: set[tuple[str, ...]] = set()
    for key, spec in policy.items():
        if _is_or(key, spec):
            for sub in spec:
                found |= key_paths(sub, prefix)
        elif isinstance(spec, dict):
            found |= key_paths(spec, prefix + (key,))
        else:
            found.add(prefix + (key,))
    return found


def combinations(policy: dict[str, Any], depth: int = 1) -> int:
    """AWS's complexity count: the product over keys of the number of values,
    each multiplied by the key's nesting depth (AWS's nested example counts
    4 values at depth 3 and 3 values at depth 2 as 3 x 4 x 2 x 3 = 72); a ``$or``
    contributes the sum of its sub-policies, so the total is the sum over the
    OR branches of their products."""
    total = 1
    for key, spec in policy.items():
        if _is_or(key, spec):
            total *= sum(combinations(sub, depth) for sub in spec)
        elif isinstance(spec, dict):
            total *= combinations(spec, depth + 1)
        else:
            total *= depth * len(spec)
    return total


def _check_object(policy: dict[str, Any], path: tuple[str, ...], nested_ok: bool) -> None:
    if not policy and path:
        raise FilterPolicyError(f"{_where(path)}: an empty object is not a valid nested policy")
    for key, spec in policy.items():
        here = path + (str(key),)
        if not isinstance(key, str):
            raise FilterPolicyError(f"{_where(here)}: keys must be strings")
        if _is_or(key, spec):
            for index, sub in enumerate(spec):
                _check_object(sub, path + (f"$or[{index}]",), nested_ok)
        elif key == OR_KEY and _looks_like_or(spec):
            raise FilterPolicyError(
                f"{_where(here)}: '$or' needs a list of at least two non-empty sub-policies "
                "whose keys are not operator names"
            )
        elif isinstance(spec, dict):
            if not nested_ok:
                raise FilterPolicyError(
                    f"{_where(here)}: nested objects need scope MessageBody; "
                    "scope MessageAttributes does not support nested filter policies"
                )
            _check_object(spec, here, nested_ok)
        elif isinstance(spec, list):
            if not spec:
                raise FilterPolicyError(f"{_where(here)}: the list of values is empty")
            for rule in spec:
                _check_rule(rule, here)
        else:
            raise FilterPolicyError(
                f"{_where(here)}: values must be in a list (or an object in scope MessageBody), "
                f"not {_type_name(spec)} {spec!r}"
            )


def _looks_like_or(spec: Any) -> bool:
    """A ``$or`` list holding sub-policies that AWS would not read as ``$or``
    (fewer than two, or empty ones); a list of plain values or operator objects
    is left alone, since AWS then treats ``$or`` as an ordinary key."""
    if not isinstance(spec, list):
        return False
    return any(isinstance(s, dict) and not (len(s) == 1 and set(s) <= set(OPERATORS)) for s in spec)


def _check_rule(rule: Any, path: tuple[str, ...]) -> None:
    if rule is None or isinstance(rule, (str, bool)):
        return
    if _is_number(rule):
        _check_finite(rule, f"{_where(path)}: value")
        return
    if not isinstance(rule, dict):
        raise FilterPolicyError(
            f"{_where(path)}: {rule!r} is not a string, number, true, false, null or operator object"
        )
    if len(rule) != 1:
        raise FilterPolicyError(
            f"{_where(path)}: an operator object has exactly one operator, got {sorted(rule) or 'none'}"
        )
    ((name, arg),) = rule.items()
    check = _OPERATOR_CHECKS.get(name)
    if check is None:
        raise FilterPolicyError(
            f"{_where(path)}: unknown operator {name!r}; expected one of {', '.join(OPERATORS)}"
        )
    check(arg, f"{_where(path)}: {name}")


def _check_string(arg: Any, where: str) -> None:
    if not isinstance(arg, str):
        raise FilterPolicyError(f"{where} needs a string, not {_type_name(arg)} {arg!r}")


def _check_exists(arg: Any, where: str) -> None:
    if not isinstance(arg, bool):
        raise FilterPolicyError(f"{where} needs true or false, not {arg!r}")


def _check_cidr(arg: Any, where: str) -> None:
    _check_string(arg, where)
    try:
        if "/" not in arg:
            raise ValueError("no '/'")
        ipaddress.ip_network(arg, strict=False)
    except ValueError:
        raise FilterPolicyError(
            f"{where}: {arg!r} is not an IPv4 or IPv6 CIDR block such as '10.0.0.0/24'"
        ) from None


def _check_anything_but(arg: Any, where: str) -> None:
    if isinstance(arg, dict):
        if list(arg) != ["prefix"]:
            raise FilterPolicyError(
                f"{where}: inside an object only 'prefix' is supported by SNS, got {sorted(arg) or 'none'}"
            )
        _check_string(arg["prefix"], f"{where} prefix")
    elif isinstance(arg, list):
        if not arg:
            raise FilterPolicyError(f"{where}: the list of excluded values is empty")
        if not (all(isinstance(v, str) for v in arg) or all(_is_number(v) for v in arg)):
            raise FilterPolicyError(f"{where}: the excluded values must be all strings or all numbers")
        for value in arg:
            if _is_number(value):
                _check_finite(value, where)
    elif isinstance(arg, str) or _is_number(arg):
        return
    else:
        raise FilterPolicyError(
            f"{where} needs a string, a number, a list of them or {{'prefix': ...}}, not {arg!r}"
        )


def _check_numeric(arg: Any, where: str) -> None:
    if not isinstance(arg, list) or not arg:
        raise FilterPolicyError(f"{where} needs a list such as ['>', 0, '<=', 150], not {arg!r}")
    for op in arg[0::2]:
        if not isinstance(op, str) or op not in NUMERIC_OPERATORS:
            raise FilterPolicyError(
                f"{where} operator {op!r} is not one of {', '.join(NUMERIC_OPERATORS)}"
            )
    for op, bound in zip(arg[0::2], arg[1::2]):
        if not _is_number(bound):
            raise FilterPolicyError(f"{where} operator {op!r} needs a number, not {bound!r}")
        _check_finite(bound, where)
    if len(arg) % 2:
        raise FilterPolicyError(f"{where} operator {arg[-1]!r} needs a number after it")
    if len(arg) == 2:
        return
    if len(arg) != 4:
        raise FilterPolicyError(
            f"{where} needs an operator and a number, or a range of two, not {len(arg)} items"
        )
    (low_op, low, high_op, high) = arg
    if low_op not in (">", ">=") or high_op not in ("<", "<="):
        raise FilterPolicyError(
            f"{where} range must be '>' or '>=' then '<' or '<=', not {low_op!r} then {high_op!r}"
        )
    if low >= high:
        raise FilterPolicyError(f"{where} range bottom {low} must be less than top {high}")


def _check_finite(value: float, where: str) -> None:
    if not math.isfinite(value):
        raise FilterPolicyError(f"{where}: {value!r} is not a finite number")


_OPERATOR_CHECKS: dict[str, Callable[[Any, str], None]] = {
    "prefix": _check_string,
    "suffix": _check_string,
    "equals-ignore-case": _check_string,
    "anything-but": _check_anything_but,
    "numeric": _check_numeric,
    "exists": _check_exists,
    "cidr": _check_cidr,
}


def _where(path: tuple[str, ...]) -> str:
    return "key " + repr(".".join(path))


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number" if _is_number(value) else type(value).__name__)
