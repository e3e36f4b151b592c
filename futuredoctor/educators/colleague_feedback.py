"""Feedback from colleagues and learners: invited by email, answered through a signed,
single-use link without an account, and shown to the educator only in aggregate once
enough people have answered (``COLLEAGUE_FEEDBACK_MIN_RESPONSES``, 3 by default).

Anonymity is kept by the data itself: a response stores no invitation, email or time,
and comments are shown in alphabetical order, so neither the order nor the timing of the
invitations can say who wrote what.
"""

from __future__ import annotations

import enum
import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from futuredoctor import mail
from futuredoctor.educators import self_assessment
from futuredoctor.extensions import db
from futuredoctor.models import (
    LEVELS,
    ColleagueFeedbackInvitation,
    ColleagueFeedbackRequest,
    ColleagueFeedbackResponse,
    Subcompetency,
    User,
    utcnow,
)
from futuredoctor.refusals import Refusal

log = logging.getLogger("futuredoctor.educators")
SALT = "colleague-feedback"
MAX_INVITES = 20
COMMENT_MAX = 2000
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def minimum() -> int:
    return int(current_app.config.get("COLLEAGUE_FEEDBACK_MIN_RESPONSES", 3))


def requests_of(user: User) -> list[ColleagueFeedbackRequest]:
    return list(
        db.session.scalars(
            sa.select(ColleagueFeedbackRequest)
            .where(ColleagueFeedbackRequest.user_id == user.id)
            .order_by(ColleagueFeedbackRequest.created_at.desc())
        )
    )


def create_request(
    user: User, codes: list[str], emails: str | None, message: str | None
) -> ColleagueFeedbackRequest:
    framework = self_assessment.current_framework()
    if framework is None:
        raise Refusal(None, "The educator milestones have not been loaded yet")
    known = {sub.code for sub in self_assessment.subcompetencies(framework)}
    chosen = [code for code in dict.fromkeys(codes) if code in known]
    if not chosen or len(chosen) != len(set(codes)):
        raise Refusal("subcompetencies", "Choose the subcompetencies to ask about from the list")
    addresses: list[str] = []
    for raw in re.split(r"[\s,;]+", emails or ""):
        address = raw.strip().lower()
        if not address:
            continue
        if len(address) > 254 or not _EMAIL.match(address):
            raise Refusal("emails", f"{raw[:60]} is not an email address, like name@example.nhs.uk")
        if address == user.email:
            raise Refusal("emails", "Ask others for feedback, not yourself")
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Refusal("emails", "Enter the email addresses of the people to ask")
    if len(addresses) > MAX_INVITES:
        raise Refusal("emails", f"Ask at most {MAX_INVITES} people at once")
    text = (message or "").strip()
    if len(text) > COMMENT_MAX:
        raise Refusal("message", f"Message must be {COMMENT_MAX:,} characters or fewer")
    request = ColleagueFeedbackRequest(
        user_id=user.id, framework=framework, subcompetency_codes=chosen, message=text
    )
    db.session.add(request)
    for address in addresses:
        db.session.add(ColleagueFeedbackInvitation(request=request, email=address))
    db.session.flush()
    return request


# --- links ---------------------------------------------------------------------------


class LinkState(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    INVALID = "invalid"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(invitation: ColleagueFeedbackInvitation) -> str:
    return _serializer().dumps({"i": invitation.id, "r": invitation.request_id})


def resolve(token: str) -> tuple[LinkState, ColleagueFeedbackInvitation | None]:
    if len(token) > 1000:
        return LinkState.INVALID, None
    max_age = int(current_app.config.get("COLLEAGUE_FEEDBACK_DAYS", 30)) * 86400
    try:
        data: Any = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        return LinkState.EXPIRED, None
    except BadSignature:
        return LinkState.INVALID, None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in "ir"):
        return LinkState.INVALID, None
    invitation = db.session.get(ColleagueFeedbackInvitation, data["i"])
    if invitation is None or invitation.request_id != data["r"]:
        return LinkState.INVALID, None
    if invitation.answered_at is not None:
        return LinkState.USED, invitation
    return LinkState.VALID, invitation


def subcompetencies_asked(request: ColleagueFeedbackRequest) -> list[Subcompetency]:
    """The subcompetencies asked about, from the version the request was made against."""
    framework = request.framework
    subs = [s for domain in framework.domains for s in domain.subcompetencies]
    return [s for s in subs if s.code in request.subcompetency_codes]


def answer(token: str, levels: dict[str, str | None], comment: str | None) -> None:
    """Record one answer; the link is spent by a conditional UPDATE, so a double submit
    or a second tab cannot answer twice."""
    state, invitation = resolve(token)
    if state is not LinkState.VALID or invitation is None:
        raise Refusal(None, "This feedback link does not work: it may have been used already")
    request = invitation.request
    chosen: dict[str, int] = {}
    for sub in subcompetencies_asked(request):
        raw = (levels.get(sub.code) or "").strip()
        if not raw:
            continue
        level = int(raw) if raw.isdigit() else 0
        if level not in LEVELS:
            raise Refusal(sub.code, f"Level for {sub.title} must be a whole number from 1 to 5")
        chosen[sub.code] = level
    text = (comment or "").strip()
    if len(text) > COMMENT_MAX:
        raise Refusal("comment", f"Comment must be {COMMENT_MAX:,} characters or fewer")
    if not chosen and not text:
        raise Refusal(None, "Choose at least one level or write a comment")
    claimed = db.session.execute(
        sa.update(ColleagueFeedbackInvitation)
        .where(
            ColleagueFeedbackInvitation.id == invitation.id,
            ColleagueFeedbackInvitation.answered_at.is_(None),
        )
        .values(answered_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if cast("sa.CursorResult[Any]", claimed).rowcount != 1:
        raise Refusal(None, "This feedback link has already been used")
    db.session.add(ColleagueFeedbackResponse(request=request, levels=chosen, comment=text))
    db.session.flush()


# --- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class SubcompetencyResult:
    subcompetency: Subcompetency
    counts: dict[int, int]

    @property
    def answered(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> str:
        if not self.answered:
            return "–"
        total = sum(level * n for level, n in self.counts.items())
        return f"{total / self.answered:.1f}"


@dataclass(frozen=True)
class Results:
    answered: int
    invited: int
    needed: int
    rows: list[SubcompetencyResult]
    comments: list[str]

    @property
    def visible(self) -> bool:
        return self.answered >= self.needed


def results(request: ColleagueFeedbackRequest) -> Results:
    """Aggregates only, and nothing at all below the threshold."""
    responses = list(request.responses)
    needed = minimum()
    if len(responses) < needed:
        return Results(len(responses), len(request.invitations), needed, [], [])
    rows = []
    for sub in subcompetencies_asked(request):
        counts = Counter(r.levels[sub.code] for r in responses if sub.code in r.levels)
        rows.append(SubcompetencyResult(sub, dict(counts)))
    comments = sorted(r.comment for r in responses if r.comment)
    return Results(len(responses), len(request.invitations), needed, rows, comments)


# --- sending -------------------------------------------------------------------------


def send_invitations(limit: int = 200) -> int:
    """Email invitations not yet sent, one at a time: each is claimed and committed
    before its email goes (a crash resends none), and one that cannot be sent is marked
    failed with its reason while the others go on."""
    config = current_app.config
    ids = db.session.scalars(
        sa.select(ColleagueFeedbackInvitation.id)
        .where(
            ColleagueFeedbackInvitation.sent_at.is_(None),
            ColleagueFeedbackInvitation.failed_at.is_(None),
        )
        .order_by(ColleagueFeedbackInvitation.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = 0
    for invitation_id in ids:
        claimed = db.session.execute(
            sa.update(ColleagueFeedbackInvitation)
            .where(
                ColleagueFeedbackInvitation.id == invitation_id,
                ColleagueFeedbackInvitation.sent_at.is_(None),
            )
            .values(sent_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if cast("sa.CursorResult[Any]", claimed).rowcount != 1:
            continue  # another scheduler took it
        invitation = db.session.get(ColleagueFeedbackInvitation, invitation_id)
        assert invitation is not None
        try:
            mail.send(_message(invitation, config))
        except Exception as error:
            log.warning("Colleague feedback invitation %s could not be sent", invitation_id)
            invitation.failed_at = utcnow()
            invitation.last_error = str(error)[:500]
        else:
            sent += 1
        db.session.commit()
    return sent


def educator_name(request: ColleagueFeedbackRequest) -> str:
    educator = db.session.get(User, request.user_id)
    return educator.full_name if educator else "A colleague"


def _message(invitation: ColleagueFeedbackInvitation, config: Any) -> Any:
    request = invitation.request
    name = educator_name(request)
    with current_app.test_request_context(base_url=config["PUBLIC_URL"]):
        link = url_for("educators.give_feedback", token=token_for(invitation), _external=True)
    subs = ", ".join(s.title for s in subcompetencies_asked(request))
    body = "\n".join(
        [
            f"{name} would value your feedback on their teaching ({subs}).",
            "",
            *([request.message, ""] if request.message else []),
            "It takes a few minutes and you do not need an account. Your answers are shown",
            "to them only together with at least two other people's, never with your name.",
            "",
            link,
            "",
            "The link works once.",
        ]
    )
    return mail.build_message(
        invitation.email,
        f"{name} asks for feedback on their teaching",
        body,
        config,
        message_id=f"<colleague-feedback-{invitation.id}@{mail.message_domain(config)}>",
    )
