"""Build choices resolved from a DesignSpec and an accelerator, and the counts of a design."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict

from gigacluster.catalog import get_accelerator
from gigacluster.errors import GigaclusterError
from gigacluster.hardware.accelerator import Accelerator
from gigacluster.hardware.parts import AcceleratorCosts, accelerator_costs, accelerator_system, form_factor, storage
from gigacluster.hardware.spec import DesignSpec

NVL72_DOMAIN = 72


class Build(BaseModel):
    """The resolved choices: every ``None`` of the spec replaced by its default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    accelerator: str
    form_factor: str
    gpus_per_node: int
    gpus_per_rack: int
    unit_gpus: int
    unit_name: str
    scaleup_domain: int
    scaleup_gbytes_per_s: float | None
    network: str
    nic_gbps: float
    rails: int
    host_links_optical: bool
    storage_tb_per_gpu: float
    server_usd_per_gpu: float
    costs: AcceleratorCosts
    gpus_per_nic: int = 1
    ici_pod_chips: int = 0
    ocs_per_pod: int = 0


class Counts(BaseModel):
    """How many of each thing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    accelerators: int
    nodes: int
    racks: int
    scaleup_domains: int
    pods: int
    gpus_per_node: int
    gpus_per_rack: int
    scaleup_domain: int
    pod_gpus: int


def _form_factor(spec: DesignSpec, acc: Accelerator) -> str:
    system = accelerator_system(acc.id)
    ff = spec.form_factor or (system["form_factor"] if system else
                              "nvl72" if acc.scaleup_domain == NVL72_DOMAIN else "hgx8")
    if ff == "tpu_pod" and system is None:
        raise GigaclusterError("form-factor", f"tpu_pod needs a TPU with pod data (parts.yaml accelerator_systems), "
                                              f"not '{acc.id}'")
    if ff == "nvl72" and acc.scaleup_domain != NVL72_DOMAIN:
        raise GigaclusterError("form-factor", f"nvl72 needs an NVL72 part (gb200, gb300), not '{acc.id}'; "
                                              "allowed for it: hgx8")
    return ff


def resolve_build(spec: DesignSpec) -> Build:
    """Defaults filled in: form factor from the scale-up domain, NIC speed from the accelerator's
    scale-out rate (400 Gb/s when unpublished), one NIC per GPU (rails = GPUs per node)."""
    acc = get_accelerator(spec.accelerator)
    ff = _form_factor(spec, acc)
    table = form_factor(ff)
    per_node = int(table["gpus_per_node"])
    per_rack = spec.gpus_per_rack or per_node * int(table["nodes_per_rack"])
    if per_rack % per_node:
        raise GigaclusterError("gpus-per-rack", f"must be a multiple of {per_node} GPUs per node, got {per_rack}")
    if ff == "nvl72" and per_rack != NVL72_DOMAIN:
        raise GigaclusterError("gpus-per-rack", f"an NVL72 rack holds 72 GPUs, got {per_rack}")
    domain = NVL72_DOMAIN if ff == "nvl72" else (acc.scaleup_domain if acc.scaleup_domain != NVL72_DOMAIN else 8)
    unit, unit_name = (NVL72_DOMAIN, "NVL72 rack") if ff == "nvl72" else (per_node, f"{per_node}-GPU node")
    if ff == "tpu_pod":
        return _tpu_build(spec, acc, table, per_node, per_rack)
    return Build(
        accelerator=acc.id, form_factor=ff, gpus_per_node=per_node, gpus_per_rack=per_rack, unit_gpus=unit,
        unit_name=unit_name, scaleup_domain=domain, scaleup_gbytes_per_s=acc.scaleup_gbps_per_dir,
        network=spec.network, nic_gbps=spec.nic_gbps or acc.scaleout_gbps or 400.0, rails=per_node,
        host_links_optical=spec.rail_optimised if spec.host_links_optical is None else spec.host_links_optical,
        storage_tb_per_gpu=spec.storage_tb_per_gpu if spec.storage_tb_per_gpu is not None
        else storage()["tb_per_gpu"],
        server_usd_per_gpu=float(table["server_usd_per_gpu"]), costs=accelerator_costs(acc))


def _tpu_build(spec: DesignSpec, acc: Accelerator, table: dict[str, Any], per_host: int, per_rack: int) -> Build:
    """A TPU pod: chips on hosts of ``per_host`` with one DCN NIC each, ICI slices as the scale-up domain."""
    system = accelerator_system(acc.id) or {}
    return Build(
        accelerator=acc.id, form_factor="tpu_pod", gpus_per_node=per_host, gpus_per_rack=per_rack, unit_gpus=per_host,
        unit_name=f"{per_host}-chip TPU host", scaleup_domain=acc.scaleup_domain,
        scaleup_gbytes_per_s=acc.scaleup_gbps_per_dir, network=spec.network,
        nic_gbps=spec.nic_gbps or (acc.scaleout_gbps or 50.0) * per_host, rails=1, host_links_optical=True,
        storage_tb_per_gpu=spec.storage_tb_per_gpu if spec.storage_tb_per_gpu is not None
        else storage()["tb_per_gpu"], server_usd_per_gpu=float(table["server_usd_per_gpu"]),
        costs=accelerator_costs(acc), gpus_per_nic=per_host, ici_pod_chips=int(system["ici_pod_chips"]),
        ocs_per_pod=int(system["ocs_per_pod"]))


def counts(build: Build, gpus: int, pods: int, pod_gpus: int) -> Counts:
    """Nodes, racks and scale-up domains of ``gpus`` (whole nodes; a last rack may be part-filled)."""
    nodes = math.ceil(gpus / build.gpus_per_node)
    if build.ici_pod_chips:  # TPU: pods are the ICI pods, not the DCN's
        pods, pod_gpus = math.ceil(gpus / build.ici_pod_chips), build.ici_pod_chips
    return Counts(accelerators=gpus, nodes=nodes, racks=math.ceil(gpus / build.gpus_per_rack),
                  scaleup_domains=math.ceil(gpus / build.scaleup_domain), pods=pods,
                  gpus_per_node=build.gpus_per_node, gpus_per_rack=build.gpus_per_rack,
                  scaleup_domain=build.scaleup_domain, pod_gpus=pod_gpus)
