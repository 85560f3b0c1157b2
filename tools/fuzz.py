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
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer.main

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling modules, also when loaded by path

import fuzz_api  # noqa: E402
from fuzz_api import near_miss  # noqa: E402
from fuzz_files import write_files  # noqa: E402
from fuzz_run import MEMORY_CAP_BYTES, Judge, Result, run_many, summary_line  # noqa: E402

from gigacluster.cli import app  # noqa: E402
from gigacluster.cli.common import run_guarded  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUTCOMES = ("ok", "clean error", "traceback", "non-finite output", "multi-line error", "timeout", "killed")

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
FAST_SKIP = {"plan", "validate inference", "validate training", "train", "serve", "calibrate"}
NOT_FUZZED = {"web"}
"""Commands that serve until interrupted: they are tested against a live server (tests/web), not fuzzed."""


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
        if " ".join(path) not in NOT_FUZZED:
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


def generate(n: int, seed: int, files: dict[str, list[str]], fast: bool = False, api: int = 0) -> list[list[str]]:
    """``n`` distinct argument lists and then ``api`` HTTP API invocations (tools/fuzz_api.py),
    deterministic in ``seed`` (an exact repeat is drawn again: re-running an identical invocation only
    costs time)."""
    rng = random.Random(seed)
    cmds = {c: ps for c, ps in commands().items() if not (fast and c in FAST_SKIP)}
    names = catalog_names()
    out: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for _ in range(50 * n):
        if len(out) == n:
            break
        args = _invocation(rng, cmds, names, files, fast)
        if tuple(args) not in seen:
            seen.add(tuple(args))
            out.append(args)
    return out + (fuzz_api.generate(api, seed, fast) if api else [])


def _invocation(rng: random.Random, cmds: dict[str, list[Param]], names: dict[str, list[str]],
                files: dict[str, list[str]], fast: bool) -> list[str]:
    cmd = rng.choice(sorted(cmds))
    args = cmd.split()
    for p in cmds[cmd]:
        forced = (fast and (p.name in FAST_CAPS or f"{p.name}@{cmd.split()[0]}" in FAST_CAPS)) or (
            p.name == "--cases" and rng.random() < 0.9)  # the shipped cases are one fixed input
        if not (p.required or p.is_argument or forced or rng.random() < 0.35):
            continue
        if p.kind == "bool":
            args.append(p.name)
            continue
        value = _value(p, cmd, rng, names, files, fast)
        args += [value] if p.is_argument else [p.name, value]
    if rng.random() < 0.5 and any(p.name == "--format" for p in cmds[cmd]):
        args += ["--format", "json"]
    return args


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


def classify(rc: int, out: str, err: str, args: list[str] | None = None) -> str:
    """One outcome from an exit code and the captured streams (of a command, or of an API call)."""
    if "Traceback (most recent call last)" in err or "Traceback (most recent call last)" in out:
        return "traceback"
    if args and args[0] == fuzz_api.API:
        return fuzz_api.classify(out, _negative_number, _non_finite)
    if rc == 0:
        if out.lstrip().startswith(("{", "[")):
            with contextlib.suppress(ValueError):
                doc = json.loads(out)
                return "non-finite output" if _non_finite(doc) or _negative_number(doc) else "ok"
        if re.search(r"(?<![A-Za-z_'\"])-?(nan|inf)(?![A-Za-z_'\"])", out):
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
                if args and args[0] == fuzz_api.API:
                    rc, text, _ = fuzz_api.call(args)
                    print(text, end="")
                else:
                    rc = run_guarded(app)
            except BaseException:  # noqa: BLE001 - the campaign records it
                import traceback

                traceback.print_exc(file=sys.stderr)
                rc = 1
    finally:
        sys.argv = argv
    return rc, out.getvalue(), err.getvalue()


def _summary(args: list[str], out: str, err: str) -> str:
    """The line the log keeps: an API answer's ``<code> <field>: <message>``, else stderr's (last) line."""
    if args[0] == fuzz_api.API and out.startswith("HTTP ") and "Traceback" not in err:
        return fuzz_api.summary_line(out)
    return summary_line(err)


JUDGE = Judge(call_in_process, classify, _summary)


def bad_cases(log: Path) -> list[list[str]]:
    """The invocations of a campaign log that did not end ok or with a clean error (to re-run them)."""
    rows = [json.loads(ln) for ln in log.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return [r["args"] for r in sorted(rows, key=lambda r: r["k"]) if r["outcome"] not in ("ok", "clean error")]


def _rescratch(args: list[str], scratch: Path) -> list[str]:
    """``args`` with the files of an earlier campaign's scratch folder in this one's (same seed, same files)."""
    old = re.escape(tempfile.gettempdir()) + r"/gc-fuzz-(?!out\b)[^/\s]+/"
    return [re.sub(old, f"{scratch}/", a) for a in args]


def campaign(n: int, seed: int, timeout_s: float, fast: bool, workers: int = 1,
             progress: Callable[[int, Result], None] | None = None, api: int = 0,
             rerun: list[list[str]] | None = None) -> list[Result]:
    """Generate and run a campaign (or re-run the invocations ``rerun`` of one with the same seed)."""
    scratch = Path(tempfile.mkdtemp(prefix="gc-fuzz-"))
    try:
        files = write_files(scratch, random.Random(seed))
        cases = generate(n, seed, files, fast, api) if rerun is None else [_rescratch(a, scratch) for a in rerun]
        return run_many(cases, timeout_s, scratch, workers, JUDGE, progress)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(Path(tempfile.gettempdir()) / "gc-fuzz-out", ignore_errors=True)


def _shown(args: list[str]) -> str:
    """An invocation as a user would type it (an API call as ``POST /api/NAME BODY``)."""
    if args and args[0] == fuzz_api.API:
        return f"{'GET' if args[1] in fuzz_api.GETS else 'POST'} /api/{args[1]} {args[2]}"
    return "gigacluster " + " ".join(a if a else repr(a) for a in args)


def report(results: list[Result]) -> str:
    by_cmd: dict[str, Counter[str]] = {}
    for r in results:
        cmd = r.args[0] if r.args[0] not in ("catalog", "validate", fuzz_api.API) else " ".join(r.args[:2])
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
    lines.append(f"peak memory of any invocation: {peak.peak_mb:,.0f} MB (`{_shown(peak.args)[:150]}`)")
    lines.append(f"slowest invocation: {slow.cpu_s:.1f} CPU s, {slow.wall_s:.1f} s wall (`{_shown(slow.args)[:150]}`)")
    bad = [r for r in results if r.outcome not in ("ok", "clean error")]
    for r in bad[:40]:
        lines.append(f"- {r.outcome}: `{_shown(r.args)[:200]}` -> "
                     f"{r.first_err[:240]}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--api", type=int, default=0, help="HTTP API invocations after the --n commands")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--fast", action="store_true", help="small work sizes (the in-suite profile)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--log", type=Path, help="append one JSON line per invocation")
    ap.add_argument("--summarise", type=Path, help="print the table of a (partial) --log file and exit")
    ap.add_argument("--rerun", type=Path, help="re-run the bad invocations of this --log (same --seed)")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    if a.summarise:
        rows = [json.loads(ln) for ln in a.summarise.read_text(encoding="utf-8").splitlines() if ln.strip()]
        print(report([Result(**{k: v for k, v in r.items() if k != "k"}) for r in rows]))
        return 0
    t0 = time.perf_counter()

    def progress(k: int, r: Result) -> None:
        if a.log:
            with a.log.open("a") as fh:
                fh.write(json.dumps({"k": k, **r.__dict__}) + "\n")
        if a.verbose or r.outcome not in ("ok", "clean error"):
            print(f"[{k}] {r.outcome} {r.cpu_s:.1f}s {r.peak_mb:.0f}MB {_shown(r.args)[:200]}"
                  f" | {r.first_err[:200]}", file=sys.stderr, flush=True)

    rerun = bad_cases(a.rerun) if a.rerun else None
    results = campaign(a.n, a.seed, a.timeout, a.fast, a.workers, progress, a.api, rerun)
    print(report(results))
    print(f"\n{len(results)} invocations in {time.perf_counter() - t0:,.0f} s (timeout {a.timeout:g} CPU s, "
          f"memory cap {MEMORY_CAP_BYTES / 2**30:.0f} GiB)")
    bad = sum(r.outcome not in ("ok", "clean error") for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
