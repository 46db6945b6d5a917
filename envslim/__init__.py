"""envslim: make conda-based Docker images small."""

__version__ = "0.2.0"
