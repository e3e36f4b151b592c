"""Model rules that the rest of the platform leans on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from futuredoctor import audit
from futuredoctor.extensions import db
from futuredoctor.models import AuditEvent, Cohort, Module, Release, ReleaseStatus, utcnow
from futuredoctor.models.append_only import AppendOnlyError
from tests.factories import current_cohorts, make_release


def _cohort_and_version() -> tuple[Cohort, object]:
    cohort = current_cohorts()["lon-current"]
    module = db.session.scalar(sa.select(Module).where(Module.slug == "shared-decision-making"))
    return cohort, module.latest


def test_naive_datetimes_are_refused(app) -> None:
    cohort, version = _cohort_and_version()
    db.session.add(Release(module_version=version, cohort=cohort, release_at=datetime(2026, 1, 1)))
    with pytest.raises(StatementError, match="naive datetime refused"):
        db.session.flush()


def test_datetimes_come_back_aware_and_utc(app) -> None:
    cohort, version = _cohort_and_version()
    when = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    release = make_release(version, cohort)
    release.release_at = when
    db.session.commit()
    db.session.expire_all()
    loaded = db.session.get(Release, release.id)
    assert loaded.release_at == when and loaded.release_at.tzinfo is not None


def test_is_released_is_derived_from_the_clock_in_python_and_sql(app) -> None:
    cohort, version = _cohort_and_version()
    past = make_release(version, cohort, days_from_now=-1)
    module2 = db.session.scalar(sa.select(Module).where(Module.slug == "teaching-on-the-job"))
    future = make_release(module2.latest, cohort, days_from_now=1)
    assert past.is_released and not future.is_released
    released = set(db.session.scalars(sa.select(Release.id).where(Release.is_released)))
    assert past.id in released and future.id not in released
    past.status = ReleaseStatus.WITHDRAWN
    db.session.flush()
    assert not past.is_released
    assert past.id not in set(db.session.scalars(sa.select(Release.id).where(Release.is_released)))
    future.release_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert future.id in set(db.session.scalars(sa.select(Release.id).where(Release.is_released)))


def test_same_version_cannot_be_released_twice_to_a_cohort(app) -> None:
    cohort, version = _cohort_and_version()
    make_release(version, cohort)
    with pytest.raises(IntegrityError):
        make_release(version, cohort)


def test_audit_events_are_append_only(app) -> None:
    event = audit.record("test.event", detail="x")
    db.session.commit()
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(AppendOnlyError):
        db.session.flush()


def test_a_grant_without_scope_cannot_be_added_twice(app) -> None:
    from futuredoctor.models import Role, RoleGrant
    from tests.factories import make_user

    user = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db.session.add(RoleGrant(user=user, role=Role.NATIONAL_ADMIN))
    with pytest.raises(IntegrityError):
        db.session.flush()
