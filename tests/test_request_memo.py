"""Answers kept for one request end with it, even under an app context shared by many."""

from __future__ import annotations

from flask import Flask

from futuredoctor.request_memo import request_memo


def test_a_memo_lasts_one_request_even_when_the_app_context_outlives_it(app: Flask) -> None:
    with app.test_request_context("/"):
        request_memo("answers")["question"] = 42
        assert request_memo("answers") == {"question": 42}
        assert request_memo("other") == {}
    with app.test_request_context("/"):  # the same app context (the fixture's) around both
        assert request_memo("answers") == {}
    outside = request_memo("answers")
    outside["kept"] = True
    assert request_memo("answers") == {}  # nothing is kept outside a request
