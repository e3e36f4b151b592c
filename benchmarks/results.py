"""Benchmark results and the Markdown report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.generate import Scale

START = "<!-- results start -->"
END = "<!-- results end -->"


@dataclass
class Context:
    database_url: str
    dsn: str
    sizes: dict[str, int]
    scale: Scale
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    name: str
    measured: str
    baseline: str
    ratio: float | None
    target: str
    ok: bool

    def line(self) -> str:
        ratio = f"{self.ratio:.2f}" if self.ratio is not None else "–"
        verdict = "ok" if self.ok else "MISSED"
        return (
            f"{self.name}: {self.measured} vs {self.baseline} "
            f"(ratio {ratio}; target {self.target}) {verdict}"
        )


def write_report(
    path: Path, results: list[Result], scale: Scale, machine: str, when: datetime
) -> None:
    """Replace the results section of docs/benchmarks.md, keeping the prose around it."""
    rows = [
        "| benchmark | measured | baseline (same run) | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "–"
        met = "yes" if r.ok else "**no**"
        rows.append(f"| {r.name} | {r.measured} | {r.baseline} | {ratio} | {r.target} | {met} |")
    section = "\n".join(
        [
            START,
            f"Last run: {when:%Y-%m-%d %H:%M} UTC on {machine}. Data set: {scale.participants:,} "
            "participants (see the generator for the rest).",
            "",
            *rows,
            END,
        ]
    )
    text = (
        path.read_text(encoding="utf-8") if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    )
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(before + section + after, encoding="utf-8")


SWEEP_START = "<!-- sweep start -->"
SWEEP_END = "<!-- sweep end -->"


def write_sweep(path: Path, lines: list[str], scale: Scale, machine: str, when: datetime) -> None:
    """Replace the route sweep's table in docs/benchmarks.md (appended if missing)."""
    section = "\n".join(
        [
            SWEEP_START,
            f"Last run: {when:%Y-%m-%d %H:%M} UTC on {machine}. Data set: "
            f"{scale.participants:,} participants (see the generator for the rest).",
            "",
            *lines,
            SWEEP_END,
        ]
    )
    text = path.read_text(encoding="utf-8")
    if SWEEP_START not in text:
        text += f"\n## Route sweep\n\n{SWEEP_START}\n{SWEEP_END}\n"
    before, _, rest = text.partition(SWEEP_START)
    _, _, after = rest.partition(SWEEP_END)
    path.write_text(before + section + after, encoding="utf-8")


def write_block(path: Path, name: str, title: str, lines: list[str], when: datetime) -> None:
    """Replace (or append) the ``name`` block of docs/benchmarks.md, under ``title``."""
    start, end = f"<!-- {name} start -->", f"<!-- {name} end -->"
    section = "\n".join([start, f"Last run: {when:%Y-%m-%d %H:%M} UTC.", "", *lines, end])
    text = path.read_text(encoding="utf-8")
    if start not in text:
        text += f"\n## {title}\n\n{start}\n{end}\n"
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    path.write_text(before + section + after, encoding="utf-8")
