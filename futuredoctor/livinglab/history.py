"""The "You said, we did" history shown on every module page.

What is quoted: suggestions from co-design sessions (and items recorded by educators
for patients or the public) are group contributions written up by staff, so their text
is shown. A participant's own words are shown only when they asked to hear what was done
about them (``notify_on_action``); otherwise the item is counted, not quoted. The only
people ever named are recorded public contributors who agreed to be credited, by their
display name, read at the time the page is shown (a withdrawn agreement removes the name
everywhere at once). A signed-in participant also sees their own items marked as theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.livinglab.loop import excerpt
from futuredoctor.models import (
    Enrolment,
    FeedbackItem,
    FeedbackSource,
    Module,
    ModuleVersion,
    PublicContributor,
)

QUOTE_LIMIT = 300


@dataclass
class Quote:
    text: str
    source: FeedbackSource
    yours: bool
    credit: str | None = None  # a public contributor who agreed to be named


@dataclass
class HistoryEntry:
    version: ModuleVersion
    quotes: list[Quote] = field(default_factory=list)
    unquoted: int = 0  # participant items counted but not quoted
    yours: int = 0
    credits: list[str] = field(default_factory=list)  # contributors thanked by name

    @property
    def addressed(self) -> int:
        return len(self.quotes) + self.unquoted


def quotable(item: FeedbackItem) -> bool:
    return item.source is not FeedbackSource.PARTICIPANT or item.notify_on_action


# The items the versions addressed, with whose they were and the contributor credited
# (when they agreed); built once with the versions bound: every module page reads it.
_CREDITED = sa.case(
    (PublicContributor.credit_consent.is_(True), PublicContributor.display_name),
    else_=sa.null(),
)
_ADDRESSED = (
    sa.select(FeedbackItem, Enrolment.user_id, _CREDITED)
    .outerjoin(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
    .outerjoin(PublicContributor, PublicContributor.id == FeedbackItem.contributor_id)
    .where(FeedbackItem.addressed_by_version_id.in_(sa.bindparam("version_ids", expanding=True)))
    .order_by(FeedbackItem.id)
)


def history(module: Module, viewer_id: int | None) -> list[HistoryEntry]:
    """Every version, newest first, with the feedback it addressed; one query."""
    versions = {v.id: v for v in module.versions}
    entries = {vid: HistoryEntry(v) for vid, v in versions.items()}
    if versions:
        rows = db.session.execute(_ADDRESSED, {"version_ids": list(versions)})
        for item, user_id, credit in rows:
            entry = entries[item.addressed_by_version_id]
            yours = viewer_id is not None and user_id == viewer_id
            entry.yours += yours
            if credit and credit not in entry.credits:
                entry.credits.append(credit)
            if (quotable(item) or yours) and item.text:
                quote = Quote(excerpt(item.text, QUOTE_LIMIT), item.source, yours, credit)
                entry.quotes.append(quote)
            else:
                entry.unquoted += 1
    return sorted(entries.values(), key=lambda e: e.version.number, reverse=True)
