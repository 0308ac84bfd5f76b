"""regiograph: a linked open data platform for smart regions."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("regiograph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
