"""People and the roles they hold; a role grant carries its region or pilot scope."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, enum_column, utcnow
from futuredoctor.models.region import Pilot, Region


class Role(enum.StrEnum):
    PARTICIPANT = "participant"
    LEAD_EDUCATOR = "lead_educator"
    PILOT_ADMIN = "pilot_admin"
    REGIONAL_LEAD = "regional_lead"
    EVALUATOR = "evaluator"
    CHAMPION = "champion"
    NATIONAL_ADMIN = "national_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.PARTICIPANT: "Participant",
    Role.LEAD_EDUCATOR: "Lead educator",
    Role.PILOT_ADMIN: "Pilot administrator",
    Role.REGIONAL_LEAD: "Regional lead",
    Role.EVALUATOR: "Evaluator",
    Role.CHAMPION: "Champion",
    Role.NATIONAL_ADMIN: "National admin",
}


class ProfessionalGroup(enum.StrEnum):
    DOCTOR = "doctor"
    NURSE = "nurse"
    MIDWIFE = "midwife"
    PHARMACIST = "pharmacist"
    ALLIED_HEALTH = "allied_health"
    OTHER = "other"


CAREER_STAGES = ("FY1", "FY2", "CT1", "CT2", "CT3", "ST1", "ST2", "ST3", "LED", "other")
# Stored as the career stage of a nurse, pharmacist, allied health professional... who has
# no training grade. Not one of CAREER_STAGES: a cohort's eligible stages never list it, and
# evaluation exports count it as "unknown".
STAGE_NOT_APPLICABLE = "not applicable"
# Only doctors move through training grades, so only they must give a career stage.
GROUPS_WITH_TRAINING_GRADES = ("doctor",)

# What a person tells us about their work, in the order it is asked and listed everywhere
# (enrolment and join forms, join requests, the roster export).
PERSON_DETAILS = (
    "professional_group",
    "registration_body",
    "registration_number",
    "career_stage",
    "employer",
)


class User(UserMixin, Base):
    """An account. Email is stored lower-cased so look-ups are case-insensitive."""

    __tablename__ = "user_account"
    # /admin/users lists people by name: the index hands over the first page in order
    # instead of sorting every account (migration 0024).
    # A cohort's roster orders its few hundred people by name: their names come off the
    # second index, looked up by id, instead of a scan of every account (migration 0027).
    # The champion directory lists profiles whose account is enabled: it asks for the few
    # disabled accounts instead of probing the account of every profile (migration 0030).
    __table_args__ = (
        sa.Index("ix_user_account_name", "family_name", "given_name", "id"),
        sa.Index("ix_user_account_id_name", "id", "family_name", "given_name"),
        sa.Index(
            "ix_user_account_disabled", "id", postgresql_where=sa.text("is_enabled IS false")
        ).ddl_if(dialect="postgresql"),
        # Searching the directory by a champion's name: the accounts whose name holds the
        # words, found by trigram instead of reading the name of every profile's account
        # (migration 0030).
        sa.Index(
            "ix_user_account_name_trgm",
            sa.text(
                "lower((((given_name)::text || ' '::text) || (family_name)::text)) gin_trgm_ops"
            ),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    given_name: Mapped[str] = mapped_column(sa.String(100))
    family_name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    professional_group: Mapped[str | None] = mapped_column(sa.String(32))
    registration_body: Mapped[str | None] = mapped_column(sa.String(8))
    registration_number: Mapped[str | None] = mapped_column(sa.String(16))
    career_stage: Mapped[str | None] = mapped_column(sa.String(16))
    employer: Mapped[str | None] = mapped_column(sa.String(200))
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    session_version: Mapped[int] = mapped_column(default=1)
    # When the latest "set your password" invitation was sent (staff accounts); a new one
    # voids the links of the old.
    invited_at: Mapped[datetime | None]
    digest_opt_out: Mapped[bool] = mapped_column(default=False)
    email_notifications: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user",
        foreign_keys="RoleGrant.user_id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_active(self) -> bool:  # Flask-Login asks this before letting a session in
        return self.is_enabled

    def get_id(self) -> str:
        # The session version is part of the id so "sign out everywhere" or a password
        # change invalidates every existing session cookie.
        return f"{self.id}:{self.session_version}"

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.grants}


class RoleGrant(Base):
    """A role held by a user, scoped to a region or a pilot where the role needs one."""

    __tablename__ = "role_grant"
    __table_args__ = (
        # NULL scopes never compare equal, so a plain unique constraint would let a national
        # grant be added twice; coalescing makes "no scope" a value of its own.
        sa.Index(
            "uq_role_grant_user_role_scope",
            "user_id",
            "role",
            sa.func.coalesce(sa.text("region_id"), 0),
            sa.func.coalesce(sa.text("pilot_id"), 0),
            unique=True,
        ),
        sa.CheckConstraint(
            "NOT (region_id IS NOT NULL AND pilot_id IS NOT NULL)", name="one_scope"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"), index=True)
    pilot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pilot.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    region: Mapped[Region | None] = relationship(lazy="joined")
    pilot: Mapped[Pilot | None] = relationship(lazy="joined")

    @property
    def scope_label(self) -> str:
        if self.pilot is not None:
            return self.pilot.name
        if self.region is not None:
            return self.region.name
        return "National"
