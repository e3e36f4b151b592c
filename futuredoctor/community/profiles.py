"""Champion profiles: saving one's own, how complete it is, and the directory.

A profile's name comes from the account; its email address is never shown anywhere. A
profile marked public is listed to people who are not signed in; every other profile only
to people who are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from futuredoctor import like
from futuredoctor.content.choices import content_choices
from futuredoctor.extensions import db
from futuredoctor.models import (
    ChampionInterest,
    ChampionOffer,
    ChampionProfile,
    InterestKind,
    ProfileVisibility,
    Region,
    Role,
    User,
)
from futuredoctor.paging import Page
from futuredoctor.refusals import Refusal

PER_PAGE = 20


@dataclass(frozen=True)
class ProfileInput:
    region_code: str
    profession: str
    job_title: str
    about: str
    availability: str
    visibility: ProfileVisibility
    domains: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DirectoryFilters:
    region: str = ""
    domain: str = ""
    priority: str = ""
    profession: str = ""
    offer: str = ""
    text: str = ""


def gpc_domains() -> list[tuple[str, str]]:
    """(code, title) of the GPC framework's domains, in the framework's order."""
    return list(content_choices().domains)


def all_regions() -> list[Region]:
    return list(db.session.scalars(sa.select(Region).order_by(Region.name)))


def all_priorities() -> list[str]:
    """Every region's local health priorities, each once, in alphabetical order."""
    return content_choices().priorities


def champion_regions(user: User) -> list[Region]:
    """Regions a person may put on their profile: their champion grants' regions (a
    national admin editing their own profile may choose any)."""
    if Role.NATIONAL_ADMIN in user.roles:
        return all_regions()
    ids = {g.region_id for g in user.grants if g.role is Role.CHAMPION and g.region_id}
    return [r for r in all_regions() if r.id in ids]


def profile_for(user_id: int) -> ChampionProfile | None:
    return db.session.scalar(sa.select(ChampionProfile).where(ChampionProfile.user_id == user_id))


def save_profile(user: User, data: ProfileInput) -> ChampionProfile:
    """Create or update the person's own profile; refuses values outside the lists offered."""
    regions = {r.code: r for r in champion_regions(user)}
    region = regions.get(data.region_code)
    if region is None:
        raise Refusal("region", "Choose a region you are a champion in")
    known_domains = {code for code, _ in gpc_domains()}
    if not set(data.domains) <= known_domains:
        raise Refusal("domains", "Choose GPC domains from the list")
    if not set(data.priorities) <= set(all_priorities()):
        raise Refusal("priorities", "Choose local health priorities from the list")
    if not set(data.offers) <= {o.value for o in ChampionOffer}:
        raise Refusal("offers", "Choose what you offer from the list")
    profile = profile_for(user.id)
    if profile is None:
        profile = ChampionProfile(user=user)
        db.session.add(profile)
    profile.region = region
    profile.profession = data.profession
    profile.job_title = data.job_title
    profile.about = data.about
    profile.availability = data.availability
    profile.visibility = data.visibility
    wanted = [
        *((InterestKind.DOMAIN, v) for v in dict.fromkeys(data.domains)),
        *((InterestKind.PRIORITY, v) for v in dict.fromkeys(data.priorities)),
        *((InterestKind.OFFER, v) for v in dict.fromkeys(data.offers)),
    ]
    kept = {(i.kind, i.value): i for i in profile.interests}
    profile.interests = [
        kept.get(pair) or ChampionInterest(kind=pair[0], value=pair[1]) for pair in wanted
    ]
    db.session.flush()
    return profile


# What a complete profile has, and how each part is named on the champion's home.
_PARTS: list[tuple[str, str]] = [
    ("profession", "your profession"),
    ("job_title", "your role"),
    ("about", "a few words about you"),
    ("availability", "your availability"),
    ("domains", "GPC domains you are interested in"),
    ("priorities", "local health priorities you are interested in"),
    ("offers", "what you offer"),
]


@dataclass(frozen=True)
class Completeness:
    percent: int
    missing: list[str]


def completeness(profile: ChampionProfile | None) -> Completeness:
    """How much of the profile is filled in, and what is still missing, in words."""
    if profile is None:
        return Completeness(0, [label for _, label in _PARTS])
    missing = [label for name, label in _PARTS if not getattr(profile, name)]
    percent = round(100 * (len(_PARTS) - len(missing)) / len(_PARTS))
    return Completeness(percent, missing)


def _has(kind: InterestKind, value: Any) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        ChampionInterest.profile_id == ChampionProfile.id,
        ChampionInterest.kind == kind,
        ChampionInterest.value == value,
    )


# Which filters a directory statement has: it is built once per shape, with the filters'
# values bound (``_values``). Building it afresh on every visit cost more than running it.
_Shape = tuple[bool, bool, bool, bool, bool, bool]


def shape_of(filters: DirectoryFilters) -> _Shape:
    """Which of the filters are set (region, profession, domain, priority, offer, text)."""
    return (
        bool(filters.region),
        bool(filters.profession),
        bool(filters.domain),
        bool(filters.priority),
        bool(filters.offer),
        bool(filters.text),
    )


def values_of(filters: DirectoryFilters) -> dict[str, Any]:
    """The filters' values, as a directory statement binds them."""
    return {
        "region": filters.region,
        "profession": filters.profession.lower(),
        "domain": filters.domain,
        "priority": filters.priority,
        "offer": filters.offer,
        "pattern": like.contains(filters.text.lower()),
    }


def _enabled() -> sa.ColumnElement[bool]:
    """The profile's account is enabled, asked as "not one of the disabled accounts" (a
    handful, read from ``ix_user_account_disabled``) so the profiles alone are read:
    looked up profile by profile, counting 2,000 champions took 2,000 index probes;
    joined, PostgreSQL hashed every account (60,000 at national size)."""
    disabled = sa.select(User.id).where(User.is_enabled.is_(False))
    return ChampionProfile.user_id.not_in(disabled)


def _matching(
    stmt: sa.Select[Any],
    shape: _Shape,
    signed_in: bool,
    enabled: sa.ColumnElement[bool],
    name: bool,
) -> sa.Select[Any]:
    """``stmt`` narrowed to the listed profiles (``enabled``: their account is) matching
    the filters of ``shape``, their values bound; ``name``: a search also reads the
    person's name."""
    region, profession, domain, priority, offer, text = shape
    stmt = stmt.where(enabled)
    if not signed_in:
        stmt = stmt.where(ChampionProfile.visibility == ProfileVisibility.PUBLIC)
    if region:
        code = sa.select(Region.id).where(Region.code == sa.bindparam("region"))
        stmt = stmt.where(ChampionProfile.region_id == code.scalar_subquery())
    if profession:
        lowered = sa.func.lower(ChampionProfile.profession)
        stmt = stmt.where(lowered == sa.bindparam("profession"))
    if domain:
        stmt = stmt.where(_has(InterestKind.DOMAIN, sa.bindparam("domain")))
    if priority:
        stmt = stmt.where(_has(InterestKind.PRIORITY, sa.bindparam("priority")))
    if offer:
        stmt = stmt.where(_has(InterestKind.OFFER, sa.bindparam("offer")))
    if text:
        pattern: sa.BindParameter[str] = sa.bindparam("pattern")
        # The profile's text fields, kept lower-cased one to a line (``search_text``).
        matches = [ChampionProfile.search_text.like(pattern, escape=like.ESCAPE)]
        if name:
            # The accounts whose name matches, found through ``ix_user_account_name_trgm``
            # rather than by reading the name of every profile's account.
            full_name = sa.func.lower(User.given_name + " " + User.family_name)
            named = sa.select(User.id).where(full_name.like(pattern, escape=like.ESCAPE))
            matches.append(ChampionProfile.user_id.in_(named))
        stmt = stmt.where(sa.or_(*matches))
    return stmt


@lru_cache(maxsize=256)
def directory_query(
    shape: _Shape, signed_in: bool, interests: bool = True
) -> sa.Select[tuple[ChampionProfile]]:
    """Listed profiles matching filters of this shape (their values bound: ``_values``),
    by name: public ones only when signed out. ``interests``: load each profile's
    interests (the directory reads only the offers, with ``offers``)."""
    loaded = selectinload if interests else lazyload
    if not shape[-1]:
        # PostgreSQL walks the accounts in name order and stops at the page.
        stmt = (
            sa.select(ChampionProfile)
            .join(ChampionProfile.user)
            .join(ChampionProfile.region)
            .options(
                # A card shows the account's name only: its other columns (the password
                # hash among them) are not read.
                contains_eager(ChampionProfile.user)
                .load_only(User.given_name, User.family_name)
                .lazyload(User.grants),
                contains_eager(ChampionProfile.region),
                loaded(ChampionProfile.interests),
            )
            .order_by(User.family_name, User.given_name, ChampionProfile.id)
        )
        return _matching(stmt, shape, signed_in, User.is_enabled.is_(True), name=False)
    # A search reads every profile; the matching ones' names are index-only look-ups by
    # their account's key (``ix_user_account_id_name``), which also hands over all the
    # page shows of the account. Joined for the whole account, PostgreSQL read every
    # account (60,000).
    stmt = (
        sa.select(ChampionProfile)
        .join(ChampionProfile.user)
        .options(
            contains_eager(ChampionProfile.user)
            .load_only(User.given_name, User.family_name)
            .lazyload(User.grants),
            joinedload(ChampionProfile.region),
            loaded(ChampionProfile.interests),
        )
        .order_by(User.family_name, User.given_name, ChampionProfile.id)
    )
    return _matching(stmt, shape, signed_in, _enabled(), name=True)


@lru_cache(maxsize=128)
def count_query(shape: _Shape, signed_in: bool) -> sa.Select[tuple[int]]:
    """How many profiles ``directory_query`` lists, without a search (which counts with
    its page): read from the profiles alone."""
    assert not shape[-1], "a search counts with its page"
    stmt = sa.select(sa.func.count()).select_from(ChampionProfile)
    return _matching(stmt, shape, signed_in, _enabled(), name=False)


@dataclass(frozen=True)
class DirectoryPage(Page):
    """A page of the directory with what each profile offers, in the order given."""

    offers: dict[int, list[str]] = field(default_factory=dict)


# What a profile offers, read in the page's own statement for the page's profiles only
# (loading every profile's interests cost more than the page's own query): its offers
# as "id<US>value" items joined by <RS>, control characters no offer can hold.
_ITEM, _SEP = "\x1f", "\x1e"
_OFFERS = (
    sa.select(
        sa.func.aggregate_strings(
            sa.cast(ChampionInterest.id, sa.String) + _ITEM + ChampionInterest.value, _SEP
        )
    )
    .where(
        ChampionInterest.profile_id == ChampionProfile.id,
        ChampionInterest.kind == InterestKind.OFFER,
    )
    .scalar_subquery()
    .label("offers")
)


def _offer_values(joined: str | None) -> list[str]:
    items = [item.split(_ITEM, 1) for item in joined.split(_SEP)] if joined else []
    return [value for _, value in sorted(items, key=lambda item: int(item[0]))]


@lru_cache(maxsize=128)
def _listing(shape: _Shape, signed_in: bool) -> sa.Select[Any]:
    """A directory page's statement: the profiles with their offers, and with a search
    their count (a search reads every listed profile to match and order them by name, so
    the total comes with the page; a second query would read them all again)."""
    stmt = directory_query(shape, signed_in, interests=False).add_columns(_OFFERS)
    if shape[-1]:
        stmt = stmt.add_columns(sa.func.count().over())
    return stmt.limit(sa.bindparam("page_size")).offset(sa.bindparam("page_offset"))


def directory(filters: DirectoryFilters, signed_in: bool, number: int) -> DirectoryPage:
    """A page of the directory, with each profile's offers (its other interests are left
    unloaded)."""
    shape, values = shape_of(filters), values_of(filters)
    if not filters.text:
        total = db.session.scalar(count_query(shape, signed_in), values) or 0
        if number > 1 and (number - 1) * PER_PAGE >= total:
            abort(404)
    values.update(page_size=PER_PAGE, page_offset=(number - 1) * PER_PAGE)
    rows = db.session.execute(_listing(shape, signed_in), values).all()
    if filters.text:
        if not rows and number > 1:
            abort(404)
        total = rows[0][2] if rows else 0
    return DirectoryPage(
        items=[row[0] for row in rows],
        number=number,
        per_page=PER_PAGE,
        total=total,
        offers={row[0].id: _offer_values(row[1]) for row in rows},
    )


def professions() -> list[str]:
    """Professions champions have given, for the directory's filter (people's own words,
    kept with the content choices: they change only with a profile)."""
    return list(content_choices().professions)


_NO_FILTERS = shape_of(DirectoryFilters())
_REGION_ONLY = shape_of(DirectoryFilters(region="any"))


@lru_cache(maxsize=2)
def _visible(signed_in: bool) -> sa.Select[tuple[ChampionProfile]]:
    stmt = directory_query(_NO_FILTERS, signed_in)
    return stmt.where(ChampionProfile.id == sa.bindparam("profile_id"))


def visible_profile(profile_id: int, signed_in: bool) -> ChampionProfile | None:
    """The profile if this viewer may see it listed, else None (the view answers 404)."""
    return db.session.scalar(_visible(signed_in), {"profile_id": profile_id})


# The region page shows this many champions and links to the directory for the rest: a
# region can have hundreds, and a page's size must not grow with them.
REGION_CHAMPIONS_SHOWN = 12
_IN_REGION = (
    directory_query(_REGION_ONLY, signed_in=True, interests=False)
    .add_columns(_OFFERS)
    .limit(REGION_CHAMPIONS_SHOWN + 1)
)


@dataclass(frozen=True)
class RegionChampions:
    """The first champions of a region by name, what each offers, and whether there are
    more (the page links to the directory for them)."""

    profiles: list[ChampionProfile]
    offers: dict[int, list[str]]
    more: bool


def region_champions(region: Region) -> RegionChampions:
    """The region page's champions, with their offers read in the same statement."""
    values = values_of(DirectoryFilters(region=region.code))
    rows = db.session.execute(_IN_REGION, values).all()
    shown = rows[:REGION_CHAMPIONS_SHOWN]
    return RegionChampions(
        [row[0] for row in shown],
        {row[0].id: _offer_values(row[1]) for row in shown},
        len(rows) > REGION_CHAMPIONS_SHOWN,
    )
