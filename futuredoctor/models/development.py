"""An educator's development plan and the feedback they ask colleagues and learners for.

Colleague feedback is anonymous by construction: a response row holds the answers and the
request it belongs to, and nothing that links it to the invitation (or email) it came
from, nor the moment it was given.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, enum_column, utcnow
from futuredoctor.models.milestones import MilestoneFramework, Subcompetency
from futuredoctor.models.module import Module


class GoalStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


OPEN_GOAL_STATUSES = (GoalStatus.PLANNED, GoalStatus.IN_PROGRESS)


class DevelopmentGoal(Base):
    __tablename__ = "development_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    subcompetency_id: Mapped[int] = mapped_column(sa.ForeignKey("subcompetency.id"))
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("module.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    target_date: Mapped[date]
    status: Mapped[GoalStatus] = mapped_column(
        enum_column(GoalStatus, "goal_status"), default=GoalStatus.PLANNED
    )
    review_note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    subcompetency: Mapped[Subcompetency] = relationship(lazy="joined")
    module: Mapped[Module | None] = relationship(lazy="joined")


class ColleagueFeedbackRequest(Base):
    """An educator's request for feedback on chosen subcompetencies."""

    __tablename__ = "colleague_feedback_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("milestone_framework.id"))
    subcompetency_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    framework: Mapped[MilestoneFramework] = relationship()
    invitations: Mapped[list[ColleagueFeedbackInvitation]] = relationship(
        back_populates="request", order_by="ColleagueFeedbackInvitation.id"
    )
    responses: Mapped[list[ColleagueFeedbackResponse]] = relationship(back_populates="request")


class ColleagueFeedbackInvitation(Base):
    """One emailed, single-use link; ``answered_at`` is set once, by a conditional UPDATE."""

    __tablename__ = "colleague_feedback_invitation"
    __table_args__ = (sa.UniqueConstraint("request_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("colleague_feedback_request.id"))
    email: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None]

    request: Mapped[ColleagueFeedbackRequest] = relationship(back_populates="invitations")


class ColleagueFeedbackResponse(Base):
    """The answers: levels by subcompetency code and an optional comment. No invitation,
    no email, no time: never who said what."""

    __tablename__ = "colleague_feedback_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("colleague_feedback_request.id"), index=True
    )
    levels: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    request: Mapped[ColleagueFeedbackRequest] = relationship(back_populates="responses")
