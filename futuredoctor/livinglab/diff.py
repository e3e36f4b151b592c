"""A readable diff between two versions of a module.

Lines are compared with difflib; a changed line is compared word by word, so a reader
sees the words that changed. Each change is marked up with ``<ins>``/``<del>`` and a
visually hidden "Added"/"Removed" (plus a visible + or −), never colour alone.
Unchanged runs are folded to a few lines of context.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from futuredoctor.models import ModuleVersion

CONTEXT = 2
_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed", "changed", "fold"
    html: Markup
    count: int = 0  # lines folded away, for "fold"


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _words(before: str, after: str) -> tuple[Markup, Markup]:
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    old, new = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        left, right = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            old.append(left)
            new.append(right)
            continue
        if i2 > i1:
            old.append(
                Markup('<del><span class="nhsuk-u-visually-hidden">removed: </span>')
                + left
                + Markup("</del>")
            )
        if j2 > j1:
            new.append(
                Markup('<ins><span class="nhsuk-u-visually-hidden">added: </span>')
                + right
                + Markup("</ins>")
            )
    return Markup("").join(old), Markup("").join(new)


_OPEN = {
    "added": Markup('<ins><span class="nhsuk-u-visually-hidden">Added line: </span>'),
    "removed": Markup('<del><span class="nhsuk-u-visually-hidden">Removed line: </span>'),
}
_CLOSE = {"added": Markup("</ins>"), "removed": Markup("</del>")}
_CHANGED = {
    "del": Markup('<span class="nhsuk-u-visually-hidden">Changed line, before: </span>'),
    "ins": Markup('<span class="nhsuk-u-visually-hidden">Changed line, after: </span>'),
}


def _whole(kind: str, text: str) -> DiffLine:
    return DiffLine(kind, _OPEN[kind] + escape(text) + _CLOSE[kind])


def body_diff(before: str, after: str) -> list[DiffLine]:
    """The body, line by line, with changes marked and long unchanged runs folded."""
    a, b = before.splitlines(), after.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            run = a[i1:i2]
            if len(run) > CONTEXT * 2 + 1:
                head = [] if not lines else run[:CONTEXT]
                tail = run[-CONTEXT:] if i2 < len(a) else []
                lines += [DiffLine("same", escape(t)) for t in head]
                folded = len(run) - len(head) - len(tail)
                lines.append(DiffLine("fold", Markup(""), folded))
                lines += [DiffLine("same", escape(t)) for t in tail]
            else:
                lines += [DiffLine("same", escape(t)) for t in run]
            continue
        old, new = a[i1:i2], b[j1:j2]
        paired = min(len(old), len(new)) if op == "replace" else 0
        for left, right in zip(old[:paired], new[:paired], strict=True):
            removed, added = _words(left, right)
            lines.append(DiffLine("removed", _wrap("del", removed)))
            lines.append(DiffLine("added", _wrap("ins", added)))
        lines += [_whole("removed", t) for t in old[paired:]]
        lines += [_whole("added", t) for t in new[paired:]]
    return lines


def _wrap(kind: str, html: Markup) -> Markup:
    return _CHANGED[kind] + html


def field_changes(before: ModuleVersion, after: ModuleVersion) -> list[FieldChange]:
    def domains(v: ModuleVersion) -> str:
        return "\n".join(f"{d.code} – {d.title}" for d in v.domains)

    return [
        FieldChange("Title", before.title, after.title),
        FieldChange("Summary", before.summary, after.summary),
        FieldChange(
            "Time", f"{before.estimated_minutes} minutes", f"{after.estimated_minutes} minutes"
        ),
        FieldChange(
            "Delivery", before.delivery_mode.capitalize(), after.delivery_mode.capitalize()
        ),
        FieldChange(
            "Learning outcomes",
            "\n".join(before.learning_outcomes),
            "\n".join(after.learning_outcomes),
        ),
        FieldChange("GPC domains", domains(before), domains(after)),
        FieldChange("What changed", before.changelog, after.changelog),
    ]
