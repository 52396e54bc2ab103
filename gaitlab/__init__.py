"""gaitlab: walking and exercise form checks from ordinary video."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gaitlab")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
