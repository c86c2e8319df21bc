"""jixiao (绩效): government budget performance management."""

__version__ = "0.1.0"
