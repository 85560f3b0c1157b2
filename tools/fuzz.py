"""Fuzz campaign: generated invocations of every command, run with a timeout, outcomes classified.

Invocations come from the CLI's own option metadata (the typer app's click parameters): each
option gets values from a pool for its type (boundary and random numbers, NaN / inf / huge /
negative, near-miss ids, count strings like 16k / 1P) plus malformed files written to a scratch
folder (scenario YAML, model YAML, HF config.json, case CSV, trace CSV). Each invocation runs in
a forked child of this process (the package is imported once), with a wall-clock timeout and a
memory cap; the child's peak RSS is read from ``wait4``.

Outcomes: ok, clean error (exit 2, one line), traceback, non-finite output (NaN / inf anywhere,
or a negative number in JSON output), multi-line error, timeout, killed.

    python tools/fuzz.py --n 2000 --seed 0 [--timeout 60] [--jobs 2] [--fast]
"""

from __future__ import annotations

import argparse
import contextlib
import enum
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer.main

from gigacluster.cli import app
from gigacluster.cli.common import run_guarded

ROOT = Path(__file__).resolve().parents[1]
OUTCOMES = ("ok", "clean error", "traceback", "non-finite output", "multi-line error", "timeout", "killed")
MEMORY_CAP_BYTES = 6 * 2**30

INTS = [0, 1, -1, 2, 3, 7, 8, 64, 100, 1024, 4096, 16384, 65536, 10**6, 10**8, 10**8 + 1, 2**31, 2**63 - 1,
        2**63, -(2**63) - 1, 10**23]
FLOATS = ["0", "-5", "1e-9", "5e-324", "0.5", "1", "2", "10", "1e308", "1e400", "nan", "inf", "-inf", "-0.0",
          "1e5", "1e30", "abc", "", "3.5"]
COUNTS = ["1", "0", "-1", "8", "1k", "16k", "1M", "1e9", "1P", "999999999T", "1e308", "15.6T", "2.5", "abc", "",
          "16M", "1e-3"]
# Options whose value is a count string (parse_count) rather than a float / int.
COUNT_OPTIONS = {"--gpus", "--budget-usd", "--accelerators", "--gpu-hours", "--tokens", "--global-batch-tokens",
                 "--rate", "--users"}
# Work-heavy options get small values in --fast mode (the in-suite sample).
FAST_CAPS = {"--jobs": ["50", "200", "0", "-3", "abc"], "--replications": ["10", "50", "0", "-1", "1e3"],
             "--gpus@schedule": ["64", "512", "0", "-8", "100"], "--days@reliability": ["1", "0.5", "0", "nan", "-1"]}
# Plausible values: half the time an option gets one, so runs also get past validation.
SANE = {"--gpus": ["1024", "16k", "4096"], "--gpus@schedule": ["512", "4096"], "--days": ["1", "30"],
        "--replications": ["100"], "--seed": ["0", "3"], "--jobs": ["2000", "16000"], "--tokens": ["1T", "15T"],
        "--accelerators": ["1000", "100k"], "--facility-mw": ["100", "1000"], "--it-mw": ["50"],
        "--budget-usd": ["1e9"], "--pue": ["1.2"], "--researchers": ["50", "500"], "--load": ["0.9"],
        "--input-len": ["1024"], "--output-len": ["256"], "--rate": ["10", "1k"], "--users": ["1M"],
        "--usd-per-mwh": ["80"], "--utilisation": ["0.8"], "--it-life-years": ["5"], "--lemon-fraction": ["0.01"],
        "--gpu-hours": ["1M"], "--it-energy-mwh": ["1000"], "--tokens-per-s-per-gpu": ["1000"],
        "--tp": ["1", "8"], "--pp": ["1", "4"], "--dp": ["8"], "--micro-batch": ["1"], "--seq-len": ["8192"],
        "--global-batch-tokens": ["16M"], "--checkpoint-interval-min": ["auto", "30"]}
FAST_SKIP = {"plan", "validate inference", "validate training", "train", "serve"}


def catalog_names() -> dict[str, list[str]]:
    from gigacluster.catalog import accelerator_ids, model_ids
    from gigacluster.catalog.scenarios import scenario_ids

    return {"--model": model_ids(), "--accelerator": accelerator_ids(), "scenario": scenario_ids(),
            "--scenario": scenario_ids(), "--trace": ["philly", "alibaba", "synthetic"],
            "--policy": ["fifo", "backfill", "fair", "priority", "las"],
            "--profile": ["rsc1", "rsc2", "llama3"], "--failure-profile": ["rsc1", "rsc2", "llama3"],
            "--precision": ["bf16", "fp8", "fp4", "fp16"], "--kv-precision": ["bf16", "fp8"],
            "--blast-radius": ["job", "replica"], "--checkpoint-mode": ["sync", "async"],
            "--sharding": ["zero1", "zero3", "none"], "--recompute": ["none", "full", "selective"],
            "--network": ["roce", "infiniband"], "--form-factor": ["hgx8", "nvl72"]}


def near_miss(name: str, rng: random.Random) -> str:
    """A typo of ``name``: a dropped, doubled or swapped character, or a case change."""
    if len(name) < 2:
        return name + "x"
    i = rng.randrange(len(name) - 1)
    return rng.choice([name[:i] + name[i + 1:], name[:i] + name[i] + name[i:], name[:i] + name[i + 1] + name[i]
                       + name[i + 2:], name.upper(), name + "-"])


# ---- malformed files --------------------------------------------------------------------------
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
        cfg = dict(hf)
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


# ---- invocations from the option metadata ----------------------------------------------------
@dataclass(frozen=True)
class Param:
    name: str  # "--gpus" or the argument name
    kind: str  # int, float, str, bool, path, choice
    required: bool
    is_argument: bool
    choices: tuple[str, ...]


def commands() -> dict[str, list[Param]]:
    """Every leaf command of the app with its parameters, from the click objects typer builds."""
    out: dict[str, list[Param]] = {}

    def walk(cmd: Any, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
            return
        params = []
        for p in cmd.params:
            ann = p.type_descriptor.annotation
            choices: tuple[str, ...] = ()
            if isinstance(ann, type) and issubclass(ann, enum.Enum):
                kind, choices = "choice", tuple(str(m.value) for m in ann)
            elif ann is bool:
                kind = "bool"
            elif isinstance(ann, type) and issubclass(ann, Path):
                kind = "path"
            else:
                kind = {int: "int", float: "float"}.get(ann, "str")
            name = p.opts[0] if p.param_type_name == "option" else p.name
            params.append(Param(name, kind, bool(p.required), p.param_type_name == "argument", choices))
        out[" ".join(path)] = params

    walk(typer.main.get_command(app), [])
    return out


def _value(p: Param, cmd: str, rng: random.Random, names: dict[str, list[str]], files: dict[str, list[str]],
           fast: bool) -> str:
    cap = FAST_CAPS.get(f"{p.name}@{cmd.split()[0]}") or FAST_CAPS.get(p.name)
    if fast and cap:
        return rng.choice(cap)
    sane = SANE.get(f"{p.name}@{cmd.split()[0]}") or SANE.get(p.name)
    if sane and rng.random() < 0.5:
        return rng.choice(sane)
    if p.kind == "choice":
        return rng.choice([*p.choices, *p.choices, "xml", ""])
    if p.kind == "path":
        pool = files["cases"] if p.name == "--cases" else [tempfile.gettempdir() + "/gc-fuzz-out"]
        return rng.choice([*pool, "", "/nonexistent/x.csv", "/"])
    if p.kind == "int":
        return str(rng.choice(INTS)) if rng.random() < 0.7 else str(rng.randint(-10, 10**rng.randint(1, 12)))
    if p.name in COUNT_OPTIONS:
        return rng.choice(COUNTS)
    if p.kind == "float":
        return rng.choice(FLOATS) if rng.random() < 0.7 else f"{rng.uniform(-1, 3) * 10 ** rng.randint(-3, 6):.4g}"
    key = p.name if p.name in names or p.name in ("--model", "--trace") else ""
    pool = list(names.get(key, []))
    pool += files["scenario"] if p.name in ("scenario", "--scenario") else []
    pool += files["model"] if p.name == "--model" else []
    pool += files["trace"] if p.name == "--trace" else []
    if not pool:
        return rng.choice(["", "abc", "x" * 300, "auto", "1", "-1", "nan"])
    pick = rng.choice(pool)
    r = rng.random()
    return pick if r < 0.7 else near_miss(pick, rng) if r < 0.9 else rng.choice(["", "x" * 5000, "../" * 50])


def generate(n: int, seed: int, files: dict[str, list[str]], fast: bool = False) -> list[list[str]]:
    """``n`` argument lists, deterministic in ``seed``."""
    rng = random.Random(seed)
    cmds = {c: ps for c, ps in commands().items() if not (fast and c in FAST_SKIP)}
    names = catalog_names()
    out = []
    for _ in range(n):
        cmd = rng.choice(sorted(cmds))
        args = cmd.split()
        for p in cmds[cmd]:
            forced = fast and (p.name in FAST_CAPS or f"{p.name}@{cmd.split()[0]}" in FAST_CAPS)
            if not (p.required or p.is_argument or forced or rng.random() < 0.35):
                continue
            if p.kind == "bool":
                args.append(p.name)
                continue
            value = _value(p, cmd, rng, names, files, fast)
            args += [value] if p.is_argument else [p.name, value]
        if rng.random() < 0.5:
            args += ["--format", "json"] if any(p.name == "--format" for p in cmds[cmd]) else []
        out.append(args)
    return out


# ---- running and classifying -----------------------------------------------------------------
def _negative_number(doc: Any, key: str = "") -> bool:
    if isinstance(doc, bool):
        return False
    if isinstance(doc, int | float):
        return doc < 0 and not re.search(r"error|delta|diff|change|signed|bias|ape|margin|residual", key)
    if isinstance(doc, dict):
        return any(_negative_number(v, str(k)) for k, v in doc.items())
    if isinstance(doc, list):
        return any(_negative_number(v, key) for v in doc)
    return False


def _non_finite(doc: Any) -> bool:
    if isinstance(doc, float):
        return doc != doc or doc in (float("inf"), float("-inf"))
    if isinstance(doc, dict):
        return any(_non_finite(v) for v in doc.values())
    if isinstance(doc, list):
        return any(_non_finite(v) for v in doc)
    return False


def classify(rc: int, out: str, err: str) -> str:
    """One outcome from an exit code and the captured streams."""
    if "Traceback (most recent call last)" in err or "Traceback (most recent call last)" in out:
        return "traceback"
    if rc == 0:
        if out.lstrip().startswith(("{", "[")):
            with contextlib.suppress(ValueError):
                doc = json.loads(out)
                return "non-finite output" if _non_finite(doc) or _negative_number(doc) else "ok"
        if re.search(r"(?<![A-Za-z_])-?(nan|inf)(?![A-Za-z_])", out):
            return "non-finite output"
        return "ok"
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    if len(lines) > 1:
        return "multi-line error"
    return "clean error"


def call_in_process(args: list[str]) -> tuple[int, str, str]:
    """Run one invocation in this process (the in-suite sample): exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["gigacluster", *args]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = run_guarded(app)
            except BaseException:  # noqa: BLE001 - the campaign records it
                import traceback

                traceback.print_exc(file=sys.stderr)
                rc = 1
    finally:
        sys.argv = argv
    return rc, out.getvalue(), err.getvalue()


def _child(args: list[str], out_path: str, err_path: str) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))
    with open(out_path, "w") as fo, open(err_path, "w") as fe:
        os.dup2(fo.fileno(), 1)
        os.dup2(fe.fileno(), 2)
        sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), write_through=True)
        sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), write_through=True)
        rc, o, e = call_in_process(args)
        sys.stdout.write(o)
        sys.stderr.write(e)
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(rc)


@dataclass
class Result:
    args: list[str]
    outcome: str
    rc: int
    wall_s: float
    cpu_s: float
    peak_mb: float
    first_err: str


def _spawn(args: list[str], timeout_s: float, scratch: Path, k: int) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            cpu = max(1, int(timeout_s))
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            _child(args, str(scratch / f"o{k}"), str(scratch / f"e{k}"))
        finally:
            os._exit(70)
    return pid


def _collect(args: list[str], k: int, scratch: Path, status: int, usage: Any, wall: float,
             timed_out: bool) -> Result:
    out_p, err_p = scratch / f"o{k}", scratch / f"e{k}"
    out = out_p.read_text(errors="replace") if out_p.exists() else ""
    err = err_p.read_text(errors="replace") if err_p.exists() else ""
    out_p.unlink(missing_ok=True)
    err_p.unlink(missing_ok=True)
    peak_mb = usage.ru_maxrss / 1024.0 if usage is not None else 0.0
    cpu_s = usage.ru_utime + usage.ru_stime if usage is not None else 0.0
    if timed_out or (os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL)
                     and not peak_mb * 2**20 >= MEMORY_CAP_BYTES * 0.9):
        outcome, rc = "timeout", -9
    elif os.WIFSIGNALED(status):
        outcome, rc = "killed", -os.WTERMSIG(status)
    else:
        rc = os.WEXITSTATUS(status)
        outcome = classify(rc, out, err)
    return Result(args, outcome, rc, wall, cpu_s, peak_mb, _summary_line(err))


def run_many(cases: list[list[str]], timeout_s: float, scratch: Path, workers: int,
             progress: Callable[[int, Result], None] | None = None) -> list[Result]:
    """Run invocations in forked children, ``workers`` at a time. ``timeout_s`` is CPU seconds
    (RLIMIT_CPU: a busy shared machine does not turn slow runs into timeouts); wall-clock is
    capped at 5x that."""
    results: dict[int, Result] = {}
    running: dict[int, tuple[int, float]] = {}  # pid -> (case index, start)
    nxt = 0
    while nxt < len(cases) or running:
        while nxt < len(cases) and len(running) < workers:
            running[_spawn(cases[nxt], timeout_s, scratch, nxt)] = (nxt, time.perf_counter())
            nxt += 1
        done = False
        for pid, (k, t0) in list(running.items()):
            wpid, status, usage = os.wait4(pid, os.WNOHANG)
            timed_out = False
            if not wpid and time.perf_counter() - t0 > 5 * timeout_s:
                os.kill(pid, signal.SIGKILL)
                _, status, usage = os.wait4(pid, 0)
                wpid, timed_out = pid, True
            if wpid:
                del running[pid]
                results[k] = _collect(cases[k], k, scratch, status, usage, time.perf_counter() - t0, timed_out)
                if progress:
                    progress(k, results[k])
                done = True
        if not done:
            time.sleep(0.01)
    return [results[k] for k in range(len(cases))]


def _summary_line(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    if "Traceback" in err:
        frames = [ln.strip() for ln in lines if ln.strip().startswith('File "')]
        where = frames[-1] if frames else ""
        return f"{lines[-1][:160]} @ {where[:160]}"
    return lines[0][:200] if lines else ""


def campaign(n: int, seed: int, timeout_s: float, fast: bool, workers: int = 1,
             progress: Callable[[int, Result], None] | None = None) -> list[Result]:
    scratch = Path(tempfile.mkdtemp(prefix="gc-fuzz-"))
    try:
        files = write_files(scratch, random.Random(seed))
        return run_many(generate(n, seed, files, fast), timeout_s, scratch, workers, progress)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(Path(tempfile.gettempdir()) / "gc-fuzz-out", ignore_errors=True)


def report(results: list[Result]) -> str:
    by_cmd: dict[str, Counter[str]] = {}
    for r in results:
        cmd = r.args[0] if r.args[0] not in ("catalog", "validate") else " ".join(r.args[:2])
        by_cmd.setdefault(cmd, Counter())[r.outcome] += 1
    cols = OUTCOMES
    lines = ["| command | runs | " + " | ".join(cols) + " |", "|---|---:|" + "---:|" * len(cols)]
    total: Counter[str] = Counter()
    for cmd in sorted(by_cmd):
        c = by_cmd[cmd]
        total.update(c)
        lines.append(f"| {cmd} | {sum(c.values())} | " + " | ".join(str(c[o]) for o in cols) + " |")
    lines.append(f"| **all** | {len(results)} | " + " | ".join(str(total[o]) for o in cols) + " |")
    peak = max(results, key=lambda r: r.peak_mb)
    slow = max(results, key=lambda r: r.cpu_s)
    lines.append("")
    lines.append(f"peak memory of any invocation: {peak.peak_mb:,.0f} MB (`gigacluster {' '.join(peak.args)[:150]}`)")
    lines.append(f"slowest invocation: {slow.cpu_s:.1f} CPU s, {slow.wall_s:.1f} s wall "
                 f"(`gigacluster {' '.join(slow.args)[:150]}`)")
    bad = [r for r in results if r.outcome not in ("ok", "clean error")]
    for r in bad[:40]:
        lines.append(f"- {r.outcome}: `gigacluster {' '.join(a if a else repr(a) for a in r.args)[:200]}` -> "
                     f"{r.first_err[:240]}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--fast", action="store_true", help="small work sizes (the in-suite profile)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--log", type=Path, help="append one JSON line per invocation")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    t0 = time.perf_counter()

    def progress(k: int, r: Result) -> None:
        if a.log:
            with a.log.open("a") as fh:
                fh.write(json.dumps({"k": k, **r.__dict__}) + "\n")
        if a.verbose or r.outcome not in ("ok", "clean error"):
            print(f"[{k}] {r.outcome} {r.cpu_s:.1f}s {r.peak_mb:.0f}MB gigacluster {' '.join(r.args)[:200]}"
                  f" | {r.first_err[:200]}", file=sys.stderr, flush=True)

    results = campaign(a.n, a.seed, a.timeout, a.fast, a.workers, progress)
    print(report(results))
    print(f"\n{len(results)} invocations in {time.perf_counter() - t0:,.0f} s (timeout {a.timeout:g} CPU s, "
          f"memory cap {MEMORY_CAP_BYTES / 2**30:.0f} GiB)")
    bad = sum(r.outcome not in ("ok", "clean error") for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
