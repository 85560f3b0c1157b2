"""HTTP API under load: 100 concurrent clients × 20 requests each against a live server on 127.0.0.1
(``gigacluster web`` in a subprocess). Every client cycles through a mix of endpoints (catalog GETs, the
five scenarios' plans, designs, a small schedule, a reliability estimate, a serving plan). Prints p50/p99
latency overall and per endpoint and the count of 5xx answers (must be 0), for a cold cache (the first
pass computes every distinct request once; identical requests in flight share the computation) and a
warm one (the same requests again).

    .venv/bin/python bench/web.py [--clients 100] [--requests 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx
import numpy as np

SCENARIOS = ("meta-24k", "colossus", "stargate-abilene", "prometheus", "hyperion")
MIX: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/scenarios", None),
    ("GET", "/api/options", None),
    *[("POST", "/api/plan", {"scenario": s}) for s in SCENARIOS],
    *[("POST", "/api/design", {"scenario": s}) for s in SCENARIOS],
    ("POST", "/api/schedule", {"trace": "philly", "jobs": 2000, "gpus": 1024}),
    ("POST", "/api/reliability", {"gpus": 16384, "days": 54, "profile": "llama3", "replications": 200}),
    ("POST", "/api/serve", {"model": "llama3-70b", "accelerator": "h100-sxm", "users": 1e7}),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def client(base: str, i: int, n: int, out: list[tuple[str, int, float]]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=600) as c:
        for k in range(n):
            method, path, body = MIX[(i + k) % len(MIX)]
            t = time.perf_counter()
            r = await c.request(method, path, json=body)
            out.append((path, r.status_code, time.perf_counter() - t))


async def run_pass(base: str, clients: int, n: int) -> tuple[list[tuple[str, int, float]], float]:
    out: list[tuple[str, int, float]] = []
    t = time.perf_counter()
    await asyncio.gather(*(client(base, i, n, out) for i in range(clients)))
    return out, time.perf_counter() - t


def report(name: str, rows: list[tuple[str, int, float]], wall_s: float) -> None:
    lat = np.array([r[2] for r in rows]) * 1e3
    codes = Counter(r[1] for r in rows)
    fivexx = sum(v for k, v in codes.items() if k >= 500)
    print(f"{name}: {len(rows)} requests in {wall_s:.1f} s ({len(rows) / wall_s:,.0f} req/s); "
          f"p50 {np.percentile(lat, 50):,.1f} ms, p99 {np.percentile(lat, 99):,.1f} ms; "
          f"status {dict(sorted(codes.items()))}; 5xx: {fivexx}")
    by: dict[str, list[float]] = defaultdict(list)
    for path, _, s in rows:
        by[path].append(s * 1e3)
    for path, v in sorted(by.items()):
        print(f"    {path:18} n={len(v):5}  p50 {np.percentile(v, 50):>9,.1f} ms  p99 {np.percentile(v, 99):>9,.1f} ms")


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/api/options", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--requests", type=int, default=20)
    args = ap.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-c", "from gigacluster.cli import main; main()", "web", "--port",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(base, proc)
        print(f"{args.clients} clients × {args.requests} requests against {base} ({len(MIX)} distinct requests); "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        for name in ("cold cache", "warm cache"):
            server0, client0 = cpu_s(proc.pid), time.process_time()
            rows, wall = asyncio.run(run_pass(base, args.clients, args.requests))
            report(name, rows, wall)
            server, client = cpu_s(proc.pid) - server0, time.process_time() - client0
            print(f"    CPU: server {server:.1f} s ({1e3 * server / len(rows):.1f} ms/request), "
                  f"clients {client:.1f} s ({1e3 * client / len(rows):.1f} ms/request)")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
