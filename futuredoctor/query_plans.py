"""One plan kept for any values, for the few statements whose plan never depends on them.

PostgreSQL connections plan every statement for its own values (``config.PLAN_EVERY_TIME``):
a generic plan once turned a pilot's count of open feedback from 3 ms into 250 ms. Planning
is not free, though. The participant's home page runs its journey statement (a person's
cohorts, releases and progress, eight tables joined, each found through an index by the
person's id) on every visit, and planning it cost PostgreSQL about three times as much as
running it (0.95 ms a run planned afresh, 0.26 ms with the plan kept). Its plan is the same
for every person, so inside :func:`one_plan_for_any_values` PostgreSQL keeps one.

Only statements that find rows through an index by an id belong inside: a statement with a
range or a search (``now``, a text pattern, a pilot's scope) stays planned for its values.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from futuredoctor.extensions import db

# SELECTs, so the request still ends read-only (transactions.py keeps prepared statements
# by ending a read with COMMIT), and local to the transaction.
_KEEP_PLANS = sa.text(
    "SELECT current_setting('plan_cache_mode'), "
    "set_config('plan_cache_mode', 'force_generic_plan', true)"
)
_RESTORE = sa.text("SELECT set_config('plan_cache_mode', :mode, true)")


@contextmanager
def one_plan_for_any_values(for_the_rest: bool = False) -> Iterator[None]:
    """Statements run inside keep one plan for any values (on PostgreSQL; elsewhere this
    does nothing). The setting is put back on leaving, a statement of its own; with
    ``for_the_rest`` (when nothing but such statements follows in the request) it is
    left to end with the transaction. If the block raises, it ends with the transaction
    too (which is then rolled back)."""
    if db.session.get_bind().dialect.name != "postgresql":
        yield
        return
    previous = db.session.connection().execute(_KEEP_PLANS).scalar_one()
    yield
    if not for_the_rest:
        db.session.connection().execute(_RESTORE, {"mode": previous})
