"""Part catalog for cluster design (form factors, switches, NICs, optics, storage) and the fallbacks
for accelerator rows that lack a price or power. All numbers come from ``data/parts.yaml``."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from gigacluster.errors import GigaclusterError, unknown
from gigacluster.hardware.accelerator import Accelerator


class Switch(BaseModel):
    """A switch: capacity per direction, most ports (at the slowest speed), power without optics, price."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    capacity_gbps: float
    max_ports: int
    power_w: float
    price_usd: float
    source: str

    def radix(self, link_gbps: float) -> int:
        """Ports at ``link_gbps``: capacity / speed, at most ``max_ports`` (64 x 400G on a 25.6T switch)."""
        return int(min(self.max_ports, self.capacity_gbps // link_gbps))


class PortPart(BaseModel):
    """A NIC or a transceiver at one link speed (per port end)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    power_w: float
    price_usd: float
    source: str


class AcceleratorCosts(BaseModel):
    """Power and price of one accelerator with the fallbacks applied; ``assumptions`` says which."""

    model_config = ConfigDict(frozen=True)

    tdp_w: float
    server_w_per_gpu: float
    price_usd: float
    assumptions: tuple[str, ...] = ()


@functools.cache
def parts() -> dict[str, Any]:
    """The raw parts data file."""
    text = (resources.files("gigacluster.hardware") / "data" / "parts.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def accelerator_system(acc_id: str) -> dict[str, Any] | None:
    """The non-HGX system of an accelerator (TPU pods), or None (parts.yaml ``accelerator_systems``)."""
    row = parts().get("accelerator_systems", {}).get(acc_id)
    return dict(row) if row else None


def ocs() -> PortPart:
    """An optical circuit switch (one whole switch, not a port)."""
    return PortPart(**parts()["ocs"])


def default_pue() -> float:
    return float(parts()["pue"]["value"])


def form_factor(name: str) -> dict[str, Any]:
    table = parts()["form_factors"]
    if name not in table:
        raise unknown("form-factor", name, table)
    return dict(table[name])


def switch(name: str) -> Switch:
    table = parts()["switches"]
    if name not in table:
        raise unknown("switch", name, table)
    return Switch(id=name, **table[name])


def default_switch(network: str, nic_gbps: float) -> Switch:
    """The switch ``network`` uses at ``nic_gbps`` (parts.yaml ``networks``)."""
    table = parts()["networks"]
    if network not in table:
        raise unknown("network", network, table)
    return switch(table[network]["switches"][_speed_key("nic-gbps", nic_gbps)])


def _speed_key(field: str, gbps: float) -> int:
    speeds = sorted(parts()["nics"])
    for s in speeds:
        if gbps <= s:
            return int(s)
    raise GigaclusterError(field, f"{gbps:g} Gb/s is above the fastest listed link; allowed: ≤ {speeds[-1]}")


def nic(gbps: float) -> PortPart:
    return PortPart(**parts()["nics"][_speed_key("nic-gbps", gbps)])


def transceiver(gbps: float, short_reach: bool = False) -> PortPart:
    """The transceiver at ``gbps``: long reach (DSP, e.g. DR) or, inside a pod, short reach (LPO)."""
    table = parts()["short_reach_transceivers" if short_reach else "transceivers"]
    return PortPart(**table[_speed_key("nic-gbps", gbps)])


def storage() -> dict[str, float]:
    return {k: float(v) for k, v in parts()["storage"].items() if k != "source"}


def accelerator_costs(acc: Accelerator) -> AcceleratorCosts:
    """Power and price of ``acc``; a missing figure falls back to parts.yaml, noted in ``assumptions``."""
    explicit = parts()["accelerator_fallbacks"].get(acc.id, {})
    generic = parts()["generic_fallback"]
    notes: list[str] = []
    tflops = acc.bf16_tflops or acc.fp16_tflops or 0.0
    tdp = acc.tdp_w
    if tdp is None:
        tdp = tflops * generic["tdp_w_per_bf16_tflop"]
        notes.append(f"{acc.id}: no TDP in the catalog; assumed {tdp:.0f} W (H100 W per BF16 TFLOP/s)")
    server = acc.server_w_per_gpu
    if server is None:
        server = tdp * generic["server_w_per_tdp_w"]
        notes.append(f"{acc.id}: no system power; assumed {server:.0f} W per GPU (DGX H100 ratio to TDP)")
    price = acc.price_usd or explicit.get("price_usd")
    if acc.price_usd is None and price is not None:
        notes.append(f"{acc.id}: no catalog price; assumed ${price:,.0f} ({explicit['source']})")
    if price is None:
        price = tflops * generic["usd_per_bf16_tflop"]
        notes.append(f"{acc.id}: no price; assumed ${price:,.0f} (H100 $ per BF16 TFLOP/s)")
    if tdp <= 0 or price <= 0:
        raise GigaclusterError("accelerator", f"'{acc.id}' has no compute rate to derive power or price from")
    return AcceleratorCosts(tdp_w=tdp, server_w_per_gpu=max(server, tdp), price_usd=float(price),
                            assumptions=tuple(notes))
