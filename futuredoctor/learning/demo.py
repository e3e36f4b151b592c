"""Demo data for the participant's pages: a private reflection for the demo participant.
Repeatable: an existing reflection is left as it is."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import Enrolment, Progress, User, utcnow

DEMO_REFLECTION = (
    "A patient I saw on a night shift had been sleeping rough for months and had missed "
    "three outpatient appointments. This module made me see the missed appointments as a "
    "barrier to ask about, not a choice to record. Next time I will check whether the "
    "practice offers registration without proof of address, and ask the patient where "
    "letters can reach them."
)


def create_learning_demo_data(participant: User) -> None:
    """Give the participant's earliest completed module a reflection, if it has none."""
    progress = db.session.scalar(
        sa.select(Progress)
        .join(Enrolment, Enrolment.id == Progress.enrolment_id)
        .where(Enrolment.user_id == participant.id, Progress.completed_at.is_not(None))
        .order_by(Progress.completed_at, Progress.id)
        .limit(1)
    )
    if progress is not None and progress.reflection is None:
        progress.reflection = DEMO_REFLECTION
        progress.reflection_updated_at = utcnow()
        db.session.flush()
