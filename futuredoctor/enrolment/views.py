"""The enrolment blueprint: importing the view modules registers their routes."""

from __future__ import annotations

from futuredoctor.enrolment import (  # noqa: F401  (route registration)
    account_views,
    invitation_views,
    join_views,
    pending_views,
    staff_views,
)
from futuredoctor.enrolment.blueprint import bp

__all__ = ["bp"]
