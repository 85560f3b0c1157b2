from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from gigacluster.cli import app
from gigacluster.cli.common import run_guarded

runner = CliRunner()


def test_train_json_has_the_documented_keys() -> None:
    res = runner.invoke(app, ["train", "--model", "llama3-8b", "--gpus", "64", "--global-batch-tokens", "2M",
                              "--tokens", "1T", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for key in ("layout", "step_time_s", "step_breakdown_s", "mfu", "memory_gb", "tokens_per_s"):
        assert key in out["best"]
    assert set(out["search"]) == {"candidates", "feasible", "seconds"}
    run = out["run"]
    assert run["gpu_hours_failure_free"] == pytest.approx(run["failure_free_days"] * 24 * 64)
    assert run["gpu_hours"] == pytest.approx(run["wall_days"] * 24 * 64)
    assert run["gpu_hours"] >= run["gpu_hours_failure_free"]
    cost = run["cost_usd"]
    assert cost["total_usd"] == pytest.approx(cost["amortised_usd"] + cost["energy_usd"])


def test_train_csv_is_one_row_per_top_layout() -> None:
    res = runner.invoke(app, ["train", "--model", "llama3-8b", "--gpus", "64", "--global-batch-tokens", "2M",
                              "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert 1 <= len(rows) <= 5
    assert {"layout.tp", "step_time_s", "mfu", "memory_gb"} <= set(rows[0])
    times = [float(r["step_time_s"]) for r in rows]
    assert times == sorted(times)


def test_version() -> None:
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.strip().startswith("gigacluster ")


@pytest.mark.parametrize(("args", "needle"), [
    (["train", "--accelerator", "h100"], "accelerator: unknown 'h100'; did you mean"),
    (["train", "--model", "lama3-8b"], "model: unknown"),
    (["train", "--gpus", "-4"], "gpus: expected a number"),
    (["train", "--tp", "0"], "tp: must be > 0, got 0"),
    (["train", "--sharding", "zero4"], "sharding: 'zero4' not one of"),
    (["train", "--model", "llama3-8b", "--gpus", "100", "--tp", "8"], "tp=8 must divide the GPU count"),
    (["train", "--model", "llama3-8b", "--precision", "int3"], "precision: 'int3' not one of"),
    (["validate", "training", "--cases", "/nonexistent.csv"], "cases: no such file"),
    # values the option parser refuses: the option, what is allowed and the value, not pydantic's own text
    (["cost", "--usd-per-mwh", "abc"], "usd-per-mwh: expected a number, got 'abc'"),
    (["cost", "--format", ""], "format: '' is not one of 'table', 'json', 'csv'"),
    (["calibrate", "--tokens", "1.5"], "tokens: expected a whole number, got '1.5'"),
    (["reliability", "--gpus", "1k", "--days", "nan"], "days: must be a finite number, got nan"),
    (["serve", "--model", "llama3-8b", "--accelerator", "h100-sxm", "--prefix-hit-rate", "1e30"],
     "prefix_hit_rate: must be < 1.0, got 1e+30"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], needle: str, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["gigacluster", *args])
    assert run_guarded(app) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "Traceback" not in err
    assert len(err.splitlines()) <= 3  # one logical line (the console may wrap it)


def test_model_yaml_and_hf_config_paths(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cfg = {"model_type": "llama", "num_hidden_layers": 4, "hidden_size": 512, "num_attention_heads": 8,
           "num_key_value_heads": 2, "intermediate_size": 1536, "vocab_size": 32000, "hidden_act": "silu"}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(cfg))
    res = runner.invoke(app, ["train", "--model", str(path), "--gpus", "8", "--seq-len", "2048",
                              "--global-batch-tokens", "64k", "--format", "json"])
    assert res.exit_code == 0, res.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("layers: [oops\n")
    res = runner.invoke(app, ["train", "--model", str(bad)])
    assert res.exit_code != 0
