"""Objective terms, in the lexicographic order of the design brief."""
