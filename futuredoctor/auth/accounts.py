"""Getting into an account and keeping it safe: password reset, password change, signing
out everywhere and setting the first password of an invited staff account."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from futuredoctor import audit, clock
from futuredoctor.auth import links, sessions
from futuredoctor.auth.links import Purpose
from futuredoctor.auth.services import clear_throttle, find_user_by_email
from futuredoctor.extensions import db
from futuredoctor.models import User
from futuredoctor.notifications import outbox
from futuredoctor.passwords import hash_password, password_problem, verify_password
from futuredoctor.refusals import Refusal
from futuredoctor.timezones import format_local

# One reset email per account per window, however often the form is sent: an attacker
# cannot flood a mailbox, and the owner still gets a fresh link after a few minutes.
RESET_WINDOW_MINUTES = 5


def request_reset(email: str) -> None:
    """Email a reset link if the address has an account. The caller shows the same page
    either way, so the answer never tells whether the address is known."""
    user = find_user_by_email(email)
    if user is None or not user.is_enabled:
        audit.record("password_reset.requested", known=False)
        return
    now = clock.now()
    window = now.replace(second=0, microsecond=0)
    window = window.replace(minute=window.minute - window.minute % RESET_WINDOW_MINUTES)
    link = links.url_for_token(links.make_token(user, Purpose.RESET), Purpose.RESET)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    outbox.queue(
        "password_reset",
        user.id,
        f"password-reset:{window:%Y%m%dT%H%M}",
        "Reset your Future Doctor password",
        f"Someone (we hope you) asked to reset the password of your Future Doctor pilots "
        f"account. Choose a new password here within {minutes} minutes:\n\n"
        f"{link}\n\n"
        "The link works once. If you did not ask, ignore this email: your password has not "
        "changed.",
        {"link": link},
    )
    audit.record("password_reset.requested", actor=user, target=user, known=True)


def _set_password(user: User, password: str, field: str = "password") -> None:
    problem = password_problem(
        password, email=user.email, names=(user.given_name, user.family_name)
    )
    if problem:
        raise Refusal(field, problem)
    user.password_hash = hash_password(password)


def complete_reset(user: User, password: str) -> None:
    """A new password from a reset link: every session ends (a thief's too) and any pause
    on signing in is lifted."""
    _set_password(user, password)
    clear_throttle(user)
    sessions.end_all(user, "password_reset")
    audit.record("password.reset", actor=user, target=user)


def change_password(user: User, current: str, new: str) -> int:
    """Change a password knowing the current one; other sessions end, this one goes on.
    Returns how many other sessions ended."""
    if not verify_password(user.password_hash, current):
        raise Refusal("current_password", "Your current password is not correct")
    if current == new:
        raise Refusal("new_password", "Choose a password different from your current one")
    _set_password(user, new, "new_password")
    ended = sessions.end_all(user, "password_changed", keep_current=True)
    sessions.confirm_password_entered()
    audit.record("password.changed", actor=user, target=user, other_sessions_ended=ended)
    return ended


def sign_out_everywhere(user: User) -> int:
    """End every session of this account, this one included."""
    ended = sessions.end_all(user, "signed_out_everywhere")
    audit.record("logout.everywhere", actor=user, target=user, sessions_ended=ended)
    sessions.end_current("signed_out_everywhere")
    return ended


def invite_staff(user: User, actor: User) -> None:
    """Send (or send again) the "set your password" link of an account without one.
    A new invitation voids the links of earlier ones."""
    if user.password_hash is not None:
        raise Refusal(None, f"{user.full_name} has already set a password")
    user.invited_at = clock.now()
    db.session.flush()
    link = links.url_for_token(links.make_token(user, Purpose.INVITATION), Purpose.INVITATION)
    expires = user.invited_at + links.lifetime(Purpose.INVITATION)
    outbox.queue(
        "staff_invitation",
        user.id,
        f"staff-invitation:{user.invited_at:%Y%m%dT%H%M%S%f}",
        "Set up your Future Doctor pilots account",
        f"{actor.full_name} has given you an account on the Future Doctor pilots platform. "
        f"Choose your password here before {format_local(expires)}:\n\n"
        f"{link}\n\n"
        "The link works once. Nobody else will ever ask you for your password.",
        {"link": link},
    )
    audit.record("account.invited", actor=actor, target=user)


def invitation_expires(user: User) -> datetime | None:
    if user.invited_at is None:
        return None
    return user.invited_at + links.lifetime(Purpose.INVITATION)


def accept_staff_invitation(user: User, password: str) -> None:
    _set_password(user, password)
    sessions.end_all(user, "invitation_accepted")
    audit.record("account.invitation_accepted", actor=user, target=user)
