"""PyTorch microbenchmarks on one device (CUDA or CPU): GEMMs per precision (bf16, fp16, fp8 through
``torch._scaled_mm`` where the GPU has fp8 tensor cores), causal SDPA forward and backward, copy /
elementwise bandwidth, kernel-launch overhead, and collectives over every visible GPU
(:mod:`.backend_torch_comm`). Needs the optional extra ``gigacluster[device]``."""

from __future__ import annotations

import platform
import subprocess
from collections.abc import Callable

import torch
import torch.nn.functional as nnf

from gigacluster.calibrate.device import base_versions
from gigacluster.calibrate.records import AttentionPass, BandwidthOp, CollectivePoint, Timing
from gigacluster.calibrate.timing import Repetition, measure
from gigacluster.errors import GigaclusterError

_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}


def _driver() -> str:
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10, check=False)
        return out.stdout.strip().splitlines()[0] if out.stdout.strip() else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _device(name: str) -> torch.device:
    try:
        dev = torch.device(name)
    except RuntimeError as exc:
        raise GigaclusterError("device", f"'{name}' is not a torch device; allowed: cpu, cuda, cuda:N") from exc
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise GigaclusterError("device", f"'{name}': CUDA is not available to torch {torch.__version__}")
        if (dev.index or 0) >= torch.cuda.device_count():
            raise GigaclusterError("device", f"'{name}': only {torch.cuda.device_count()} CUDA device(s)")
        dev = torch.device("cuda", dev.index or 0)
        torch.cuda.set_device(dev)
    elif dev.type != "cpu":
        raise GigaclusterError("device", f"'{name}' not supported; allowed: cpu, cuda, cuda:N")
    return dev


class TorchBackend:
    name = "torch"

    def __init__(self, device: str = "cuda:0") -> None:
        self.dev = _device(device)
        self.cuda = self.dev.type == "cuda"
        self.kind = "gpu" if self.cuda else "cpu"
        self._gen = torch.Generator(device=self.dev).manual_seed(0)

    def _sync(self) -> None:
        if self.cuda:
            torch.cuda.synchronize(self.dev)

    def _rand(self, *shape: int, dtype: torch.dtype = torch.bfloat16, grad: bool = False) -> torch.Tensor:
        x = torch.randn(*shape, generator=self._gen, device=self.dev, dtype=torch.float32).to(dtype)
        return x.requires_grad_(grad)

    def _measure(self, call: Callable[[], object], rep: Repetition) -> Timing:
        return measure(call, rep, self._sync)

    def device_name(self) -> str:
        return torch.cuda.get_device_name(self.dev) if self.cuda else f"{platform.machine()} CPU (torch)"

    def versions(self) -> dict[str, str]:
        v = {**base_versions(), "torch": torch.__version__}
        if self.cuda:
            cap = torch.cuda.get_device_capability(self.dev)
            v |= {"cuda": str(torch.version.cuda), "cudnn": str(torch.backends.cudnn.version()),
                  "driver": _driver(), "capability": f"{cap[0]}.{cap[1]}",
                  "device_count": str(torch.cuda.device_count())}
        return v

    def has_fp8(self) -> bool:
        return (self.cuda and torch.cuda.get_device_capability(self.dev) >= (8, 9)
                and hasattr(torch, "_scaled_mm") and hasattr(torch, "float8_e4m3fn"))

    def precisions(self) -> tuple[str, ...]:
        if not self.cuda:
            return ("fp32",)
        return ("bf16", "fp16", "fp8") if self.has_fp8() else ("bf16", "fp16")

    def gemm(self, m: int, n: int, k: int, precision: str, rep: Repetition) -> Timing:
        with torch.inference_mode():
            if precision == "fp8":
                a = self._rand(m, k, dtype=torch.float8_e4m3fn)
                b = self._rand(n, k, dtype=torch.float8_e4m3fn).t()  # column-major, as _scaled_mm requires
                one = torch.ones((), device=self.dev)
                return self._measure(lambda: torch._scaled_mm(a, b, scale_a=one, scale_b=one,
                                                              out_dtype=torch.bfloat16), rep)
            dtype = _DTYPES[precision]
            x, w = self._rand(m, k, dtype=dtype), self._rand(k, n, dtype=dtype)
            out = torch.empty(m, n, device=self.dev, dtype=dtype)
            return self._measure(lambda: torch.matmul(x, w, out=out), rep)

    def attention(self, batch: int, heads: int, seq_len: int, head_dim: int, phase: AttentionPass,
                  rep: Repetition) -> Timing | None:
        """Forward: SDPA alone. Backward: (forward + backward) − forward, medians and spread shifted."""
        dtype = _DTYPES[self.precisions()[0]]
        q, k, v = (self._rand(batch, heads, seq_len, head_dim, dtype=dtype, grad=True) for _ in range(3))
        with torch.inference_mode():
            fwd = self._measure(lambda: nnf.scaled_dot_product_attention(q.detach(), k.detach(), v.detach(),
                                                                          is_causal=True), rep)
        if phase == "fwd":
            return fwd
        g = torch.ones(batch, heads, seq_len, head_dim, device=self.dev, dtype=dtype)

        def step() -> object:
            out = nnf.scaled_dot_product_attention(q, k, v, is_causal=True)
            return torch.autograd.grad(out, (q, k, v), g)

        both = self._measure(step, rep)
        d = fwd.median_s
        return Timing(median_s=max(both.median_s - d, 1e-9), p10_s=max(both.p10_s - d, 1e-9),
                      p90_s=max(both.p90_s - d, 1e-9), min_s=max(both.min_s - d, 1e-9), reps=both.reps)

    def bandwidth(self, op: BandwidthOp, size_bytes: float, rep: Repetition) -> tuple[float, Timing]:
        n = max(1, int(size_bytes // 4))
        a, b = self._rand(n, dtype=torch.float32), self._rand(n, dtype=torch.float32)
        c, nbytes = torch.empty_like(a), float(a.numel() * a.element_size())
        if op == "copy":
            return 2.0 * nbytes, self._measure(lambda: c.copy_(a), rep)
        return 3.0 * nbytes, self._measure(lambda: torch.add(a, b, out=c), rep)

    def launch(self, rep: Repetition) -> Timing:
        a = torch.zeros(1, device=self.dev)
        return self._measure(lambda: a.add_(1.0), rep.model_copy(update={"min_sample_s": 1e-3}))

    def dispatch(self, ops: int, rep: Repetition) -> Timing:
        """One call: ``ops`` chained multiplies of an 8-element tensor that requires grad (autograd
        records every one, as in a training forward pass); host-bound, so wall time is host time."""
        x = self._rand(8, dtype=torch.float32, grad=True)

        def chain() -> object:
            y = x
            for _ in range(ops):
                y = y * 1.0
            return y

        return self._measure(chain, rep.model_copy(update={"min_sample_s": 1e-3}))

    def collectives(self, sizes_mb: tuple[float, ...], rep: Repetition) -> list[CollectivePoint]:
        if not self.cuda or torch.cuda.device_count() < 2 or not sizes_mb:
            return []
        from gigacluster.calibrate.backend_torch_comm import measure_collectives

        torch.cuda.empty_cache()  # give rank 0's process the memory this one cached
        return measure_collectives(torch.cuda.device_count(), sizes_mb, rep, backend="nccl")
