"""The logs of sign-ins and CSV uploads hold no password, email, token or cell value."""

from __future__ import annotations

import io
import logging

import pytest

from futuredoctor.enrolment.csv_format import COLUMNS
from tests.factories import PASSWORD

ROWS = [
    "amara@example.nhs.uk,Amara,Okafor,doctor,GMC,7123456,FY2,Trust Alpha,lon-small",
    "not-an-email,Zebedee,Quennell,plumber,XYZ,99zz,FY9,Trust Omega,lon-small",
]
CELLS = [
    "amara@example.nhs.uk",
    "Amara",
    "Okafor",
    "7123456",
    "Trust Alpha",
    "not-an-email",
    "Zebedee",
    "Quennell",
    "plumber",
    "99zz",
    "Trust Omega",
]


def _upload(client, rows: list[str]):
    data = ("\r\n".join([",".join(COLUMNS), *rows]) + "\r\n").encode()
    return client.post(
        "/cohorts/lon-small/import",
        data={"file": (io.BytesIO(data), "people.csv")},
        content_type="multipart/form-data",
    )


def test_sign_ins_and_uploads_log_no_personal_data(
    client, pilot_admin, small_cohort, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="futuredoctor")
    client.post("/sign-in", data={"email": pilot_admin.email, "password": "wrong-" + PASSWORD})
    client.post("/sign-in", data={"email": "nobody@example.nhs.uk", "password": PASSWORD})
    assert (
        client.post("/sign-in", data={"email": pilot_admin.email, "password": PASSWORD}).status_code
        == 302
    )
    assert _upload(client, ROWS[1:]).status_code == 400  # every problem reported
    assert _upload(client, ROWS[:1]).status_code == 302
    lines = [r for r in caplog.records if r.name == "futuredoctor.requests"]
    assert [r.route for r in lines][-2:] == ["enrolment.import_people"] * 2
    text = caplog.text + " ".join(str(r.__dict__) for r in caplog.records)
    for secret in [PASSWORD, pilot_admin.email, "nobody@example.nhs.uk", *CELLS]:
        assert secret not in text, secret
