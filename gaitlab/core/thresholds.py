"""Load the thresholds file (``models/thresholds.toml``): every flag threshold with its source."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from gaitlab.core.errors import GaitlabError
from gaitlab.core.package_data import models_dir

#: The thresholds file shipped with the package (``models/thresholds.toml``).
DEFAULT_PATH = models_dir() / "thresholds.toml"


@dataclass(frozen=True)
class Threshold:
    """One entry of the thresholds file.

    ``value`` applies when sex is unknown; ``value_female`` / ``value_male`` when the source
    gives sex-specific cut-offs. Bands (reference ranges) use ``low`` / ``high`` instead.
    """

    name: str
    description: str
    unit: str
    source: str
    provisional: bool
    value: float | None = None
    value_female: float | None = None
    value_male: float | None = None
    comparison: str = ">"
    low: float | None = None
    high: float | None = None
    sdd: float | None = None
    sdd_source: str = ""

    def for_sex(self, sex: str | None = None) -> float:
        """The cut-off for ``sex`` ("female", "male" or None for unknown)."""
        if sex == "female" and self.value_female is not None:
            return self.value_female
        if sex == "male" and self.value_male is not None:
            return self.value_male
        if self.value is None:
            raise GaitlabError(f"threshold {self.name!r} has no single value (it is a band)")
        return self.value

    def crossed(self, x: float, sex: str | None = None) -> bool:
        limit = self.for_sex(sex)
        return x > limit if self.comparison == ">" else x < limit


def load_thresholds(path: str | Path | None = None) -> dict[str, Threshold]:
    """Read the thresholds file (``GAITLAB_THRESHOLDS`` overrides the default path)."""
    path = Path(path or os.environ.get("GAITLAB_THRESHOLDS") or DEFAULT_PATH)
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise GaitlabError(f"thresholds file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise GaitlabError(f"thresholds file {path} is not valid TOML: {exc}") from None
    out: dict[str, Threshold] = {}
    for name, entry in raw.items():
        try:
            out[name] = Threshold(name=name, **entry)
        except TypeError as exc:
            raise GaitlabError(
                f"thresholds file {path}: entry [{name}] is malformed ({exc})"
            ) from None
        if not out[name].source:
            raise GaitlabError(f"thresholds file {path}: entry [{name}] has no source")
    return out
