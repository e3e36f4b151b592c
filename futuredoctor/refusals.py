"""The one way a service says "this request cannot be done".

Services change objects, ``flush()``, and raise ``Refusal(field, message)`` when a request
cannot be done; ``field`` names the form field the message belongs next to (``None`` for
the form as a whole). The request door (``futuredoctor.transactions``) rolls back every
request that ends in a refusal or an error, so nothing a refused service flushed is kept.
"""

from __future__ import annotations


class Refusal(Exception):
    """A request that cannot be done, and why, in words for the person who asked."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
