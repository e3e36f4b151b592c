"""Error pages are styled and say what to do next."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from futuredoctor.permissions import public


def test_404_page(app: Flask, client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Page not found" in text and "nhsuk-header" in text


def test_500_page_hides_details(database_url: str) -> None:
    from futuredoctor import create_app
    from tests.conftest import make_test_config

    app = create_app(make_test_config(database_url))

    @app.route("/boom")
    @public
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in text
    assert "secret internals" not in text


@pytest.mark.postgres
def test_a_value_the_database_refuses_is_a_400_that_writes_nothing(
    pg_templates: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The safety net under every form: a value too long for its column (a form that forgot
    its cap) answers 400, says nothing was saved, logs the bug, and writes nothing."""
    from futuredoctor import create_app
    from futuredoctor.extensions import db
    from futuredoctor.models import Region
    from tests.conftest import make_test_config, pg_database

    with pg_database(pg_templates) as url:
        app = create_app(make_test_config(url))

        @app.post("/too-long")
        @public
        def too_long() -> str:
            db.session.add(Region(code="ZZ", name="Written first", priorities=[]))
            db.session.flush()
            db.session.add(Region(code="Z" * 500, name="Too long", priorities=[]))
            db.session.flush()
            return "saved"

        response = app.test_client().post("/too-long")
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert "A value could not be saved" in text and "Nothing was saved" in text
        assert "request-reference" in text
        with app.app_context():
            assert (
                db.session.scalar(
                    sa.select(sa.func.count()).select_from(Region).where(Region.code == "ZZ")
                )
                == 0
            )
            db.engine.dispose()
        assert "The database refused a value in too_long" in caplog.text
