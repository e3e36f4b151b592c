"""Fixtures for the living-lab tests."""

from tests.livinglab.lab import lab  # noqa: F401  (a fixture)
