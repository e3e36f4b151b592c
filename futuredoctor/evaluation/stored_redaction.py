"""Free text kept de-identified in the database, so an export only copies it out.

De-identifying hundreds of thousands of sentences while a package streams made the export
several times slower than PostgreSQL's own ``COPY``. Instead, whenever feedback text, an
educator's reason or note, or co-design notes are written, the de-identified version, the
"anything replaced" flag and a *stamp* are stored next to the original. The stamp names
the rules (``redaction.RULES_VERSION``) and the version of the name list used.

The name list (``RedactionName``) holds every account's given and family names, past and
present; new names are added as one new version at a time (``sync_names``). Each table
also has a watermark (``RedactionWatermark``): the name-list version every row stored
under the current rules has been checked against. A row is current when its stamp names
the current rules and its own name version or the watermark reaches the newest names.
``refresh_stale`` brings the others up to date: after new accounts, only rows whose text
contains one of the new names (a ``LIKE`` in SQL, or one pattern in Python when there are
many names) are redacted again and restamped, and the watermark moves on, so no other
row is written; when the rules changed, every row is redone. The scheduler's
``redact_free_text`` job runs it in batches (which also backfills rows written before
this existed, or by bulk loads that bypass the ORM); an export runs it to completion
before reading, so a package is always as correct as redacting at export time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from futuredoctor import upsert
from futuredoctor.evaluation.redaction import RULES_VERSION, Redactor, name_parts
from futuredoctor.extensions import db
from futuredoctor.models import (
    CodesignSession,
    FeedbackItem,
    FeedbackStatusChange,
    PublicContributor,
    RedactionName,
    RedactionWatermark,
    User,
    utcnow,
)

BATCH = 1_000
# Above this many names added since a row was checked, its text is matched in Python
# against one pattern rather than in SQL against one LIKE per name.
MAX_NAMES_TO_MATCH = 300
WRITERS_LOCK = 0x6672_6564  # advisory lock key: writers of free text share it


@dataclass(frozen=True)
class FreeText:
    """A model's free-text columns and where their de-identified versions are kept."""

    model: Any
    sources: tuple[str, ...]
    targets: tuple[str, ...]

    @property
    def table(self) -> sa.Table:
        table: sa.Table = self.model.__table__
        return table


FREE_TEXTS = (
    FreeText(FeedbackItem, ("text", "status_reason"), ("text_redacted", "status_reason_redacted")),
    FreeText(FeedbackStatusChange, ("note",), ("note_redacted",)),
    FreeText(CodesignSession, ("notes",), ("notes_redacted",)),
)
_BY_MODEL = {spec.model: spec for spec in FREE_TEXTS}


def stamp(names_version: int) -> str:
    """Zero-padded, so stamps sort in version order and ``stamp < current`` finds stale rows
    through the index."""
    return f"{RULES_VERSION:03d}.{names_version:09d}"


class NameList:
    """The name list at one version; its parts (over a hundred thousand at national size)
    are read only when something needs them: an export with nothing stale asks only for
    the version."""

    def __init__(self, version: int, session: Session) -> None:
        self.version = version
        self._session = session
        self._parts: list[tuple[str, str, int]] | None = None  # (kind, part, version)
        self._redactor: Redactor | None = None

    @property
    def parts(self) -> list[tuple[str, str, int]]:
        if self._parts is None:
            rows = self._session.execute(
                sa.select(RedactionName.kind, RedactionName.part, RedactionName.version).where(
                    RedactionName.version <= self.version
                )
            )
            self._parts = [(kind, part, version) for kind, part, version in rows]
        return self._parts

    def redactor(self) -> Redactor:
        if self._redactor is None:
            given = frozenset(p for kind, p, _ in self.parts if kind == "given")
            family = frozenset(p for kind, p, _ in self.parts if kind == "family")
            self._redactor = Redactor(given, family)
        return self._redactor

    def added_after(self, version: int) -> set[str]:
        if self._parts is not None:
            return {p for _, p, v in self._parts if v > version}
        return set(
            self._session.scalars(
                sa.select(RedactionName.part).where(
                    RedactionName.version > version, RedactionName.version <= self.version
                )
            )
        )


def name_list(session: Session | None = None) -> NameList:
    session = session or db.session()
    newest = session.scalar(sa.select(sa.func.max(RedactionName.version)))
    return NameList(newest or 0, session)


def _listed(column: Any, kind: str) -> sa.ColumnElement[bool]:
    """True only when every part ``name_parts`` finds in ``column`` is on the list already.

    For plain ASCII, SQL's ``trim`` and ``lower`` are Python's ``strip`` and ``casefold``
    (a whole name on the list means its parts are too: both come from the same whole),
    so only names that are new, or not plain ASCII, reach Python: an export with no new
    accounts reads none of the accounts' names."""
    if db.session.get_bind().dialect.name == "postgresql":
        ascii_only = sa.func.octet_length(column) == sa.func.char_length(column)
    else:
        ascii_only = sa.func.length(sa.cast(column, sa.LargeBinary)) == sa.func.length(column)
    trimmed = sa.func.trim(column)
    on_list = sa.func.lower(trimmed).in_(
        sa.select(RedactionName.part).where(RedactionName.kind == kind)
    )
    return sa.or_(
        column.is_(None), sa.and_(ascii_only, sa.or_(sa.func.length(trimmed) < 2, on_list))
    )


def sync_names() -> NameList:
    """Add the names of accounts and public contributors not yet on the list, all as one new
    version."""
    names = name_list()
    fresh: set[tuple[str, str]] = set()
    accounts = sa.select(User.given_name, User.family_name).where(
        sa.not_(sa.and_(_listed(User.given_name, "given"), _listed(User.family_name, "family")))
    )
    for given, family in db.session.execute(accounts):
        fresh.update(("given", part) for part in name_parts(given))
        fresh.update(("family", part) for part in name_parts(family))
    # Recorded public contributors have no account, but staff may name them in what they
    # write up; their display names count as given names (as Redactor.for_accounts does).
    contributors = sa.select(PublicContributor.display_name).where(
        sa.not_(_listed(PublicContributor.display_name, "given"))
    )
    for (display_name,) in db.session.execute(contributors):
        fresh.update(("given", part) for part in name_parts(display_name))
    if not fresh:
        return names
    listed = db.session.execute(
        sa.select(RedactionName.kind, RedactionName.part).where(
            RedactionName.part.in_(sorted({part for _, part in fresh}))
        )
    )
    new = sorted(fresh - {(kind, part) for kind, part in listed})
    if not new:
        return names
    version = names.version + 1
    now = utcnow()
    rows = [{"kind": k, "part": p, "version": version, "added_at": now} for k, p in new]
    table = cast(sa.Table, RedactionName.__table__)
    # Another process may be adding the same names: theirs are as good as ours.
    insert = upsert.insert(table).on_conflict_do_nothing(index_elements=["kind", "part"])
    db.session.execute(insert, rows)
    return name_list()


def redact_fields(redactor: Redactor, texts: Sequence[str | None]) -> tuple[list[Any], bool]:
    pairs = [redactor.redact(text) for text in texts]
    return [text for text, _ in pairs], any(changed for _, changed in pairs)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Store the de-identified text of every new or changed free-text row being flushed."""
    pending = [
        obj
        for obj in chain(session.new, session.dirty)
        if type(obj) in _BY_MODEL and _text_changed(obj, _BY_MODEL[type(obj)])
    ]
    if not pending:
        return
    with session.no_autoflush:
        _writer_lock(session)
        names = name_list(session)
        redactor = names.redactor()
    current = stamp(names.version)
    for obj in pending:
        spec = _BY_MODEL[type(obj)]
        texts, changed = redact_fields(redactor, [getattr(obj, s) for s in spec.sources])
        for target, text in zip(spec.targets, texts, strict=True):
            setattr(obj, target, text)
        obj.has_redactions = changed
        obj.redaction_stamp = current


def _text_changed(obj: Any, spec: FreeText) -> bool:
    state = sa.inspect(obj)
    if state.transient or state.pending:
        return True
    return any(state.attrs[source].history.has_changes() for source in spec.sources)


def init_stored_redaction() -> None:
    """Register the flush hook once for every session."""
    if not sa.event.contains(Session, "before_flush", _before_flush):
        sa.event.listen(Session, "before_flush", _before_flush)


def stale(spec: FreeText, current: str, watermark: int = 0) -> sa.ColumnElement[bool]:
    """Rows not known to be current: unstamped, stamped under other rules, or stamped with
    an older name list that the table's watermark does not cover either."""
    column = spec.table.c.redaction_stamp
    floor = _rules_floor()
    return sa.or_(
        column.is_(None),
        column < floor,
        sa.and_(column < current, column > stamp(watermark)),
    )


def _rules_floor() -> str:
    """Every stamp made under the current rules sorts at or after this."""
    return f"{RULES_VERSION:03d}."


def watermark(spec: FreeText) -> int:
    """The name-list version every row of the table made under the current rules has been
    checked against (0: none, only the rows' own stamps count)."""
    row = db.session.get(RedactionWatermark, spec.table.name)
    if row is None or row.rules_version != RULES_VERSION:
        return 0
    return row.names_version


def _advance(spec: FreeText, version: int) -> None:
    """Record that every row of the table has been checked against names up to
    ``version``; never moves a watermark back (another process may be further on)."""
    # Another scheduler may be making the table's first watermark at the same moment.
    db.session.execute(
        upsert.insert(RedactionWatermark)
        .values(table_name=spec.table.name, rules_version=0, names_version=0, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["table_name"])
    )
    row = db.session.get(
        RedactionWatermark, spec.table.name, with_for_update=True, populate_existing=True
    )
    assert row is not None  # made above, and watermarks are never deleted
    if row.rules_version != RULES_VERSION or row.names_version < version:
        row.rules_version, row.names_version = RULES_VERSION, version
        row.updated_at = utcnow()
    db.session.flush()


def _writers_barrier() -> None:
    """Wait until every transaction that may have stamped a row with a name list read
    before the latest names were committed has ended (PostgreSQL; SQLite has one writer).

    Writers hold the shared lock from before they read the name list until they commit
    (``_before_flush``); taking and dropping the exclusive lock here therefore means every
    row stamped with an older list is committed and visible to the scan that follows, so
    the watermark never covers a row nobody checked.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(sa.select(sa.func.pg_advisory_lock(WRITERS_LOCK)))
    db.session.execute(sa.select(sa.func.pg_advisory_unlock(WRITERS_LOCK)))


def _writer_lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(WRITERS_LOCK)))


def refresh_stale(
    max_batches: int | None = None, commit_each: bool = False, advance: bool = True
) -> int:
    """Bring stale stored redactions up to date; returns how many rows were redacted
    again. ``max_batches`` bounds one scheduler run; ``commit_each`` commits after every
    batch (the scheduler's job).

    When names were added, only rows whose text mentions one of them are redone (each with
    the current stamp); every other row keeps its stamp untouched, and once a table has
    been scanned to the end its watermark moves to the current name list. An export
    (``advance`` false) redoes the rows it needs and leaves the watermark to the job.
    """
    names = sync_names()
    current = stamp(names.version)
    if commit_each:
        db.session.commit()
    _writers_barrier()
    done = batches = 0
    for spec in FREE_TEXTS:
        finished = True
        for where, matcher in _to_redo(spec, names, current):
            after = 0
            while True:
                if max_batches is not None and batches >= max_batches:
                    finished = False
                    break
                rows, last = _batch_to_redo(spec, where, matcher, after)
                if last is None:
                    break
                if rows:
                    _store(spec, rows, names.redactor(), current)
                    done += len(rows)
                batches += 1
                after = last
                if commit_each:
                    db.session.commit()
            if not finished:
                break
        if not finished:
            break
        if advance:
            _advance(spec, names.version)
            if commit_each:
                db.session.commit()
    return done


def _to_redo(
    spec: FreeText, names: NameList, current: str
) -> list[tuple[sa.ColumnElement[bool], re.Pattern[str] | None]]:
    """The rows to redo: (a condition in SQL, and a pattern their text must also match
    when there are too many names to ask SQL about), as few groups as possible, so an
    export's query count does not depend on how many name versions there have been.

    Unstamped rows and rows made under other rules are all redone. A row made under the
    current rules has been checked against the names up to the table's watermark at
    least, so it needs redoing only if its text mentions a name added since (a row whose
    own stamp is later may be redone needlessly; the result is the same). A name only
    ever matches a word of ASCII letters (with apostrophes and hyphens), so SQL's
    ``lower`` (ASCII on SQLite) and a substring match find every row a new name could
    touch.
    """
    column = spec.table.c.redaction_stamp
    other_rules = sa.or_(column.is_(None), column < _rules_floor())
    mark = watermark(spec)
    if mark >= names.version:
        return [(other_rules, None)]
    unchecked = sa.and_(column >= _rules_floor(), column < current)
    where, matcher = _mentions(spec, names.added_after(mark), unchecked)
    if matcher is not None:
        return [(other_rules, None), (where, matcher)]
    return [(sa.or_(other_rules, where), None)]


def _mentions(
    spec: FreeText, added: set[str], where: sa.ColumnElement[bool]
) -> tuple[sa.ColumnElement[bool], re.Pattern[str] | None]:
    if not added:
        return sa.false(), None
    if len(added) > MAX_NAMES_TO_MATCH:
        # One pattern in Python beats hundreds of LIKEs per row in SQL.
        pattern = re.compile("|".join(re.escape(p) for p in sorted(added, key=len, reverse=True)))
        return where, pattern
    table = spec.table
    mentions = sa.or_(
        *(
            sa.func.lower(sa.func.coalesce(table.c[source], "")).contains(part, autoescape=True)
            for source in spec.sources
            for part in sorted(added)
        )
    )
    return sa.and_(where, mentions), None


def _keep(spec: FreeText, current: str) -> dict[str, Any]:
    """The new stamp, and ``updated_at`` left as it was (a redaction is not an edit)."""
    values: dict[str, Any] = {"redaction_stamp": current}
    if "updated_at" in spec.table.c:
        values["updated_at"] = spec.table.c.updated_at
    return values


def _batch_to_redo(
    spec: FreeText, redo: sa.ColumnElement[bool], matcher: re.Pattern[str] | None, after: int
) -> tuple[list[Any], int | None]:
    """The next rows after id ``after`` to redo, and the last id looked at (None: done)."""
    table = spec.table
    stmt = (
        sa.select(table.c.id, *(table.c[s] for s in spec.sources))
        .where(redo, table.c.id > after)
        .order_by(table.c.id)
        .limit(BATCH if matcher is None else BATCH * 20)
    )
    rows = list(db.session.execute(stmt))
    if not rows:
        return [], None
    if matcher is not None:
        last = rows[-1][0]
        rows = [r for r in rows if any(t and matcher.search(t.lower()) for t in r[1:])]
        return rows, last
    return rows, rows[-1][0]


def _store(spec: FreeText, rows: Iterable[Any], redactor: Redactor, current: str) -> None:
    table = spec.table
    params = []
    for row in rows:
        texts, changed = redact_fields(redactor, row[1:])
        param = {"b_id": row[0], "b_flag": changed}
        param.update({f"b_{s}": v for s, v in zip(spec.sources, row[1:], strict=True)})
        param.update({f"b_{t}": v for t, v in zip(spec.targets, texts, strict=True)})
        params.append(param)
    # Only if the text is still what was redacted: an edit meanwhile stored its own.
    stmt = (
        sa.update(table)
        .where(
            table.c.id == sa.bindparam("b_id"),
            *(table.c[s].is_not_distinct_from(sa.bindparam(f"b_{s}")) for s in spec.sources),
        )
        .values(
            {
                **{t: sa.bindparam(f"b_{t}") for t in spec.targets},
                "has_redactions": sa.bindparam("b_flag"),
                **_keep(spec, current),
            }
        )
    )
    db.session.execute(stmt, params)


def ensure_current() -> None:
    """Before an export reads stored free text: every stored redaction is what redacting
    now would give (the watermark is left to the job)."""
    refresh_stale(advance=False)
