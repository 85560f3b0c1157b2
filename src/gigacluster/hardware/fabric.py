"""Scale-out fabric: a rail-optimised folded-Clos (fat tree) per pod, one aggregation tier above the
pods with an oversubscription ratio, and the switch, link and transceiver counts that follow.

Fat-tree math (research §2.2): with radix ``k`` at the link speed, one tier serves ``k`` endpoints,
two tiers ``k²/2`` using ``3N/k`` switches, three tiers ``k³/4`` using ``5N/k`` switches. A
rail-optimised node sends each of its ``r`` NICs to a different rail, and each rail is its own fat
tree, so a pod holds ``r`` planes. Above the pod, each pod's top tier sends ``1/o`` of its down-link
bandwidth up to an aggregation tier (Meta 24K: 1:7; Prometheus BAG: 4.5:1; research §2.3).
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from gigacluster.errors import GigaclusterError
from gigacluster.hardware.parts import Switch

POD_TIER_NAMES = ("leaf", "spine", "core")


class Tier(BaseModel):
    """One switching tier: switch count and the links below and above it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    switches: int
    down_links: int
    up_links: int
    oversubscription: float


class Fabric(BaseModel):
    """The scale-out network. ``switches``, ``links`` and ``transceivers`` are sums over ``tiers``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    network: str
    switch: str
    link_gbps: float
    radix: int
    rails: int
    pod_gpus: int
    pods: int
    pod_tiers: int
    tiers: tuple[Tier, ...]
    switches: int
    links: int
    optical_links: int
    transceivers: int
    transceivers_above_pod: int
    bisection_tbps: float
    oversubscription: float
    nic_gbps_per_gpu: float

    @property
    def tier_count(self) -> int:
        return len(self.tiers)


def tiers_for(endpoints_per_plane: int, radix: int) -> int:
    """Fewest non-blocking fat-tree tiers for ``endpoints_per_plane``: ≤k → 1, ≤k²/2 → 2, ≤k³/4 → 3."""
    for tiers, cap in ((1, radix), (2, radix**2 // 2), (3, radix**3 // 4)):
        if endpoints_per_plane <= cap:
            return tiers
    raise GigaclusterError("pod-gpus", f"{endpoints_per_plane:,} endpoints per plane need more than 3 tiers at "
                                       f"radix {radix}; allowed: ≤ {radix**3 // 4:,} (set a smaller pod)")


def default_pod_gpus(rails: int, radix: int) -> int:
    """The largest two-tier non-blocking pod: ``r · k²/2`` GPUs (e.g. 8 rails x 2,048 = 16,384 at k=64)."""
    return rails * radix**2 // 2


def pod_switch_tiers(gpus: int, rails: int, radix: int, tiers: int, up_ratio: float | None,
                     tor_gpus: int | None = None) -> list[Tier]:
    """Tiers of one pod of ``gpus``: non-blocking inside; the top tier sends ``1/up_ratio`` of its
    down-links up to the aggregation tier (``None``: nothing above). Counted per rail plane, except a
    top-of-rack leaf (``tor_gpus`` = GPUs per rack): one switch per rack whatever its spare ports
    (Meta's RTSW, research §2.3), with one plane above it."""
    planes = 1 if tor_gpus else rails
    down = math.ceil(gpus / planes)
    out: list[Tier] = []
    for i in range(tiers):
        top = i == tiers - 1
        up = (math.ceil(down / up_ratio) if up_ratio else 0) if top else down
        per_plane = math.ceil(down / tor_gpus) if tor_gpus and i == 0 else math.ceil((down + up) / radix)
        name = "tor" if tor_gpus and i == 0 else POD_TIER_NAMES[i]
        out.append(Tier(name=name, switches=per_plane * planes, down_links=down * planes,
                        up_links=up * planes, oversubscription=(up_ratio or 1.0) if top else 1.0))
        down = up
    return out


def _add(a: Tier, b: Tier) -> Tier:
    return a.model_copy(update={"switches": a.switches + b.switches, "down_links": a.down_links + b.down_links,
                                "up_links": a.up_links + b.up_links})


def build_fabric(gpus: int, rails: int, sw: Switch, network: str, link_gbps: float, pod_gpus: int | None,
                 oversubscription: float, host_links_optical: bool, tor_gpus: int | None = None) -> Fabric:
    """Pods of ``pod_gpus`` (default: the two-tier maximum), an aggregation tier when there are several;
    a top-of-rack leaf per rack of ``tor_gpus`` when given. Transceivers are split into those inside a
    pod (short reach) and those on links up to the aggregation tier (longer reach)."""
    radix = sw.radix(link_gbps)
    if radix < 2:
        raise GigaclusterError("nic-gbps", f"{link_gbps:g} Gb/s exceeds switch '{sw.id}' port speed")
    pod = min(gpus, pod_gpus or default_pod_gpus(rails, radix))
    full, rem = divmod(gpus, pod)
    pods = full + (1 if rem else 0)
    depth = tiers_for(math.ceil(pod / rails), radix)
    up_ratio = oversubscription if pods > 1 else None
    tiers = [t.model_copy(update={"switches": t.switches * full, "down_links": t.down_links * full,
                                  "up_links": t.up_links * full})
             for t in pod_switch_tiers(pod, rails, radix, depth, up_ratio, tor_gpus)]
    if rem:
        tiers = [_add(a, b) for a, b in zip(tiers, pod_switch_tiers(rem, rails, radix, depth, up_ratio, tor_gpus),
                                            strict=True)]
    if pods > 1:
        agg_down = tiers[-1].up_links
        tiers.append(Tier(name="aggregation", switches=rails * math.ceil(agg_down / rails / radix),
                          down_links=agg_down, up_links=0, oversubscription=1.0))
    inter = sum(t.up_links for t in tiers)
    above = tiers[-2].up_links if pods > 1 else 0
    optical = inter + (gpus if host_links_optical else 0)
    over = oversubscription if pods > 1 else 1.0
    return Fabric(network=network, switch=sw.id, link_gbps=link_gbps, radix=radix, rails=rails, pod_gpus=pod,
                  pods=pods, pod_tiers=depth, tiers=tuple(tiers), switches=sum(t.switches for t in tiers),
                  links=gpus + inter, optical_links=optical, transceivers=2 * optical,
                  transceivers_above_pod=2 * above,
                  bisection_tbps=gpus * link_gbps / 2.0 / over / 1000.0, oversubscription=over,
                  nic_gbps_per_gpu=link_gbps)
