"""The milestone framework as content: checked with the rest, synced as versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from futuredoctor.content import FRAMEWORKS_DIR, check_content, sync_content
from futuredoctor.educators import self_assessment
from futuredoctor.extensions import db
from futuredoctor.models import MilestoneFramework, Subcompetency
from tests.educators.samples import rate
from tests.factories import make_user

FILE = "educator-milestones.toml"


def _dirs(app: Flask) -> tuple[Path, Path]:
    return Path(app.config["CONTENT_DIR"]), Path(app.config["REGIONS_DIR"])


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "frameworks"
    shutil.copytree(FRAMEWORKS_DIR, folder)
    path = folder / FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_shipped_framework_has_four_domains_fifteen_subcompetencies_five_levels(app: Flask) -> None:
    framework = self_assessment.current_framework()
    assert framework is not None and framework.version == 1
    assert [d.title for d in framework.domains] == [
        "Administration",
        "Educational theory and practice",
        "Well-being",
        "Diversity, equity and inclusion",
    ]
    subs = self_assessment.subcompetencies(framework)
    assert len(subs) == 15
    assert all(len(sub.level_descriptors) == 5 for sub in subs)
    assert [level["name"] for level in framework.levels][0::4] == ["Novice", "Mastery"]


def test_check_reports_a_broken_milestone_file_with_its_line(app: Flask, tmp_path: Path) -> None:
    folder = _copy(tmp_path, "number = 5\n", "number = 6\n")
    problems = check_content(*_dirs(app), folder)
    assert any(p.path.name == FILE and p.field.startswith("levels[4].number") for p in problems)
    line = (folder / FILE).read_text().splitlines().index("number = 6") + 1
    assert any(p.line == line for p in problems)


def test_changed_wording_is_a_new_version_and_old_snapshots_keep_theirs(
    app: Flask, tmp_path: Path
) -> None:
    educator = make_user()
    before = rate(educator, {"ETP1": 2})
    db.session.commit()
    again = sync_content(db.session, *_dirs(app))
    assert again.milestone_versions_created == []  # unchanged wording: nothing new
    folder = _copy(tmp_path, "Gives general feedback when asked.", "Gives feedback when asked.")
    report = sync_content(db.session, *_dirs(app), folder)
    db.session.commit()
    assert report.milestone_versions_created == ["CEM v2"]
    versions = db.session.scalars(sa.select(MilestoneFramework.version)).all()
    assert sorted(versions) == [1, 2]
    db.session.expire_all()
    old = db.session.get(type(before), before.id)  # type: ignore[attr-defined]
    assert old.framework.version == 1
    assert old.ratings[0].subcompetency.level_descriptors[0] == "Gives general feedback when asked."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subcompetency)) == 30
