"""Publishing a module version from the web editor, and reading versions back out.

A web version is checked against the same schema as a content file and fingerprinted
with the same ``content_hash``, so the files and the editor never disagree about what
counts as a change; ``module_markdown`` gives authors the file to commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from pydantic import ValidationError

from futuredoctor import audit
from futuredoctor.content import ModuleFile, content_hash
from futuredoctor.content.schema import ModuleFrontMatter
from futuredoctor.extensions import db
from futuredoctor.livinglab.loop import close_loop, load_items
from futuredoctor.livinglab.scope import scoped_items
from futuredoctor.livinglab.workflow import OPEN_STATUSES
from futuredoctor.models import (
    FeedbackItem,
    Framework,
    FrameworkDomain,
    Module,
    ModuleVersion,
    User,
    utcnow,
)
from futuredoctor.refusals import Refusal

# Form field for each front-matter field, so schema messages land next to the right input.
FIELD_FOR = {
    "title": "title",
    "summary": "summary",
    "estimated_minutes": "estimated_minutes",
    "delivery_mode": "delivery_mode",
    "learning_outcomes": "learning_outcomes",
    "gpc_domains": "gpc_domains",
    "changelog": "changelog",
}


@dataclass
class NewVersion:
    based_on: int
    title: str
    summary: str
    estimated_minutes: int
    delivery_mode: str
    learning_outcomes: list[str]
    gpc_domains: list[str]
    body: str
    changelog: str
    addresses: list[int] = field(default_factory=list)


def gpc_domains() -> list[FrameworkDomain]:
    stmt = (
        sa.select(FrameworkDomain)
        .join(Framework)
        .where(Framework.code == "GPC")
        .order_by(FrameworkDomain.position)
    )
    return list(db.session.scalars(stmt))


def front_matter(module: Module, new: NewVersion, number: int) -> ModuleFrontMatter:
    """Validate the editor's fields exactly as a content file would be validated."""
    data = {
        "slug": module.slug,
        "title": new.title,
        "summary": new.summary,
        "estimated_minutes": new.estimated_minutes,
        "delivery_mode": new.delivery_mode,
        "learning_outcomes": new.learning_outcomes,
        "gpc_domains": new.gpc_domains,
        "version": number,
        "changelog": new.changelog,
    }
    codes = {domain.code for domain in gpc_domains()}
    try:
        return ModuleFrontMatter.model_validate(data, context={"domain_codes": codes})
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        name = str(first["loc"][0]) if first["loc"] else "title"
        message = str(first["msg"]).removeprefix("Value error, ")
        field = FIELD_FOR.get(name, "title")
        raise Refusal(field, message[:1].upper() + message[1:]) from None


def publish_version(module: Module, new: NewVersion, actor: User) -> ModuleVersion:
    """Create version ``latest + 1`` and close the loop on the items it addresses."""
    latest = module.latest
    if new.based_on != latest.number:
        raise Refusal(
            "changelog",
            f"Version {latest.number} was published after you opened the editor. "
            "Open the editor again to start from it",
        )
    if not new.changelog.strip():
        raise Refusal("changelog", "Enter what changed in this version")
    spec = front_matter(module, new, latest.number + 1)
    digest = content_hash(ModuleFile(Path(module.slug), spec, new.body.strip()))
    # A new changelog alone is not a new version: compare what participants would see.
    same_changelog = spec.model_copy(update={"changelog": latest.changelog})
    if content_hash(ModuleFile(Path(module.slug), same_changelog, new.body.strip())) == (
        latest.content_hash
    ):
        raise Refusal(
            "body",
            f"Nothing has changed since version {latest.number}: change the content first",
        )
    items = _addressable(actor, module, new.addresses)
    domains = {d.code: d for d in gpc_domains()}
    version = ModuleVersion(
        module=module,
        number=latest.number + 1,
        title=spec.title,
        summary=spec.summary,
        estimated_minutes=spec.estimated_minutes,
        delivery_mode=spec.delivery_mode,
        learning_outcomes=list(spec.learning_outcomes),
        body_markdown=new.body.strip(),
        changelog=spec.changelog,
        content_hash=digest,
        published_at=utcnow(),
        published_by_id=actor.id,
        domains=sorted((domains[c] for c in spec.gpc_domains), key=lambda d: d.position),
    )
    db.session.add(version)
    db.session.flush()
    notified = close_loop(version, items, actor)
    audit.record(
        "module_version_published",
        actor=actor,
        target=version,
        module=module.slug,
        number=version.number,
        addresses=[item.id for item in items],
        notifications=notified,
    )
    return version


def _addressable(user: User, module: Module, ids: list[int]) -> list[FeedbackItem]:
    if not ids:
        return []
    in_scope = set(
        db.session.scalars(
            scoped_items(user).with_only_columns(FeedbackItem.id).where(FeedbackItem.id.in_(ids))
        )
    )
    items = load_items(ids)
    chosen = []
    for item_id in sorted(set(ids)):
        item = items.get(item_id) if item_id in in_scope else None
        if item is None or item.module_version.module_id != module.id:
            raise Refusal(
                "addresses",
                f"Feedback {item_id} is not open feedback about this module",
            )
        if item.status not in OPEN_STATUSES:
            raise Refusal(
                "addresses",
                f"Feedback {item_id} is already {item.status.value.replace('_', ' ')}; untick it",
            )
        chosen.append(item)
    return chosen


def addressed_by(version: ModuleVersion) -> list[int]:
    stmt = sa.select(FeedbackItem.id).where(FeedbackItem.addressed_by_version_id == version.id)
    return list(db.session.scalars(stmt.order_by(FeedbackItem.id)))


def module_markdown(version: ModuleVersion) -> str:
    """The version as a ``module.md`` file, so authors can bring the files up to date."""
    data: dict[str, Any] = {
        "slug": version.module.slug,
        "title": version.title,
        "summary": version.summary,
        "estimated_minutes": version.estimated_minutes,
        "delivery_mode": version.delivery_mode,
        "learning_outcomes": list(version.learning_outcomes),
        "gpc_domains": [d.code for d in version.domains],
        "version": version.number,
        "changelog": version.changelog,
    }
    ids = addressed_by(version)
    if ids:
        data["addresses_feedback"] = ids
    head = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{head}---\n\n{version.body_markdown.strip()}\n"
