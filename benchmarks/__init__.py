"""Benchmarks at national scale. Run with ``make bench``; results go to docs/benchmarks.md.

Every figure is reported as a ratio against a baseline measured in the same run on the same
machine (a bare Flask page, PostgreSQL's own COPY...), so the numbers mean something on any
hardware. Nothing here runs in the unit tests.
"""
