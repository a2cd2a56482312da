"""The `flowdeck` command (FORMAT.md section 3). Exit codes: 0 done, 2 bad input, 1 anything else.

`flowdeck` and `flowdeck FILE` open the app; the GUI is imported only then, so the headless
commands never load Qt.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

from engine import cli_cfn, cli_export, cli_sweep, examples, fileio, summary
from engine.fileio import MAX_DURATION_S, MAX_SEED, LoadError
from engine.propcheck import PropError, number, quote
from engine.sweep import SweepError
from engine.world import NotSimulated

COMMANDS = ("run", "validate", "examples", "screenshot", "video", "sweep", *cli_cfn.COMMANDS)
MIN_SERIES_INTERVAL_S = 0.1
MAX_SERIES_SAMPLES = 1_000_000  # duration / series interval: bounds the series in memory and in the report


class BadInput(Exception):
    """Bad input from the user: one clear message, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """Argument errors are bad input: one line and exit code 2 (not argparse's usage block)."""

    def error(self, message: str):
        # "argument --seed: -1 is below ..." reads "--seed -1 is below ..."; other errors keep the colon
        message = re.sub(r"^argument (\S+): (?=must|[-+\d.])", r"\1 ", message)
        raise BadInput(f"{message} (see {self.prog} --help)")


def _bounded(lo: float, hi: float, unit: str = "", integer: bool = False, above: bool = False):
    """An argparse type: a finite number in [lo, hi] (above lo when `above`), by the file's rules."""
    def parse(text: str) -> float:
        try:
            value: float = int(text) if integer and text.strip().lstrip("+-").isdigit() else float(text)
            if above and value <= lo:
                raise PropError(f"must be above {lo:g}, not {value:g}")
            return number(value, lo, hi, unit, integer)
        except (ValueError, OverflowError) as e:
            kind = "int" if integer else "float"
            message = e.message if isinstance(e, PropError) else f"invalid {kind} value: {quote(text)}"
            raise argparse.ArgumentTypeError(message) from None
    return parse


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="flowdeck", description="Simulate and animate AWS architectures.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a topology headless and print a summary")
    run.add_argument("file", help="a .flowdeck.json file or the name of a built-in example")
    run.add_argument("--duration", type=_bounded(0, MAX_DURATION_S, "s", above=True),
                     help=f"simulated seconds, up to {MAX_DURATION_S:.0f} (30 days; default: the file's duration_s)")
    run.add_argument("--seed", type=_bounded(0, MAX_SEED, integer=True),
                     help="random seed, a whole number from 0 to 2**63-1 (default: the file's seed)")
    run.add_argument("--report", help="write the JSON run report to this path")
    run.add_argument("--series-interval", type=_bounded(MIN_SERIES_INTERVAL_S, MAX_DURATION_S, "s"), default=10.0,
                     help=f"seconds between series samples (at least {MIN_SERIES_INTERVAL_S:g}; "
                          f"at most {MAX_SERIES_SAMPLES:,} samples in a run)")
    run.add_argument("--trace-every", type=_bounded(1, 10**9, integer=True), default=None, metavar="N",
                     help="trace every N-th request of each client and message of each producer (report: traces)")
    val = sub.add_parser("validate", help="check a topology file")
    val.add_argument("file")
    sub.add_parser("examples", help="list the built-in example topologies")
    shot = sub.add_parser("screenshot", help="render the live view to a PNG, JPEG, SVG or PDF, no display needed")
    shot.add_argument("file")
    shot.add_argument("out")
    shot.add_argument("--at", type=_bounded(0, MAX_DURATION_S, "s"), default=0.0,
                      help="simulated time to run to first (s, up to 30 days)")
    shot.add_argument("--size", default="1280x800", help="WIDTHxHEIGHT in pixels")
    shot.add_argument("--theme", choices=("light", "dark"), default="light")
    cli_export.add_video_parser(sub, _bounded, MAX_DURATION_S)
    cli_sweep.add_parser(sub, _bounded)
    cli_cfn.add_commands(sub)
    return p


def load(file_or_name: str):
    return fileio.load(examples.resolve(file_or_name))


def cmd_run(args: argparse.Namespace) -> int:
    from engine.simulation import Simulation
    doc = load(args.file)
    duration = doc.duration_s if args.duration is None else args.duration
    if duration / args.series_interval > MAX_SERIES_SAMPLES:
        raise BadInput(f"--series-interval {args.series_interval:g} s over {duration:g} s would take "
                       f"{duration / args.series_interval:,.0f} samples, over the limit of {MAX_SERIES_SAMPLES:,}: "
                       "choose a longer interval")
    if args.report:
        _check_writable(Path(args.report))    # before the run, not after minutes of it
    sim = Simulation(doc, seed=args.seed, series_interval=args.series_interval)
    if args.trace_every:
        from engine.trace import Tracer, attach
        attach(sim.world, Tracer(int(args.trace_every)))
    start = time.perf_counter()
    sim.run_until(duration)
    report = sim.report(wall_s=time.perf_counter() - start)
    if args.report:
        text = json.dumps(report, indent=2, sort_keys=True) + "\n"
        try:
            Path(args.report).write_text(text, encoding="utf-8")
        except OSError as e:
            raise BadInput(f"{args.report}: cannot write the report: {e.strerror or e}") from None
    print(summary.render(report))
    return 0


def _check_writable(path: Path) -> None:
    if path.is_dir():
        raise BadInput(f"{path}: cannot write the report: it is a folder")
    if not path.parent.is_dir():
        raise BadInput(f"{path}: cannot write the report: no folder {path.parent}")


def cmd_validate(args: argparse.Namespace) -> int:
    doc = load(args.file)
    from engine.world import World
    World(doc)  # also proves the engine can build it
    print("ok")
    return 0


def cmd_examples(args: argparse.Namespace) -> int:
    names = examples.names()
    width = max(map(len, names), default=0)
    for name in names:
        title, description = examples.summary(name)
        print(f"{name.ljust(width)}  {title}")
        if description:
            print(f"{' ' * width}  {description.splitlines()[0]}")
    return 0


def cmd_screenshot(args: argparse.Namespace) -> int:
    w, h = cli_export.parse_size(args.size)
    cli_export.check_out(args.out, cli_export.IMAGE_SUFFIXES, "image")
    doc = load(args.file)
    try:
        from gui.screenshot import render_screenshot
    except ImportError as e:
        print(f"flowdeck: the live view is not available: {e}", file=sys.stderr)
        return 1
    try:
        render_screenshot(doc, args.out, at=args.at, size=(w, h), theme=args.theme)
    except OSError as e:
        raise BadInput(f"{args.out}: cannot write the image: {e.strerror or e}") from None
    return 0


def open_app(argv: list[str]) -> int:
    path = None
    if argv:
        if len(argv) > 1 or argv[0].startswith("-"):
            raise BadInput(f"usage: flowdeck [FILE] or flowdeck {{{','.join(COMMANDS)}}} ...")
        path = examples.resolve(argv[0])
    error = None
    if path:
        try:
            fileio.load(path)  # a bad file is refused before any window opens
        except LoadError as e:
            if not _has_display():
                raise
            # a double-click in a file manager has no terminal: the app says it in a dialog instead
            print(f"flowdeck: {e}", file=sys.stderr)
            path, error = None, str(e)
    target = str(path or examples.path(examples.DEMO))
    if not _has_display():
        print("flowdeck: no display to open the app on (DISPLAY and WAYLAND_DISPLAY are unset); "
              f"running {Path(target).name} headless instead. Use 'flowdeck screenshot' for a picture.",
              file=sys.stderr)
        return main(["run", target])
    from gui.app import main as gui_main
    return gui_main(str(path) if path else None, error=error)


def _has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
            return open_app(argv)
        args = _parser().parse_args(argv)
        return {"run": cmd_run, "validate": cmd_validate, "examples": cmd_examples,
                "screenshot": cmd_screenshot, "video": lambda a: cli_export.cmd_video(a, load),
                "sweep": cli_sweep.cmd_sweep, **cli_cfn.COMMANDS}[args.command](args)
    except (LoadError, NotSimulated, BadInput, SweepError, cli_export.OutError, *cli_cfn.ERRORS) as e:
        print(f"flowdeck: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 1
    except BrokenPipeError:    # `flowdeck run X | head`: the reader has gone; nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # no second error at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
