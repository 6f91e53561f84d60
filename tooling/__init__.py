"""Benchmarks and evaluations of the source checkout: ``python -m tooling ...``.

They drive the shipped packages from outside, as a user of them would: ``matchmaker``
and ``solver`` never import this package, and the wheel does not contain it (see
setup.py and the import contracts in pyproject.toml).
"""


class UsageError(Exception):
    """A message for the person at the terminal about the command line; exits 2."""
