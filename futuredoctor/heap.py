"""The web process's long-lived heap and Python's cyclic garbage collector.

A process serving the app holds a large heap that lives as long as it does: every module
imported, the routes, SQLAlchemy's mappers, the Jinja environment. Each full collection
(of the oldest generation) walks all of it. At national size such a pass took about
150 ms, inside whichever request happened to allocate the object that set it off, a few
times in every 200 requests of the inbox: most of the slow tail of the page timings.

``gc.freeze`` moves everything alive once the app is built into a permanent generation
that collections skip. Objects made afterwards are collected exactly as before, so the
only cost is that cyclic garbage already present at that moment is never freed: a few
objects, once per process. Tests, which build an app per test, do not freeze.
"""

from __future__ import annotations

import gc

from flask import Flask


def freeze_startup_heap(app: Flask) -> bool:
    """Freeze the heap of a ready app (``GC_FREEZE``, on by default; never in tests).
    Returns whether it did."""
    if app.testing or not app.config.get("GC_FREEZE", True):
        return False
    gc.freeze()
    return True
