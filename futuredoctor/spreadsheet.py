"""Protection against spreadsheet formula injection (CWE-1236), for every CSV we write.

A cell that begins with = + - @, a tab or a carriage return can run as a formula when a
CSV is opened in a spreadsheet; such text gets a leading apostrophe so it shows as text.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def protect(text: str) -> str:
    """Text made safe to open in a spreadsheet."""
    return "'" + text if starts_like_formula(text) else text


def safe_cell(value: Any) -> Any:
    """A cell value with any text protected; other values unchanged."""
    return protect(value) if isinstance(value, str) else value
