"""The package's import scripts: the Python one loads every table with the declared types
and gives verbatim text back; the R and Stata ones name every field with its type."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pandas as pd

from futuredoctor.evaluation.schema import FREE_TEXT_FIELDS, TABLES_BY_FILE
from tests.evaluation.conftest import HOSTILE_TEXT, Study, export_form, open_zip
from tests.helpers import login

PANDAS_KINDS = {"string": "string", "integer": "Int64", "boolean": "boolean"}


def test_python_import_script_loads_every_table_with_its_declared_types(
    client: Any, study: Study, tmp_path: Path
) -> None:
    login(client, study.evaluator)
    response = client.post("/evaluation/", data=export_form(free_text=list(FREE_TEXT_FIELDS)))
    archive = open_zip(response.get_data())
    archive.extractall(tmp_path)
    frames = runpy.run_path(str(tmp_path / "import.py"))["load"](tmp_path)
    csvs = [n for n in archive.namelist() if n.endswith(".csv")]
    assert sorted(f"{name}.csv" for name in frames) == sorted(csvs)
    for name, frame in frames.items():
        table = TABLES_BY_FILE[f"{name}.csv"]
        for field in table.fields_for(set(FREE_TEXT_FIELDS)):
            dtype = frame[field.name].dtype
            if field.likert:
                assert isinstance(dtype, pd.CategoricalDtype) and dtype.ordered
            elif field.type in PANDAS_KINDS:
                assert str(dtype) == PANDAS_KINDS[field.type], (name, field.name, dtype)
            elif field.type == "datetime":
                assert str(dtype).startswith("datetime64") and "UTC" in str(dtype)
            else:
                assert str(dtype).startswith("datetime64"), (name, field.name, dtype)
    feedback = frames["feedback"]
    assert HOSTILE_TEXT in list(feedback["text"])  # verbatim, apostrophe removed
    assert frames["sessions"]["title"].iloc[0] == "+Autumn living lab"


def test_r_and_stata_scripts_match_the_schema(client: Any, study: Study) -> None:
    login(client, study.evaluator)
    archive = open_zip(client.post("/evaluation/", data=export_form()).get_data())
    r_text = archive.read("import.R").decode()
    stata = archive.read("import.do").decode()
    for name in archive.namelist():
        if not name.endswith(".csv"):
            continue
        table = TABLES_BY_FILE[name]
        assert f'read_csv("{name}"' in r_text and f'import delimited using "{name}"' in stata
        for field in table.fields_for(set()):
            readr = {"integer": "col_integer()", "string": "col_character()"}.get(field.type)
            if readr:
                assert f"{field.name} = {readr}" in r_text
            if field.type == "integer":
                assert f"destring {field.name}, replace" in stata
            if field.likert:
                assert f"label values {field.name} likert" in stata
                assert f"factor(evaluation${table.name}${field.name}" in r_text
