"""Bad traces are one-line errors naming the line and column, never an internal invariant."""

from __future__ import annotations

from pathlib import Path

import pytest

from gigacluster.errors import GigaclusterError
from gigacluster.scheduling import ClusterSpec, load_trace, simulate

ROWS = "timestamp,duration,num_gpus\n" + "".join(f"{i * 60},{600 + i * 7},{1 + i % 8}\n" for i in range(10))


def _write(tmp_path: Path, text: str | bytes) -> str:
    p = tmp_path / "t.csv"
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(p)


@pytest.mark.parametrize("col, bad, needle", [
    (0, "inf", "line 4: timestamp"), (0, "nan", "line 4: timestamp"), (1, "1e300", "line 4: duration"),
    (1, "-5", "line 4: duration"), (2, "0", "line 4: num_gpus"), (2, "abc", "line 4: num_gpus"),
    (2, "1e30", "line 4: num_gpus"),
])
def test_bad_cells(tmp_path: Path, col: int, bad: str, needle: str) -> None:
    lines = ROWS.splitlines()
    cells = lines[3].split(",")
    cells[col] = bad
    lines[3] = ",".join(cells)
    with pytest.raises(GigaclusterError) as exc:
        load_trace(_write(tmp_path, "\n".join(lines) + "\n"))
    assert needle in str(exc.value) and "\n" not in str(exc.value)


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    for data, needle in [(b"timestamp,duration,num_gpus\n\xff,1,1\n", "not UTF-8"), (b"", "is empty"),
                         ("timestamp,duration,num_gpus\n" + "1,0,1\n" * 5, "has no work")]:
        with pytest.raises(GigaclusterError, match=needle):
            load_trace(_write(tmp_path, data))
    with pytest.raises(GigaclusterError, match="seed"):
        load_trace(_write(tmp_path, ROWS), seed=-1)


@pytest.mark.parametrize("policy", ["fifo", "backfill", "fair", "priority", "las"])
def test_a_small_trace_on_64_gpus_finishes(tmp_path: Path, policy: str) -> None:
    r = simulate(ClusterSpec(gpus=64), load_trace(_write(tmp_path, ROWS)), policy)
    assert r.jobs == 10 and r.makespan_h > 0
