"""`gigacluster catalog accelerators|models`."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from gigacluster.catalog import load_accelerators, load_models
from gigacluster.catalog.loaders import raw_models
from gigacluster.cli.common import Format, console, emit_json
from gigacluster.llm.counts import param_counts


def _fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def accelerators(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """List the accelerators with their dense peak rates, memory and bandwidth."""
    accs = load_accelerators()
    if fmt is Format.json:
        emit_json([a.model_dump(mode="json") for a in accs.values()])
        return
    table = Table(title=f"Accelerators ({len(accs)})")
    for col in ("id", "bf16 TF", "fp8 TF", "fp4 TF", "HBM GB", "HBM TB/s", "scale-up GB/s", "domain",
                "NIC Gb/s", "TDP W"):
        table.add_column(col, overflow="fold")
    for a in accs.values():
        table.add_row(a.id, _fmt(a.bf16_tflops or a.fp16_tflops), _fmt(a.fp8_tflops), _fmt(a.fp4_tflops),
                      _fmt(a.hbm_gb), _fmt(a.hbm_tbps, 2), _fmt(a.scaleup_gbps_per_dir),
                      str(a.scaleup_domain), _fmt(a.scaleout_gbps), _fmt(a.tdp_w))
    console.print(table)


def models(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """List the models with their counted parameters (total / active) and architecture."""
    specs = load_models()
    raw = raw_models()
    rows: list[dict[str, Any]] = []
    for mid, entry in raw.items():
        spec = specs.get(mid)
        counts = param_counts(spec) if spec else None
        rows.append({
            "id": mid, "name": entry.get("name"), "arch": entry.get("arch"),
            "params_b_published": entry.get("params_b"),
            "params_b_counted": round(counts.total / 1e9, 2) if counts else None,
            "active_params_b_counted": round(counts.active / 1e9, 2) if counts else None,
            "layers": entry.get("layers"), "hidden": entry.get("hidden"),
            "attention": entry.get("attention"), "source": entry.get("source"),
        })
    if fmt is Format.json:
        emit_json(rows)
        return
    table = Table(title=f"Models ({len(rows)}; counted = from the dimensions)")
    for col in ("id", "arch", "params B (pub)", "params B (counted)", "active B", "layers", "hidden",
                "attn"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["id"], str(r["arch"]), _fmt(r["params_b_published"], 1),
                      _fmt(r["params_b_counted"], 1), _fmt(r["active_params_b_counted"], 1),
                      str(r["layers"] or "-"), str(r["hidden"] or "-"), str(r["attention"] or "-"))
    console.print(table)


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="List the packaged catalogs.", no_args_is_help=True)
    sub.command("accelerators")(accelerators)
    sub.command("models")(models)
    app.add_typer(sub, name="catalog")
