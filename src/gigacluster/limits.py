"""Valid ranges of the numeric inputs, enforced once in the specs (pydantic ``Field`` bounds).

Every spec that takes one of these quantities uses the annotated types below, so the CLI, the
application layer, scenarios and sweeps all refuse the same values with the same one-line error
(field, value, range). The ranges are physical or practical, not tuned to any case:

* accelerators ≤ 1e8: ~100x the largest cluster announced by 2025 (~1e6 GPUs);
* power ≤ 1e5 MW (100 GW: ~5 % of the world's mean electricity demand);
* money ≤ 1e14 USD (about world GDP);
* tokens ≤ 1e16 (~1,000x the largest published pretraining runs, 15-36T tokens);
* days ≤ 36,500 (a century), seconds for one event ≤ 1e7 (~4 months);
* replications ≤ 1e5, seeds in [0, 2^63 − 1] (NumPy's generator takes unsigned seeds);
* model dimensions: layers ≤ 1e4, hidden / FFN width ≤ 1e7, heads ≤ 1e5, experts ≤ 1e5,
  vocabulary ≤ 1e8, context ≤ 1e9 tokens.

``RANGES`` lists them for the docs and for the fuzz campaign's boundary values.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ACCELERATORS = 100_000_000
MAX_MW = 1e5
MAX_USD = 1e14
MAX_TOKENS = 1e16
MAX_DAYS = 36_500.0
MAX_EVENT_S = 1e7
MAX_REPLICATIONS = 100_000
MAX_SEED = 2**63 - 1
MAX_LAYERS = 10_000
MAX_WIDTH = 10_000_000
MAX_HEADS = 100_000
MAX_EXPERTS = 100_000
MAX_VOCAB = 100_000_000
MAX_SEQ = 1_000_000_000
MAX_FACTOR = 1e6  # dimensionless multipliers (oversubscription, hazard multiplier, slowdown)
MAX_RATE = 1e9  # rates per day or per 1000 node-days; prices per unit
MAX_LOCAL_WORKERS = 256  # sweep worker processes on one machine (each imports the package: ~150 MB)
MIN_LOAD = 1e-3  # offered load of a synthetic workload: below 0.1 % busy its arrival window is centuries
MAX_LOAD = 100.0
# Serving simulations: prefill chunk-steps of the simulated requests, sim_requests x input_len / token budget
# per step. Measured: 91,500 chunk-steps (deepseek-v3 on tpu-v7, 1.5e5-token prompts, 5,000 requests) took
# 106 CPU-s of search (~1.2 ms each), so 40,000 keeps one serve under the 60 CPU-s of the fuzz campaign.
MAX_PREFILL_CHUNK_STEPS = 40_000

Accelerators = Annotated[int, Field(gt=0, le=MAX_ACCELERATORS)]
PowerMW = Annotated[float, Field(gt=0, le=MAX_MW)]
NonNegativeMW = Annotated[float, Field(ge=0, le=MAX_MW)]
Usd = Annotated[float, Field(gt=0, le=MAX_USD)]
Price = Annotated[float, Field(ge=0, le=MAX_USD)]
Days = Annotated[float, Field(gt=0, le=MAX_DAYS)]
Seconds = Annotated[float, Field(ge=0, le=MAX_EVENT_S)]
PositiveSeconds = Annotated[float, Field(gt=0, le=MAX_EVENT_S)]
Hours = Annotated[float, Field(gt=0, le=MAX_DAYS * 24)]
Replications = Annotated[int, Field(gt=0, le=MAX_REPLICATIONS)]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Factor = Annotated[float, Field(ge=1, le=MAX_FACTOR)]
Rate = Annotated[float, Field(ge=0, le=MAX_RATE)]
Layers = Annotated[int, Field(gt=0, le=MAX_LAYERS)]
Width = Annotated[int, Field(gt=0, le=MAX_WIDTH)]
Heads = Annotated[int, Field(gt=0, le=MAX_HEADS)]
Experts = Annotated[int, Field(gt=0, le=MAX_EXPERTS)]
Vocab = Annotated[int, Field(gt=0, le=MAX_VOCAB)]
SeqLen = Annotated[int, Field(gt=0, le=MAX_SEQ)]
Tokens = Annotated[float, Field(gt=0, le=MAX_TOKENS)]
Load = Annotated[float, Field(ge=MIN_LOAD, le=MAX_LOAD)]

RANGES: dict[str, tuple[str, float, float, str]] = {
    # name: (unit, lowest, highest, why)
    "accelerators / GPUs": ("count", 1, MAX_ACCELERATORS, "~100x the largest announced cluster"),
    "power": ("MW", 0, MAX_MW, "100 GW"),
    "money": ("USD", 0, MAX_USD, "about world GDP"),
    "tokens": ("tokens", 1, MAX_TOKENS, "~1,000x the largest published runs"),
    "days": ("days", 0, MAX_DAYS, "a century"),
    "one event (detection, restart, write, stall)": ("s", 0, MAX_EVENT_S, "~4 months"),
    "replications": ("count", 1, MAX_REPLICATIONS, "Monte Carlo error < 0.3 % well before"),
    "seed": ("integer", 0, MAX_SEED, "NumPy seeds are unsigned 64-bit"),
    "layers": ("count", 1, MAX_LAYERS, "100x the deepest published model"),
    "hidden / FFN width / head dim": ("count", 1, MAX_WIDTH, "~100x the widest published"),
    "heads, KV heads": ("count", 1, MAX_HEADS, ""),
    "experts": ("count", 1, MAX_EXPERTS, "~400x DeepSeek-V3's 256"),
    "vocabulary": ("tokens", 1, MAX_VOCAB, ""),
    "sequence length": ("tokens", 1, MAX_SEQ, ""),
    "multipliers (PUE, oversubscription, slowdown)": ("x", 1, MAX_FACTOR, ""),
    "rates and prices per unit": ("per unit", 0, MAX_RATE, ""),
    "sweep worker processes on this machine": ("count", 0, MAX_LOCAL_WORKERS, "each holds ~150 MB"),
    "offered load (synthetic scheduling workload)": ("x", MIN_LOAD, MAX_LOAD,
                                                     "below 0.1 % the arrival window spans centuries"),
}
