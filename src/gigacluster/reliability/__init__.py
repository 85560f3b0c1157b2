"""Failure processes, checkpoint / restart, and Monte Carlo goodput (ETTR) of one training job.

Public API::

    goodput(ReliabilitySpec(gpus=16384, days=54, profile="llama3")) -> GoodputResult
    time_to_train(spec, failure_free_days) -> TrainTime
    checkpoint_bytes(model_spec, bytes_per_param=14.0) -> float
"""

from gigacluster.reliability.goodput import GoodputResult, LostTime, TrainTime, goodput, time_to_train
from gigacluster.reliability.profiles import FailureProfile, get_profile, load_profiles
from gigacluster.reliability.spec import ReliabilitySpec, checkpoint_bytes

__all__ = [
    "FailureProfile",
    "GoodputResult",
    "LostTime",
    "ReliabilitySpec",
    "TrainTime",
    "checkpoint_bytes",
    "get_profile",
    "goodput",
    "load_profiles",
    "time_to_train",
]
