"""The evaluation package as a stream of zip bytes.

``zipfile`` writes to an unseekable sink (so it uses data descriptors instead of seeking
back), each CSV entry is fed from its row generator a batch at a time, and whatever the sink
holds is yielded at once: memory stays flat however many rows there are. Row counts and
checksums are gathered on the way; ``datapackage.json``, ``README.md`` and ``MANIFEST``
come last because they describe what was written. ``on_complete`` runs once the last byte
is known and before it is sent, so the export record exists whenever a download completes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, cast

from futuredoctor.evaluation.aggregates import aggregates
from futuredoctor.evaluation.codebook import codebook_markdown
from futuredoctor.evaluation.copy_export import can_copy, copy_chunks
from futuredoctor.evaluation.educator_aggregates import educator_development
from futuredoctor.evaluation.import_scripts import python_script, r_script, stata_script
from futuredoctor.evaluation.lookups import LOOKUP_ROWS
from futuredoctor.evaluation.projects import key_of
from futuredoctor.evaluation.pseudonyms import refuse_development_secret
from futuredoctor.evaluation.schema import TABLES, Table
from futuredoctor.evaluation.scope import ExportScope
from futuredoctor.evaluation.tables import TABLE_ROWS, Row, k_plan, utc_text
from futuredoctor.extensions import db
from futuredoctor.models import EvaluationProject
from futuredoctor.spreadsheet import starts_like_formula
from futuredoctor.timezones import local_zone

FLUSH_BYTES = 64 * 1024
# zlib's fastest level: three times the speed of the default (6) on these CSV files, for a
# zip about a quarter larger; at national size the default alone took as long as
# PostgreSQL needs to write every file.
DEFLATE_LEVEL = 1
PACKAGE_EXTRAS = ("datapackage.json", "README.md", "import.py", "import.R", "import.do")
ROWS: dict[str, Callable[[ExportScope, bytes], Iterator[Row]]] = {
    **TABLE_ROWS,
    **LOOKUP_ROWS,
    "aggregates": aggregates,
    "educator_development": educator_development,
}
DIALECT = {
    "delimiter": ",",
    "doubleQuote": True,
    "header": True,
    "lineTerminator": "\n",  # as PostgreSQL's COPY writes it, so every file agrees
    "quoteChar": '"',
    "skipInitialSpace": False,
}


@dataclass
class PackageResult:
    row_counts: dict[str, int] = field(default_factory=dict)
    file_sha256: dict[str, str] = field(default_factory=dict)
    file_bytes: dict[str, int] = field(default_factory=dict)
    sha256: str = ""
    size: int = 0


def protect(text: str) -> str:
    """Spreadsheet protection that can be undone exactly: text starting like a formula,
    or with an apostrophe, gets one more apostrophe in front; the import scripts (and
    ``unprotect``) take exactly one off any text that starts with one."""
    return "'" + text if starts_like_formula(text) or text.startswith("'") else text


def unprotect(text: str) -> str:
    return text[1:] if text.startswith("'") else text


class CsvEncoder:
    """Rows in, UTF-8 CSV bytes out, in batches."""

    def __init__(self) -> None:
        self._text = io.StringIO()
        # Text is always quoted, so tabs, commas and line breaks inside it are unambiguous.
        self._writer = csv.writer(self._text, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")

    def write(self, row: Iterable[Any]) -> None:
        self._writer.writerow([protect(v) if isinstance(v, str) else v for v in row])

    @property
    def pending(self) -> int:
        return self._text.tell()

    def take(self) -> bytes:
        data = self._text.getvalue().encode("utf-8")
        self._text.seek(0)
        self._text.truncate()
        return data


def csv_chunks(table: Table, scope: ExportScope, secret: bytes, result: PackageResult):
    """The CSV file of ``table`` as byte chunks, counting rows and hashing as it goes."""
    encoder = CsvEncoder()
    digest = hashlib.sha256()
    size = rows = 0

    def sent(data: bytes) -> bytes:
        nonlocal size
        digest.update(data)
        size += len(data)
        return data

    encoder.write(f.name for f in table.fields_for(scope.free_text))
    positions = table.positions(scope.free_text)
    if can_copy(table.name, scope):
        yield sent(encoder.take())
        for item in copy_chunks(table.name, scope, secret):
            if isinstance(item, int):
                rows = item
            else:
                yield sent(item)
    else:
        for row in ROWS[table.name](scope, secret):
            encoder.write(row[i] for i in positions)
            rows += 1
            if encoder.pending >= FLUSH_BYTES:
                yield sent(encoder.take())
        yield sent(encoder.take())
    result.row_counts[table.path] = rows
    result.file_sha256[table.path] = digest.hexdigest()
    result.file_bytes[table.path] = size


class _Sink:
    """An unseekable file for ``zipfile``: keeps what is written until it is drained."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def stream_package(
    scope: ExportScope, secret: bytes, on_complete: Callable[[PackageResult], None]
) -> Iterator[bytes]:
    result = PackageResult()
    digest = hashlib.sha256()
    sink = _Sink()
    stamp = scope.as_of.astimezone(local_zone()).timetuple()[:6]

    def drained() -> bytes:
        data = sink.drain()
        digest.update(data)
        result.size += len(data)
        return data

    def entry(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        # Named compress_level from Python 3.13; a ZipInfo passed to open() keeps its own.
        level = "compress_level" if hasattr(info, "compress_level") else "_compresslevel"
        setattr(info, level, DEFLATE_LEVEL)
        info.external_attr = 0o644 << 16
        return info

    # zipfile writes to any object with write/flush; it needs no seek when streaming.
    target = cast(IO[bytes], sink)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables_for(scope):
            with archive.open(entry(table.path), mode="w", force_zip64=True) as member:
                for chunk in csv_chunks(table, scope, secret, result):
                    member.write(chunk)
                    data = drained()
                    if data:
                        yield data
        metadata = {
            "datapackage.json": datapackage_json(scope, result),
            "README.md": readme(scope, result).encode("utf-8"),
            "import.py": python_script(tables_for(scope), scope.free_text).encode(),
            "import.R": r_script(tables_for(scope), scope.free_text).encode(),
            "import.do": stata_script(tables_for(scope), scope.free_text).encode(),
        }
        for name, content in metadata.items():
            archive.writestr(entry(name), content)
            result.file_sha256[name] = hashlib.sha256(content).hexdigest()
        archive.writestr(entry("MANIFEST"), manifest(result.file_sha256, scope))
    final = drained()
    result.sha256 = digest.hexdigest()
    on_complete(result)
    yield final


def row_counts(scope: ExportScope, secret: bytes) -> dict[str, int]:
    """Rows per file the package would hold, by writing every file and throwing the bytes
    away: the same queries as the download, so a preview and its download always agree."""
    result = PackageResult()
    for table in tables_for(scope):
        for _ in csv_chunks(table, scope, secret, result):
            pass
    return dict(result.row_counts)


def stream_csv(
    table: Table, scope: ExportScope, secret: bytes, on_complete: Callable[[PackageResult], None]
) -> Iterator[bytes]:
    """One CSV file alone (the API's per-file endpoint); its checksum is the file's."""
    result = PackageResult()
    pending = b""
    for chunk in csv_chunks(table, scope, secret, result):
        if pending:
            yield pending
        pending = chunk
    result.sha256 = result.file_sha256[table.path]
    result.size = result.file_bytes[table.path]
    on_complete(result)
    yield pending


def manifest(hashes: dict[str, str], scope: ExportScope) -> str:
    """``sha256sum`` format, so ``sha256sum -c MANIFEST`` checks the unpacked files; the
    opening comment lines (which ``sha256sum`` skips) state the project and its key."""
    header = (
        f"# project: {scope.project_name}\n"
        f"# key fingerprint: {scope.key_fingerprint}\n"
        f"# package: {scope.kind}\n"
    )
    return header + "".join(f"{digest}  {name}\n" for name, digest in hashes.items())


def tables_for(scope: ExportScope) -> list[Table]:
    """An aggregate package holds only suppressed counts; a participant-level one never
    holds them (small cells could be rebuilt from its records)."""
    if scope.kind == "aggregate":
        return [t for t in TABLES if t.aggregate or t.lookup]
    return [t for t in TABLES if not t.aggregate]


def package_key(scope: ExportScope, secret: bytes) -> bytes:
    """The project's pseudonymisation key for this package (ExportUnavailable or Refusal)."""
    if scope.kind == "participant":
        refuse_development_secret()
    project = db.get_or_404(EvaluationProject, scope.project_id)
    return key_of(project, secret).key


def datapackage(scope: ExportScope, result: PackageResult) -> dict[str, Any]:
    resources = []
    for table in tables_for(scope):
        schema: dict[str, Any] = {
            "fields": [f.table_schema() for f in table.fields_for(scope.free_text)],
            "primaryKey": table.primary_key,
            "missingValues": table.missing_values,
        }
        if table.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": source, "reference": {"resource": target, "fields": fields}}
                for source, target, fields in table.foreign_keys
            ]
        resources.append(
            {
                "name": table.name,
                "path": table.path,
                "profile": "tabular-data-resource",
                "title": table.title,
                "description": table.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": result.file_bytes.get(table.path, 0),
                "hash": f"sha256:{result.file_sha256.get(table.path, '')}",
                "dialect": DIALECT,
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "futuredoctor-evaluation",
        "title": "Future Doctor pilots: evaluation data",
        "description": (
            "De-identified, consent-filtered evaluation data for "
            f"{', '.join(c.label for c in scope.choices)}, "
            f"{scope.date_from.isoformat()} to {scope.date_to.isoformat()}. "
            "See README.md for the codebook."
        ),
        "created": utc_text(scope.as_of),
        "project": scope.project_name,
        "keyFingerprint": scope.key_fingerprint,
        "packageKind": scope.kind,
        "keywords": ["Future Doctor", "evaluation", "living lab", "GMC GPC"],
        "resources": resources,
    }


def datapackage_json(scope: ExportScope, result: PackageResult) -> bytes:
    return (json.dumps(datapackage(scope, result), indent=2, ensure_ascii=False) + "\n").encode()


def readme(scope: ExportScope, result: PackageResult) -> str:
    """The README: what this export covers, what it holds, then the codebook."""
    free_text = (
        "included, de-identified: " + ", ".join(sorted(scope.free_text))
        if scope.include_free_text
        else "not included (the columns are absent)"
    )
    lines = [
        "# Future Doctor pilots: evaluation data",
        "",
        f"- Evaluation project: {scope.project_name} (key fingerprint {scope.key_fingerprint})",
        f"- Package: {scope.kind}"
        + (f" (approval {scope.approval_reference})" if scope.approval_reference else ""),
        f"- Scope: {'; '.join(c.label for c in scope.choices)}",
        "- Date range (UK dates, inclusive): "
        f"{scope.date_from:%d/%m/%Y} to {scope.date_to:%d/%m/%Y}",
        f"- Consent judged as at: {utc_text(scope.as_of)}",
        f"- Free text: {free_text}",
        "",
        "| File | Rows |",
        "|---|---|",
        *(f"| `{path}` | {count} |" for path, count in result.row_counts.items()),
        "",
    ]
    if scope.kind == "participant":
        plan = k_plan(scope)
        steps = plan.report() or ["none needed"]
        lines += [
            f"## k-anonymity (k = {plan.k})",
            "",
            "Quasi-identifiers (cohort, professional group, career stage, enrolment status "
            "and dates) were checked in participants.csv, and cohort, professional group, "
            "career stage and date in each date column of progress.csv, feedback.csv and "
            "actions.csv: every combination in this package is shared by at least "
            f"{plan.k} participants. Dates are UK dates, never times of day, generalised "
            "the same way in every file. Generalisation applied:",
            "",
            *(f"- {step}" for step in steps),
            "",
        ]
    if scope.kind == "participant" and not result.row_counts.get("participants.csv"):
        lines += [
            "> **Note: no participants.** Nobody in this scope currently consents to research "
            "use of their data, so the participant, progress and aggregate files hold headers "
            "(and zero counts) only. The package is still complete and valid.",
            "",
        ]
    return "\n".join(lines) + "\n" + codebook_markdown(scope.free_text)
