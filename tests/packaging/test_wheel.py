"""A built wheel, installed into a fresh virtual environment, runs commands that read shipped data
(traces, validation cases) from the installed package, not from the checkout.

The fresh venv gets only the wheel (``--no-deps --no-index``); its third-party dependencies are borrowed
from the test venv's site-packages through a path entry (whose own ``.pth`` files, such as the editable
install's, are not processed), so the test needs no network and stays fast."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(cmd: list[str], cwd: Path, timeout: float = 300) -> str:
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv holding the wheel built from this checkout."""
    tmp = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"),
         str(ROOT)], cwd=tmp)
    wheel = next((tmp / "dist").glob("gigacluster-*.whl"))
    env = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    py = env / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        cwd=tmp)
    site = Path(run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp).strip())
    (site / "_borrowed_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env / "bin"


def test_wheel_ships_data_and_licenses(installed: Path, tmp_path: Path) -> None:
    code = ("import gigacluster, gigacluster.data as d, importlib.resources as r; print(gigacluster.__file__); "
            "print(d.shipped('traces', 'philly_pollux', 'philly.csv').is_file(), "
            "d.shipped('validation', 'training.csv').is_file(), "
            "d.shipped('traces', 'philly_pollux', 'LICENSE').is_file(), "
            "r.files('gigacluster.web').joinpath('static', 'dashboard.js').is_file())")
    where, flags = run([str(installed / "python"), "-c", code], cwd=tmp_path).splitlines()
    assert str(installed.parent) in where and str(ROOT / "src") not in where
    assert flags == "True True True True"


def test_installed_wheel_runs_schedule_on_philly(installed: Path, tmp_path: Path) -> None:
    out = run([str(installed / "gigacluster"), "schedule", "--trace", "philly", "--jobs", "200", "--format", "json"],
              cwd=tmp_path)
    assert json.loads(out)["jobs"] == 200


def test_installed_wheel_validates_training(installed: Path, tmp_path: Path) -> None:
    report = json.loads(run([str(installed / "gigacluster"), "validate", "training", "--format", "json"],
                            cwd=tmp_path))
    assert report["rows"] and len(report["rows"]) > 10
