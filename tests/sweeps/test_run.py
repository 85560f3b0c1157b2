"""Running sweeps: one row per point, error rows, resume without loss or repeats, refused spec changes,
identical rows on 1 and 2 Dask workers, and a sweep killed with SIGKILL then resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from gigacluster.errors import GigaclusterError
from gigacluster.sweeps import parse_spec, read_rows, run
from gigacluster.sweeps.store import SHARDS

DESIGN = {"base": "meta-24k", "stage": "design", "chunk_size": 4,
          "axes": {"design.accelerator": ["h100-sxm", "b200", "no-such-gpu"], "design.accelerators": [1024, 4096, 8192],
                   "costs.usd_per_mwh": [40, 80]}}
TRAIN = {"stage": "train", "chunk_size": 2, "request": {"model": "llama3-8b", "tokens": 1e11},
         "axes": {"accelerator": ["h100-sxm", "h200"], "gpus": [64, 128, 256, 512, 1024],
                  "global_batch_tokens": [1048576, 2097152, 4194304]}}


def _outputs(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["seconds"]).reset_index(drop=True)


def test_every_point_is_one_row_and_invalid_points_are_error_rows(tmp_path: Path) -> None:
    out = run(DESIGN, tmp_path / "s", workers=0)
    frame = out.frame
    assert len(frame) == 18 and frame["point_id"].is_unique
    assert list(frame["index"]) == list(range(18))
    bad = frame[frame["in.design.accelerator"] == "no-such-gpu"]
    assert len(bad) == 6 and bad["error"].str.contains("unknown 'no-such-gpu'").all()
    assert bad["capex_usd"].isna().all()
    good = frame[frame["error"].isna()]
    assert (good["accelerators"] == good["in.design.accelerators"]).all()
    cheap = good[good["in.costs.usd_per_mwh"] == 40]["tco_usd_per_year"].to_numpy()
    dear = good[good["in.costs.usd_per_mwh"] == 80]["tco_usd_per_year"].to_numpy()
    assert (dear > cheap).all()
    assert out.summary.errors == 6 and (tmp_path / "s" / "summary.html").is_file()
    assert "<svg" in (tmp_path / "s" / "summary.html").read_text()
    assert out.summary.charts == [tmp_path / "s" / "frontier-1.svg"]
    assert 'xmlns="http://www.w3.org/2000/svg"' in out.summary.charts[0].read_text()
    assert len(pd.read_csv(tmp_path / "s" / "frontier.csv")) == len(out.summary.fronts[0].rows) > 0


@pytest.mark.parametrize("workers", [65536, -1])
def test_local_worker_count_is_bounded_before_anything_starts(tmp_path: Path, workers: int) -> None:
    """Fuzz: ``sweep --workers 65536`` would start a LocalCluster of 65,536 processes."""
    with pytest.raises(GigaclusterError, match=r"workers: must be in \[0, 256\]"):
        run(DESIGN, tmp_path / "s", workers=workers)
    assert not (tmp_path / "s").exists()


def test_point_ids_are_stable_across_runs(tmp_path: Path) -> None:
    a = run(DESIGN, tmp_path / "a", workers=0).frame
    b = run(DESIGN, tmp_path / "b", workers=0).frame
    assert list(a["point_id"]) == list(b["point_id"])
    pd.testing.assert_frame_equal(_outputs(a), _outputs(b))


def test_an_existing_sweep_needs_resume_and_a_changed_spec_is_refused(tmp_path: Path) -> None:
    run(DESIGN, tmp_path / "s", workers=0)
    with pytest.raises(GigaclusterError, match="--resume"):
        run(DESIGN, tmp_path / "s", workers=0)
    changed = DESIGN | {"seed": 1}
    with pytest.raises(GigaclusterError, match="another sweep"):
        run(changed, tmp_path / "s", workers=0, resume=True)


def test_resume_redoes_only_missing_chunks(tmp_path: Path) -> None:
    first = run(DESIGN, tmp_path / "s", workers=0).frame
    shards = sorted((tmp_path / "s" / SHARDS).glob("chunk-*.parquet"))
    for p in shards[1::2]:
        p.unlink()
    (tmp_path / "s" / SHARDS / ".chunk-000001.parquet.123.tmp").write_bytes(b"half a file")
    again = run(DESIGN, tmp_path / "s", workers=0, resume=True)
    assert again.stats.chunks_resumed == len(shards) - len(shards[1::2])
    assert again.stats.points_run == 8  # chunks 1 and 3 of 4 points each
    pd.testing.assert_frame_equal(_outputs(first), _outputs(again.frame))
    assert not list((tmp_path / "s" / SHARDS).glob(".*.tmp"))


def test_one_and_two_dask_workers_give_identical_rows(tmp_path: Path) -> None:
    """One LocalCluster of two worker processes, used through its address (the --scheduler path), then
    scaled down to one worker."""
    from distributed import Client, LocalCluster

    spec = parse_spec(DESIGN)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        two = run(spec, tmp_path / "two", scheduler=cluster.scheduler_address)
        cluster.scale(1)
        with Client(cluster) as client:
            client.wait_for_workers(1)
            while len(client.scheduler_info()["workers"]) > 1:
                time.sleep(0.05)
        one = run(spec, tmp_path / "one", scheduler=cluster.scheduler_address)
    assert (two.stats.workers, one.stats.workers) == (2, 1)
    assert one.stats.engine.startswith("dask tcp://")
    pd.testing.assert_frame_equal(_outputs(one.frame), _outputs(two.frame))
    pd.testing.assert_frame_equal(_outputs(one.frame), _outputs(run(spec, tmp_path / "inline", workers=0).frame))


def test_killed_sweep_resumes_with_no_row_lost_or_repeated(tmp_path: Path) -> None:
    spec_path, out = tmp_path / "train.yaml", tmp_path / "out"
    spec_path.write_text(yaml.safe_dump(TRAIN))
    cli = [sys.executable, "-c", "from gigacluster.cli import main; main()"]
    cmd = [*cli, "sweep", str(spec_path), "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(list((out / SHARDS).glob("chunk-*.parquet"))) < 2 and time.monotonic() < deadline:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI, its Dask scheduler and its worker processes
        proc.wait()
    done_before = len(list((out / SHARDS).glob("chunk-*.parquet")))
    assert 2 <= done_before < 15
    # resumed in this process (no cluster start-up): the shards do not depend on the engine
    resumed = subprocess.run([*cmd[:-1], "0", "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{done_before} of 15 chunks were already done" in resumed.stdout
    frame = read_rows(out)
    assert len(frame) == 30 and frame["point_id"].is_unique
    assert sorted(frame["index"]) == list(range(30))


def test_interrupted_sweep_says_how_to_resume_and_resumes(tmp_path: Path) -> None:
    spec_path, out = tmp_path / "train.yaml", tmp_path / "out"
    spec_path.write_text(yaml.safe_dump(TRAIN))
    cmd = [sys.executable, "-c", "from gigacluster.cli import main; main()", "sweep", str(spec_path), "--out", str(out),
           "--workers", "0"]
    # a test run launched in the background inherits SIGINT ignored (POSIX), and Python then installs
    # no KeyboardInterrupt handler: give the sweep the default disposition
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while len(list((out / SHARDS).glob("chunk-*.parquet"))) < 1 and time.monotonic() < deadline:
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "--resume" in err, (proc.returncode, err, _)
    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    frame = read_rows(out)
    assert len(frame) == 30 and frame["point_id"].is_unique


def test_resume_cuts_the_chunks_the_sweep_started_with(tmp_path: Path) -> None:
    spec = {k: v for k, v in DESIGN.items() if k != "chunk_size"}
    first = run(spec, tmp_path / "s", workers=0).frame
    manifest = tmp_path / "s" / "sweep.json"
    manifest.write_text(manifest.read_text().replace('"chunk_size": 1', '"chunk_size": 5'))
    for p in (tmp_path / "s" / SHARDS).glob("chunk-*.parquet"):
        p.unlink()
    again = run(spec, tmp_path / "s", workers=0, resume=True)
    assert again.stats.chunks == 4 and len(list((tmp_path / "s" / SHARDS).glob("chunk-*.parquet"))) == 4
    pd.testing.assert_frame_equal(_outputs(first), _outputs(again.frame))
