"""An evaluator's own export history: what they downloaded, when, and its checksum, so they
can cite the exact package in their analysis without asking the national team."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.models import ExportRecord, User
from futuredoctor.paging import Page, paginate


def my_exports(user: User, number: int) -> Page:
    """The person's own exports, newest first, one page at a time."""
    stmt = (
        sa.select(ExportRecord)
        .where(ExportRecord.user_id == user.id)
        .order_by(ExportRecord.created_at.desc(), ExportRecord.id.desc())
    )
    return paginate(stmt, number)
