"""A sweep's output directory: ``sweep.json`` (the spec and its hash) and one Parquet shard per chunk.

A shard is written to a temporary name and renamed into place (atomic on POSIX), so a sweep killed at any
moment leaves only whole shards; a restart skips the chunks whose shard exists and redoes the rest, so
no row is lost and none is written twice. A directory made for another spec is refused."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from gigacluster.errors import GigaclusterError
from gigacluster.sweeps.spec import SweepSpec, digest

MANIFEST = "sweep.json"
SHARDS = "shards"


@dataclass(frozen=True)
class Store:
    """The output directory of one sweep."""

    root: Path
    chunks: int
    chunk_size: int
    spec_hash: str

    def shard(self, chunk: int) -> Path:
        return self.root / SHARDS / f"chunk-{chunk:06d}.parquet"

    def done(self) -> set[int]:
        """The chunks whose shard is in place."""
        return {c for c in range(self.chunks) if self.shard(c).is_file()}

    def write(self, chunk: int, table: pa.Table) -> Path:
        """Write a chunk's shard atomically: a temporary file in the same directory, then a rename."""
        final = self.shard(chunk)
        tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, final)
        return final

    def read(self) -> pa.Table:
        """Every shard in chunk order, as one table."""
        tables = [pq.read_table(self.shard(c)) for c in sorted(self.done())]
        if not tables:
            raise GigaclusterError("out", f"'{self.root}' holds no finished chunks yet")
        return pa.concat_tables(tables)


def _manifest(spec: SweepSpec, base_data: object, points: int, chunk_size: int) -> dict[str, object]:
    return {"spec_hash": spec_hash(spec, base_data), "points": points, "chunk_size": chunk_size,
            "spec": spec.model_dump(mode="json")}


def spec_hash(spec: SweepSpec, base_data: object) -> str:
    """The spec's hash, with the base scenario's content (an edited scenario file is another sweep)."""
    return digest({"spec": spec.spec_hash(), "base": base_data})


def open_store(out: str | Path, spec: SweepSpec, base_data: object, points: int, chunk_size: int,
               resume: bool) -> Store:
    """The store for ``spec`` at ``out``: created when new; continued only with ``resume`` and the same spec."""
    root = Path(out)
    manifest = _manifest(spec, base_data, points, chunk_size)
    chunks = -(-points // chunk_size)
    path = root / MANIFEST
    if path.is_file():
        old = json.loads(path.read_text(encoding="utf-8"))
        if old.get("spec_hash") != manifest["spec_hash"]:
            raise GigaclusterError("out", f"'{root}' holds another sweep (spec {old.get('spec_hash')}, this one is "
                                          f"{manifest['spec_hash']}); use a new --out, or delete it to start over")
        if old.get("points") != points:
            raise GigaclusterError("out", f"'{root}' was made with {old.get('points')} points, this spec samples "
                                          f"{points} (another gigacluster version?); use a new --out")
        size = int(old.get("chunk_size", chunk_size))  # the chunks the sweep was started with
        store = Store(root, -(-points // size), size, str(manifest["spec_hash"]))
        if not resume:
            raise GigaclusterError("out", f"'{root}' already holds this sweep ({len(store.done())} of {chunks} "
                                          "chunks done); pass --resume to continue it")
        (root / SHARDS).mkdir(exist_ok=True)
        _clean_tmp(root)
        return store
    if root.exists() and any(p.name != MANIFEST + ".tmp" for p in root.iterdir()):
        raise GigaclusterError("out", f"'{root}' is not empty and holds no sweep; use a new --out")
    root.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    (root / SHARDS).mkdir(exist_ok=True)
    return Store(root, chunks, chunk_size, str(manifest["spec_hash"]))


def _clean_tmp(root: Path) -> None:
    """Remove half-written shards a killed run left behind."""
    for tmp in (root / SHARDS).glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
