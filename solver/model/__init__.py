"""The CP-SAT model, built from one small module per rule and per objective term.

``build(problem)`` returns the model and its ``Variables``; the lexicographic phases in
``solver.runner`` then set one objective after the other.
"""

from solver.model.build import build
from solver.model.variables import Variables

__all__ = ["Variables", "build"]
