"""`gigacluster serve` and `validate inference`: JSON shape, bad input exits 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from gigacluster.cli import app
from gigacluster.cli.common import run_guarded
from gigacluster.cli.validate_inference import register_inference

runner = CliRunner()


def test_serve_json_has_the_documented_keys() -> None:
    res = runner.invoke(app, ["serve", "--model", "llama3-8b", "--accelerator", "h100-sxm", "--tp", "1",
                              "--input-len", "512", "--output-len", "128", "--rate", "50", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    plan, cost = out["plan"], out["cost"]
    for key in ("layout", "max_throughput_tokens_per_s_per_gpu", "gpus_needed"):
        assert key in plan
    assert {"facility_power_mw", "usd_per_mtok"} <= set(cost)
    assert set(plan["ttft_ms"]) >= {"p50", "p99"} and set(plan["tpot_ms"]) >= {"p50", "p99"}
    assert plan["ttft_ms"]["p99"] <= 2000 and plan["tpot_ms"]["p99"] <= 100
    assert plan["gpus_needed"] >= 1 and cost["gpus"] == plan["gpus_needed"]


@pytest.mark.parametrize(("args", "needle"), [
    (["--model", "lama3-70b", "--accelerator", "h200"], "model: unknown"),
    (["--model", "llama3-70b", "--accelerator", "h300"], "accelerator: unknown"),
    (["--model", "llama3-70b", "--accelerator", "h200", "--rate", "-5"], "rate: "),
    (["--model", "llama3-70b", "--accelerator", "h200", "--input-len", "-1"], "input_len: must be > 0"),
    (["--model", "llama3-405b", "--accelerator", "h100-sxm", "--tp", "1", "--precision", "bf16"], "layout: "),
    (["--model", "deepseek-v3", "--accelerator", "h200", "--prefix-hit-rate", "-0.1"], "prefix_hit_rate"),
    (["--model", "deepseek-v3", "--accelerator", "h200", "--mtp-accept", "1.5"], "mtp.accept"),
    (["--model", "deepseek-v3", "--accelerator", "h200", "--deployment", "both"], "deployment"),
    (["--model", "deepseek-v3", "--accelerator", "h200", "--traffic-profile", "nope.txt"], "traffic_profile"),
])
def test_serve_bad_input_is_one_line_and_exit_2(args: list[str], needle: str, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["gigacluster", "serve", *args])
    assert run_guarded(app) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "Traceback" not in err
    assert len(err.splitlines()) <= 3


def test_validate_inference_json_shape(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "data" / "validation" / "inference.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    keep = [lines[0]] + [ln for ln in lines[1:] if ln.startswith(("trtllm-8b-h200", "ft-13b-a100-tp1"))]
    cases = tmp_path / "few.csv"
    cases.write_text("\n".join(keep) + "\n", encoding="utf-8")
    sub = typer.Typer()
    register_inference(sub)
    sub.command("noop")(lambda: None)
    res = runner.invoke(sub, ["inference", "--cases", str(cases), "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["cases"] == 6 and out["predicted"] == 6
    assert set(out) >= {"cases", "predicted", "skipped", "median_ape", "mean_ape", "rows"}
    assert {"id", "metric", "measured", "predicted", "ape"} <= set(out["rows"][0])


def test_serve_disagg_json_carries_the_pools() -> None:
    res = runner.invoke(app, ["serve", "--model", "deepseek-v3", "--accelerator", "h800", "--deployment", "disagg",
                              "--rate", "500", "--input-len", "2000", "--output-len", "500", "--prefill-gpus", "32",
                              "--decode-gpus", "144", "--traffic-profile", "diurnal", "--mtp-depth", "1",
                              "--ttft-p99-ms", "3000", "--tpot-p99-ms", "50", "--format", "json"])
    assert res.exit_code == 0, res.output
    plan = json.loads(res.stdout)["plan"]
    d = plan["disagg"]
    assert plan["deployment"] == "disagg" and d["decode"]["tpot_s"] <= 0.050
    assert d["fleet"]["peak_gpus"] == plan["gpus_needed"] >= d["fleet"]["avg_gpus"]
