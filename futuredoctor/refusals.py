"""The one way a service says "this request cannot be done".

Services change objects, ``flush()``, and raise ``Refusal(field, message)`` when a request
cannot be done; ``field`` names the form field the message belongs next to (``None`` for
the form as a whole). The request door (``futuredoctor.transactions``) rolls back every
request that ends in a refusal or an error, so nothing a refused service flushed is kept.
"""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """A request that cannot be done, and why, in words for the person who asked."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def show_refusal(form: Any, refusal: Refusal, field: str | None = None) -> None:
    """Put the refusal's message next to its field, for the form's NHS.UK error summary.

    ``field`` is where a refusal that names no field (or a field this form lacks) goes.
    With nowhere to show it, the refusal is raised again: the app's ``Refusal`` error
    handler then answers with a 400 page carrying the message (never a 500). The view
    returns its page with status 400; the request door rolls the transaction back.
    """
    target = getattr(form, refusal.field or "", None) or getattr(form, field or "", None)
    if target is None or not hasattr(target, "errors"):
        raise refusal
    target.errors = [*target.errors, refusal.message]
