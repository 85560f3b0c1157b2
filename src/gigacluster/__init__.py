"""gigacluster: a digital twin and planner for gigawatt-scale AI superclusters."""

from gigacluster.errors import GigaclusterError

__all__ = ["GigaclusterError"]
__version__ = "0.1.0"
