"""Summaries instead of scans: the aggregate pages (region dashboard, feedback inbox
counts, ratings by version and region) read stored results of their grouped queries.

The scheduler's ``refresh_summaries`` job recomputes every stored summary; a page whose
summary is missing or older than ``SUMMARY_MAX_AGE_SECONDS`` computes it there and then
and stores it. Pages say when their figures date from. Summaries hold counts and sums
across many people only: nobody's own page is ever served from one.
"""
