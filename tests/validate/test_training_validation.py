"""The accuracy bar of the foundation issue, on the public case file (CI fails below it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gigacluster.errors import GigaclusterError
from gigacluster.validate.training import validate_training

DATA = Path(__file__).parents[2] / "data" / "validation"


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return validate_training(DATA / "training.csv")


def test_public_training_cases_meet_the_accuracy_bar(report) -> None:  # type: ignore[no-untyped-def]
    """In-sample bar of the shipped fit. The fit weighs source families equally and pulls every
    constant toward its physical prior, so the row-weighted in-sample mean sits a little above the
    old unconstrained fit's 13.8%; the honest, cross-validated figure is tools/calibrate.py --cv
    family (too slow for the suite; see docs/training.md)."""
    assert report.cases == 125
    assert report.predicted / report.cases >= 0.95
    assert report.median_ape <= 0.10
    assert report.mean_ape <= 0.17


def test_only_rows_without_an_architecture_are_skipped(report) -> None:  # type: ignore[no-untyped-def]
    assert all("architecture unknown" in s.reason for s in report.skipped)


def test_any_file_in_the_schema_is_accepted(tmp_path: Path) -> None:
    lines = (DATA / "training.csv").read_text().splitlines()
    one = tmp_path / "one.csv"
    one.write_text("\n".join([lines[0], lines[23]]) + "\n")
    r = validate_training(one)
    assert r.cases == 1 and r.predicted == 1
    empty = tmp_path / "empty.csv"
    empty.write_text(lines[0] + "\n")
    assert validate_training(empty).cases == 0


def test_malformed_cells_skip_the_row_naming_row_and_column(tmp_path: Path) -> None:
    lines = (DATA / "training.csv").read_text().splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], lines[23].replace(",fp16,", ",fp17,"), lines[24]]) + "\n")
    r = validate_training(bad)
    assert r.cases == 2 and r.predicted == 1
    assert "KOR22-T5-22B-full.precision" in r.skipped[0].reason


def test_an_unreadable_file_is_the_only_fatal_error(tmp_path: Path) -> None:
    with pytest.raises(GigaclusterError, match="cases"):
        validate_training(tmp_path / "missing.csv")
    headless = tmp_path / "headless.csv"
    headless.write_text("a,b\n1,2\n")
    with pytest.raises(GigaclusterError, match="required column"):
        validate_training(headless)


def test_vtrain_heldout_files_are_accepted() -> None:
    r = validate_training(DATA / "training_vtrain_multi.csv")
    assert r.cases == 109 and r.predicted >= 100
