"""The command line refuses non-finite and absurd numbers with one line and exit code 2 (issue 8).

Before: `run --duration inf`, `run --series-interval 1e-300` and `screenshot --at inf` never
ended, `run --duration nan` exited 0 having done nothing, `--seed -1` was accepted though a file
refuses it, and argparse errors printed a usage block of 3-4 lines.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from engine import cli


def flowdeck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args, words", [
    (("run", "web-tier", "--duration", "inf"), "--duration must be a finite number, not inf"),
    (("run", "web-tier", "--duration", "nan"), "--duration must be a finite number, not nan"),
    (("run", "web-tier", "--duration", "0"), "--duration must be above 0"),
    (("run", "web-tier", "--duration", "1e9"), "above the maximum of 2592000 s"),
    (("run", "web-tier", "--series-interval", "1e-300"), "below the minimum of 0.1 s"),
    (("run", "web-tier", "--series-interval=-inf"), "--series-interval must be a finite number"),
    (("run", "web-tier", "--series-interval", "0.1", "--duration", "200000"), "over the limit of 1,000,000"),
    (("run", "web-tier", "--seed", "-1"), "--seed -1 is below the minimum of 0"),
    (("run", "web-tier", "--seed", "1e23"), "--seed 1e+23 is above the maximum"),
    (("run", "web-tier", "--seed", "1" + "0" * 30), "is above the maximum of 9223372036854775807"),
    (("run", "web-tier", "--seed", "1.5"), "--seed must be a whole number"),
    (("screenshot", "web-tier", "out.png", "--at", "inf"), "--at must be a finite number"),
    (("screenshot", "web-tier", "out.png", "--at", "-1"), "below the minimum of 0"),
    (("run", "web-tier", "--no-such-option"), "unrecognized arguments: --no-such-option"),
    (("run",), "the following arguments are required: file"),
])
def test_bad_arguments_exit_2_with_one_line(args, words):
    proc = flowdeck(*args)
    assert proc.returncode == 2, proc
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("flowdeck: "), proc.stderr
    assert words in proc.stderr and "usage:" not in proc.stderr


def test_seed_follows_the_files_rules(capsys):
    """A file's simulation.seed is a whole number from 0 to 2**63-1; the command line takes the same."""
    parse = cli._parser().parse_args
    assert parse(["run", "x", "--seed", "5.0"]).seed == 5
    assert parse(["run", "x", "--seed", str(2**63 - 1)]).seed == 2**63 - 1
    with pytest.raises(cli.BadInput, match="above the maximum"):
        parse(["run", "x", "--seed", str(2**63)])


def test_help_still_prints_and_exits_0():
    proc = flowdeck("run", "--help")
    assert proc.returncode == 0 and "--series-interval" in proc.stdout


def test_a_report_path_that_cannot_be_written_is_refused_before_the_run(tmp_path):
    """Found by trying it: `--report <a folder>` was refused only after the whole run."""
    for where, words in ((tmp_path, "it is a folder"), (tmp_path / "no" / "r.json", "no folder")):
        done = flowdeck("run", "web-tier", "--duration", "1000000", "--report", str(where))
        assert done.returncode == 2 and words in done.stderr and done.stdout == ""
