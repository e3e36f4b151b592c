"""Error pages are styled and say what to do next."""

from __future__ import annotations

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
