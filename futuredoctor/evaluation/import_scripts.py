"""Import scripts for the package, generated from the same field definitions as its Table
Schemas: ``import.py`` (pandas), ``import.R`` (readr) and ``import.do`` (Stata).

Each reads every CSV file with the declared types (nullable integers stay integers, dates
are dates, datetimes are UTC), turns Likert ratings into labelled ordered categories, and
takes the spreadsheet-protection apostrophe off text so it comes back exactly as written.
"""

from __future__ import annotations

import pprint

from futuredoctor.evaluation.fields import LIKERT_LABELS, Table

READR = {
    "string": "col_character()",
    "integer": "col_integer()",
    "boolean": "col_logical()",
    "date": 'col_date(format = "%Y-%m-%d")',
    "datetime": 'col_datetime(format = "%Y-%m-%dT%H:%M:%SZ")',
}

PYTHON = '''"""Load this Future Doctor evaluation package with pandas.

    import importlib.util, pathlib
    frames = load()          # {"participants": DataFrame, ...}

Types follow datapackage.json: integers are nullable Int64, booleans are boolean, dates
(UK calendar dates) are datetime64 at midnight, datetimes are UTC, Likert ratings are
ordered categories, and text has the spreadsheet-protection apostrophe removed.
"""

from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
TABLES = __TABLES__
LIKERT = __LIKERT__


def _text(column):
    """Undo the package's spreadsheet protection: one leading apostrophe comes off."""
    protected = column.str.startswith("'", na=False)
    return column.where(~protected, column.str.slice(1))


def load_table(name, folder=HERE):
    fields = TABLES[name]
    frame = pd.read_csv(
        Path(folder) / f"{name}.csv",
        dtype={f: ("Int64" if t == "integer" else "string") for f, (t, _) in fields.items()},
        keep_default_na=False,
        na_values={f: [""] for f in fields},
    )
    for field, (kind, likert) in fields.items():
        if kind == "string":
            frame[field] = _text(frame[field])
        elif kind == "boolean":
            frame[field] = frame[field].map({"True": True, "False": False}).astype("boolean")
        elif kind == "date":
            frame[field] = pd.to_datetime(frame[field], format="%Y-%m-%d")
        elif kind == "datetime":
            frame[field] = pd.to_datetime(frame[field], format="%Y-%m-%dT%H:%M:%SZ", utc=True)
        if likert:
            frame[field] = pd.Categorical(
                frame[field].map(LIKERT), categories=list(LIKERT.values()), ordered=True
            )
    return frame


def load(folder=HERE):
    return {name: load_table(name, folder) for name in TABLES}


if __name__ == "__main__":
    for name, frame in load().items():
        print(f"{name}: {len(frame)} rows")
'''


def python_script(tables: list[Table], free_text: object) -> str:
    spec = {
        t.name: {f.name: (f.type, f.likert) for f in t.fields_for(free_text)}  # type: ignore[arg-type]
        for t in tables
    }
    likert = {str(k): v for k, v in LIKERT_LABELS.items()}
    body = PYTHON.replace("__TABLES__", pprint.pformat(spec, sort_dicts=False))
    return body.replace("__LIKERT__", pprint.pformat(likert, sort_dicts=False))


def r_script(tables: list[Table], free_text: object) -> str:
    levels = ", ".join(str(k) for k in LIKERT_LABELS)
    labels = ", ".join(f'"{v}"' for v in LIKERT_LABELS.values())
    lines = [
        '# Load this Future Doctor evaluation package in R: source("import.R")',
        "# Types follow datapackage.json; text has the spreadsheet apostrophe removed.",
        "library(readr)",
        'unprotect <- function(x) sub("^\'", "", x)',
        "evaluation <- list()",
    ]
    for table in tables:
        fields = table.fields_for(free_text)  # type: ignore[arg-type]
        types = ",\n  ".join(f"{f.name} = {READR[f.type]}" for f in fields)
        lines += [
            "",
            f'evaluation${table.name} <- read_csv("{table.path}", na = "", col_types = cols(',
            f"  {types}",
            "))",
        ]
        for f in fields:
            if f.type == "string":
                column = f"evaluation${table.name}${f.name}"
                lines.append(f"{column} <- unprotect({column})")
            if f.likert:
                lines.append(
                    f"evaluation${table.name}${f.name} <- factor(evaluation${table.name}${f.name}, "
                    f"levels = c({levels}), labels = c({labels}), ordered = TRUE)"
                )
    return "\n".join(lines) + "\n"


def stata_script(tables: list[Table], free_text: object) -> str:
    lines = [
        "* Load this Future Doctor evaluation package in Stata: do import.do",
        "* Each file is saved as a .dta next to its CSV. Text has the spreadsheet",
        "* apostrophe removed; ratings carry value labels.",
        "label define likert " + " ".join(f'{k} "{v}"' for k, v in LIKERT_LABELS.items()),
    ]
    for table in tables:
        fields = table.fields_for(free_text)  # type: ignore[arg-type]
        strings = " ".join(f.name for f in fields if f.type != "integer")
        lines += [
            "",
            f'import delimited using "{table.path}", clear varnames(1) encoding("utf-8") '
            f"bindquote(strict) maxquotedrows(unlimited) stringcols(_all)",
        ]
        for f in fields:
            if f.type == "integer":
                lines.append(f"destring {f.name}, replace")
            elif f.type == "string":
                lines.append(
                    f'replace {f.name} = substr({f.name}, 2, .) if substr({f.name}, 1, 1) == "\'"'
                )
            elif f.type == "date":
                lines.append(f'generate double {f.name}_d = date({f.name}, "YMD")')
                lines.append(f"format {f.name}_d %td")
            elif f.type == "datetime":
                utc = f'subinstr({f.name}, "Z", "", 1)'
                lines.append(f'generate double {f.name}_tc = clock({utc}, "YMD#hms")')
                lines.append(f"format {f.name}_tc %tc")
            if f.likert:
                lines.append(f"label values {f.name} likert")
        lines.append(f"* text kept as text: {strings or 'none'}")
        lines.append(f'save "{table.name}.dta", replace')
    return "\n".join(lines) + "\n"
