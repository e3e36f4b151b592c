"""Searching text with LIKE: what a person typed is matched literally, so a search for
"50%" or "a_b" never matches as a wildcard."""

from __future__ import annotations

ESCAPE = "\\"


def contains(text: str) -> str:
    """A LIKE pattern, escaped with ``ESCAPE``, for values that hold ``text``."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
