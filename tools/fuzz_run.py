"""Running the fuzz campaign's invocations (tools/fuzz.py): each in a forked child of the campaign (the
package is imported once) with a CPU-time limit (``RLIMIT_CPU``: a busy shared machine does not turn slow
runs into timeouts), a wall-clock cap of ``WALL_CAP_FACTOR`` x that and an address-space cap; the
child's peak RSS and CPU time come from ``wait4``."""

from __future__ import annotations

import io
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MEMORY_CAP_BYTES = 6 * 2**30
WALL_CAP_FACTOR = 15  # wall-clock cap = 15 x the CPU timeout (a shared machine can be ~10x oversubscribed)


@dataclass(frozen=True)
class Judge:
    """How to run one invocation in-process, classify its outcome and summarise it in one line."""

    call: Callable[[list[str]], tuple[int, str, str]]
    classify: Callable[[int, str, str, list[str]], str]
    summary: Callable[[list[str], str, str], str]


def _child(args: list[str], out_path: str, err_path: str, call: Callable[[list[str]], tuple[int, str, str]]) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))
    with open(out_path, "w") as fo, open(err_path, "w") as fe:
        os.dup2(fo.fileno(), 1)
        os.dup2(fe.fileno(), 2)
        sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), write_through=True)
        sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), write_through=True)
        rc, o, e = call(args)
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


def _spawn(args: list[str], timeout_s: float, scratch: Path, k: int, judge: Judge) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            cpu = max(1, int(timeout_s))
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            os.chdir(scratch)  # relative outputs (plan --out ., calibrate's calib.yaml) stay out of the checkout
            _child(args, str(scratch / f"o{k}"), str(scratch / f"e{k}"), judge.call)
        finally:
            os._exit(70)
    return pid


def _collect(args: list[str], k: int, scratch: Path, status: int, usage: Any, wall: float,
             timed_out: bool, judge: Judge) -> Result:
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
        outcome = judge.classify(rc, out, err, args)
    return Result(args, outcome, rc, wall, cpu_s, peak_mb, judge.summary(args, out, err))


def run_many(cases: list[list[str]], timeout_s: float, scratch: Path, workers: int, judge: Judge,
             progress: Callable[[int, Result], None] | None = None) -> list[Result]:
    """Run invocations in forked children, ``workers`` at a time. ``timeout_s`` is CPU seconds
    (RLIMIT_CPU: a busy shared machine does not turn slow runs into timeouts); wall-clock is
    capped at WALL_CAP_FACTOR x that."""
    results: dict[int, Result] = {}
    running: dict[int, tuple[int, float]] = {}  # pid -> (case index, start)
    nxt = 0
    while nxt < len(cases) or running:
        while nxt < len(cases) and len(running) < workers:
            running[_spawn(cases[nxt], timeout_s, scratch, nxt, judge)] = (nxt, time.perf_counter())
            nxt += 1
        done = False
        for pid, (k, t0) in list(running.items()):
            wpid, status, usage = os.wait4(pid, os.WNOHANG)
            timed_out = False
            if not wpid and time.perf_counter() - t0 > WALL_CAP_FACTOR * timeout_s:
                os.kill(pid, signal.SIGKILL)
                _, status, usage = os.wait4(pid, 0)
                wpid, timed_out = pid, True
            if wpid:
                del running[pid]
                results[k] = _collect(cases[k], k, scratch, status, usage, time.perf_counter() - t0, timed_out,
                                      judge)
                if progress:
                    progress(k, results[k])
                done = True
        if not done:
            time.sleep(0.01)
    return [results[k] for k in range(len(cases))]


def summary_line(err: str) -> str:
    """The first line of an error, or a traceback's last line and innermost frame."""
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    if "Traceback" in err:
        frames = [ln.strip() for ln in lines if ln.strip().startswith('File "')]
        where = frames[-1] if frames else ""
        return f"{lines[-1][:160]} @ {where[:160]}"
    return lines[0][:200] if lines else ""


