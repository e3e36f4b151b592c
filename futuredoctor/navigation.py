"""The header navigation: one list, filtered by what the signed-in person may do."""

from __future__ import annotations

from typing import Any

from flask import url_for

from futuredoctor.permissions import Permission, has_permission

# (label, endpoint, permission or None for "any signed-in user", endpoint prefixes that
# mark the item as the current section)
NAV_ITEMS: list[tuple[str, str, Permission | None, tuple[str, ...]]] = [
    ("Home", "main.home", None, ("main.",)),
    ("Modules", "learning.catalogue", None, ("learning.",)),
    ("Regions and pilots", "pilots.index", Permission.VIEW_PILOT, ("pilots.",)),
    ("Users", "admin.users", Permission.MANAGE_USERS, ("admin.user", "admin.grant")),
    ("Audit log", "admin.audit", Permission.VIEW_AUDIT, ("admin.audit",)),
]


def navigation_for(user: Any, endpoint: str) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    for label, target, permission, prefixes in NAV_ITEMS:
        if permission is not None and not has_permission(user, permission):
            continue
        items.append(
            {"text": label, "href": url_for(target), "current": endpoint.startswith(prefixes)}
        )
    return items
