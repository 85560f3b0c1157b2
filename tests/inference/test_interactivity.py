"""The throughput-per-GPU against tokens/s-per-user curve of a serving plan."""

from __future__ import annotations

from gigacluster import api


def test_bigger_batches_trade_speed_per_user_for_throughput_per_gpu() -> None:
    sp = api.serve(api.ServeRequest(model="llama3-70b", accelerator="h100-sxm", users=1e6)).plan
    curve = sp.interactivity
    assert len(curve) >= 5 and curve[0].batch == 1
    batches = [c.batch for c in curve]
    assert batches == sorted(batches)
    users = [c.tokens_per_s_per_user for c in curve]
    gpus = [c.tokens_per_s_per_gpu for c in curve]
    assert all(a >= b for a, b in zip(users, users[1:], strict=False))
    assert all(a <= b for a, b in zip(gpus, gpus[1:], strict=False))
    # the largest batch is the offline maximum; the SLO point cannot beat it
    assert gpus[-1] == max(gpus)
    assert sp.slo_throughput_tokens_per_s_per_gpu <= gpus[-1] * 1.05
    assert sp.max_throughput_tokens_per_s_per_gpu >= gpus[-1] * 0.95
