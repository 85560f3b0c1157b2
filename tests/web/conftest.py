"""A live ``gigacluster web`` server on 127.0.0.1 (a free port), started once for the web tests in its own
process: a real server, isolated from whatever state earlier tests left in this one."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The base URL of a running server (stopped at the end of the session)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-c", "from gigacluster.cli import main; main()", "web", "--port",
                             str(port), "--timeout-s", "300"], stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gigacluster web exited: {log.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{base}/api/limits", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("gigacluster web did not start within 60 s") from None
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
