"""Data shipped with gaitlab, installed as the package ``gaitlab.models``: the thresholds file
(``thresholds.toml``) and pose model bundles. Found through
:func:`gaitlab.core.package_data.models_dir`; holds no code."""
