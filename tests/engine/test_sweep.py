"""`flowdeck sweep` (FORMAT.md 4.1, 4.5): variants, rows equal to plain runs, failures, versions."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from engine import cli, cli_sweep, examples, fileio, sweep
from engine.sweep_stats import mean_by_variant, pareto_front


def _variant_data(vary: list[str], values: tuple) -> dict:
    data = fileio.to_data(fileio.load(examples.path("web-tier")))
    for v, x in zip(vary, values):
        sweep.apply(data, sweep.parse_vary(v + "=0").path, x)
    return data


def test_every_row_equals_a_plain_flowdeck_run_of_its_variant_and_seed(tmp_path, capsys):
    """The sweep runs on a local Dask cluster of two worker processes; each row is then checked
    against `flowdeck run FILE --seed S --report` of the same values, read from that report."""
    out = tmp_path / "s.csv"
    vary = ["web.max_size", "users.rate_rps"]
    code = cli.main(["sweep", "web-tier", "--vary", "web.max_size=2,4", "--vary", "users.rate_rps=40,80",
                     "--seeds", "2", "--duration", "200", "--workers", "2", "--out", str(out)])
    assert code == 0
    rows = list(csv.DictReader(out.open()))
    assert [(r["web.max_size"], r["users.rate_rps"], r["seed"]) for r in rows] == [
        (m, r, s) for m in ("2", "4") for r in ("40", "80") for s in ("1", "2")]   # the stable order
    for row in rows:
        values = (int(row["web.max_size"]), int(row["users.rate_rps"]))
        path = tmp_path / f"v{values[0]}-{values[1]}.flowdeck.json"
        path.write_text(json.dumps(_variant_data(vary, values)))
        report_path = tmp_path / "r.json"
        assert cli.main(["run", str(path), "--seed", row["seed"], "--duration", "200",
                         "--report", str(report_path)]) == 0
        report = json.loads(report_path.read_text())
        led, users = report["ledger"], report["nodes"]["users"]
        assert row["error"] == "" and row["balanced"] == str(led["balanced"])
        assert int(row["requests"]) == led["requests"]["generated"] == users["totals"]["sent"]
        assert float(row["error_rate"]) == pytest.approx(users["totals"]["failed"] / users["totals"]["sent"], abs=1e-6)
        for q in ("p50", "p95", "p99"):
            assert float(row[f"latency_{q}_s"]) == pytest.approx(users["latency_s"][q], abs=1e-6)
        assert float(row["cost_usd"]) == report["cost"]["total_usd"]
        assert int(row["max_instances"]) == max(report["series"]["web"]["in_service"])
        assert int(row["dead_lettered"]) == led["messages"]["dead_lettered"]
    capsys.readouterr()


def test_nested_paths_make_the_template_they_go_into():
    data = fileio.to_data(fileio.load(examples.path("web-tier")))
    sweep.apply(data, "web.instance.concurrency", 7)
    sweep.apply(data, "web.policies.0.target", 70)
    doc = fileio.from_data(data)
    assert doc.nodes["web"].props["instance"]["concurrency"] == 7
    assert doc.nodes["web"].props["policies"][0]["target"] == 70


@pytest.mark.parametrize("vary, words", [
    ("nosuch.rate_rps=1,2", ["no node or edge", "nosuch"]),
    ("web.policies.9.target=1", ["not an index", "9"]),
    ("simulation.title=1", ["duration_s", "seed"]),
    ("web.max_size", ["TARGET.PROP=V1,V2"]),
])
def test_a_vary_the_sweep_cannot_use_is_one_clear_line(vary, words, tmp_path, capsys):
    code = cli.main(["sweep", "web-tier", "--vary", vary, "--out", str(tmp_path / "s.csv")])
    err = capsys.readouterr().err
    assert code == 2 and all(w in err for w in words) and "Traceback" not in err
    assert not (tmp_path / "s.csv").exists()


def test_a_value_the_loader_refuses_names_the_variant_and_the_field(tmp_path, capsys):
    code = cli.main(["sweep", "web-tier", "--vary", "users.rate_rps=10,-5", "--out", str(tmp_path / "s.csv")])
    err = capsys.readouterr().err
    assert code == 2 and "users.rate_rps=-5" in err and "rate_rps" in err
    assert not (tmp_path / "s.csv").exists()


def test_a_run_that_fails_is_a_row_with_its_error():
    row = sweep.run_variant({"format": "something else"}, 1, 10.0)
    assert row["error"].startswith("LoadError") and row["requests"] == ""


class _Client:
    def __init__(self, versions: dict) -> None:
        self.versions = versions

    def run(self, fn):
        return self.versions


def test_a_worker_with_another_flowdeck_is_refused_before_any_run():
    mine = sweep.version()
    cli_sweep.check_versions(_Client({"tcp://a:1": mine, "tcp://b:2": mine}))
    with pytest.raises(cli_sweep.VersionMismatch) as e:
        cli_sweep.check_versions(_Client({"tcp://a:1": mine, "tcp://b:2": "0.0.9 (engine 000000000000)"}))
    assert "tcp://b:2" in str(e.value) and "0.0.9" in str(e.value) and mine in str(e.value)


def test_the_version_fingerprint_changes_with_the_engine_code(tmp_path):
    engine_dir = Path(sweep.__file__).resolve().parent
    copy = tmp_path / "engine"
    shutil.copytree(engine_dir, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert sweep.fingerprint(copy) == sweep.version()
    (copy / "kernel.py").write_text((copy / "kernel.py").read_text() + "# another build\n")
    assert sweep.fingerprint(copy) != sweep.version()


def test_pareto_front_keeps_only_points_nothing_beats_on_cost_and_latency():
    points = [(1.0, 5.0, "a"), (2.0, 3.0, "b"), (2.5, 4.0, "c"), (3.0, 1.0, "d"), (1.5, 6.0, "e")]
    assert [p[2] for p in pareto_front(points)] == ["a", "b", "d"]


def test_means_over_seeds_leave_failed_runs_out():
    rows = [{"x": "1", "m": "2", "error": ""}, {"x": "1", "m": "4", "error": ""}, {"x": "1", "m": "", "error": "boom"}]
    assert mean_by_variant(rows, ["x"], ["m", "m"]) == {("1",): {"m": 3.0}}
