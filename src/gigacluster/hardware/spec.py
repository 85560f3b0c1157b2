"""DesignSpec: what a cluster design starts from (one sizing input plus the build choices)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gigacluster.errors import GigaclusterError
from gigacluster.hardware.parts import default_pue
from gigacluster.limits import MAX_ACCELERATORS, MAX_MW, MAX_USD

FormFactor = Literal["hgx8", "nvl72"]
Network = Literal["infiniband", "roce"]
SIZINGS: tuple[str, ...] = ("facility_mw", "it_mw", "budget_usd", "accelerators")
FORM_FACTORS: tuple[str, ...] = ("hgx8", "nvl72")
NETWORKS: tuple[str, ...] = ("infiniband", "roce")


def flag(field: str) -> str:
    """The CLI spelling of a spec field (``facility_mw`` -> ``facility-mw``)."""
    return field.replace("_", "-")


class DesignSpec(BaseModel):
    """Exactly one of facility power, IT power, capex budget or accelerator count, plus the choices.

    ``None`` means "the default": form factor from the accelerator's scale-up domain (72 -> NVL72),
    NIC speed from the accelerator's scale-out rate, switch from the network, pod = the largest
    two-tier non-blocking fat tree, host links optical when rail-optimised (the rail leaf sits
    outside the rack)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    accelerator: str = Field(default="gb200", max_length=200)
    facility_mw: float | None = Field(default=None, le=MAX_MW)
    it_mw: float | None = Field(default=None, le=MAX_MW)
    budget_usd: float | None = Field(default=None, le=MAX_USD)
    accelerators: int | None = Field(default=None, le=MAX_ACCELERATORS)
    pue: float = Field(default_factory=default_pue, le=10.0)
    power_reserve_fraction: float = 0.0
    form_factor: FormFactor | None = None
    gpus_per_rack: int | None = Field(default=None, le=100_000)
    rack_kw: float | None = Field(default=None, le=1e4,
                                  description="stated rack power (kW), checked against the design's")
    network: Network = "roce"
    nic_gbps: float | None = Field(default=None, le=1e6)
    switch: str | None = Field(default=None, max_length=200)
    rail_optimised: bool = True
    host_links_optical: bool | None = None
    pod_gpus: int | None = Field(default=None, le=MAX_ACCELERATORS)
    oversubscription: float = Field(default=1.0, le=1000.0)
    storage_tb_per_gpu: float | None = Field(default=None, le=1e6)
    onsite_generation_mw: float = Field(default=0.0, le=MAX_MW)

    @model_validator(mode="after")
    def _check(self) -> DesignSpec:
        given = [f for f in SIZINGS if getattr(self, f) is not None]
        if len(given) != 1:
            what = "none" if not given else " and ".join(f"--{flag(f)}" for f in given)
            raise GigaclusterError("sizing", f"give exactly one of --facility-mw, --it-mw, --budget-usd, "
                                             f"--accelerators (got {what})")
        value = getattr(self, given[0])
        if not value > 0:
            raise GigaclusterError(flag(given[0]), f"must be > 0, got {value}")
        if not self.pue >= 1.0:
            raise GigaclusterError("pue", f"must be ≥ 1.0 (facility power / IT power), got {self.pue}")
        if not 0.0 <= self.power_reserve_fraction < 1.0:
            raise GigaclusterError("power-reserve-fraction", f"must be in [0, 1), got {self.power_reserve_fraction}")
        if not self.oversubscription >= 1.0:
            raise GigaclusterError("oversubscription", f"must be ≥ 1 (e.g. 7 for 1:7), got {self.oversubscription}")
        for name in ("gpus_per_rack", "rack_kw", "pod_gpus", "nic_gbps", "storage_tb_per_gpu"):
            v = getattr(self, name)
            if v is not None and not v > 0:
                raise GigaclusterError(flag(name), f"must be > 0, got {v}")
        if self.onsite_generation_mw < 0:
            raise GigaclusterError("onsite-generation-mw", f"must be ≥ 0, got {self.onsite_generation_mw}")
        return self

    @property
    def sizing(self) -> str:
        """Which input sizes the cluster: one of SIZINGS."""
        return next(f for f in SIZINGS if getattr(self, f) is not None)

    def sized_by(self, field: str, value: float) -> DesignSpec:
        """The same choices, sized by ``field`` = ``value`` instead."""
        data = self.model_dump()
        data.update({f: None for f in SIZINGS})
        data[field] = int(value) if field == "accelerators" else value
        return DesignSpec(**data)
