"""gaitlab: walking and exercise form checks from ordinary video."""

from importlib.metadata import PackageNotFoundError, version

#: The distribution's name on PyPI (the import package and the command are ``gaitlab``).
DISTRIBUTION = "gaitlab-video"

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"

__all__ = ["DISTRIBUTION", "__version__"]
