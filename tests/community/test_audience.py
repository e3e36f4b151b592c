"""Who an opportunity is meant for, against its definition: every kind of audience it
names (regions, professional groups, career stages) names something of the person's; a
kind it does not name leaves everyone in. Random audiences and people, on both databases."""

from __future__ import annotations

import random
from typing import Any

import sqlalchemy as sa

from futuredoctor.community import opportunities
from futuredoctor.extensions import db
from futuredoctor.models import (
    CAREER_STAGES,
    EnrolmentStatus,
    Opportunity,
    ProfessionalGroup,
    Region,
    Role,
)
from tests.community.champions import make_opportunity
from tests.factories import current_cohorts, make_enrolment, make_user

GROUPS = [g.value for g in ProfessionalGroup]


def test_meant_for_is_every_named_kind_including_the_person(app: Any) -> None:
    rng = random.Random(12)  # noqa: S311  (a repeatable sequence, not a secret)
    cohorts = list(current_cohorts().values())
    codes = list(db.session.scalars(sa.select(Region.code).order_by(Region.code)))
    audiences = []
    for _ in range(14):
        audience = {
            "regions": rng.sample(codes, rng.randint(1, 2)) if rng.random() < 0.5 else [],
            "professional_groups": rng.sample(GROUPS, 2) if rng.random() < 0.5 else [],
            "career_stages": rng.sample(CAREER_STAGES, 3) if rng.random() < 0.5 else [],
        }
        audiences.append((make_opportunity(**audience), audience))
    people = []
    for _ in range(10):
        person = make_user(
            roles=[(Role.PARTICIPANT, None)],
            professional_group=rng.choice([*GROUPS, None]),
            career_stage=rng.choice([*CAREER_STAGES, None]),
        )
        regions = set()
        for cohort in rng.sample(cohorts, rng.randint(0, 2)):
            enrolment = make_enrolment(person, cohort)
            if rng.random() < 0.3:
                enrolment.status = EnrolmentStatus.WITHDRAWN  # no longer in that region
            else:
                regions.add(cohort.pilot.region.code)
        people.append((person, regions))
    db.session.flush()
    checked: list[int] = []
    for person, regions in people:
        mine = {
            "regions": regions,
            "professional_groups": {person.professional_group},
            "career_stages": {person.career_stage},
        }
        expected = {
            o.id
            for o, audience in audiences
            if all(not named or set(named) & mine[kind] for kind, named in audience.items())
        }
        found = set(
            db.session.scalars(
                sa.select(Opportunity.id).where(opportunities.meant_for(person))
            )
        )
        assert found == expected, (person.professional_group, person.career_stage, regions)
        checked.append(len(expected))
    assert 0 < sum(checked) < len(people) * len(audiences)  # some in, some out
