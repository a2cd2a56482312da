"""Evaluating a template's intrinsic functions with its Parameters' defaults.

`Ref` to a parameter gives its default, to a resource a `Ref` marker naming the resource;
`Fn::GetAtt` gives an `Att` marker. `Fn::If` takes the branch its condition picks (conditions are
evaluated with the defaults), `AWS::NoValue` removes the property. `Fn::Sub` and `Fn::Join` build
strings; a resource inside them reads as its logical id.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

REGION = "us-east-1"
PSEUDO = {"AWS::Region": REGION, "AWS::AccountId": "123456789012", "AWS::StackName": "flowdeck",
          "AWS::StackId": "flowdeck-stack", "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
          "AWS::NotificationARNs": []}
AZS = [f"{REGION}{z}" for z in "abc"]


class Removed:
    """AWS::NoValue: the property (or list item) is left out."""


NO_VALUE = Removed()


@dataclass(frozen=True)
class Ref:
    target: str

    def __str__(self) -> str:
        return self.target


@dataclass(frozen=True)
class Att:
    target: str
    attr: str

    def __str__(self) -> str:
        return f"{self.target}.{self.attr}"


def target_of(value: Any) -> str | None:
    """The logical id a value refers to (`Ref` or `Fn::GetAtt`), else None."""
    return value.target if isinstance(value, (Ref, Att)) else None


class Resolver:
    def __init__(self, template: dict) -> None:
        self.resources = template.get("Resources", {})
        self.params = {name: _default(p) for name, p in template.get("Parameters", {}).items()}
        self.mappings = template.get("Mappings", {})
        self._conditions = template.get("Conditions", {})
        self._evaluated: dict[str, bool] = {}

    def condition(self, name: Any, depth: int = 0) -> bool:
        if not isinstance(name, str):
            return False
        if name not in self._evaluated:
            if depth > 50 or name not in self._conditions:
                return False
            self._evaluated[name] = False      # a condition that refers to itself is false
            self._evaluated[name] = bool(self._truth(self._conditions[name], depth + 1))
        return self._evaluated[name]

    def _truth(self, expr: Any, depth: int) -> bool:
        if depth > 100:
            return False
        if isinstance(expr, dict) and len(expr) == 1:
            (fn, args), = expr.items()
            if fn == "Condition":
                return self.condition(args, depth)
            if fn == "Fn::Equals" and isinstance(args, list) and len(args) == 2:
                a, b = (self.value(x, depth) for x in args)
                return _text(a) == _text(b)
            if fn == "Fn::Not" and isinstance(args, list) and args:
                return not self._truth(args[0], depth + 1)
            if fn == "Fn::And" and isinstance(args, list):
                return all(self._truth(x, depth + 1) for x in args)
            if fn == "Fn::Or" and isinstance(args, list):
                return any(self._truth(x, depth + 1) for x in args)
        return bool(self.value(expr, depth))

    def value(self, v: Any, depth: int = 0) -> Any:
        """`v` with every intrinsic function evaluated; AWS::NoValue gives NO_VALUE."""
        if depth > 100:
            return None
        if isinstance(v, list):
            items = (self.value(x, depth + 1) for x in v)
            return [x for x in items if x is not NO_VALUE]
        if not isinstance(v, dict):
            return v
        if len(v) == 1:
            (fn, args), = v.items()
            handler = _FUNCTIONS.get(fn)
            if handler is not None:
                return handler(self, args, depth + 1)
        out = {}
        for key, item in v.items():
            item = self.value(item, depth + 1)
            if item is not NO_VALUE:
                out[str(key)] = item
        return out

    def _ref(self, name: Any, depth: int) -> Any:
        if not isinstance(name, str):
            return None
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.params:
            return self.params[name]
        return Ref(str(name))

    def _get_att(self, args: Any, depth: int) -> Any:
        if isinstance(args, str):
            args = args.split(".", 1)
        if isinstance(args, list) and len(args) == 2:
            return Att(str(args[0]), str(self.value(args[1], depth)))
        return None

    def _if(self, args: Any, depth: int) -> Any:
        if not (isinstance(args, list) and len(args) == 3):
            return None
        return self.value(args[1] if self.condition(args[0]) else args[2], depth)

    def _sub(self, args: Any, depth: int) -> Any:
        text, local = (args, {}) if isinstance(args, str) else (args + [None, {}])[:2] if isinstance(args, list) else ("", {})
        local = self.value(local, depth) if isinstance(local, dict) else {}

        def one(m: re.Match) -> str:
            name = m.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in local:
                return _text(local[name])
            if "." in name and name.split(".", 1)[0] in self.resources:
                return name
            return _text(self._ref(name, depth))
        return re.sub(r"\$\{([^}]*)\}", one, str(text))

    def _join(self, args: Any, depth: int) -> Any:
        if not (isinstance(args, list) and len(args) == 2):
            return None
        items = self.value(args[1], depth)
        return str(args[0]).join(_text(x) for x in items) if isinstance(items, list) else _text(items)

    def _select(self, args: Any, depth: int) -> Any:
        if not (isinstance(args, list) and len(args) == 2):
            return None
        index, items = self.value(args[0], depth), self.value(args[1], depth)
        try:
            return items[int(index)]
        except (TypeError, ValueError, IndexError, KeyError):
            return None

    def _find_in_map(self, args: Any, depth: int) -> Any:
        if not (isinstance(args, list) and len(args) == 3):
            return None
        keys = [_text(self.value(a, depth)) for a in args]
        try:
            return self.value(self.mappings[keys[0]][keys[1]][keys[2]], depth)
        except (KeyError, TypeError):
            return None

    def _split(self, args: Any, depth: int) -> Any:
        if not (isinstance(args, list) and len(args) == 2) or not _text(args[0]):
            return None     # Fn::Split needs a delimiter
        return _text(self.value(args[1], depth)).split(_text(args[0]))


def _text(v: Any) -> str:
    if isinstance(v, list):
        return ",".join(_text(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None or v is NO_VALUE else str(v)


def _default(param: Any) -> Any:
    if not isinstance(param, dict) or "Default" not in param:
        return None
    default, kind = param["Default"], str(param.get("Type", "String"))
    if isinstance(default, str) and (kind.startswith("List<") or kind == "CommaDelimitedList"):
        return [s.strip() for s in default.split(",")]
    return default


_FUNCTIONS = {
    "Ref": Resolver._ref, "Fn::GetAtt": Resolver._get_att, "Fn::If": Resolver._if, "Fn::Sub": Resolver._sub,
    "Fn::Join": Resolver._join, "Fn::Select": Resolver._select, "Fn::FindInMap": Resolver._find_in_map,
    "Fn::Split": Resolver._split,
    "Fn::GetAZs": lambda self, args, depth: list(AZS),
    "Fn::Base64": lambda self, args, depth: _text(self.value(args, depth)),
    "Fn::ImportValue": lambda self, args, depth: "import:" + _text(self.value(args, depth)),
    "Fn::Equals": lambda self, args, depth: self._truth({"Fn::Equals": args}, depth),
    "Condition": lambda self, args, depth: self.condition(args),
}
