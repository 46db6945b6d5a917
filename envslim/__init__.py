"""envslim: make conda-based Docker images small."""

__version__ = "0.1.0"
