"""Packages of the wheel, beside pyproject.toml: every ``gaitlab`` package found in the tree,
and the repository's top-level ``models/`` folder as ``gaitlab.models`` (pyproject.toml alone
cannot add a package mapped from another folder to those it discovers). Package data and
everything else are in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["gaitlab", "gaitlab.*"]), "gaitlab.models"],
    package_dir={"gaitlab.models": "models"},
)
