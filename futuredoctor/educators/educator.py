"""Who counts as an educator here: lead educators and champions by role, and participants
who teach once they opt in. Opting in is a fact about the person, kept in one row."""

from __future__ import annotations

from futuredoctor.extensions import db
from futuredoctor.models import EducatorProfile, Role, User

EDUCATOR_ROLES = frozenset({Role.LEAD_EDUCATOR, Role.CHAMPION})


def is_educator(user: User) -> bool:
    if user.roles & EDUCATOR_ROLES:
        return True
    return db.session.get(EducatorProfile, user.id) is not None


def opt_in(user: User) -> bool:
    """Make a participant who teaches an educator; False if they already were one."""
    if is_educator(user):
        return False
    db.session.add(EducatorProfile(user_id=user.id))
    db.session.flush()
    return True
