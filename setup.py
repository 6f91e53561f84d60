"""Packaging glue: the fixed top-level templates/, static/ and migrations/ folders
ship inside the `matchmaker` package of a wheel (see matchmaker/paths.py). The wheel
holds `matchmaker` and `solver` only: `tooling` (benchmarks, evaluations) and `tests`
stay in the source checkout."""

from setuptools import find_packages, setup

RESOURCE_DIRS = {
    "matchmaker.templates": "templates",
    "matchmaker.static": "static",
    "matchmaker.migrations": "migrations",
}

setup(
    packages=find_packages(
        include=["matchmaker", "matchmaker.*", "solver", "solver.*"],
        exclude=["tooling", "tooling.*", "tests", "tests.*"],
    )
    + list(RESOURCE_DIRS),
    package_dir=RESOURCE_DIRS,
    package_data={name: ["**/*"] for name in RESOURCE_DIRS}
    | {"matchmaker": ["translations/*/LC_MESSAGES/*"]},
)
