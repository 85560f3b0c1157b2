"""A cluster with its economics: design (any of the four sizings) + capex + opex + TCO."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.economics.capex import Capex, capex
from gigacluster.economics.opex import Opex, opex
from gigacluster.economics.spec import CostSpec
from gigacluster.economics.tco import TCO, tco
from gigacluster.hardware.cluster import resolve_build
from gigacluster.hardware.design import ClusterDesign, design_cluster, largest_fitting
from gigacluster.hardware.spec import DesignSpec


class Cluster(BaseModel):
    """The design and what it costs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    design: ClusterDesign
    costs: CostSpec
    capex: Capex
    opex: Opex
    tco: TCO


def price(design: ClusterDesign, costs: CostSpec) -> Cluster:
    cx, ox = capex(design, costs), opex(design, costs)
    return Cluster(design=design, costs=costs, capex=cx, opex=ox, tco=tco(cx, ox, design.counts.accelerators, costs))


def build_cluster(spec: DesignSpec, costs: CostSpec | None = None) -> Cluster:
    """Design and price; a capex budget buys the most whole units whose total capex fits it."""
    costs = costs or CostSpec()
    if spec.budget_usd is None:
        return price(design_cluster(spec), costs)
    design = largest_fitting(spec, resolve_build(spec), lambda d: capex(d, costs).total_usd, spec.budget_usd,
                             lambda x: f"${x:,.0f}")
    return price(design, costs)
