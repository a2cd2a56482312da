"""`flowdeck import-cfn` and `flowdeck export-cfn` (FORMAT.md 4.1): the command-line glue of engine.cfn."""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from engine import fileio
from engine.cfn.import_ import Imported, import_template
from engine.cfn.parse import CfnError, read
from engine.model import Document

NODE_SIZE, GROUP_SIZE = (200.0, 130.0), (300.0, 230.0)   # about what the canvas draws, for the layout


def add_commands(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser("import-cfn", help="turn a CloudFormation template into a topology")
    imp.add_argument("template", help="a CloudFormation template, YAML or JSON")
    imp.add_argument("-o", "--out", help="write the topology here (default: TEMPLATE's name + .flowdeck.json)")
    exp = sub.add_parser("export-cfn", help="write a CloudFormation template for a topology")
    exp.add_argument("file", help="a .flowdeck.json file or the name of a built-in example")
    exp.add_argument("-o", "--out", help="write the template here (default: FILE's name + .template.json)")


def import_file(path: str | os.PathLike) -> tuple[Document, Imported]:
    """Read, map and lay out a template; raises CfnError (bad template) or fileio.LoadError."""
    template = read(path)
    title = str(template.get("Description") or Path(path).stem).strip().splitlines()[0][:200]
    result = import_template(template, title)
    doc = fileio.from_data(result.data, str(path))
    lay_out(doc)
    return doc, result


def lay_out(doc: Document) -> None:
    """Left-to-right layers that follow the traffic: the editor's own auto layout (gui.editing.layout,
    which needs networkx only, not Qt)."""
    from gui.editing.layout import auto_layout
    sizes = {n.id: GROUP_SIZE if n.kind == "auto_scaling_group" else NODE_SIZE for n in doc.nodes.values()}
    for node_id, pos in auto_layout(doc, sizes).items():
        doc.nodes[node_id].pos = pos


def summary_lines(result: Imported) -> list[str]:
    lines = [f"Mapped {len(result.mapped)} resources:"]
    lines += [f"  {lid} ({kind}): {what}" for lid, kind, what in result.mapped]
    lines.append(f"Left out {len(result.left_out)} resources:")
    lines += [f"  {lid} ({kind}): {why}" for lid, kind, why in result.left_out]
    if result.notes:
        lines.append("Not expressed in the topology:")
        lines += [f"  {note}" for note in result.notes]
    return lines


def cmd_import(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else _beside(Path(args.template), ".flowdeck.json")
    _check_writable(out)
    doc, result = import_file(args.template)
    fileio.save(doc, out)
    print("\n".join(summary_lines(result)))
    print(f"Wrote {out}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from engine.cfn.export import export_template
    from engine.cli import load
    doc = load(args.file)
    out = Path(args.out) if args.out else _beside(Path(args.file), ".template.json")
    _check_writable(out)
    write_json(export_template(doc), out)
    print(f"Wrote {out}")
    return 0


def write_json(data: dict, target: Path) -> None:
    """Atomically: a temporary file beside the target, renamed over it (no half-written template)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _beside(path: Path, suffix: str) -> Path:
    name = path.name
    for ending in (".flowdeck.json", ".template.json", ".json", ".yaml", ".yml", ".template"):
        if name.endswith(ending):
            name = name[: -len(ending)]
            break
    return Path(name + suffix) if not path.exists() else path.with_name(name + suffix)


def _check_writable(path: Path) -> None:
    if path.is_dir():
        raise CfnError(str(path), "cannot write here: it is a folder")
    if not path.parent.is_dir():
        raise CfnError(str(path), f"cannot write here: no folder {path.parent}")


COMMANDS = {"import-cfn": cmd_import, "export-cfn": cmd_export}
ERRORS = (CfnError,)
