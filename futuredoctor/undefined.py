"""How templates treat names they were not given."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from jinja2 import ChainableUndefined
from jinja2.utils import missing


class NamedUndefined(ChainableUndefined):
    """Strict about names the app's own templates use but were not given: a misspelt or
    forgotten variable fails the test that renders it instead of printing nothing. Lenient
    about missing keys and attributes of values that exist, and about anything the NHS.UK
    templates read (they treat many optional names and ``params`` as "not set").

    Used when ``STRICT_TEMPLATES`` is on (the test suite); production keeps the lenient
    default so a slip shows a gap on a page rather than an error page.
    """

    __slots__ = ()

    def _unnamed(self) -> bool:
        return self._undefined_obj is missing and not _read_by_design_system()

    def _strict(self) -> NoReturn:
        self._fail_with_undefined_error()

    def __str__(self) -> str:
        if self._unnamed():
            self._strict()
        return super().__str__()

    def __html__(self) -> str:
        return str(self)

    def __bool__(self) -> bool:
        if self._unnamed():
            self._strict()
        return super().__bool__()

    def __iter__(self) -> Any:
        if self._unnamed():
            self._strict()
        return super().__iter__()

    def __len__(self) -> int:
        if self._unnamed():
            self._strict()
        return super().__len__()


def _read_by_design_system() -> bool:
    """Whether the nearest template on the call stack is one of the NHS.UK macros'."""
    frame = sys._getframe(2)
    while frame is not None:
        namespace = frame.f_globals
        if "environment" in namespace and "__file__" in namespace:
            return "nhsuk_frontend_jinja" in str(namespace["__file__"])
        frame = frame.f_back  # type: ignore[assignment]
    return False
