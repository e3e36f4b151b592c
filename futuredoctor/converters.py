"""URL converters that keep what a URL can carry within what the database can hold."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

from futuredoctor.typed_text import MAX_DB_INT


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` that matches only ids the database's integer column can hold, so
    ``/releases/99999999999`` is a 404 like any other unknown id, not a server error."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_DB_INT)
        super().__init__(map, *args, **kwargs)
