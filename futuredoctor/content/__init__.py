"""Module, region and framework content kept as files in the repository.

Authors edit ``modules_content/`` and ``regions/`` in review-friendly text; this package
checks those files (every problem, with its line) and syncs them into the database, where
a changed module becomes a new immutable version.
"""

from futuredoctor.content.check import (
    FRAMEWORKS_DIR,
    LoadedContent,
    ModuleFile,
    Problem,
    RegionFile,
    check_content,
    load_content,
)
from futuredoctor.content.render import render_markdown
from futuredoctor.content.sync import ContentError, SyncReport, content_hash, sync_content

__all__ = [
    "FRAMEWORKS_DIR",
    "ContentError",
    "LoadedContent",
    "ModuleFile",
    "Problem",
    "RegionFile",
    "SyncReport",
    "check_content",
    "content_hash",
    "load_content",
    "render_markdown",
    "sync_content",
]
