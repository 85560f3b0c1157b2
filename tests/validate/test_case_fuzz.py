"""Any row of a case file is predicted or skipped with a one-line reason: never a traceback."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.validate.training import validate_training

DATA = Path(__file__).parents[2] / "data" / "validation"
ROWS = ("MCORE08-W-70B", "NAR21-T1-1", "LLAMA1-65B-TPUT")
GARBAGE = ("", " ", "abc", "-3", "0", "nan", "inf", "1e400", "3.5.1", "  7 ", "x" * 300, "☃", "\x00",
           "h100-sxm", "unknown-gpu", "moe", "fsdp", "11616")


def _rows() -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO((DATA / "training.csv").read_text(encoding="utf-8")))
    rows = [r for r in reader if r["id"] in ROWS]
    return list(reader.fieldnames or []), rows


HEADER, BASE = _rows()


def _write(path: Path, rows: list[dict[str, str]], raw_cells: dict[tuple[int, str], bytes]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    marks = {}
    for i, row in enumerate(rows):
        row = dict(row)
        for (j, col), _ in raw_cells.items():
            if j == i:
                row[col] = f"@@{i}{col}@@"
                marks[f"@@{i}{col}@@"] = raw_cells[(j, col)]
        writer.writerow(row)
    data = out.getvalue().encode("utf-8")
    for mark, raw in marks.items():
        data = data.replace(mark.encode(), raw)
    path.write_bytes(data)


cells = st.tuples(st.integers(0, len(BASE) - 1), st.sampled_from(HEADER),
                  st.one_of(st.sampled_from(GARBAGE).map(lambda s: s.encode("utf-8")),
                            st.binary(min_size=1, max_size=6).filter(lambda b: b"\n" not in b and b"\r" not in b
                                                                     and b"," not in b and b'"' not in b)))


@settings(max_examples=40, deadline=None)
@given(st.lists(cells, min_size=1, max_size=4))
def test_fuzzed_case_file_never_raises(tmp_path_factory, edits) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("fuzz") / "cases.csv"
    raw = {(i, col): value for i, col, value in edits if col != "id"}
    _write(path, BASE, raw)
    report = validate_training(path)
    assert report.predicted + len(report.skipped) == report.cases == len(BASE)
    for s in report.skipped:
        assert s.reason and "\n" not in s.reason
    for r in report.rows:
        assert r.predicted > 0 and r.ape == r.ape


def test_blank_accelerator_and_architecture_and_bad_bytes_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    at = {r["id"]: i for i, r in enumerate(BASE)}
    _write(path, BASE, {(at["MCORE08-W-70B"], "accelerator"): b"", (at["NAR21-T1-1"], "layers"): b"",
                        (at["NAR21-T1-1"], "model_id"): b"", (at["LLAMA1-65B-TPUT"], "num_gpus"): b"\xff\xfe12"})
    report = validate_training(path)
    reasons = {s.id: s.reason for s in report.skipped}
    assert report.predicted == 0 and len(reasons) == 3
    assert "accelerator" in reasons["MCORE08-W-70B"]
    assert "architecture" in reasons["NAR21-T1-1"]
    assert "UTF-8" in reasons["LLAMA1-65B-TPUT"]


def test_a_gpu_count_that_does_not_factor_still_gets_a_layout(tmp_path: Path) -> None:
    row = dict(next(r for r in BASE if r["id"] == "MCORE08-W-70B"))
    row.update(num_gpus="11616", tp="", pp="", dp="", vpp="", micro_batch="", global_batch_seqs="2048")
    path = tmp_path / "odd.csv"
    _write(path, [row], {})
    report = validate_training(path)
    assert report.predicted == 1, report.skipped
