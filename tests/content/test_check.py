"""Content checking: every problem, in every file, with the right file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from futuredoctor.content import FRAMEWORKS_DIR, Problem, check_content, load_content
from futuredoctor.content.check import toml_key_lines

ROOT = Path(__file__).resolve().parents[2]
MODULE = "coastal-rural-health-inequalities"


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the shipped modules and regions that a test may break."""
    modules = shutil.copytree(ROOT / "modules_content", tmp_path / "modules_content")
    regions = shutil.copytree(ROOT / "regions", tmp_path / "regions")
    return modules, regions


def edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` once in ``path``; return the 1-based line where the change starts."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found exactly once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first line of ``path`` that contains ``needle``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def only(problems: list[Problem], field: str) -> Problem:
    found = [p for p in problems if p.field == field]
    assert len(found) == 1, problems
    return found[0]


def test_shipped_content_has_no_problems(dirs: tuple[Path, Path]) -> None:
    loaded = load_content(*dirs)
    assert loaded.problems == []
    assert len(loaded.modules) == 12
    assert len(loaded.regions) == 7
    assert [f.framework.code for f in loaded.frameworks] == ["GPC"]
    assert [d.code for d in loaded.frameworks[0].framework.domains] == [
        f"GPC{n}" for n in range(1, 10)
    ]


def test_unknown_gpc_code_names_file_line_and_field(dirs: tuple[Path, Path]) -> None:
    path = dirs[0] / MODULE / "module.md"
    line = edit(path, "  - GPC3\n", "  - GPC12\n")
    problem = only(check_content(*dirs), "gpc_domains[1]")
    assert (problem.path, problem.line) == (path, line)
    assert "unknown GPC domain 'GPC12'" in problem.message


def test_duplicate_gpc_code(dirs: tuple[Path, Path]) -> None:
    path = dirs[0] / MODULE / "module.md"
    line = edit(path, "  - GPC3\n", "  - GPC4\n") - 2  # the gpc_domains key
    problem = only(check_content(*dirs), "gpc_domains")
    assert problem.line == line
    assert "'GPC4' is listed more than once" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("---\nslug:", "slug:", "must start with a '---' line"),
        ("changelog: First release for trial in the regional pilots.\n---\n", "", "no closing"),
    ],
)
def test_front_matter_missing_or_unterminated(
    dirs: tuple[Path, Path], old: str, new: str, message: str
) -> None:
    path = dirs[0] / MODULE / "module.md"
    edit(path, old, new)
    problem = only(check_content(*dirs), "front matter")
    assert (problem.path, problem.line) == (path, 1)
    assert message in problem.message


def test_invalid_yaml_reports_its_line(dirs: tuple[Path, Path]) -> None:
    path = dirs[0] / MODULE / "module.md"
    line = edit(path, "estimated_minutes: 75\n", "estimated_minutes: [75\n")
    problem = only(check_content(*dirs), "front matter")
    assert problem.message.startswith("invalid YAML")
    assert line <= problem.line <= line + 2  # the parser notices at or just after the slip


def test_missing_and_mistyped_fields(dirs: tuple[Path, Path]) -> None:
    path = dirs[0] / MODULE / "module.md"
    edit(path, "estimated_minutes: 75\n", "")
    line = edit(path, "version: 1\n", 'version: "one"\n')
    problems = check_content(*dirs)
    assert only(problems, "estimated_minutes").message == "required field is missing"
    mistyped = only(problems, "version")
    assert mistyped.line == line
    assert "integer" in mistyped.message


def test_slug_must_match_folder_and_be_unique(dirs: tuple[Path, Path]) -> None:
    shutil.copytree(dirs[0] / MODULE, dirs[0] / "zz-copy")
    problems = [p for p in check_content(*dirs) if p.field == "slug"]
    assert {p.path.parent.name for p in problems} == {"zz-copy"}
    messages = " | ".join(p.message for p in problems)
    assert "does not match its folder name 'zz-copy'" in messages
    assert f"module slug '{MODULE}' is already used ({MODULE}/module.md)" in messages
    assert all(p.line == 2 for p in problems)


def test_module_folder_without_file_and_empty_body(dirs: tuple[Path, Path]) -> None:
    (dirs[0] / "new-module").mkdir()
    path = dirs[0] / MODULE / "module.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("## Why this matters")] + "\n  \n", encoding="utf-8")
    problems = check_content(*dirs)
    assert only(problems, "file").path == dirs[0] / "new-module" / "module.md"
    body = only(problems, "body")
    assert body.path == path
    assert body.line == text.splitlines().index("---", 1) + 2


def test_unknown_pilot_field_names_path_and_line(dirs: tuple[Path, Path]) -> None:
    path = dirs[1] / "london.toml"
    edit(path, "start_date = 2026-08-03\n", 'start_date = 2026-08-03\nlead = "Dr A"\n')
    problem = only(check_content(*dirs), "pilots[0].lead")
    assert (problem.path, problem.line) == (path, line_of(path, "lead = "))
    assert problem.message.startswith("unknown field")


def test_nested_cohort_errors_point_at_their_lines(dirs: tuple[Path, Path]) -> None:
    path = dirs[1] / "london.toml"
    edit(path, "ends_on = 2027-02-26\n", "")
    edit(path, "capacity = 150\n", 'capacity = "lots"\n')
    edit(path, "enrolment_closes = 2027-01-22", "enrolment_closes = 2026-01-22")
    problems = check_content(*dirs)
    capacity = only(problems, "pilots[0].cohorts[1].capacity")
    assert capacity.line == line_of(path, 'capacity = "lots"')
    missing = only(problems, "pilots[0].cohorts[0].ends_on")
    assert missing.line == line_of(path, "[[pilots.cohorts]]")  # falls back to the table
    assert missing.message == "required field is missing"
    dates = only(problems, "pilots[0].cohorts[1].enrolment_closes")
    assert dates.line == line_of(path, "enrolment_closes = 2026-01-22")
    assert "closes (2026-01-22) before it opens (2026-11-02)" in dates.message


def test_unknown_professional_group_and_career_stage(dirs: tuple[Path, Path]) -> None:
    path = dirs[1] / "midlands.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('professional_groups = ["doctor"]', 'professional_groups = ["dentist"]', 1)
    path.write_text(text.replace('career_stages = ["FY2",', 'career_stages = ["FY3",', 1))
    problems = check_content(*dirs)
    group = only(problems, "pilots[0].cohorts[0].professional_groups[0]")
    assert "unknown professional group 'dentist'" in group.message
    assert group.line == line_of(path, "professional_groups")
    stage = only(problems, "pilots[0].cohorts[0].career_stages[0]")
    assert "unknown career stage 'FY3'" in stage.message


def test_bad_toml_reports_its_line(dirs: tuple[Path, Path]) -> None:
    path = dirs[1] / "london.toml"
    line = edit(path, 'name = "London"\n', 'name = "London\n')
    problem = only(check_content(*dirs), "toml")
    assert (problem.path, problem.line) == (path, line)
    assert problem.message.startswith("invalid TOML")
    assert "line" not in problem.message.removeprefix("invalid TOML")


def test_duplicate_identifiers_across_region_files(dirs: tuple[Path, Path]) -> None:
    path = dirs[1] / "midlands.toml"
    code = edit(path, 'code = "MID"', 'code = "LON"')
    slug = edit(path, 'slug = "mid-2027-spring"', 'slug = "lon-2026-autumn"')
    problems = check_content(*dirs)
    region = only(problems, "code")
    assert (region.path, region.line) == (path, code)
    assert "region code 'LON' is already used (regions/london.toml)" in region.message
    cohort = only(problems, "pilots[0].cohorts[1].slug")
    assert (cohort.path, cohort.line) == (path, slug)


def test_duplicate_cohort_slug_within_one_file(dirs: tuple[Path, Path]) -> None:
    path = dirs[1] / "london.toml"
    first = line_of(path, 'slug = "lon-2026-autumn"')
    second = edit(path, 'slug = "lon-2027-spring"', 'slug = "lon-2026-autumn"')
    problem = only(check_content(*dirs), "pilots[0].cohorts[1].slug")
    assert problem.line == second
    assert f"(line {first})" in problem.message


def test_every_problem_is_collected_in_one_run(dirs: tuple[Path, Path]) -> None:
    modules, regions = dirs
    edit(modules / MODULE / "module.md", "  - GPC3\n", "  - GPC99\n")
    edit(
        modules / "teaching-on-the-job" / "module.md",
        "delivery_mode: workplace",
        "delivery_mode: podcast",
    )
    edit(
        modules / "shared-decision-making" / "module.md",
        "estimated_minutes: 30",
        "estimated_minutes: 3",
    )
    edit(regions / "london.toml", 'name = "London"\n', 'name = "London\n')
    edit(regions / "north-west.toml", "capacity = 80", "capacity = 0")
    edit(regions / "south-west.toml", 'code = "SW"', 'code = "sw"')
    problems = check_content(*dirs)
    assert {
        (p.path.name if p.path.suffix == ".toml" else p.path.parent.name, p.field) for p in problems
    } == {
        (MODULE, "gpc_domains[1]"),
        ("teaching-on-the-job", "delivery_mode"),
        ("shared-decision-making", "estimated_minutes"),
        ("london.toml", "toml"),
        ("north-west.toml", "pilots[0].cohorts[0].capacity"),
        ("south-west.toml", "code"),
    }
    assert problems == sorted(problems, key=lambda p: (str(p.path), p.line, p.field))


def test_broken_framework_is_reported(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    frameworks = shutil.copytree(FRAMEWORKS_DIR, tmp_path / "frameworks")
    edit(frameworks / "gpc.toml", "position = 9", "position = 8")
    problems = check_content(*dirs, frameworks)
    # Modules are not flagged: without a valid framework their codes cannot be judged.
    assert [(p.field, p.line) for p in problems] == [
        ("domains", line_of(frameworks / "gpc.toml", "[[domains]]"))
    ]
    assert "'8' is listed more than once" in problems[0].message


def test_problem_str_is_relative_to_the_project_when_possible(tmp_path: Path) -> None:
    shipped = Problem(ROOT / "regions" / "london.toml", 12, "pilots[0].lead", "unknown field")
    assert str(shipped) == "regions/london.toml:12: pilots[0].lead: unknown field"
    elsewhere = Problem(tmp_path / "x.toml", 1, "toml", "bad")
    assert str(elsewhere) == f"{tmp_path / 'x.toml'}:1: toml: bad"


def test_toml_key_lines_skips_multiline_values() -> None:
    text = (
        'code = "X"\n'
        "priorities = [\n"
        '  "a = b",\n'
        "  [1, 2],\n"
        "]\n"
        'notes = """\n'
        "fake = 1\n"
        '"""\n'
        "[[pilots]]\n"
        "slug = 'p'  # comment = 2\n"
        "[[pilots.cohorts]]\n"
        "[[pilots]]\n"
        "[[pilots.cohorts]]\n"
        "[[pilots.cohorts]]\n"
        "capacity = 3\n"
        "[pilots.extra]\n"
        "a.b = 1\n"
    )
    lines = toml_key_lines(text)
    assert lines[("priorities",)] == 2
    assert lines[("notes",)] == 6
    assert ("fake",) not in lines
    assert ("a",) not in lines
    assert lines[("pilots", 0, "slug")] == 10
    assert lines[("pilots", 0, "cohorts", 0)] == 11
    assert lines[("pilots", 1, "cohorts", 1, "capacity")] == 15
    assert lines[("pilots", 1, "extra", "a", "b")] == 17


def test_missing_folder_is_a_problem_not_an_empty_pass(dirs: tuple[Path, Path]) -> None:
    missing = dirs[0].parent / "no-such-folder"
    problems = check_content(missing, dirs[1])
    assert [(p.path, p.message) for p in problems] == [(missing, "folder not found")]


def test_titles_stay_on_one_line_and_dates_in_the_supported_years(
    dirs: tuple[Path, Path],
) -> None:
    path = dirs[0] / MODULE / "module.md"
    line = edit(
        path,
        "title: Health inequalities in coastal and rural communities\n",
        'title: "Health inequalities\\nBcc: everyone@example.org"\n',
    )
    problem = only(check_content(*dirs), "title")
    assert (problem.path, problem.line) == (path, line)
    assert "must be on one line" in problem.message
    region = dirs[1] / "east-of-england.toml"
    line = edit(region, "starts_on = 2026-09-07", "starts_on = 9999-09-07")
    problem = next(p for p in check_content(*dirs) if p.field.endswith("starts_on"))
    assert (problem.path, problem.line) == (region, line)
    assert "between 2000 and 2100" in problem.message
