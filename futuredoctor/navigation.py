"""The header navigation: one list, filtered by what the signed-in person may do."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for

from futuredoctor.models import Role
from futuredoctor.permissions import ROLE_PERMISSIONS, Permission

_EXTENSION = "futuredoctor.navigation"

# (label, endpoint, permission or None for "any signed-in user", endpoint prefixes that
# mark the item as the current section)
NAV_ITEMS: list[tuple[str, str, Permission | None, tuple[str, ...]]] = [
    ("Home", "main.home", None, ("main.",)),
    (
        "My learning",
        "learning.my_learning",
        Permission.TAKE_MODULES,
        ("learning.my_", "learning.completion_record"),
    ),
    (
        "Modules",
        "learning.catalogue",
        None,
        ("learning.catalogue", "learning.module", "learning.reflection", "learning.feedback"),
    ),
    ("Regions and pilots", "pilots.index", Permission.VIEW_PILOT, ("pilots.",)),
    (
        "Opportunities",
        "community.opportunity_list",
        None,
        ("community.opportunit", "community.organised", "community.calendar"),
    ),
    (
        "Champions",
        "community.directory",
        None,
        ("community.directory", "community.champion", "community.profile_edit"),
    ),
    ("Network", "community.network_list", None, ("community.network_",)),
    (
        "Join requests",
        "enrolment.join_request_list",
        Permission.MANAGE_ENROLMENT,
        ("enrolment.join_request",),
    ),
    (
        "Releases",
        "releases.month",
        Permission.SCHEDULE_RELEASES,
        ("releases.month", "releases.listing", "releases.new", "releases.detail",
         "releases.change", "releases.withdraw", "releases.preview"),
    ),
    (
        "Feedback",
        "livinglab.inbox_view",
        Permission.TRIAGE_FEEDBACK,
        ("livinglab.inbox", "livinglab.item", "livinglab.bulk", "livinglab.session",
         "livinglab.ratings", "livinglab.version"),
    ),
    (
        "Educator development",
        "educators.index",
        Permission.EDUCATOR_DEVELOPMENT,
        ("educators.index", "educators.opt_in", "educators.assessment", "educators.progress",
         "educators.summary", "educators.mentor", "educators.find_mentor", "educators.ask",
         "educators.pairing", "educators.respond", "educators.withdraw", "educators.agreement",
         "educators.meeting", "educators.end", "educators.plan", "educators.goal",
         "educators.feedback_"),
    ),
    (
        "Educator overview",
        "educators.overview_page",
        Permission.VIEW_EDUCATOR_OVERVIEW,
        ("educators.overview",),
    ),
    ("Notifications", "notifications.inbox", Permission.TAKE_MODULES, ("notifications.",)),
    (
        "Evaluation data",
        "evaluation.index",
        Permission.EXPORT_EVALUATION,
        ("evaluation.index", "evaluation.data_dictionary", "evaluation.api_token"),
    ),
    (
        "Users",
        "admin.users",
        Permission.MANAGE_USERS,
        ("admin.user", "admin.grant", "admin.closure"),
    ),
    ("Audit log", "admin.audit", Permission.VIEW_AUDIT, ("admin.audit",)),
    ("Exports", "evaluation.export_record", Permission.VIEW_AUDIT, ("evaluation.export_record",)),
    (
        "Evaluation projects",
        "evaluation.projects_page",
        Permission.MANAGE_USERS,
        ("evaluation.project",),
    ),
]


def navigation_for(user: Any, endpoint: str) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    roles = frozenset(grant.role for grant in user.grants)
    items = []
    for label, href, prefixes, counts_unread in _links(roles):
        if counts_unread:
            label = _with_unread(label, user)
        items.append({"text": label, "href": href, "current": endpoint.startswith(prefixes)})
    return items


def _links(roles: frozenset[Role]) -> tuple[tuple[str, str, tuple[str, ...], bool], ...]:
    """The items a set of roles may see, with their URLs: the same for everyone who holds
    those roles, so built once per app (kept on the app) instead of on every page (a
    ``url_for`` each). Whether the person has unread notifications is added per request."""
    built = current_app.extensions.setdefault(_EXTENSION, {})
    key = (request.script_root, roles)
    links = built.get(key)
    if links is None:
        links = built[key] = tuple(
            (label, url_for(target), prefixes, target == "notifications.inbox")
            for label, target, permission, prefixes in NAV_ITEMS
            if permission is None or any(permission in ROLE_PERMISSIONS[role] for role in roles)
        )
    return links


def _with_unread(label: str, user: Any) -> str:
    from futuredoctor.notifications.outbox import unread_count

    unread = unread_count(user.id)
    return f"{label} ({unread} unread)" if unread else label
