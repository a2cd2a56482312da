"""Reading a CloudFormation template (YAML or JSON, short-form tags included) with cfn-lint's decoder.

The decoder turns `!Ref X` into `{"Ref": "X"}`, `!GetAtt A.B` into `{"Fn::GetAtt": ["A", "B"]}` and
so on, and keeps each mapping's line in the file. A file that is not a template raises CfnError:
one line naming the file, the line where known, and the problem.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

MAX_BYTES = 5_000_000   # CloudFormation's own limit for a template in S3 is 1 MB; room to spare


class CfnError(ValueError):
    """A template FlowDeck refuses: `str()` is the one message shown to the user (exit code 2)."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        where = f"{source}: line {line}: " if line else f"{source}: "
        super().__init__(where + " ".join(message.split()))


def line_of(value: Any) -> int | None:
    """The 1-based line where a decoded mapping or string starts, when the decoder recorded it."""
    mark = getattr(value, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def read(path: str | Path) -> dict:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise CfnError(str(p), f"is over {MAX_BYTES // 1_000_000} MB, too large to be a template")
        text = p.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CfnError(str(p), "no such file") from None
    except IsADirectoryError:
        raise CfnError(str(p), "is a folder, not a template") from None
    except UnicodeDecodeError as e:
        raise CfnError(str(p), f"is not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise CfnError(str(p), e.strerror or str(e)) from None
    return parse(text, str(p))


def parse(text: str, source: str = "<template>") -> dict:
    """The decoded template; raises CfnError if it is not YAML/JSON or not a CloudFormation template."""
    from cfnlint.decode import decode_str   # imported on use: it loads cfn-lint's schemas
    logging.getLogger("cfnlint").setLevel(logging.CRITICAL)   # its logger would repeat our message
    try:
        template, matches = decode_str(text)
    except RecursionError:
        raise CfnError(source, "is nested too deeply to be a template") from None
    if matches:
        first = matches[0]
        raise CfnError(source, str(getattr(first, "message", first)), getattr(first, "linenumber", None))
    check_shape(template, source)
    return template


def check_shape(template: Any, source: str) -> None:
    if not isinstance(template, dict):
        raise CfnError(source, "is not a CloudFormation template: it must be a mapping with 'Resources'")
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise CfnError(source, "is not a CloudFormation template: it has no 'Resources' section",
                       line_of(template))
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise CfnError(source, f"Resources.{logical_id} has no 'Type'", line_of(resource) or line_of(resources))
        props = resource.get("Properties", {})
        if not isinstance(props, dict):
            raise CfnError(source, f"Resources.{logical_id}.Properties must be a mapping", line_of(resource))
    for section in ("Parameters", "Conditions", "Mappings"):
        if not isinstance(template.get(section, {}), dict):
            raise CfnError(source, f"'{section}' must be a mapping", line_of(template))
