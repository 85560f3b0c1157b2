"""Malformed input files for tools/fuzz.py: every file kind the CLI reads (scenario YAML, model YAML,
HF config.json, case CSV, trace CSV), written to a scratch folder."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _mutate_yaml_number(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    idx = [i for i, ln in enumerate(lines) if re.search(r":\s*-?[0-9][0-9.eE+_]*\s*(#.*)?$", ln)]
    if not idx:
        return text
    i = rng.choice(idx)
    key = lines[i].split(":")[0]
    lines[i] = f"{key}: {rng.choice(['-5', '0', '.nan', '.inf', '1e400', 'abc', '1e30', '[1, 2]', '~', '-1e-9'])}"
    return "\n".join(lines) + "\n"


def write_files(folder: Path, rng: random.Random) -> dict[str, list[str]]:
    """Malformed inputs of every file kind; returns paths per option."""
    scen = (ROOT / "src/gigacluster/catalog/scenarios/prometheus.yaml").read_text(encoding="utf-8")
    model = "name: m\nlayers: 4\nhidden: 256\nheads: 4\nffn_hidden: 1024\nvocab: 1000\n"
    hf = {"num_hidden_layers": 4, "hidden_size": 256, "num_attention_heads": 4, "intermediate_size": 1024,
          "vocab_size": 1000, "num_key_value_heads": 4}
    files: dict[str, list[str]] = {"scenario": [], "model": [], "cases": [], "trace": []}

    def put(kind: str, name: str, data: str | bytes) -> None:
        p = folder / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        files[kind].append(str(p))

    put("scenario", "s_ok.yaml", scen)
    put("scenario", "s_latin1.yaml", scen.encode("utf-8") + b"\nnotes: caf\xe9\n")
    put("scenario", "s_broken.yaml", scen.replace("design:", "design: [", 1))
    put("scenario", "s_nonstr.yaml", scen + "\n1: 2\n")
    put("scenario", "s_typo.yaml", scen.replace("researchers:", "reserchers:", 1))
    put("scenario", "s_empty.yaml", "")
    put("scenario", "s_list.yaml", "- 1\n- 2\n")
    for k in range(12):
        put("scenario", f"s_mut{k}.yaml", _mutate_yaml_number(scen, rng))
    put("model", "m_ok.yaml", model)
    put("model", "m_neg.yaml", model.replace("heads: 4", "heads: 4\nhead_dim: -64"))
    put("model", "m_layers.yaml", model.replace("layers: 4", "layers: 1000000000000"))
    put("model", "m_moe.yaml", model + "arch: moe\nmoe_experts: -8\nmoe_topk: 2\nmoe_ffn_hidden: 512\n")
    put("model", "m_dense.yaml", model + "arch: moe\nmoe_experts: 8\nmoe_topk: 2\nmoe_ffn_hidden: 512\n"
                                         "moe_dense_layers: 9\n")
    put("model", "m_typo.yaml", model.replace("vocab:", "vocb:"))
    put("model", "m_bin.yaml", b"\xff\xfe\x00garbage")
    for k, bad in enumerate(["big", float("nan"), 0, -4, 1.5, True, None, [1], 10**13]):
        cfg: dict[str, Any] = dict(hf)
        cfg[rng.choice(list(cfg))] = bad
        put("model", f"c{k}.json", json.dumps(cfg))
    put("model", "c_moe.json", json.dumps(hf | {"num_local_experts": -8, "num_experts_per_tok": 2}))
    put("model", "c_broken.json", json.dumps(hf)[:-5])
    header = (ROOT / "data/validation/training.csv").read_text(encoding="utf-8").splitlines()
    row = header[1].split(",")
    put("cases", "k_header.csv", header[0] + "\n")
    put("cases", "k_blank_acc.csv", header[0] + "\n" + header[1].replace(",a100", ",", 1) + "\n")
    put("cases", "k_abc.csv", header[0] + "\n" + ",".join(c if i != 10 else "abc" for i, c in enumerate(row)) + "\n")
    put("cases", "k_inf.csv", header[0] + "\n" + ",".join(c if i != 11 else "inf" for i, c in enumerate(row)) + "\n")
    put("cases", "k_latin1.csv", (header[0] + "\n" + header[1]).encode("utf-8") + b"\xe9\n")
    put("cases", "k_empty.csv", "")
    trace = "timestamp,duration,num_gpus\n" + "".join(f"{i * 60},{600 + i * 7},{1 + i % 8}\n" for i in range(10))
    put("trace", "t_ok.csv", trace)
    for k, (col, bad) in enumerate([(0, "inf"), (0, "nan"), (1, "1e300"), (1, "-5"), (2, "0"), (2, "abc"),
                                    (1, "0"), (2, "1e30")]):
        lines = trace.splitlines()
        cells = lines[3].split(",")
        cells[col] = bad
        lines[3] = ",".join(cells)
        put("trace", f"t_bad{k}.csv", "\n".join(lines) + "\n")
    put("trace", "t_zero.csv", "timestamp,duration,num_gpus\n" + "".join(f"{i},0,1\n" for i in range(10)))
    put("trace", "t_header.csv", "timestamp,duration,num_gpus\n")
    put("trace", "t_bin.csv", b"timestamp,duration,num_gpus\n\xff\xff,1,1\n")
    return files


