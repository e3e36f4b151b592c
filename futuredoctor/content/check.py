"""Load every content file, validate it in full and report every problem with its line.

Authors fix content in a text editor, so each problem names the file, the line of the
offending key and the field path (``pilots[0].cohorts[1].capacity``), and one run reports
all of them rather than the first. Only files that are entirely valid are returned for
syncing; ``sync.py`` refuses to write anything while any problem remains.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from futuredoctor.content.milestones import MilestoneFrameworkSpec
from futuredoctor.content.schema import FrameworkSpec, ModuleFrontMatter, RegionSpec

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"
MODULE_FILE = "module.md"
GPC = "GPC"

Loc = tuple[str | int, ...]
Seen = dict[tuple[str, str], tuple[Path, Loc, int]]  # (kind, value) -> first file, loc, line
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one content file, pointing at the line to fix."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        try:
            shown = self.path.resolve().relative_to(PROJECT_ROOT)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}: {self.field}: {self.message}"


@dataclass(frozen=True)
class ModuleFile:
    path: Path
    front_matter: ModuleFrontMatter
    body: str


@dataclass(frozen=True)
class RegionFile:
    path: Path
    region: RegionSpec


@dataclass(frozen=True)
class FrameworkFile:
    path: Path
    framework: FrameworkSpec


@dataclass(frozen=True)
class MilestoneFile:
    path: Path
    framework: MilestoneFrameworkSpec


@dataclass
class LoadedContent:
    """The valid files, ready to sync, and every problem found in the others."""

    modules: list[ModuleFile] = field(default_factory=list)
    regions: list[RegionFile] = field(default_factory=list)
    frameworks: list[FrameworkFile] = field(default_factory=list)
    milestones: list[MilestoneFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_content(
    content_dir: Path, regions_dir: Path, frameworks_dir: Path = FRAMEWORKS_DIR
) -> LoadedContent:
    """Parse and validate frameworks, modules and regions; never stops at the first problem."""
    loaded = LoadedContent()
    for path in sorted(Path(frameworks_dir).glob("*.toml")):
        _load_framework(path, loaded)
    gpc = next((f.framework for f in loaded.frameworks if f.framework.code == GPC), None)
    if gpc is None and not loaded.problems:
        message = f"no framework with code {GPC!r} in this folder"
        loaded.problems.append(Problem(Path(frameworks_dir), 1, "code", message))
    # Without a valid framework every code would look unknown; report the framework only.
    codes = {domain.code for domain in gpc.domains} if gpc else None
    for directory in (Path(content_dir), Path(regions_dir)):
        if not directory.is_dir():
            loaded.problems.append(Problem(directory, 1, "file", "folder not found"))
    seen: Seen = {}
    for folder in _entries(Path(content_dir), folders=True):
        _load_module(folder, codes, loaded, seen)
    for path in _entries(Path(regions_dir), folders=False):
        _load_region(path, loaded, seen)
    loaded.problems.sort(key=lambda p: (str(p.path), p.line, p.field))
    return loaded


def check_content(
    content_dir: Path, regions_dir: Path, frameworks_dir: Path = FRAMEWORKS_DIR
) -> list[Problem]:
    """Every problem in the content, in file and line order; an empty list means valid."""
    return load_content(content_dir, regions_dir, frameworks_dir).problems


def _entries(directory: Path, *, folders: bool) -> list[Path]:
    if not directory.is_dir():
        return []
    found = [p for p in directory.iterdir() if p.is_dir()] if folders else directory.glob("*.toml")
    return sorted(p for p in found if not p.name.startswith((".", "_")))


# --- modules -------------------------------------------------------------------------


def _load_module(folder: Path, codes: set[str] | None, loaded: LoadedContent, seen: Seen) -> None:
    path = folder / MODULE_FILE
    problems = loaded.problems

    def fail(line: int, message: str, field: str = "front matter") -> None:
        problems.append(Problem(path, line, field, message))

    if not path.is_file():
        fail(1, f"module folder {folder.name!r} has no {MODULE_FILE}", "file")
        return
    text = _read(path, problems)
    if text is None:
        return
    lines = text.splitlines()
    if not lines or lines[0].rstrip() != "---":
        fail(1, "file must start with a '---' line")
        return
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() == "---"), None)
    if end is None:
        fail(1, "front matter has no closing '---' line")
        return
    offset = 2  # YAML line 0 is file line 2, just after the opening '---'
    source = "\n".join(lines[1:end])
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + offset if mark else 1
        reason = getattr(error, "problem", None) or str(error)
        fail(line, f"invalid YAML: {reason}")
        return
    if not isinstance(data, dict):
        fail(1, "front matter must be a set of 'key: value' lines")
        return
    key_lines: dict[Loc, int] = {}
    _yaml_lines(node, (), offset, key_lines, path, problems)
    context = {"folder": folder.name, "domain_codes": codes}
    spec = _validate(ModuleFrontMatter, data, path, key_lines, problems, context)
    # Compare the raw slug so a copied folder is caught even though its slug is invalid.
    duplicate = _check_unique(path, data, ("slug",), "module slug", key_lines, seen)
    if duplicate is not None:
        problems.append(duplicate)
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        fail(end + 2, "module has no content after the front matter", "body")
    if spec is not None and body and codes is not None:
        loaded.modules.append(ModuleFile(path, spec, body))


def _yaml_lines(
    node: yaml.Node | None,
    loc: Loc,
    offset: int,
    out: dict[Loc, int],
    path: Path,
    problems: list[Problem],
) -> None:
    """Record the file line of every key and list item under ``node``."""
    if node is None:
        return
    out.setdefault(loc, node.start_mark.line + offset)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*loc, str(key_node.value))
            if child in out:
                line = key_node.start_mark.line + offset
                problems.append(Problem(path, line, _dotted(child), "key appears more than once"))
                continue
            out[child] = key_node.start_mark.line + offset
            _yaml_lines(value_node, child, offset, out, path, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _yaml_lines(item, (*loc, index), offset, out, path, problems)


# --- regions and frameworks ----------------------------------------------------------


def _load_toml(path: Path, problems: list[Problem]) -> tuple[dict[str, Any], dict[Loc, int]] | None:
    text = _read(path, problems)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        if found:
            line = int(found.group(1))
        elif "end of document" in message:
            line = max(len(text.splitlines()), 1)
        else:
            line = getattr(error, "lineno", 1)
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        problems.append(Problem(path, line, "toml", f"invalid TOML: {reason}"))
        return None
    return data, toml_key_lines(text)


def _load_framework(path: Path, loaded: LoadedContent) -> None:
    parsed = _load_toml(path, loaded.problems)
    if parsed is not None and parsed[0].get("kind") == "milestones":
        milestones = _validate(MilestoneFrameworkSpec, parsed[0], path, parsed[1], loaded.problems)
        if milestones is not None:
            loaded.milestones.append(MilestoneFile(path, milestones))
    elif parsed is not None:
        spec = _validate(FrameworkSpec, parsed[0], path, parsed[1], loaded.problems)
        if spec is not None:
            loaded.frameworks.append(FrameworkFile(path, spec))


def _load_region(path: Path, loaded: LoadedContent, seen: Seen) -> None:
    parsed = _load_toml(path, loaded.problems)
    if parsed is None:
        return
    data, key_lines = parsed
    before = len(loaded.problems)
    spec = _validate(RegionSpec, data, path, key_lines, loaded.problems)
    # Slugs and codes must be unique across all files, so compare even invalid files.
    for loc, kind in _identifiers(data):
        duplicate = _check_unique(path, data, loc, kind, key_lines, seen)
        if duplicate is not None:
            loaded.problems.append(duplicate)
    if spec is not None and len(loaded.problems) == before:
        loaded.regions.append(RegionFile(path, spec))


def _identifiers(data: dict[str, Any]) -> Iterable[tuple[Loc, str]]:
    """Where the identifiers that must be unique across region files sit in the data."""
    yield ("code",), "region code"
    yield ("name",), "region name"
    pilots = data.get("pilots")
    for p, pilot in enumerate(pilots if isinstance(pilots, list) else []):
        yield ("pilots", p, "slug"), "pilot slug"
        cohorts = pilot.get("cohorts") if isinstance(pilot, dict) else None
        for c in range(len(cohorts) if isinstance(cohorts, list) else 0):
            yield ("pilots", p, "cohorts", c, "slug"), "cohort slug"


def _check_unique(
    path: Path, data: dict[str, Any], loc: Loc, kind: str, key_lines: dict[Loc, int], seen: Seen
) -> Problem | None:
    """A problem if the identifier at ``loc`` was already used in this or an earlier file."""
    value: Any = data
    for part in loc:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(value, str):
        return None
    line = _line_for(key_lines, loc)
    first = seen.setdefault((kind, value), (path, loc, line))
    if first[:2] == (path, loc):
        return None
    where = f"line {first[2]}" if first[0] == path else f"{first[0].parent.name}/{first[0].name}"
    return Problem(path, line, _dotted(loc), f"{kind} {value!r} is already used ({where})")


# --- shared helpers ------------------------------------------------------------------


def _read(path: Path, problems: list[Problem]) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")  # tolerate a byte-order mark
    except UnicodeDecodeError:
        problems.append(Problem(path, 1, "file", "file is not valid UTF-8 text"))
    except OSError as error:
        problems.append(Problem(path, 1, "file", f"cannot read file: {error.strerror}"))
    return None


def _validate(
    model: type[M],
    data: dict[str, Any],
    path: Path,
    key_lines: dict[Loc, int],
    problems: list[Problem],
    context: dict[str, Any] | None = None,
) -> M | None:
    """Validate ``data``; on failure add one problem per error, each at its key's line."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        for item in error.errors(include_url=False):
            loc = tuple(item["loc"])
            problems.append(Problem(path, _line_for(key_lines, loc), _dotted(loc), _message(item)))
        return None


def _message(item: Any) -> str:
    if item["type"] == "missing":
        return "required field is missing"
    if item["type"] == "extra_forbidden":
        return "unknown field (check the spelling, or remove it)"
    if item["type"] == "date_type":
        return "should be a date written without quotes, like 2026-09-14"
    return str(item["msg"]).removeprefix("Value error, ")


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(file)"


def _line_for(key_lines: dict[Loc, int], loc: Loc) -> int:
    """The line of ``loc``, else of its nearest enclosing key or table, else 1."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in key_lines:
            return key_lines[loc[:end]]
    return 1


# --- TOML key positions --------------------------------------------------------------

_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_PART}(?:\s*\.\s*{_PART})*)\s*\]")
_NAME = re.compile(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""")
_STRINGS = re.compile(r""""(?:\\.|[^"\\])*"|'[^']*'""")


def _parts(dotted: str) -> list[str]:
    return ["".join(match) for match in _NAME.findall(dotted)]


def _bracket_depth(text: str) -> int:
    code = _STRINGS.sub("", text).split("#", 1)[0]
    return code.count("[") - code.count("]")


def toml_key_lines(text: str) -> dict[Loc, int]:
    """Map each key and table path (``("pilots", 0, "cohorts", 1, "capacity")``) to its line.

    tomllib reports no positions, so this scans the text: it follows ``[table]`` and
    ``[[array]]`` headers, counting array entries per parent, and skips the insides of
    multi-line arrays and strings. Only the first line of each path is kept.
    """
    lines: dict[Loc, int] = {(): 1}
    counts: dict[Loc, int] = {}
    table: Loc = ()
    depth = 0
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if in_string:
            if line.count(in_string) % 2:
                in_string = None
            continue
        if depth > 0:
            depth += _bracket_depth(line)
            continue
        header = _HEADER.match(line)
        if header:
            table = ()
            names = _parts(header.group(2))
            for index, name in enumerate(names):
                table = (*table, name)
                if header.group(1) == "[[" and index == len(names) - 1:
                    lines.setdefault(table, number)  # the array itself: its first entry
                    counts[table] = counts.get(table, -1) + 1
                    table = (*table, counts[table])
                elif table in counts:
                    table = (*table, counts[table])
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault((*table, *_parts(key.group(1))), number)
            rest = line[key.end() :]
            depth = max(_bracket_depth(rest), 0)
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2:
                    in_string = quote
    return lines
