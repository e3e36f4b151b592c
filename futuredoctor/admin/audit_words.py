"""The audit log in words: labels for actions, names and titles for what was acted on, and
details with readable keys, so a national admin reads "Signed in" and "Release of Shared
decision-making (version 2) to the Autumn 2026 cohort" rather than codes and ids."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from futuredoctor.extensions import db
from futuredoctor.models import Cohort, Enrolment, ModuleVersion, Release, User

ACTION_LABELS = {
    "account.closed": "Account closed",
    "account.closure_request_settled": "Request to close an account settled",
    "account.closure_requested": "Asked to close their account",
    "account.invitation_accepted": "Staff invitation accepted",
    "account.invited": "Staff member invited",
    "account.paused": "Account paused after wrong passwords",
    "account.reopened": "Account reopened",
    "account.unlocked": "Account unlocked",
    "api_token.created": "API token created",
    "api_token.revoked": "API token revoked",
    "attendance.signed_off": "Attendance register signed off",
    "consent.declined": "Research consent declined",
    "consent.given": "Research consent given",
    "enrolment.created": "Person enrolled",
    "enrolment.imported": "People enrolled from a CSV file",
    "enrolment.offered_place": "Place offered from the waitlist",
    "enrolment.withdrawn": "Person withdrawn",
    "export.aborted": "Evaluation export stopped part-way",
    "export.downloaded": "Evaluation export downloaded",
    "export.previewed": "Evaluation export counts previewed",
    "export.refused": "Evaluation export refused",
    "export.started": "Evaluation export started",
    "feedback.replied": "Replied to feedback",
    "grant.added": "Role granted",
    "grant.removed": "Role removed",
    "invitation.accepted": "Invitation accepted",
    "invitation.resent": "Invitation sent again",
    "invitation.resent_in_bulk": "Invitations sent again in bulk",
    "login.failed": "Sign-in failed (wrong password)",
    "login.rate_limited": "Sign-in refused (too many attempts)",
    "login.refused_disabled": "Sign-in refused (account closed)",
    "login.succeeded": "Signed in",
    "login.throttled": "Sign-in paused (too many wrong passwords)",
    "logout": "Signed out",
    "logout.everywhere": "Signed out everywhere",
    "module_version_published": "Module version published",
    "notification.discarded": "Failed email discarded",
    "notification.retried": "Failed email retried",
    "password.changed": "Password changed",
    "password.confirm_failed": "Password confirmation failed",
    "password.confirmed": "Password confirmed",
    "password.reset": "Password reset",
    "password_reset.requested": "Password reset requested",
    "personal_data.downloaded": "Personal data downloaded",
    "release.rescheduled": "Release moved",
    "release.scheduled": "Release scheduled",
    "release.withdrawn": "Release withdrawn",
    "roster.exported": "Roster downloaded",
    "user.created": "Account created",
}


def action_label(action: str) -> str:
    """A known action's label; an unknown one spelled out from its code."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    words = action.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def detail_label(key: str) -> str:
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def target_names(events: Any) -> dict[tuple[str, str], str]:
    """Names for the records the events on this page acted on: one query per kind of record
    present, never one per row."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if (
            event.target_type
            and (event.target_id or "").isascii()
            and (event.target_id or "").isdigit()
        ):
            wanted[event.target_type].add(int(event.target_id))
    names: dict[tuple[str, str], str] = {}
    if wanted.get("User"):
        users = sa.select(User).where(User.id.in_(wanted["User"])).options(lazyload(User.grants))
        for user in db.session.scalars(users):
            names[("User", str(user.id))] = f"{user.full_name} ({user.email})"
    if wanted.get("Cohort"):
        for cohort in db.session.scalars(sa.select(Cohort).where(Cohort.id.in_(wanted["Cohort"]))):
            names[("Cohort", str(cohort.id))] = cohort.name
    if wanted.get("Release"):
        releases = (
            sa.select(Release)
            .where(Release.id.in_(wanted["Release"]))
            .options(joinedload(Release.module_version), joinedload(Release.cohort))
        )
        for release in db.session.scalars(releases):
            version = release.module_version
            names[("Release", str(release.id))] = (
                f"Release of {version.title} (version {version.number}) to the "
                f"{release.cohort.name}"
            )
    if wanted.get("ModuleVersion"):
        versions = sa.select(ModuleVersion).where(ModuleVersion.id.in_(wanted["ModuleVersion"]))
        for version in db.session.scalars(versions):
            names[("ModuleVersion", str(version.id))] = (
                f"{version.title} (version {version.number})"
            )
    if wanted.get("Enrolment"):
        enrolments = (
            sa.select(Enrolment)
            .where(Enrolment.id.in_(wanted["Enrolment"]))
            .options(
                joinedload(Enrolment.user).options(lazyload(User.grants)),
                joinedload(Enrolment.cohort),
            )
        )
        for enrolment in db.session.scalars(enrolments):
            names[("Enrolment", str(enrolment.id))] = (
                f"{enrolment.user.full_name} in the {enrolment.cohort.name}"
            )
    return names
